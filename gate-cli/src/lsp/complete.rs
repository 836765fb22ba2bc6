//! Completion. A half-typed line does not check, so what is offered comes
//! from the last program of the document that did (its schema, `let`s
//! and `def`s) and from the tables of the language: built-ins, rule
//! settings, severities and the control frameworks the linter knows.

use super::text::Encoding;
use super::workspace::Document;
use gate_lang::builtins::{Section, TABLE};
use gate_lang::types::Type;
use gate_lang::Program;
use lsp_types::{CompletionItem, CompletionItemKind, Position};
use std::path::Path;

/// The words a rule's body starts a statement with.
const RULE_WORDS: &[(&str, &str)] = &[
    ("require", "require EXPR else \"message\""),
    ("when", "when EXPR: the rule applies only when it holds"),
    ("let", "let NAME = EXPR"),
    ("severity", "severity block | warn | info"),
    ("controls", "controls \"FRAMEWORK:ID\", …"),
    ("title", "title \"…\""),
    ("description", "description \"…\""),
];

/// The severities.
const SEVERITIES: &[&str] = &["block", "warn", "info"];

/// What to offer at `pos` of the document of `path`.
pub fn complete(
    program: Option<&Program>,
    path: &Path,
    doc: &Document,
    pos: Position,
    enc: Encoding,
) -> Vec<CompletionItem> {
    let offset = doc.index.offset(&doc.text, pos, enc);
    let before = doc.text.get(..offset).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    // The word being typed, and what is before it.
    let word_start = line
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(line.len(), |(i, _)| i);
    let head = line.get(..word_start).unwrap_or("");
    let item = |label: &str, kind: CompletionItemKind, detail: String| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then_some(detail),
        ..CompletionItem::default()
    };
    let trimmed = head.trim_end();
    if trimmed.ends_with("severity") {
        return SEVERITIES
            .iter()
            .map(|s| item(s, CompletionItemKind::ENUM_MEMBER, "severity".into()))
            .collect();
    }
    if in_controls(line) {
        return gate_lang::lint::controls::catalogue()
            .iter()
            .map(|id| item(id, CompletionItemKind::CONSTANT, "control".into()))
            .collect();
    }
    if let Some(receiver) = head.strip_suffix('.') {
        if let Some(members) = program.and_then(|p| module_members(p, path, receiver)) {
            return members
                .into_iter()
                .map(|(label, kind, detail)| item(&label, kind, detail))
                .collect();
        }
        return members(program, receiver)
            .into_iter()
            .map(|(label, kind, detail)| item(&label, kind, detail))
            .collect();
    }
    let mut out = Vec::new();
    // At the start of a statement inside a rule: its words.
    if head.trim().is_empty() && inside_rule(before) {
        out.extend(
            RULE_WORDS
                .iter()
                .map(|(w, d)| item(w, CompletionItemKind::KEYWORD, (*d).to_string())),
        );
    }
    if let Some(p) = program {
        let schema = &p.schema;
        if let Some(root) = schema.root.and_then(|r| schema.record(r)) {
            for f in &root.fields {
                out.push(item(
                    &f.name,
                    CompletionItemKind::FIELD,
                    schema.display(&f.ty).to_string(),
                ));
            }
        }
        for g in &p.globals {
            if !g.name.contains('.') {
                out.push(item(&g.name, CompletionItemKind::CONSTANT, "let".into()));
            }
        }
        for f in &p.functions {
            if !f.name.contains('.') && !f.name.starts_with('<') {
                out.push(item(&f.name, CompletionItemKind::FUNCTION, "def".into()));
            }
        }
        for e in &schema.enums {
            for v in &e.values {
                out.push(item(v, CompletionItemKind::ENUM_MEMBER, e.name.clone()));
            }
        }
    }
    for b in TABLE {
        out.push(item(
            b.name,
            CompletionItemKind::FUNCTION,
            b.signature.to_string(),
        ));
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out.dedup_by(|a, b| a.label == b.label);
    out
}

/// Whether the cursor is in the strings of a `controls` setting.
fn in_controls(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix("controls") else {
        return false;
    };
    // Inside a string: an odd number of quotes before the cursor.
    rest.matches('"').count() % 2 == 1
}

/// Whether `before` ends inside a rule's braces.
fn inside_rule(before: &str) -> bool {
    let Some(at) = before.rfind("rule ") else {
        return false;
    };
    let after = before.get(at..).unwrap_or("");
    let open = after.matches('{').count();
    let close = after.matches('}').count();
    open > close
}

/// What may follow `receiver.`: a record's fields, and the built-ins for
/// the kind of value it is (all of them when it is not known).
fn members(program: Option<&Program>, receiver: &str) -> Vec<(String, CompletionItemKind, String)> {
    let chain: Vec<&str> = receiver
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '?'))
        .next()
        .unwrap_or("")
        .split('.')
        .map(|s| s.trim_end_matches('?'))
        .filter(|s| !s.is_empty())
        .collect();
    let mut out = Vec::new();
    let ty = program.and_then(|p| resolve(p, &chain));
    if let (Some(p), Some(ty)) = (program, &ty) {
        let schema = &p.schema;
        let ty = ty.non_null();
        if let Type::Record(r) = ty {
            if let Some(r) = schema.record(*r) {
                for f in &r.fields {
                    out.push((
                        f.name.clone(),
                        CompletionItemKind::FIELD,
                        schema.display(&f.ty).to_string(),
                    ));
                }
            }
        }
    }
    let sections: &[Section] = match ty.as_ref().map(Type::non_null) {
        Some(Type::List(_) | Type::Many(_) | Type::Map(_)) => &[Section::Collections],
        Some(Type::String) => &[Section::Text, Section::Security, Section::Collections],
        Some(Type::Time | Type::Duration | Type::Int) => &[Section::Time],
        Some(Type::Record(_)) => &[Section::Collections],
        _ => &[
            Section::Collections,
            Section::Text,
            Section::Time,
            Section::Security,
        ],
    };
    for b in TABLE.iter().filter(|b| sections.contains(&b.section)) {
        out.push((
            b.name.to_string(),
            CompletionItemKind::METHOD,
            b.signature.to_string(),
        ));
    }
    out
}

/// After `alias.`, where `alias` names a module the document imports
/// (`secrets.` for `import std.secrets`): what the module declares — its
/// `def`s, `let`s, records and enums.
fn module_members(
    p: &Program,
    path: &Path,
    receiver: &str,
) -> Option<Vec<(String, CompletionItemKind, String)>> {
    let alias = receiver
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()?;
    let me = super::diagnostics::source_of(p, path)?;
    let module = p.names.imported(me, alias)?;
    let short = |name: &str| super::resolve::short(name).to_string();
    let from = format!(
        "from {}",
        p.sources.get(module).map_or("", |f| f.name.as_str())
    );
    let mut out = Vec::new();
    for f in p.functions.iter().filter(|f| f.span.source == module) {
        out.push((short(&f.name), CompletionItemKind::FUNCTION, from.clone()));
    }
    for g in p.globals.iter().filter(|g| g.span.source == module) {
        out.push((short(&g.name), CompletionItemKind::CONSTANT, from.clone()));
    }
    for r in p.schema.records.iter().filter(|r| r.span.source == module) {
        out.push((short(&r.name), CompletionItemKind::STRUCT, from.clone()));
    }
    for e in p.schema.enums.iter().filter(|e| e.span.source == module) {
        out.push((short(&e.name), CompletionItemKind::ENUM, from.clone()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    Some(out)
}

/// The type of a dotted chain of names read from the evidence root (or a
/// top-level `let`), field by field; through a list, its elements'.
fn resolve(p: &Program, chain: &[&str]) -> Option<Type> {
    let schema = &p.schema;
    let (first, rest) = chain.split_first()?;
    let mut ty = match schema
        .root
        .and_then(|r| schema.record(r))
        .and_then(|r| r.field(first))
    {
        Some((_, f)) => f.ty.clone(),
        None => {
            let g = p.globals.iter().find(|g| g.name == *first)?;
            p.node(g.expr)?.ty.clone()
        }
    };
    for name in rest {
        let mut t = ty.non_null().clone();
        while let Type::List(inner) | Type::Many(inner) = t {
            t = inner.non_null().clone();
        }
        let Type::Record(r) = t else {
            return None;
        };
        ty = schema.record(r)?.field(name)?.1.ty.clone();
    }
    Some(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "gate g { title \"G\" }\nrecord Secret { name: string, vaulted: bool, owner: Owner? }\nrecord Owner { team: string }\nevidence { secrets: [Secret], stage: string }\nrule r {\n  require secrets.all(vaulted)\n}\n";

    fn labels(text: &str, line: u32, character: u32) -> Vec<String> {
        let program = gate_lang::compile_source("g.gate", SRC).unwrap();
        let doc = Document::new(text.to_string(), 1);
        complete(
            Some(&program),
            Path::new("g.gate"),
            &doc,
            Position::new(line, character),
            Encoding::Utf8,
        )
        .into_iter()
        .map(|i| i.label)
        .collect()
    }

    #[test]
    fn after_a_dot_the_fields_and_methods_of_its_type() {
        let text = "rule x {\n  require secrets.\n}\n";
        let got = labels(text, 1, 18);
        assert!(
            got.contains(&"all".to_string()) && got.contains(&"len".to_string()),
            "{got:?}"
        );
        assert!(!got.contains(&"starts_with".to_string()), "{got:?}");
        // Through the list to its elements' record, and an optional field.
        let text = "rule x {\n  require secrets.owner.\n}\n";
        let got = labels(text, 1, 24);
        assert!(got.contains(&"team".to_string()), "{got:?}");
        let text = "rule x {\n  require stage.st\n}\n";
        let got = labels(text, 1, 18);
        assert!(
            got.contains(&"starts_with".to_string()) && !got.contains(&"vaulted".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn words_of_a_rule_fields_severities_and_controls() {
        let got = labels("rule x {\n  \n}\n", 1, 2);
        for w in ["require", "when", "severity", "secrets", "stage", "all"] {
            assert!(got.contains(&w.to_string()), "{w}: {got:?}");
        }
        let got = labels("rule x {\n  severity \n}\n", 1, 11);
        assert_eq!(got, ["block", "warn", "info"]);
        let got = labels("rule x {\n  controls \"\n}\n", 1, 12);
        assert!(got.iter().any(|l| l == "NIST-CSF-2.0:PR.AA-05"), "{got:?}");
        assert!(got.iter().any(|l| l == "OWASP-NHI:NHI2"), "{got:?}");
        // Outside a rule, no statement words.
        let got = labels("\n", 0, 0);
        assert!(!got.contains(&"require".to_string()), "{got:?}");
        assert!(got.contains(&"secrets".to_string()));
    }
}
