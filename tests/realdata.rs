//! Real public files (`realdata/`, provenance in `realdata/README.md`) read
//! the way a security team would hand them to gate: each loads with the
//! strict loaders and `gate schema infer` writes a schema for it, JSON
//! Lines named `.json` (as DefectDojo keeps TruffleHog reports) say so and
//! load with `:jsonl`, and a rendered manifest stream is the list of its
//! objects.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use gate_tests::{files, gate, rule};
use std::path::{Path, PathBuf};

/// Every data file, with the format to give it when its name does not
/// tell (`.snap`, `.sarif`, JSON Lines named `.json`).
fn data() -> Vec<(PathBuf, Option<&'static str>)> {
    let mut out = Vec::new();
    for ext in ["json", "yaml", "snap", "sarif"] {
        for f in files(Path::new("realdata"), ext) {
            let format = if f.starts_with("realdata/trufflehog") {
                Some("jsonl")
            } else if ext == "snap" || ext == "sarif" {
                Some("json")
            } else {
                None
            };
            out.push((f, format));
        }
    }
    out.sort();
    out
}

#[test]
fn every_file_has_its_provenance() {
    let readme = std::fs::read_to_string("realdata/README.md").unwrap();
    let all = data();
    assert!(all.len() >= 30, "{} files", all.len());
    for (f, _) in all {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&name),
            "{name} is not in realdata/README.md"
        );
    }
}

#[test]
fn every_file_loads_and_gets_a_schema() {
    for (f, format) in data() {
        let mut spec = format!("data={}", f.display());
        if let Some(format) = format {
            spec.push(':');
            spec.push_str(format);
        }
        let run = gate(&["schema", "infer", "-e", &spec], "");
        assert_eq!(run.code, 0, "{spec}: {}", run.stderr);
        assert!(run.stdout.contains("evidence {"), "{spec}: {}", run.stdout);
    }
}

#[test]
fn json_lines_named_json_say_so() {
    let run = gate(
        &[
            "schema",
            "infer",
            "-e",
            "findings=realdata/trufflehog/v3_git.json",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("looks like JSON Lines"),
        "{}",
        run.stderr
    );
    let run = gate(
        &[
            "schema",
            "infer",
            "-e",
            "findings=realdata/trufflehog/v3_git.json:jsonl",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("findings: [Finding]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("DetectorName: string"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_rendered_stream_is_the_list_of_its_objects() {
    let gate_file = std::env::temp_dir().join(format!("gate-realdata-{}.gate", std::process::id()));
    std::fs::write(
        &gate_file,
        "gate k8s {}\n\
         record Meta { name: string, namespace: string? }\n\
         record Obj { kind: string, metadata: Meta, key metadata.name }\n\
         evidence { manifests: [Obj] }\n\
         rule nineteen { require manifests.len() == 19 }\n\
         rule controller { require manifests.includes(\"ingress-nginx-controller\") }\n\
         rule no_cluster_roles { require manifests.none(kind == \"ClusterRole\") }\n",
    )
    .unwrap();
    let run = gate(
        &[
            "check",
            &gate_file.display().to_string(),
            "-e",
            "manifests+=realdata/k8s-rbac/ingress-nginx-deploy.yaml",
            "--format",
            "json",
        ],
        "",
    );
    let record: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let outcome = |id: &str| rule(&record, id)["outcome"].clone();
    assert_eq!(outcome("nineteen"), "pass", "{}", run.stdout);
    assert_eq!(outcome("controller"), "pass");
    assert_eq!(outcome("no_cluster_roles"), "fail");
    let failure = &rule(&record, "no_cluster_roles")["failures"][0]["element"];
    assert_eq!(failure["key"]["field"], "metadata.name");
    let source = failure["source"].as_str().unwrap();
    assert!(
        source.starts_with("realdata/k8s-rbac/ingress-nginx-deploy.yaml:"),
        "{source}"
    );
    std::fs::remove_file(&gate_file).unwrap();
}
