//! The evidence fixtures (`fixtures/`, from the check catalogue) through the
//! example gates: each fixture must get exactly the decision and the set of
//! non-passing rules that `fixtures/expected.json` states, and each failure
//! must say where in the evidence and what was found.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Checks of the catalogue that no example gate implements (yet), so their
/// expected outcomes are not compared.
const NOT_IMPLEMENTED: &[&str] = &["G03"];

fn gate_for(fixture: &Value) -> Option<&'static str> {
    match fixture.get("gate")?.as_str()? {
        "release" => Some("../examples/release.gate"),
        "production_readiness" => Some("../examples/production-readiness.gate"),
        _ => None,
    }
}

#[test]
fn every_fixture_gets_the_expected_decision() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/expected.json").unwrap()).unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for (name, want) in expected.as_object().unwrap() {
        let text = std::fs::read_to_string(Path::new("fixtures").join(name)).unwrap();
        let evidence: Value = serde_json::from_str(&text).unwrap();
        let gate = gate_for(&evidence).unwrap();
        if !Path::new(gate).exists() {
            continue;
        }
        let policy = gate_eval::Policy::from_file(Path::new(gate))
            .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let decision = policy.evaluate_json(&evidence);
        let got: BTreeMap<String, String> = decision
            .rules
            .iter()
            .filter(|r| {
                matches!(
                    r.outcome,
                    gate_eval::RuleOutcome::Fail | gate_eval::RuleOutcome::Error
                )
            })
            .map(|r| (r.id.clone(), r.outcome.as_str().to_string()))
            .collect();
        let want_rules: BTreeMap<String, String> = want["non_pass"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !NOT_IMPLEMENTED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let want_decision = want["decision"].as_str().unwrap();
        let got_decision = match decision.outcome {
            gate_eval::Outcome::Pass | gate_eval::Outcome::Warn => "PASS",
            gate_eval::Outcome::Fail | gate_eval::Outcome::Error => "FAIL",
        };
        if got != want_rules || got_decision != want_decision {
            problems.push(format!(
                "{name}: expected {want_decision} {want_rules:?}\n    got {got_decision} {got:?}"
            ));
        }
        // Every failure names the evidence and the value; every error has a code.
        for r in &decision.rules {
            for f in &r.failures {
                if f.path.is_none() {
                    problems.push(format!(
                        "{name}: {} failure without an evidence path: {}",
                        r.id, f.message
                    ));
                }
            }
            for e in &r.errors {
                if !e.code.starts_with("E06") {
                    problems.push(format!("{name}: {} error with code {}", r.id, e.code));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} fixtures checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixture_explanations_match_the_reference() {
    // Spot checks of the explanations the catalogue calls for.
    let policy = gate_eval::Policy::from_file(Path::new("../examples/release.gate")).unwrap();
    let load = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(Path::new("fixtures").join(name)).unwrap())
            .unwrap()
    };

    // 02: the leaked key is explained by name, path and found value.
    let d = policy.evaluate_json(&load("02-release-secret-leaked-in-code.json"));
    let s02 = d.rule("S02").unwrap();
    assert!(s02
        .failures
        .iter()
        .any(|f| f.path.as_deref() == Some("/secrets/items/0/store")
            && f.actual == "source_code"
            && f.message.contains("STRIPE_API_KEY")));

    // 05: the pending ops approval is named, not just "ops missing".
    let d = policy.evaluate_json(&load("05-release-missing-ops-approval.json"));
    let p01 = d.rule("P01").unwrap();
    assert_eq!(p01.failures.len(), 1);
    assert_eq!(p01.failures[0].path.as_deref(), Some("/approvals/2"));
    assert_eq!(p01.failures[0].actual["state"], "pending");

    // 11: missing sections are errors naming the section, and G01 fails.
    let d = policy.evaluate_json(&load("11-release-missing-evidence-sections.json"));
    assert_eq!(d.outcome, gate_eval::Outcome::Error);
    let s02 = d.rule("S02").unwrap();
    assert_eq!(s02.errors[0].code, "E0601");
    assert_eq!(s02.errors[0].path.as_deref(), Some("/secrets"));
    let g01 = d.rule("G01").unwrap();
    let missing: Vec<_> = g01.failures.iter().filter_map(|f| f.path.clone()).collect();
    assert_eq!(
        missing,
        ["/approvals", "/secrets", "/identities", "/deployment"]
    );

    // 12: the empty inventory fails S01, and S02 passes vacuously with a note.
    let d = policy.evaluate_json(&load("12-release-empty-inventory-vacuous-truth.json"));
    assert_eq!(d.rule("S01").unwrap().outcome, gate_eval::RuleOutcome::Fail);
    let s02 = d.rule("S02").unwrap();
    assert_eq!(s02.outcome, gate_eval::RuleOutcome::Pass);
    assert_eq!(s02.notes.len(), 1);
    assert_eq!(s02.notes[0].path.as_deref(), Some("/secrets/items"));
}
