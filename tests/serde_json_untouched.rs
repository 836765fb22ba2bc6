//! A program that embeds gate keeps serde_json as it was: gate-eval does not turn on
//! serde_json features that change how the program's own types read JSON (as
//! `arbitrary_precision` would: with it, a `#[serde(flatten)]` map of `f64` stops parsing).
//! This crate depends on gate-eval and gate-cli, so the features unified here are the ones
//! gate brings.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Metrics {
    name: String,
    #[serde(flatten)]
    values: HashMap<String, f64>,
}

#[test]
fn a_flattened_map_of_floats_still_parses() {
    let m: Metrics =
        serde_json::from_str(r#"{"name": "latency", "p50": 12.5, "p99": 40}"#).unwrap();
    assert_eq!(m.name, "latency");
    assert_eq!(m.values["p50"], 12.5);
    assert_eq!(m.values["p99"], 40.0);
}

#[test]
fn numbers_in_values_are_plain_floats() {
    // With `arbitrary_precision` the digits would be kept and shown back.
    let v: serde_json::Value = serde_json::from_str("0.79999999999999999999").unwrap();
    assert_eq!(v.to_string(), "0.8");
    let v: serde_json::Value = serde_json::from_str("1.50").unwrap();
    assert_eq!(v.to_string(), "1.5");
}

#[test]
fn gate_still_reads_numbers_as_written() {
    // And gate itself does not need the feature: a number a float would round is refused
    // as evidence, not read as the float's value.
    let gate = "gate g {}\nevidence { score: float }\nrule r { require score >= 0.8 }\n";
    let policy = gate_eval::Policy::from_source("g.gate", gate).unwrap();
    let ok = gate_eval::Evidence::from_json_str("e.json", r#"{"score": 0.80}"#).unwrap();
    assert!(policy
        .evaluate(&ok, &gate_eval::Options::default())
        .permits());
    let refused =
        gate_eval::Evidence::from_json_str("e.json", r#"{"score": 0.79999999999999999999}"#);
    let err = refused.unwrap_err();
    assert_eq!(err.code(), gate_eval::Code::Parse);
    assert!(
        err.to_string()
            .contains("more digits than a 64-bit float holds"),
        "{err}"
    );
}
