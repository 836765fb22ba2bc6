//! Evaluator over arbitrary evidence: real gates (`policies.txt`), compiled
//! once, evaluated over any bytes loaded as evidence. The decision must keep
//! its invariants (`gate_fuzz::assert_decision`: a gate passes only when
//! every applicable block rule passed with no error), and evaluating twice
//! gives the same record.
//!
//! Input: byte 0 picks the gate (index in `policies.txt`, modulo their
//! number); byte 1 the format (bits 0–1: JSON, YAML, TOML, YAML reading
//! YAML 1.1 boolean words), the clock (bit 2: 2026-03-01 or 2027-06-01,
//! before or after the waivers in the gates expire) and the failures kept
//! (bit 3: 2 instead of 100); the rest is the evidence document.
#![no_main]

use gate_eval::{Evidence, Format, Limits, LoadLimits, Options};
use libfuzzer_sys::fuzz_target;

const EARLY: i128 = 1_772_323_200_000_000_000; // 2026-03-01T00:00:00Z
const LATE: i128 = 1_811_808_000_000_000_000; // 2027-06-01T00:00:00Z

fuzz_target!(|data: &[u8]| {
    let policies = gate_fuzz::policies();
    let (Some(&which), Some(&flags)) = (data.first(), data.get(1)) else {
        return;
    };
    let doc = data.get(2..).unwrap_or_default();
    let Some(policy) = policies.get(usize::from(which) % policies.len()) else {
        return;
    };
    let (format, name) = match flags & 3 {
        0 => (Format::Json, "evidence.json"),
        2 => (Format::Toml, "evidence.toml"),
        _ => (Format::Yaml, "evidence.yaml"),
    };
    let options = Options::default()
        .at(gate_eval::time::timestamp(if flags & 4 == 0 {
            EARLY
        } else {
            LATE
        }))
        .limits(
            Limits::default()
                .max_steps(2_000_000)
                .max_failures(if flags & 8 == 0 { 100 } else { 2 }),
        )
        .yaml_bool_words(flags & 3 == 3);
    let mut builder = Evidence::builder();
    builder.limits(LoadLimits::default().max_bytes(1 << 20).max_depth(64));
    if builder.add_bytes(None, name, format, doc).is_err() {
        return;
    }
    let Ok(evidence) = builder.build() else {
        return;
    };
    let decision = policy.evaluate(&evidence, &options);
    gate_fuzz::assert_decision(&decision, options.limits.max_failures);
    let again = policy.evaluate(&evidence, &options);
    assert!(
        again == decision,
        "two evaluations of the same input differ"
    );
});
