//! The evidence fixtures (`fixtures/`, from the check catalogue) through the
//! example gates: each fixture must get exactly the decision and the set of
//! non-passing rules that `fixtures/expected.json` states, and each failure
//! must say where in the evidence and what was found: the same paths, values
//! and thresholds that the reference checker's messages name
//! (`fixtures/reference/`, see its README for how they are generated).

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
        assert!(
            Path::new(gate).exists(),
            "{name}: the gate {gate} it names does not exist"
        );
        let policy = gate_eval::Policy::from_file(Path::new(gate))
            .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let decision = at_fixture_clock(&policy, &evidence);
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
                if !e.code.as_str().starts_with("E06") {
                    problems.push(format!("{name}: {} error with code {}", r.id, e.code));
                }
            }
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        fixture_names().len(),
        "every fixture is in expected.json"
    );
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
    let d = at_fixture_clock(&policy, &load("02-release-secret-leaked-in-code.json"));
    let s02 = d.rule("S02").unwrap();
    // One failure for the secret, the store among the predicates that
    // explain it.
    let leaked = |path: Option<&str>, actual: &Value| {
        path == Some("/secrets/items/0/store") && actual == "source_code"
    };
    assert!(s02.failures.iter().any(|f| {
        f.message.contains("STRIPE_API_KEY")
            && (leaked(f.path.as_deref(), &f.actual)
                || f.operands
                    .iter()
                    .any(|o| leaked(o.path.as_deref(), &o.actual)))
    }));

    // 05: the pending ops approval is named, not just "ops missing".
    let d = at_fixture_clock(&policy, &load("05-release-missing-ops-approval.json"));
    let p01 = d.rule("P01").unwrap();
    assert_eq!(p01.failures.len(), 1);
    assert_eq!(p01.failures[0].path.as_deref(), Some("/approvals/2"));
    assert_eq!(p01.failures[0].actual["state"], "pending");

    // 11: missing sections are errors naming the section, and G01 fails.
    let d = at_fixture_clock(&policy, &load("11-release-missing-evidence-sections.json"));
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
    let d = at_fixture_clock(
        &policy,
        &load("12-release-empty-inventory-vacuous-truth.json"),
    );
    assert_eq!(d.rule("S01").unwrap().outcome, gate_eval::RuleOutcome::Fail);
    let s02 = d.rule("S02").unwrap();
    assert_eq!(s02.outcome, gate_eval::RuleOutcome::Pass);
    assert_eq!(s02.notes.len(), 1);
    assert_eq!(s02.notes[0].path.as_deref(), Some("/secrets/items"));
}

/// The decision over a fixture, made at the fixture's own `evaluated_at`
/// (the clock the catalogue's reference checker uses), as
/// `gate check --now` would.
fn at_fixture_clock(policy: &gate_eval::Policy, evidence: &Value) -> gate_eval::Decision {
    let now = evidence["evaluated_at"]
        .as_str()
        .and_then(|t| gate_lang::time::parse_timestamp(t).ok());
    let evidence = gate_eval::Evidence::from_value("evidence", evidence.clone()).unwrap();
    let mut options = gate_eval::Options::default();
    options.now = now.map(gate_eval::time::timestamp);
    policy.evaluate(&evidence, &options)
}

/// The fixture documents (`fixtures/NN-….json`).
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    names.sort();
    names
}

/// What a reference message names, and an explanation must name too.
#[derive(Debug, Clone, PartialEq)]
enum Named {
    /// A value, identifier, number or threshold, as text.
    Text(String),
    /// A JSON path written `a.b.c`: a JSON pointer `/a/b/c`.
    Pointer(String),
    /// A path written `name[3]`: an index 3 after a path segment containing `name`.
    Index(String, String),
    /// A field of an element named by its id: a path ending in `/field`.
    Field(String),
}

/// A check id such as `G01` or `AG02` (a cross-reference, not evidence).
fn is_check_id(w: &str) -> bool {
    let letters = w.chars().take_while(|c| c.is_ascii_uppercase()).count();
    (1..=2).contains(&letters)
        && w.len() == letters + 2
        && w.chars().skip(letters).all(|c| c.is_ascii_digit())
}

/// Python's `repr` of the constants the reference prints, as gate shows them.
fn json_word(v: &str) -> String {
    match v {
        "True" => "true".into(),
        "False" => "false".into(),
        "None" => "null".into(),
        other => other.into(),
    }
}

/// The evidence a reference message names. Quoted (`'…'`) and back-quoted
/// (`` `…` ``) words are values; so are `key=value` values, words with a
/// digit (ids, timestamps, digests, numbers and thresholds such as `3600s`,
/// `file:line`) and identifiers with two or more hyphens (`nhi-ci-deployer`).
/// `a.b` is a path, `a[3]` an index into one. Other words are prose.
fn named_in(message: &str) -> Vec<Named> {
    // "type error at P: expected T, got V": the path and the value are
    // evidence; how the reference spells the type it wanted is prose.
    let message = match (message.find(": expected "), message.find(", got ")) {
        (Some(a), Some(b)) if a < b && message.contains(" error at ") => {
            format!("{}: got {}", &message[..a], &message[b + ", got ".len()..])
        }
        _ => message.to_string(),
    };
    let mut out = Vec::new();
    let mut rest = String::new();
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '`' {
            let inner: String = chars.by_ref().take_while(|&d| d != c).collect();
            let simple = inner
                .chars()
                .all(|d| d.is_alphanumeric() || "_.-:*/@".contains(d));
            if c == '\'' || simple {
                out.push(Named::Text(inner));
            }
            rest.push(' ');
        } else {
            rest.push(c);
        }
    }
    for word in rest.split_whitespace() {
        let word = word.trim_matches(|c: char| "(),;:\"".contains(c));
        if let Some((key, value)) = word.split_once('=') {
            if !key.is_empty() && !value.is_empty() {
                out.push(Named::Text(json_word(value)));
            }
            continue;
        }
        if let Some(pointer) = indexed_path(word) {
            out.push(Named::Pointer(pointer));
            continue;
        }
        // `nhi-ci-deployer.interactive_login`: a field of the element the
        // reference names by its id (gate names it by its index).
        if let Some((id, field)) = word.rsplit_once('.') {
            if id.matches('-').count() >= 2 && is_name(field) {
                out.push(Named::Field(field.to_string()));
                continue;
            }
        }
        if let Some((name, index)) = word.strip_suffix(']').and_then(|w| w.split_once('[')) {
            if !index.is_empty() && index.chars().all(|c| c.is_ascii_digit()) {
                out.push(Named::Index(name.to_string(), index.to_string()));
            }
            continue;
        }
        let word = word.trim_end_matches('.');
        if word.is_empty() || is_check_id(word) {
            continue;
        }
        if word.chars().any(|c| c.is_ascii_digit()) || word.matches('-').count() >= 2 {
            out.push(Named::Text(word.to_string()));
        } else if word.contains('.')
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        {
            out.push(Named::Pointer(format!("/{}", word.replace('.', "/"))));
        }
    }
    out
}

/// A lower-case name: letters and `_`.
fn is_name(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// `secrets.items[0].vaulted` as the JSON pointer `/secrets/items/0/vaulted`
/// (a path with at least one index and one field after the first).
fn indexed_path(word: &str) -> Option<String> {
    if !word.contains('[') || !word.contains('.') {
        return None;
    }
    let mut pointer = String::new();
    for part in word.split('.') {
        let (name, indexes) = match part.split_once('[') {
            Some((n, rest)) => (n, Some(rest)),
            None => (part, None),
        };
        if !is_name(name) {
            return None;
        }
        pointer.push('/');
        pointer.push_str(name);
        if let Some(rest) = indexes {
            for index in rest.split('[') {
                let index = index.strip_suffix(']')?;
                if index.is_empty() || !index.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                pointer.push('/');
                pointer.push_str(index);
            }
        }
    }
    Some(pointer)
}

/// One explanation of a rule's result: everything it says, for matching.
struct Said {
    text: String,
    paths: Vec<String>,
}

fn explanations(rule: &gate_eval::RuleResult) -> Vec<Said> {
    let mut out = Vec::new();
    for f in &rule.failures {
        let mut paths: Vec<String> = f.path.iter().cloned().collect();
        if let Some(p) = f.element.as_ref().and_then(|e| e.path.clone()) {
            paths.push(p);
        }
        let actual = match &f.actual {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let text = format!(
            "{} | {} | {} | {}",
            f.message,
            paths.join(" "),
            actual,
            f.expected
        );
        out.push(Said {
            text: text.to_lowercase(),
            paths,
        });
    }
    for e in &rule.errors {
        let paths: Vec<String> = e.path.iter().cloned().collect();
        let text = format!("{} | {}", e.message, paths.join(" "));
        out.push(Said {
            text: text.to_lowercase(),
            paths,
        });
    }
    out
}

fn says(said: &Said, named: &Named) -> bool {
    match named {
        Named::Text(t) => said.text.contains(&t.to_lowercase()),
        Named::Pointer(p) => said
            .paths
            .iter()
            .any(|q| q == p || q.starts_with(&format!("{p}/"))),
        Named::Field(field) => said.paths.iter().any(|q| q.ends_with(&format!("/{field}"))),
        Named::Index(name, index) => said.paths.iter().any(|q| {
            let segs: Vec<&str> = q.split('/').collect();
            segs.windows(2)
                .any(|w| w[0].contains(name.as_str()) && w[1] == index)
        }),
    }
}

#[test]
fn the_reference_tokenizer_finds_paths_values_and_thresholds() {
    assert_eq!(
        named_in("sources[3] (ownership) collected 2026-04-20T07:00:00Z, older than 24h"),
        [
            Named::Index("sources".into(), "3".into()),
            Named::Text("2026-04-20T07:00:00Z".into()),
            Named::Text("24h".into()),
        ]
    );
    assert_eq!(
        named_in("high-risk tool 'billing.issue_refund' has no path (required=False, mode=none, timeout_action=None)"),
        [
            Named::Text("billing.issue_refund".into()),
            Named::Text("false".into()),
            Named::Text("none".into()),
            Named::Text("null".into()),
        ]
    );
    assert_eq!(
        named_in("no on-call schedule (operations.on_call is null/absent)"),
        [Named::Pointer("/operations/on_call".into())]
    );
    assert_eq!(
        named_in("evidence section `approvals` missing (see G01)"),
        [Named::Text("approvals".into())]
    );
    assert_eq!(
        named_in("fed-reporting-deployer-gha: token lifetime 43200s > 3600s"),
        [
            Named::Text("fed-reporting-deployer-gha".into()),
            Named::Text("43200s".into()),
            Named::Text("3600s".into()),
        ]
    );
}

#[test]
fn explanations_name_what_the_reference_names() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/expected.json").unwrap()).unwrap();
    let mut problems = Vec::new();
    let mut compared = 0;
    for name in fixture_names() {
        let golden = Path::new("fixtures/reference").join(name.replace(".json", ".txt"));
        let reference = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (see fixtures/reference/README.md)",
                golden.display()
            )
        });
        // The golden is the reference's verdict on the fixture as it is now.
        let mut lines = reference.lines();
        let head = lines.next().unwrap_or_default();
        let want = &expected[&name];
        assert!(
            head.starts_with(&format!(
                "OK  {name}: {}",
                want["decision"].as_str().unwrap()
            )),
            "{}: stale golden, regenerate it (fixtures/reference/README.md): {head}",
            golden.display()
        );
        let text = std::fs::read_to_string(Path::new("fixtures").join(&name)).unwrap();
        let evidence: Value = serde_json::from_str(&text).unwrap();
        let policy = gate_eval::Policy::from_file(Path::new(gate_for(&evidence).unwrap()))
            .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let decision = at_fixture_clock(&policy, &evidence);
        for line in lines {
            let line = line.trim_start();
            let (id, rest) = line.split_once(' ').unwrap();
            let (status, message) = rest.split_once("] ").unwrap();
            let status = status.trim_start_matches('[');
            assert_eq!(
                want["non_pass"][id].as_str(),
                Some(status),
                "{name}: golden line for {id} disagrees with expected.json"
            );
            let Some(rule) = decision.rule(id) else {
                problems.push(format!("{name}: the gate has no rule {id}"));
                continue;
            };
            let named = named_in(message);
            let said = explanations(rule);
            if !said.iter().any(|s| named.iter().all(|n| says(s, n))) {
                problems.push(format!(
                    "{name}: no explanation of {id} names all of {named:?} (reference: {message})\n    the explanations say:\n      {}",
                    said.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n      ")
                ));
            }
            compared += 1;
        }
    }
    assert!(
        compared >= 50,
        "only {compared} reference messages compared"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
