//! Rule-level findings: `rule-without-controls`, `rule-without-message`,
//! `control-id-format`, `duplicate-rule-id` and `no-block-rule`.

use super::{controls, Config, Finding, UserSource};
use crate::ast::{Item, RuleDecl, RuleStmt, SettingValue};
use crate::ir::Program;
use crate::span::Span;
use std::collections::HashMap;

fn rules(sources: &[UserSource]) -> impl Iterator<Item = &RuleDecl> {
    sources
        .iter()
        .filter(|s| s.is_gate)
        .flat_map(|s| s.file.items.iter())
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r),
            _ => None,
        })
}

/// `no-block-rule`: a gate with rules, none of which can block.
pub(super) fn no_block_rule(program: &Program, sources: &[UserSource], out: &mut Vec<Finding>) {
    if program.rules.is_empty()
        || program
            .rules
            .iter()
            .any(|r| r.severity == crate::ir::RuleSeverity::Block)
    {
        return;
    }
    let header = sources
        .iter()
        .filter(|s| s.is_gate)
        .find_map(|s| match &s.file.header {
            Some(crate::ast::Header::Gate(h)) => Some(h.name.span),
            _ => None,
        });
    if let Some(span) = header {
        out.push(
            Finding::new(
                "no-block-rule",
                span,
                "no rule of this gate has severity `block`, so it passes whatever the evidence says"
                    .to_string(),
            )
            .help("make the rules that must hold `block` (the default: remove `severity warn`)"),
        );
    }
}

pub(super) fn rule_settings(sources: &[UserSource], config: &Config, out: &mut Vec<Finding>) {
    for rule in rules(sources) {
        let mut cited = false;
        for stmt in &rule.body {
            let RuleStmt::Setting(s) = stmt else {
                continue;
            };
            if s.name.name != "controls" {
                continue;
            }
            if let SettingValue::Strings(list) = &s.value {
                for lit in list {
                    cited = true;
                    if let Some(p) = controls::check_control(&lit.value, &config.frameworks) {
                        let mut f = Finding::new("control-id-format", lit.span, p.message);
                        if let Some(h) = p.help {
                            f = f.help(h);
                        }
                        out.push(f);
                    }
                }
            }
        }
        if !cited {
            out.push(
                Finding::new(
                    "rule-without-controls",
                    rule.id.span,
                    format!("rule `{}` cites no control", rule.id.name),
                )
                .help(
                    "add the controls it implements, e.g. `controls \"OWASP-NHI:NHI2\", \"NIST-CSF-2.0:PR.AA-05\"`",
                ),
            );
        }
        let requires: Vec<_> = rule
            .body
            .iter()
            .filter_map(|s| match s {
                RuleStmt::Require(r) => Some(r),
                _ => None,
            })
            .collect();
        if !requires.is_empty() && requires.iter().all(|r| r.message.is_none()) {
            out.push(
                Finding::new(
                    "rule-without-message",
                    rule.id.span,
                    format!(
                        "no `require` of rule `{}` has a failure message",
                        rule.id.name
                    ),
                )
                .help("add `else \"…\"` to the main `require`, saying what is wrong in the evidence's terms, e.g. `else \"secret {name} is not vaulted\"`"),
            );
        }
    }
}

/// `S01`, `s01`, `s-01`, `S_01` → `s01`.
fn folded(id: &str) -> String {
    id.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) fn duplicate_ids(sources: &[UserSource], out: &mut Vec<Finding>) {
    let mut seen: HashMap<String, (&str, Span)> = HashMap::new();
    for rule in rules(sources) {
        let key = folded(&rule.id.name);
        match seen.get(&key) {
            Some((first, at)) if *first != rule.id.name => {
                out.push(
                    Finding::new(
                        "duplicate-rule-id",
                        rule.id.span,
                        format!(
                            "rule id `{}` differs from `{first}` only in case or separators",
                            rule.id.name
                        ),
                    )
                    .label(*at, "the other rule")
                    .help("give the rules clearly different ids"),
                );
            }
            Some(_) => {} // an exact duplicate is a compile error (E0204)
            None => {
                seen.insert(key, (&rule.id.name, rule.id.span));
            }
        }
    }
}

/// `duplicate-rule-id` across gates linted together: one id with two
/// different titles. Returns a finding for each later gate, in the order of
/// `programs`, indexed like it.
pub fn duplicate_ids_across(programs: &[&Program]) -> Vec<Vec<Finding>> {
    let mut first: HashMap<String, (usize, String, Option<String>)> = HashMap::new();
    let mut out: Vec<Vec<Finding>> = programs.iter().map(|_| Vec::new()).collect();
    for (i, p) in programs.iter().enumerate() {
        let gate_file = p
            .rules
            .first()
            .and_then(|r| p.sources.get(r.span.source))
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let sources = super::user_sources(p);
        for rule in rules(&sources) {
            let title = rule.title.as_ref().map(|t| t.value.clone());
            match first.get(&rule.id.name) {
                Some((j, file, t)) if *j != i && *t != title => {
                    let show = |t: &Option<String>| match t {
                        Some(t) => format!("\"{t}\""),
                        None => "no title".to_string(),
                    };
                    if let Some(list) = out.get_mut(i) {
                        list.push(
                            Finding::new(
                                "duplicate-rule-id",
                                rule.id.span,
                                format!(
                                    "rule id `{}` is also used in {file} for another check ({} there, {} here)",
                                    rule.id.name,
                                    show(t),
                                    show(&title)
                                ),
                            )
                            .help("records, waivers and the control matrix refer to rules by id: give different checks different ids"),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    first.insert(rule.id.name.clone(), (i, gate_file.clone(), title));
                }
            }
        }
    }
    out
}
