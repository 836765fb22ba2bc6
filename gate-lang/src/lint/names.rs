//! `unused-let`, `unused-def`, `unused-import` and `shadowed-name`, from the
//! facts the checker collected about names.

use super::{Finding, Fix, UserSource};
use crate::ast::{Item, RuleStmt};
use crate::ir::{DeclKind, Program};

pub(super) fn unused(program: &Program, sources: &[UserSource], out: &mut Vec<Finding>) {
    let facts = &program.names;
    for src in sources {
        for item in &src.file.items {
            match item {
                Item::Import(i) => {
                    let alias = crate::loader::import_alias(i);
                    if !facts.is_used(src.id, &alias, DeclKind::Import) {
                        let at = i.alias.as_ref().map(|a| a.span).unwrap_or(i.span);
                        out.push(
                            Finding::new(
                                "unused-import",
                                at,
                                format!("the import `{alias}` is never used"),
                            )
                            .help("remove the import")
                            .fix(Fix::delete(
                                format!("Remove the unused import `{alias}`"),
                                &src.text,
                                i.span,
                            )),
                        );
                    }
                }
                Item::Let(l)
                    if src.is_gate && !facts.is_used(src.id, &l.name.name, DeclKind::Let) =>
                {
                    out.push(
                        Finding::new(
                            "unused-let",
                            l.name.span,
                            format!("`{}` is defined but never used", l.name.name),
                        )
                        .help("use it in a rule, or delete it")
                        .fix(Fix::delete(
                            format!("Delete the unused `let {}`", l.name.name),
                            &src.text,
                            l.span,
                        )),
                    );
                }
                Item::Def(d)
                    if src.is_gate && !facts.is_used(src.id, &d.name.name, DeclKind::Def) =>
                {
                    out.push(
                        Finding::new(
                            "unused-def",
                            d.name.span,
                            format!("`{}` is defined but never called", d.name.name),
                        )
                        .help("call it from a rule, or delete it")
                        .fix(Fix::delete(
                            format!("Delete the unused `def {}`", d.name.name),
                            &src.text,
                            d.span,
                        )),
                    );
                }
                Item::Rule(r) => {
                    for stmt in &r.body {
                        if let RuleStmt::Let(l) = stmt {
                            if !facts.is_local_used(l.name.span) {
                                out.push(
                                    Finding::new(
                                        "unused-let",
                                        l.name.span,
                                        format!(
                                            "`{}` is defined in rule `{}` but never used",
                                            l.name.name, r.id.name
                                        ),
                                    )
                                    .help("use it in a `require`, or delete it")
                                    .fix(Fix::delete(
                                        format!("Delete the unused `let {}`", l.name.name),
                                        &src.text,
                                        l.span,
                                    )),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

pub(super) fn shadowed(program: &Program, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for s in &program.names.shadows {
        let in_std = program
            .sources
            .get(s.span.source)
            .is_some_and(|f| f.name.starts_with("std."));
        if in_std || !seen.insert((s.span.source, s.span.start, s.name.clone())) {
            continue;
        }
        let (message, help) = if s.at_use {
            (
                format!(
                    "`{}` here is a field of the element, and it hides {}",
                    s.name, s.hides
                ),
                format!(
                    "write `it.{0}` (or name the element: `x => x.{0}`) if the field is meant; rename one of them otherwise",
                    s.name
                ),
            )
        } else {
            (
                format!("`{}` hides {}", s.name, s.hides),
                "rename it so each name has one meaning here".to_string(),
            )
        };
        let mut f = Finding::new("shadowed-name", s.span, message).help(help);
        if let Some(at) = s.hidden_at {
            f = f.label(at, "the hidden one");
        }
        out.push(f);
    }
}
