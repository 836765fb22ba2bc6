//! Differential test against CEL (the `cel` crate): random evidence and a
//! family of predicates that both languages express — quantifiers (`all`,
//! `any`/`exists`, `none`, `exists_one`, `filter` + size), comparisons,
//! boolean logic, `in`, sizes and counts, null checks — each translated to a
//! gate `require` and to a CEL expression, and also evaluated by a direct
//! reference interpreter over the JSON evidence written here. All three must
//! give the same boolean decision.
//!
//! The generated cases stay inside the part of the two languages where their
//! semantics agree; where they differ (error absorption, absent fields, mixed
//! int/float comparison, null handling, `??`) the generator normalises or
//! leaves the case out, and `docs/security.md` ("Differences from CEL")
//! documents why. `cel_differences_are_as_documented` pins those differences
//! so that a change on either side is noticed.
//!
//! `PROPTEST_CASES=N` sets the number of generated cases (2,000 by default,
//! each with several predicates).

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, Options, Policy, RuleOutcome};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

// ------------------------------------------------------------ the schema

/// The gate's schema. Every predicate below reads evidence of this shape,
/// and the generated evidence always matches it (mismatching evidence is an
/// error in gate and is covered by `tests/properties.rs`).
const SCHEMA: &str = r#"
gate d { title "differential" }
record Sub {
  v: int
  ok: bool
  tag: string
}
record Item {
  name: string
  n: int
  ok: bool
  opt: int?
  tags: [string]
  subs: [Sub]
}
evidence {
  items: [Item]
  rn: int
  rs: string
  rb: bool
  ropt: int?
  rtags: [string]
  rnums: [int]
}
"#;

/// The evidence root's fields: each is a CEL variable too.
const ROOT_FIELDS: [&str; 7] = ["items", "rn", "rs", "rb", "ropt", "rtags", "rnums"];

/// Strings: short, overlapping, some beyond ASCII, one empty.
const WORDS: [&str; 7] = ["", "a", "ab", "b", "ba", "é", "aé"];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS.to_vec()).prop_map(str::to_string)
}

fn small_int() -> impl Strategy<Value = i64> {
    -3i64..8
}

fn sub() -> impl Strategy<Value = Value> {
    (small_int(), any::<bool>(), word())
        .prop_map(|(v, ok, tag)| json!({"v": v, "ok": ok, "tag": tag}))
}

/// An optional int: a number, `null`, or absent (`None`).
fn opt_int() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => small_int().prop_map(|i| Some(json!(i))),
        1 => Just(Some(Value::Null)),
        1 => Just(None),
    ]
}

fn item() -> impl Strategy<Value = Value> {
    (
        word(),
        small_int(),
        any::<bool>(),
        opt_int(),
        prop::collection::vec(word(), 0..3),
        prop::collection::vec(sub(), 0..3),
    )
        .prop_map(|(name, n, ok, opt, tags, subs)| {
            let mut m = Map::new();
            m.insert("name".into(), json!(name));
            m.insert("n".into(), json!(n));
            m.insert("ok".into(), json!(ok));
            if let Some(o) = opt {
                m.insert("opt".into(), o);
            }
            m.insert("tags".into(), json!(tags));
            m.insert("subs".into(), Value::Array(subs));
            Value::Object(m)
        })
}

fn evidence() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(item(), 0..5),
        small_int(),
        word(),
        any::<bool>(),
        opt_int(),
        prop::collection::vec(word(), 0..4),
        prop::collection::vec(small_int(), 0..4),
    )
        .prop_map(|(items, rn, rs, rb, ropt, rtags, rnums)| {
            let mut m = Map::new();
            m.insert("items".into(), Value::Array(items));
            m.insert("rn".into(), json!(rn));
            m.insert("rs".into(), json!(rs));
            m.insert("rb".into(), json!(rb));
            if let Some(o) = ropt {
                m.insert("ropt".into(), o);
            }
            m.insert("rtags".into(), json!(rtags));
            m.insert("rnums".into(), json!(rnums));
            Value::Object(m)
        })
}

// ------------------------------------------------------------ predicates

/// What a name in scope holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Item,
    Sub,
    Str,
    Int,
}

/// A place holding a value: the evidence root or a bound variable, then
/// fields.
#[derive(Clone, Debug)]
struct Place {
    /// `None`: the evidence root; `Some(i)`: the variable `x{i}`.
    var: Option<usize>,
    field: Option<&'static str>,
}

#[derive(Clone, Debug)]
enum List {
    /// `items`, `rtags`, `rnums`, `x.tags` or `x.subs`.
    Place(Place, Kind),
    /// `xs.filter(x => p)`.
    Filter(Box<List>, usize, Box<B>),
}

#[derive(Clone, Debug)]
enum I {
    Lit(i64),
    Place(Place),
    /// `opt ?? d` (CEL: `opt == null ? d : opt`).
    OrElse(Place, i64),
    Size(Box<List>),
    StrLen(Box<S>),
    Count(Box<List>, usize, Box<B>),
    Add(Box<I>, Box<I>),
    Sub(Box<I>, Box<I>),
    If(Box<B>, Box<I>, Box<I>),
}

#[derive(Clone, Debug)]
enum S {
    Lit(&'static str),
    Place(Place),
}

#[derive(Clone, Copy, Debug)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug)]
enum Quant {
    All,
    Any,
    None,
    ExistsOne,
}

#[derive(Clone, Debug)]
enum B {
    Lit(bool),
    Place(Place),
    Not(Box<B>),
    And(Box<B>, Box<B>),
    Or(Box<B>, Box<B>),
    Eq(Box<B>, Box<B>),
    If(Box<B>, Box<B>, Box<B>),
    Int(Cmp, I, I),
    Str(Cmp, S, S),
    StartsWith(S, &'static str),
    Contains(S, &'static str),
    IntIn(I, Vec<i64>),
    StrIn(S, Vec<&'static str>),
    /// `s in xs` with `xs` a list of strings.
    StrInList(S, Box<List>),
    /// `i in xs` with `xs` a list of ints.
    IntInList(I, Box<List>),
    Quant(Quant, Box<List>, usize, Box<B>),
    /// `opt == null` (or `!=`).
    IsNull(Place, bool),
    /// `opt != null and opt CMP i` (guarded in gate, short-circuit in CEL).
    Guarded(Place, Cmp, I),
    /// `filter(p).len() CMP k` (CEL: `size(xs.filter(x, p)) CMP k`).
    FilterSize(Box<List>, usize, Box<B>, Cmp, i64),
}

/// Draws choices from a sequence that proptest generates and shrinks: an
/// exhausted sequence gives 0, and choice 0 is always the simplest option,
/// so shrinking the sequence simplifies the predicate.
struct Choices<'a> {
    data: &'a [u16],
    pos: usize,
}

impl Choices<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        usize::from(v) % n.max(1)
    }
    fn int(&mut self) -> i64 {
        self.pick(12) as i64 - 3
    }
    fn word(&mut self) -> &'static str {
        WORDS[self.pick(WORDS.len())]
    }
    fn cmp(&mut self) -> Cmp {
        [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge][self.pick(6)]
    }
}

/// The variables in scope, by index, with what they hold.
type Scope = Vec<Kind>;

/// A place of a record type (the root or an `Item`/`Sub` variable) holding
/// a field of the given scalar kind, or a scalar variable itself.
fn places(scope: &Scope, want: &str) -> Vec<Place> {
    let mut out = Vec::new();
    let root = |f| Place {
        var: None,
        field: Some(f),
    };
    let var = |i, f| Place {
        var: Some(i),
        field: f,
    };
    match want {
        "int" => out.push(root("rn")),
        "str" => out.push(root("rs")),
        "bool" => out.push(root("rb")),
        "opt" => out.push(root("ropt")),
        _ => {}
    }
    for (i, k) in scope.iter().enumerate() {
        match (k, want) {
            (Kind::Item, "int") => out.push(var(i, Some("n"))),
            (Kind::Item, "str") => out.push(var(i, Some("name"))),
            (Kind::Item, "bool") => out.push(var(i, Some("ok"))),
            (Kind::Item, "opt") => out.push(var(i, Some("opt"))),
            (Kind::Sub, "int") => out.push(var(i, Some("v"))),
            (Kind::Sub, "str") => out.push(var(i, Some("tag"))),
            (Kind::Sub, "bool") => out.push(var(i, Some("ok"))),
            (Kind::Int, "int") => out.push(var(i, None)),
            (Kind::Str, "str") => out.push(var(i, None)),
            _ => {}
        }
    }
    out
}

fn place(c: &mut Choices, scope: &Scope, want: &str) -> Place {
    let mut all = places(scope, want);
    // Prefer the innermost variable (two times in three): it makes the
    // nesting matter. Choice 0 is the root field, the simplest.
    let i = match c.pick(3) {
        0 => c.pick(all.len()),
        _ => all.len() - 1,
    };
    all.swap_remove(i)
}

/// A list in scope of the wanted element kind (`None`: any kind).
fn list(c: &mut Choices, scope: &Scope, want: Option<Kind>, depth: u32) -> List {
    let mut all: Vec<(Place, Kind)> = vec![
        (
            Place {
                var: None,
                field: Some("items"),
            },
            Kind::Item,
        ),
        (
            Place {
                var: None,
                field: Some("rtags"),
            },
            Kind::Str,
        ),
        (
            Place {
                var: None,
                field: Some("rnums"),
            },
            Kind::Int,
        ),
    ];
    for (i, k) in scope.iter().enumerate() {
        if *k == Kind::Item {
            all.push((
                Place {
                    var: Some(i),
                    field: Some("subs"),
                },
                Kind::Sub,
            ));
            all.push((
                Place {
                    var: Some(i),
                    field: Some("tags"),
                },
                Kind::Str,
            ));
        }
    }
    all.retain(|(_, k)| want.is_none_or(|w| w == *k));
    all.reverse();
    let (p, k) = all.swap_remove(c.pick(all.len()));
    let base = List::Place(p, k);
    if depth > 0 && c.pick(4) == 3 {
        let v = scope.len();
        let mut inner = scope.clone();
        inner.push(k);
        let pred = boolean(c, &inner, depth - 1);
        List::Filter(Box::new(base), v, Box::new(pred))
    } else {
        base
    }
}

fn list_kind(l: &List) -> Kind {
    match l {
        List::Place(_, k) => *k,
        List::Filter(inner, _, _) => list_kind(inner),
    }
}

fn int(c: &mut Choices, scope: &Scope, depth: u32) -> I {
    let n = if depth == 0 { 2 } else { 9 };
    match c.pick(n) {
        0 => I::Lit(c.int()),
        1 => I::Place(place(c, scope, "int")),
        2 => I::OrElse(place(c, scope, "opt"), c.int()),
        3 => I::Size(Box::new(list(c, scope, None, depth - 1))),
        4 => I::StrLen(Box::new(string(c, scope))),
        5 => {
            let l = list(c, scope, None, depth - 1);
            let mut inner = scope.clone();
            inner.push(list_kind(&l));
            let v = scope.len();
            I::Count(Box::new(l), v, Box::new(boolean(c, &inner, depth - 1)))
        }
        6 => I::Add(
            Box::new(int(c, scope, depth - 1)),
            Box::new(int(c, scope, depth - 1)),
        ),
        7 => I::Sub(
            Box::new(int(c, scope, depth - 1)),
            Box::new(int(c, scope, depth - 1)),
        ),
        _ => I::If(
            Box::new(boolean(c, scope, depth - 1)),
            Box::new(int(c, scope, depth - 1)),
            Box::new(int(c, scope, depth - 1)),
        ),
    }
}

fn string(c: &mut Choices, scope: &Scope) -> S {
    match c.pick(3) {
        0 => S::Lit(c.word()),
        _ => S::Place(place(c, scope, "str")),
    }
}

fn boolean(c: &mut Choices, scope: &Scope, depth: u32) -> B {
    // Below the leaves (0..=8), quantifiers take the most room.
    let n = if depth == 0 { 9 } else { 30 };
    let d = depth.saturating_sub(1);
    match c.pick(n) {
        0 => B::Lit(c.pick(2) == 1),
        1 => B::Place(place(c, scope, "bool")),
        2 => B::Int(c.cmp(), int(c, scope, 0), int(c, scope, 0)),
        3 => B::Str(c.cmp(), string(c, scope), string(c, scope)),
        4 => B::StartsWith(string(c, scope), c.word()),
        5 => B::Contains(string(c, scope), c.word()),
        6 => {
            let k = c.pick(4);
            B::IntIn(int(c, scope, 0), (0..k).map(|_| c.int()).collect())
        }
        7 => {
            let k = c.pick(4);
            B::StrIn(string(c, scope), (0..k).map(|_| c.word()).collect())
        }
        8 => B::IsNull(place(c, scope, "opt"), c.pick(2) == 1),
        9 => B::Not(Box::new(boolean(c, scope, d))),
        10 => B::And(
            Box::new(boolean(c, scope, d)),
            Box::new(boolean(c, scope, d)),
        ),
        11 => B::Or(
            Box::new(boolean(c, scope, d)),
            Box::new(boolean(c, scope, d)),
        ),
        12 => B::Eq(
            Box::new(boolean(c, scope, d)),
            Box::new(boolean(c, scope, d)),
        ),
        13 => B::If(
            Box::new(boolean(c, scope, d)),
            Box::new(boolean(c, scope, d)),
            Box::new(boolean(c, scope, d)),
        ),
        14 => B::Int(c.cmp(), int(c, scope, d), int(c, scope, d)),
        15 => B::StrInList(
            string(c, scope),
            Box::new(list(c, scope, Some(Kind::Str), d)),
        ),
        16 => B::IntInList(
            int(c, scope, d),
            Box::new(list(c, scope, Some(Kind::Int), d)),
        ),
        17 => B::Guarded(place(c, scope, "opt"), c.cmp(), int(c, scope, d)),
        18..=20 => {
            let l = list(c, scope, None, d);
            let mut inner = scope.clone();
            inner.push(list_kind(&l));
            let v = scope.len();
            let p = boolean(c, &inner, d);
            B::FilterSize(Box::new(l), v, Box::new(p), c.cmp(), c.pick(3) as i64)
        }
        _ => {
            let q = [Quant::All, Quant::Any, Quant::None, Quant::ExistsOne][c.pick(4)];
            let l = list(c, scope, None, d);
            let mut inner = scope.clone();
            inner.push(list_kind(&l));
            let v = scope.len();
            B::Quant(q, Box::new(l), v, Box::new(boolean(c, &inner, d)))
        }
    }
}

fn predicate(choices: &[u16]) -> B {
    let mut c = Choices {
        data: choices,
        pos: 0,
    };
    boolean(&mut c, &Vec::new(), 3)
}

// ------------------------------------------------------------ to gate

fn g_place(p: &Place) -> String {
    match (p.var, p.field) {
        (None, Some(f)) => f.to_string(),
        (Some(i), Some(f)) => format!("x{i}.{f}"),
        (Some(i), None) => format!("x{i}"),
        (None, None) => "it".into(),
    }
}

fn g_cmp(c: Cmp) -> &'static str {
    match c {
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
    }
}

fn g_str_lit(s: &str) -> String {
    format!("{s:?}")
}

fn g_list(l: &List) -> String {
    match l {
        List::Place(p, _) => g_place(p),
        List::Filter(inner, v, p) => format!("{}.filter(x{v} => {})", g_list(inner), g_bool(p)),
    }
}

fn g_int(e: &I) -> String {
    match e {
        I::Lit(i) => format!("({i})"),
        I::Place(p) => g_place(p),
        I::OrElse(p, d) => format!("({} ?? ({d}))", g_place(p)),
        I::Size(l) => format!("{}.len()", g_list(l)),
        I::StrLen(s) => format!("{}.len()", g_str(s)),
        I::Count(l, v, p) => format!("{}.count(x{v} => {})", g_list(l), g_bool(p)),
        I::Add(a, b) => format!("({} + {})", g_int(a), g_int(b)),
        I::Sub(a, b) => format!("({} - {})", g_int(a), g_int(b)),
        I::If(c, a, b) => format!("(if {} then {} else {})", g_bool(c), g_int(a), g_int(b)),
    }
}

fn g_str(s: &S) -> String {
    match s {
        S::Lit(w) => g_str_lit(w),
        S::Place(p) => g_place(p),
    }
}

fn g_bool(e: &B) -> String {
    match e {
        B::Lit(b) => b.to_string(),
        B::Place(p) => g_place(p),
        B::Not(a) => format!("(not {})", g_bool(a)),
        B::And(a, b) => format!("({} and {})", g_bool(a), g_bool(b)),
        B::Or(a, b) => format!("({} or {})", g_bool(a), g_bool(b)),
        B::Eq(a, b) => format!("({} == {})", g_bool(a), g_bool(b)),
        B::If(c, a, b) => format!("(if {} then {} else {})", g_bool(c), g_bool(a), g_bool(b)),
        B::Int(op, a, b) => format!("({} {} {})", g_int(a), g_cmp(*op), g_int(b)),
        B::Str(op, a, b) => format!("({} {} {})", g_str(a), g_cmp(*op), g_str(b)),
        B::StartsWith(s, w) => format!("{}.starts_with({})", g_str(s), g_str_lit(w)),
        B::Contains(s, w) => format!("{}.contains({})", g_str(s), g_str_lit(w)),
        B::IntIn(i, xs) => format!(
            "({} in [{}])",
            g_int(i),
            xs.iter()
                .map(|x| format!("({x})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        B::StrIn(s, xs) => format!(
            "({} in [{}])",
            g_str(s),
            xs.iter()
                .map(|x| g_str_lit(x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        B::StrInList(s, l) => format!("({} in {})", g_str(s), g_list(l)),
        B::IntInList(i, l) => format!("({} in {})", g_int(i), g_list(l)),
        B::Quant(q, l, v, p) => {
            let body = g_bool(p);
            match q {
                Quant::All => format!("{}.all(x{v} => {body})", g_list(l)),
                Quant::Any => format!("{}.any(x{v} => {body})", g_list(l)),
                Quant::None => format!("{}.none(x{v} => {body})", g_list(l)),
                Quant::ExistsOne => format!("({}.count(x{v} => {body}) == 1)", g_list(l)),
            }
        }
        B::IsNull(p, null) => {
            format!("({} {} null)", g_place(p), if *null { "==" } else { "!=" })
        }
        B::Guarded(p, op, i) => format!(
            "({} != null and {} {} {})",
            g_place(p),
            g_place(p),
            g_cmp(*op),
            g_int(i)
        ),
        B::FilterSize(l, v, p, op, k) => format!(
            "({}.filter(x{v} => {}).len() {} {k})",
            g_list(l),
            g_bool(p),
            g_cmp(*op)
        ),
    }
}

// ------------------------------------------------------------ to CEL

fn c_list(l: &List) -> String {
    match l {
        List::Place(p, _) => g_place(p),
        List::Filter(inner, v, p) => format!("{}.filter(x{v}, {})", c_list(inner), c_bool(p)),
    }
}

fn c_str_lit(s: &str) -> String {
    // CEL string literals take the same escapes as Rust's debug format for
    // the characters used here (plain text, no quotes or backslashes).
    format!("{s:?}")
}

fn c_int(e: &I) -> String {
    match e {
        I::Lit(i) => format!("({i})"),
        I::Place(p) => g_place(p),
        I::OrElse(p, d) => {
            let x = g_place(p);
            format!("({x} == null ? ({d}) : {x})")
        }
        I::Size(l) => format!("size({})", c_list(l)),
        I::StrLen(s) => format!("size({})", c_str(s)),
        I::Count(l, v, p) => format!("size({}.filter(x{v}, {}))", c_list(l), c_bool(p)),
        I::Add(a, b) => format!("({} + {})", c_int(a), c_int(b)),
        I::Sub(a, b) => format!("({} - {})", c_int(a), c_int(b)),
        I::If(c, a, b) => format!("({} ? {} : {})", c_bool(c), c_int(a), c_int(b)),
    }
}

fn c_str(s: &S) -> String {
    match s {
        S::Lit(w) => c_str_lit(w),
        S::Place(p) => g_place(p),
    }
}

fn c_bool(e: &B) -> String {
    match e {
        B::Lit(b) => b.to_string(),
        B::Place(p) => g_place(p),
        B::Not(a) => format!("!({})", c_bool(a)),
        B::And(a, b) => format!("({} && {})", c_bool(a), c_bool(b)),
        B::Or(a, b) => format!("({} || {})", c_bool(a), c_bool(b)),
        B::Eq(a, b) => format!("({} == {})", c_bool(a), c_bool(b)),
        B::If(c, a, b) => format!("({} ? {} : {})", c_bool(c), c_bool(a), c_bool(b)),
        B::Int(op, a, b) => format!("({} {} {})", c_int(a), g_cmp(*op), c_int(b)),
        B::Str(op, a, b) => format!("({} {} {})", c_str(a), g_cmp(*op), c_str(b)),
        B::StartsWith(s, w) => format!("{}.startsWith({})", c_str(s), c_str_lit(w)),
        B::Contains(s, w) => format!("{}.contains({})", c_str(s), c_str_lit(w)),
        B::IntIn(i, xs) => format!(
            "({} in [{}])",
            c_int(i),
            xs.iter()
                .map(|x| format!("({x})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        B::StrIn(s, xs) => format!(
            "({} in [{}])",
            c_str(s),
            xs.iter()
                .map(|x| c_str_lit(x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        B::StrInList(s, l) => format!("({} in {})", c_str(s), c_list(l)),
        B::IntInList(i, l) => format!("({} in {})", c_int(i), c_list(l)),
        B::Quant(q, l, v, p) => {
            let body = c_bool(p);
            match q {
                Quant::All => format!("{}.all(x{v}, {body})", c_list(l)),
                Quant::Any => format!("{}.exists(x{v}, {body})", c_list(l)),
                Quant::None => format!("!{}.exists(x{v}, {body})", c_list(l)),
                Quant::ExistsOne => format!("{}.exists_one(x{v}, {body})", c_list(l)),
            }
        }
        B::IsNull(p, null) => {
            format!("({} {} null)", g_place(p), if *null { "==" } else { "!=" })
        }
        B::Guarded(p, op, i) => format!(
            "({} != null && {} {} {})",
            g_place(p),
            g_place(p),
            g_cmp(*op),
            c_int(i)
        ),
        B::FilterSize(l, v, p, op, k) => format!(
            "(size({}.filter(x{v}, {})) {} {k})",
            c_list(l),
            c_bool(p),
            g_cmp(*op)
        ),
    }
}

/// The evidence as CEL values. Absent optional fields become `null`: in CEL
/// reading an absent map key is an error, in gate an absent `T?` field is
/// `null` (a documented difference, normalised here).
fn to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(xs) => cel::Value::List(Arc::new(xs.iter().map(to_cel).collect())),
        Value::Object(m) => {
            let mut out: HashMap<String, cel::Value> =
                m.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            // An item: fill the optional field.
            if m.contains_key("subs") {
                out.entry("opt".into()).or_insert(cel::Value::Null);
            }
            cel::Value::from(out)
        }
    }
}

fn cel_eval(expr: &str, evidence: &Value) -> Result<bool, String> {
    let program = cel::Program::compile(expr).map_err(|e| format!("CEL parse: {e}"))?;
    let mut ctx = cel::Context::default();
    for f in ROOT_FIELDS {
        let v = evidence.get(f).map(to_cel).unwrap_or(cel::Value::Null);
        ctx.add_variable_from_value(f, v);
    }
    match program.execute(&ctx) {
        Ok(cel::Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("CEL gave {other:?}")),
        Err(e) => Err(format!("CEL error: {e}")),
    }
}

// ------------------------------------------------------------ reference

/// A direct interpreter of the predicate over the JSON evidence: the third
/// opinion. Absent and `null` are the same for optional fields.
struct Reference<'a> {
    root: &'a Value,
    vars: Vec<&'a Value>,
}

const NULL: Value = Value::Null;

impl<'a> Reference<'a> {
    fn place(&self, p: &Place) -> &'a Value {
        let base = match p.var {
            None => self.root,
            Some(i) => self.vars[i],
        };
        match p.field {
            Some(f) => base.get(f).unwrap_or(&NULL),
            None => base,
        }
    }

    fn list(&mut self, l: &List) -> Vec<&'a Value> {
        match l {
            List::Place(p, _) => self.place(p).as_array().unwrap().iter().collect(),
            List::Filter(inner, v, p) => {
                let xs = self.list(inner);
                let mut out = Vec::new();
                for x in xs {
                    if self.with(*v, x, |r| r.bool(p)) {
                        out.push(x);
                    }
                }
                out
            }
        }
    }

    /// How many elements of `l` satisfy `p` (bound to `x{v}`).
    fn held(&mut self, l: &List, v: usize, p: &B) -> usize {
        let xs = self.list(l);
        let mut n = 0;
        for x in xs {
            if self.with(v, x, |r| r.bool(p)) {
                n += 1;
            }
        }
        n
    }

    fn with<T>(&mut self, v: usize, x: &'a Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.vars.truncate(v);
        self.vars.push(x);
        let out = f(self);
        self.vars.truncate(v);
        out
    }

    fn int(&mut self, e: &I) -> i64 {
        match e {
            I::Lit(i) => *i,
            I::Place(p) => self.place(p).as_i64().unwrap(),
            I::OrElse(p, d) => self.place(p).as_i64().unwrap_or(*d),
            I::Size(l) => self.list(l).len() as i64,
            I::StrLen(s) => self.str(s).chars().count() as i64,
            I::Count(l, v, p) => self.held(l, *v, p) as i64,
            I::Add(a, b) => self.int(a) + self.int(b),
            I::Sub(a, b) => self.int(a) - self.int(b),
            I::If(c, a, b) => {
                if self.bool(c) {
                    self.int(a)
                } else {
                    self.int(b)
                }
            }
        }
    }

    fn str(&self, s: &S) -> &'a str {
        match s {
            S::Lit(w) => w,
            S::Place(p) => self.place(p).as_str().unwrap(),
        }
    }

    fn bool(&mut self, e: &B) -> bool {
        fn cmp<T: Ord>(op: Cmp, a: T, b: T) -> bool {
            match op {
                Cmp::Eq => a == b,
                Cmp::Ne => a != b,
                Cmp::Lt => a < b,
                Cmp::Le => a <= b,
                Cmp::Gt => a > b,
                Cmp::Ge => a >= b,
            }
        }
        match e {
            B::Lit(b) => *b,
            B::Place(p) => self.place(p).as_bool().unwrap(),
            B::Not(a) => !self.bool(a),
            B::And(a, b) => {
                let a = self.bool(a);
                let b = self.bool(b);
                a && b
            }
            B::Or(a, b) => {
                let a = self.bool(a);
                let b = self.bool(b);
                a || b
            }
            B::Eq(a, b) => self.bool(a) == self.bool(b),
            B::If(c, a, b) => {
                if self.bool(c) {
                    self.bool(a)
                } else {
                    self.bool(b)
                }
            }
            B::Int(op, a, b) => {
                let a = self.int(a);
                let b = self.int(b);
                cmp(*op, a, b)
            }
            B::Str(op, a, b) => cmp(*op, self.str(a), self.str(b)),
            B::StartsWith(s, w) => self.str(s).starts_with(w),
            B::Contains(s, w) => self.str(s).contains(w),
            B::IntIn(i, xs) => xs.contains(&self.int(i)),
            B::StrIn(s, xs) => xs.contains(&self.str(s)),
            B::StrInList(s, l) => {
                let s = self.str(s);
                self.list(l).iter().any(|x| x.as_str() == Some(s))
            }
            B::IntInList(i, l) => {
                let i = self.int(i);
                self.list(l).iter().any(|x| x.as_i64() == Some(i))
            }
            B::Quant(q, l, v, p) => {
                let n = self.list(l).len();
                let held = self.held(l, *v, p);
                match q {
                    Quant::All => held == n,
                    Quant::Any => held > 0,
                    Quant::None => held == 0,
                    Quant::ExistsOne => held == 1,
                }
            }
            B::IsNull(p, null) => self.place(p).is_null() == *null,
            B::Guarded(p, op, i) => match self.place(p).as_i64() {
                Some(x) => cmp(*op, x, self.int(i)),
                None => false,
            },
            B::FilterSize(l, v, p, op, k) => {
                let n = self.held(l, *v, p) as i64;
                cmp(*op, n, *k)
            }
        }
    }
}

fn reference(pred: &B, evidence: &Value) -> bool {
    Reference {
        root: evidence,
        vars: Vec::new(),
    }
    .bool(pred)
}

// ------------------------------------------------------------ the test

/// Predicates per generated case: one gate with a rule each.
const PER_CASE: usize = 4;

fn choice_lists() -> impl Strategy<Value = Vec<Vec<u16>>> {
    prop::collection::vec(prop::collection::vec(any::<u16>(), 0..48), PER_CASE)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2000)))]

    #[test]
    fn gate_cel_and_the_reference_agree(choices in choice_lists(), doc in evidence()) {
        let preds: Vec<B> = choices.iter().map(|c| predicate(c)).collect();
        let mut src = SCHEMA.to_string();
        for (i, p) in preds.iter().enumerate() {
            src.push_str(&format!("rule p{i} {{\n  require {}\n}}\n", g_bool(p)));
        }
        let policy = Policy::from_source("d.gate", &src).map_err(|e| {
            TestCaseError::fail(format!("generated gate does not check:\n{src}\n{}", e.render(false, 100)))
        })?;
        let evidence = Evidence::from_value("doc", doc.clone()).unwrap();
        let options = Options::default().at(gate_eval::jiff::Timestamp::UNIX_EPOCH);
        let decision = policy.evaluate(&evidence, &options);
        prop_assert!(decision.evidence_issues.is_empty(), "{:?}", decision.evidence_issues);
        for (i, p) in preds.iter().enumerate() {
            let rule = &decision.rules[i];
            let gate = match rule.outcome {
                RuleOutcome::Pass => true,
                RuleOutcome::Fail => false,
                other => {
                    return Err(TestCaseError::fail(format!(
                        "gate: {other:?} for `{}`: {:?}\nevidence: {doc}",
                        g_bool(p),
                        rule.errors
                    )))
                }
            };
            let cel_src = c_bool(p);
            let cel = cel_eval(&cel_src, &doc).map_err(|e| {
                TestCaseError::fail(format!("{e}\nCEL: {cel_src}\nevidence: {doc}"))
            })?;
            let reference = reference(p, &doc);
            prop_assert!(
                gate == cel && cel == reference,
                "gate {gate}, CEL {cel}, reference {reference}\ngate: {}\nCEL: {cel_src}\nevidence: {doc}",
                g_bool(p)
            );
        }
    }
}

// ------------------------------------------------------------ differences

/// gate's answer for `require EXPR` over the evidence: `pass`, `fail` or
/// `error`.
fn gate_outcome(decls: &str, expr: &str, evidence: Value) -> &'static str {
    let src = format!("gate d {{}}\n{decls}\nrule r {{\n  require {expr}\n}}\n");
    let policy =
        Policy::from_source("d.gate", &src).unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
    let evidence = Evidence::from_value("doc", evidence).unwrap();
    policy.evaluate(&evidence, &Options::default()).rules[0]
        .outcome
        .as_str()
}

fn cel_outcome(expr: &str, vars: &[(&str, Value)]) -> Result<cel::Value, String> {
    let program = cel::Program::compile(expr).map_err(|e| e.to_string())?;
    let mut ctx = cel::Context::default();
    for (k, v) in vars {
        ctx.add_variable_from_value(*k, to_cel(v));
    }
    program.execute(&ctx).map_err(|e| e.to_string())
}

/// Each difference listed in `docs/security.md` ("Differences from CEL"),
/// shown on both sides. If one of these starts failing, a semantic changed:
/// update the document (and the generator, if the change widens what both
/// languages agree on).
#[test]
fn cel_differences_are_as_documented() {
    // 1. Errors are absorbed by `||`, `&&` and the quantifiers in CEL, never
    //    in gate: a rule that reads a value of the wrong type is an error.
    let decls = "evidence { a: bool, xs: [int] }";
    let bad = json!({"a": "yes", "xs": [1, "two"]});
    assert_eq!(gate_outcome(decls, "true or a", bad.clone()), "error");
    assert_eq!(gate_outcome(decls, "false and a", bad.clone()), "error");
    assert_eq!(
        gate_outcome(decls, "xs.any(x => x == 1)", bad.clone()),
        "error"
    );
    let vars = [("a", json!("yes")), ("xs", json!([1, "two"]))];
    assert_eq!(cel_outcome("true || a", &vars), Ok(cel::Value::Bool(true)));
    assert_eq!(cel_outcome("a || true", &vars), Ok(cel::Value::Bool(true)));
    assert_eq!(
        cel_outcome("false && a", &vars),
        Ok(cel::Value::Bool(false))
    );
    assert_eq!(
        cel_outcome("xs.exists(x, x == 1)", &vars),
        Ok(cel::Value::Bool(true))
    );
    assert!(cel_outcome("a || false", &vars).is_err());

    // 2. An absent field: in gate an optional field that is absent is null
    //    and a required one is an evidence error; in CEL reading an absent
    //    key is an error (`has()` tests for it).
    let decls = "evidence { o: int?, r: int }";
    assert_eq!(gate_outcome(decls, "o == null", json!({"r": 1})), "pass");
    assert_eq!(gate_outcome(decls, "r == 1", json!({})), "error");
    assert!(cel_outcome("m.o == null", &[("m", json!({"r": 1}))]).is_err());
    assert_eq!(
        cel_outcome("!has(m.o)", &[("m", json!({"r": 1}))]),
        Ok(cel::Value::Bool(true))
    );

    // 3. Mixed int/float comparison: gate compares an int and a float
    //    exactly; CEL's type checker has no `int == double` overload, and
    //    at run time this implementation converts the int to a double, so
    //    beyond 2^53 the two disagree. The differential test generates no
    //    floats.
    let decls = "evidence { f: float, i: int }";
    let doc = json!({"f": 1.0, "i": 1});
    assert_eq!(gate_outcome(decls, "f == i", doc.clone()), "pass");
    assert_eq!(gate_outcome(decls, "i < 1.5", doc), "pass");
    let big = json!({"f": 9007199254740992.0, "i": 9007199254740993i64});
    assert_eq!(gate_outcome(decls, "f == i", big.clone()), "fail");
    assert_eq!(gate_outcome(decls, "f < i", big), "pass");
    let vars = [
        ("f", json!(9007199254740992.0)),
        ("i", json!(9007199254740993i64)),
    ];
    assert_eq!(cel_outcome("f == i", &vars), Ok(cel::Value::Bool(true)));
    assert_eq!(cel_outcome("f < i", &vars), Ok(cel::Value::Bool(false)));

    // 4. Null: gate only compares `T?` with null after the checker has seen
    //    the type; a null where a value is required is an evidence error. In
    //    CEL `null` is a value of its own type: ordering it is an error, and
    //    `null == 0` is false.
    let decls = "evidence { o: int? }";
    assert_eq!(
        gate_outcome(decls, "o != null and o > 1", json!({"o": null})),
        "fail"
    );
    assert!(cel_outcome("o > 1", &[("o", Value::Null)]).is_err());
    assert_eq!(
        cel_outcome("o == 0", &[("o", Value::Null)]),
        Ok(cel::Value::Bool(false))
    );

    // 5. `??` has no CEL counterpart; `x ?? d` is `x == null ? d : x`.
    assert_eq!(gate_outcome(decls, "(o ?? 3) == 3", json!({})), "pass");
    assert_eq!(
        cel_outcome("(o == null ? 3 : o) == 3", &[("o", Value::Null)]),
        Ok(cel::Value::Bool(true))
    );

    // 6. `exists_one` is `count(p) == 1` in gate; `none(p)` is `!exists`.
    let decls = "evidence { xs: [int] }";
    assert_eq!(
        gate_outcome(decls, "xs.count(x => x > 1) == 1", json!({"xs": [1, 2]})),
        "pass"
    );
    assert_eq!(
        cel_outcome("xs.exists_one(x, x > 1)", &[("xs", json!([1, 2]))]),
        Ok(cel::Value::Bool(true))
    );

    // 7. Integer overflow is an error in both.
    let decls = "evidence { i: int }";
    assert_eq!(
        gate_outcome(decls, "i + 1 > 0", json!({"i": i64::MAX})),
        "error"
    );
    assert!(cel_outcome("i + 1 > 0", &[("i", json!(i64::MAX))]).is_err());
}
