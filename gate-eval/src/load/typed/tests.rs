//! The schema-driven loader against the `Value` path: the same tree, the same
//! issues in the same order, the same errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::super::{parse, prepare, Format, LoadError, LoadLimits};
use crate::evidence::{type_evidence, Issue, Node, Plan, TypingOptions};
use gate_lang::types::Schema;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const SOURCE: &str = "e.json";

/// The schema of `src` (a rule is added: a gate needs one).
fn compile(src: &str) -> Schema {
    let src = &format!("{src}\nrule schema-only {{ require true }}\n");
    match gate_lang::compile_source("t.gate", src) {
        Ok(p) => p.schema,
        Err(e) => panic!("{}\n{src}", e.render(false, 100)),
    }
}

/// What the `Value` path makes of `text`: parse, then type, as `Policy::evaluate` does for a
/// single unmounted document.
fn by_value(
    schema: &Schema,
    text: &str,
    limits: &LoadLimits,
) -> Result<(Node, Vec<Issue>), LoadError> {
    let parsed = parse(Format::Json, text.as_bytes(), limits)?;
    let words = BTreeSet::new();
    let sources = BTreeMap::new();
    let options = TypingOptions {
        yaml_bool_words: false,
        bool_words: Some(&words),
        key_sources: Some(&sources),
        element_sources: None,
        default_source: Some(SOURCE),
        unverified: None,
    };
    let typed = type_evidence(schema, &parsed.value, &options);
    Ok((typed.root, typed.issues))
}

/// What the schema-driven loader makes of `text`: `None` when it leaves the document to the
/// `Value` path.
fn fast(
    schema: &Schema,
    text: &str,
    limits: &LoadLimits,
) -> Result<Option<(Node, Vec<Issue>)>, LoadError> {
    let text = prepare(text.as_bytes(), limits)?;
    let plan = Plan::new(schema);
    Ok(super::load(text, limits, schema, &plan, SOURCE).map(|t| (t.root, t.issues)))
}

/// Asserts both paths agree: the fast one gives up exactly when the `Value` path refuses
/// the document, and otherwise gives the same tree and issues.
fn same(schema: &Schema, text: &str, limits: &LoadLimits) {
    let slow = by_value(schema, text, limits);
    let quick = fast(schema, text, limits);
    match (slow, quick) {
        (Ok(a), Ok(Some(b))) => {
            assert_eq!(a.1, b.1, "issues differ\n{text}");
            assert_eq!(a.0, b.0, "trees differ\n{text}");
        }
        (Err(_), Ok(None)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
        (a, b) => panic!("paths disagree:\nvalue path: {a:?}\nfast path: {b:?}\n{text}"),
    }
}

fn ok(schema_src: &str, text: &str) -> (Node, Vec<Issue>) {
    let schema = compile(&format!("gate g {{}}\n{schema_src}"));
    same(&schema, text, &LoadLimits::default());
    fast(&schema, text, &LoadLimits::default())
        .unwrap()
        .unwrap()
}

#[test]
fn issues_follow_schema_order_not_document_order() {
    let (_, issues) = ok(
        "record A { x: int, y: string, z: bool }\nevidence { a: [A], b: int }",
        r#"{"b": "no", "a": [{"z": 1, "y": 2}, {"y": "s", "x": 1.5}]}"#,
    );
    let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/a/0/x", "/a/0/y", "/a/0/z", "/a/1/x", "/a/1/z", "/b"]
    );
}

#[test]
fn map_entries_in_value_order() {
    let (root, issues) = ok(
        "evidence { m: map<int> }",
        r#"{"m": {"zeta": "1", "alpha": "2", "mid": 3, "b/c~": true}}"#,
    );
    let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["/m/alpha", "/m/b~1c~0", "/m/zeta"]);
    // A map with a value of the wrong type cannot be read as a whole: it
    // stands for the issue of its first bad entry by key.
    let Node::Record(_, f) = root else { panic!() };
    assert!(matches!(&f[0], Node::Invalid(0)), "{:?}", f[0]);
    let (root, issues) = ok(
        "evidence { m: map<int> }",
        r#"{"m": {"zeta": 1, "alpha": 2, "mid": 3}}"#,
    );
    assert!(issues.is_empty());
    let Node::Record(_, f) = root else { panic!() };
    let Node::Map(entries) = &f[0] else { panic!() };
    assert_eq!(&*entries[0].0, "alpha");
}

#[test]
fn skipped_parts_are_still_checked() {
    let schema = compile("gate g {}\nevidence { a: int }");
    for text in [
        r#"{"a": 1, "x": {"k": 1, "k": 2}}"#,
        r#"{"a": 1, "x": [1e400]}"#,
        r#"{"a": 1, "x": [1e-400]}"#,
        r#"{"a": 1, "x": 18446744073709551616}"#,
        r#"{"a": 1, "x": [[[[[[[[[[1]]]]]]]]]]}"#,
        r#"{"a": 1, "x": "a long string"}"#,
        r#"{"a": 1, "x": [1, 2, 3, 4]}"#,
        r#"{"a": 1, "a longer key": 1}"#,
        r#"{"a": 1, "x": 1, "x": 2}"#,
        r#"{"a": 1, "a": 1}"#,
        r#"{"a": 1, "\u0061": 1}"#,
        r#"{"a": 1} x"#,
        r#"{"a": 1, "x": [1,]}"#,
    ] {
        let limits = LoadLimits {
            max_depth: 8,
            max_string: 10,
            max_list: 3,
            ..LoadLimits::default()
        };
        assert!(fast(&schema, text, &limits).unwrap().is_none(), "{text}");
        assert!(by_value(&schema, text, &limits).is_err(), "{text}");
    }
}

#[test]
fn many_and_optional_and_sensitive() {
    let (_, issues) = ok(
        "record S { @sensitive value: string, password: string? }\n\
         evidence { a: many<int>, b: many<S>, c: S?, d: [int?], e: many<many<bool>> }",
        r#"{"a": 3, "b": {"value": 5, "password": 6}, "c": null, "d": [null, 1, "x"], "e": "no"}"#,
    );
    let messages: Vec<_> = issues.iter().map(Issue::message).collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(messages[0].contains("value redacted"), "{messages:?}");
    assert!(messages[1].contains("value redacted"), "{messages:?}");
}

#[test]
fn no_evidence_declared() {
    let schema = compile("gate g {}\n");
    same(
        &schema,
        r#"{"a": [1, {"b": null}]}"#,
        &LoadLimits::default(),
    );
    same(&schema, r#"{"a": 1, "a": 2}"#, &LoadLimits::default());
    same(&schema, "[1, 2]", &LoadLimits::default());
}

#[test]
fn root_not_an_object() {
    for text in ["[1, 2, 3]", "3", "null", "\"x\"", "1.5", "true"] {
        ok("evidence { a: int }", text);
    }
}

// ---------------------------------------------------------------------------------------
// Generated schemas and documents.

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A type of a generated schema.
#[derive(Clone, Debug)]
enum Ty {
    Bool,
    Int,
    Float,
    Str,
    Time,
    Duration,
    Enum(usize),
    Record(usize),
    List(Box<Ty>),
    Many(Box<Ty>),
    Map(Box<Ty>),
    Opt(Box<Ty>),
}

#[derive(Clone, Debug)]
struct Field {
    key: String,
    name: String,
    ty: Ty,
    sensitive: bool,
    /// `@utc` or `@digest`, on a field of their type.
    format: Option<&'static str>,
}

struct Gen {
    enums: Vec<Vec<String>>,
    /// Record `i` only holds records after it: no recursion.
    records: Vec<Vec<Field>>,
    root: Vec<Field>,
}

const NAMES: &[&str] = &[
    "a", "b", "name", "owner", "token", "api_key", "items", "count", "at", "kind", "value",
    "password", "every",
];
const QUOTED: &[&str] = &["a/b", "x~y", "kms:Via", "é", "Action", ""];

fn gen_type(rng: &mut Rng, depth: usize, after: Option<usize>, g: &Gen) -> Ty {
    let records = g.records.len();
    let first = after.map_or(0, |a| a + 1);
    let mut choice = rng.below(if depth > 2 { 8 } else { 12 });
    if choice == 7 && first >= records {
        choice = 3;
    }
    match choice {
        0 => Ty::Bool,
        1 => Ty::Int,
        2 => Ty::Float,
        3 => Ty::Str,
        4 => Ty::Time,
        5 => Ty::Duration,
        6 => Ty::Enum(rng.below(g.enums.len())),
        7 => Ty::Record(first + rng.below(records - first)),
        8 => Ty::List(Box::new(gen_type(rng, depth + 1, after, g))),
        9 => Ty::Many(Box::new(gen_type(rng, depth + 1, after, g))),
        10 => Ty::Map(Box::new(gen_type(rng, depth + 1, after, g))),
        _ => match gen_type(rng, depth + 1, after, g) {
            Ty::Opt(t) => Ty::Opt(t),
            t => Ty::Opt(Box::new(t)),
        },
    }
}

fn gen_fields(rng: &mut Rng, after: Option<usize>, g: &Gen) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for _ in 0..1 + rng.below(6) {
        let (key, name) = if rng.chance(15) {
            let key = rng.pick(QUOTED).to_string();
            (key, format!("q{}", fields.len()))
        } else {
            let n = rng.pick(NAMES).to_string();
            (n.clone(), n)
        };
        if fields.iter().any(|f| f.key == key || f.name == name) {
            continue;
        }
        let ty = gen_type(rng, 0, after, g);
        let mut scalar = &ty;
        while let Ty::Opt(t) | Ty::List(t) | Ty::Many(t) = scalar {
            scalar = t;
        }
        let format = match scalar {
            Ty::Time if rng.chance(30) => Some("utc"),
            Ty::Str if rng.chance(30) => Some("digest"),
            _ => None,
        };
        fields.push(Field {
            key,
            name,
            ty,
            sensitive: rng.chance(10),
            format,
        });
    }
    fields
}

fn gen_schema(rng: &mut Rng) -> Gen {
    let mut g = Gen {
        enums: Vec::new(),
        records: Vec::new(),
        root: Vec::new(),
    };
    for _ in 0..1 + rng.below(2) {
        let n = 1 + rng.below(10);
        g.enums.push((0..n).map(|i| format!("v{i}")).collect());
    }
    let records = rng.below(4);
    g.records = vec![Vec::new(); records];
    for i in (0..records).rev() {
        g.records[i] = gen_fields(rng, Some(i), &g);
    }
    // The root may use any record.
    g.root = gen_fields(rng, None, &g);
    g
}

impl Ty {
    fn render(&self, out: &mut String) {
        match self {
            Ty::Bool => out.push_str("bool"),
            Ty::Int => out.push_str("int"),
            Ty::Float => out.push_str("float"),
            Ty::Str => out.push_str("string"),
            Ty::Time => out.push_str("time"),
            Ty::Duration => out.push_str("duration"),
            Ty::Enum(i) => {
                let _ = write!(out, "E{i}");
            }
            Ty::Record(i) => {
                let _ = write!(out, "R{i}");
            }
            Ty::List(t) => {
                out.push('[');
                t.render(out);
                out.push(']');
            }
            Ty::Many(t) => {
                out.push_str("many<");
                t.render(out);
                out.push('>');
            }
            Ty::Map(t) => {
                out.push_str("map<");
                t.render(out);
                out.push('>');
            }
            Ty::Opt(t) => {
                t.render(out);
                out.push('?');
            }
        }
    }
}

fn render_fields(fields: &[Field], out: &mut String) {
    for f in fields {
        if f.sensitive {
            out.push_str("@sensitive ");
        }
        if let Some(format) = f.format {
            let _ = write!(out, "@{format} ");
        }
        if f.key == f.name {
            out.push_str(&f.name);
        } else {
            let _ = write!(
                out,
                "{} as {}",
                serde_json::to_string(&f.key).unwrap(),
                f.name
            );
        }
        out.push_str(": ");
        f.ty.render(out);
        out.push_str(", ");
    }
}

impl Gen {
    fn source(&self) -> String {
        let mut out = String::from("gate g {}\n");
        for (i, values) in self.enums.iter().enumerate() {
            let _ = writeln!(out, "enum E{i} {{ {} }}", values.join(", "));
        }
        for (i, fields) in self.records.iter().enumerate() {
            let _ = write!(out, "record R{i} {{ ");
            render_fields(fields, &mut out);
            out.push_str("}\n");
        }
        out.push_str("evidence { ");
        render_fields(&self.root, &mut out);
        out.push_str("}\n");
        out
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-5",
    "42",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "1.5",
    "1.50",
    "-0.0",
    "2.5E3",
    "1e-300",
    "0.0e-400",
    "1e400",
    "1e-400",
    "1E2",
];
const STRINGS: &[&str] = &[
    "",
    "x",
    "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "sha256:0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9",
    "v0",
    "v1",
    "v9",
    "V0",
    "true",
    "30",
    "2024-05-01T10:00:00Z",
    "2024-05-01T10:00:00.123456789+02:00",
    "2024-05-01",
    "90d",
    "1h30m",
    "PT1H",
    "P2W",
    "P1M",
    "soon",
    "a string that is longer than sixty characters, to be cut in messages…",
    "line\nbreak \"quoted\" \\ tab\t",
    "é ü 😀",
];
const KEYS: &[&str] = &[
    "a", "b", "name", "token", "password", "x", "a/b", "x~y", "é", "", "zz", "extra",
];

/// A JSON document written as text, so that it can hold duplicate keys and any number.
struct Doc<'r> {
    rng: &'r mut Rng,
    out: String,
    /// Percent of values written against their type.
    noise: usize,
}

impl Doc<'_> {
    fn string(&mut self, s: &str) {
        if self.rng.chance(5) && !s.is_empty() {
            // Escape the first character: the same string, not borrowed from the input.
            let mut chars = s.chars();
            let first = chars.next().unwrap();
            let mut buf = [0_u16; 2];
            self.out.push('"');
            for unit in first.encode_utf16(&mut buf) {
                let _ = write!(self.out, "\\u{unit:04x}");
            }
            let rest = serde_json::to_string(chars.as_str()).unwrap();
            self.out.push_str(&rest[1..]);
        } else {
            self.out.push_str(&serde_json::to_string(s).unwrap());
        }
    }

    fn key(&mut self, k: &str) {
        self.string(k);
        self.out.push(':');
    }

    fn any(&mut self, depth: usize) {
        let choice = self.rng.below(if depth > 4 { 4 } else { 7 });
        match choice {
            0 => self.out.push_str("null"),
            1 => self
                .out
                .push_str(if self.rng.chance(50) { "true" } else { "false" }),
            2 => {
                let n = *self.rng.pick(NUMBERS);
                self.out.push_str(n);
            }
            3 => {
                let s = *self.rng.pick(STRINGS);
                self.string(s);
            }
            4 => {
                self.out.push('[');
                for i in 0..self.rng.below(4) {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.any(depth + 1);
                }
                self.out.push(']');
            }
            5 => {
                // Deep nesting.
                let n = 1 + self.rng.below(12);
                self.out.push_str(&"[".repeat(n));
                self.any(depth + 1);
                self.out.push_str(&"]".repeat(n));
            }
            _ => {
                self.out.push('{');
                let mut keys: Vec<&str> = Vec::new();
                for i in 0..self.rng.below(4) {
                    let mut k = *self.rng.pick(KEYS);
                    // Keys are unique but for the odd duplicate.
                    if keys.contains(&k) && !self.rng.chance(10) {
                        continue;
                    }
                    if i > 0 && !keys.is_empty() {
                        self.out.push(',');
                    }
                    if k.is_empty() && self.rng.chance(50) {
                        k = "$serde_json::private::Number";
                    }
                    keys.push(k);
                    self.key(k);
                    self.any(depth + 1);
                }
                self.out.push('}');
            }
        }
    }

    fn value(&mut self, ty: &Ty, g: &Gen, depth: usize) {
        if self.rng.chance(self.noise) {
            return self.any(depth);
        }
        match ty {
            Ty::Opt(t) => {
                if self.rng.chance(20) {
                    self.out.push_str("null");
                } else {
                    self.value(t, g, depth);
                }
            }
            Ty::Bool => self
                .out
                .push_str(if self.rng.chance(50) { "true" } else { "false" }),
            Ty::Int => {
                let n = self.rng.next() as i64 >> self.rng.below(64);
                let _ = write!(self.out, "{n}");
            }
            Ty::Float => {
                if self.rng.chance(50) {
                    let _ = write!(self.out, "{}", self.rng.below(1000));
                } else {
                    let _ = write!(self.out, "{}.{}", self.rng.below(1000), self.rng.below(100));
                }
            }
            Ty::Str => {
                let s = *self.rng.pick(STRINGS);
                self.string(s);
            }
            Ty::Time => {
                let s = *self
                    .rng
                    .pick(&["2024-05-01T10:00:00Z", "2026-01-02T03:04:05.5-01:00"]);
                self.string(s);
            }
            Ty::Duration => {
                let s = *self.rng.pick(&["90d", "1h30m", "PT1H", "P2W", "0s"]);
                self.string(s);
            }
            Ty::Enum(i) => {
                let v = self.rng.pick(&g.enums[*i]).clone();
                self.string(&v);
            }
            Ty::Record(i) => {
                let fields = g.records[*i].clone();
                self.record(&fields, g, depth);
            }
            Ty::List(t) => self.list(t, g, depth),
            Ty::Many(t) => {
                if self.rng.chance(50) {
                    self.list(t, g, depth);
                } else {
                    self.value(t, g, depth);
                }
            }
            Ty::Map(t) => {
                self.out.push('{');
                let mut keys: Vec<&str> = Vec::new();
                for _ in 0..self.rng.below(5) {
                    let k = *self.rng.pick(KEYS);
                    if keys.contains(&k) && !self.rng.chance(5) {
                        continue;
                    }
                    if !keys.is_empty() {
                        self.out.push(',');
                    }
                    keys.push(k);
                    self.key(k);
                    self.value(t, g, depth + 1);
                }
                self.out.push('}');
            }
        }
    }

    fn list(&mut self, t: &Ty, g: &Gen, depth: usize) {
        self.out.push('[');
        for i in 0..self.rng.below(4) {
            if i > 0 {
                self.out.push(',');
            }
            self.value(t, g, depth + 1);
        }
        self.out.push(']');
    }

    fn record(&mut self, fields: &[Field], g: &Gen, depth: usize) {
        // Fields in any order, some absent, some extra, the odd duplicate.
        let mut order: Vec<usize> = (0..fields.len()).collect();
        for i in (1..order.len()).rev() {
            let j = self.rng.below(i + 1);
            order.swap(i, j);
        }
        let mut entries: Vec<Option<usize>> = Vec::new();
        for i in order {
            if !self.rng.chance(15) {
                entries.push(Some(i));
            }
            if self.rng.chance(2) {
                entries.push(Some(i));
            }
            if self.rng.chance(15) {
                entries.push(None);
            }
        }
        self.out.push('{');
        let mut extras: Vec<&str> = Vec::new();
        for (n, e) in entries.into_iter().enumerate() {
            if n > 0 {
                self.out.push(',');
            }
            match e {
                Some(i) => {
                    let f = &fields[i];
                    self.key(&f.key.clone());
                    self.value(&f.ty.clone(), g, depth + 1);
                }
                None => {
                    let mut k = if self.rng.chance(50) {
                        "extra"
                    } else {
                        "unread"
                    };
                    if extras.contains(&k) && !self.rng.chance(10) {
                        k = "other";
                    }
                    extras.push(k);
                    self.key(k);
                    self.any(depth + 1);
                }
            }
        }
        self.out.push('}');
    }
}

fn case(seed: u64) -> (String, String, LoadLimits) {
    let mut rng = Rng(seed);
    let g = gen_schema(&mut rng);
    let noise = *rng.pick(&[0, 0, 3, 10, 30]);
    let limits = match rng.below(6) {
        0 => LoadLimits {
            max_depth: 3 + rng.below(5),
            max_string: 8 + rng.below(60),
            max_list: 1 + rng.below(4),
            ..LoadLimits::default()
        },
        1 => LoadLimits {
            max_depth: 200,
            ..LoadLimits::default()
        },
        _ => LoadLimits::default(),
    };
    let mut doc = Doc {
        rng: &mut rng,
        out: String::new(),
        noise,
    };
    let root = g.root.clone();
    doc.record(&root, &g, 0);
    let text = doc.out;
    (g.source(), text, limits)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("FASTLOAD_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    /// Over generated schemas and documents (matching or not, with extra, absent, null and
    /// duplicate fields, deep nesting, odd numbers and strings, tight limits), the fast path
    /// gives the same tree and issues as the `Value` path, or gives up exactly when the `Value`
    /// path refuses the document.
    #[test]
    fn same_as_the_value_path(seed in any::<u64>()) {
        let (src, text, limits) = case(seed);
        let schema = compile(&src);
        same(&schema, &text, &limits);
    }
}

#[test]
fn generated_cases_cover_both_outcomes() {
    // The generator makes both typed documents with issues and refused documents.
    let (mut accepted, mut refused, mut with_issues) = (0, 0, 0);
    for seed in 0..300 {
        let (src, text, limits) = case(seed);
        let schema = compile(&src);
        match by_value(&schema, &text, &limits) {
            Ok((_, issues)) => {
                accepted += 1;
                if issues.len() > 1 {
                    with_issues += 1;
                }
            }
            Err(_) => refused += 1,
        }
    }
    assert!(
        accepted > 100 && refused > 20 && with_issues > 30,
        "{accepted} {refused} {with_issues}"
    );
}
