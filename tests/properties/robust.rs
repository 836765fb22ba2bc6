//! Load → check → evaluate never panics on generated programs, over evidence
//! that matches the schema, mismatches it or is garbage, given as a value or
//! as JSON, YAML or TOML text; and the decision is consistent with itself.

use super::programs::{any_evidence, program};
use super::{cases, compile, options};
use gate_eval::{Decision, Evidence, Format, Outcome, RuleOutcome, RuleSeverity};
use proptest::prelude::*;

/// What every decision must satisfy, whatever the input.
fn consistent(d: &Decision, rules: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(d.rules.len(), rules);
    for r in &d.rules {
        match r.outcome {
            RuleOutcome::Pass => prop_assert!(
                r.failures_total == 0 && r.errors.is_empty(),
                "{} passes with failures or errors",
                r.id
            ),
            RuleOutcome::Fail => prop_assert!(
                r.failures_total > 0 && !r.failures.is_empty() && r.errors.is_empty(),
                "{} fails without a failure, or with errors",
                r.id
            ),
            RuleOutcome::Error => {
                prop_assert!(!r.errors.is_empty(), "{} errs without an error", r.id)
            }
            RuleOutcome::NotApplicable => prop_assert!(!r.applicable),
            RuleOutcome::Waived => prop_assert!(false, "nothing is waived, yet {} is", r.id),
        }
        prop_assert!(r.failures_total >= r.failures.len());
        for e in &r.errors {
            prop_assert!(
                e.code.as_str().starts_with("E06"),
                "{}: error code {}",
                r.id,
                e.code
            );
            prop_assert!(e.code != "E0609", "{}: internal error: {}", r.id, e.message);
        }
    }
    // The outcome follows from the rules.
    let mut settled = d.clone();
    settled.settle();
    prop_assert_eq!(settled.outcome, d.outcome);
    prop_assert_eq!(settled.counts, d.counts);
    // A passing gate has no failing or erring `block` or `warn` rule.
    if d.outcome == Outcome::Pass {
        prop_assert!(d.rules.iter().all(|r| r.severity == RuleSeverity::Info
            || matches!(r.outcome, RuleOutcome::Pass | RuleOutcome::NotApplicable)));
    }
    // The record serialises.
    let json: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    prop_assert_eq!(&json["outcome"], d.outcome.as_str());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn generated_programs_load_check_and_evaluate_without_panicking(
        p in program(),
        doc in any_evidence(),
    ) {
        let src = p.source();
        let policy = compile(&src)?;
        let rules = policy.rules().len();
        let opts = options();

        // As a value.
        let ev = Evidence::from_value("doc", doc.clone()).unwrap();
        let d = policy.evaluate(&ev, &opts);
        consistent(&d, rules)?;
        // The same inputs give the same decision.
        prop_assert_eq!(&policy.evaluate(&ev, &opts), &d);

        // As text, in each format (JSON text is YAML too; as TOML it is
        // mostly rejected, which must be an error, not a panic).
        let text = serde_json::to_string_pretty(&doc).unwrap();
        for format in [Format::Json, Format::Yaml, Format::Toml] {
            let mut b = Evidence::builder();
            if b.add_bytes(None, "doc", format, text.as_bytes()).is_err() {
                prop_assert!(format != Format::Json, "valid JSON rejected:\n{text}");
                continue;
            }
            let Ok(ev) = b.build() else { continue };
            let d2 = policy.evaluate(&ev, &opts);
            consistent(&d2, rules)?;
            if format == Format::Json {
                prop_assert_eq!(super::by_id(&d2), super::by_id(&d));
            }
        }
    }
}
