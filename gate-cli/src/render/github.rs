//! GitHub Actions workflow commands: one annotation per failure and per
//! evaluation error, at the predicate in the `.gate` source, then a summary
//! line. Failures of `block` rules and errors are `::error`, of `warn` rules
//! `::warning`, of `info` rules and waived failures `::notice`.
//!
//! Values are escaped as the runner expects: in the message `%`, `\r` and
//! `\n` become `%25`, `%0D` and `%0A`; in properties `:` and `,` also become
//! `%3A` and `%2C`.

use super::{element_text, failure_location, source_path, waiver_text};
use gate_eval::decision::RuleResult;
use gate_eval::{Decision, Location, RuleSeverity};
use std::fmt::Write;

/// Renders a decision as workflow commands.
pub fn decision(d: &Decision) -> String {
    let d = &super::displayable_keeping_lines(d);
    let mut s = String::new();
    for r in &d.rules {
        let title = rule_title(r);
        for e in &r.errors {
            let mut message = format!("could not be evaluated: {}: {}", e.code, e.message);
            if let Some(p) = &e.path {
                let _ = write!(message, "\nevidence: {p}");
            }
            command(&mut s, "error", Some(&e.span), &title, &message);
        }
        for f in &r.failures {
            let mut message = f.message.clone();
            let _ = write!(message, "\nfound: {}\nrequired: {}", f.actual, f.expected);
            if let Some(e) = &f.element {
                let _ = write!(message, "\nelement: {}", element_text(e));
            }
            if let Some(p) = &f.path {
                let _ = write!(message, "\nevidence: {p}");
            }
            let waiver = f.waived_by.and_then(|id| waiver_text(d, id));
            let kind = match (&waiver, r.severity) {
                (Some(w), _) => {
                    let _ = write!(message, "\nwaived: {w}");
                    "notice"
                }
                (None, RuleSeverity::Block) => "error",
                (None, RuleSeverity::Warn) => "warning",
                (None, RuleSeverity::Info) => "notice",
            };
            command(&mut s, kind, Some(failure_location(f)), &title, &message);
        }
    }
    for e in &d.errors {
        command(
            &mut s,
            "error",
            None,
            &format!("gate {}", e.code),
            &e.message,
        );
    }
    for w in &d.warnings {
        command(&mut s, "warning", None, "gate", w);
    }
    for issue in &d.evidence_issues {
        let title = match issue.kind {
            gate_eval::IssueKind::Unverified { .. } => "attestation failed verification",
            _ => "evidence does not match the gate's schema",
        };
        command(&mut s, "warning", None, title, &issue.message());
    }
    let _ = writeln!(
        s,
        "gate {}: {} — {}",
        d.gate.name,
        d.outcome.as_str().to_uppercase(),
        super::counts_text(d)
    );
    s
}

fn rule_title(r: &RuleResult) -> String {
    match &r.title {
        Some(t) => format!("{} {t}", r.id),
        None => r.id.clone(),
    }
}

fn command(s: &mut String, kind: &str, at: Option<&Location>, title: &str, message: &str) {
    let mut props = Vec::new();
    if let Some(at) = at {
        if let Some(file) = source_path(&at.file) {
            props.push(format!("file={}", property(&file)));
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.column));
            props.push(format!("endLine={}", at.end_line));
            props.push(format!("endColumn={}", at.end_column));
        }
    }
    props.push(format!("title={}", property(title)));
    let _ = writeln!(s, "::{kind} {}::{}", props.join(","), data(message));
}

/// Escapes a command's message.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("100%\r\nx"), "100%25%0D%0Ax");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
