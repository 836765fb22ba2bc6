//! Findings about what expressions compute: `constant-condition`,
//! `vacuous-all` and `duration-as-number`. They work on the checked IR, where
//! every node has a type and names are resolved.

use super::Finding;
use crate::ir::{Builtin, CmpOp, Const, ExprId, Ir, Program, QuantKind, Rule, Step};
use crate::types::Type;

fn ir(p: &Program, id: ExprId) -> Option<&Ir> {
    p.node(id).map(|n| &n.ir)
}

fn span(p: &Program, id: ExprId) -> crate::span::Span {
    p.node(id).map(|n| n.span).unwrap_or_default()
}

/// Whether two expressions are the same computation (same structure,
/// same constants, same variables).
pub(super) fn same(p: &Program, a: ExprId, b: ExprId) -> bool {
    let mut stack = vec![(a, b)];
    let mut steps = 0usize;
    while let Some((a, b)) = stack.pop() {
        steps += 1;
        if steps > 10_000 {
            return false;
        }
        if a == b {
            continue;
        }
        let (Some(x), Some(y)) = (ir(p, a), ir(p, b)) else {
            return false;
        };
        let shallow = match (x, y) {
            (Ir::Const(c), Ir::Const(d)) => c == d,
            (Ir::Root, Ir::Root) => true,
            (Ir::Local(s), Ir::Local(t)) => s == t,
            (Ir::Global(g), Ir::Global(h)) => g == h,
            (
                Ir::Field {
                    record: r1,
                    slot: s1,
                    null_safe: n1,
                    ..
                },
                Ir::Field {
                    record: r2,
                    slot: s2,
                    null_safe: n2,
                    ..
                },
            ) => r1 == r2 && s1 == s2 && n1 == n2,
            (Ir::Compare { op: o1, .. }, Ir::Compare { op: o2, .. }) => o1 == o2,
            (Ir::Arith { op: o1, .. }, Ir::Arith { op: o2, .. }) => o1 == o2,
            (
                Ir::Quant {
                    kind: k1, slot: s1, ..
                },
                Ir::Quant {
                    kind: k2, slot: s2, ..
                },
            ) => k1 == k2 && s1 == s2,
            (Ir::Builtin { func: f1, .. }, Ir::Builtin { func: f2, .. }) => f1 == f2,
            (Ir::Call { func: f1, .. }, Ir::Call { func: f2, .. }) => f1 == f2,
            (Ir::Host { func: f1, .. }, Ir::Host { func: f2, .. }) => f1 == f2,
            (Ir::Includes { key: k1, .. }, Ir::Includes { key: k2, .. }) => k1 == k2,
            (
                Ir::IncludesEach {
                    key: k1, any: a1, ..
                },
                Ir::IncludesEach {
                    key: k2, any: a2, ..
                },
            ) => k1 == k2 && a1 == a2,
            (Ir::And(i1), Ir::And(i2)) | (Ir::Or(i1), Ir::Or(i2)) => i1.len() == i2.len(),
            (Ir::List(_), Ir::List(_))
            | (Ir::Index { .. }, Ir::Index { .. })
            | (Ir::MapGet { .. }, Ir::MapGet { .. })
            | (Ir::Not(_), Ir::Not(_))
            | (Ir::Neg(_), Ir::Neg(_))
            | (Ir::In { .. }, Ir::In { .. })
            | (Ir::Coalesce { .. }, Ir::Coalesce { .. })
            | (Ir::If { .. }, Ir::If { .. })
            | (Ir::Present { .. }, Ir::Present { .. }) => true,
            _ => false,
        };
        if !shallow {
            return false;
        }
        let (ca, cb) = (p.children(a), p.children(b));
        if ca.len() != cb.len() {
            return false;
        }
        stack.extend(ca.into_iter().zip(cb));
    }
    true
}

fn const_of(p: &Program, id: ExprId) -> Option<&Const> {
    match ir(p, id)? {
        Ir::Const(c) => Some(c),
        _ => None,
    }
}

/// Compares two constants of one type.
fn compare_consts(op: CmpOp, a: &Const, b: &Const) -> Option<bool> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (Const::Int(x), Const::Int(y)) => Some(x.cmp(y)),
        (Const::Float(x), Const::Float(y)) => Some(x.cmp(y)),
        (Const::Int(x), Const::Float(y)) => Some(crate::num::Decimal::from_i64(*x).cmp(y)),
        (Const::Float(x), Const::Int(y)) => Some((**x).cmp(&crate::num::Decimal::from_i64(*y))),
        (Const::Str(x), Const::Str(y)) => Some(x.cmp(y)),
        (Const::Time(x), Const::Time(y)) | (Const::Duration(x), Const::Duration(y)) => {
            Some(x.cmp(y))
        }
        (Const::Bool(x), Const::Bool(y)) => Some(x.cmp(y)),
        (Const::Enum(e1, x), Const::Enum(e2, y)) if e1 == e2 => Some(x.cmp(y)),
        (Const::Null, Const::Null) => Some(Ordering::Equal),
        _ => None,
    };
    let ord = ord?;
    Some(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// Whether an expression is a count or a length (never negative).
fn non_negative(p: &Program, id: ExprId) -> bool {
    matches!(
        ir(p, id),
        Some(Ir::Builtin {
            func: Builtin::Len,
            ..
        }) | Some(Ir::Quant {
            kind: QuantKind::Count,
            ..
        })
    )
}

/// The value of `n op k` for every `n >= 0`, if it does not depend on `n`.
fn non_negative_vs(op: CmpOp, k: i64) -> Option<bool> {
    match op {
        CmpOp::Ge if k <= 0 => Some(true),
        CmpOp::Lt if k <= 0 => Some(false),
        CmpOp::Gt if k < 0 => Some(true),
        CmpOp::Le if k < 0 => Some(false),
        CmpOp::Eq if k < 0 => Some(false),
        CmpOp::Ne if k < 0 => Some(true),
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

fn is_negation_of(p: &Program, a: ExprId, b: ExprId) -> bool {
    matches!(ir(p, a), Some(Ir::Not(x)) if same(p, *x, b))
        || matches!(ir(p, b), Some(Ir::Not(y)) if same(p, a, *y))
}

/// The value a boolean expression always has, and why.
fn constant(p: &Program, id: ExprId) -> Option<(bool, String)> {
    match ir(p, id)? {
        Ir::Const(Const::Bool(b)) => Some((*b, format!("it is the literal `{b}`"))),
        Ir::Not(e) => constant(p, *e).map(|(v, why)| (!v, why)),
        Ir::Compare { op, lhs, rhs } => {
            let (op, lhs, rhs) = (*op, *lhs, *rhs);
            if let (Some(a), Some(b)) = (const_of(p, lhs), const_of(p, rhs)) {
                return compare_consts(op, a, b)
                    .map(|v| (v, "both sides are constants".to_string()));
            }
            let float = p.node(lhs).is_some_and(|n| n.ty.non_null() == &Type::Float);
            if !float && same(p, lhs, rhs) {
                let v = matches!(op, CmpOp::Eq | CmpOp::Le | CmpOp::Ge);
                return Some((v, "both sides are the same expression".to_string()));
            }
            let bound = |n: ExprId, k: ExprId, op: CmpOp| match const_of(p, k) {
                Some(Const::Int(k)) if non_negative(p, n) => non_negative_vs(op, *k)
                    .map(|v| (v, format!("`{}` is never negative", p.text(n)))),
                _ => None,
            };
            bound(lhs, rhs, op).or_else(|| bound(rhs, lhs, flip(op)))
        }
        Ir::And(items) => {
            for (e, _) in items {
                if let Some((false, _)) = constant(p, *e) {
                    return Some((false, format!("`{}` is always false", p.text(*e))));
                }
            }
            for (i, (a, _)) in items.iter().enumerate() {
                for (b, _) in items.iter().skip(i + 1) {
                    if is_negation_of(p, *a, *b) {
                        return Some((
                            false,
                            format!("`{}` and `{}` cannot both hold", p.text(*a), p.text(*b)),
                        ));
                    }
                }
            }
            if items
                .iter()
                .all(|(e, _)| matches!(constant(p, *e), Some((true, _))))
            {
                return Some((true, "every part is always true".to_string()));
            }
            None
        }
        Ir::Or(items) => {
            for (e, _) in items {
                if let Some((true, _)) = constant(p, *e) {
                    return Some((true, format!("`{}` is always true", p.text(*e))));
                }
            }
            for (i, (a, _)) in items.iter().enumerate() {
                for (b, _) in items.iter().skip(i + 1) {
                    if is_negation_of(p, *a, *b) {
                        return Some((
                            true,
                            format!("one of `{}` and `{}` always holds", p.text(*a), p.text(*b)),
                        ));
                    }
                }
            }
            if items
                .iter()
                .all(|(e, _)| matches!(constant(p, *e), Some((false, _))))
            {
                return Some((false, "every part is always false".to_string()));
            }
            None
        }
        Ir::In { list, .. } => match ir(p, *list) {
            Some(Ir::List(items)) if items.is_empty() => {
                Some((false, "nothing is in an empty list".to_string()))
            }
            _ => None,
        },
        Ir::Quant { kind, list, .. } => match (kind, ir(p, *list)) {
            (QuantKind::All | QuantKind::None, Some(Ir::List(items))) if items.is_empty() => {
                Some((true, "the list is the empty literal `[]`".to_string()))
            }
            (QuantKind::Any, Some(Ir::List(items))) if items.is_empty() => {
                Some((false, "the list is the empty literal `[]`".to_string()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Where a condition sits, for the message.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Require,
    When,
    Inner,
}

pub(super) fn constant_conditions(p: &Program, out: &mut Vec<Finding>) {
    for rule in &p.rules {
        for step in &rule.steps {
            match step {
                Step::When(e) => visit(p, rule, *e, Place::When, true, out),
                Step::Require(r) => visit(p, rule, r.expr, Place::Require, true, out),
                Step::Let { expr, .. } => visit(p, rule, *expr, Place::Inner, false, out),
            }
        }
    }
}

/// Walks an expression; `cond` says whether the node is in a position
/// whose truth matters (a `require`, a `when`, a part of `and`/`or`/`not`,
/// an `if` condition, a predicate argument).
fn visit(p: &Program, rule: &Rule, root: ExprId, place: Place, cond: bool, out: &mut Vec<Finding>) {
    let mut stack = vec![(root, place, cond)];
    while let Some((id, place, cond)) = stack.pop() {
        let is_bool = p.node(id).is_some_and(|n| n.ty == Type::Bool);
        if cond && is_bool {
            if let Some((value, why)) = constant(p, id) {
                out.push(report(p, rule, id, place, value, &why));
                continue;
            }
        }
        let Some(node) = ir(p, id) else {
            continue;
        };
        match node {
            Ir::And(items) | Ir::Or(items) => {
                stack.extend(items.iter().map(|(e, _)| (*e, Place::Inner, true)));
            }
            Ir::Not(e) => stack.push((*e, Place::Inner, true)),
            Ir::If {
                cond: c,
                then,
                otherwise,
            } => {
                stack.push((*c, Place::Inner, true));
                // `if c then p else true` is "c implies p": a literal
                // branch is the answer for the other case, not a condition.
                for branch in [*then, *otherwise] {
                    let literal = matches!(ir(p, branch), Some(Ir::Const(Const::Bool(_))));
                    stack.push((branch, Place::Inner, cond && !literal));
                }
            }
            Ir::Quant {
                kind, list, body, ..
            } => {
                stack.push((*list, Place::Inner, false));
                // `xs.none(true)` is the idiom for "no element at all, each
                // one explained": a literal predicate is meant.
                let literal = matches!(ir(p, *body), Some(Ir::Const(Const::Bool(_))));
                stack.push((
                    *body,
                    Place::Inner,
                    !matches!(kind, QuantKind::Map | QuantKind::GroupBy) && !literal,
                ));
            }
            _ => stack.extend(p.children(id).into_iter().map(|c| (c, Place::Inner, false))),
        }
    }
}

fn report(p: &Program, rule: &Rule, id: ExprId, place: Place, value: bool, why: &str) -> Finding {
    let text = p.text(id);
    let (message, help) = match (place, value) {
        (Place::Require, true) => (
            format!("this `require` of rule `{}` always holds: {why}", rule.id),
            "it checks nothing: compare the evidence with what it must be",
        ),
        (Place::Require, false) => (
            format!("this `require` of rule `{}` never holds: {why}", rule.id),
            "the rule fails on every evidence document",
        ),
        (Place::When, true) => (
            format!("the `when` of rule `{}` always holds: {why}", rule.id),
            "remove the `when`, or make it depend on the evidence",
        ),
        (Place::When, false) => (
            format!("the `when` of rule `{}` never holds: {why}", rule.id),
            "the rule never applies",
        ),
        (Place::Inner, v) => (
            format!("`{text}` is always {v}: {why}"),
            "a condition that cannot change is a mistake or dead code",
        ),
    };
    Finding::new("constant-condition", span(p, id), message).help(help)
}

// ------------------------------------------------------------ vacuous-all

/// What a rule says about the emptiness of lists: every list expression it
/// tests for emptiness, length or membership.
fn emptiness_checked(p: &Program, rule: &Rule) -> Vec<ExprId> {
    let mut lists = Vec::new();
    for_each_node(p, rule, |id| match ir(p, id) {
        Some(Ir::Builtin {
            func: Builtin::IsEmpty | Builtin::Len | Builtin::First | Builtin::Min | Builtin::Max,
            args,
        }) => lists.extend(args.first().copied()),
        Some(Ir::Quant {
            kind: QuantKind::Any | QuantKind::Count,
            list,
            ..
        }) => lists.push(*list),
        Some(Ir::Includes { list, .. }) => lists.push(*list),
        Some(Ir::In { list, .. }) => lists.push(*list),
        _ => {}
    });
    lists
}

fn for_each_node(p: &Program, rule: &Rule, mut f: impl FnMut(ExprId)) {
    let mut stack: Vec<ExprId> = rule
        .steps
        .iter()
        .map(|s| match s {
            Step::When(e) => *e,
            Step::Let { expr, .. } => *expr,
            Step::Require(r) => r.expr,
        })
        .collect();
    let mut seen = 0usize;
    while let Some(id) = stack.pop() {
        seen += 1;
        if seen > 1_000_000 {
            return;
        }
        f(id);
        stack.extend(p.children(id));
    }
}

/// Whether a list expression comes from the evidence (or a rule `let` over
/// it), rather than from a literal, a constant or the element of an outer
/// quantifier.
fn from_evidence(p: &Program, id: ExprId, lets: &[(u32, ExprId)]) -> bool {
    let mut cur = id;
    for _ in 0..1000 {
        match ir(p, cur) {
            Some(Ir::Field { base, .. }) => cur = *base,
            Some(Ir::Root) => return true,
            Some(Ir::Local(slot)) => {
                return match lets.iter().rev().find(|(s, _)| s == slot) {
                    Some((_, e)) => from_evidence(p, *e, &[]),
                    None => false,
                }
            }
            // A filtered list is expected to be empty at times ("no
            // high-risk tools"); mapping keeps the length.
            Some(Ir::Quant {
                kind: QuantKind::Filter,
                ..
            }) => return false,
            Some(Ir::Quant {
                kind: QuantKind::Map,
                list,
                ..
            }) => cur = *list,
            Some(Ir::Builtin {
                func: Builtin::Unique | Builtin::Flatten | Builtin::Values | Builtin::Keys,
                args,
            }) => match args.first() {
                Some(a) => cur = *a,
                None => return false,
            },
            Some(Ir::Coalesce { lhs, .. }) => cur = *lhs,
            _ => return false,
        }
    }
    false
}

/// Whether a list expression is a path from the evidence root.
fn rooted(p: &Program, id: ExprId) -> bool {
    let mut cur = id;
    for _ in 0..1000 {
        match ir(p, cur) {
            Some(Ir::Field { base, .. }) => cur = *base,
            Some(Ir::Root) => return true,
            _ => return false,
        }
    }
    false
}

pub(super) fn vacuous_all(p: &Program, out: &mut Vec<Finding>) {
    // Lists that a blocking rule which always applies checks for emptiness:
    // an empty one fails the gate whatever other rules say.
    let gate_checked: Vec<ExprId> = p
        .rules
        .iter()
        .filter(|r| {
            r.severity == crate::ir::RuleSeverity::Block
                && !r.steps.iter().any(|s| matches!(s, Step::When(_)))
        })
        .flat_map(|r| emptiness_checked(p, r))
        .filter(|l| rooted(p, *l))
        .collect();
    for rule in &p.rules {
        let mut checked = emptiness_checked(p, rule);
        checked.extend(gate_checked.iter().copied());
        let mut lets: Vec<(u32, ExprId)> = Vec::new();
        for step in &rule.steps {
            let root = match step {
                Step::Let { slot, expr } => {
                    lets.push((*slot, *expr));
                    continue;
                }
                Step::When(e) => *e,
                Step::Require(r) => r.expr,
            };
            let mut stack = vec![root];
            while let Some(id) = stack.pop() {
                stack.extend(p.children(id));
                let Some(Ir::Quant {
                    kind: QuantKind::All,
                    list,
                    ..
                }) = ir(p, id)
                else {
                    continue;
                };
                if !from_evidence(p, *list, &lets) {
                    continue;
                }
                let let_expr = match ir(p, *list) {
                    Some(Ir::Local(slot)) => {
                        lets.iter().rev().find(|(s, _)| s == slot).map(|(_, e)| *e)
                    }
                    _ => None,
                };
                let guarded = checked
                    .iter()
                    .any(|c| same(p, *c, *list) || let_expr.is_some_and(|e| same(p, *c, e)));
                if guarded {
                    continue;
                }
                let list_text = p.text(*list);
                out.push(
                    Finding::new(
                        "vacuous-all",
                        span(p, id),
                        format!(
                            "`{list_text}.all(…)` holds when `{list_text}` is empty, and nothing in the gate checks that it is not"
                        ),
                    )
                    .help(format!(
                        "in rule `{}` (or in a blocking rule without `when`), require `not {list_text}.is_empty()`; or allow this with the reason an empty list is acceptable",
                        rule.id
                    )),
                );
            }
        }
    }
}

// ------------------------------------------------------------ duration-as-number

const UNITS: &[(&str, &str, &str)] = &[
    ("_days", "days", "d"),
    ("_day", "days", "d"),
    ("_hours", "hours", "h"),
    ("_hrs", "hours", "h"),
    ("_minutes", "minutes", "m"),
    ("_mins", "minutes", "m"),
    ("_seconds", "seconds", "s"),
    ("_secs", "seconds", "s"),
    ("_sec", "seconds", "s"),
];

/// The unit a name carries in its suffix: (unit, duration suffix).
fn unit_of(name: &str) -> Option<(&'static str, &'static str)> {
    let lower = name.to_ascii_lowercase();
    UNITS
        .iter()
        .find(|(suffix, _, _)| lower.ends_with(suffix))
        .map(|(_, unit, short)| (*unit, *short))
}

/// The name an int expression is known by: a field or a top-level `let`.
fn name_of(p: &Program, id: ExprId) -> Option<String> {
    match ir(p, id)? {
        Ir::Field { record, slot, .. } => p
            .schema
            .record(*record)?
            .fields
            .get(*slot as usize)
            .map(|f| f.name.clone()),
        Ir::Global(g) => p.globals.get(g.0 as usize).map(|g| g.name.clone()),
        Ir::Coalesce { lhs, .. } => name_of(p, *lhs),
        _ => None,
    }
}

/// The bare number an expression is: a literal, or a `let` of one.
fn bare_number(p: &Program, id: ExprId) -> Option<(i64, Option<String>)> {
    match ir(p, id)? {
        Ir::Const(Const::Int(k)) => Some((*k, None)),
        Ir::Global(g) => {
            let g = p.globals.get(g.0 as usize)?;
            match ir(p, g.expr)? {
                Ir::Const(Const::Int(k)) => Some((*k, Some(g.name.clone()))),
                _ => None,
            }
        }
        _ => None,
    }
}

fn convert_fn(unit: &str) -> &'static str {
    match unit {
        "days" => "days",
        "hours" => "hours",
        _ => "seconds",
    }
}

pub(super) fn duration_as_number(p: &Program, out: &mut Vec<Finding>) {
    for rule in &p.rules {
        for_each_node(p, rule, |id| {
            let Some(Ir::Compare { op, lhs, rhs }) = ir(p, id) else {
                return;
            };
            for (a, b, op) in [(*lhs, *rhs, *op), (*rhs, *lhs, flip(*op))] {
                if let Some(f) =
                    truncated(p, id, a, b, op).or_else(|| unit_in_name(p, id, a, b, op))
                {
                    out.push(f);
                    return;
                }
            }
        });
    }
}

/// `d.days() <= n`
fn truncated(p: &Program, at: ExprId, a: ExprId, b: ExprId, op: CmpOp) -> Option<Finding> {
    let Some(Ir::Builtin { func, args }) = ir(p, a) else {
        return None;
    };
    let (unit, short) = match func {
        Builtin::Days => ("days", "d"),
        Builtin::Hours => ("hours", "h"),
        Builtin::Seconds => ("seconds", "s"),
        _ => return None,
    };
    if p.node(b).map(|n| n.ty.non_null()) != Some(&Type::Int) {
        return None;
    }
    let d = args.first()?;
    let dt = p.text(*d);
    let threshold = match ir(p, b) {
        Some(Ir::Const(Const::Int(k))) => format!("{k}{short}"),
        _ => format!("{}({})", convert_fn(unit), p.text(b)),
    };
    Some(
        Finding::new(
            "duration-as-number",
            span(p, at),
            format!(
                "`{}` turns a duration into whole {unit} before comparing: a part of a day is dropped",
                p.text(a)
            ),
        )
        .help(format!("compare durations: `{dt} {} {threshold}`", op.as_str())),
    )
}

/// `rotation_interval_days <= 90`
fn unit_in_name(p: &Program, at: ExprId, a: ExprId, b: ExprId, op: CmpOp) -> Option<Finding> {
    if p.node(a).map(|n| n.ty.non_null()) != Some(&Type::Int) {
        return None;
    }
    let name = name_of(p, a)?;
    let (unit, short) = unit_of(&name)?;
    let (k, constant) = bare_number(p, b)?;
    let conv = convert_fn(unit);
    let (message, help) = match constant {
        None => (
            format!(
                "`{}` counts {unit}, but is compared with the bare number `{k}`",
                p.text(a)
            ),
            format!(
                "write the threshold with its unit: `{conv}({}) {} {k}{short}`",
                p.text(a),
                op.as_str()
            ),
        ),
        Some(c) => (
            format!(
                "`{}` counts {unit}, but is compared with `{c}`, a bare number",
                p.text(a)
            ),
            format!(
                "declare `let {} = {k}{short}` and compare `{conv}({}) {} {}`",
                strip_unit(&c),
                p.text(a),
                op.as_str(),
                strip_unit(&c)
            ),
        ),
    };
    Some(Finding::new("duration-as-number", span(p, at), message).help(help))
}

/// `MAX_ROTATION_DAYS` → `MAX_ROTATION`.
fn strip_unit(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    for (suffix, _, _) in UNITS {
        if lower.ends_with(suffix) {
            return name
                .get(..name.len() - suffix.len())
                .unwrap_or(name)
                .to_string();
        }
    }
    name.to_string()
}

/// `present-required`: `present(x)` of a field the schema requires, where
/// a missing `x` makes `present` an error rather than `false` (every
/// `present` except one a `block` rule requires at the top of a `require`,
/// and those of the places such a rule requires).
pub(super) fn present_required(p: &Program, out: &mut Vec<Finding>) {
    for rule in &p.rules {
        let mut stack: Vec<ExprId> = rule
            .steps
            .iter()
            .map(|s| match s {
                Step::When(e) => *e,
                Step::Require(r) => r.expr,
                Step::Let { expr, .. } => *expr,
            })
            .collect();
        while let Some(id) = stack.pop() {
            if let Some(Ir::Present {
                args,
                lenient: false,
            }) = ir(p, id)
            {
                for a in args {
                    let required = p
                        .node(*a)
                        .is_some_and(|n| !n.ty.is_optional() && n.ty != Type::Error);
                    if required {
                        out.push(present_required_finding(p, *a));
                    }
                }
            }
            stack.extend(p.children(id));
        }
    }
}

fn present_required_finding(p: &Program, id: ExprId) -> Finding {
    let text = p.text(id);
    let field = text.rsplit('.').next().unwrap_or(text).trim().to_string();
    Finding::new(
        "present-required",
        span(p, id),
        format!(
            "`{text}` is required by the schema: when it is missing, `present({text})` is an error (E0601), not false"
        ),
    )
    .help(format!(
        "declare it optional (`{field}: T?`) if the evidence may leave it out, or check it where its absence fails the gate: `require present({text})` at the top of a `block` rule without `when`"
    ))
}
