//! `docs/stdlib.md` stays true: every built-in the checker knows has a
//! section, and every example in part 1 compiles and has the value (or
//! raises the error) the document states.
//!
//! An example is one line of a ```gate block: an expression, then
//! `# => VALUE` (the expression equals `VALUE`, itself a gate expression),
//! `# error E06xx` (evaluating it is that runtime error) or
//! `# compile error E0xxx` (the checker reports that code). The first
//! ```gate block and the first ```json block are the schema and the
//! evidence the examples run against.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, Options, Policy};

/// The clock of the examples.
const NOW: &str = "2026-06-01T00:00:00Z";

fn part1() -> String {
    let doc = std::fs::read_to_string("../docs/stdlib.md").unwrap();
    let start = doc.find("## Built-in functions").expect("part 1 heading");
    let end = doc.find("\n## Modules").expect("`## Modules` heading");
    assert!(start < end);
    doc[start..end].to_string()
}

/// The fenced blocks of `lang` in `text`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&fence) {
        let body = &rest[i + fence.len()..];
        let end = body.find("```").expect("closed block");
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

#[derive(Debug)]
enum Expect {
    Value(String),
    Error(String),
    CompileError(String),
}

fn examples(part: &str) -> Vec<(String, Expect)> {
    let mut out = Vec::new();
    for block in blocks(part, "gate").iter().skip(1) {
        for line in block.lines().filter(|l| !l.trim().is_empty()) {
            let (expr, comment) = line
                .split_once("  # ")
                .unwrap_or_else(|| panic!("example without a stated result: {line}"));
            let comment = comment.trim();
            let expect = if let Some(v) = comment.strip_prefix("=> ") {
                Expect::Value(v.to_string())
            } else if let Some(c) = comment.strip_prefix("compile error ") {
                Expect::CompileError(c.to_string())
            } else if let Some(c) = comment.strip_prefix("error ") {
                Expect::Error(c.to_string())
            } else {
                panic!("unknown result form in: {line}");
            };
            out.push((expr.trim().to_string(), expect));
        }
    }
    out
}

fn options() -> Options {
    Options::default().at(NOW.parse().unwrap())
}

/// Part 1 of `docs/stdlib.md` is derived from the built-in table: one
/// `####` section per entry, in the table's order, under the `###` heading
/// of its section, opening with its signature.
#[test]
fn every_builtin_has_a_section() {
    let part = part1();
    let mut section = "";
    let mut documented = Vec::new();
    let lines: Vec<&str> = part.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(h) = line.strip_prefix("### ") {
            section = h.trim();
        } else if let Some(h) = line.strip_prefix("#### ") {
            let name = h.trim().trim_matches('`');
            let first = lines[i + 1..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .copied()
                .unwrap_or("");
            documented.push((section.to_string(), name.to_string(), first.to_string()));
        }
    }
    let table: Vec<(String, String)> = gate_lang::builtins::TABLE
        .iter()
        .map(|d| (d.section.heading().to_string(), d.name.to_string()))
        .collect();
    let docs: Vec<(String, String)> = documented
        .iter()
        .map(|(s, n, _)| (s.clone(), n.clone()))
        .collect();
    assert_eq!(
        docs, table,
        "docs/stdlib.md part 1 must have one section per built-in, in the order and the sections of gate_lang::builtins::TABLE"
    );
    for ((_, name, first), d) in documented.iter().zip(gate_lang::builtins::TABLE) {
        assert!(
            first.starts_with(&format!("`{}`", d.signature)),
            "the section of `{name}` must open with its signature `{}`: {first}",
            d.signature
        );
    }
    // Completion offers the same names.
    let mut completed = gate_lang::check::function_names();
    let mut names = gate_lang::check::builtin_names();
    completed.sort_unstable();
    names.sort_unstable();
    assert_eq!(completed, names);
}

#[test]
fn every_section_has_an_example() {
    let part = part1();
    let sections: Vec<&str> = part.split("\n#### ").skip(1).collect();
    assert!(sections.len() >= 40, "only {} sections", sections.len());
    for s in sections {
        let title = s.lines().next().unwrap_or("");
        let body = s.split("\n### ").next().unwrap_or("");
        assert!(body.contains("```gate\n"), "no example in section {title}");
    }
}

#[test]
fn examples_compile_and_have_the_stated_results() {
    let part = part1();
    let schema = blocks(&part, "gate").into_iter().next().unwrap();
    let evidence_json = blocks(&part, "json").into_iter().next().unwrap();
    let evidence = Evidence::from_json_str("evidence.json", &evidence_json).unwrap();
    let cases = examples(&part);
    assert!(cases.len() >= 80, "only {} examples", cases.len());
    let mut failures = Vec::new();
    for (expr, expect) in &cases {
        let value_line = match expect {
            Expect::Value(v) => format!("let doc_result = ({expr}) == ({v})\n"),
            _ => format!("let doc_result = {expr}\n"),
        };
        let source = format!("gate doc {{}}\n{schema}\n{value_line}rule r {{ require true }}\n");
        let compiled = Policy::from_source("example.gate", &source);
        match (expect, compiled) {
            (Expect::CompileError(code), Err(e)) => {
                let codes: Vec<&str> = e.errors.iter().map(|d| d.code()).collect();
                if !codes.contains(&code.as_str()) {
                    failures.push(format!("{expr}: expected {code}, got {codes:?}"));
                }
            }
            (Expect::CompileError(code), Ok(_)) => {
                failures.push(format!("{expr}: compiles, expected {code}"));
            }
            (_, Err(e)) => failures.push(format!("{expr}: {}", e.render(false, 100))),
            (expect, Ok(policy)) => {
                let got = policy
                    .evaluate_let("doc_result", &evidence, &options())
                    .unwrap();
                match (expect, got) {
                    (Expect::Value(v), Ok(serde_json::Value::Bool(true))) => {
                        let _ = v;
                    }
                    (Expect::Value(v), other) => {
                        let actual = policy_value(&schema, expr, &evidence);
                        failures.push(format!(
                            "{expr}: expected {v}, got {actual} (comparison: {other:?})"
                        ));
                    }
                    (Expect::Error(code), Err(e)) if e.code == code.as_str() => {}
                    (Expect::Error(code), other) => {
                        failures.push(format!("{expr}: expected error {code}, got {other:?}"));
                    }
                    (Expect::CompileError(_), _) => unreachable!(),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples in docs/stdlib.md are wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The value of an example's expression, for a failure message.
fn policy_value(schema: &str, expr: &str, evidence: &Evidence) -> String {
    let source = format!("gate doc {{}}\n{schema}\nlet v = {expr}\nrule r {{ require true }}\n");
    match Policy::from_source("example.gate", &source) {
        Ok(p) => format!("{:?}", p.evaluate_let("v", evidence, &options())),
        Err(e) => e.render(false, 100),
    }
}

#[test]
fn language_reference_links_to_the_stdlib() {
    let language = std::fs::read_to_string("../docs/language.md").unwrap();
    assert!(language.contains("stdlib.md"));
}
