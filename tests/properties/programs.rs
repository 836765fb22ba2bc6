//! Generated programs: the properties' schema (`SCHEMA`), top-level `let`s,
//! a `def`, and several rules with guards, local `let`s and `require`s built
//! from the well-typed expressions of `expr`. Generated evidence matches the
//! schema, mismatches it in places, or is garbage.

use super::{evidence, expr, Ty, SCHEMA};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// One top-level item of a generated program, kept apart so that the
/// items can be put in any order.
#[derive(Clone, Debug)]
pub struct Program {
    /// Top-level `let`s, the `def` and the rules, each as source text.
    pub items: Vec<String>,
}

impl Program {
    /// The source, with the items in the given order (indices into `items`).
    pub fn source_in(&self, order: &[usize]) -> String {
        let mut src = SCHEMA.to_string();
        for &i in order {
            src.push_str(&self.items[i]);
            src.push('\n');
        }
        src
    }

    /// The source, items in generated order.
    pub fn source(&self) -> String {
        let order: Vec<usize> = (0..self.items.len()).collect();
        self.source_in(&order)
    }
}

/// A `require` (or `when`) condition: a generated predicate, or one that
/// uses the top-level `let`s, the `def` or a rule-local `let`.
fn condition(local: bool) -> BoxedStrategy<String> {
    let mut v: Vec<(u32, BoxedStrategy<String>)> = vec![
        (6, expr(Ty::Bool, 3, false)),
        (1, (-2i64..6).prop_map(|i| format!("(TOTAL > {i})")).boxed()),
        (
            1,
            expr(Ty::Bool, 1, false)
                .prop_map(|e| format!("(ANY_OK or {e})"))
                .boxed(),
        ),
        (
            1,
            Just("items.all(x => heavy(x, count))".to_string()).boxed(),
        ),
        (
            1,
            expr(Ty::Int, 1, false)
                .prop_map(|e| format!("items.none(x => heavy(x, {e}))"))
                .boxed(),
        ),
    ];
    if local {
        v.push((1, (0i64..5).prop_map(|i| format!("(local <= {i})")).boxed()));
    }
    prop::strategy::Union::new_weighted(v).boxed()
}

/// A rule: severity, guard, local `let`, requires.
type RuleParts = (&'static str, Option<String>, Option<String>, Vec<String>);

fn rule_parts() -> impl Strategy<Value = RuleParts> {
    (
        prop::sample::select(vec!["block", "block", "warn", "info"]),
        prop::option::weighted(0.3, condition(false)),
        prop::option::weighted(0.3, expr(Ty::Int, 2, false)),
        prop::collection::vec(condition(true), 1..4),
    )
}

fn rule_source(id: usize, (severity, when, local, requires): RuleParts) -> String {
    let mut s = format!("rule r{id} \"Rule {id}\" {{\n  severity {severity}\n");
    if let Some(w) = when {
        s.push_str(&format!("  when {w}\n"));
    }
    s.push_str(&format!(
        "  let local = {}\n",
        local.unwrap_or_else(|| "1".into())
    ));
    for r in requires {
        s.push_str(&format!("  require {r} else \"r{id}: {{count}}\"\n"));
    }
    s.push('}');
    s
}

/// A program of one to five rules, two top-level `let`s and a `def`.
pub fn program() -> impl Strategy<Value = Program> {
    (
        expr(Ty::Int, 2, false),
        expr(Ty::Bool, 2, true),
        expr(Ty::Bool, 2, true),
        prop::collection::vec(rule_parts(), 1..6),
    )
        .prop_map(|(total, any_ok, heavy, rules)| {
            let mut items = vec![
                format!("let TOTAL: int = {total}"),
                format!("let ANY_OK = items.any({any_ok})"),
                // The def's body: a generated predicate over the element's
                // fields, applied to the parameter through a one-element list.
                format!("def heavy(i: Item, k: int) -> bool = i.n > k or [i].any({heavy})"),
            ];
            items.extend(
                rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| rule_source(i, r)),
            );
            Program { items }
        })
}

/// Any JSON value: garbage evidence.
pub fn garbage() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        Just(serde_json::json!(18446744073709551615u64)),
        ".{0,8}".prop_map(Value::String),
        prop::sample::select(vec![
            "items",
            "count",
            "2026-05-04T09:00:00Z",
            "90d",
            "high",
            "P1D",
            "",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "items", "count", "flag", "label", "maybe", "now", "limit", "name", "n",
                        "ok", "level", "tags", "at", "x",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| {
                let mut m = Map::new();
                for (k, v) in kv {
                    m.insert(k.to_string(), v);
                }
                Value::Object(m)
            }),
        ]
    })
}

/// Evidence for the schema: mostly matching, sometimes garbage.
pub fn any_evidence() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => evidence(),
        1 => garbage(),
        // The right shape with garbage inside.
        1 => (evidence(), garbage()).prop_map(|(mut e, g)| {
            if let Some(m) = e.as_object_mut() {
                m.insert("items".into(), Value::Array(vec![g]));
            }
            e
        }),
    ]
}

/// Evidence that matches the schema everywhere.
pub fn good_evidence() -> impl Strategy<Value = Value> {
    super::evidence_with(false)
}
