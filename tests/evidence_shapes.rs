//! Evidence in the shapes tools write it: JSON Lines, YAML streams,
//! folders and globs of files, formats given on the command line; and the
//! errors that say what to do when the shape is not what the gate reads.
//! The human output of all of them together is the corpus case
//! `corpus/human/evidence_shapes`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use gate_tests::{gate, rule, scratch};
use serde_json::Value;

const GATE: &str = "corpus/human/evidence_shapes.gate";
const DIR: &str = "corpus/human/evidence_shapes";

fn check(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec![
        "check",
        GATE,
        "--format",
        "json",
        "--now",
        "2026-06-01T00:00:00Z",
    ];
    all.extend_from_slice(args);
    let run = gate(&all, "");
    let record = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, record, run.stderr)
}

fn shapes() -> Vec<String> {
    vec![
        format!("findings={DIR}/scan.jsonl"),
        format!("manifests+={DIR}/one.yaml"),
        format!("manifests+={DIR}/rendered.yaml"),
        format!("tools={DIR}/mcp"),
        format!("sbom={DIR}/bom.snap:json"),
    ]
}

fn with_e(specs: &[String]) -> Vec<&str> {
    specs.iter().flat_map(|s| ["-e", s.as_str()]).collect()
}

fn failures(record: &Value, id: &str) -> Vec<Value> {
    rule(record, id)["failures"].as_array().unwrap().clone()
}

#[test]
fn each_element_names_its_file_and_line() {
    let specs = shapes();
    let (code, record, stderr) = check(&with_e(&specs));
    assert_eq!(code, 1, "{stderr}");
    let found = failures(&record, "no_verified_secrets");
    assert_eq!(found.len(), 1);
    // Line 3 of the JSON Lines file: the blank line 2 is no document.
    assert_eq!(found[0]["element"]["path"], "/findings/1");
    assert_eq!(found[0]["element"]["source"], format!("{DIR}/scan.jsonl:3"));
    // The list of manifests: one document, then the two non-empty documents
    // of the stream (the empty one between separators is not an element).
    let found = failures(&record, "no_cluster_admin");
    assert_eq!(found[0]["element"]["path"], "/manifests/2");
    assert_eq!(
        found[0]["element"]["source"],
        format!("{DIR}/rendered.yaml:8")
    );
    // The folder: its evidence files in path order, subfolders included,
    // the README left out.
    let names: Vec<String> = failures(&record, "read_only_tools")
        .iter()
        .map(|f| f["element"]["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            format!("{DIR}/mcp/b-deploy.json"),
            format!("{DIR}/mcp/more/exec.yaml")
        ]
    );
    // Every file is in the record, the list's under the list's name.
    let docs: Vec<(String, String)> = record["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["mount"].as_str().unwrap().to_string(),
                d["format"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("findings", "jsonl"),
        ("manifests", "yaml"),
        ("manifests", "yaml"),
        ("tools", "json"),
        ("tools", "json"),
        ("tools", "yaml"),
        ("sbom", "json"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(docs, want);
}

#[test]
fn a_glob_is_a_list_and_a_missing_one_is_an_error() {
    let mut specs = shapes();
    specs[3] = format!("tools={DIR}/mcp/*.json");
    let (code, record, _) = check(&with_e(&specs));
    assert_eq!(code, 1);
    let found = failures(&record, "read_only_tools");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["element"]["source"],
        format!("{DIR}/mcp/b-deploy.json")
    );
    specs[3] = format!("tools={DIR}/mcp/*.toml");
    let (code, _, stderr) = check(&with_e(&specs));
    assert_eq!(code, 2);
    assert!(stderr.contains("no file matches"), "{stderr}");
}

#[test]
fn a_list_and_a_mount_of_the_same_name_conflict() {
    let mut specs = shapes();
    specs.push(format!("tools={DIR}/one.yaml"));
    let (code, _, stderr) = check(&with_e(&specs));
    assert_eq!(code, 2);
    assert!(stderr.contains("E0705"), "{stderr}");
}

#[test]
fn streams_at_the_root_and_json_lines_as_json_say_what_to_do() {
    let (code, _, stderr) = check(&["-e", &format!("{DIR}/scan.jsonl")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("mount it under a name"), "{stderr}");
    let dir = scratch("shapes", "jsonl-as-json");
    let file = dir.join("scan.json");
    std::fs::copy(format!("{DIR}/scan.jsonl"), &file).unwrap();
    let run = gate(
        &["check", GATE, "-e", &format!("findings={}", file.display())],
        "",
    );
    assert_eq!(run.code, 2);
    // The blank second line: the third is the one that is trailing.
    assert!(
        run.stderr.contains("looks like JSON Lines"),
        "{}",
        run.stderr
    );
}

#[test]
fn standard_input_takes_a_format_and_hints_without_one() {
    let yaml = "bomFormat: CycloneDX\n";
    let mut specs = shapes();
    specs[4] = "sbom=-:yaml".into();
    let mut args = vec!["check", GATE, "--format", "json"];
    args.extend(with_e(&specs));
    let run = gate(&args, yaml);
    assert_eq!(run.code, 1, "{}", run.stderr);
    specs[4] = "sbom=-".into();
    let mut args = vec!["check", GATE];
    args.extend(with_e(&specs));
    let run = gate(&args, yaml);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("give one with `-:yaml`"),
        "{}",
        run.stderr
    );
}

#[test]
fn schema_infer_reads_evidence_as_check_does() {
    let specs = shapes();
    let mut args = vec!["schema", "infer"];
    args.extend(with_e(&specs));
    let run = gate(&args, "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "findings: [Finding]",
        "manifests: [Manifest]",
        "tools: [Tool]",
        "sbom: Sbom",
    ] {
        assert!(run.stdout.contains(line), "{line}:\n{}", run.stdout);
    }
    // An extension-less sample with its format, and `--many`.
    let dir = scratch("shapes", "infer");
    std::fs::write(dir.join("tool"), r#"{"name": "a", "scopes": "repo"}"#).unwrap();
    let sample = format!("{}:json", dir.join("tool").display());
    let run = gate(&["schema", "infer", &sample, "--many", "scopes"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("scopes: many<string>"),
        "{}",
        run.stdout
    );
}

#[test]
fn iam_fields_are_many_whatever_the_sample_shows() {
    let dir = scratch("shapes", "iam");
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::a/*"]}]}"#;
    std::fs::write(dir.join("policy.json"), policy).unwrap();
    let sample = dir.join("policy.json").display().to_string();
    let run = gate(&["schema", "infer", &sample], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "Statement: many<Statement>",
        "Action: many<string>",
        "Resource: many<string>",
    ] {
        assert!(run.stdout.contains(line), "{line}:\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("AWS IAM policy documents"),
        "{}",
        run.stdout
    );
}
