//! `gate fmt`: over every `.gate` file of the repository the formatter is
//! idempotent, keeps every comment and never changes meaning (the same IR,
//! or the same diagnostic codes); files that do not parse are rejected, not
//! mangled. A property test does the same over generated programs, and the
//! command line is tested end to end.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_lang::format::{format_source, FormatError};
use gate_lang::parser::{parse_file_full, ParseOptions};
use gate_lang::{CompileOptions, MemFs, Program, SourceId};
use gate_tests::gate;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every `.gate` file under `dir`, `lib` folders included, sorted.
fn gate_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "gate") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn all_repo_files() -> Vec<PathBuf> {
    let root = repo();
    let mut files = Vec::new();
    for dir in [
        "examples",
        "stdlib",
        "tests/corpus",
        "tests/fixtures",
        "docs",
    ] {
        let d = root.join(dir);
        if d.is_dir() {
            files.extend(gate_files(&d));
        }
    }
    assert!(
        files.len() > 100,
        "expected the corpus, found {}",
        files.len()
    );
    files
}

fn comments(text: &str) -> Vec<String> {
    parse_file_full(SourceId(0), text, ParseOptions::default())
        .comments
        .into_iter()
        .map(|c| c.text.trim_end().to_string())
        .collect()
}

/// Formats `text` and checks idempotence and comment preservation.
fn check_format(name: &str, text: &str) -> Result<Option<String>, String> {
    let parsed = parse_file_full(SourceId(0), text, ParseOptions::default());
    match format_source(text) {
        Ok(out) => {
            if !parsed.errors.is_empty() {
                return Err(format!("{name}: has syntax errors but was formatted"));
            }
            let again = format_source(&out).map_err(|e| format!("{name}: output: {e}"))?;
            if again != out {
                let diff = similar::TextDiff::from_lines(&out, &again)
                    .unified_diff()
                    .to_string();
                return Err(format!("{name}: not idempotent:\n{diff}"));
            }
            if comments(&out) != comments(text) {
                return Err(format!("{name}: comments changed"));
            }
            Ok(Some(out))
        }
        Err(FormatError::Syntax(errors)) => {
            if errors.is_empty() || parsed.errors.is_empty() {
                return Err(format!("{name}: rejected without a syntax error"));
            }
            Ok(None)
        }
        Err(FormatError::Internal(why)) => Err(format!("{name}: {why}\n{text}")),
    }
}

#[test]
fn every_repository_gate_file_is_formatted_idempotently_keeping_comments() {
    let mut failures = Vec::new();
    let mut formatted = 0;
    let mut rejected = 0;
    for path in all_repo_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        match check_format(&path.display().to_string(), &text) {
            Ok(Some(_)) => formatted += 1,
            Ok(None) => rejected += 1,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        formatted > 50 && rejected > 0,
        "{formatted} formatted, {rejected} rejected"
    );
}

/// The parts of a program that carry meaning. Spans compare equal whatever
/// they hold (see `gate_lang::span`), so `==` on these ignores positions;
/// the sources (the text itself) are left out.
fn same_program(a: &Program, b: &Program) -> Result<(), String> {
    let checks = [
        ("gate", a.gate == b.gate),
        ("schema", a.schema == b.schema),
        ("nodes", a.nodes == b.nodes),
        ("globals", a.globals == b.globals),
        ("functions", a.functions == b.functions),
        ("rules", a.rules == b.rules),
        ("waivers", a.waivers == b.waivers),
        ("host", a.host == b.host),
        (
            "warnings",
            a.warnings.iter().map(|w| w.code()).collect::<Vec<_>>()
                == b.warnings.iter().map(|w| w.code()).collect::<Vec<_>>(),
        ),
    ];
    let differ: Vec<&str> = checks
        .iter()
        .filter(|(_, same)| !same)
        .map(|(n, _)| *n)
        .collect();
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!("differ in {}", differ.join(", ")))
    }
}

/// Either the program or the codes of its diagnostics.
fn outcome(r: Result<Program, gate_lang::CompileError>) -> Result<Program, Vec<&'static str>> {
    r.map_err(|e| e.errors.iter().map(|e| e.code()).collect())
}

fn compare(
    name: &str,
    a: Result<Program, gate_lang::CompileError>,
    b: Result<Program, gate_lang::CompileError>,
) -> Result<(), String> {
    match (outcome(a), outcome(b)) {
        (Ok(a), Ok(b)) => same_program(&a, &b).map_err(|e| format!("{name}: {e}")),
        (Err(a), Err(b)) if a == b => Ok(()),
        (a, b) => Err(format!(
            "{name}: before {:?}, after {:?}",
            a.as_ref().map(|_| "ok"),
            b.as_ref().map(|_| "ok")
        )),
    }
}

#[test]
fn formatting_never_changes_meaning() {
    // Every file, formatted where it parses, in a file system of its own,
    // so that imports resolve to formatted modules too.
    let files = all_repo_files();
    let mut original = MemFs::new();
    let mut formatted = MemFs::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        original.insert(path.clone(), text.clone());
        formatted.insert(path.clone(), format_source(&text).unwrap_or(text));
    }
    let mut failures = Vec::new();
    let mut compiled = 0;
    for path in &files {
        let a = gate_lang::compile_file_with(path, &original, CompileOptions::default());
        let b = gate_lang::compile_file_with(path, &formatted, CompileOptions::default());
        compiled += usize::from(a.is_ok());
        if let Err(e) = compare(&path.display().to_string(), a, b) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compiled > 20, "only {compiled} files compiled");
}

#[test]
fn examples_and_stdlib_are_formatted() {
    let root = repo();
    let mut unformatted = Vec::new();
    for dir in ["examples", "stdlib"] {
        for path in gate_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            if format_source(&text).ok().as_deref() != Some(text.as_str()) {
                unformatted.push(path.display().to_string());
            }
        }
    }
    assert!(
        unformatted.is_empty(),
        "run `gate fmt examples stdlib`: {unformatted:?}"
    );
}

// ------------------------------------------------------------ tricky cases

#[test]
fn comments_everywhere_are_kept_in_place() {
    let src = "\
# header comment
gate g { # after brace
  title \"G\" # after title
  # before stage
  stage \"release\"
}
# before import

import std.time # trailing import
let A = 1 # trailing let
# before rule
rule r \"t\" {
  # first in body
  severity block # sev
  when a # after when
    and b
  require c # between expr and else
    else \"m\"
  require d else # between else and message
    \"n\"
  require e
    # own line inside
    or f
  # last in body
}
# end of file
";
    let out = check_format("tricky", src).unwrap().unwrap();
    let expected = "\
# header comment
gate g { # after brace
  title \"G\" # after title
  # before stage
  stage \"release\"
}
# before import

import std.time # trailing import
let A = 1 # trailing let
# before rule
rule r \"t\" {
  # first in body
  severity block # sev
  when a # after when
      and b
  require c # between expr and else
    else \"m\"
  require d # between else and message
    else \"n\"
  require e
      # own line inside
      or f
  # last in body
}
# end of file
";
    assert_eq!(out, expected);
}

// ------------------------------------------------------------ property test

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// `e` in parentheses unless it is one token or already bracketed.
fn wrap(e: &str) -> String {
    if e.contains(' ') && !enclosed(e) {
        format!("({e})")
    } else {
        e.to_string()
    }
}

/// Whether `e` is one parenthesized expression: `(a) in (b)` starts and
/// ends with a parenthesis but is not.
fn enclosed(e: &str) -> bool {
    if !(e.starts_with('(') && e.ends_with(')')) {
        return false;
    }
    let mut depth = 0i32;
    for (i, c) in e.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i + 1 != e.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// Operands of `and`/`or` may be chains themselves, but not `if`.
fn chain_operand(e: &str) -> String {
    if e.starts_with("if ") {
        format!("({e})")
    } else {
        e.to_string()
    }
}

/// Whitespace inside an expression: spaces, newlines or comments.
fn gap() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        " ",
        " ",
        "\n    ",
        " # inside\n",
        "\n  # own line inside\n  ",
    ])
}

/// An expression (well formed, not necessarily well typed).
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "a",
        "b",
        "xs",
        "n",
        "1",
        "2.5",
        "90d",
        "\"s\"",
        "true",
        "null",
        "MAX",
        "2026-01-01T00:00:00Z",
        "r\"raw\"",
    ])
    .prop_map(str::to_string);
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec!["and", "or"]),
                gap(),
                gap()
            )
                .prop_map(|(a, b, op, g1, g2)| format!(
                    "{}{g1}{op}{g2}{}",
                    chain_operand(&a),
                    chain_operand(&b)
                )),
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec![
                    "==", "!=", "<", ">=", "+", "-", "*", "??", "in", "not in",
                ])
            )
                .prop_map(|(a, b, op)| format!("{} {op} {}", wrap(&a), wrap(&b))),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("not {}", wrap(&a))),
            inner.clone().prop_map(|a| format!("-{}", wrap(&a))),
            (inner.clone(), prop::sample::select(vec!["x", "y"]))
                .prop_map(|(a, f)| format!("({a}).{f}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!(
                "xs.all(e => {} or {})",
                chain_operand(&a),
                chain_operand(&b)
            )),
            (prop::collection::vec(inner.clone(), 0..4), gap())
                .prop_map(|(v, g)| format!("f({})", v.join(&format!(",{g}")))),
            (prop::collection::vec(inner.clone(), 0..4), gap(), gap())
                .prop_map(|(v, g1, g2)| format!("[{g1}{}{g2}]", v.join(", "))),
            (inner.clone(), inner.clone(), inner.clone(), gap(), gap())
                .prop_map(|(c, a, b, g1, g2)| format!("if {c}{g1}then {a}{g2}else {b}")),
            (inner.clone(), inner, gap()).prop_map(|(a, i, g)| format!("a[{i}] ??{g}{}", wrap(&a))),
        ]
    })
}

/// Joins tokens with random whitespace: spaces, newlines, blank lines and
/// comments (trailing when a comment follows a token on its line).
fn spread(parts: Vec<String>, seps: Vec<u8>) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        out.push_str(p);
        let sep = match seps.get(i).copied().unwrap_or(0) % 8 {
            0..=2 => " ",
            3 => "\n",
            4 => "\n\n",
            5 => " # trailing\n",
            6 => "\n  # own line\n",
            _ => "\n\n# own line after a blank\n\n",
        };
        out.push_str(sep);
    }
    out
}

/// A whole program: header, imports, types, evidence, lets, defs, rules.
fn program() -> impl Strategy<Value = String> {
    let rule = (
        prop::sample::select(vec!["block", "warn", "info"]),
        prop::option::of(expr()),
        prop::collection::vec((expr(), prop::option::of("[a-z ]{0,12}")), 1..4),
        any::<bool>(),
    )
        .prop_map(|(sev, when, reqs, controls)| {
            let mut parts = vec![
                "rule r1 \"A rule\" {".to_string(),
                format!("severity {sev}"),
            ];
            if controls {
                parts.push("controls \"NIST-CSF-2.0:PR.AA-05\", \"OWASP-NHI:NHI2\"".into());
            }
            if let Some(w) = when {
                parts.push(format!("when {w}"));
            }
            parts.push("let local = a".into());
            for (e, msg) in reqs {
                match msg {
                    Some(m) => parts.push(format!("require {e} else \"{m} {{a}}\"")),
                    None => parts.push(format!("require {e}")),
                }
            }
            parts.push("}".into());
            parts
        });
    (rule, expr(), expr(), prop::collection::vec(any::<u8>(), 64)).prop_map(
        |(rule, e1, e2, seps)| {
            let mut parts: Vec<String> = vec![
                "gate g {".into(),
                "title \"T\"".into(),
                "}".into(),
                "import std.time as t".into(),
                "enum Kind { one, two, \"three-four\" }".into(),
                "record Item {".into(),
                "name: string".into(),
                "\"odd key\" as odd: int?".into(),
                "tags: [string]".into(),
                "meta: { k: string, v: map<int> }".into(),
                "key name".into(),
                "}".into(),
                "evidence {".into(),
                "xs: [Item]".into(),
                "}".into(),
                "let MAX: int = 3".into(),
                format!("let E1 = {e1}"),
                format!("def p(i: Item, n: int) -> bool = {e2}"),
            ];
            parts.extend(rule);
            spread(parts, seps)
        },
    )
}

/// Same checked program (or same diagnostic codes) for two texts.
fn same_meaning(a: &str, b: &str) -> Result<(), String> {
    compare(
        "generated",
        gate_lang::compile_source("g.gate", a),
        gate_lang::compile_source("g.gate", b),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn generated_programs_format_idempotently_with_the_same_meaning(src in program()) {
        let out = check_format("generated", &src).map_err(TestCaseError::fail)?;
        let Some(out) = out else {
            return Err(TestCaseError::fail(format!("generated program does not parse:\n{src}")));
        };
        same_meaning(&src, &out).map_err(TestCaseError::fail)?;
    }
}

// ------------------------------------------------------------ command line

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gate-fmt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let r = gate(&["fmt", "-"], "rule   r {require a   and b}");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "rule r {\n  require a and b\n}\n");
}

#[test]
fn check_shows_a_diff_and_exits_1_without_writing() {
    let d = temp_dir("check");
    let file = d.join("p.gate");
    std::fs::write(&file, "rule r {require a}\n").unwrap();
    let r = gate(
        &["--color", "never", "fmt", "--check", file.to_str().unwrap()],
        "",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("-rule r {require a}"), "{}", r.stdout);
    assert!(r.stdout.contains("+  require a"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("--- {}", file.display())),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "rule r {require a}\n"
    );
}

#[test]
fn files_and_folders_are_rewritten_in_place_skipping_hidden_and_target() {
    let d = temp_dir("write");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    std::fs::create_dir_all(d.join("target")).unwrap();
    let messy = "rule r {require a}\n";
    for f in ["a.gate", "sub/b.gate", ".hidden/c.gate", "target/d.gate"] {
        std::fs::write(d.join(f), messy).unwrap();
    }
    std::fs::write(d.join("sub/notes.txt"), messy).unwrap();
    let r = gate(&["fmt", d.to_str().unwrap()], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let tidy = "rule r {\n  require a\n}\n";
    assert_eq!(std::fs::read_to_string(d.join("a.gate")).unwrap(), tidy);
    assert_eq!(std::fs::read_to_string(d.join("sub/b.gate")).unwrap(), tidy);
    for f in [".hidden/c.gate", "target/d.gate", "sub/notes.txt"] {
        assert_eq!(std::fs::read_to_string(d.join(f)).unwrap(), messy, "{f}");
    }
    // Formatted now: --check passes and says nothing.
    let r = gate(&["fmt", "--check", d.to_str().unwrap()], "");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
}

#[test]
fn syntax_errors_are_reported_and_the_file_left_alone() {
    let d = temp_dir("syntax");
    let file = d.join("bad.gate");
    std::fs::write(&file, "rule r {\n  require a and\n}\n").unwrap();
    let r = gate(&["--color", "never", "fmt", file.to_str().unwrap()], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("E01"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.gate:3:1"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "rule r {\n  require a and\n}\n"
    );
}

#[test]
fn a_missing_path_is_an_error() {
    let r = gate(&["fmt", "no/such/file.gate"], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("E0911"), "{}", r.stderr);
}
