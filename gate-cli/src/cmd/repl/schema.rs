//! `:schema`: the evidence root and the record and enum types it uses,
//! written as a gate would declare them.

use gate_lang::ir::Program;
use gate_lang::types::{RecordId, Type};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The evidence schema as text.
pub fn render(p: &Program) -> String {
    let schema = &p.schema;
    let Some(root) = schema.root.and_then(|r| schema.record(r)) else {
        return "the gate declares no evidence\n".to_string();
    };
    let mut s = String::from("evidence {\n");
    let mut records = BTreeSet::new();
    let mut enums = BTreeSet::new();
    for f in &root.fields {
        let _ = writeln!(s, "  {}: {}", f.name, schema.display(&f.ty));
        collect(&f.ty, &mut records, &mut enums);
    }
    s.push_str("}\n");
    // Records reachable from the root, nested ones included.
    let mut done = BTreeSet::new();
    while let Some(id) = records.iter().find(|r| !done.contains(*r)).copied() {
        done.insert(id);
        let Some(r) = schema.record(RecordId(id)) else {
            continue;
        };
        let _ = writeln!(s, "\nrecord {} {{", r.name);
        for f in &r.fields {
            let key = if f.key != f.name {
                format!("\"{}\" as ", f.key)
            } else {
                String::new()
            };
            let mark = if f.sensitive { "@sensitive " } else { "" };
            let _ = writeln!(s, "  {mark}{key}{}: {}", f.name, schema.display(&f.ty));
            collect(&f.ty, &mut records, &mut enums);
        }
        if let Some(k) = &r.key {
            let cond = k
                .condition_text
                .as_deref()
                .map(|c| format!(" when {c}"))
                .unwrap_or_default();
            let _ = writeln!(s, "  key {}{cond}", k.name);
        }
        if let Some(e) = r.elements.and_then(|i| r.fields.get(i as usize)) {
            let _ = writeln!(s, "  elements {}", e.name);
        }
        s.push_str("}\n");
    }
    for id in enums {
        if let Some(e) = schema.enum_def(gate_lang::types::EnumId(id)) {
            let _ = writeln!(s, "\nenum {} {{ {} }}", e.name, e.values.join(", "));
        }
    }
    s
}

fn collect(ty: &Type, records: &mut BTreeSet<u32>, enums: &mut BTreeSet<u32>) {
    match ty {
        Type::Record(r) => {
            records.insert(r.0);
        }
        Type::Enum(e) => {
            enums.insert(e.0);
        }
        Type::Optional(t) | Type::List(t) | Type::Many(t) | Type::Map(t) => {
            collect(t, records, enums)
        }
        _ => {}
    }
}
