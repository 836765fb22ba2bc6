//! Evidence read straight into the typed form (`Policy::evidence_builder`,
//! what `gate check` does) against evidence read as a JSON value first: over
//! every policy and JSON document of the corpus, the hostile inputs and the
//! examples, the same decision record, the same errors, the same JSON value.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, EvidenceBuilder, Format, LoadLimits, Options, Policy};
use gate_tests::{files, gate};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// One fixed instant, so records compare equal; a small step budget, so
/// the hostile cases that exhaust it do so quickly (the same way both times).
fn options() -> Options {
    Options::default()
        .at(gate_eval::time::timestamp(1_777_777_777_000_000_000))
        .limits(gate_eval::Limits::default().max_steps(200_000))
}

/// The decision record (or the error) for `bytes` read through `builder`.
fn outcome(
    policy: &Policy,
    mut builder: EvidenceBuilder,
    bytes: &[u8],
    limits: LoadLimits,
) -> String {
    builder.limits(limits);
    let evidence = builder
        .add_bytes(None, "evidence.json", Format::Json, bytes)
        .map(|_| ())
        .and_then(|()| builder.build());
    match evidence {
        Ok(evidence) => {
            let decision = policy.evaluate(&evidence, &options());
            format!("{}\n{}", decision.to_json(), evidence.as_json())
        }
        Err(e) => format!("error {}: {e}", e.code()),
    }
}

/// Asserts both ways of reading agree for every policy and document.
fn agree(pairs: &[(PathBuf, PathBuf)], limits: LoadLimits) -> usize {
    let mut compared = 0;
    let mut compiled: std::collections::BTreeMap<&Path, Option<Policy>> = Default::default();
    for (gate_file, json) in pairs {
        let policy = compiled
            .entry(gate_file)
            .or_insert_with(|| Policy::from_file(gate_file).ok());
        let Some(policy) = policy.as_ref() else {
            continue;
        };
        let bytes = std::fs::read(json).unwrap();
        let by_value = outcome(policy, Evidence::builder(), &bytes, limits);
        let typed = outcome(policy, policy.evidence_builder(), &bytes, limits);
        assert_eq!(
            by_value,
            typed,
            "{} over {}",
            gate_file.display(),
            json.display()
        );
        compared += 1;
    }
    compared
}

/// Every `X.gate` beside an `X.json` under `dir`, and every `policy.gate`
/// beside an `evidence.json`.
fn corpus_pairs(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    for gate_file in files(dir, "gate") {
        let beside = gate_file.with_extension("json");
        let in_folder = gate_file.with_file_name("evidence.json");
        for json in [beside, in_folder] {
            if json.exists() {
                pairs.push((gate_file.clone(), json));
            }
        }
    }
    pairs
}

/// Every example gate with every example JSON document.
fn example_pairs() -> Vec<(PathBuf, PathBuf)> {
    let examples = root().join("examples");
    let jsons = files(&examples.join("evidence"), "json");
    let mut pairs = Vec::new();
    for gate_file in std::fs::read_dir(&examples).unwrap() {
        let gate_file = gate_file.unwrap().path();
        if gate_file.extension().is_some_and(|e| e == "gate") {
            for json in &jsons {
                pairs.push((gate_file.clone(), json.clone()));
            }
        }
    }
    pairs
}

#[test]
fn corpus_and_hostile_inputs_agree() {
    let mut pairs = corpus_pairs(&root().join("tests/corpus"));
    pairs.extend(corpus_pairs(&root().join("tests/hostile")));
    let compared = agree(&pairs, LoadLimits::default());
    assert!(compared > 50, "only {compared} pairs compared");
}

#[test]
fn examples_agree() {
    let compared = agree(&example_pairs(), LoadLimits::default());
    assert!(compared > 50, "only {compared} pairs compared");
}

#[test]
fn examples_agree_under_tight_limits() {
    // Limits met in parts the gates read and in parts they skip.
    for limits in [
        LoadLimits::default().max_depth(3),
        LoadLimits::default().max_string(12),
        LoadLimits::default().max_list(2),
        LoadLimits::default().max_bytes(600),
    ] {
        agree(&example_pairs(), limits);
    }
}

#[test]
fn load_errors_are_the_same() {
    let policy = Policy::from_file(&root().join("examples/release.gate")).unwrap();
    let docs: &[&[u8]] = &[
        b"{\"release\": {\"a\": 1, \"a\": 2}}",
        b"{\"unread\": {\"a\": 1, \"a\": 2}}",
        b"{\"unread\": [1e400]}",
        b"{\"unread\": [-0.5e-999]}",
        b"{\"unread\": 18446744073709551616}",
        b"{\"unread\": ",
        b"{\"unread\": 1} 2",
        b"\xef\xbb\xbf{\"unread\": \"\xc3\x28\"}",
        b"",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];
    for doc in docs {
        let by_value = outcome(&policy, Evidence::builder(), doc, LoadLimits::default());
        let typed = outcome(
            &policy,
            policy.evidence_builder(),
            doc,
            LoadLimits::default(),
        );
        assert!(by_value.starts_with("error E07"), "{by_value}");
        assert_eq!(by_value, typed);
    }
}

#[test]
fn evidence_read_for_one_policy_serves_another() {
    let release = Policy::from_file(&root().join("examples/release.gate")).unwrap();
    let quickstart = Policy::from_file(&root().join("examples/quickstart.gate")).unwrap();
    let bytes = std::fs::read(root().join("examples/evidence/release-fail.json")).unwrap();
    let mut b = release.evidence_builder();
    b.add_bytes(None, "e.json", Format::Json, &bytes).unwrap();
    let typed = b.build().unwrap();
    let plain = Evidence::from_json_str("e.json", std::str::from_utf8(&bytes).unwrap()).unwrap();
    for policy in [&release, &quickstart] {
        assert_eq!(
            policy.evaluate(&typed, &options()).to_json(),
            policy.evaluate(&plain, &options()).to_json()
        );
    }
    // A clone of the policy is the same policy.
    let clone = release.clone();
    assert_eq!(
        clone.evaluate(&typed, &options()).to_json(),
        release.evaluate(&plain, &options()).to_json()
    );
}

#[test]
fn gate_check_with_a_waiver_by_pointer_reads_the_value() {
    // The waiver names an element by JSON pointer: checking it needs the
    // JSON value, made from the kept bytes.
    let dir = std::env::temp_dir().join(format!("gate-fastload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("g.gate");
    std::fs::write(
        &policy,
        "gate g {}\nrecord S { name: string, vaulted: bool }\nevidence { secrets: [S] }\n\
         rule vaulted { require secrets.all(vaulted) else \"{name} is not vaulted\" }\n",
    )
    .unwrap();
    let evidence = dir.join("e.json");
    std::fs::write(
        &evidence,
        r#"{"secrets": [{"name": "a", "vaulted": true}, {"name": "b", "vaulted": false, "x": 1}]}"#,
    )
    .unwrap();
    let waivers = dir.join("w.yaml");
    let write_waiver = |element: &str| {
        std::fs::write(
            &waivers,
            format!(
                "waivers:\n  - rule: vaulted\n    element: \"{element}\"\n    approved_by: sec\n    \
                 ticket: T-1\n    reason: moving\n    expires: 2999-01-01T00:00:00Z\n"
            ),
        )
        .unwrap();
    };
    let args = |w: &Path| {
        vec![
            "check".to_string(),
            policy.display().to_string(),
            "--evidence".into(),
            evidence.display().to_string(),
            "--waivers".into(),
            w.display().to_string(),
            "--color".into(),
            "never".into(),
        ]
    };
    write_waiver("/secrets/1");
    let a = args(&waivers);
    let run = gate(&a.iter().map(String::as_str).collect::<Vec<_>>(), "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    write_waiver("/secrets/7");
    let run = gate(&a.iter().map(String::as_str).collect::<Vec<_>>(), "");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("/secrets/7"), "{}", run.transcript());
    let _ = std::fs::remove_dir_all(&dir);
}
