//! GitLab Code Quality reports (the `codeclimate.json` a job uploads as
//! `artifacts:reports:codequality`): one issue per failure and per error,
//! shown in the merge request's diff and widget.
//!
//! An issue is at the value that failed in the evidence file when the file
//! is in this folder (see [`super::evidence`]), else at the predicate in the
//! policy. Severities: errors are `blocker`, failures of `block` rules
//! `critical`, of `warn` rules `minor`, of `info` rules and waived ones
//! `info`. Fingerprints are those of the SARIF report (rule, requirement,
//! evidence path and element), so an issue keeps its identity from one
//! pipeline to the next and GitLab can tell new issues from fixed ones.

use super::evidence::Locator;
use super::{element_text, failure_location, source_path, waiver_text};
use gate_eval::{Decision, Location, RuleSeverity};
use serde_json::{json, Value};

/// Renders a decision as a Code Quality report (a JSON array, pretty, with
/// a final newline).
pub fn decision(d: &Decision, locator: &Locator) -> Result<String, String> {
    let d = &super::displayable(d);
    let mut issues = Vec::new();
    for r in &d.rules {
        for f in &r.failures {
            let waiver = f.waived_by.and_then(|id| waiver_text(d, id));
            let severity = match (&waiver, r.severity) {
                (Some(_), _) | (None, RuleSeverity::Info) => "info",
                (None, RuleSeverity::Block) => "critical",
                (None, RuleSeverity::Warn) => "minor",
            };
            let mut description = format!("{}: {}", r.id, super::failure_text(f));
            if let Some(e) = &f.element {
                description.push_str(&format!("; element {}", element_text(e)));
            }
            if let Some(w) = &waiver {
                description.push_str(&format!("; waived: {w}"));
            }
            let evidence = f
                .path
                .as_deref()
                .and_then(|p| locator.at(d, p, f.element.as_ref()));
            issues.push(issue(
                &description,
                &r.id,
                &super::fingerprint(r, f),
                severity,
                location(failure_location(f), evidence.as_ref()),
            ));
        }
        for e in &r.errors {
            let evidence = e.path.as_deref().and_then(|p| locator.at(d, p, None));
            let description = format!(
                "{}: could not be evaluated: {}: {}",
                r.id, e.code, e.message
            );
            let print = gate_eval::sha256_hex(
                format!(
                    "{}|error|{}|{}",
                    r.id,
                    e.code,
                    e.path.as_deref().unwrap_or("")
                )
                .as_bytes(),
            );
            issues.push(issue(
                &description,
                &r.id,
                &print,
                "blocker",
                location(&e.span, evidence.as_ref()),
            ));
        }
    }
    for e in &d.errors {
        let print =
            gate_eval::sha256_hex(format!("{}|{}|{}", d.gate.name, e.code, e.message).as_bytes());
        let path = d
            .policy
            .sources
            .first()
            .and_then(|s| source_path(&s.name))
            .unwrap_or_else(|| d.gate.name.clone());
        issues.push(issue(
            &format!(
                "gate {} could not decide: {}: {}",
                d.gate.name, e.code, e.message
            ),
            &e.code,
            &print,
            "blocker",
            json!({"path": path, "lines": {"begin": 1}}),
        ));
    }
    let mut text =
        serde_json::to_string_pretty(&Value::Array(issues)).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

fn issue(
    description: &str,
    check: &str,
    fingerprint: &str,
    severity: &str,
    location: Value,
) -> Value {
    json!({
        "type": "issue",
        "description": description,
        "check_name": check,
        "categories": ["Security"],
        "fingerprint": fingerprint,
        "severity": severity,
        "location": location,
    })
}

/// `location`: the evidence file and line, else the policy's, else the
/// gate (a standard module has no file).
fn location(policy: &Location, evidence: Option<&super::evidence::EvidenceAt>) -> Value {
    if let Some(ev) = evidence {
        let line = ev.line.map_or(1, |l| l.0);
        return json!({"path": ev.file, "lines": {"begin": line}});
    }
    match source_path(&policy.file) {
        Some(path) => json!({
            "path": path,
            "lines": {"begin": policy.line, "end": policy.end_line},
        }),
        None => json!({"path": policy.file, "lines": {"begin": 1}}),
    }
}
