//! Micro-benchmarks of the evaluator: evidence loading and evaluation with
//! explanations.
//!
//! `cargo bench -p gate-eval`; CI only builds them (`cargo bench --no-run`).
//! The end-to-end comparison with other engines is in `bench/`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gate_eval::{Evidence, Format, Options, Policy};
use std::hint::black_box;
use std::path::Path;

const PASS: &str = include_str!("../../examples/evidence/release-pass.json");
const FAIL: &str = include_str!("../../examples/evidence/release-fail.json");

fn examples() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

fn options() -> Options {
    Options::default().at("2026-05-04T09:00:00Z".parse().unwrap())
}

/// Evidence read for `policy` (schema-driven), as `gate check` reads it.
fn typed(policy: &Policy, name: &str, text: &str) -> Evidence {
    let mut b = policy.evidence_builder();
    b.add_bytes(None, name, Format::Json, text.as_bytes())
        .unwrap();
    b.build().unwrap()
}

fn load(c: &mut Criterion) {
    let policy = Policy::from_file(&examples().join("release.gate")).unwrap();
    let mut g = c.benchmark_group("evidence");
    g.throughput(Throughput::Bytes(FAIL.len() as u64));
    g.bench_function("release-fail.json as JSON", |b| {
        b.iter(|| Evidence::from_json_str("release-fail.json", black_box(FAIL)).unwrap())
    });
    g.bench_function("release-fail.json for release.gate", |b| {
        b.iter(|| typed(&policy, "release-fail.json", black_box(FAIL)))
    });
    g.finish();
}

fn evaluate(c: &mut Criterion) {
    let options = options();
    let mut g = c.benchmark_group("evaluate");
    for gate in ["quickstart.gate", "release.gate"] {
        let policy = Policy::from_file(&examples().join(gate)).unwrap();
        for (name, text) in [("pass", PASS), ("fail", FAIL)] {
            let evidence = typed(&policy, name, text);
            g.bench_function(format!("{gate} {name}"), |b| {
                b.iter(|| policy.evaluate(black_box(&evidence), &options))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, load, evaluate);
criterion_main!(benches);
