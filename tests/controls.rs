//! `gate controls`: the control-coverage matrix over the example gates, with
//! and without a decision record made by `gate check --format json`.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, golden, Run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-05-04T10:00:00Z";
const RELEASE: &str = "../examples/release.gate";
const QUICKSTART: &str = "../examples/quickstart.gate";

fn tmp(name: &str) -> PathBuf {
    gate_tests::scratch("controls", name)
}

/// A record of `policy` over `evidence`, written by `gate check --record`.
fn record(dir: &Path, policy: &str, evidence: &str) -> String {
    let path = dir.join("record.json").display().to_string();
    let run = gate(
        &[
            "check", policy, "-e", evidence, "--now", NOW, "-f", "json", "--record", &path,
        ],
        "",
    );
    assert!(run.code <= 2 && run.stderr.is_empty(), "{}", run.stderr);
    path
}

fn controls(args: &[&str]) -> Run {
    let mut all = vec!["controls", "--color", "never"];
    all.extend_from_slice(args);
    gate(&all, "")
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap()
}

/// A transcript with the temporary record path replaced.
fn transcript(run: &Run, record: Option<&str>) -> String {
    let t = run.transcript();
    match record {
        Some(r) => t.replace(r, "RECORD"),
        None => t,
    }
}

#[test]
fn goldens() {
    let dir = tmp("goldens");
    let rec = record(&dir, RELEASE, "../examples/evidence/release-fail.json");
    let cases: Vec<(&str, Vec<&str>, Option<&str>)> = vec![
        ("examples.md", vec![RELEASE, QUICKSTART], None),
        (
            "examples.json",
            vec![RELEASE, QUICKSTART, "-f", "json"],
            None,
        ),
        (
            "release-fail.md",
            vec![RELEASE, QUICKSTART, "--record", &rec],
            Some(&rec),
        ),
        (
            "release-fail.json",
            vec![RELEASE, "--record", &rec, "-f", "json"],
            Some(&rec),
        ),
    ];
    let mut errors = Vec::new();
    for (name, args, r) in cases {
        let run = controls(&args);
        let path = Path::new("formats/controls").join(name);
        if let Err(e) = golden(&path, &transcript(&run, r)) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Every `(policy, rule, control)` the gates declare.
fn declared(policies: &[&str]) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for p in policies {
        let policy = gate_eval::Policy::from_file(Path::new(p)).unwrap();
        for r in policy.rules() {
            for c in r.controls {
                out.insert((policy.name().to_string(), r.id.clone(), c));
            }
        }
    }
    out
}

/// Natural order by hand: the numbers in a control id, as numbers.
fn numbers(id: &str) -> Vec<u64> {
    id.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn the_matrix_covers_every_control_reference_once() {
    let run = controls(&[RELEASE, QUICKSTART, "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = json(&run);
    let mut seen = BTreeSet::new();
    let frameworks = m["frameworks"].as_array().unwrap();
    let names: Vec<&str> = frameworks
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for f in frameworks {
        let fname = f["name"].as_str().unwrap();
        let ids: Vec<&str> = f["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        for pair in ids.windows(2) {
            // Same prefix before the first digit: the numbers decide.
            let prefix = |s: &str| {
                s.split(|c: char| c.is_ascii_digit())
                    .next()
                    .unwrap()
                    .to_string()
            };
            if prefix(pair[0]) == prefix(pair[1]) {
                assert!(numbers(pair[0]) < numbers(pair[1]), "{fname}: {pair:?}");
            }
        }
        for c in f["controls"].as_array().unwrap() {
            assert_eq!(
                c["reference"],
                format!("{fname}:{}", c["id"].as_str().unwrap())
            );
            for r in c["rules"].as_array().unwrap() {
                assert!(r.get("outcome").is_none());
                let key = (
                    r["policy"].as_str().unwrap().to_string(),
                    r["rule"].as_str().unwrap().to_string(),
                    c["reference"].as_str().unwrap().to_string(),
                );
                assert!(seen.insert(key.clone()), "twice: {key:?}");
            }
        }
    }
    assert_eq!(seen, declared(&[RELEASE, QUICKSTART]));
    // OWASP NHI: NHI2 before NHI10.
    let nhi: Vec<&str> = frameworks
        .iter()
        .find(|f| f["name"] == "OWASP-NHI")
        .unwrap()["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let pos = |id: &str| nhi.iter().position(|x| *x == id).unwrap();
    assert!(pos("NHI2") < pos("NHI10"));
    assert!(m["unmapped_rules"].as_array().unwrap().is_empty());
}

#[test]
fn outcomes_come_from_the_record() {
    let dir = tmp("outcomes");
    let rec_path = record(&dir, RELEASE, "../examples/evidence/release-fail.json");
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(&rec_path).unwrap()).unwrap();
    let run = controls(&[RELEASE, QUICKSTART, "--record", &rec_path, "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let m = json(&run);
    assert_eq!(m["record"]["policy"], "release");
    assert_eq!(m["record"]["outcome"], "fail");
    let mut checked = 0;
    for f in m["frameworks"].as_array().unwrap() {
        for c in f["controls"].as_array().unwrap() {
            for r in c["rules"].as_array().unwrap() {
                let outcome = r["outcome"].as_str().unwrap();
                if r["rule"] == "secrets-and-approvals" {
                    // The quickstart gate is not the one the record is of.
                    assert_eq!(outcome, "not_in_record");
                    continue;
                }
                let id = r["rule"].as_str().unwrap();
                let want = rec["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["id"] == id)
                    .unwrap()["outcome"]
                    .as_str()
                    .unwrap();
                assert_eq!(outcome, want, "{id}");
                checked += 1;
            }
        }
    }
    assert!(checked > 50);
    // The failing rules of the record show as failing in the Markdown.
    let md = controls(&[RELEASE, "--record", &rec_path]).stdout;
    assert!(
        md.contains("| NHI2 | release | S02 | All secrets in a managed vault | block | fail |"),
        "{md}"
    );
}

#[test]
fn markdown_rows_match_the_json() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let dir = tmp("markdown");
    let rec = record(&dir, RELEASE, "../examples/evidence/release-fail.json");
    let m = json(&controls(&[RELEASE, "--record", &rec, "-f", "json"]));
    let md = controls(&[RELEASE, "--record", &rec]).stdout;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_head = false;
    for e in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match e {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                row.clear();
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap()),
            Event::End(TagEnd::TableRow) if !in_head => rows.push(std::mem::take(&mut row)),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML in the matrix: {h}"),
            _ => {}
        }
    }
    let mut expected = Vec::new();
    for f in m["frameworks"].as_array().unwrap() {
        for c in f["controls"].as_array().unwrap() {
            for r in c["rules"].as_array().unwrap() {
                expected.push(vec![
                    c["id"].as_str().unwrap().to_string(),
                    r["policy"].as_str().unwrap().to_string(),
                    r["rule"].as_str().unwrap().to_string(),
                    r["title"].as_str().unwrap().to_string(),
                    r["severity"].as_str().unwrap().to_string(),
                    r["outcome"].as_str().unwrap().replace('_', " "),
                ]);
            }
        }
    }
    assert_eq!(rows, expected);
}

#[test]
fn a_record_of_another_gate_is_named_and_not_used() {
    let dir = tmp("other");
    let rec = record(&dir, "formats/mixed.gate", "formats/mixed.json");
    let run = controls(&[RELEASE, "--record", &rec, "-f", "json"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("is of gate `mixed`, which is none of the given policies"),
        "{}",
        run.stderr
    );
    let m = json(&run);
    assert!(m["record"]["policy"].is_null());
    assert_eq!(m["warnings"].as_array().unwrap().len(), 1);
    for f in m["frameworks"].as_array().unwrap() {
        for c in f["controls"].as_array().unwrap() {
            for r in c["rules"].as_array().unwrap() {
                assert_eq!(r["outcome"], "not_in_record");
            }
        }
    }
}

#[test]
fn a_record_of_another_version_is_used_with_a_warning() {
    let dir = tmp("version");
    let rec = record(&dir, QUICKSTART, "../examples/evidence/release-fail.json");
    let run = controls(&[RELEASE, "--record", &rec, "-f", "json"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("was made with another version of gate `release`"),
        "{}",
        run.stderr
    );
    let m = json(&run);
    assert_eq!(m["record"]["policy"], "release");
    // The quickstart gate's rule ids are not the release gate's.
    for f in m["frameworks"].as_array().unwrap() {
        for c in f["controls"].as_array().unwrap() {
            for r in c["rules"].as_array().unwrap() {
                assert_eq!(r["outcome"], "not_in_record");
            }
        }
    }
}

#[test]
fn rules_without_controls_are_listed() {
    let dir = tmp("unmapped");
    let gate_file = dir.join("g.gate");
    std::fs::write(
        &gate_file,
        "gate g {}\nevidence { ok: bool }\nrule a \"Mapped\" {\n  controls \"SOC2:CC6.1\", \"ISO27001\"\n  require ok\n}\nrule b \"Unmapped\" { require ok }\n",
    )
    .unwrap();
    let g = gate_file.display().to_string();
    let m = json(&controls(&[&g, "-f", "json"]));
    let unmapped = m["unmapped_rules"].as_array().unwrap();
    assert_eq!(unmapped.len(), 1);
    assert_eq!(unmapped[0]["rule"], "b");
    // A reference without a framework prefix has an empty framework.
    let names: Vec<&str> = m["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["", "SOC2"]);
    let md = controls(&[&g]).stdout;
    assert!(md.contains("## Without a framework"));
    assert!(md.contains("## Rules without controls"));
    assert!(md.contains("| g | b | Unmapped | block |"), "{md}");
}

#[test]
fn bad_records_are_errors() {
    let dir = tmp("bad");
    let not_json = dir.join("x.json");
    std::fs::write(&not_json, "nope").unwrap();
    let other = dir.join("y.json");
    std::fs::write(&other, r#"{"record_version": "other/v9"}"#).unwrap();
    let envelope = dir.join("z.json");
    std::fs::write(
        &envelope,
        r#"{"payload": "e30=", "payloadType": "application/vnd.gate.decision+json", "signatures": []}"#,
    )
    .unwrap();
    for (file, says) in [
        (&not_json, "is not JSON"),
        (&other, "is not a `gate-decision/v1` decision record"),
        (&envelope, "is a signed envelope"),
    ] {
        let run = controls(&[RELEASE, "--record", &file.display().to_string()]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.starts_with("error[E0950]:"), "{}", run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    let run = controls(&[RELEASE, "--record", "no/such/record.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0701"), "{}", run.stderr);
}
