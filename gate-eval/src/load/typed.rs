//! Schema-driven JSON loading: from the bytes straight to the typed tree.
//!
//! [`load`] drives serde_json's parser with seeds built from the gate's schema, so a JSON
//! document becomes the [`Node`] tree that [`crate::evidence::type_evidence`] would make of
//! it, without building a [`serde_json::Value`] first. Only the fields the schema declares are
//! materialised; everything else is skipped while parsing.
//!
//! Skipping still checks what the strict JSON loader (`json.rs` and `check_sizes`) checks:
//! nesting depth, duplicate keys (borrowed from the input, in a small vector), numbers
//! (non-finite, underflowing, out of range) and the string and list limits. The loader does
//! not make its own error messages: on anything the strict loader would refuse it gives up
//! (`None`), and the caller loads the document the ordinary way, which reports exactly the
//! error it always did. So the fast path is correct as long as it accepts nothing the strict
//! loader refuses, and types everything exactly as the typing of the `Value` does.
//!
//! Exactness of issues. The `Value` path records issues depth first, in schema field order,
//! list index order and map entries in the order of [`serde_json::Map`]. Here fields arrive in
//! document order, so every issue gets a sort key (its position: field index, list index or
//! map entry rank at each level); at the end the issues are sorted by key (stably) and the
//! `Missing`/`Invalid` indexes in the tree renumbered. Values that do not fit their type, and
//! every other rare case, are typed by the same [`Converter`] the `Value` path uses, so
//! messages are the same by construction.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use gate_lang::types::{Format, RecordId, Schema, Type};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use smallvec::SmallVec;

use super::json::{number_value, NumberTextSeed, NUMBER_TOKEN};
use super::LoadLimits;
use crate::evidence::{
    list_node, map_node, parse_evidence_duration, push_pointer, split_nanos, Converter, Found,
    Issue, Node, Plan, TypedEvidence, TypingOptions,
};

/// Types the JSON document `text` (already checked for size and UTF-8, BOM removed) by
/// `schema`, as [`crate::evidence::type_evidence`] would type its `Value` when the document is
/// the only one, not mounted, named `source`. `None` when the document is refused by the
/// strict JSON loader (or uses something this loader leaves to it).
pub(crate) fn load(
    text: &str,
    limits: &LoadLimits,
    schema: &Schema,
    plan: &Plan,
    source: &str,
) -> Option<TypedEvidence> {
    let options = TypingOptions {
        default_source: Some(source),
        ..TypingOptions::default()
    };
    let root_ty = schema.root.map(Type::Record);
    let mut loader = Loader {
        schema,
        plan,
        conv: Converter::new(schema, plan, &options),
        keys: Vec::new(),
        limits: *limits,
        input_start: text.as_ptr().addr(),
        input_end: text.as_ptr().addr().saturating_add(text.len()),
        sorted_maps: maps_are_sorted(),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let root = match &root_ty {
        Some(ty) => TypedSeed {
            cx: &mut loader,
            ty,
            frame: None,
            depth: 0,
            sensitive: false,
            format: None,
        }
        .deserialize(&mut de)
        .ok()?,
        None => {
            SkipSeed {
                cx: &loader,
                depth: 0,
            }
            .deserialize(&mut de)
            .ok()?;
            Node::Absent
        }
    };
    de.end().ok()?;
    Some(loader.finish(root))
}

/// Whether [`serde_json::Map`] iterates in key order (a `BTreeMap`) rather than insertion
/// order (the `preserve_order` feature, which another crate may turn on).
fn maps_are_sorted() -> bool {
    static SORTED: OnceLock<bool> = OnceLock::new();
    *SORTED.get_or_init(|| {
        let mut map = serde_json::Map::new();
        map.insert("b".into(), Value::Null);
        map.insert("a".into(), Value::Null);
        map.keys().next().is_some_and(|k| k == "a")
    })
}

/// Where a value is: a chain of frames on the stack, from the value up to the root.
#[derive(Clone, Copy)]
struct Frame<'f> {
    seg: Seg<'f>,
    /// Its position among its siblings in the `Value` path's order (for map entries: the
    /// position in the document, replaced by the rank when the map is complete).
    sort: u32,
    parent: Option<&'f Frame<'f>>,
}

#[derive(Clone, Copy)]
enum Seg<'f> {
    Key(&'f str),
    Index(usize),
}

/// The frames from the root down to `frame`.
fn frames<'f>(mut frame: Option<&'f Frame<'f>>) -> SmallVec<[&'f Frame<'f>; 16]> {
    let mut out = SmallVec::new();
    while let Some(f) = frame {
        out.push(f);
        frame = f.parent;
    }
    out.reverse();
    out
}

/// How many frames lead to `frame`.
fn level(mut frame: Option<&Frame<'_>>) -> usize {
    let mut n = 0;
    while let Some(f) = frame {
        n += 1;
        frame = f.parent;
    }
    n
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Loader<'s> {
    schema: &'s Schema,
    plan: &'s Plan,
    conv: Converter<'s>,
    /// The sort key of each issue of `conv`, index for index.
    keys: Vec<Box<[u32]>>,
    limits: LoadLimits,
    input_start: usize,
    input_end: usize,
    sorted_maps: bool,
}

impl<'s> Loader<'s> {
    /// Runs `f` on the converter for the value at `frame`, and gives the issues it records
    /// their pointer and sort key. `f` must not descend into containers: every issue it
    /// records is about the value at `frame`.
    fn cold(
        &mut self,
        frame: Option<&Frame<'_>>,
        sensitive: bool,
        format: Option<Format>,
        f: impl FnOnce(&mut Converter<'s>) -> Node,
    ) -> Node {
        let before = self.conv.issues.len();
        self.conv.sensitive = sensitive;
        self.conv.format = format;
        let node = f(&mut self.conv);
        if self.conv.issues.len() > before {
            let chain = frames(frame);
            let mut pointer = String::new();
            for f in &chain {
                match f.seg {
                    Seg::Key(k) => push_pointer(&mut pointer, k),
                    Seg::Index(i) => {
                        pointer.push('/');
                        pointer.push_str(&i.to_string());
                    }
                }
            }
            let key: Box<[u32]> = chain.iter().map(|f| f.sort).collect();
            for issue in self.conv.issues.iter_mut().skip(before) {
                issue.path.clone_from(&pointer);
                self.keys.push(key.clone());
            }
        }
        node
    }

    /// Whether `s` lies inside the input text (a key borrowed from the document).
    fn in_input(&self, s: &str) -> bool {
        let start = s.as_ptr().addr();
        start >= self.input_start && start.saturating_add(s.len()) <= self.input_end
    }

    /// Puts the issues in the `Value` path's order and renumbers the tree to match.
    fn finish(self, mut root: Node) -> TypedEvidence {
        let keys = self.keys;
        let mut issues = self.conv.issues;
        let sorted = keys.windows(2).all(|w| match w {
            [a, b] => a <= b,
            _ => true,
        });
        if !sorted && keys.len() == issues.len() {
            let mut order: Vec<usize> = (0..issues.len()).collect();
            order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
            let mut renumbered = vec![0_u32; issues.len()];
            for (new, &old) in order.iter().enumerate() {
                if let Some(slot) = renumbered.get_mut(old) {
                    *slot = to_u32(new);
                }
            }
            let mut old: Vec<Option<Issue>> = issues.into_iter().map(Some).collect();
            issues = order
                .iter()
                .filter_map(|&i| old.get_mut(i).and_then(Option::take))
                .collect();
            renumber(&mut root, &renumbered);
        }
        TypedEvidence { root, issues }
    }
}

/// Replaces every issue index in the tree by its new number.
fn renumber(root: &mut Node, renumbered: &[u32]) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node {
            Node::Missing(i) | Node::Invalid(i) => {
                if let Some(&new) = renumbered.get(*i as usize) {
                    *i = new;
                }
            }
            Node::List(items) | Node::One(items) | Node::Record(_, items) => {
                stack.extend(items.iter_mut());
            }
            Node::Map(entries) => stack.extend(entries.iter_mut().map(|(_, n)| n)),
            _ => {}
        }
    }
}

/// The error that makes [`load`] give up; its text is never shown.
fn refuse<E: de::Error>() -> E {
    E::custom("left to the strict loader")
}

/// `ty` without its `?` and, for a value that is not an array, without the `many<…>` around
/// it; with how many `many` were removed.
fn single(ty: &Type) -> (&Type, usize) {
    let mut t = ty.non_null();
    let mut wraps = 0;
    while let Type::Many(elem) = t {
        wraps += 1;
        t = elem.non_null();
    }
    (t, wraps)
}

/// `node` as the single element of `wraps` nested `many<…>` values.
fn wrap(mut node: Node, wraps: usize) -> Node {
    for _ in 0..wraps {
        node = Node::One(Box::new([node]));
    }
    node
}

/// An object key.
enum Key<'de> {
    Name(Cow<'de, str>),
    /// serde_json's number marker (see `json.rs`).
    NumberToken,
}

impl<'de> Key<'de> {
    fn into_name(self) -> Cow<'de, str> {
        match self {
            Key::Name(name) => name,
            Key::NumberToken => Cow::Borrowed(NUMBER_TOKEN),
        }
    }
}

struct KeySeed<'l, 's> {
    cx: &'l Loader<'s>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl KeySeed<'_, '_> {
    fn check<E: de::Error>(&self, key: &str) -> Result<(), E> {
        if key.len() > self.cx.limits.max_string {
            Err(refuse())
        } else {
            Ok(())
        }
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        if v == NUMBER_TOKEN && !self.cx.in_input(v) {
            return Ok(Key::NumberToken);
        }
        self.check(v)?;
        Ok(Key::Name(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        self.check(v)?;
        Ok(Key::Name(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        self.check(&v)?;
        Ok(Key::Name(Cow::Owned(v)))
    }
}

/// The keys of one object, to refuse duplicates: a short list, a hash set when long.
#[derive(Default)]
struct KeySet<'de> {
    small: SmallVec<[Cow<'de, str>; 8]>,
    large: Option<HashSet<Cow<'de, str>>>,
}

/// Objects with more keys than this check duplicates with a hash set.
const SMALL_KEYS: usize = 16;

impl<'de> KeySet<'de> {
    /// Adds `key`; `false` when it was already there.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.large {
            return set.insert(key);
        }
        if self.small.contains(&key) {
            return false;
        }
        if self.small.len() < SMALL_KEYS {
            self.small.push(key);
            return true;
        }
        let mut set: HashSet<Cow<'de, str>> = self.small.drain(..).collect();
        set.insert(key);
        self.large = Some(set);
        true
    }
}

/// Skips a value, checking it as the strict loader would; gives how many elements or entries
/// it has (0 for a scalar).
struct SkipSeed<'l, 's> {
    cx: &'l Loader<'s>,
    /// Depth of the enclosing container (0 for the root).
    depth: usize,
}

impl SkipSeed<'_, '_> {
    fn enter<E: de::Error>(&self) -> Result<usize, E> {
        enter(self.depth, &self.cx.limits)
    }
}

/// The depth one level below `depth`; refused over the limit.
fn enter<E: de::Error>(depth: usize, limits: &LoadLimits) -> Result<usize, E> {
    let depth = depth.saturating_add(1);
    if depth > limits.max_depth {
        Err(refuse())
    } else {
        Ok(depth)
    }
}

impl<'de> DeserializeSeed<'de> for SkipSeed<'_, '_> {
    type Value = usize;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

/// Skips the rest of an object whose first key was `first`; gives how many entries it had.
fn skip_entries<'de, A: MapAccess<'de>>(
    cx: &Loader<'_>,
    first: Option<Key<'de>>,
    access: &mut A,
    depth: usize,
) -> Result<usize, A::Error> {
    let mut keys = KeySet::default();
    let mut count = 0_usize;
    let mut next = first;
    while let Some(key) = next {
        count += 1;
        if count > cx.limits.max_list || !keys.insert(key.into_name()) {
            return Err(refuse());
        }
        access.next_value_seed(SkipSeed { cx, depth })?;
        next = access.next_key_seed(KeySeed { cx })?;
    }
    Ok(count)
}

/// Skips the rest of an array; gives how many elements it had.
fn skip_elements<'de, A: SeqAccess<'de>>(
    cx: &Loader<'_>,
    seq: &mut A,
    depth: usize,
) -> Result<usize, A::Error> {
    let mut count = 0_usize;
    while seq.next_element_seed(SkipSeed { cx, depth })?.is_some() {
        count += 1;
        if count > cx.limits.max_list {
            return Err(refuse());
        }
    }
    Ok(count)
}

/// Reads the text of a number given as serde_json's marker map and checks it.
fn number<'de, A: MapAccess<'de>>(access: &mut A) -> Result<Value, A::Error> {
    let text = access.next_value_seed(NumberTextSeed)?;
    number_value(text).map_err(|_| refuse())
}

impl<'de> Visitor<'de> for SkipSeed<'_, '_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<usize, E> {
        match Number::from_f64(v) {
            Some(_) => Ok(0),
            None => Err(refuse()),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        if v.len() > self.cx.limits.max_string {
            Err(refuse())
        } else {
            Ok(0)
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let depth = self.enter()?;
        skip_elements(self.cx, &mut seq, depth)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<usize, A::Error> {
        let first = access.next_key_seed(KeySeed { cx: self.cx })?;
        if let Some(Key::NumberToken) = first {
            number(&mut access)?;
            return Ok(0);
        }
        let depth = self.enter()?;
        skip_entries(self.cx, first, &mut access, depth)
    }
}

/// Reads a value of type `ty` at `frame` into a [`Node`].
struct TypedSeed<'l, 's, 'f> {
    cx: &'l mut Loader<'s>,
    ty: &'s Type,
    frame: Option<&'f Frame<'f>>,
    /// Depth of the enclosing container (0 for the root).
    depth: usize,
    /// Inside a sensitive field.
    sensitive: bool,
    /// The format of the field it is in (`@utc`, `@digest`).
    format: Option<Format>,
}

impl<'de> DeserializeSeed<'de> for TypedSeed<'_, '_, '_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'s> TypedSeed<'_, 's, '_> {
    fn enter<E: de::Error>(&self) -> Result<usize, E> {
        enter(self.depth, &self.cx.limits)
    }

    /// Types a scalar the way the `Value` path does (for values that do not fit, and other
    /// rare cases).
    fn slow(self, value: Value) -> Node {
        let ty = self.ty;
        self.cx.cold(self.frame, self.sensitive, self.format, |c| {
            c.convert(ty, Some(&value))
        })
    }

    fn number(self, n: i64) -> Node {
        match single(self.ty) {
            (Type::Int, wraps) => wrap(Node::Int(n), wraps),
            (Type::Float, wraps) => wrap(
                Node::Float(Box::new(gate_lang::num::Decimal::from_i64(n))),
                wraps,
            ),
            _ => self.slow(Value::from(n)),
        }
    }

    fn record<'de, A: MapAccess<'de>>(
        self,
        rid: RecordId,
        first: Option<Key<'de>>,
        access: &mut A,
        depth: usize,
    ) -> Result<Node, A::Error> {
        let plan: &'s Plan = self.cx.plan;
        let Some(rec) = plan.record(rid).filter(|r| !r.shared_keys) else {
            return Err(refuse());
        };
        let n = rec.fields.len();
        let mut slots: Vec<Node> = (0..n).map(|_| Node::Absent).collect();
        let mut seen: SmallVec<[bool; 32]> = smallvec::smallvec![false; n];
        let mut extras = KeySet::default();
        let mut count = 0_usize;
        let mut next = first;
        while let Some(key) = next {
            count += 1;
            if count > self.cx.limits.max_list {
                return Err(refuse());
            }
            let key = key.into_name();
            match rec.lookup(&key) {
                Some(i) => {
                    let (Some(field), Some(seen)) = (rec.fields.get(i), seen.get_mut(i)) else {
                        return Err(refuse());
                    };
                    if *seen {
                        return Err(refuse());
                    }
                    *seen = true;
                    let frame = Frame {
                        seg: Seg::Key(&field.key),
                        sort: to_u32(i),
                        parent: self.frame,
                    };
                    let node = access.next_value_seed(TypedSeed {
                        cx: &mut *self.cx,
                        ty: &field.ty,
                        frame: Some(&frame),
                        depth,
                        sensitive: self.sensitive || field.sensitive,
                        format: field.format,
                    })?;
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = node;
                    }
                }
                None => {
                    if !extras.insert(key) {
                        return Err(refuse());
                    }
                    access.next_value_seed(SkipSeed { cx: self.cx, depth })?;
                }
            }
            next = access.next_key_seed(KeySeed { cx: self.cx })?;
        }
        for (i, (field, slot)) in rec.fields.iter().zip(slots.iter_mut()).enumerate() {
            if seen.get(i).copied().unwrap_or(true) || field.ty.is_optional() {
                continue;
            }
            let frame = Frame {
                seg: Seg::Key(&field.key),
                sort: to_u32(i),
                parent: self.frame,
            };
            *slot = self.cx.cold(
                Some(&frame),
                self.sensitive || field.sensitive,
                field.format,
                |c| c.convert(&field.ty, None),
            );
        }
        Ok(Node::Record(rid, slots.into_boxed_slice()))
    }

    fn map<'de, A: MapAccess<'de>>(
        self,
        elem: &'s Type,
        first: Option<Key<'de>>,
        access: &mut A,
        depth: usize,
    ) -> Result<Node, A::Error> {
        let start = self.cx.conv.issues.len();
        let at = level(self.frame);
        let mut entries: Vec<(Box<str>, Node)> = Vec::new();
        let mut next = first;
        while let Some(key) = next {
            if entries.len() >= self.cx.limits.max_list {
                return Err(refuse());
            }
            let key = key.into_name();
            let frame = Frame {
                seg: Seg::Key(&key),
                sort: to_u32(entries.len()),
                parent: self.frame,
            };
            let node = access.next_value_seed(TypedSeed {
                cx: &mut *self.cx,
                ty: elem,
                frame: Some(&frame),
                depth,
                sensitive: self.sensitive || crate::redact::is_credential_name(&key),
                format: self.format,
            })?;
            entries.push((key.into_owned().into_boxed_str(), node));
            next = access.next_key_seed(KeySeed { cx: self.cx })?;
        }
        let name = |i: usize| entries.get(i).map(|(k, _)| k);
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| name(a).cmp(&name(b)));
        if order.windows(2).any(|w| match w {
            [a, b] => name(*a) == name(*b),
            _ => false,
        }) {
            return Err(refuse());
        }
        let in_order = order.iter().enumerate().all(|(r, &i)| r == i);
        if self.cx.sorted_maps && !in_order {
            let mut rank = vec![0_u32; entries.len()];
            for (r, &i) in order.iter().enumerate() {
                if let Some(slot) = rank.get_mut(i) {
                    *slot = to_u32(r);
                }
            }
            for key in self.cx.keys.iter_mut().skip(start) {
                if let Some(c) = key.get_mut(at) {
                    *c = rank.get(*c as usize).copied().unwrap_or(*c);
                }
            }
            let mut old: Vec<Option<(Box<str>, Node)>> = entries.into_iter().map(Some).collect();
            entries = order
                .iter()
                .filter_map(|&i| old.get_mut(i).and_then(Option::take))
                .collect();
        }
        Ok(map_node(entries))
    }
}

impl<'de> Visitor<'de> for TypedSeed<'_, '_, '_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        if self.ty.is_optional() {
            Ok(Node::Null)
        } else {
            Ok(self.slow(Value::Null))
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(match single(self.ty) {
            (Type::Bool, wraps) => wrap(Node::Bool(v), wraps),
            _ => self.slow(Value::Bool(v)),
        })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(self.number(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(match i64::try_from(v) {
            Ok(n) => self.number(n),
            Err(_) => self.slow(Value::from(v)),
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        // Not reached with `arbitrary_precision`; as `json.rs` does.
        match Number::from_f64(v) {
            Some(n) => Ok(self.slow(Value::Number(n))),
            None => Err(refuse()),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        if v.len() > self.cx.limits.max_string {
            return Err(refuse());
        }
        let (t, wraps) = single(self.ty);
        // A value without its field's format goes the slow way, which
        // records the issue.
        if !Format::fits(self.format, t, v) {
            return Ok(self.slow(Value::String(v.to_owned())));
        }
        let fast = match t {
            Type::String => Some(Node::Str(v.into())),
            Type::Enum(e) => self
                .cx
                .schema
                .enum_def(*e)
                .and_then(|d| d.index(v))
                .map(|i| Node::Enum(*e, i)),
            Type::Time => gate_lang::time::parse_timestamp(v)
                .ok()
                .and_then(split_nanos)
                .map(|(s, n)| Node::Time(s, n)),
            Type::Duration => parse_evidence_duration(v)
                .and_then(split_nanos)
                .map(|(s, n)| Node::Duration(s, n)),
            _ => None,
        };
        Ok(match fast {
            Some(node) => wrap(node, wraps),
            None => self.slow(Value::String(v.to_owned())),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let depth = self.enter()?;
        let max_list = self.cx.limits.max_list;
        match self.ty.non_null() {
            Type::List(elem) | Type::Many(elem) => {
                let mut items = Vec::new();
                loop {
                    let i = items.len();
                    let frame = Frame {
                        seg: Seg::Index(i),
                        sort: to_u32(i),
                        parent: self.frame,
                    };
                    let seed = TypedSeed {
                        cx: &mut *self.cx,
                        ty: elem,
                        frame: Some(&frame),
                        depth,
                        sensitive: self.sensitive,
                        format: self.format,
                    };
                    match seq.next_element_seed(seed)? {
                        Some(node) if i < max_list => items.push(node),
                        Some(_) => return Err(refuse()),
                        None => break,
                    }
                }
                Ok(list_node(items))
            }
            t => {
                let n = skip_elements(self.cx, &mut seq, depth)?;
                Ok(self.cx.cold(self.frame, self.sensitive, self.format, |c| {
                    c.mismatch_found(t, &Found::Array(n))
                }))
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Node, A::Error> {
        let first = access.next_key_seed(KeySeed { cx: self.cx })?;
        if let Some(Key::NumberToken) = first {
            let value = number(&mut access)?;
            return Ok(self.slow(value));
        }
        let depth = self.enter()?;
        let (t, wraps) = single(self.ty);
        let node = match t {
            Type::Record(rid) if self.cx.plan.record(*rid).is_some() => {
                self.record(*rid, first, &mut access, depth)?
            }
            Type::Map(elem) => self.map(elem, first, &mut access, depth)?,
            t => {
                skip_entries(self.cx, first, &mut access, depth)?;
                self.cx.cold(self.frame, self.sensitive, self.format, |c| {
                    c.mismatch_found(t, &Found::Object)
                })
            }
        };
        Ok(wrap(node, wraps))
    }
}

#[cfg(test)]
mod tests;
