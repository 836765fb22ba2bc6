//! Property tests: the parser and checker never panic on arbitrary input,
//! and every well-typed expression evaluates without panicking, over any
//! evidence (including evidence that does not match the schema), to an
//! outcome that is explained. Over whole generated programs
//! (`properties/*.rs`): load → check → evaluate never panics, mutated
//! evidence never turns a failure into a pass, decisions do not depend on
//! the order of keys, documents or declarations, and every step budget gives
//! the full result or a limit error.
//!
//! Longer runs, by hand: `PROPTEST_CASES=3000 GATE_MUTATE_ALL=1 cargo test
//! -p gate-tests --test all properties::` (about six minutes on two cores; CI runs
//! the defaults in well under a minute).

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Policy, RuleOutcome};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The number of cases: `PROPTEST_CASES` if set (for long runs by hand),
/// else `default` (what CI runs).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

// ------------------------------------------------------------ parser

/// Token soup: sequences of real tokens reach deep parser states that random
/// bytes rarely do.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "gate",
        "g",
        "{",
        "}",
        "rule",
        "r",
        "require",
        "when",
        "let",
        "def",
        "(",
        ")",
        "[",
        "]",
        "x",
        "y.z",
        "and",
        "or",
        "not",
        "in",
        "==",
        "!=",
        "<",
        "<=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "??",
        "?.",
        ".",
        ",",
        ":",
        "=>",
        "->",
        "=",
        "&&",
        "!",
        "if",
        "then",
        "else",
        "true",
        "null",
        "1",
        "2.5",
        "90d",
        "\"s\"",
        "\"{x}\"",
        "2026-05-04T09:00:00Z",
        "record",
        "R",
        "enum",
        "E",
        "evidence",
        "import",
        "\"a.gate\"",
        "key",
        "elements",
        "it",
        "all",
        "any",
        "?",
        "map",
        "<",
        ">",
        "#c\n",
        "\n",
        "module",
        "m",
    ]);
    prop::collection::vec(tokens, 0..60).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    #[test]
    fn parser_never_panics_on_bytes(src in any::<String>()) {
        let _ = gate_lang::parser::parse_file(gate_lang::SourceId(0), &src);
        let _ = gate_lang::compile_source("p.gate", &src);
    }

    #[test]
    fn parser_never_panics_on_token_soup(src in token_soup()) {
        let _ = gate_lang::parser::parse_file(gate_lang::SourceId(0), &src);
        let _ = gate_lang::compile_source("p.gate", &src);
    }
}

// ------------------------------------------------------------ well-typed programs

const SCHEMA: &str = r#"
gate g { title "properties" }
enum Level { low, high }
record Item {
  name: string
  n: int
  f: float
  ok: bool
  level: Level
  opt: int?
  tags: [string]
  at: time
  key name
}
evidence {
  items: [Item]
  count: int
  flag: bool
  label: string
  maybe: int?
  now: time
  limit: duration
}
"#;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Bool,
    Int,
    Str,
    Dur,
}

/// Generates the source of a well-typed expression of type `ty`; `elem` says
/// whether an `Item` is the implicit element (inside `items.all(…)`).
fn expr(ty: Ty, depth: u32, elem: bool) -> BoxedStrategy<String> {
    let leaf: BoxedStrategy<String> = match ty {
        Ty::Bool => {
            let mut v: Vec<BoxedStrategy<String>> = vec![
                Just("true".to_string()).boxed(),
                Just("false".to_string()).boxed(),
                Just("flag".to_string()).boxed(),
                Just("present(maybe)".to_string()).boxed(),
            ];
            if elem {
                v.push(Just("ok".to_string()).boxed());
                v.push(Just("level == high".to_string()).boxed());
                v.push(Just("opt != null".to_string()).boxed());
            }
            prop::strategy::Union::new(v).boxed()
        }
        Ty::Int => {
            let mut v: Vec<BoxedStrategy<String>> = vec![
                (-5i64..100).prop_map(|i| i.to_string()).boxed(),
                Just("count".to_string()).boxed(),
                Just("items.len()".to_string()).boxed(),
                Just("(maybe ?? 0)".to_string()).boxed(),
                Just("9223372036854775807".to_string()).boxed(),
            ];
            if elem {
                v.push(Just("n".to_string()).boxed());
                v.push(Just("(opt ?? 1)".to_string()).boxed());
                v.push(Just("tags.len()".to_string()).boxed());
            }
            prop::strategy::Union::new(v).boxed()
        }
        Ty::Str => {
            let mut v: Vec<BoxedStrategy<String>> = vec![
                Just("\"a\"".to_string()).boxed(),
                Just("\"Ä\"".to_string()).boxed(),
                Just("label".to_string()).boxed(),
            ];
            if elem {
                v.push(Just("name".to_string()).boxed());
            }
            prop::strategy::Union::new(v).boxed()
        }
        Ty::Dur => {
            let mut v: Vec<BoxedStrategy<String>> = vec![
                Just("90d".to_string()).boxed(),
                Just("limit".to_string()).boxed(),
                Just("1h30m".to_string()).boxed(),
            ];
            if elem {
                v.push(Just("(now - at)".to_string()).boxed());
            }
            prop::strategy::Union::new(v).boxed()
        }
    };
    if depth == 0 {
        return leaf;
    }
    let d = depth - 1;
    let rec: BoxedStrategy<String> = match ty {
        Ty::Bool => prop_oneof![
            expr(Ty::Bool, d, elem).prop_map(|a| format!("(not {a})")),
            (expr(Ty::Bool, d, elem), expr(Ty::Bool, d, elem))
                .prop_map(|(a, b)| format!("({a} and {b})")),
            (expr(Ty::Bool, d, elem), expr(Ty::Bool, d, elem))
                .prop_map(|(a, b)| format!("({a} or {b})")),
            (
                expr(Ty::Int, d, elem),
                expr(Ty::Int, d, elem),
                prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="])
            )
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            (expr(Ty::Str, d, elem), expr(Ty::Str, d, elem))
                .prop_map(|(a, b)| format!("({a} == {b})")),
            (expr(Ty::Dur, d, elem), expr(Ty::Dur, d, elem))
                .prop_map(|(a, b)| format!("({a} <= {b})")),
            expr(Ty::Bool, d, true).prop_map(|p| format!("items.all({p})")),
            expr(Ty::Bool, d, true).prop_map(|p| format!("items.any({p})")),
            expr(Ty::Bool, d, true).prop_map(|p| format!("items.none({p})")),
            expr(Ty::Str, d, elem).prop_map(|s| format!("items.includes({s})")),
            expr(Ty::Int, d, elem).prop_map(|i| format!("({i} in [1, 2, 3])")),
            expr(Ty::Str, d, elem).prop_map(|s| format!("{s}.starts_with(\"a\")")),
            (
                expr(Ty::Int, d, elem),
                expr(Ty::Bool, d, elem),
                expr(Ty::Bool, d, elem)
            )
                .prop_map(|(i, a, b)| format!("(if {i} > 3 then {a} else {b})")),
            expr(Ty::Int, d, elem).prop_map(|i| format!("(maybe == null or maybe < {i})")),
        ]
        .boxed(),
        Ty::Int => prop_oneof![
            (
                expr(Ty::Int, d, elem),
                expr(Ty::Int, d, elem),
                prop::sample::select(vec!["+", "-", "*", "/", "%"])
            )
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            expr(Ty::Int, d, elem).prop_map(|a| format!("(-{a})")),
            expr(Ty::Bool, d, true).prop_map(|p| format!("items.count({p})")),
            expr(Ty::Bool, d, true).prop_map(|p| format!("items.filter({p}).len()")),
            expr(Ty::Int, d, true).prop_map(|i| format!("items.map({i}).sum()")),
            expr(Ty::Int, d, true).prop_map(|i| format!("(items.map({i}).max() ?? 0)")),
            (expr(Ty::Int, d, elem), expr(Ty::Int, d, elem))
                .prop_map(|(a, b)| format!("[{a}, {b}][{a} % 2]")),
            expr(Ty::Dur, d, elem).prop_map(|x| format!("{x}.days()")),
        ]
        .boxed(),
        Ty::Str => prop_oneof![
            (expr(Ty::Str, d, elem), expr(Ty::Str, d, elem))
                .prop_map(|(a, b)| format!("({a} + {b})")),
            expr(Ty::Str, d, elem).prop_map(|a| format!("{a}.lower()")),
            expr(Ty::Int, d, elem).prop_map(|a| format!("string({a})")),
        ]
        .boxed(),
        Ty::Dur => prop_oneof![
            (expr(Ty::Dur, d, elem), expr(Ty::Dur, d, elem))
                .prop_map(|(a, b)| format!("({a} + {b})")),
            (expr(Ty::Dur, d, elem), expr(Ty::Int, d, elem))
                .prop_map(|(a, i)| format!("({a} * {i})")),
            expr(Ty::Int, d, elem).prop_map(|i| format!("days({i})")),
        ]
        .boxed(),
    };
    prop_oneof![1 => leaf, 2 => rec].boxed()
}

/// A JSON value for an item field: usually well-typed, sometimes not
/// (never when `bad` is false).
fn field(good: Value, bad: bool) -> BoxedStrategy<Option<Value>> {
    if !bad {
        return Just(Some(good)).boxed();
    }
    prop_oneof![
        12 => Just(Some(good)),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(json!("wrong"))),
        1 => Just(Some(json!(18446744073709551615u64))),
    ]
    .boxed()
}

fn item(bad: bool) -> impl Strategy<Value = Value> {
    let levels = if bad {
        vec!["low", "high", "CRITICAL"]
    } else {
        vec!["low", "high"]
    };
    (
        prop::sample::select(vec!["a", "b", "ab", "Ä"])
            .prop_flat_map(move |s| field(json!(s), bad)),
        (-3i64..5).prop_flat_map(move |n| field(json!(n), bad)),
        field(json!(1.5), bad),
        any::<bool>().prop_flat_map(move |b| field(json!(b), bad)),
        prop::sample::select(levels).prop_flat_map(move |l| field(json!(l), bad)),
        if bad {
            field(json!(2), true)
        } else {
            prop_oneof![
                Just(None),
                Just(Some(Value::Null)),
                (0i64..4).prop_map(|i| Some(json!(i)))
            ]
            .boxed()
        },
        field(json!(["a", "b"]), bad),
        field(json!("2026-01-01T00:00:00Z"), bad),
    )
        .prop_map(|(name, n, f, ok, level, opt, tags, at)| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("name", name),
                ("n", n),
                ("f", f),
                ("ok", ok),
                ("level", level),
                ("opt", opt),
                ("tags", tags),
                ("at", at),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_string(), v);
                }
            }
            Value::Object(m)
        })
}

/// Evidence for `SCHEMA`: sometimes not matching it in places.
fn evidence() -> impl Strategy<Value = Value> {
    evidence_with(true)
}

/// Evidence for `SCHEMA`; with `bad` false, always matching it.
fn evidence_with(bad: bool) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(item(bad), 0..4),
        (0i64..5).prop_flat_map(move |i| field(json!(i), bad)),
        any::<bool>().prop_flat_map(move |b| field(json!(b), bad)),
        field(json!("abc"), bad),
        prop_oneof![Just(None), Just(Some(Value::Null)), Just(Some(json!(5)))],
        field(json!("2026-05-04T09:00:00Z"), bad),
        field(json!("90d"), bad),
    )
        .prop_map(|(items, count, flag, label, maybe, now, limit)| {
            let mut m = serde_json::Map::new();
            m.insert("items".into(), Value::Array(items));
            for (k, v) in [
                ("count", count),
                ("flag", flag),
                ("label", label),
                ("maybe", maybe),
                ("now", now),
                ("limit", limit),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_string(), v);
                }
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(384)))]

    #[test]
    fn well_typed_expressions_evaluate_without_panicking(
        predicate in expr(Ty::Bool, 3, false),
        doc in evidence(),
    ) {
        let src = format!("{SCHEMA}\nrule r {{ require {predicate} }}\n");
        let policy = match Policy::from_source("p.gate", &src) {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("generated program does not check:\n{src}\n{}", e.render(false, 100)))),
        };
        let evidence = gate_eval::Evidence::from_value("doc", doc.clone()).unwrap();
        let options = gate_eval::Options::default().at(gate_eval::jiff::Timestamp::UNIX_EPOCH);
        let decision = policy.evaluate(&evidence, &options);
        let rule = &decision.rules[0];
        match rule.outcome {
            RuleOutcome::Pass => prop_assert!(rule.failures.is_empty() && rule.errors.is_empty()),
            RuleOutcome::Fail => prop_assert!(rule.failures_total > 0 && rule.errors.is_empty()),
            RuleOutcome::Error => prop_assert!(!rule.errors.is_empty()),
            RuleOutcome::NotApplicable | RuleOutcome::Waived => prop_assert!(false, "no guard or waiver, yet {:?}", rule.outcome),
        }
        // The same inputs give the same decision.
        prop_assert_eq!(policy.evaluate(&evidence, &options), decision);
    }
}

// ------------------------------------------------------------ whole programs
//
// The properties below run over generated programs (`properties/programs.rs`):
// evaluation never panics and is consistent (`robust`), garbage evidence never
// turns a failure into a pass (`fail_closed`), decisions do not depend on the
// order of keys, documents or rules (`order`), and every step budget gives
// the full result or a limit error (`budget`).

#[path = "properties/budget.rs"]
mod budget;
#[path = "properties/fail_closed.rs"]
mod fail_closed;
#[path = "properties/order.rs"]
mod order;
#[path = "properties/programs.rs"]
mod programs;
#[path = "properties/robust.rs"]
mod robust;

/// Evaluation options for the generated cases: a fixed clock.
fn options() -> gate_eval::Options {
    gate_eval::Options::default().at(gate_eval::time::timestamp(1_780_000_000_000_000_000))
}

/// Compiles a generated program, which must check.
fn compile(src: &str) -> Result<Policy, TestCaseError> {
    Policy::from_source("p.gate", src).map_err(|e| {
        TestCaseError::fail(format!(
            "generated program does not check:\n{src}\n{}",
            e.render(false, 100)
        ))
    })
}

/// A rule's result as JSON without source locations (which move when the
/// program is reordered): outcome, failures, errors, notes.
fn rule_json(rule: &gate_eval::RuleResult) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("span");
                m.remove("called_from");
                m.values_mut().for_each(strip);
            }
            Value::Array(xs) => xs.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(rule).unwrap();
    strip(&mut v);
    v
}

/// The gate outcome and each rule by id, without source locations.
fn by_id(
    d: &gate_eval::Decision,
) -> (
    gate_eval::Outcome,
    std::collections::BTreeMap<String, Value>,
) {
    (
        d.outcome,
        d.rules
            .iter()
            .map(|r| (r.id.clone(), rule_json(r)))
            .collect(),
    )
}
