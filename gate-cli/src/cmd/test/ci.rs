//! The report of a test run for CI: JUnit XML (a test suite per test file,
//! a test case per case, as GitLab and the JUnit report actions read it)
//! and SARIF (a result per case that failed or could not run, and per
//! error of a test file, at its line in the test file).

use super::report::{mismatch_text, FileReport};
use super::run::{CaseResult, CaseStatus};
use super::suite::SuiteError;
use crate::render::junit::one_line;
use crate::render::sarif as s;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::Path;

/// The JUnit XML report.
pub fn junit(reports: &[FileReport]) -> Result<String, String> {
    let mut report = Report::new("gate test");
    for r in reports {
        match r {
            FileReport::Ran(suite) => {
                let mut ts = TestSuite::new(shown(&suite.file));
                for case in &suite.cases {
                    ts.add_test_case(junit_case(&suite.file, &suite.policy, case));
                }
                report.add_test_suite(ts);
            }
            FileReport::Errors { file, errors } => {
                let mut ts = TestSuite::new(shown(file));
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                let text: Vec<String> = errors.iter().map(error_text).collect();
                status
                    .set_message(one_line(text.first().map(String::as_str).unwrap_or("")))
                    .set_type(first_code(errors))
                    .set_description(text.join("\n"));
                let mut case = TestCase::new("the test file", status);
                case.set_classname(shown(file));
                case.extra.insert("file".into(), shown(file).into());
                ts.add_test_case(case);
                report.add_test_suite(ts);
            }
        }
    }
    report.to_string().map_err(|e| e.to_string())
}

fn junit_case(file: &Path, policy: &Path, case: &CaseResult) -> TestCase {
    let status = match case.status {
        CaseStatus::Passed => TestCaseStatus::success(),
        CaseStatus::Failed => {
            let lines: Vec<String> = case.mismatches.iter().map(mismatch_text).collect();
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(one_line(&lines.join("; ")))
                .set_type("mismatch")
                .set_description(lines.join("\n"));
            status
        }
        CaseStatus::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            if let Some((code, message)) = &case.error {
                status
                    .set_message(one_line(&format!("{code}: {message}")))
                    .set_type(*code);
            }
            status
        }
    };
    let mut tc = TestCase::new(case.name.as_str(), status);
    tc.set_classname(shown(policy));
    tc.extra.insert("file".into(), shown(file).into());
    if let Some(line) = case.line {
        tc.extra.insert("line".into(), line.to_string().into());
    }
    tc
}

/// The SARIF log.
pub fn sarif(reports: &[FileReport]) -> Result<String, String> {
    let rules = vec![
        s::rule(
            "test-failed",
            "A policy test case failed",
            "What the case expects of the decision, of a rule or of a message did not hold.",
            "error",
        ),
        s::rule(
            "test-error",
            "A policy test case or file could not run",
            "The case's evidence, waivers or patch could not be read, the test file is not valid, or the policy it tests does not compile.",
            "error",
        ),
    ];
    let mut results = Vec::new();
    for r in reports {
        match r {
            FileReport::Ran(suite) => {
                for case in &suite.cases {
                    let (rule, index, text) = match case.status {
                        CaseStatus::Passed => continue,
                        CaseStatus::Failed => {
                            let lines: Vec<String> =
                                case.mismatches.iter().map(mismatch_text).collect();
                            ("test-failed", 0, lines.join("\n"))
                        }
                        CaseStatus::Error => (
                            "test-error",
                            1,
                            case.error
                                .as_ref()
                                .map(|(c, m)| format!("{c}: {m}"))
                                .unwrap_or_default(),
                        ),
                    };
                    let message = format!(
                        "test case `{}` of {} ({}): {text}",
                        case.name,
                        shown(&suite.file),
                        shown(&suite.policy)
                    );
                    results.push(s::result(
                        rule,
                        index,
                        &message,
                        s::file_location(&shown(&suite.file), case.line, None),
                    ));
                }
            }
            FileReport::Errors { file, errors } => {
                for e in errors {
                    let line = match e {
                        SuiteError::File(f) => f.line,
                        SuiteError::Policy { .. } => None,
                    };
                    results.push(s::result(
                        "test-error",
                        1,
                        &error_text(e),
                        s::file_location(&shown(file), line, None),
                    ));
                }
            }
        }
    }
    s::tool_log("gate test", rules, results, true)
}

pub(crate) fn error_text(e: &SuiteError) -> String {
    match e {
        SuiteError::File(f) => format!("{}: {}", f.code, f.describe()),
        SuiteError::Policy { file, error } => {
            let mut text = format!("the policy {} does not compile", file.display());
            for d in error
                .errors
                .iter()
                .filter(|d| d.severity == gate_lang::Severity::Error)
            {
                let at = error.sources.locate(d.span);
                text.push_str(&format!(
                    "\n{}: {d} ({}:{}:{})",
                    d.code(),
                    at.file,
                    at.line,
                    at.column
                ));
            }
            text
        }
    }
}

fn first_code(errors: &[SuiteError]) -> String {
    match errors.first() {
        Some(SuiteError::File(f)) => f.code.to_string(),
        Some(SuiteError::Policy { error, .. }) => error
            .errors
            .first()
            .map(|d| d.code().to_string())
            .unwrap_or_else(|| "error".into()),
        None => "error".into(),
    }
}

/// A path as reports name it: relative, with `/`.
fn shown(path: &Path) -> String {
    let text = path.display().to_string().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_string()
}
