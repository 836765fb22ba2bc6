//! The hostile-input corpus: every folder under `hostile/` is a case that
//! feeds `gate check` a policy or evidence document written to break it —
//! deep nesting, numbers that cannot be represented, YAML alias bombs,
//! look-alike letters, bidirectional and terminal control characters,
//! import escapes, step-budget exhaustion, errors that must not be absorbed
//! — and states how gate must answer. See `hostile/README.md` for the
//! format of a case.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::gate;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest a case may take: limits make every hostile input cheap to refuse.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// What a case expects, read from its `expected` file.
#[derive(Debug, Default)]
struct Expected {
    args: Vec<String>,
    format: Option<String>,
    exit: Option<i32>,
    outcome: Option<String>,
    codes: Vec<String>,
    has: Vec<String>,
    lacks: Vec<String>,
    max_errors: Option<usize>,
}

/// Resolves the escapes of an `expected` value: `\n`, `\r`, `\t`, `\\` and
/// `\u{…}`.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let rest: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let hex = rest
                    .strip_prefix('{')
                    .ok_or_else(|| format!("bad \\u escape in `{text}`"))?;
                let ch = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("bad \\u escape in `{text}`"))?;
                out.push(ch);
            }
            other => return Err(format!("unknown escape \\{other:?} in `{text}`")),
        }
    }
    Ok(out)
}

fn parse_expected(text: &str) -> Result<Expected, String> {
    let mut e = Expected::default();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("line without `key:`: {line}"))?;
        let value = value.trim();
        match key {
            "args" => e.args.extend(value.split_whitespace().map(str::to_string)),
            "format" => e.format = Some(value.to_string()),
            "exit" => e.exit = Some(value.parse().map_err(|_| format!("bad exit: {value}"))?),
            "outcome" => e.outcome = Some(value.to_string()),
            "codes" => e.codes.extend(value.split_whitespace().map(str::to_string)),
            "has" => e.has.push(unescape(value)?),
            "lacks" => e.lacks.push(unescape(value)?),
            "max-errors" => {
                e.max_errors = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad max-errors: {value}"))?,
                )
            }
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    if e.exit.is_none() {
        return Err("no `exit:`".into());
    }
    Ok(e)
}

/// The codes (`E0603`, `W0110`, …) in a decision record: of each rule's
/// errors.
fn record_codes(record: &serde_json::Value) -> Vec<String> {
    record["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["errors"].as_array().into_iter().flatten())
        .filter_map(|e| e["code"].as_str().map(str::to_string))
        .collect()
}

/// The `gate check` arguments of a case, in `format`.
fn check_args(dir: &Path, expected: &Expected, format: &str) -> Vec<String> {
    let policy = dir.join("policy.gate").display().to_string();
    let evidence = ["json", "yaml", "toml"]
        .iter()
        .map(|ext| dir.join(format!("evidence.{ext}")))
        .find(|p| p.exists())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "-".into());
    let mut args: Vec<String> = [
        "check",
        &policy,
        "--evidence",
        &evidence,
        "--color",
        "never",
        "--format",
        format,
        "--now",
        "2026-06-01T00:00:00Z",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.extend(expected.args.iter().cloned());
    args
}

/// Every JUnit report gate writes for a hostile input is well-formed XML
/// 1.0 (checked by a strict parser): no character XML forbids reaches it.
#[test]
fn every_hostile_case_gives_well_formed_junit() {
    let mut problems = Vec::new();
    for dir in cases() {
        let expected = std::fs::read_to_string(dir.join("expected"))
            .ok()
            .and_then(|t| parse_expected(&t).ok())
            .unwrap_or_default();
        let args = check_args(&dir, &expected, "junit");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = gate(&args, "{}");
        if run.stdout.is_empty() {
            continue;
        }
        if let Err(e) = roxmltree::Document::parse(&run.stdout) {
            problems.push(format!("{}: {e}", dir.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn run_case(dir: &Path) -> Result<(), String> {
    let expected_text = std::fs::read_to_string(dir.join("expected"))
        .map_err(|e| format!("cannot read `expected`: {e}"))?;
    let expected = parse_expected(&expected_text)?;
    let format = expected.format.clone().unwrap_or_else(|| "json".into());
    let args = check_args(dir, &expected, &format);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let run = gate(&args, "{}");
    let took = started.elapsed();
    let mut problems = Vec::new();
    if took > TIME_LIMIT {
        problems.push(format!("took {took:?}, over {TIME_LIMIT:?}"));
    }
    if Some(run.code) != expected.exit {
        problems.push(format!(
            "exit code {} (expected {})",
            run.code,
            expected.exit.unwrap_or_default()
        ));
    }
    let all = format!("{}{}", run.stdout, run.stderr);
    let record: Option<serde_json::Value> = if format == "json" {
        serde_json::from_str(&run.stdout).ok()
    } else {
        None
    };
    if let Some(outcome) = &expected.outcome {
        match &record {
            Some(r) if r["outcome"].as_str() == Some(outcome) => {}
            Some(r) => problems.push(format!("outcome {} (expected {outcome})", r["outcome"])),
            None => problems.push(format!(
                "no decision record on standard output (expected outcome {outcome})"
            )),
        }
    }
    let codes = record.as_ref().map(record_codes).unwrap_or_default();
    for code in &expected.codes {
        if !codes.contains(code) && !all.contains(code.as_str()) {
            problems.push(format!("code {code} not reported"));
        }
    }
    for text in &expected.has {
        if !all.contains(text.as_str()) {
            problems.push(format!("output lacks {text:?}"));
        }
    }
    for text in &expected.lacks {
        if all.contains(text.as_str()) {
            problems.push(format!("output contains {text:?}"));
        }
    }
    if let Some(max) = expected.max_errors {
        let most = record
            .as_ref()
            .and_then(|r| r["rules"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|r| r["errors"].as_array().map(Vec::len))
            .max()
            .unwrap_or_default();
        if most > max {
            problems.push(format!("a rule keeps {most} errors (at most {max})"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let shown: String = all.chars().take(1500).collect();
        Err(format!(
            "{}\n    --- output (first 1500 characters, escaped):\n    {}",
            problems.join("\n    "),
            shown.escape_debug()
        ))
    }
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("hostile")
        .expect("tests/hostile exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_hostile_input_gets_the_expected_answer() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} hostile cases", cases.len());
    let mut failures = Vec::new();
    for dir in &cases {
        if let Err(e) = run_case(dir) {
            failures.push(format!("{}:\n    {e}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_case_has_a_policy_evidence_and_a_reason() {
    for dir in cases() {
        assert!(
            dir.join("policy.gate").exists(),
            "{}: no policy.gate",
            dir.display()
        );
        let expected = std::fs::read_to_string(dir.join("expected")).unwrap();
        assert!(
            expected.starts_with("# "),
            "{}: `expected` should start with a `# why` line",
            dir.display()
        );
        parse_expected(&expected).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
}

#[test]
fn expected_values_unescape() {
    assert_eq!(unescape(r"a\nb\u{1b}\\").unwrap(), "a\nb\u{1b}\\");
    assert!(unescape(r"\q").is_err());
    assert!(parse_expected("# x\nexit: 2\nbogus: 1\n").is_err());
    assert!(parse_expected("# x\ncodes: E0101\n").is_err());
}
