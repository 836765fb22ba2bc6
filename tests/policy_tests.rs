//! `gate test` end to end: passing and failing suites, test files with
//! errors, coverage reports (human and JSON), and the example gates' own
//! tests. Goldens are in `policy-tests/*.out`; `GATE_BLESS=1` rewrites them.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, golden};
use std::path::Path;

fn check(name: &str, args: &[&str], code: i32) -> gate_tests::Run {
    let run = gate(args, "");
    assert_eq!(run.code, code, "{name}: {}", run.transcript());
    if let Err(diff) = golden(
        &Path::new("policy-tests").join(format!("{name}.out")),
        &run.transcript(),
    ) {
        panic!("{diff}");
    }
    run
}

#[test]
fn a_passing_suite() {
    let run = check(
        "passing",
        &["test", "policy-tests/passing", "--color", "never"],
        0,
    );
    assert!(run.stdout.contains("4 passed, 0 failed"));
    assert!(run.stderr.is_empty());
}

#[test]
fn a_failing_suite_shows_the_differences() {
    let run = check(
        "failing",
        &["test", "policy-tests/failing", "--color", "never"],
        1,
    );
    assert!(run.stdout.contains("decision: expected pass, got fail"));
    assert!(run.stdout.contains("rule S01: expected pass, got fail"));
    assert!(run
        .stdout
        .contains("secret B is not vaulted (at /secrets/0/vaulted)"));
    assert!(run.stdout.contains("1 passed, 2 failed"));
}

#[test]
fn test_files_with_errors_do_not_stop_the_others() {
    let run = check(
        "errors",
        &["test", "policy-tests/errors", "--color", "never"],
        2,
    );
    // The good file still ran.
    assert!(run.stdout.contains("  ok      passes"));
    for code in [
        "E0921", "E0923", "E0924", "E0925", "E0927", "E0931", "E0301",
    ] {
        assert!(run.stderr.contains(code), "{code} missing:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("did you mean `S01`?"));
}

#[test]
fn failing_suite_as_json() {
    let run = check(
        "failing-json",
        &["test", "policy-tests/failing", "--format", "json"],
        1,
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["report_version"], "gate-test/v1");
    assert_eq!(v["summary"]["failed"], 2);
    let tests = &v["files"][0]["tests"];
    assert_eq!(tests[1]["status"], "failed");
    assert_eq!(tests[1]["mismatches"][0]["kind"], "decision");
    assert!(v.get("coverage").is_none());
}

#[test]
fn errors_as_json() {
    let run = gate(&["test", "policy-tests/errors", "--format", "json"], "");
    assert_eq!(run.code, 2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["files_with_errors"], 3);
    let bad = &v["files"][0];
    assert!(bad["file"].as_str().unwrap().ends_with("bad.test.yaml"));
    let first = &bad["errors"][0];
    assert_eq!(
        (
            first["code"].as_str(),
            first["line"].as_u64(),
            first["help"].as_str()
        ),
        (Some("E0921"), Some(2), Some("did you mean `now`?"))
    );
}

#[test]
fn coverage_human() {
    let run = check(
        "coverage",
        &[
            "test",
            "policy-tests/passing",
            "--coverage",
            "--color",
            "never",
        ],
        0,
    );
    assert!(run.stdout.contains("rules     3/3 applicable (100.0%)"));
    assert!(run.stdout.contains("not covered:"));
}

#[test]
fn coverage_json() {
    let run = check(
        "coverage-json",
        &[
            "test",
            "policy-tests/passing",
            "--coverage",
            "--format",
            "json",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let cov = &v["coverage"][0];
    assert_eq!(cov["tests"], 4);
    assert_eq!(cov["summary"]["rules"], 3);
    let points = cov["points"].as_array().unwrap();
    // `owner != null` was never false: the `or`'s first operand is not covered.
    let owner = points
        .iter()
        .find(|p| p["text"] == "owner != null" && p["kind"] == "operand")
        .unwrap();
    assert_eq!(owner["covered"], false);
    assert_eq!(owner["seen_true"], true);
    assert_eq!(owner["location"]["line"], 20);
}

#[test]
fn the_examples_pass_their_tests() {
    let run = gate(&["test", "../examples", "--color", "never"], "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains(" 0 failed"));
    assert!(run.stdout.contains("release.test.yaml"));
    assert!(run.stdout.contains("deploy-bot.test.yaml"));
    assert!(run.stdout.contains("quickstart.test.yaml"));
}

#[test]
fn no_test_files_is_an_error() {
    let run = gate(&["test", "policy-tests/passing/secrets.gate"], "");
    // A file given by name is read as a test file, whatever its name.
    assert_eq!(run.code, 2);
    let run = gate(&["test", "corpus/eval"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0929"), "{}", run.stderr);
    let run = gate(&["test", "no-such-folder"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0920"), "{}", run.stderr);
}
