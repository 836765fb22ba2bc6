//! `gate controls POLICIES… [--record FILE]`: which rules cover which
//! controls, for auditors. Each rule's `controls "FRAMEWORK:ID", …` are
//! grouped by framework (the part before the first `:`), controls sorted
//! naturally (`NHI2` before `NHI10`), each with the rules that cover it and,
//! given a decision record, their outcome in it.

use crate::cli::{ControlsArgs, ControlsFormat};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::Policy;
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Runs `gate controls`.
pub fn run(args: ControlsArgs, out: &Output, io: &mut Io) -> Exit {
    let mut policies = Vec::new();
    for path in &args.policies {
        match crate::cmd::bundle::compile(path, Policy::builder(), &args.require, io) {
            Ok(p) => {
                if !p.warnings().is_empty() {
                    io.err(&gate_lang::error::render(
                        p.warnings(),
                        p.sources(),
                        out.color_err,
                        out.width,
                    ));
                }
                policies.push((path.display().to_string(), p));
            }
            Err(e) => {
                crate::cmd::input::report(out, io, &e);
                return Exit::Error;
            }
        }
    }
    let record = match &args.record {
        Some(path) => {
            let bytes = match input::read_file(path) {
                Ok(b) => b,
                Err(e) => {
                    input::report(out, io, &e);
                    return Exit::Error;
                }
            };
            match read_record(&path.display().to_string(), &bytes) {
                Ok(r) => Some(r),
                Err(message) => {
                    render::tool_error(out, io, "E0950", &message);
                    return Exit::Error;
                }
            }
        }
        None => None,
    };
    let matrix = build(&policies, record.as_ref());
    for w in &matrix.warnings {
        let head = if out.color_err {
            use owo_colors::OwoColorize;
            "warning:".yellow().bold().to_string()
        } else {
            "warning:".to_string()
        };
        io.err(&format!("{head} {w}\n"));
    }
    match args.format {
        ControlsFormat::Markdown => io.out(&markdown(&matrix)),
        ControlsFormat::Json => match serde_json::to_string_pretty(&matrix) {
            Ok(s) => io.out(&format!("{s}\n")),
            Err(e) => {
                render::tool_error(out, io, "E0901", &format!("cannot write JSON: {e}"));
                return Exit::Error;
            }
        },
    }
    Exit::Pass
}

/// The coverage matrix (the JSON output).
#[derive(Debug, Serialize)]
struct Matrix {
    policies: Vec<PolicyRef>,
    record: Option<RecordRef>,
    frameworks: Vec<Framework>,
    unmapped_rules: Vec<RuleRef>,
    warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PolicyRef {
    name: String,
    file: String,
    digest: String,
    rules: usize,
}

#[derive(Debug, Serialize)]
struct RecordRef {
    file: String,
    gate: String,
    policy_digest: String,
    outcome: String,
    evaluated_at: String,
    /// The policy the record is of, if it is one of those given.
    policy: Option<String>,
}

#[derive(Debug, Serialize)]
struct Framework {
    name: String,
    controls: Vec<Control>,
}

#[derive(Debug, Serialize)]
struct Control {
    id: String,
    reference: String,
    rules: Vec<RuleRef>,
}

#[derive(Clone, Debug, Serialize)]
struct RuleRef {
    policy: String,
    rule: String,
    title: Option<String>,
    severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
}

/// What is read from a decision record.
struct Record {
    file: String,
    gate: String,
    digest: String,
    outcome: String,
    evaluated_at: String,
    outcomes: BTreeMap<String, String>,
}

fn read_record(name: &str, bytes: &[u8]) -> Result<Record, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("`{name}` is not JSON: {e}"))?;
    if gate_eval::sign::is_envelope(&value) {
        return Err(format!(
            "`{name}` is a signed envelope: check it with `gate verify-record` and give the record it holds"
        ));
    }
    let text = |v: Option<&Value>, what: &str| -> Result<String, String> {
        v.and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                "`{name}` is not a decision record (`gate check --format json`): it has no {what}"
            )
            })
    };
    if value.get("record_version").and_then(Value::as_str)
        != Some(gate_eval::decision::RECORD_VERSION)
    {
        return Err(format!(
            "`{name}` is not a `{}` decision record (`gate check --format json`)",
            gate_eval::decision::RECORD_VERSION
        ));
    }
    let gate = text(value.pointer("/gate/name"), "`gate.name`")?;
    let digest = text(value.pointer("/policy/digest"), "`policy.digest`")?;
    let outcome = text(value.get("outcome"), "`outcome`")?;
    let evaluated_at = text(value.get("evaluated_at"), "`evaluated_at`")?;
    let mut outcomes = BTreeMap::new();
    let rules = value
        .get("rules")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("`{name}` is not a decision record: it has no `rules`"))?;
    for r in rules {
        outcomes.insert(
            text(r.get("id"), "rule `id`")?,
            text(r.get("outcome"), "rule `outcome`")?,
        );
    }
    Ok(Record {
        file: name.to_string(),
        gate,
        digest,
        outcome,
        evaluated_at,
        outcomes,
    })
}

fn build(policies: &[(String, Policy)], record: Option<&Record>) -> Matrix {
    let mut warnings = Vec::new();
    let digests: Vec<String> = policies.iter().map(|(_, p)| p.digest().digest).collect();
    // The policy the record is of: by digest, else by name (with a warning).
    let matched: Option<usize> = record.and_then(|rec| {
        if let Some(i) = digests.iter().position(|d| *d == rec.digest) {
            return Some(i);
        }
        match policies.iter().position(|(_, p)| p.name() == rec.gate) {
            Some(i) => {
                warnings.push(format!(
                    "the record `{}` was made with another version of gate `{}` (policy digest {}, this one is {}): outcomes are matched by rule id",
                    rec.file,
                    rec.gate,
                    rec.digest,
                    digests.get(i).map(String::as_str).unwrap_or("")
                ));
                Some(i)
            }
            None => {
                warnings.push(format!(
                    "the record `{}` is of gate `{}`, which is none of the given policies: its outcomes are not shown",
                    rec.file, rec.gate
                ));
                None
            }
        }
    });
    let mut by_framework: BTreeMap<String, BTreeMap<String, Vec<RuleRef>>> = BTreeMap::new();
    let mut unmapped = Vec::new();
    for (i, (_, policy)) in policies.iter().enumerate() {
        for rule in policy.rules() {
            let outcome = record.map(|rec| {
                if matched == Some(i) {
                    rec.outcomes
                        .get(&rule.id)
                        .cloned()
                        .unwrap_or_else(|| "not_in_record".to_string())
                } else {
                    "not_in_record".to_string()
                }
            });
            let r = RuleRef {
                policy: policy.name().to_string(),
                rule: rule.id.clone(),
                title: rule.title.clone(),
                severity: rule.severity.as_str().to_string(),
                outcome,
            };
            if rule.controls.is_empty() {
                unmapped.push(r);
                continue;
            }
            for c in &rule.controls {
                let (framework, id) = split_control(c);
                let rules = by_framework
                    .entry(framework.to_string())
                    .or_default()
                    .entry(id.to_string())
                    .or_default();
                if !rules
                    .iter()
                    .any(|x| x.policy == r.policy && x.rule == r.rule)
                {
                    rules.push(r.clone());
                }
            }
        }
    }
    let frameworks = by_framework
        .into_iter()
        .map(|(name, controls)| {
            let mut controls: Vec<Control> = controls
                .into_iter()
                .map(|(id, rules)| Control {
                    reference: if name.is_empty() {
                        id.clone()
                    } else {
                        format!("{name}:{id}")
                    },
                    id,
                    rules,
                })
                .collect();
            controls.sort_by(|a, b| natural(&a.id, &b.id));
            Framework { name, controls }
        })
        .collect();
    Matrix {
        policies: policies
            .iter()
            .zip(&digests)
            .map(|((file, p), digest)| PolicyRef {
                name: p.name().to_string(),
                file: file.clone(),
                digest: digest.clone(),
                rules: p.rules().len(),
            })
            .collect(),
        record: record.map(|rec| RecordRef {
            file: rec.file.clone(),
            gate: rec.gate.clone(),
            policy_digest: rec.digest.clone(),
            outcome: rec.outcome.clone(),
            evaluated_at: rec.evaluated_at.clone(),
            policy: matched
                .and_then(|i| policies.get(i))
                .map(|(_, p)| p.name().to_string()),
        }),
        frameworks,
        unmapped_rules: unmapped,
        warnings,
    }
}

/// `FRAMEWORK:ID` split at the first `:`; a reference without one has no
/// framework.
fn split_control(c: &str) -> (&str, &str) {
    match c.split_once(':') {
        Some((f, id)) => (f.trim(), id.trim()),
        None => ("", c.trim()),
    }
}

/// Natural order: runs of digits compare as numbers, so `NHI2` comes before
/// `NHI10` and `GOVERN 1.4` before `GOVERN 1.10`; ties fall back to plain
/// string order, so the order is total.
fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.chars().next(), y.chars().next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.find(|c: char| !c.is_ascii_digit()).unwrap_or(x.len());
                let m = y.find(|c: char| !c.is_ascii_digit()).unwrap_or(y.len());
                let (dx, rx) = x.split_at(n);
                let (dy, ry) = y.split_at(m);
                let tx = dx.trim_start_matches('0');
                let ty = dy.trim_start_matches('0');
                let ord = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = rx;
                y = ry;
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x = x.get(c.len_utf8()..).unwrap_or("");
                y = y.get(d.len_utf8()..).unwrap_or("");
            }
        }
    }
}

fn markdown(m: &Matrix) -> String {
    use crate::render::markdown::text;
    let mut s = String::from("# Control coverage\n\n");
    for p in &m.policies {
        let _ = writeln!(
            s,
            "- gate **{}** ({}): {}, policy {}",
            text(&p.name),
            text(&p.file),
            crate::render::count(p.rules, "rule"),
            crate::render::markdown::code(&p.digest, false)
        );
    }
    let with_outcome = m.record.is_some();
    if let Some(r) = &m.record {
        let of = match &r.policy {
            Some(p) => format!("gate **{}**", text(p)),
            None => format!("gate **{}**, none of these policies", text(&r.gate)),
        };
        let _ = writeln!(
            s,
            "- record {} ({of}): decision **{}**, evaluated {}",
            text(&r.file),
            text(&r.outcome),
            text(&r.evaluated_at)
        );
    }
    for w in &m.warnings {
        let _ = writeln!(s, "\n> **Warning:** {}", text(w));
    }
    s.push('\n');
    let head = if with_outcome {
        "| Control | Policy | Rule | Title | Severity | Outcome |\n|---|---|---|---|---|---|"
    } else {
        "| Control | Policy | Rule | Title | Severity |\n|---|---|---|---|---|"
    };
    for f in &m.frameworks {
        let rules: usize = f.controls.iter().map(|c| c.rules.len()).sum();
        let name = if f.name.is_empty() {
            "Without a framework".to_string()
        } else {
            text(&f.name)
        };
        let _ = writeln!(
            s,
            "## {name}\n\n{}, {}\n\n{head}",
            crate::render::count(f.controls.len(), "control"),
            crate::render::count(rules, "rule reference")
        );
        for c in &f.controls {
            for r in &c.rules {
                let _ = writeln!(s, "| {} | {}", text(&c.id), row(r, with_outcome));
            }
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Rules without controls\n");
    if m.unmapped_rules.is_empty() {
        let _ = writeln!(s, "None: every rule references a control.");
    } else {
        let head = if with_outcome {
            "| Policy | Rule | Title | Severity | Outcome |\n|---|---|---|---|---|"
        } else {
            "| Policy | Rule | Title | Severity |\n|---|---|---|---|"
        };
        let _ = writeln!(s, "{head}");
        for r in &m.unmapped_rules {
            let _ = writeln!(s, "| {}", row(r, with_outcome));
        }
    }
    s
}

/// The cells after the control: policy, rule, title, severity, outcome.
fn row(r: &RuleRef, with_outcome: bool) -> String {
    use crate::render::markdown::text;
    let mut s = format!(
        "{} | {} | {} | {} |",
        text(&r.policy),
        text(&r.rule),
        text(r.title.as_deref().unwrap_or("")),
        text(&r.severity)
    );
    if with_outcome {
        let outcome = r.outcome.as_deref().unwrap_or("").replace('_', " ");
        let _ = write!(s, " {} |", text(&outcome));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec![
            "NHI10",
            "NHI2",
            "NHI1",
            "GV.PO-02",
            "GV.PO-01",
            "GOVERN 1.10",
            "GOVERN 1.4",
            "ASI01",
            "NHI02",
        ];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(
            v,
            [
                "ASI01",
                "GOVERN 1.4",
                "GOVERN 1.10",
                "GV.PO-01",
                "GV.PO-02",
                "NHI1",
                "NHI02",
                "NHI2",
                "NHI10"
            ]
        );
    }

    #[test]
    fn control_framework() {
        assert_eq!(split_control("OWASP-NHI:NHI2"), ("OWASP-NHI", "NHI2"));
        assert_eq!(split_control("A:B:C"), ("A", "B:C"));
        assert_eq!(split_control("SOC2"), ("", "SOC2"));
    }
}
