//! Micro-benchmarks of the front end: lexer, parser, checker.
//!
//! `cargo bench -p gate-lang`; CI only builds them (`cargo bench --no-run`).
//! The end-to-end comparison with other engines is in `bench/`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gate_lang::{CompileOptions, MemFs, SourceId};
use std::hint::black_box;
use std::path::Path;

const RELEASE: &str = include_str!("../../examples/release.gate");
const EVIDENCE_LIB: &str = include_str!("../../examples/lib/evidence.gate");
const BENCH: &str = include_str!("../../bench/policies/bench.gate");

fn lexer(c: &mut Criterion) {
    let mut g = c.benchmark_group("lexer");
    g.throughput(Throughput::Bytes(RELEASE.len() as u64));
    g.bench_function("release.gate", |b| {
        b.iter(|| gate_lang::lexer::tokens(black_box(RELEASE)).len())
    });
    g.finish();
}

fn parser(c: &mut Criterion) {
    let mut g = c.benchmark_group("parser");
    g.throughput(Throughput::Bytes(RELEASE.len() as u64));
    g.bench_function("release.gate", |b| {
        b.iter(|| gate_lang::parser::parse_file(SourceId(0), black_box(RELEASE)))
    });
    g.throughput(Throughput::Bytes(BENCH.len() as u64));
    g.bench_function("bench.gate", |b| {
        b.iter(|| gate_lang::parser::parse_file(SourceId(0), black_box(BENCH)))
    });
    g.finish();
}

fn checker(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    // Load, parse and check, from memory.
    g.bench_function("bench.gate (9 rules)", |b| {
        b.iter(|| gate_lang::compile_source("bench.gate", black_box(BENCH)).unwrap())
    });
    let mut fs = MemFs::new();
    fs.insert("/policies/release.gate", RELEASE);
    fs.insert("/policies/lib/evidence.gate", EVIDENCE_LIB);
    g.bench_function("release.gate (with its module)", |b| {
        b.iter(|| {
            gate_lang::compile_file_with(
                Path::new("/policies/release.gate"),
                &fs,
                CompileOptions::default(),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, lexer, parser, checker);
criterion_main!(benches);
