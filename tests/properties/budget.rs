//! Every step budget gives either the full result or a limit error: with
//! `max_steps = k`, each rule's result is exactly its result without a
//! budget, or `error` with `E0606`; never another pass or fail. Over
//! generated programs and over the example gates with the fixtures.

use super::programs::{any_evidence, program};
use super::{cases, compile, options};
use gate_eval::{Decision, Evidence, Options, Outcome, Policy, RuleOutcome};
use proptest::prelude::*;

/// Checks the result with a budget against the one without. Returns
/// whether the budget cut anything.
fn within_budget(full: &Decision, cut: &Decision, k: u64) -> Result<bool, String> {
    let mut limited = false;
    for (a, b) in full.rules.iter().zip(&cut.rules) {
        if a == b {
            continue;
        }
        limited = true;
        if b.outcome != RuleOutcome::Error || !b.errors.iter().any(|e| e.code == "E0606") {
            return Err(format!(
                "max_steps {k}: rule {} is {} ({:?}) instead of {} or an E0606 error",
                b.id,
                b.outcome.as_str(),
                b.errors.iter().map(|e| e.code).collect::<Vec<_>>(),
                a.outcome.as_str()
            ));
        }
    }
    if full.rules.len() != cut.rules.len() {
        return Err("a different number of rules".into());
    }
    // The gate: the same, or worse only because of limit errors.
    let ok = cut.outcome == full.outcome
        || cut.outcome == Outcome::Error
        || (cut.outcome == Outcome::Warn && full.outcome == Outcome::Pass);
    if !ok {
        return Err(format!(
            "max_steps {k}: the gate is {} instead of {}",
            cut.outcome.as_str(),
            full.outcome.as_str()
        ));
    }
    Ok(limited)
}

fn with_steps(base: &Options, k: u64) -> Options {
    let mut o = base.clone();
    o.limits.max_steps = k;
    o
}

/// Budgets to try: small ones, a geometric series, and the extra ones.
fn budgets(extra: &[u64]) -> Vec<u64> {
    let mut ks: Vec<u64> = vec![0, 1, 2, 3, 4, 5, 7];
    let mut k = 10u64;
    while k < 200_000 {
        ks.push(k);
        k = k * 3 / 2;
    }
    ks.extend_from_slice(extra);
    ks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(192)))]

    #[test]
    fn every_step_budget_gives_the_full_result_or_a_limit_error(
        p in program(),
        doc in any_evidence(),
        extra in prop::collection::vec(0u64..400, 4),
    ) {
        let policy = compile(&p.source())?;
        let opts = options();
        let ev = Evidence::from_value("doc", doc.clone()).unwrap();
        let full = policy.evaluate(&ev, &opts);
        let mut cut_once = false;
        for k in budgets(&extra) {
            let cut = policy.evaluate(&ev, &with_steps(&opts, k));
            let limited = within_budget(&full, &cut, k).map_err(|e| {
                TestCaseError::fail(format!("{e}\n{}\nevidence: {doc}", p.source()))
            })?;
            cut_once |= limited;
            if !limited && k > 1000 {
                break;
            }
        }
        // A budget of 0 stops every rule that evaluates anything.
        prop_assert!(cut_once || full.rules.iter().all(|r| r.outcome == RuleOutcome::Error));
    }
}

#[test]
fn every_step_budget_over_the_fixtures_gives_the_full_result_or_a_limit_error() {
    let opts = super::fail_closed::fixture_options();
    let mut problems = Vec::new();
    for (name, doc, policy) in super::fail_closed::fixtures() {
        let policy: Policy = policy;
        let ev = Evidence::from_value("fixture", doc).unwrap();
        let full = policy.evaluate(&ev, &opts);
        let mut cut_somewhere = false;
        for k in budgets(&[]) {
            match within_budget(&full, &policy.evaluate(&ev, &with_steps(&opts, k)), k) {
                Ok(limited) => {
                    cut_somewhere |= limited;
                    if !limited && k > 1000 {
                        break;
                    }
                }
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
        assert!(cut_somewhere, "{name}: no budget made a difference");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Found by `every_step_budget_gives_the_full_result_or_a_limit_error`: a
/// budget met while explaining a failure (rendering the message, showing a
/// value) was swallowed, leaving a `fail` with a degraded explanation that
/// said nothing of the limit.
#[test]
fn a_budget_met_while_explaining_makes_the_rule_an_error() {
    let src = "gate g {}\nevidence { count: int, xs: [int] }\n\
               rule r {\n  let local = 1\n  require local <= 0 else \"r: {count}\"\n}\n\
               rule s {\n  require xs.all(x => x < count) else \"{x} is not below {count}\"\n}\n";
    let policy = Policy::from_source("g.gate", src).unwrap();
    let ev = Evidence::from_value("doc", serde_json::json!({"count": 0, "xs": [1, 2, 3]})).unwrap();
    let full = policy.evaluate(&ev, &options());
    assert_eq!(full.rules[0].failures[0].message, "r: 0");
    assert_eq!(full.rules[1].failures.len(), 3);
    let mut seen_error = 0;
    for k in 0..200 {
        let cut = policy.evaluate(&ev, &with_steps(&options(), k));
        within_budget(&full, &cut, k).unwrap();
        seen_error += usize::from(cut.rules.iter().any(|r| r.outcome == RuleOutcome::Error));
    }
    assert!(seen_error > 0);
}
