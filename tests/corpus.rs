//! Corpus tests: each `.gate` file under `corpus/` is a case, run through the
//! `gate` command in process; the transcript (exit code, standard output,
//! standard error) must equal the `.out` file beside it.
//!
//! - `corpus/eval/NAME.gate` with `NAME.json`: the decision record
//!   (`gate check --format json`);
//! - `corpus/human/NAME.gate` with `NAME.json`: the human output;
//! - `corpus/diagnostics/NAME.gate`: the diagnostics of a policy that does
//!   not compile (`--format human`, which writes nothing to stdout then).
//!
//! A first line `# args: …` adds arguments (an `--evidence` there replaces
//! the default). The evidence is `NAME.json`, `NAME.yaml` or `NAME.toml`
//! (without one, `{}` on standard input); `NAME.waivers.yaml` is passed with
//! `--waivers`. The clock is fixed with `--now`. `GATE_BLESS=1 cargo test` rewrites
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
    let evidence = ["json", "yaml", "toml"]
        .iter()
        .map(|ext| gate_file.with_extension(ext))
        .find(|p| p.exists())
        .unwrap_or_else(|| gate_file.with_extension("json"));
    let waivers = gate_file.with_extension("waivers.yaml");
    let gate_path = gate_file.display().to_string();
    let evidence_path = evidence.display().to_string();
    let waivers_path = waivers.display().to_string();
    // A fixed clock keeps records byte-identical from run to run.
    let mut args: Vec<&str> = vec![
        "check",
        &gate_path,
        "--color",
        "never",
        "--format",
        format,
        "--now",
        "2026-06-01T00:00:00Z",
    ];
    let custom_evidence = extra.iter().any(|a| a == "--evidence" || a == "-e");
    let stdin = if custom_evidence {
        ""
    } else if evidence.exists() {
        args.extend(["--evidence", &evidence_path]);
        ""
    } else {
        args.extend(["--evidence", "-"]);
        "{}"
    };
    if waivers.exists() {
        args.extend(["--waivers", &waivers_path]);
    }
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

/// Diagnostics on stderr; the human format writes nothing to stdout when
/// the policy does not compile (the machine formats' report of it is
/// tested in formats.rs).
#[test]
fn diagnostics_corpus() {
    corpus("corpus/diagnostics", "human", 1);
}
