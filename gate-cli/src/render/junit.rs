//! JUnit XML, for CI test reports: one test suite for the gate, one test
//! case per rule (with the `file` attribute GitLab links to). A failing rule is a `<failure>`, a rule that could not be
//! evaluated an `<error>`, a rule that did not apply or whose failures are
//! all waived is `<skipped>`.

use super::{failure_details, waiver_text};
use gate_eval::decision::RuleResult;
use gate_eval::{Decision, RuleOutcome};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

/// Renders a decision as a JUnit XML report.
pub fn decision(d: &Decision) -> Result<String, String> {
    let d = &super::displayable_keeping_lines(d);
    let mut suite = TestSuite::new(d.gate.name.as_str());
    suite.add_properties([
        Property::new("gate.outcome", d.outcome.as_str()),
        Property::new("gate.evaluated_at", d.evaluated_at.as_str()),
        Property::new("gate.policy_digest", d.policy.digest.as_str()),
    ]);
    if let Some(v) = &d.gate.version {
        suite.add_property(Property::new("gate.version", v.as_str()));
    }
    for e in &d.evidence {
        let name = match &e.mount {
            Some(m) => format!("{m}={}", e.source),
            None => e.source.clone(),
        };
        suite.add_property(Property::new(
            "gate.evidence",
            format!("{name} {}", e.digest),
        ));
    }
    for r in &d.rules {
        suite.add_test_case(case(d, r));
    }
    for e in &d.errors {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_message(one_line(&format!("{}: {}", e.code, e.message)))
            .set_type(e.code.as_str());
        let mut case = TestCase::new(format!("decision {}", e.code), status);
        case.set_classname(d.gate.name.as_str());
        suite.add_test_case(case);
    }
    let mut notes = String::new();
    for w in &d.warnings {
        let _ = writeln!(notes, "warning: {w}");
    }
    for issue in &d.evidence_issues {
        let _ = writeln!(notes, "evidence issue: {}", issue.message());
    }
    let _ = writeln!(
        notes,
        "decision: {} — {}",
        d.outcome.as_str().to_uppercase(),
        super::counts_text(d)
    );
    suite.set_system_out(notes);
    let mut report = Report::new("gate");
    report.add_test_suite(suite);
    report.to_string().map_err(|e| e.to_string())
}

fn case(d: &Decision, r: &RuleResult) -> TestCase {
    let name = match &r.title {
        Some(t) => format!("{} {t}", r.id),
        None => r.id.clone(),
    };
    let status = match r.outcome {
        RuleOutcome::Pass => TestCaseStatus::success(),
        RuleOutcome::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let first = r
                .failures
                .iter()
                .find(|f| f.waived_by.is_none())
                .or(r.failures.first());
            let message = match first {
                Some(f) if r.failures_total > 1 => {
                    format!("{} (and {} more)", f.message, r.failures_total - 1)
                }
                Some(f) => f.message.clone(),
                None => super::count(r.failures_total, "failure"),
            };
            s.set_message(one_line(&message))
                .set_type(r.severity.as_str())
                .set_description(failures_text(d, r));
            s
        }
        RuleOutcome::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            let message = r
                .errors
                .first()
                .map(|e| format!("{}: {}", e.code, e.message))
                .unwrap_or_else(|| "could not be evaluated".to_string());
            let mut text = String::new();
            for e in &r.errors {
                let _ = writeln!(text, "{}: {}", e.code, e.message);
                if let Some(p) = &e.path {
                    let _ = writeln!(text, "  evidence: {p}");
                }
                let _ = writeln!(
                    text,
                    "  at: {}:{}:{}",
                    e.span.file, e.span.line, e.span.column
                );
            }
            text.push_str(&failures_text(d, r));
            let ty = r.errors.first().map(|e| e.code.as_str()).unwrap_or("error");
            s.set_message(one_line(&message))
                .set_type(ty)
                .set_description(text);
            s
        }
        RuleOutcome::NotApplicable => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("not applicable: a `when` guard was false")
                .set_type("not_applicable");
            s
        }
        RuleOutcome::Waived => {
            let mut s = TestCaseStatus::skipped();
            let mut waivers: Vec<String> = Vec::new();
            for f in &r.failures {
                if let Some(text) = f.waived_by.and_then(|id| waiver_text(d, id)) {
                    if !waivers.contains(&text) {
                        waivers.push(text);
                    }
                }
            }
            s.set_message(one_line(&format!("waived: {}", waivers.join("; "))))
                .set_type("waived")
                .set_description(failures_text(d, r));
            s
        }
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(d.gate.name.as_str());
    // GitLab's test report links a case to its `file`.
    if let Some(file) = super::source_path(&r.span.file) {
        case.extra.insert("file".into(), file.into());
    }
    case.add_property(Property::new("severity", r.severity.as_str()));
    for c in &r.controls {
        case.add_property(Property::new("control", c.as_str()));
    }
    case.add_property(Property::new(
        "source",
        format!("{}:{}", r.span.file, r.span.line),
    ));
    case
}

fn failures_text(d: &Decision, r: &RuleResult) -> String {
    let mut s = String::new();
    for f in &r.failures {
        s.push_str(&failure_details(d, f));
    }
    let dropped = r.failures_total.saturating_sub(r.failures.len());
    if dropped > 0 {
        let _ = writeln!(
            s,
            "… and {} not kept",
            super::count(dropped, "more failure")
        );
    }
    s
}

/// A message attribute on one line: XML readers fold line breaks in
/// attributes, so they become spaces here (the element's text keeps them).
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
