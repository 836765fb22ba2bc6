//! The report of a test run: human and JSON (shape: `docs/testing.md`).

use super::run::{CaseResult, CaseStatus, Mismatch, SuiteResult};
use super::suite::{FileError, SuiteError};
use crate::render::Output;
use gate_eval::{Coverage, Decision, PointCoverage, PointKind, RuleCoverage};
use owo_colors::OwoColorize;
use serde_json::{json, Value};
use std::path::PathBuf;

/// The version of the JSON report format.
pub const REPORT_VERSION: &str = "gate-test/v1";

/// Most explanations shown per rule in the human report.
const SHOWN: usize = 5;

/// One test file's outcome.
#[derive(Debug)]
pub enum FileReport {
    /// It ran.
    Ran(SuiteResult),
    /// It has errors and did not run.
    Errors {
        /// The test file.
        file: PathBuf,
        /// Its errors.
        errors: Vec<SuiteError>,
    },
}

/// Coverage of one policy, over every test file that tests it.
#[derive(Debug)]
pub struct PolicyCoverage {
    /// The policy.
    pub policy: PathBuf,
    /// How many cases ran against it.
    pub tests: usize,
    /// What they exercised.
    pub coverage: Coverage,
}

/// Totals of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that could not run.
    pub errors: usize,
    /// Test files with errors (not run).
    pub files_with_errors: usize,
}

/// Adds up the results.
pub fn totals(reports: &[FileReport]) -> Totals {
    let mut t = Totals::default();
    for r in reports {
        match r {
            FileReport::Ran(s) => {
                let (p, f, e) = s.counts();
                t.passed += p;
                t.failed += f;
                t.errors += e;
            }
            FileReport::Errors { .. } => t.files_with_errors += 1,
        }
    }
    t
}

/// Joins the coverage of test files that test the same policy.
pub fn coverage_by_policy(reports: &[FileReport]) -> Vec<PolicyCoverage> {
    let mut out: Vec<PolicyCoverage> = Vec::new();
    for r in reports {
        let FileReport::Ran(s) = r else { continue };
        let Some(cov) = &s.coverage else { continue };
        let key = std::fs::canonicalize(&s.policy).unwrap_or_else(|_| s.policy.clone());
        let existing = out
            .iter_mut()
            .find(|p| std::fs::canonicalize(&p.policy).unwrap_or_else(|_| p.policy.clone()) == key);
        if let Some(p) = existing {
            if p.coverage.merge(cov) {
                p.tests += s.cases.len();
                continue;
            }
        }
        out.push(PolicyCoverage {
            policy: s.policy.clone(),
            tests: s.cases.len(),
            coverage: cov.clone(),
        });
    }
    out
}

/// Test-file errors as printed on standard error.
pub fn errors_text(reports: &[FileReport], out: &Output) -> String {
    let mut s = String::new();
    for r in reports {
        let FileReport::Errors { errors, .. } = r else {
            continue;
        };
        for e in errors {
            match e {
                SuiteError::File(f) => s.push_str(&tool_line(f, out)),
                SuiteError::Policy { file, error } => {
                    s.push_str(&format!(
                        "{} the policy of {} does not compile:\n",
                        paint(out.color_err, "error:", Paint::Red),
                        file.display()
                    ));
                    s.push_str(&error.render(out.color_err, out.width));
                }
            }
        }
    }
    s
}

fn tool_line(f: &FileError, out: &Output) -> String {
    let head = paint(out.color_err, &format!("error[{}]:", f.code), Paint::Red);
    format!("{head} {}\n", f.describe())
}

#[derive(Clone, Copy)]
enum Paint {
    Green,
    Red,
    Yellow,
    Bold,
    Dim,
}

fn paint(color: bool, text: &str, p: Paint) -> String {
    if !color {
        return text.to_string();
    }
    match p {
        Paint::Green => text.green().to_string(),
        Paint::Red => text.red().bold().to_string(),
        Paint::Yellow => text.yellow().to_string(),
        Paint::Bold => text.bold().to_string(),
        Paint::Dim => text.dimmed().to_string(),
    }
}

/// The human report.
pub fn human(reports: &[FileReport], coverage: &[PolicyCoverage], out: &Output) -> String {
    let c = out.color;
    let mut s = String::new();
    for r in reports {
        match r {
            FileReport::Errors { file, errors } => {
                s.push_str(&format!(
                    "{}: {} ({} error{}, see above)\n\n",
                    paint(c, &file.display().to_string(), Paint::Bold),
                    paint(c, "not run", Paint::Red),
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                ));
            }
            FileReport::Ran(suite) => {
                s.push_str(&format!(
                    "{} (policy {})\n",
                    paint(c, &suite.file.display().to_string(), Paint::Bold),
                    suite.policy.display()
                ));
                for case in &suite.cases {
                    human_case(&mut s, case, c);
                }
                s.push('\n');
            }
        }
    }
    let t = totals(reports);
    let mut line = format!("{} passed, {} failed", t.passed, t.failed);
    if t.errors > 0 {
        line.push_str(&format!(", {} could not run", t.errors));
    }
    if t.files_with_errors > 0 {
        line.push_str(&format!(
            ", {} test file{} with errors",
            t.files_with_errors,
            if t.files_with_errors == 1 { "" } else { "s" }
        ));
    }
    let ok = t.failed == 0 && t.errors == 0 && t.files_with_errors == 0;
    s.push_str(&paint(c, &line, if ok { Paint::Green } else { Paint::Red }));
    s.push('\n');
    for p in coverage {
        s.push('\n');
        human_coverage(&mut s, p, c);
    }
    s
}

fn human_case(s: &mut String, case: &CaseResult, c: bool) {
    match case.status {
        CaseStatus::Passed => {
            s.push_str(&format!(
                "  {}      {}\n",
                paint(c, "ok", Paint::Green),
                case.name
            ));
        }
        CaseStatus::Error => {
            s.push_str(&format!(
                "  {}   {}\n",
                paint(c, "ERROR", Paint::Red),
                case.name
            ));
            if let Some((code, message)) = &case.error {
                s.push_str(&format!("          error[{code}]: {message}\n"));
            }
        }
        CaseStatus::Failed => {
            s.push_str(&format!(
                "  {}  {}\n",
                paint(c, "FAILED", Paint::Red),
                case.name
            ));
            for m in &case.mismatches {
                s.push_str(&format!("          {}\n", mismatch_text(m)));
            }
            if let Some(d) = &case.decision {
                explanations(s, case, d, c);
            }
        }
    }
}

/// One difference between what a case expects and what happened, in a line.
pub fn mismatch_text(m: &Mismatch) -> String {
    match m {
        Mismatch::Decision { expected, actual } => format!(
            "decision: expected {}, got {}",
            expected.as_str(),
            actual.as_str()
        ),
        Mismatch::Rule {
            rule,
            expected,
            actual,
        } => format!("rule {rule}: expected {expected}, got {actual}"),
        Mismatch::Message { rule, missing } => {
            format!("rule {rule}: no failure or error mentions {missing:?}")
        }
    }
}

/// The actual failures and errors of the rules a failed case is about (of
/// every rule that did not pass, when only the decision differs).
fn explanations(s: &mut String, case: &CaseResult, d: &Decision, c: bool) {
    let mut ids: Vec<&str> = case.mismatches.iter().filter_map(Mismatch::rule).collect();
    ids.dedup();
    if ids.is_empty() {
        let others: Vec<String> = d
            .rules
            .iter()
            .filter(|r| {
                !matches!(
                    r.outcome,
                    gate_eval::RuleOutcome::Pass | gate_eval::RuleOutcome::NotApplicable
                )
            })
            .map(|r| format!("{} {}", r.id, r.outcome.as_str()))
            .collect();
        s.push_str(&format!(
            "          rules that did not pass: {}\n",
            if others.is_empty() {
                "none".to_string()
            } else {
                others.join(", ")
            }
        ));
        return;
    }
    let mut seen = Vec::new();
    for id in ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(r) = d.rule(id) else { continue };
        let mut lines: Vec<String> = r
            .failures
            .iter()
            .map(|f| match &f.path {
                Some(p) => format!("{} (at {p})", f.message),
                None => f.message.clone(),
            })
            .collect();
        lines.extend(
            r.errors
                .iter()
                .map(|e| format!("error[{}]: {}", e.code, e.message)),
        );
        if lines.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "          {}\n",
            paint(c, &format!("{id} ({}):", r.outcome.as_str()), Paint::Dim)
        ));
        let more = lines.len().saturating_sub(SHOWN);
        for l in lines.iter().take(SHOWN) {
            s.push_str(&format!("            - {l}\n"));
        }
        if more > 0 {
            s.push_str(&format!("            … and {more} more\n"));
        }
    }
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        return "-".into();
    }
    format!("{:.1}%", n as f64 * 100.0 / of as f64)
}

fn human_coverage(s: &mut String, p: &PolicyCoverage, c: bool) {
    let sum = p.coverage.summary();
    s.push_str(&format!(
        "{} {} ({} test{})\n",
        paint(c, "coverage of", Paint::Bold),
        paint(c, &p.policy.display().to_string(), Paint::Bold),
        p.tests,
        if p.tests == 1 { "" } else { "s" }
    ));
    s.push_str(&format!(
        "  rules     {}/{} applicable ({}), {}/{} seen passing and failing ({})\n",
        sum.rules_covered,
        sum.rules,
        pct(sum.rules_covered, sum.rules),
        sum.rules_fully_covered,
        sum.rules,
        pct(sum.rules_fully_covered, sum.rules)
    ));
    s.push_str(&format!(
        "  requires  {}/{} seen holding and failing ({}), {}/{} evaluated\n",
        sum.requires_covered,
        sum.requires,
        pct(sum.requires_covered, sum.requires),
        sum.requires_evaluated,
        sum.requires
    ));
    s.push_str(&format!(
        "  branches  {}/{} seen true and false ({})\n",
        sum.branches_covered,
        sum.branches,
        pct(sum.branches_covered, sum.branches)
    ));
    let rules: Vec<RuleCoverage> = p.coverage.rules();
    let points: Vec<PointCoverage> = p.coverage.points();
    let mut lines: Vec<(String, u32, u32, String)> = Vec::new();
    for r in rules.iter().filter(|r| !r.fully_covered()) {
        lines.push((
            r.location.file.clone(),
            r.location.line,
            r.location.column,
            format!("rule {} {}", r.id, rule_gap(r)),
        ));
    }
    for pt in points.iter().filter(|p| !p.covered()) {
        lines.push((
            pt.location.file.clone(),
            pt.location.line,
            pt.location.column,
            format!(
                "{} {} ({}): {}",
                pt.kind.as_str(),
                point_gap(pt),
                pt.within,
                pt.text
            ),
        ));
    }
    if lines.is_empty() {
        s.push_str("  everything is covered\n");
        return;
    }
    // Rules first within a line: they come first in the list, and the sort
    // is stable.
    let order: Vec<String> = {
        let mut files = Vec::new();
        for l in &lines {
            if !files.contains(&l.0) {
                files.push(l.0.clone());
            }
        }
        files
    };
    lines.sort_by_key(|l| (order.iter().position(|f| *f == l.0), l.1, l.2));
    s.push_str("  not covered:\n");
    for (file, line, col, what) in lines {
        let loc = paint(c, &format!("{file}:{line}:{col}"), Paint::Yellow);
        s.push_str(&format!("    {loc}  {what}\n"));
    }
}

fn rule_gap(r: &RuleCoverage) -> &'static str {
    match (r.applicable, r.passed, r.failed) {
        (false, _, _) => "never applicable",
        (true, true, false) => "never failed",
        (true, false, true) => "never passed",
        _ => "never passed or failed",
    }
}

fn point_gap(p: &PointCoverage) -> &'static str {
    let (yes, no) = match p.kind {
        PointKind::Require => ("held", "failed"),
        _ => ("true", "false"),
    };
    match (p.evaluated, p.seen_true, p.seen_false) {
        (false, _, _) => "never evaluated",
        (true, true, false) => {
            if no == "failed" {
                "never failed"
            } else {
                "never false"
            }
        }
        (true, false, true) => {
            if yes == "held" {
                "never held"
            } else {
                "never true"
            }
        }
        _ => {
            if yes == "held" {
                "never held or failed"
            } else {
                "never true or false"
            }
        }
    }
}

/// The JSON report.
pub fn json(reports: &[FileReport], coverage: &[PolicyCoverage], with_coverage: bool) -> String {
    let files: Vec<Value> = reports
        .iter()
        .map(|r| match r {
            FileReport::Errors { file, errors } => json!({
                "file": file.display().to_string(),
                "policy": null,
                "errors": errors.iter().flat_map(json_error).collect::<Vec<_>>(),
                "tests": [],
            }),
            FileReport::Ran(s) => json!({
                "file": s.file.display().to_string(),
                "policy": s.policy.display().to_string(),
                "errors": [],
                "tests": s.cases.iter().map(json_case).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let t = totals(reports);
    let mut doc = json!({
        "report_version": REPORT_VERSION,
        "files": files,
        "summary": {
            "passed": t.passed,
            "failed": t.failed,
            "errors": t.errors,
            "files_with_errors": t.files_with_errors,
        },
    });
    if with_coverage {
        if let Some(obj) = doc.as_object_mut() {
            obj.insert(
                "coverage".into(),
                Value::Array(coverage.iter().map(json_coverage).collect()),
            );
        }
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn json_error(e: &SuiteError) -> Vec<Value> {
    match e {
        SuiteError::File(f) => vec![json!({
            "code": f.code,
            "message": f.message,
            "line": f.line,
            "column": f.column,
            "help": f.help,
        })],
        SuiteError::Policy { error, .. } => error
            .errors
            .iter()
            .map(|d| {
                let l = error.sources.locate(d.span);
                json!({
                    "code": d.code(),
                    "message": d.to_string(),
                    "policy_location": {"file": l.file, "line": l.line, "column": l.column},
                    "severity": if d.severity == gate_lang::Severity::Error { "error" } else { "warning" },
                })
            })
            .collect(),
    }
}

fn json_case(c: &CaseResult) -> Value {
    let mismatches: Vec<Value> = c
        .mismatches
        .iter()
        .map(|m| match m {
            Mismatch::Decision { expected, actual } => json!({
                "kind": "decision", "expected": expected.as_str(), "actual": actual.as_str(),
            }),
            Mismatch::Rule {
                rule,
                expected,
                actual,
            } => json!({
                "kind": "rule", "rule": rule, "expected": expected, "actual": actual,
            }),
            Mismatch::Message { rule, missing } => json!({
                "kind": "message", "rule": rule, "missing": missing,
            }),
        })
        .collect();
    json!({
        "name": c.name,
        "line": c.line,
        "status": c.status.as_str(),
        "decision": c.decision.as_ref().map(|d| d.outcome.as_str()),
        "mismatches": mismatches,
        "error": c.error.as_ref().map(|(code, message)| json!({"code": code, "message": message})),
    })
}

fn json_coverage(p: &PolicyCoverage) -> Value {
    let with_covered = |mut v: Value, covered: bool| {
        if let Some(o) = v.as_object_mut() {
            o.insert("covered".into(), Value::Bool(covered));
        }
        v
    };
    let rules: Vec<Value> = p
        .coverage
        .rules()
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert("fully_covered".into(), Value::Bool(r.fully_covered()));
            }
            with_covered(v, r.covered())
        })
        .collect();
    let points: Vec<Value> = p
        .coverage
        .points()
        .iter()
        .map(|pt| {
            with_covered(
                serde_json::to_value(pt).unwrap_or(Value::Null),
                pt.covered(),
            )
        })
        .collect();
    json!({
        "policy": p.policy.display().to_string(),
        "tests": p.tests,
        "summary": serde_json::to_value(p.coverage.summary()).unwrap_or(Value::Null),
        "rules": rules,
        "points": points,
    })
}
