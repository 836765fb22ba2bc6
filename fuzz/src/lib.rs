//! Helpers shared by the fuzz targets in `fuzz_targets/`: the invariants
//! they assert, and the fixed set of gates the `eval` target evaluates.
//!
//! Every function here panics (through `assert!`) when an invariant does not
//! hold: a panic is what libFuzzer reports as a crash.

use gate_eval::decision::{Decision, Outcome, RuleOutcome};
use gate_eval::{Policy, RuleSeverity};
use gate_lang::span::{SourceMap, Span};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository root (the parent of this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The gates the `eval` target evaluates, in the order of `policies.txt`
/// (the first word of each line that is not blank or a comment).
pub fn policy_paths() -> Vec<&'static str> {
    include_str!("../policies.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

/// The gates of `policies.txt`, compiled once per process.
pub fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let root = repo_root();
        policy_paths()
            .into_iter()
            .map(|p| {
                let path = root.join(p);
                match Policy::from_file(&path) {
                    Ok(policy) => policy,
                    Err(e) => panic!(
                        "{} does not compile:\n{}",
                        path.display(),
                        e.render(false, 100)
                    ),
                }
            })
            .collect()
    })
}

/// A span lies inside its source text, on character boundaries, and does
/// not run backwards: what the renderers need to slice the text with it.
pub fn assert_span(span: Span, sources: &SourceMap, what: &str) {
    let Some(file) = sources.get(span.source) else {
        panic!("{what}: span {span:?} names a source that is not in the map");
    };
    let text: &str = &file.text;
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "{what}: span {start}..{end} runs backwards");
    assert!(
        end <= text.len(),
        "{what}: span {start}..{end} is past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} splits a character"
    );
}

/// Every span of every diagnostic is valid (see [`assert_span`]).
pub fn assert_error_spans(errors: &[gate_lang::Error], sources: &SourceMap) {
    for e in errors {
        let what = format!("{} {}", e.code(), e);
        assert_span(e.span, sources, &what);
        for l in &e.labels {
            assert_span(l.span, sources, &what);
        }
    }
}

/// Nesting depth of a JSON value as the loaders count it: the root
/// container is 1, scalars are 0. Iterative, for deep values.
pub fn depth(value: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                max = max.max(d + 1);
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            Value::Object(map) => {
                max = max.max(d + 1);
                stack.extend(map.values().map(|i| (i, d + 1)));
            }
            _ => {}
        }
    }
    max
}

/// The longest string (value or object key, in bytes) and the longest array
/// or object (in entries) anywhere in `value`.
pub fn widest(value: &Value) -> (usize, usize) {
    let (mut string, mut list) = (0, 0);
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => string = string.max(s.len()),
            Value::Array(items) => {
                list = list.max(items.len());
                stack.extend(items.iter());
            }
            Value::Object(map) => {
                list = list.max(map.len());
                for (k, i) in map {
                    string = string.max(k.len());
                    stack.push(i);
                }
            }
            _ => {}
        }
    }
    (string, list)
}

/// The invariants of a decision record.
///
/// - each rule's outcome agrees with its failures and errors;
/// - the counts and the gate's outcome are what [`Decision::settle`]
///   computes from the rules;
/// - fail closed: the gate passes only when every applicable `block` and
///   `warn` rule passed with no error, no failure and no waiver;
/// - the record serialises to JSON that says the same outcome.
pub fn assert_decision(d: &Decision, max_failures: usize) {
    for r in &d.rules {
        let id = &r.id;
        assert!(
            r.failures.len() <= max_failures,
            "{id}: more failures kept than the limit"
        );
        assert!(
            r.failures_total >= r.failures.len(),
            "{id}: failures_total below the failures kept"
        );
        assert_eq!(
            r.applicable,
            r.outcome != RuleOutcome::NotApplicable,
            "{id}: applicable"
        );
        let unwaived = r.failures.iter().filter(|f| f.waived_by.is_none()).count();
        match r.outcome {
            RuleOutcome::Pass => {
                assert!(
                    r.errors.is_empty(),
                    "{id}: passed with errors: {:?}",
                    r.errors
                );
                assert_eq!(
                    r.failures_total, 0,
                    "{id}: passed with failures: {:?}",
                    r.failures
                );
            }
            RuleOutcome::Fail => {
                assert!(r.errors.is_empty(), "{id}: failed (not error) with errors");
                assert!(
                    r.failures_total > 0 && !r.failures.is_empty(),
                    "{id}: failed with no failure"
                );
            }
            RuleOutcome::Error => {
                assert!(!r.errors.is_empty(), "{id}: error outcome with no error");
            }
            RuleOutcome::Waived => {
                assert!(r.errors.is_empty(), "{id}: waived with errors");
                assert_eq!(unwaived, 0, "{id}: waived with an unwaived failure");
                assert!(!r.failures.is_empty(), "{id}: waived with nothing to waive");
            }
            RuleOutcome::NotApplicable => {
                assert!(
                    r.errors.is_empty(),
                    "{id}: not applicable with errors: {:?}",
                    r.errors
                );
                assert!(r.failures.is_empty(), "{id}: not applicable with failures");
            }
        }
    }

    let mut settled = d.clone();
    settled.settle();
    assert_eq!(
        settled.outcome, d.outcome,
        "the outcome is not the one the rules give"
    );
    assert_eq!(settled.counts, d.counts, "the counts are not the rules'");
    let c = &d.counts;
    assert_eq!(
        c.pass + c.fail + c.error + c.not_applicable + c.waived,
        c.rules
    );
    assert_eq!(c.rules, d.rules.len());

    if d.outcome == Outcome::Pass {
        for r in &d.rules {
            if r.severity == RuleSeverity::Info || !r.applicable {
                continue;
            }
            assert_eq!(
                r.outcome,
                RuleOutcome::Pass,
                "gate passed but {} is {:?}",
                r.id,
                r.outcome
            );
            assert!(
                r.errors.is_empty() && r.failures.is_empty(),
                "gate passed over {}'s findings",
                r.id
            );
        }
    }
    if d.rules
        .iter()
        .any(|r| r.severity == RuleSeverity::Block && r.outcome == RuleOutcome::Error)
    {
        assert_eq!(
            d.outcome,
            Outcome::Error,
            "a block rule errored but the gate says {:?}",
            d.outcome
        );
    }

    let json: Value = match serde_json::from_str(&d.to_json()) {
        Ok(v) => v,
        Err(e) => panic!("the decision record is not JSON: {e}"),
    };
    assert_eq!(
        json.get("outcome").and_then(Value::as_str),
        Some(d.outcome.as_str())
    );
}

/// Two JSON values are the same: numbers by value (as integers when both
/// are, else as `f64`), objects whatever their key order.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(i), Some(j), _, _) => i == j,
                (_, _, Some(i), Some(j)) => i == j,
                _ => x.as_f64().is_some() && x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}
