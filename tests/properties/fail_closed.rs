//! Fail closed: removing, nulling or retyping evidence never turns a `fail`
//! or `error` decision into a pass. Over generated programs, each rule keeps
//! exactly its result or becomes an error; over the example gates and the
//! failing fixtures of `fixtures/`, every field of every fixture is mutated
//! and the decision must stay `fail` or `error`.
//!
//! The fixture test mutates one field in three (and every top-level one)
//! in CI, each one way (removal, `null` or a value of another type, in
//! turn); `GATE_MUTATE_ALL=1` tries all three ways on every field.

use super::programs::{any_evidence, good_evidence, program};
use super::{by_id, cases, compile, options, rule_json};
use gate_eval::{Evidence, Outcome, RuleOutcome};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// Remove the member from its object (not an element from its list:
    /// fewer elements is different evidence, not missing evidence).
    Remove,
    /// Replace the value by `null`.
    Null,
    /// Replace the value by one of another JSON type.
    Retype,
}

pub const MUTATIONS: [Mutation; 3] = [Mutation::Remove, Mutation::Null, Mutation::Retype];

/// The JSON pointer of every value in `v`, the root (`""`) first.
pub fn pointers(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        out.push(at.to_string());
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    walk(x, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    walk(x, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out
}

/// A value of another JSON type than `v`.
fn retyped(v: &Value) -> Value {
    match v {
        Value::Null => json!(false),
        Value::Bool(b) => json!(b.to_string()),
        Value::Number(n) => json!(n.to_string()),
        Value::String(s) if s.parse::<i64>().is_ok() => json!(true),
        Value::String(_) => json!(7),
        Value::Array(_) => json!({}),
        Value::Object(_) => json!([]),
    }
}

/// `doc` with the value at `pointer` mutated; `None` where the mutation
/// does not apply (removing a list element or the root, nulling a null).
pub fn mutate(doc: &Value, pointer: &str, m: Mutation) -> Option<Value> {
    let mut out = doc.clone();
    match m {
        Mutation::Remove => {
            let (parent, key) = pointer.rsplit_once('/')?;
            let key = key.replace("~1", "/").replace("~0", "~");
            out.pointer_mut(parent)?.as_object_mut()?.remove(&key)?;
        }
        Mutation::Null => {
            let v = out.pointer_mut(pointer)?;
            if v.is_null() {
                return None;
            }
            *v = Value::Null;
        }
        Mutation::Retype => {
            let v = out.pointer_mut(pointer)?;
            *v = retyped(v);
        }
    }
    Some(out)
}

/// The evidence paths of a rule's failures (from `rule_json`).
fn failure_paths(rule: &Value) -> Vec<Value> {
    rule["failures"]
        .as_array()
        .map(|fs| fs.iter().map(|f| f["path"].clone()).collect())
        .unwrap_or_default()
}

/// Whether the gate outcome lets a release through.
fn passes(o: Outcome) -> bool {
    matches!(o, Outcome::Pass | Outcome::Warn)
}

/// Optional fields of the generated schema: absent or `null` is a value
/// there, so only retyping them must not help.
fn optional(pointer: &str) -> bool {
    pointer.ends_with("/opt") || pointer == "/maybe"
}

/// The property above starts from decisions that fail: check that the
/// generators give such decisions often, so that it is not vacuous.
#[test]
fn generated_cases_often_fail_or_err() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (program(), prop_oneof![good_evidence(), any_evidence()]);
    let mut failing = 0;
    let total = 100;
    for _ in 0..total {
        let (p, doc) = strategy.new_tree(&mut runner).unwrap().current();
        let policy = compile(&p.source()).unwrap();
        let d = policy.evaluate(&Evidence::from_value("doc", doc).unwrap(), &options());
        failing += usize::from(!passes(d.outcome));
    }
    assert!(failing * 3 >= total, "only {failing} of {total} fail");
    assert!(failing < total, "all {total} fail");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(192)))]

    #[test]
    fn mutated_evidence_keeps_each_rule_or_makes_it_an_error(
        p in program(),
        doc in prop_oneof![good_evidence(), any_evidence()],
        picks in prop::collection::vec(any::<prop::sample::Index>(), 24),
    ) {
        let policy = compile(&p.source())?;
        let opts = options();
        let base = policy.evaluate(&Evidence::from_value("doc", doc.clone()).unwrap(), &opts);
        let (_, base_rules) = by_id(&base);
        // Retyping a value that is already of the wrong type may repair it.
        let issues: Vec<&str> = base.evidence_issues.iter().map(|i| i.path.as_str()).collect();
        let mut all = Vec::new();
        for ptr in pointers(&doc) {
            for m in MUTATIONS {
                if m != Mutation::Retype && optional(&ptr) {
                    continue;
                }
                if m == Mutation::Retype && issues.contains(&ptr.as_str()) {
                    continue;
                }
                all.push((ptr.clone(), m));
            }
        }
        for pick in picks {
            let (ptr, m) = pick.get(&all).clone();
            let Some(mutated) = mutate(&doc, &ptr, m) else { continue };
            let d = policy.evaluate(&Evidence::from_value("doc", mutated.clone()).unwrap(), &opts);
            for r in &d.rules {
                // The same outcome, failing at the same places, or an error.
                // (The explanation may differ: it shows an element's key
                // and renders messages from fields the rule does not read.)
                let was = &base_rules[&r.id];
                let now = rule_json(r);
                let same = now["outcome"] == was["outcome"]
                    && now["failures_total"] == was["failures_total"]
                    && failure_paths(&now) == failure_paths(was);
                prop_assert!(
                    r.outcome == RuleOutcome::Error || same,
                    "{m:?} {ptr}: rule {} changed from {} to {}\n{}\nevidence: {doc}\nmutated: {mutated}",
                    r.id, was["outcome"], r.outcome.as_str(), p.source()
                );
            }
            if !passes(base.outcome) {
                prop_assert!(
                    !passes(d.outcome),
                    "{m:?} {ptr}: {} became {}\n{}\nevidence: {doc}",
                    base.outcome.as_str(), d.outcome.as_str(), p.source()
                );
            }
        }
    }
}

// ------------------------------------------------------------ fixtures

/// The example gate a fixture names.
fn gate_for(fixture: &Value) -> &'static str {
    match fixture["gate"].as_str() {
        Some("release") => "../examples/release.gate",
        Some("production_readiness") => "../examples/production-readiness.gate",
        other => panic!("unknown gate {other:?}"),
    }
}

/// The fixtures and their policies, for the fixture properties.
pub fn fixtures() -> Vec<(String, Value, gate_eval::Policy)> {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/expected.json").unwrap()).unwrap();
    let mut policies = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for name in expected.as_object().unwrap().keys() {
        let text = std::fs::read_to_string(Path::new("fixtures").join(name)).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let gate = gate_for(&doc);
        let policy = policies
            .entry(gate)
            .or_insert_with(|| {
                gate_eval::Policy::from_file(Path::new(gate))
                    .unwrap_or_else(|e| panic!("{}", e.render(false, 100)))
            })
            .clone();
        out.push((name.clone(), doc, policy));
    }
    out
}

/// Options for the fixtures: the clock of `gate check` (now), read once.
pub fn fixture_options() -> gate_eval::Options {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    gate_eval::Options::default().at(gate_eval::time::timestamp(i128::try_from(now).unwrap()))
}

#[test]
fn mutating_any_field_of_a_failing_fixture_never_makes_it_pass() {
    let every = std::env::var_os("GATE_MUTATE_ALL").is_some();
    let opts = fixture_options();
    let mut problems = Vec::new();
    let mut tried = 0;
    let mut failing = 0;
    for (name, doc, policy) in fixtures() {
        let ev = |v: &Value| Evidence::from_value("fixture", v.clone()).unwrap();
        let base = policy.evaluate(&ev(&doc), &opts);
        if passes(base.outcome) {
            continue;
        }
        failing += 1;
        for (i, ptr) in pointers(&doc).iter().enumerate() {
            // In CI, one path in three, each mutated one way, the ways in
            // turn (the root and every section's top included).
            let top = ptr.matches('/').count() <= 1;
            let kinds: Vec<Mutation> = if every {
                MUTATIONS.to_vec()
            } else if top || i % 3 == 0 {
                vec![MUTATIONS[(i / 3) % MUTATIONS.len()]]
            } else {
                continue;
            };
            for m in kinds {
                let Some(mutated) = mutate(&doc, ptr, m) else {
                    continue;
                };
                tried += 1;
                let d = policy.evaluate(&ev(&mutated), &opts);
                if passes(d.outcome) {
                    problems.push(format!(
                        "{name}: {m:?} {ptr} turns {} into {}",
                        base.outcome.as_str(),
                        d.outcome.as_str()
                    ));
                }
            }
        }
    }
    assert!(failing >= 8, "only {failing} failing fixtures");
    assert!(tried > 500, "only {tried} mutations");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------ regressions

/// The outcome of `require EXPR` over `doc`.
fn require(decls: &str, expr: &str, doc: Value) -> RuleOutcome {
    let src = format!("gate g {{}}\n{decls}\nrule r {{\n  require {expr}\n}}\n");
    let policy = gate_eval::Policy::from_source("g.gate", &src).unwrap();
    let ev = Evidence::from_value("doc", doc).unwrap();
    policy.evaluate(&ev, &options()).rules[0].outcome
}

/// Found by `mutated_evidence_keeps_each_rule_or_makes_it_an_error`:
/// `present(x)` held when `x` had the wrong type, so retyping a `null`
/// turned a failure into a pass.
#[test]
fn present_of_a_value_of_the_wrong_type_is_an_error() {
    let decls = "evidence { t: int?, r: { s: string? }? }";
    for doc in [json!({"t": false}), json!({"t": "5"}), json!({"t": [1]})] {
        assert_eq!(
            require(decls, "present(t)", doc.clone()),
            RuleOutcome::Error,
            "{doc}"
        );
        assert_eq!(
            require(decls, "not present(t)", doc.clone()),
            RuleOutcome::Error,
            "{doc}"
        );
    }
    assert_eq!(
        require(decls, "present(r.s)", json!({"r": {"s": 1}})),
        RuleOutcome::Error
    );
    assert_eq!(
        require(decls, "present(r.s)", json!({"r": 1})),
        RuleOutcome::Error
    );
    // Well-typed: present or not.
    assert_eq!(
        require(decls, "present(t)", json!({"t": 1})),
        RuleOutcome::Pass
    );
    assert_eq!(
        require(decls, "present(t)", json!({"t": null})),
        RuleOutcome::Fail
    );
    assert_eq!(require(decls, "present(t)", json!({})), RuleOutcome::Fail);
    assert_eq!(
        require(decls, "present(r.s)", json!({"r": {}})),
        RuleOutcome::Fail
    );
    assert_eq!(require(decls, "present(r.s)", json!({})), RuleOutcome::Fail);
}
