//! Inferring an evidence schema from sample documents.
//!
//! Every sample is walked once and what is seen at each place is merged
//! ([`Seen`]); the merged observations are then turned into gate types
//! ([`infer`]) and written out as an `evidence { … }` block with the
//! `record` declarations it needs ([`Schema::render`]).
//!
//! * a field absent from some objects, or `null` in some, is optional (`?`);
//! * numbers that are always integral (and fit 64 bits) are `int`, else `float`;
//! * strings that are all RFC 3339 timestamps are `time`, all durations
//!   (`"90d"`, `"1h30m"`) `duration`;
//! * objects become named records; records of identical shape are shared;
//! * a value that is sometimes a `T` and sometimes a list of `T` is `many<T>`,
//!   and so is a field that the format of the samples allows both ways
//!   ([`KNOWN_MANY`], found in the samples by [`known_many`]) or that is
//!   named with `--many`, whatever the samples happen to show;
//! * values of kinds no gate type admits together (a string here, a number
//!   there) leave the field out — records ignore undeclared fields — with a
//!   comment in the output and a [`Problem`] for standard error.

use heck::{ToPascalCase, ToSnakeCase};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// The kinds of JSON values, as far as typing is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn of(v: &Value) -> Kind {
        match v {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a bool",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "a list",
            Kind::Object => "an object",
        }
    }
}

/// Where a kind of value was first seen: the sample's index and a JSON pointer.
type Witness = (usize, String);

/// What was seen at one place of the samples, merged over all of them.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Values seen here, `null` included.
    present: usize,
    nulls: usize,
    bools: usize,
    ints: usize,
    floats: usize,
    strings: usize,
    times: usize,
    durations: usize,
    arrays: usize,
    /// The elements of every list seen here, merged.
    elements: Option<Box<Seen>>,
    objects: usize,
    /// The fields of every object seen here, merged.
    fields: BTreeMap<String, Seen>,
    /// Where each kind was first seen.
    witnesses: BTreeMap<Kind, Witness>,
}

impl Seen {
    /// Records `value`, found in sample `sample` at JSON pointer `pointer`.
    pub fn observe(&mut self, value: &Value, sample: usize, pointer: &str) {
        self.present += 1;
        self.witnesses
            .entry(Kind::of(value))
            .or_insert_with(|| (sample, pointer.to_string()));
        match value {
            Value::Null => self.nulls += 1,
            Value::Bool(_) => self.bools += 1,
            Value::Number(n) => {
                if n.as_i64().is_some() {
                    self.ints += 1;
                } else {
                    self.floats += 1;
                }
            }
            Value::String(s) => {
                self.strings += 1;
                if gate_lang::time::parse_timestamp(s).is_ok() {
                    self.times += 1;
                }
                if is_duration(s) {
                    self.durations += 1;
                }
            }
            Value::Array(items) => {
                self.arrays += 1;
                let elements = self.elements.get_or_insert_with(Default::default);
                for (i, item) in items.iter().enumerate() {
                    elements.observe(item, sample, &format!("{pointer}/{i}"));
                }
            }
            Value::Object(map) => {
                self.objects += 1;
                for (k, v) in map {
                    let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    self.fields
                        .entry(k.clone())
                        .or_default()
                        .observe(v, sample, &child);
                }
            }
        }
    }

    /// Adds everything seen in `other` to this.
    fn merge(&mut self, other: &Seen) {
        self.present += other.present;
        self.nulls += other.nulls;
        self.bools += other.bools;
        self.ints += other.ints;
        self.floats += other.floats;
        self.strings += other.strings;
        self.times += other.times;
        self.durations += other.durations;
        self.arrays += other.arrays;
        if let Some(e) = &other.elements {
            self.elements.get_or_insert_with(Default::default).merge(e);
        }
        self.objects += other.objects;
        for (k, v) in &other.fields {
            self.fields.entry(k.clone()).or_default().merge(v);
        }
        for (k, w) in &other.witnesses {
            self.witnesses.entry(*k).or_insert_with(|| w.clone());
        }
    }

    /// The kinds other than `null` seen here.
    fn kinds(&self) -> Vec<Kind> {
        self.witnesses
            .keys()
            .copied()
            .filter(|k| *k != Kind::Null)
            .collect()
    }

    /// This place with its lists taken apart: the non-list values and the
    /// elements of the lists together (for `many<T>`).
    fn flattened(&self) -> Seen {
        let mut flat = self.clone();
        flat.arrays = 0;
        flat.elements = None;
        flat.witnesses.remove(&Kind::Array);
        if let Some(e) = &self.elements {
            flat.merge(e);
        }
        flat
    }
}

/// Whether `s` is a duration in gate's own syntax (`90d`, `1h30m`), as
/// evidence accepts it.
fn is_duration(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && gate_lang::lexer::parse_duration(s).is_ok()
}

/// A gate type, as inferred.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `string`
    String,
    /// `time`
    Time,
    /// `duration`
    Duration,
    /// `[T]`
    List(Box<Ty>),
    /// `many<T>`
    Many(Box<Ty>),
    /// A record, by index into [`Schema::records`].
    Record(usize),
    /// `T?`
    Optional(Box<Ty>),
}

/// A field of a record (or of the evidence root).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The key in the documents.
    pub key: String,
    /// Its type; `None` when no type admits every value seen (the field is
    /// left out of the schema).
    pub ty: Option<Ty>,
    /// What to say about it in a comment.
    pub notes: Vec<String>,
}

/// A record type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its fields, in key order.
    pub fields: Vec<Field>,
}

/// Something the user should know about the inferred schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The JSON pointer of the place (with `*` for list elements).
    pub place: String,
    /// What is wrong.
    pub message: String,
}

/// An inferred evidence schema.
#[derive(Clone, Debug)]
pub struct Schema {
    /// The fields of the evidence root.
    pub root: Vec<Field>,
    /// The record types, by index.
    pub records: Vec<Record>,
    /// Things to report on standard error.
    pub problems: Vec<Problem>,
    /// How many samples it was inferred from.
    pub samples: usize,
}

/// A field that is `many<T>`: its name (`Action`) or the names leading to
/// it, list elements left out (`Statement.Action`), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Many {
    /// The field, as `--many` names it.
    pub path: String,
    /// Why it is `many<T>`, for the comment in the schema.
    pub why: String,
}

impl Many {
    /// Whether it names the field at `place` (a JSON pointer with `*` for
    /// list elements).
    fn names(&self, place: &str) -> bool {
        let keys: Vec<String> = place
            .split('/')
            .skip(1)
            .filter(|k| *k != "*")
            .map(|k| k.replace("~1", "/").replace("~0", "~"))
            .collect();
        let want: Vec<&str> = self.path.split('.').collect();
        keys.len() >= want.len()
            && keys
                .iter()
                .rev()
                .zip(want.iter().rev())
                .all(|(k, w)| k == w)
    }
}

/// A format whose documents have fields that are a value or a list of
/// values, as its specification allows, whatever one file shows.
pub struct KnownFormat {
    /// Its name, for the comment in the schema.
    pub name: &'static str,
    /// Whether an object is one of its documents.
    pub detect: fn(&serde_json::Map<String, Value>) -> bool,
    /// Its `many<T>` fields, relative to the document.
    pub many: &'static [&'static str],
}

/// The formats whose `many<T>` fields are known.
pub const KNOWN_MANY: &[KnownFormat] = &[KnownFormat {
    name: "AWS IAM policy documents",
    detect: |doc| {
        matches!(
            doc.get("Version").and_then(Value::as_str),
            Some("2012-10-17" | "2008-10-17")
        ) && doc.contains_key("Statement")
    },
    many: &[
        "Statement",
        "Statement.Action",
        "Statement.NotAction",
        "Statement.Resource",
        "Statement.NotResource",
        "Statement.Principal.AWS",
        "Statement.Principal.Service",
        "Statement.Principal.Federated",
        "Statement.Principal.CanonicalUser",
        "Statement.NotPrincipal.AWS",
        "Statement.NotPrincipal.Service",
    ],
}];

/// The `many<T>` fields of the known formats whose documents are in
/// `value` (at any depth: mounted, in a list, embedded in a larger export).
pub fn known_many(value: &Value) -> Vec<Many> {
    let mut found: Vec<&KnownFormat> = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for f in KNOWN_MANY {
                    if (f.detect)(map) && !found.iter().any(|g| std::ptr::eq(*g, f)) {
                        found.push(f);
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
        .into_iter()
        .flat_map(|f| {
            f.many.iter().map(|p| Many {
                path: (*p).to_string(),
                why: format!("a value or a list of them in {}", f.name),
            })
        })
        .collect()
}

struct Inferrer<'a> {
    records: Vec<Record>,
    by_shape: HashMap<Vec<Field>, usize>,
    problems: Vec<Problem>,
    names: &'a [String],
    many: &'a [Many],
}

/// Infers a schema from the merged observations of the samples' roots
/// (`root` must have seen only objects). `names` are the samples' names, for
/// the reports; the fields `many` names are `many<T>`.
pub fn infer(root: &Seen, names: &[String], many: &[Many]) -> Schema {
    let mut inf = Inferrer {
        records: Vec::new(),
        by_shape: HashMap::new(),
        problems: Vec::new(),
        names,
        many,
    };
    let fields = inf.fields(root, "");
    Schema {
        root: fields,
        records: inf.records,
        problems: inf.problems,
        samples: names.len(),
    }
}

impl Inferrer<'_> {
    fn fields(&mut self, seen: &Seen, place: &str) -> Vec<Field> {
        let mut out = Vec::new();
        for (key, child) in &seen.fields {
            let child_place = format!("{place}/{}", key.replace('~', "~0").replace('/', "~1"));
            if key.chars().any(gate_lang::lexer::is_bidi_control) {
                let message = "the key contains a bidirectional-control character, which a gate cannot name, so the field is left out".to_string();
                self.problems.push(Problem {
                    place: child_place,
                    message: message.clone(),
                });
                out.push(Field {
                    key: key.clone(),
                    ty: None,
                    notes: vec![message],
                });
                continue;
            }
            let mut notes = Vec::new();
            let optional = child.present < seen.objects || child.nulls > 0;
            let ty = match self.many.iter().find(|m| m.names(&child_place)) {
                Some(m) => self.many_value(child, &child_place, &m.why, &mut notes),
                None => self.value(child, &child_place, &mut notes),
            };
            let ty = ty.map(|t| {
                if optional {
                    Ty::Optional(Box::new(t))
                } else {
                    t
                }
            });
            out.push(Field {
                key: key.clone(),
                ty,
                notes,
            });
        }
        out
    }

    /// The type of the non-null values seen at `place`.
    fn value(&mut self, seen: &Seen, place: &str, notes: &mut Vec<String>) -> Option<Ty> {
        match seen.kinds().as_slice() {
            [] => {
                notes.push("always null in the samples: type guessed".into());
                Some(Ty::String)
            }
            [Kind::Bool] => Some(Ty::Bool),
            [Kind::Number] => Some(if seen.floats == 0 { Ty::Int } else { Ty::Float }),
            [Kind::String] => Some(if seen.times == seen.strings {
                Ty::Time
            } else if seen.durations == seen.strings {
                Ty::Duration
            } else {
                Ty::String
            }),
            [Kind::Object] => Some(Ty::Record(self.record(seen, place))),
            [Kind::Array] => {
                let elem_place = format!("{place}/*");
                match &seen.elements {
                    Some(e) if e.present > 0 => {
                        let elem = self.value(e, &elem_place, notes)?;
                        Some(Ty::List(Box::new(if e.nulls > 0 {
                            Ty::Optional(Box::new(elem))
                        } else {
                            elem
                        })))
                    }
                    _ => {
                        notes.push(
                            "always an empty list in the samples: element type guessed".into(),
                        );
                        Some(Ty::List(Box::new(Ty::String)))
                    }
                }
            }
            kinds => {
                // A `T` here and a list of `T` there is `many<T>`.
                let elements_ok = seen
                    .elements
                    .as_ref()
                    .is_none_or(|e| e.nulls == 0 && e.kinds().iter().all(|k| kinds.contains(k)));
                let others: Vec<Kind> = kinds
                    .iter()
                    .copied()
                    .filter(|k| *k != Kind::Array)
                    .collect();
                if kinds.contains(&Kind::Array) && others.len() == 1 && elements_ok {
                    let flat = seen.flattened();
                    let elem = self.value(&flat, place, notes)?;
                    return Some(Ty::Many(Box::new(elem)));
                }
                let found: Vec<String> = kinds
                    .iter()
                    .filter_map(|k| {
                        let (sample, pointer) = seen.witnesses.get(k)?;
                        let name = self.names.get(*sample).map_or("?", String::as_str);
                        Some(format!("{} in {name} (at {pointer})", k.describe()))
                    })
                    .collect();
                let message = format!(
                    "values are {}: no gate type admits all of them, so the field is left out (records ignore undeclared fields)",
                    found.join(", ")
                );
                self.problems.push(Problem {
                    place: place.to_string(),
                    message: message.clone(),
                });
                notes.push(message);
                None
            }
        }
    }

    /// The type of a field that is `many<T>` whatever the samples show:
    /// `T` from its values and the elements of its lists.
    fn many_value(
        &mut self,
        seen: &Seen,
        place: &str,
        why: &str,
        notes: &mut Vec<String>,
    ) -> Option<Ty> {
        let flat = seen.flattened();
        if flat.kinds().contains(&Kind::Array) {
            // Lists of lists: not a `many<T>`.
            return self.value(seen, place, notes);
        }
        let elem = self.value(&flat, place, notes)?;
        if !matches!(seen.kinds().as_slice(), [_, _]) {
            notes.push(format!("many: {why}"));
        }
        Some(Ty::Many(Box::new(elem)))
    }

    fn record(&mut self, seen: &Seen, place: &str) -> usize {
        let fields = self.fields(seen, place);
        if let Some(id) = self.by_shape.get(&fields) {
            return *id;
        }
        let id = self.records.len();
        self.by_shape.insert(fields.clone(), id);
        self.records.push(Record { fields });
        id
    }
}

/// Words that cannot be field names (the structural keywords `gate`,
/// `record`, … can).
const KEYWORDS: &[&str] = &[
    "and", "as", "def", "else", "if", "import", "in", "it", "let", "not", "null", "or", "require",
    "then", "true", "false", "when",
];

/// Whether `s` can be written as a bare field name.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// A type name for records found under the field `key`: PascalCase, for
/// the elements of a list with the last word in the singular
/// (`approvals` → `Approval`).
pub fn type_name(key: &str, element: bool) -> String {
    let snake = key.to_snake_case();
    let mut words: Vec<String> = snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(last) = words.last_mut() {
        if element && last.chars().all(|c| c.is_ascii_alphabetic()) && last.len() > 2 {
            *last = pluralizer::pluralize(last, 1, false);
        }
    }
    let name: String = words
        .join("_")
        .to_pascal_case()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match name.chars().next() {
        None => "Record".into(),
        Some(c) if c.is_ascii_digit() => format!("T{name}"),
        Some(_) => name,
    }
}

/// A name for a key that is not one (`kms:ViaService` → `kms_via_service`),
/// if it has any ASCII letters or digits.
fn alias_for(key: &str) -> Option<String> {
    let snake = key.to_snake_case();
    let mut out = String::new();
    for c in snake.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        };
        if c == '_' && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        return None;
    }
    let out = if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("f_{out}")
    } else {
        out
    };
    Some(if KEYWORDS.contains(&out.as_str()) {
        format!("{out}_")
    } else {
        out
    })
}

/// A string literal of the gate language.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Schema {
    /// Names the records: in the order they are first used, walking from
    /// the root, each after the field it is first found under.
    fn names(&self) -> (Vec<usize>, Vec<String>) {
        let mut names: Vec<Option<String>> = vec![None; self.records.len()];
        let mut taken: HashSet<String> = HashSet::new();
        let mut order = Vec::new();
        let mut queue: Vec<(usize, Option<String>, String, bool)> = Vec::new();
        let collect = |fields: &[Field], parent: Option<&str>, queue: &mut Vec<_>| {
            for f in fields {
                let mut ids = Vec::new();
                if let Some(t) = &f.ty {
                    record_ids(t, false, &mut ids);
                }
                for (id, in_list) in ids {
                    queue.push((id, parent.map(str::to_string), f.key.clone(), in_list));
                }
            }
        };
        collect(&self.root, None, &mut queue);
        let mut next = 0;
        while let Some((id, parent, key, in_list)) = queue.get(next).cloned() {
            next += 1;
            if names.get(id).is_none_or(Option::is_some) {
                continue;
            }
            let base = type_name(&key, in_list);
            let mut candidates = vec![base.clone()];
            if let Some(p) = &parent {
                candidates.push(format!("{p}{base}"));
            }
            let name = candidates
                .into_iter()
                .find(|c| !taken.contains(c))
                .unwrap_or_else(|| {
                    (2..)
                        .map(|i| format!("{base}{i}"))
                        .find(|c| !taken.contains(c))
                        .unwrap_or(base)
                });
            taken.insert(name.clone());
            if let Some(slot) = names.get_mut(id) {
                *slot = Some(name.clone());
            }
            order.push(id);
            if let Some(rec) = self.records.get(id) {
                collect(&rec.fields, Some(&name), &mut queue);
            }
        }
        let names = names
            .into_iter()
            .map(|n| n.unwrap_or_else(|| "Record".into()))
            .collect();
        (order, names)
    }

    /// The schema in the gate language: the `evidence` block, then the
    /// records, each after the block or record that first uses it.
    pub fn render(&self) -> String {
        let (order, names) = self.names();
        let mut out = String::new();
        let samples = if self.samples == 1 {
            "1 sample".to_string()
        } else {
            format!("{} samples", self.samples)
        };
        let _ = writeln!(
            out,
            "# Evidence schema inferred by `gate schema infer` from {samples}."
        );
        out.push_str(
            "# Review it: optional fields (`?`) and types are only what the samples show.\n",
        );
        out.push_str("evidence {\n");
        render_fields(&mut out, &self.root, &names);
        out.push_str("}\n");
        for id in order {
            let (Some(rec), Some(name)) = (self.records.get(id), names.get(id)) else {
                continue;
            };
            let _ = writeln!(out, "\nrecord {name} {{");
            render_fields(&mut out, &rec.fields, &names);
            out.push_str("}\n");
        }
        out
    }
}

/// The records `t` refers to, each with whether it is an element of a list.
fn record_ids(t: &Ty, in_list: bool, out: &mut Vec<(usize, bool)>) {
    match t {
        Ty::Record(id) => out.push((*id, in_list)),
        Ty::List(e) | Ty::Many(e) => record_ids(e, true, out),
        Ty::Optional(e) => record_ids(e, in_list, out),
        _ => {}
    }
}

fn render_type(t: &Ty, names: &[String]) -> String {
    match t {
        Ty::Bool => "bool".into(),
        Ty::Int => "int".into(),
        Ty::Float => "float".into(),
        Ty::String => "string".into(),
        Ty::Time => "time".into(),
        Ty::Duration => "duration".into(),
        Ty::List(e) => format!("[{}]", render_type(e, names)),
        Ty::Many(e) => format!("many<{}>", render_type(e, names)),
        Ty::Record(id) => names.get(*id).cloned().unwrap_or_else(|| "Record".into()),
        Ty::Optional(e) => format!("{}?", render_type(e, names)),
    }
}

/// Whether values of the type are text (or lists of text).
fn holds_text(t: &Ty) -> bool {
    match t {
        Ty::String => true,
        Ty::List(e) | Ty::Many(e) | Ty::Optional(e) => holds_text(e),
        _ => false,
    }
}

fn render_fields(out: &mut String, fields: &[Field], names: &[String]) {
    let mut used: HashSet<String> = fields
        .iter()
        .filter(|f| f.ty.is_some() && is_name(&f.key))
        .map(|f| f.key.clone())
        .collect();
    for f in fields {
        let Some(ty) = &f.ty else {
            for n in &f.notes {
                let _ = writeln!(out, "  # left out {}: {n}", quote(&f.key));
            }
            continue;
        };
        let head = if is_name(&f.key) {
            f.key.clone()
        } else {
            match alias_for(&f.key) {
                Some(base) => {
                    let alias = std::iter::once(base.clone())
                        .chain((2..).map(|i| format!("{}_{i}", base.trim_end_matches('_'))))
                        .find(|a| !used.contains(a))
                        .unwrap_or(base);
                    used.insert(alias.clone());
                    format!("{} as {alias}", quote(&f.key))
                }
                None => quote(&f.key),
            }
        };
        // A field whose name says it holds a credential, and which holds
        // text, is marked: its values then never appear in any output
        // (gate would treat it so anyway; the mark says it to the reader).
        let mark = if holds_text(ty) && gate_eval::redact::is_credential_name(&f.key) {
            "@sensitive "
        } else {
            ""
        };
        let _ = write!(out, "  {mark}{head}: {}", render_type(ty, names));
        if !f.notes.is_empty() {
            let _ = write!(out, "  # {}", f.notes.join("; "));
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    fn schema(samples: &[Value]) -> Schema {
        let mut root = Seen::default();
        for (i, s) in samples.iter().enumerate() {
            root.observe(s, i, "");
        }
        let names: Vec<String> = (0..samples.len()).map(|i| format!("s{i}.json")).collect();
        infer(&root, &names, &[])
    }

    fn render(samples: &[Value]) -> String {
        schema(samples).render()
    }

    fn body(samples: &[Value]) -> String {
        render(samples)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn credentials_are_marked_sensitive() {
        let text = body(&[json!({
            "client_secret": "s3cr3t",
            "DB_PASSWORD": "hunter2",
            "tokens": ["a", "b"],
            "requires_auth": true,
            "name": "x"
        })]);
        assert!(text.contains("@sensitive client_secret: string"), "{text}");
        assert!(text.contains("@sensitive DB_PASSWORD: string"), "{text}");
        assert!(text.contains("@sensitive tokens: [string]"), "{text}");
        assert!(text.contains("  requires_auth: bool"), "{text}");
        assert!(text.contains("  name: string"), "{text}");
    }

    #[test]
    fn scalars() {
        let got = body(&[json!({
            "b": true, "i": 3, "f": 1.5, "s": "x", "t": "2026-05-04T09:00:00Z", "d": "90d"
        })]);
        assert_eq!(
            got,
            "evidence {\n  b: bool\n  d: duration\n  f: float\n  i: int\n  s: string\n  t: time\n}"
        );
    }

    #[test]
    fn optional_when_absent_or_null() {
        let got = body(&[json!({"a": 1, "b": null, "c": 1}), json!({"a": 2, "c": 1})]);
        assert!(got.contains("  a: int\n"), "{got}");
        assert!(got.contains("  b: string?  # always null"), "{got}");
        let got = body(&[json!({"a": 1, "c": 1}), json!({"c": 2})]);
        assert!(got.contains("  a: int?\n"), "{got}");
        assert!(got.contains("  c: int\n"), "{got}");
    }

    #[test]
    fn numbers_mix_to_float_and_big_ints_are_floats() {
        let got = body(&[json!({"n": 1}), json!({"n": 2.5})]);
        assert!(got.contains("  n: float\n"), "{got}");
        let got = body(&[json!({"n": 18446744073709551615u64})]);
        assert!(got.contains("  n: float\n"), "{got}");
    }

    #[test]
    fn times_only_when_all_parse() {
        let got = body(&[
            json!({"t": "2026-05-04T09:00:00Z"}),
            json!({"t": "yesterday"}),
        ]);
        assert!(got.contains("  t: string\n"), "{got}");
    }

    #[test]
    fn lists_of_objects_are_named_records() {
        let got = render(&[json!({
            "approvals": [{"role": "ops", "at": "2026-05-04T09:00:00Z"}, {"role": "security"}],
            "identities": [{"id": "a"}],
        })]);
        assert!(got.contains("  approvals: [Approval]\n"), "{got}");
        assert!(
            got.contains("record Approval {\n  at: time?\n  role: string\n}"),
            "{got}"
        );
        assert!(got.contains("  identities: [Identity]\n"), "{got}");
    }

    #[test]
    fn identical_shapes_share_a_type_and_names_do_not_clash() {
        let person = json!({"id": "u1", "login": "x"});
        let got = render(&[json!({
            "owner": {"id": 1}, "delegate": person, "contact": person,
            "a": {"owner": {"team": "t"}},
        })]);
        // `contact` and `delegate` have one shape: one record, named after the first use.
        assert!(got.contains("  contact: Contact\n"), "{got}");
        assert!(got.contains("  delegate: Contact\n"), "{got}");
        assert_eq!(got.matches("record Contact").count(), 1, "{got}");
        // Another shape under another `owner` gets the parent's name as prefix.
        assert!(got.contains("  owner: Owner\n"), "{got}");
        assert!(got.contains("record A {\n  owner: AOwner\n}"), "{got}");
        assert!(got.contains("record Owner {\n  id: int\n}"), "{got}");
    }

    #[test]
    fn one_or_many() {
        let got = body(&[
            json!({"action": "s3:Get"}),
            json!({"action": ["s3:Get", "s3:Put"]}),
        ]);
        assert!(got.contains("  action: many<string>\n"), "{got}");
    }

    #[test]
    fn heterogeneous_values_are_left_out_and_reported() {
        let s = schema(&[json!({"x": "a", "y": 1}), json!({"x": 2, "y": 2})]);
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.problems[0].place, "/x");
        assert!(s.problems[0]
            .message
            .contains("a number in s1.json (at /x)"));
        assert!(s.problems[0]
            .message
            .contains("a string in s0.json (at /x)"));
        let got = s.render();
        assert!(got.contains("  # left out \"x\": "), "{got}");
        assert!(!got.contains("  x:"), "{got}");
        assert!(got.contains("  y: int\n"), "{got}");
    }

    #[test]
    fn lists_with_nulls_and_empty_lists() {
        let got = body(&[json!({"a": [1, null], "e": []})]);
        assert!(got.contains("  a: [int?]\n"), "{got}");
        assert!(
            got.contains("  e: [string]  # always an empty list"),
            "{got}"
        );
    }

    #[test]
    fn keys_that_are_not_names() {
        let got = body(&[json!({
            "kms:ViaService": "x", "in": 1, "2fa": true, "rule": "r", "a\"{b}": 1, "***": 1,
            "in_": 2
        })]);
        assert!(
            got.contains("  \"kms:ViaService\" as kms_via_service: string\n"),
            "{got}"
        );
        assert!(got.contains("  \"in\" as in_2: int\n"), "{got}");
        assert!(got.contains("  \"2fa\" as f_2fa: bool\n"), "{got}");
        assert!(got.contains("  rule: string\n"), "{got}");
        assert!(got.contains("  \"a\\\"\\{b\\}\" as a_b: int\n"), "{got}");
        assert!(got.contains("  \"***\": int\n"), "{got}");
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("approvals", true), "Approval");
        assert_eq!(type_name("identities", true), "Identity");
        assert_eq!(type_name("k8s_rules", true), "K8sRule");
        assert_eq!(type_name("aws_policy_documents", true), "AwsPolicyDocument");
        assert_eq!(type_name("status", true), "Status");
        assert_eq!(type_name("addresses", true), "Address");
        assert_eq!(type_name("Statement", true), "Statement");
        assert_eq!(type_name("2fa", true), "T2fa");
        assert_eq!(type_name("operations", false), "Operations");
        assert_eq!(type_name("***", true), "Record");
    }
}
