//! GitHub Actions workflow commands: one annotation per failure and per
//! evaluation error, then a summary line. Failures of `block` rules and
//! errors are `::error`, of `warn` rules `::warning`, of `info` rules and
//! waived failures `::notice`.
//!
//! An annotation is at the value that failed in the evidence file when the
//! file is in this folder (see [`super::evidence`]), naming the rule's place
//! in the policy in its message; otherwise at the predicate in the policy.
//!
//! GitHub shows at most [`PER_KIND`] annotations of each kind per step: the
//! most important come first (errors and failures of `block` rules, then
//! `warn`, then the rest; within a kind the first of each rule, in rule
//! order, then the second of each, and so on), at most
//! that many of each kind are written, and one notice says how many were
//! left out, the job summary and the SARIF report having them all.
//!
//! Values are escaped as the runner expects: in the message `%`, `\r` and
//! `\n` become `%25`, `%0D` and `%0A`; in properties `:` and `,` also become
//! `%3A` and `%2C`.

use super::evidence::{EvidenceAt, Locator};
use super::{element_text, failure_location, source_path, waiver_text};
use gate_eval::decision::RuleResult;
use gate_eval::{Decision, Location, RuleSeverity};
use std::fmt::Write;

/// The most annotations of one kind (error, warning, notice) GitHub shows
/// for a step.
pub const PER_KIND: usize = 10;

/// One annotation to write.
struct Annotation {
    kind: Kind,
    /// Its place among its rule's annotations: the first of every rule
    /// comes before the second of any, so one rule with many failures does
    /// not hide the others.
    rank: usize,
    /// Where: a file, line and column, and the end of the span if known.
    at: Option<Place>,
    title: String,
    message: String,
}

/// The annotation kinds, most important first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Error,
    Warning,
    Notice,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Warning => "warning",
            Kind::Notice => "notice",
        }
    }
}

struct Place {
    file: String,
    line: usize,
    column: Option<usize>,
    end: Option<(u32, u32)>,
}

/// Renders a decision as workflow commands.
pub fn decision(d: &Decision, locator: &Locator) -> String {
    let d = &super::displayable_keeping_lines(d);
    let mut all = Vec::new();
    // The decision's own errors first; then each rule's errors and
    // failures, in rule order (the sort below puts kinds and ranks first).
    for e in &d.errors {
        all.push(Annotation {
            kind: Kind::Error,
            rank: 0,
            at: None,
            title: format!("gate {}", e.code),
            message: e.message.clone(),
        });
    }
    for r in &d.rules {
        let title = rule_title(r);
        for (rank, e) in r.errors.iter().enumerate() {
            let mut message = format!("could not be evaluated: {}: {}", e.code, e.message);
            if let Some(p) = &e.path {
                let _ = write!(message, "\nevidence: {p}");
            }
            let evidence = e.path.as_deref().and_then(|p| locator.at(d, p, None));
            let at = place(&e.span, evidence.as_ref(), &mut message);
            all.push(Annotation {
                kind: Kind::Error,
                rank,
                at,
                title: title.clone(),
                message,
            });
        }
        for (rank, f) in r.failures.iter().enumerate() {
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
                    Kind::Notice
                }
                (None, RuleSeverity::Block) => Kind::Error,
                (None, RuleSeverity::Warn) => Kind::Warning,
                (None, RuleSeverity::Info) => Kind::Notice,
            };
            let evidence = f
                .path
                .as_deref()
                .and_then(|p| locator.at(d, p, f.element.as_ref()));
            let at = place(failure_location(f), evidence.as_ref(), &mut message);
            all.push(Annotation {
                kind,
                rank: rank + r.errors.len(),
                at,
                title: title.clone(),
                message,
            });
        }
    }
    for w in &d.warnings {
        all.push(Annotation {
            kind: Kind::Warning,
            rank: 0,
            at: None,
            title: "gate".into(),
            message: w.clone(),
        });
    }
    for issue in &d.evidence_issues {
        let title = match issue.kind {
            gate_eval::IssueKind::Unverified { .. } => "attestation failed verification",
            _ => "evidence does not match the gate's schema",
        };
        all.push(Annotation {
            kind: Kind::Warning,
            rank: 0,
            at: None,
            title: title.into(),
            message: issue.message(),
        });
    }
    // A stable sort keeps rule order within a kind and rank.
    all.sort_by_key(|a| (a.kind, a.rank));
    let count = |k: Kind| all.iter().filter(|a| a.kind == k).count();
    let over = [Kind::Error, Kind::Warning, Kind::Notice]
        .iter()
        .any(|k| count(*k) > PER_KIND);
    let mut s = String::new();
    let mut shown = [0usize; 3];
    let mut left_out = 0usize;
    for a in &all {
        let limit = if over && a.kind == Kind::Notice {
            // One notice is kept for the line that says what was left out.
            PER_KIND - 1
        } else {
            PER_KIND
        };
        let Some(n) = shown.get_mut(a.kind as usize) else {
            continue;
        };
        if *n >= limit {
            left_out += 1;
            continue;
        }
        *n += 1;
        command(&mut s, a);
    }
    if left_out > 0 {
        let more = super::count(left_out, "more annotation");
        command(
            &mut s,
            &Annotation {
                kind: Kind::Notice,
                rank: 0,
                at: None,
                title: "gate".into(),
                message: format!(
                    "{more} not shown: GitHub shows {PER_KIND} of each kind per step. The job summary and the SARIF report list every failure."
                ),
            },
        );
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

/// Where an annotation goes: the evidence when it is in this folder (the
/// message then names the place in the policy), else the policy.
fn place(policy: &Location, evidence: Option<&EvidenceAt>, message: &mut String) -> Option<Place> {
    let in_policy = source_path(&policy.file).map(|file| Place {
        file,
        line: policy.line as usize,
        column: Some(policy.column as usize),
        end: Some((policy.end_line, policy.end_column)),
    });
    match evidence {
        Some(ev) => {
            if let Some(p) = &in_policy {
                let _ = write!(
                    message,
                    "\nrule: {}:{}:{}",
                    p.file,
                    p.line,
                    p.column.unwrap_or(1)
                );
            }
            Some(Place {
                file: ev.file.clone(),
                line: ev.line.map_or(1, |l| l.0),
                column: ev.line.map(|l| l.1),
                end: None,
            })
        }
        None => in_policy,
    }
}

fn rule_title(r: &RuleResult) -> String {
    match &r.title {
        Some(t) => format!("{} {t}", r.id),
        None => r.id.clone(),
    }
}

fn command(s: &mut String, a: &Annotation) {
    let mut props = Vec::new();
    if let Some(at) = &a.at {
        props.push(format!("file={}", property(&at.file)));
        props.push(format!("line={}", at.line));
        if let Some(c) = at.column {
            props.push(format!("col={c}"));
        }
        if let Some((line, column)) = at.end {
            props.push(format!("endLine={line}"));
            props.push(format!("endColumn={column}"));
        }
    }
    props.push(format!("title={}", property(&a.title)));
    let _ = writeln!(
        s,
        "::{} {}::{}",
        a.kind.as_str(),
        props.join(","),
        data(&a.message)
    );
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
