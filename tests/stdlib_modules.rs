//! The standard modules (`stdlib/std/*.gate`): all embedded, all
//! documented in `docs/stdlib.md`, clean under `gate lint` and
//! `gate fmt`, and their own `gate test` suite (`stdlib/tests/`) passes with
//! every rule seen passing and failing.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_lang::ast::Item;
use gate_lang::span::SourceId;
use gate_tests::gate;
use std::path::Path;

/// `(module name, file name)` of every `.gate` file in `stdlib/std`.
fn module_files() -> Vec<(String, std::path::PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir("../stdlib/std")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "gate"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (format!("std.{stem}"), p)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_module_file_is_embedded_under_its_name() {
    let files = module_files();
    assert!(files.len() >= 7, "{files:?}");
    for (name, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            gate_stdlib::module(name),
            Some(text.as_str()),
            "{name} is not embedded as {}",
            path.display()
        );
        assert!(
            text.contains(&format!("\nmodule {name}\n")),
            "{} does not declare `module {name}`",
            path.display()
        );
    }
    assert_eq!(gate_stdlib::MODULES.len(), files.len());
}

#[test]
fn every_module_compiles_when_imported() {
    for (name, _) in module_files() {
        let src =
            format!("gate g {{ title \"g\" }}\nimport {name} as m\nrule r {{ require true }}\n");
        if let Err(e) = gate_lang::compile_source("g.gate", &src) {
            panic!("{name}: {}", e.render(false, 100));
        }
    }
}

#[test]
fn every_def_and_let_is_documented() {
    let doc = std::fs::read_to_string("../docs/stdlib.md").unwrap();
    let mut count = 0;
    for (name, path) in module_files() {
        assert!(
            doc.contains(&format!("### `{name}`\n")),
            "docs/stdlib.md has no section for {name}"
        );
        let section = &doc[doc.find(&format!("### `{name}`\n")).unwrap()..];
        let section = section[4..]
            .find("\n### ")
            .map_or(section, |end| &section[..end + 4]);
        let text = std::fs::read_to_string(&path).unwrap();
        let (file, errors) = gate_lang::parser::parse_file(SourceId(0), &text);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        for item in &file.items {
            let (kind, member) = match item {
                Item::Def(d) => ("def", &d.name.name),
                Item::Let(l) => ("let", &l.name.name),
                _ => continue,
            };
            count += 1;
            assert!(
                section.contains(&format!("#### `{member}`\n"))
                    && section.contains(&format!("{kind} {member}")),
                "{kind} {member} of {name} is not documented in its section of docs/stdlib.md"
            );
        }
    }
    assert!(count >= 80, "only {count} defs and lets found");
}

#[test]
fn the_doc_example_is_a_checked_gate() {
    let doc = std::fs::read_to_string("../docs/stdlib.md").unwrap();
    let doc = &doc[doc.find("\n## Modules").unwrap()..];
    let start = doc.find("```gate\n").unwrap() + "```gate\n".len();
    let end = start + doc[start..].find("```").unwrap();
    if let Err(e) = gate_lang::compile_source("example.gate", &doc[start..end]) {
        panic!("{}", e.render(false, 100));
    }
}

#[test]
fn the_stdlib_tests_pass() {
    let run = gate(&["test", "../stdlib", "--color", "never"], "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    for module in [
        "secrets",
        "identity",
        "approvals",
        "agents",
        "operations",
        "attest",
        "mcp",
        "scorecard",
        "github",
        "k8s",
        "cyclonedx",
        "spdx",
        "aws_iam",
        "trufflehog",
        "gitleaks",
        "sarif",
        "vault",
        "aws_secretsmanager",
    ] {
        assert!(
            run.stdout
                .contains(&format!("stdlib/tests/{module}.test.yaml")),
            "no tests of std.{module}:\n{}",
            run.stdout
        );
    }
    let summary = run
        .stdout
        .lines()
        .find(|l| l.ends_with(" passed, 0 failed"))
        .unwrap_or_else(|| panic!("no summary:\n{}", run.stdout));
    let passed: usize = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 60, "only {passed} cases");
}

#[test]
fn every_rule_of_the_stdlib_tests_is_seen_passing_and_failing() {
    let run = gate(&["test", "../stdlib", "--coverage", "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let coverage = v["coverage"].as_array().unwrap();
    let suites = std::fs::read_dir("../stdlib/tests")
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".test.yaml")
        })
        .count();
    assert_eq!(coverage.len(), suites);
    for c in coverage {
        let s = &c["summary"];
        assert!(s["rules"].as_u64().unwrap() > 0);
        assert_eq!(s["rules"], s["rules_fully_covered"], "{}", c["policy"]);
        assert_eq!(s["requires"], s["requires_covered"], "{}", c["policy"]);
    }
}

#[test]
fn the_stdlib_is_linted_and_formatted() {
    let lint = gate(
        &[
            "lint",
            "--config",
            "../gate-lint.toml",
            "../stdlib",
            "--color",
            "never",
        ],
        "",
    );
    assert_eq!(lint.code, 0, "{}", lint.transcript());
    assert!(lint.stdout.contains("no findings"), "{}", lint.transcript());
    let fmt = gate(&["fmt", "--check", "../stdlib"], "");
    assert_eq!(fmt.code, 0, "{}", fmt.transcript());
    assert!(Path::new("../stdlib/tests/evidence").is_dir());
}
