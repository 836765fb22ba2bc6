//! `gate lint`: a failing and a passing case for every rule (goldens under
//! `tests/lint/RULE/`), configuration, suppressions and the docs.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, golden};
use std::path::Path;

fn rules_in(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// Every rule has `tests/lint/RULE/{bad,good}.gate`; the bad one gets
/// findings of that rule only, the good one none; the human output of both
/// is golden.
#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let mut failures = Vec::new();
    for doc in gate_lang::lint::RULES {
        let dir = Path::new("lint").join(doc.name);
        for case in ["bad", "good"] {
            let file = dir.join(format!("{case}.gate"));
            assert!(file.is_file(), "missing {}", file.display());
            let path = file.to_str().unwrap();
            let json = gate(&["lint", path, "--format", "json"], "");
            let rules = rules_in(&json.stdout);
            if case == "bad" {
                assert!(!rules.is_empty(), "{path}: no finding");
                assert!(
                    rules.iter().all(|r| r == doc.name),
                    "{path}: findings of other rules: {rules:?}"
                );
            } else {
                assert!(rules.is_empty(), "{path}: findings {rules:?}");
                assert_eq!(json.code, 0, "{path}");
            }
            let human = gate(&["lint", path, "--color", "never"], "");
            if let Err(e) = golden(&dir.join(format!("{case}.out")), &human.transcript()) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn exit_codes_follow_levels() {
    // constant-condition is an error by default: exit 1.
    let bad = "lint/constant-condition/bad.gate";
    assert_eq!(gate(&["lint", bad], "").code, 1);
    // As a warning: exit 0, still reported.
    let run = gate(&["lint", bad, "--rule", "constant-condition=warning"], "");
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("always holds"), "{}", run.stdout);
    // Off: not reported.
    let run = gate(
        &[
            "lint",
            bad,
            "--rule",
            "constant-condition=off",
            "--format",
            "json",
        ],
        "",
    );
    assert!(rules_in(&run.stdout).is_empty());
    // A warning rule made an error.
    let run = gate(
        &[
            "lint",
            "lint/vacuous-all/bad.gate",
            "--rule",
            "vacuous-all=error",
        ],
        "",
    );
    assert_eq!(run.code, 1);
}

#[test]
fn configuration_file_and_its_errors() {
    let dir = std::env::temp_dir().join(format!("gate-lint-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("gate-lint.toml");
    std::fs::write(
        &config,
        "[rules]\nrule-without-controls = \"error\"\n\n[frameworks]\nACME = \"SEC-[0-9]{3}\"\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let run = gate(
        &[
            "lint",
            "lint/rule-without-controls/bad.gate",
            "--config",
            cfg,
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let gate_file = dir.join("acme.gate");
    std::fs::write(
        &gate_file,
        std::fs::read_to_string("lint/control-id-format/good.gate")
            .unwrap()
            .replace("\"OWASP-NHI:NHI2\"", "\"ACME:SEC-042\", \"ACME:SEC-7\""),
    )
    .unwrap();
    let run = gate(
        &[
            "lint",
            gate_file.to_str().unwrap(),
            "--config",
            cfg,
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(rules_in(&run.stdout), ["control-id-format"]);
    assert!(run.stdout.contains("SEC-7"), "{}", run.stdout);
    // Mistakes in the configuration are errors with a suggestion.
    std::fs::write(&config, "[rules]\nvacous-all = \"off\"\n").unwrap();
    let run = gate(&["lint", "lint/vacuous-all/bad.gate", "--config", cfg], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0961"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `vacuous-all`"),
        "{}",
        run.stderr
    );
    let run = gate(
        &["lint", "lint/vacuous-all/bad.gate", "--rule", "vacuous-all"],
        "",
    );
    assert_eq!(run.code, 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_prints_a_rules_documentation() {
    let run = gate(&["lint", "--explain", "vacuous-all"], "");
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("vacuous-all (default: warning)"));
    let run = gate(&["lint", "--explain", "list"], "");
    for r in gate_lang::lint::RULES {
        assert!(run.stdout.contains(r.name));
    }
    let run = gate(&["lint", "--explain", "vacous-all"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0960") && run.stderr.contains("`vacuous-all`"));
}

#[test]
fn json_output_is_stable() {
    let run = gate(
        &[
            "lint",
            "lint/control-id-format/bad.gate",
            "--format",
            "json",
        ],
        "",
    );
    golden(Path::new("lint/control-id-format/bad.json"), &run.stdout).unwrap();
}

#[test]
fn policies_that_do_not_compile_are_reported_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("gate-lint-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("broken.gate"),
        "gate g { title \"t\" }\nrule r { require nope }\n",
    )
    .unwrap();
    let run = gate(&["lint", dir.to_str().unwrap(), "--color", "never"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0301"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).ok();
}

/// The repository's own policies are lint-clean (with its gate-lint.toml).
#[test]
fn examples_are_lint_clean() {
    let run = gate(
        &[
            "lint",
            "../examples",
            "../stdlib",
            "--config",
            "../gate-lint.toml",
            "--color",
            "never",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("no findings"), "{}", run.stdout);
}

/// `docs/lint.md` has a section for every rule that shows its failing and
/// passing case exactly as they are tested here.
#[test]
fn docs_show_every_rule_with_its_cases() {
    let doc = std::fs::read_to_string("../docs/lint.md").unwrap();
    for r in gate_lang::lint::RULES {
        let head = format!("\n## `{}`\n", r.name);
        let start = doc
            .find(&head)
            .unwrap_or_else(|| panic!("docs/lint.md has no section {head:?}"));
        let section = &doc[start + head.len()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        assert!(
            section.contains(&format!("Default level: **{}**", r.default.as_str())),
            "{}: default level not documented",
            r.name
        );
        let mut files = vec!["bad.gate", "good.gate"];
        if r.name == "untested-when" {
            // The gates are alike; the tests beside them differ.
            files = vec!["bad.gate", "bad.test.yaml", "good.test.yaml"];
        }
        for case in files {
            let file = format!("lint/{}/{case}", r.name);
            let text = std::fs::read_to_string(&file).unwrap();
            let lang = if case.ends_with(".yaml") {
                "yaml"
            } else {
                "gate"
            };
            assert!(
                section.contains(&format!("```{lang}\n{text}```")),
                "docs/lint.md section `{}` does not show {file} as it is",
                r.name
            );
        }
    }
}
