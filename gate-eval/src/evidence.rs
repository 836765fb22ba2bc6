//! Evidence, typed by the gate's schema.
//!
//! A JSON document is converted once, before evaluation, into a tree of
//! [`Node`]s shaped by the schema: records become slot arrays in field
//! order, enum values become indexes, timestamps become numbers. Fields the
//! schema does not declare are skipped. Whatever does not fit the schema is
//! recorded as an [`Issue`] with its JSON pointer and marked in the tree, so
//! a rule that reads it gets an error while rules that do not still run.

use gate_lang::num::Decimal;
use gate_lang::time::parse_timestamp;
use gate_lang::types::{EnumId, Format, RecordId, Schema, Type};
use serde_json::Value;
use std::collections::HashMap;

/// A value of the evidence tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// An optional field that is not in the document.
    Absent,
    /// An optional field that is `null`.
    Null,
    /// A required field that is absent or `null`: reading it is an error.
    Missing(u32),
    /// A value that does not have the declared type: reading it is an error.
    Invalid(u32),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A non-integer number, exactly as written.
    Float(Box<gate_lang::num::Decimal>),
    /// A string.
    Str(Box<str>),
    /// A timestamp: seconds and nanoseconds since the epoch.
    Time(i64, u32),
    /// A duration in nanoseconds, split to keep nodes small.
    Duration(i64, u32),
    /// An enum value.
    Enum(EnumId, u32),
    /// A list.
    List(Box<[Node]>),
    /// A `many<T>` field given as a single value (one element, no index in paths).
    One(Box<[Node]>),
    /// A record: its fields in declaration order.
    Record(RecordId, Box<[Node]>),
    /// A map.
    Map(Box<[(Box<str>, Node)]>),
}

/// What was wrong with a value of the evidence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IssueKind {
    /// A required field is not in the document.
    Missing {
        /// The declared type.
        expected: String,
    },
    /// A required field is `null`.
    Null {
        /// The declared type.
        expected: String,
    },
    /// A value has the wrong type or format.
    Mismatch {
        /// The declared type.
        expected: String,
        /// What the document has.
        found: String,
    },
    /// An attestation that failed verification: it is not evidence.
    Unverified {
        /// Why it failed.
        reason: String,
    },
}

/// A mismatch between the evidence and the schema.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    /// JSON pointer of the value.
    pub path: String,
    /// Which document it came from, when several are merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What was wrong.
    #[serde(flatten)]
    pub kind: IssueKind,
}

impl Issue {
    /// A one-line description.
    pub fn message(&self) -> String {
        let at = if self.path.is_empty() {
            "the evidence document".to_string()
        } else {
            format!("`{}`", self.path)
        };
        match &self.kind {
            IssueKind::Missing { expected } => {
                format!("required field {at} ({expected}) is missing")
            }
            IssueKind::Null { expected } => format!("required field {at} ({expected}) is null"),
            IssueKind::Mismatch { expected, found } => {
                format!("{at} should be {expected} but is {found}")
            }
            IssueKind::Unverified { reason } => {
                format!("{at} is an attestation that failed verification: {reason}")
            }
        }
    }
}

/// An evidence document typed by a schema.
#[derive(Clone, Debug)]
pub struct TypedEvidence {
    /// The root record (or [`Node::Absent`] when the gate declares no evidence).
    pub root: Node,
    /// Every mismatch found, in document order.
    pub issues: Vec<Issue>,
}

/// What typing needs to know about each record of a schema, computed once
/// per schema: its fields' keys, types and sensitivity, and a key index.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    records: Vec<RecordPlan>,
}

/// The fields of one record, in declaration order.
#[derive(Debug)]
pub(crate) struct RecordPlan {
    /// The fields, in declaration order.
    pub(crate) fields: Box<[FieldPlan]>,
    /// Field index by key, for records with many fields.
    index: Option<HashMap<Box<str>, u32>>,
    /// Two fields read the same key (the compiler refuses this; a
    /// hand-built schema might not).
    pub(crate) shared_keys: bool,
    /// Per field: whether a sensitive value can be found by walking it (it
    /// is sensitive, or its type reaches a map or a record with such a
    /// field). Redaction walks only these.
    pub(crate) may_hold_secret: Box<[bool]>,
}

/// One field of a record.
#[derive(Debug)]
pub(crate) struct FieldPlan {
    /// The key it is read from.
    pub(crate) key: Box<str>,
    /// Its declared type.
    pub(crate) ty: Type,
    /// Whether values found there are kept out of messages.
    pub(crate) sensitive: bool,
    /// The format its values must have.
    pub(crate) format: Option<Format>,
    /// How its text is decoded before it is typed (`@json`, …).
    pub(crate) decode: Box<[gate_lang::types::Encoding]>,
}

/// Records with more fields than this look keys up in a hash map.
const LINEAR_LOOKUP: usize = 12;

impl Plan {
    /// The plan of `schema`.
    pub(crate) fn new(schema: &Schema) -> Plan {
        let records = schema
            .records
            .iter()
            .map(|rec| {
                let fields: Box<[FieldPlan]> = rec
                    .fields
                    .iter()
                    .map(|f| FieldPlan {
                        key: f.key.as_str().into(),
                        ty: f.ty.clone(),
                        sensitive: crate::value::field_is_sensitive(f),
                        format: f.format,
                        decode: f.decode.as_slice().into(),
                    })
                    .collect();
                let mut index = HashMap::with_capacity(fields.len());
                for (i, f) in fields.iter().enumerate() {
                    index
                        .entry(f.key.clone())
                        .or_insert(u32::try_from(i).unwrap_or(u32::MAX));
                }
                let shared_keys = index.len() != fields.len();
                RecordPlan {
                    index: (fields.len() > LINEAR_LOOKUP).then_some(index),
                    may_hold_secret: fields.iter().map(|f| f.sensitive).collect(),
                    fields,
                    shared_keys,
                }
            })
            .collect();
        let mut plan = Plan { records };
        plan.mark_secret_holders();
        plan
    }

    /// Sets [`RecordPlan::may_hold_secret`]: a least fixed point, since
    /// records may reach each other (and themselves) through lists.
    fn mark_secret_holders(&mut self) {
        fn reaches(t: &Type, holders: &[bool]) -> bool {
            match t {
                Type::Map(_) => true,
                Type::Record(r) => holders.get(r.0 as usize).copied().unwrap_or(true),
                Type::List(t) | Type::Many(t) | Type::Optional(t) => reaches(t, holders),
                _ => false,
            }
        }
        loop {
            let holders: Vec<bool> = self
                .records
                .iter()
                .map(|r| r.may_hold_secret.iter().any(|&h| h))
                .collect();
            let mut changed = false;
            for rec in &mut self.records {
                for (f, hold) in rec.fields.iter().zip(rec.may_hold_secret.iter_mut()) {
                    if !*hold && reaches(&f.ty, &holders) {
                        *hold = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The plan of a record.
    pub(crate) fn record(&self, id: RecordId) -> Option<&RecordPlan> {
        self.records.get(id.0 as usize)
    }
}

impl RecordPlan {
    /// The index of the (first) field read from `key`.
    pub(crate) fn lookup(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).map(|&i| i as usize),
            None => self.fields.iter().position(|f| &*f.key == key),
        }
    }
}

/// Converts a JSON value into a typed tree.
#[cfg_attr(not(test), allow(dead_code))]
pub fn type_evidence(schema: &Schema, value: &Value, options: &TypingOptions<'_>) -> TypedEvidence {
    type_evidence_with(schema, &Plan::new(schema), value, options)
}

/// [`type_evidence`] with the schema's plan computed beforehand.
pub(crate) fn type_evidence_with(
    schema: &Schema,
    plan: &Plan,
    value: &Value,
    options: &TypingOptions<'_>,
) -> TypedEvidence {
    let mut cx = Converter::new(schema, plan, options);
    let root = match schema.root {
        Some(rid) => cx.convert(&Type::Record(rid), Some(value)),
        None => Node::Absent,
    };
    TypedEvidence {
        root,
        issues: cx.issues,
    }
}

/// How to read evidence that does not match the schema exactly.
#[derive(Default)]
pub struct TypingOptions<'a> {
    /// Accept the YAML 1.1 boolean words (`yes`, `no`, `on`, `off`, `y`,
    /// `n`) where the schema expects a `bool`.
    pub yaml_bool_words: bool,
    /// JSON pointers of YAML plain scalars that are YAML 1.1 boolean words.
    pub bool_words: Option<&'a std::collections::BTreeSet<String>>,
    /// Which document each top-level key came from, for issue reports.
    pub key_sources: Option<&'a std::collections::BTreeMap<String, String>>,
    /// Which document each list element that is a document of its own
    /// came from (by JSON pointer), for issue reports.
    pub element_sources: Option<&'a std::collections::BTreeMap<String, String>>,
    /// The document everything else came from.
    pub default_source: Option<&'a str>,
    /// JSON pointers of attestations that failed verification, and why.
    pub unverified: Option<&'a std::collections::BTreeMap<String, String>>,
}

/// Types JSON values by the schema, collecting issues.
pub(crate) struct Converter<'a> {
    schema: &'a Schema,
    plan: &'a Plan,
    /// Every mismatch found so far.
    pub(crate) issues: Vec<Issue>,
    /// JSON pointer of the value being typed.
    pub(crate) pointer: String,
    options: &'a TypingOptions<'a>,
    /// Inside a sensitive field: values found are not shown in issues.
    pub(crate) sensitive: bool,
    /// The format of the field being typed (`@utc`, `@digest`).
    pub(crate) format: Option<Format>,
}

/// A value that does not fit its type, as much of it as messages show.
pub(crate) enum Found<'v> {
    /// A whole value.
    Value(&'v Value),
    /// An array of this many elements.
    Array(usize),
    /// An object.
    Object,
}

/// The JSON type of a value, in words.
fn json_kind(v: &Found<'_>) -> &'static str {
    match v {
        Found::Value(Value::Null) => "null",
        Found::Value(Value::Bool(_)) => "a boolean",
        Found::Value(Value::Number(_)) => "a number",
        Found::Value(Value::String(_)) => "a string",
        Found::Value(Value::Array(_)) | Found::Array(_) => "an array",
        Found::Value(Value::Object(_)) | Found::Object => "an object",
    }
}

/// [`describe_json`] of what was found.
fn describe_found(v: &Found<'_>) -> String {
    match v {
        Found::Value(v) => describe_json(v),
        Found::Array(n) => format!("an array of {n} elements"),
        Found::Object => "an object".into(),
    }
}

/// How many characters of a string found where another type was wanted
/// an issue shows.
const FOUND_CHARS: usize = 140;

/// Describes a JSON value's type for messages: `string "30"`, `null`, `object`.
pub fn describe_json(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => {
            // Long enough for a sha512 digest.
            let shown: String = s.chars().take(FOUND_CHARS).collect();
            let more = if s.chars().count() > FOUND_CHARS {
                "…"
            } else {
                ""
            };
            format!("string {:?}{more}", shown)
        }
        Value::Array(a) => format!("an array of {} elements", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

impl<'a> Converter<'a> {
    /// A converter with no issues yet, at the root.
    pub(crate) fn new(schema: &'a Schema, plan: &'a Plan, options: &'a TypingOptions<'a>) -> Self {
        Converter {
            schema,
            plan,
            issues: Vec::new(),
            pointer: String::new(),
            options,
            sensitive: false,
            format: None,
        }
    }

    fn issue(&mut self, kind: IssueKind) -> u32 {
        let i = u32::try_from(self.issues.len()).unwrap_or(u32::MAX);
        let top = self
            .pointer
            .strip_prefix('/')
            .map(|p| p.split('/').next().unwrap_or(""))
            .map(|k| k.replace("~1", "/").replace("~0", "~"));
        let element = self
            .options
            .element_sources
            .and_then(|m| crate::document::source_at(m, &self.pointer))
            .map(str::to_string);
        let source = element
            .or_else(|| top.and_then(|k| self.options.key_sources.and_then(|m| m.get(&k)).cloned()))
            .or_else(|| self.options.default_source.map(str::to_string));
        self.issues.push(Issue {
            path: self.pointer.clone(),
            source,
            kind,
        });
        i
    }

    fn show(&self, ty: &Type) -> String {
        self.schema.display(ty).to_string()
    }

    fn mismatch(&mut self, ty: &Type, v: &Value) -> Node {
        self.mismatch_found(ty, &Found::Value(v))
    }

    /// Records that `v` does not have the type `ty` (without its `?`).
    pub(crate) fn mismatch_found(&mut self, ty: &Type, v: &Found<'_>) -> Node {
        let expected = match (ty, self.format) {
            (t, Some(f)) if *t == f.ty() => f.expected().to_string(),
            _ => self.expected(ty),
        };
        let mut found = if self.sensitive {
            format!("{} (value redacted)", json_kind(v))
        } else {
            describe_found(v)
        };
        if matches!(ty, Type::Bool) && self.is_bool_word() {
            found.push_str(
                ", a YAML 1.1 boolean word that YAML 1.2 reads as text (write true or false)",
            );
        }
        Node::Invalid(self.issue(IssueKind::Mismatch { expected, found }))
    }

    /// What a value of type `ty` looks like, for issues.
    fn expected(&self, ty: &Type) -> String {
        match ty {
            Type::Time => "an RFC 3339 timestamp".to_string(),
            Type::Duration => "a duration such as \"90d\"".to_string(),
            Type::Enum(e) => match self.schema.enum_def(*e) {
                Some(d) if d.values.len() <= 8 => format!(
                    "one of {}",
                    d.values
                        .iter()
                        .map(|v| format!("\"{v}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(d) => format!("a value of enum `{}`", d.name),
                None => "an enum value".into(),
            },
            Type::Record(_) => format!("an object (`{}`)", self.show(ty)),
            Type::List(_) | Type::Many(_) => format!("an array (`{}`)", self.show(ty)),
            Type::Map(_) => format!("an object (`{}`)", self.show(ty)),
            other => format!("`{}`", self.show(other)),
        }
    }

    /// Whether `text`, read as a value of `ty`, has the field's format.
    fn formatted(&self, ty: &Type, text: &str) -> bool {
        Format::fits(self.format, ty, text)
    }

    fn is_bool_word(&self) -> bool {
        self.options
            .bool_words
            .is_some_and(|w| w.contains(&self.pointer))
    }

    /// Types the document that the text `value` decodes to by `decode`
    /// (`@base64`, `@json`, `@yaml`) as `ty`. Absent and `null` are as the
    /// type says; anything but text that decodes is an issue, so that a
    /// rule reading it is an error. Paths inside the document go on from
    /// the field's (`/annotations/config/replicas`).
    fn decoded(
        &mut self,
        ty: &Type,
        decode: &[gate_lang::types::Encoding],
        value: Option<&Value>,
    ) -> Node {
        let expected = || {
            let names: Vec<String> = decode
                .iter()
                .map(|e| format!("`@{}`", e.attribute()))
                .collect();
            format!("text to decode ({})", names.join(" "))
        };
        match value {
            None | Some(Value::Null) => self.convert(ty, value),
            Some(Value::String(text)) => {
                match crate::load::decode::decode(text, decode, self.sensitive) {
                    Ok(inner) => self.convert(ty, Some(&inner)),
                    Err(reason) => {
                        let expected = expected();
                        let found = format!("a string that is {reason}");
                        Node::Invalid(self.issue(IssueKind::Mismatch { expected, found }))
                    }
                }
            }
            Some(other) => {
                let expected = expected();
                let found = if self.sensitive {
                    format!("{} (value redacted)", json_kind(&Found::Value(other)))
                } else {
                    describe_json(other)
                };
                Node::Invalid(self.issue(IssueKind::Mismatch { expected, found }))
            }
        }
    }

    /// Types `value` (`None`: absent) as `ty`.
    pub(crate) fn convert(&mut self, ty: &Type, value: Option<&Value>) -> Node {
        if let Some(reason) = self
            .options
            .unverified
            .filter(|m| !m.is_empty())
            .and_then(|m| m.get(&self.pointer))
        {
            let reason = reason.clone();
            return Node::Invalid(self.issue(IssueKind::Unverified { reason }));
        }
        let (ty, optional) = match ty {
            Type::Optional(inner) => (&**inner, true),
            other => (other, false),
        };
        let v = match value {
            None if optional => return Node::Absent,
            None => {
                let expected = self.show(ty);
                return Node::Missing(self.issue(IssueKind::Missing { expected }));
            }
            Some(Value::Null) if optional => return Node::Null,
            Some(Value::Null) => {
                let expected = self.show(ty);
                return Node::Missing(self.issue(IssueKind::Null { expected }));
            }
            Some(v) => v,
        };
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => Node::Bool(*b),
            (Type::Bool, Value::String(s))
                if self.options.yaml_bool_words && self.is_bool_word() =>
            {
                match s.to_ascii_lowercase().as_str() {
                    "yes" | "y" | "on" => Node::Bool(true),
                    "no" | "n" | "off" => Node::Bool(false),
                    _ => self.mismatch(ty, v),
                }
            }
            (Type::Int, Value::Number(n)) => match n.as_i64() {
                Some(i) => Node::Int(i),
                None => self.mismatch(ty, v),
            },
            // The number written, exactly (`serde_json` keeps its digits).
            (Type::Float, Value::Number(n)) => match n.as_i64() {
                Some(i) => Node::Float(Box::new(Decimal::from_i64(i))),
                None => match Decimal::parse(&n.to_string()) {
                    Some(d) => Node::Float(Box::new(d)),
                    None => self.mismatch(ty, v),
                },
            },
            (Type::String, Value::String(s)) if self.formatted(ty, s) => {
                Node::Str(s.as_str().into())
            }
            (Type::Time, Value::String(s)) if self.formatted(ty, s) => match parse_timestamp(s) {
                Ok(t) => split_nanos(t)
                    .map(|(a, b)| Node::Time(a, b))
                    .unwrap_or_else(|| self.mismatch(ty, v)),
                Err(_) => self.mismatch(ty, v),
            },
            (Type::Duration, Value::String(s)) => match parse_evidence_duration(s) {
                Some(d) => split_nanos(d)
                    .map(|(a, b)| Node::Duration(a, b))
                    .unwrap_or_else(|| self.mismatch(ty, v)),
                None => self.mismatch(ty, v),
            },
            (Type::Enum(e), Value::String(s)) => {
                match self.schema.enum_def(*e).and_then(|d| d.index(s)) {
                    Some(i) => Node::Enum(*e, i),
                    None => self.mismatch(ty, v),
                }
            }
            (Type::Record(rid), Value::Object(map)) => {
                let plan = self.plan;
                let Some(rec) = plan.record(*rid) else {
                    return self.mismatch(ty, v);
                };
                let mut slots = Vec::with_capacity(rec.fields.len());
                let outer = (self.sensitive, self.format);
                for f in rec.fields.iter() {
                    let len = self.pointer.len();
                    push_pointer(&mut self.pointer, &f.key);
                    self.sensitive = outer.0 || f.sensitive;
                    self.format = f.format;
                    let value = map.get(&*f.key);
                    slots.push(if f.decode.is_empty() {
                        self.convert(&f.ty, value)
                    } else {
                        self.decoded(&f.ty, &f.decode, value)
                    });
                    self.pointer.truncate(len);
                }
                (self.sensitive, self.format) = outer;
                Node::Record(*rid, slots.into_boxed_slice())
            }
            (Type::List(elem) | Type::Many(elem), Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    self.pointer.push_str(&i.to_string());
                    out.push(self.convert(elem, Some(item)));
                    self.pointer.truncate(len);
                }
                list_node(out)
            }
            // One value standing for a list of one: a value that cannot be
            // read makes the list unreadable, as in `list_node`.
            (Type::Many(elem), single) => {
                let node = self.convert(elem, Some(single));
                unreadable(&node).unwrap_or_else(|| Node::One(vec![node].into_boxed_slice()))
            }
            (Type::Map(elem), Value::Object(map)) => {
                let mut out = Vec::with_capacity(map.len());
                let outer = self.sensitive;
                for (k, item) in map {
                    let len = self.pointer.len();
                    push_pointer(&mut self.pointer, k);
                    self.sensitive = outer || crate::redact::is_credential_name(k);
                    out.push((k.as_str().into(), self.convert(elem, Some(item))));
                    self.pointer.truncate(len);
                }
                self.sensitive = outer;
                map_node(out)
            }
            _ => self.mismatch(ty, v),
        }
    }
}

/// An element that cannot be read, as the node that stands for the whole
/// collection it is in.
pub(crate) fn unreadable(n: &Node) -> Option<Node> {
    match n {
        Node::Missing(i) => Some(Node::Missing(*i)),
        Node::Invalid(i) => Some(Node::Invalid(*i)),
        _ => None,
    }
}

/// A list of the evidence. A list with an element of the wrong type (or a
/// `null` where a value is required) cannot be read as a whole: its length,
/// an `==` on it or a count would count or compare garbage (`[1, "x"]` is
/// not two reviews). The list itself then stands for that element's issue,
/// so that every read of it is an error of the rule.
pub(crate) fn list_node(items: Vec<Node>) -> Node {
    items
        .iter()
        .find_map(unreadable)
        .unwrap_or_else(|| Node::List(items.into_boxed_slice()))
}

/// A map of the evidence; like [`list_node`], a map with a value that cannot
/// be read stands for that value's issue.
/// The first by key is taken, whatever order the entries were read in.
pub(crate) fn map_node(entries: Vec<(Box<str>, Node)>) -> Node {
    entries
        .iter()
        .filter_map(|(k, n)| Some((k, unreadable(n)?)))
        .min_by(|a, b| a.0.cmp(b.0))
        .map(|(_, bad)| bad)
        .unwrap_or_else(|| Node::Map(entries.into_boxed_slice()))
}

/// Appends `/key` to a JSON pointer, escaping `~` and `/`.
pub fn push_pointer(pointer: &mut String, key: &str) {
    pointer.push('/');
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

pub(crate) fn split_nanos(n: i128) -> Option<(i64, u32)> {
    let secs = i64::try_from(n.div_euclid(1_000_000_000)).ok()?;
    let nanos = u32::try_from(n.rem_euclid(1_000_000_000)).ok()?;
    Some((secs, nanos))
}

/// Joins the parts of a split timestamp or duration.
pub fn join_nanos(secs: i64, nanos: u32) -> i128 {
    i128::from(secs) * 1_000_000_000 + i128::from(nanos)
}

/// Durations in evidence: gate's own syntax (`"90d"`, `"1h30m"`) or ISO 8601
/// (`"PT1H"`, `"P90D"`, days of 24 hours; years and months have no fixed
/// length). Nothing else: no sign, no spaces, no "ago" — a negative or
/// relative duration is not a length of time, and reading `"720h ago"` as
/// 720 hours (or `"-PT720H"` as anything) would let a token pass
/// `lifetime <= 1h`.
pub(crate) fn parse_evidence_duration(s: &str) -> Option<i128> {
    let first = s.chars().next()?;
    if first.is_ascii_digit() {
        return gate_lang::lexer::parse_duration(s).ok();
    }
    if first != 'P' {
        return None;
    }
    let span = jiff::fmt::temporal::SpanParser::new().parse_span(s).ok()?;
    if span.is_negative() {
        return None;
    }
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .ok()?;
    Some(d.as_nanos()).filter(|n| *n >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(src: &str) -> Schema {
        let full = format!("gate g {{}}\n{src}\nrule r {{ require true }}\n");
        match gate_lang::compile_source("t.gate", &full) {
            Ok(p) => p.schema,
            Err(e) => panic!("{}", e.render(false, 100)),
        }
    }

    #[test]
    fn records_become_slots_and_extras_are_skipped() {
        let s = schema("record A { x: int, y: string? }\nevidence { a: A }");
        let ev = type_evidence(
            &s,
            &json!({"a": {"x": 3, "extra": [1, 2]}}),
            &TypingOptions::default(),
        );
        assert!(ev.issues.is_empty());
        let Node::Record(_, root) = &ev.root else {
            panic!()
        };
        let Node::Record(_, a) = &root[0] else {
            panic!()
        };
        assert_eq!(a[0], Node::Int(3));
        assert_eq!(a[1], Node::Absent);
    }

    #[test]
    fn mismatches_have_pointers() {
        let s = schema("enum Sev { low, high }\nrecord A { n: int, t: time, s: Sev, b: bool }\nevidence { items: [A] }");
        let ev = type_evidence(
            &s,
            &json!({"items": [{"n": "30", "t": "2026-05-04", "s": "CRITICAL", "b": "true"}]}),
            &TypingOptions::default(),
        );
        let paths: Vec<_> = ev.issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/items/0/n", "/items/0/t", "/items/0/s", "/items/0/b"]
        );
        assert!(
            ev.issues[0].message().contains("string \"30\""),
            "{}",
            ev.issues[0].message()
        );
    }

    #[test]
    fn missing_and_null() {
        let s = schema("record A { x: int }\nevidence { a: A, b: A?, c: int }");
        let ev = type_evidence(
            &s,
            &json!({"b": null, "c": null}),
            &TypingOptions::default(),
        );
        let kinds: Vec<_> = ev
            .issues
            .iter()
            .map(|i| (i.path.as_str(), &i.kind))
            .collect();
        assert!(matches!(kinds[0], ("/a", IssueKind::Missing { .. })));
        assert!(matches!(kinds[1], ("/c", IssueKind::Null { .. })));
        assert_eq!(kinds.len(), 2);
    }

    #[test]
    fn many_accepts_one_or_a_list() {
        let s = schema("record St { Action: many<string> }\nevidence { st: [St] }");
        let ev = type_evidence(
            &s,
            &json!({"st": [{"Action": "s3:*"}, {"Action": ["a", "b"]}]}),
            &TypingOptions::default(),
        );
        assert!(ev.issues.is_empty());
    }

    #[test]
    fn numbers_are_exact() {
        let s = schema("evidence { a: int, b: int, c: float }");
        let ev = type_evidence(
            &s,
            &json!({"a": 18446744073709551615u64, "b": 1.5, "c": 2}),
            &TypingOptions::default(),
        );
        let paths: Vec<_> = ev.issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["/a", "/b"]);
    }

    #[test]
    fn pointers_escape() {
        let mut p = String::new();
        push_pointer(&mut p, "a/b~c");
        assert_eq!(p, "/a~1b~0c");
    }
}

#[cfg(test)]
mod duration_tests {
    use super::parse_evidence_duration;

    #[test]
    fn evidence_durations() {
        let h = 3_600 * 1_000_000_000i128;
        assert_eq!(parse_evidence_duration("1h"), Some(h));
        assert_eq!(parse_evidence_duration("1h30m"), Some(h + h / 2));
        assert_eq!(parse_evidence_duration("PT1H"), Some(h));
        assert_eq!(parse_evidence_duration("P1DT12H"), Some(36 * h));
        assert_eq!(parse_evidence_duration("P2W"), Some(14 * 24 * h));
        assert_eq!(parse_evidence_duration("P1M"), None);
        assert_eq!(parse_evidence_duration("soon"), None);
        assert_eq!(parse_evidence_duration(""), None);
    }

    /// Negative, signed and relative forms are not lengths of time.
    #[test]
    fn signed_and_relative_durations_are_refused() {
        for text in [
            "720h ago", "-PT720H", "-P30D", "+PT1H", "+1h", "-1h", "1h ", " 1h", "1 hour", "PT-1H",
            "P-30D", "1h ago", "ago", "pt1h", "1H", "2 days", "PT1H ago",
        ] {
            assert_eq!(parse_evidence_duration(text), None, "{text}");
        }
    }
}
