//! Corpus tests: each `.gate` file under `corpus/` is a case, run through the
//! `gate` command in process; the transcript (exit code, standard output,
//! standard error) must equal the `.out` file beside it.
//!
//! - `corpus/eval/NAME.gate` with `NAME.json`: the decision record
//!   (`gate check --format json`);
//! - `corpus/human/NAME.gate` with `NAME.json`: the human output;
//! - `corpus/diagnostics/NAME.gate`: the diagnostics of a policy that does
//!   not compile.
//!
//! A first line `# args: …` adds arguments. Without `NAME.json` the
//! evidence is `{}` on standard input. `GATE_BLESS=1 cargo test` rewrites
//! the `.out` files; review the diff before committing.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{files, gate, golden};
use std::path::Path;

fn run_case(gate_file: &Path, format: &str) -> Result<(), String> {
    let src = std::fs::read_to_string(gate_file).map_err(|e| e.to_string())?;
    let extra: Vec<String> = src
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# args:"))
        .map(|a| a.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let evidence = gate_file.with_extension("json");
    let gate_path = gate_file.display().to_string();
    let evidence_path = evidence.display().to_string();
    let mut args: Vec<&str> = vec!["check", &gate_path, "--color", "never", "--format", format];
    let stdin = if evidence.exists() {
        args.extend(["--evidence", &evidence_path]);
        ""
    } else {
        args.extend(["--evidence", "-"]);
        "{}"
    };
    args.extend(extra.iter().map(String::as_str));
    let run = gate(&args, stdin);
    golden(&gate_file.with_extension("out"), &run.transcript())
}

fn corpus(dir: &str, format: &str, min_cases: usize) {
    let cases = files(Path::new(dir), "gate");
    assert!(
        cases.len() >= min_cases,
        "{dir}: only {} cases",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c, format).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn eval_corpus() {
    corpus("corpus/eval", "json", 1);
}

#[test]
fn human_corpus() {
    corpus("corpus/human", "human", 1);
}

#[test]
fn diagnostics_corpus() {
    corpus("corpus/diagnostics", "json", 1);
}
