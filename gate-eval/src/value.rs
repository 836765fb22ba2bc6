//! Runtime values and where they came from.
//!
//! A [`V`] is a value plus the [`PathId`] of the evidence it was read from
//! (or [`PathId::NONE`] for computed values). Values borrow from the
//! evidence tree and the program; nothing is copied out of the evidence.

use crate::evidence::{join_nanos, Node};
use gate_lang::num::Decimal;
use gate_lang::time::{format_duration, format_timestamp};
use gate_lang::types::{EnumId, RecordId, Schema};
use std::rc::Rc;

/// A position in the path arena of one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PathId(pub u32);

impl PathId {
    /// No evidence path: a computed value.
    pub const NONE: PathId = PathId(u32::MAX);
    /// The evidence root.
    pub const ROOT: PathId = PathId(0);

    /// Whether the value came from the evidence.
    pub fn is_some(self) -> bool {
        self != PathId::NONE
    }
}

/// A segment of an evidence path.
#[derive(Clone, Copy, Debug)]
pub enum Seg<'a> {
    /// The document root.
    Root,
    /// A record field.
    Field(RecordId, u32),
    /// A list element.
    Index(u32),
    /// A map entry.
    Key(&'a str),
}

/// All paths of one evaluation: each entry is a parent and a segment.
#[derive(Debug)]
pub struct Paths<'a> {
    segs: Vec<(u32, Seg<'a>)>,
    /// Whether paths are recorded: off while only "true or not" matters
    /// (see `Eval::pred` in quick mode), where every new path is [`PathId::NONE`].
    tracking: bool,
}

impl<'a> Paths<'a> {
    /// An arena holding only the root.
    pub fn new() -> Self {
        Paths {
            segs: vec![(u32::MAX, Seg::Root)],
            tracking: true,
        }
    }

    /// Turns recording paths on or off; returns whether it was on.
    pub fn set_tracking(&mut self, on: bool) -> bool {
        std::mem::replace(&mut self.tracking, on)
    }

    /// The path `parent` followed by `seg`.
    pub fn push(&mut self, parent: PathId, seg: Seg<'a>) -> PathId {
        if !parent.is_some() || !self.tracking {
            return PathId::NONE;
        }
        let id = u32::try_from(self.segs.len()).unwrap_or(u32::MAX);
        if id == u32::MAX {
            return PathId::NONE;
        }
        self.segs.push((parent.0, seg));
        PathId(id)
    }

    /// How many segments the path has.
    pub fn depth(&self, id: PathId) -> usize {
        let mut n = 0;
        let mut cur = id.0;
        while let Some((parent, _)) = self.segs.get(cur as usize) {
            n += 1;
            cur = *parent;
        }
        n
    }

    /// The list index of the path's last segment, if it is one.
    pub fn last_index(&self, id: PathId) -> Option<usize> {
        match self.segs.get(id.0 as usize)? {
            (_, Seg::Index(i)) => usize::try_from(*i).ok(),
            _ => None,
        }
    }

    /// The path as a JSON pointer (`/secrets/items/2/vaulted`).
    pub fn pointer(&self, id: PathId, schema: &Schema) -> Option<String> {
        if !id.is_some() {
            return None;
        }
        let mut segs = Vec::new();
        let mut cur = id.0;
        while let Some((parent, seg)) = self.segs.get(cur as usize) {
            segs.push(*seg);
            cur = *parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Field(rid, slot) => {
                    let key = schema
                        .record(*rid)
                        .and_then(|r| r.fields.get(*slot as usize))
                        .map(|f| f.key.as_str())
                        .unwrap_or("?");
                    crate::evidence::push_pointer(&mut out, key);
                }
                Seg::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
                Seg::Key(k) => crate::evidence::push_pointer(&mut out, k),
            }
        }
        Some(out)
    }
}

impl Default for Paths<'_> {
    fn default() -> Self {
        Paths::new()
    }
}

/// A list value: a list of the evidence, or one computed during evaluation.
#[derive(Clone, Debug)]
pub enum List<'a> {
    /// Evidence nodes; `single` for a `many<T>` given as one value.
    Ev(&'a [Node], bool),
    /// Computed values.
    Owned(Rc<Vec<V<'a>>>),
}

impl List<'_> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            List::Ev(n, _) => n.len(),
            List::Owned(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An exact decimal, borrowed from the evidence or the program, or computed.
#[derive(Clone, Debug)]
pub enum Dec<'a> {
    /// Read from the evidence or a literal.
    Ref(&'a Decimal),
    /// Computed.
    Rc(Rc<Decimal>),
}

impl Dec<'_> {
    /// A computed number.
    pub fn owned(d: Decimal) -> Self {
        Dec::Rc(Rc::new(d))
    }
}

impl std::ops::Deref for Dec<'_> {
    type Target = Decimal;
    fn deref(&self) -> &Decimal {
        match self {
            Dec::Ref(d) => d,
            Dec::Rc(d) => d,
        }
    }
}

/// A runtime value.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    /// `null`
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A non-integer number: an exact decimal (see [`gate_lang::num`]).
    Float(Dec<'a>),
    /// A string borrowed from the evidence or the program.
    Str(&'a str),
    /// A computed string.
    OwnedStr(Rc<str>),
    /// A timestamp in nanoseconds.
    Time(i128),
    /// A duration in nanoseconds.
    Dur(i128),
    /// An enum value.
    Enum(EnumId, u32),
    /// A record of the evidence.
    Record(RecordId, &'a [Node]),
    /// A list.
    List(List<'a>),
    /// A map of the evidence.
    Map(&'a [(Box<str>, Node)]),
    /// A computed map (`group_by`): keys (strings, with the path they were
    /// read from) and values, in order of first appearance.
    OwnedMap(Rc<Vec<(V<'a>, V<'a>)>>),
}

/// A value, the evidence path it was read from, and whether it is secret.
#[derive(Clone, Debug)]
pub struct V<'a> {
    /// The value.
    pub val: Val<'a>,
    /// Its evidence path, or [`PathId::NONE`].
    pub path: PathId,
    /// Taint: the value was read through a sensitive field or map entry,
    /// or computed from such a value (see [`crate::redact`]). A secret
    /// value is never shown.
    pub secret: bool,
}

impl<'a> V<'a> {
    /// A computed value that is not secret.
    pub fn new(val: Val<'a>) -> Self {
        V {
            val,
            path: PathId::NONE,
            secret: false,
        }
    }

    /// A value about the evidence at `path`, secret if `secret`.
    pub fn at(val: Val<'a>, path: PathId, secret: bool) -> Self {
        V { val, path, secret }
    }

    /// The value, secret also if `secret` (taken from a secret list or map).
    pub fn tainted(mut self, secret: bool) -> Self {
        self.secret |= secret;
        self
    }

    /// A value computed from `from` (taint): secret when one of them is,
    /// unless it is a boolean — a predicate's value is what a gate decides
    /// by, and tells one fact about a secret, not the secret. Text rewritten
    /// from text that looks like a secret (`lower()` of a private key, the
    /// parts `split()` cuts from a token) is secret too: the detectors that
    /// mask outputs would no longer recognise it.
    pub fn derived(val: Val<'a>, path: PathId, from: &[V<'a>]) -> Self {
        let secret = match val {
            Val::Bool(_) => false,
            Val::OwnedStr(_) | Val::List(List::Owned(_)) => from.iter().any(|v| {
                v.secret
                    || v.val
                        .as_str()
                        .is_some_and(|s| crate::eval::security::secret_kind(s).is_some())
            }),
            _ => from.iter().any(|v| v.secret),
        };
        V { val, path, secret }
    }
}

impl<'a> Val<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::OwnedStr(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }
}

/// Reads a node; `Err` carries the issue index of a missing or invalid value.
#[inline]
pub fn node_val(node: &Node) -> Result<Val<'_>, NodeError> {
    Ok(match node {
        Node::Absent | Node::Null => Val::Null,
        Node::Missing(i) => return Err(NodeError::Missing(*i)),
        Node::Invalid(i) => return Err(NodeError::Invalid(*i)),
        Node::Bool(b) => Val::Bool(*b),
        Node::Int(i) => Val::Int(*i),
        Node::Float(f) => Val::Float(Dec::Ref(f)),
        Node::Str(s) => Val::Str(s),
        Node::Time(s, n) => Val::Time(join_nanos(*s, *n)),
        Node::Duration(s, n) => Val::Dur(join_nanos(*s, *n)),
        Node::Enum(e, i) => Val::Enum(*e, *i),
        Node::List(items) => Val::List(List::Ev(items, false)),
        Node::One(items) => Val::List(List::Ev(items, true)),
        Node::Record(r, fields) => Val::Record(*r, fields),
        Node::Map(entries) => Val::Map(entries),
    })
}

/// Why a node could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeError {
    /// Required and absent or null (issue index).
    Missing(u32),
    /// Of the wrong type (issue index).
    Invalid(u32),
}

/// Exact equality: `1 == 1.0`, `-0 == 0`, strings code point for code point.
pub fn equal(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Int(x), Val::Int(y)) => x == y,
        (Val::Float(x), Val::Float(y)) => **x == **y,
        (Val::Int(i), Val::Float(f)) | (Val::Float(f), Val::Int(i)) => Decimal::from_i64(*i) == **f,
        (Val::Time(x), Val::Time(y)) | (Val::Dur(x), Val::Dur(y)) => x == y,
        (Val::Enum(e1, x), Val::Enum(e2, y)) => e1 == e2 && x == y,
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && {
                let xs = list_vals(x);
                let ys = list_vals(y);
                xs.iter().zip(ys.iter()).all(|(a, b)| equal(a, b))
            }
        }
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

fn list_vals<'a>(l: &List<'a>) -> Vec<Val<'a>> {
    match l {
        List::Ev(nodes, _) => nodes
            .iter()
            .map(|n| node_val(n).unwrap_or(Val::Null))
            .collect(),
        List::Owned(v) => v.iter().map(|x| x.val.clone()).collect(),
    }
}

/// How much work comparing or copying a value takes: 1 for a scalar, the
/// length (in steps of 16 bytes) of a string, the number of elements of a
/// list or a map.
pub fn size(v: &Val<'_>) -> usize {
    match v {
        Val::List(l) => l.len(),
        Val::Map(m) => m.len(),
        Val::OwnedMap(m) => m.len(),
        Val::Str(s) => s.len() / 16 + 1,
        Val::OwnedStr(s) => s.len() / 16 + 1,
        _ => 1,
    }
}

/// Orders two values of the same ordered type.
pub fn order(a: &Val<'_>, b: &Val<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Float(x), Val::Float(y)) => Some((**x).cmp(y)),
        (Val::Int(i), Val::Float(f)) => Some(Decimal::from_i64(*i).cmp(f)),
        (Val::Float(f), Val::Int(i)) => Some((**f).cmp(&Decimal::from_i64(*i))),
        (Val::Time(x), Val::Time(y)) | (Val::Dur(x), Val::Dur(y)) => Some(x.cmp(y)),
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => Some(x.cmp(y)),
            _ => None,
        },
    }
}

/// Most list elements shown in an explanation.
pub const MAX_SHOWN_ELEMENTS: usize = 10;
/// Most characters of a string shown in an explanation.
pub const MAX_SHOWN_CHARS: usize = 200;

/// Whether a field's values must never be shown: it is `@sensitive`, or
/// its name says it holds a credential and it holds text (a credential is
/// text: a list of `credentials` records is a collection, and a boolean
/// `requires_auth` or an integer `token_count` is no secret).
pub fn field_is_sensitive(f: &gate_lang::types::FieldDef) -> bool {
    fn holds_text(t: &gate_lang::types::Type) -> bool {
        use gate_lang::types::Type;
        match t {
            Type::String | Type::Error => true,
            Type::List(t) | Type::Many(t) | Type::Map(t) | Type::Optional(t) => holds_text(t),
            _ => false,
        }
    }
    f.sensitive
        || ((crate::redact::is_credential_name(&f.key)
            || crate::redact::is_credential_name(&f.name))
            && holds_text(&f.ty))
}

/// A value for a decision record: redacted when it is secret, else
/// [`to_json`] with each element of a computed list or map that is secret
/// redacted.
pub fn render_json(v: &V<'_>, schema: &Schema) -> (serde_json::Value, bool) {
    if v.secret && !v.val.is_null() {
        return (
            serde_json::Value::String(crate::redact::REDACTED.to_string()),
            false,
        );
    }
    let mut cut = false;
    let j = to_json_at(&v.val, schema, MAX_SHOWN_DEPTH, &mut cut);
    (j, cut)
}

/// A value for a message: redacted when it is secret, else [`display`].
pub fn render_text(v: &V<'_>, schema: &Schema) -> String {
    if v.secret && !v.val.is_null() {
        return crate::redact::REDACTED.to_string();
    }
    match &v.val {
        // A computed list or map shows each element by its own taint.
        Val::List(_) | Val::OwnedMap(_) => render_json(v, schema).0.to_string(),
        other => display(other, schema),
    }
}

/// How deep records and lists are rendered into explanations.
pub const MAX_SHOWN_DEPTH: usize = 6;

/// A value as JSON for decision records. Lists keep their first
/// [`MAX_SHOWN_ELEMENTS`] elements, strings their first [`MAX_SHOWN_CHARS`]
/// characters, nesting stops at [`MAX_SHOWN_DEPTH`] (`null` below it); the
/// flag says whether anything was cut. JSON types are never changed.
pub fn to_json(v: &Val<'_>, schema: &Schema) -> (serde_json::Value, bool) {
    let mut cut = false;
    let j = to_json_at(v, schema, MAX_SHOWN_DEPTH, &mut cut);
    (j, cut)
}

/// [`to_json`], redacting the elements of computed lists and maps that are
/// secret.
fn to_json_at(v: &Val<'_>, schema: &Schema, depth: usize, cut: &mut bool) -> serde_json::Value {
    use serde_json::Value as J;
    if depth == 0 {
        *cut = true;
        return J::Null;
    }
    let node = |n: &Node, cut: &mut bool| match node_val(n) {
        Ok(val) => to_json_at(&val, schema, depth - 1, cut),
        Err(_) => J::Null,
    };
    // An element of a computed list or map: redacted if it is secret.
    let element = |x: &V<'_>, cut: &mut bool| {
        if x.secret && !x.val.is_null() {
            J::String(crate::redact::REDACTED.to_string())
        } else {
            to_json_at(&x.val, schema, depth - 1, cut)
        }
    };
    match v {
        Val::Null => J::Null,
        Val::Bool(b) => J::Bool(*b),
        Val::Int(i) => J::from(*i),
        Val::Float(f) => f
            .to_string()
            .parse::<serde_json::Number>()
            .map(J::Number)
            .unwrap_or(J::Null),
        Val::Str(_) | Val::OwnedStr(_) => {
            let s = v.as_str().unwrap_or("");
            if s.chars().count() > MAX_SHOWN_CHARS {
                *cut = true;
            }
            J::String(cap_str(s))
        }
        Val::Time(t) => J::String(format_timestamp(*t)),
        Val::Dur(d) => J::String(format_duration(*d)),
        Val::Enum(e, i) => J::String(schema.enum_value(*e, *i).to_string()),
        Val::Record(rid, fields) => {
            let mut map = serde_json::Map::new();
            if let Some(rec) = schema.record(*rid) {
                for (f, n) in rec.fields.iter().zip(fields.iter()) {
                    if matches!(n, Node::Absent) {
                        continue;
                    }
                    let shown = if field_is_sensitive(f) && !matches!(n, Node::Null) {
                        J::String(crate::redact::REDACTED.to_string())
                    } else {
                        node(n, cut)
                    };
                    map.insert(f.key.clone(), shown);
                }
            }
            J::Object(map)
        }
        Val::List(l) => {
            if l.len() > MAX_SHOWN_ELEMENTS {
                *cut = true;
            }
            match l {
                List::Owned(items) => J::Array(
                    items
                        .iter()
                        .take(MAX_SHOWN_ELEMENTS)
                        .map(|x| element(x, cut))
                        .collect(),
                ),
                List::Ev(..) => J::Array(
                    list_vals(l)
                        .iter()
                        .take(MAX_SHOWN_ELEMENTS)
                        .map(|x| to_json_at(x, schema, depth - 1, cut))
                        .collect(),
                ),
            }
        }
        Val::Map(entries) => {
            if entries.len() > MAX_SHOWN_ELEMENTS {
                *cut = true;
            }
            let mut map = serde_json::Map::new();
            for (k, n) in entries.iter().take(MAX_SHOWN_ELEMENTS) {
                let shown = if crate::redact::is_credential_name(k) {
                    J::String(crate::redact::REDACTED.to_string())
                } else {
                    node(n, cut)
                };
                map.insert(k.to_string(), shown);
            }
            J::Object(map)
        }
        Val::OwnedMap(entries) => {
            if entries.len() > MAX_SHOWN_ELEMENTS {
                *cut = true;
            }
            let mut map = serde_json::Map::new();
            for (k, v) in entries.iter().take(MAX_SHOWN_ELEMENTS) {
                let key = k.val.as_str().unwrap_or("").to_string();
                let shown = if crate::redact::is_credential_name(&key) {
                    J::String(crate::redact::REDACTED.to_string())
                } else {
                    element(v, cut)
                };
                map.insert(key, shown);
            }
            J::Object(map)
        }
    }
}

fn cap_str(s: &str) -> String {
    if s.chars().count() > MAX_SHOWN_CHARS {
        let mut out: String = s.chars().take(MAX_SHOWN_CHARS).collect();
        out.push('…');
        out
    } else {
        s.to_string()
    }
}

/// A value as text for messages: strings quoted, enum values bare,
/// durations as `90d`.
pub fn display(v: &Val<'_>, schema: &Schema) -> String {
    match v {
        Val::Null => "null".into(),
        Val::Str(_) | Val::OwnedStr(_) => format!("{:?}", cap_str(v.as_str().unwrap_or(""))),
        Val::Enum(e, i) => schema.enum_value(*e, *i).to_string(),
        Val::Time(t) => format_timestamp(*t),
        Val::Dur(d) => format_duration(*d),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => f.to_string(),
        Val::Bool(b) => b.to_string(),
        other => to_json(other, schema).0.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_float_comparison_is_exact() {
        let f = |t: &str| {
            Val::Float(Dec::owned(
                Decimal::parse(t).unwrap_or(Decimal::from_i64(7)),
            ))
        };
        assert!(equal(&Val::Int(1), &f("1.0")));
        assert!(equal(&Val::Int(0), &f("-0.0")));
        assert!(!equal(
            &Val::Int(9_007_199_254_740_993),
            &f("9007199254740992.0")
        ));
        assert_eq!(
            order(&Val::Int(2), &f("2.5")),
            Some(std::cmp::Ordering::Less)
        );
        assert_eq!(
            order(&f("1e300"), &Val::Int(i64::MAX)),
            Some(std::cmp::Ordering::Greater)
        );
        assert_eq!(
            order(&f("0.79999999999999999999"), &f("0.8")),
            Some(std::cmp::Ordering::Less)
        );
    }

    #[test]
    fn strings_compare_by_code_point() {
        // "é" precomposed vs "e" + combining accent: different strings.
        assert!(!equal(&Val::Str("\u{e9}"), &Val::Str("e\u{301}")));
        assert!(equal(&Val::Str("a"), &Val::OwnedStr("a".into())));
    }
}
