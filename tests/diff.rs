//! `gate diff`: two versions of a small deploy gate (`diff/old.gate`,
//! `diff/new.gate`: a tightened threshold, a new rule, a removed rule, a
//! changed `when`) replayed over a corpus of past evidence (`diff/corpus`),
//! kept as golden transcripts (`diff/*.golden`).

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, golden};
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-05-04T09:00:00Z";

fn diff(extra: &[&str]) -> gate_tests::Run {
    let mut argv = vec!["--color", "never", "diff"];
    argv.extend_from_slice(extra);
    gate(&argv, "")
}

#[test]
fn goldens() {
    let cases: &[(&str, &[&str])] = &[
        (
            "diff/flips.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/corpus",
                "--now",
                NOW,
            ],
        ),
        (
            "diff/flips-json.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/corpus",
                "--now",
                NOW,
                "--format",
                "json",
            ],
        ),
        (
            "diff/no-flips.golden",
            &[
                "diff/old.gate",
                "diff/old-reworded.gate",
                "--corpus",
                "diff/corpus",
                "--now",
                NOW,
            ],
        ),
        (
            "diff/unreadable.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/corpus-broken",
                "--now",
                NOW,
            ],
        ),
        (
            "diff/unreadable-json.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/corpus-broken",
                "--now",
                NOW,
                "-f",
                "json",
            ],
        ),
        (
            "diff/policy-error.golden",
            &[
                "diff/old.gate",
                "diff/broken.gate",
                "--corpus",
                "diff/corpus",
            ],
        ),
        (
            "diff/no-corpus.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/no-such-folder",
            ],
        ),
        (
            "diff/no-documents.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/no-documents",
            ],
        ),
        (
            "diff/bad-now.golden",
            &[
                "diff/old.gate",
                "diff/new.gate",
                "--corpus",
                "diff/corpus",
                "--now",
                "yesterday",
            ],
        ),
    ];
    let mut problems = Vec::new();
    for (path, args) in cases {
        if let Err(e) = golden(Path::new(path), &diff(args).transcript()) {
            problems.push(e);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn exit_codes() {
    let args = |new: &str, corpus: &str| {
        diff(&["diff/old.gate", new, "--corpus", corpus, "--now", NOW]).code
    };
    assert_eq!(args("diff/new.gate", "diff/corpus"), 1);
    assert_eq!(args("diff/old-reworded.gate", "diff/corpus"), 0);
    assert_eq!(args("diff/old.gate", "diff/corpus"), 0);
    assert_eq!(args("diff/new.gate", "diff/corpus-broken"), 2);
    assert_eq!(args("diff/broken.gate", "diff/corpus"), 2);
}

/// The JSON report agrees with what `gate check` decides for each document
/// under each gate.
#[test]
fn json_report_matches_gate_check() {
    let run = diff(&[
        "diff/old.gate",
        "diff/new.gate",
        "--corpus",
        "diff/corpus",
        "--now",
        NOW,
        "-f",
        "json",
    ]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["diff_version"], "gate-diff/v1");
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 5);
    assert_eq!(report["summary"]["documents"], 5);
    let mut decision_flips = 0;
    let mut rule_flips = 0;
    for d in docs {
        let path = d["path"].as_str().unwrap();
        let check = |gate_file: &str| -> Value {
            let r = gate(
                &["check", gate_file, "-e", path, "--now", NOW, "-f", "json"],
                "",
            );
            serde_json::from_str(&r.stdout).unwrap()
        };
        let old = check("diff/old.gate");
        let new = check("diff/new.gate");
        assert_eq!(d["old"], old["outcome"], "{path}");
        assert_eq!(d["new"], new["outcome"], "{path}");
        let flips = old["outcome"] != new["outcome"];
        assert_eq!(d["decision_flips"], flips, "{path}");
        decision_flips += usize::from(flips);
        let outcome =
            |rec: &Value, id: &str| -> Value { gate_tests::rule(rec, id)["outcome"].clone() };
        let mut ids: Vec<String> = Vec::new();
        for rec in [&new, &old] {
            for r in rec["rules"].as_array().unwrap() {
                let id = r["id"].as_str().unwrap().to_string();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let expected: Vec<(String, Value, Value)> = ids
            .iter()
            .map(|id| (id.clone(), outcome(&old, id), outcome(&new, id)))
            .filter(|(_, a, b)| a != b)
            .collect();
        let got: Vec<(String, Value, Value)> = d["rule_flips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["old"].clone(),
                    f["new"].clone(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{path}");
        rule_flips += got.len();
        for f in d["rule_flips"].as_array().unwrap() {
            if f["new"] == "fail" {
                assert!(f["why"]["message"].is_string(), "{path}: {f}");
            }
        }
    }
    assert_eq!(report["summary"]["decision_flips"], decision_flips);
    assert_eq!(report["summary"]["rule_flips"], rule_flips);
    assert!(decision_flips > 0 && rule_flips > decision_flips);
}
