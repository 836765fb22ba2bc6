//! `gate schema infer`: the schema it writes compiles, every sample it was
//! inferred from fits it, and its output for a few samples is kept as golden
//! files (`schema/*.golden`).

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, Format, Options, Policy};
use gate_tests::{files, gate, golden};
use std::path::{Path, PathBuf};

/// Infers a schema from `samples`, pastes it into a gate with a trivial rule,
/// compiles it and evaluates every sample: none may have an evidence issue.
fn round_trip(samples: &[PathBuf]) -> String {
    let args: Vec<String> = samples.iter().map(|p| p.display().to_string()).collect();
    let mut argv = vec!["schema", "infer"];
    argv.extend(args.iter().map(String::as_str));
    let run = gate(&argv, "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    let source = format!(
        "gate inferred {{}}\n{}\nrule trivial {{ require true }}\n",
        run.stdout
    );
    let policy = Policy::from_source("inferred.gate", &source)
        .unwrap_or_else(|e| panic!("{}\n{source}", e.render(false, 100)));
    for path in samples {
        let bytes = std::fs::read(path).unwrap();
        let mut b = Evidence::builder();
        let fmt = Format::from_extension(path).unwrap();
        b.add_bytes(None, &path.display().to_string(), fmt, &bytes)
            .unwrap();
        let evidence = b.build().unwrap();
        let d = policy.evaluate(&evidence, &Options::default());
        assert!(
            d.evidence_issues.is_empty(),
            "{}: {:?}\n{source}",
            path.display(),
            d.evidence_issues
        );
        assert_eq!(d.outcome.as_str(), "pass", "{}", path.display());
    }
    run.stdout
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = files(Path::new("fixtures"), "json")
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "expected.json"))
        .collect();
    v.extend(files(Path::new("../examples/evidence"), "json"));
    v
}

#[test]
fn schema_of_the_fixtures_compiles_and_fits_every_fixture() {
    let samples = fixtures();
    assert!(samples.len() >= 12, "{samples:?}");
    let out = round_trip(&samples);
    // What the gates rely on is found as the release gate declares it.
    for line in [
        "  approvals: [Approval]?\n",
        "  evaluated_at: time\n",
        "record Approval {\n",
        "  Action: many<string>?\n",
        "  \"kms:ViaService\" as kms_via_service: string?\n",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn schema_of_each_fixture_alone_fits_it() {
    for sample in fixtures() {
        round_trip(std::slice::from_ref(&sample));
    }
}

#[test]
fn schema_of_mixed_formats_fits_them() {
    round_trip(&files(Path::new("schema/deploy"), "json"));
    let mut all = files(Path::new("schema/deploy"), "json");
    all.extend(files(Path::new("schema/deploy"), "yaml"));
    all.extend(files(Path::new("schema/deploy"), "toml"));
    assert_eq!(all.len(), 3);
    round_trip(&all);
}

#[test]
fn goldens() {
    let cases: &[(&str, &[&str])] = &[
        (
            "schema/deploy.golden",
            &[
                "schema/deploy/a.json",
                "schema/deploy/b.yaml",
                "schema/deploy/c.toml",
            ],
        ),
        (
            "schema/release-examples.golden",
            &[
                "../examples/evidence/release-fail.json",
                "../examples/evidence/release-pass.json",
            ],
        ),
        ("schema/not-an-object.golden", &["schema/bad/list.json"]),
        (
            "schema/missing-file.golden",
            &["schema/deploy/a.json", "schema/no-such-file.json"],
        ),
    ];
    let mut problems = Vec::new();
    for (path, samples) in cases {
        let mut argv = vec!["--color", "never", "schema", "infer"];
        argv.extend_from_slice(samples);
        if let Err(e) = golden(Path::new(path), &gate(&argv, "").transcript()) {
            problems.push(e);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn heterogeneous_values_are_reported_on_stderr_and_in_the_output() {
    let run = gate(
        &[
            "schema",
            "infer",
            "schema/deploy/a.json",
            "schema/deploy/b.yaml",
        ],
        "",
    );
    assert_eq!(run.code, 0);
    assert!(run
        .stderr
        .contains("warning: /ticket: values are a number in schema/deploy/b.yaml"));
    assert!(run.stdout.contains("  # left out \"ticket\": values are"));
    assert!(!run.stdout.contains("  ticket:"));
}
