//! Schema-driven JSON loading: from the bytes straight to the typed tree.
//!
//! [`load`] reads the document with jiter (as `json.rs` does), guided by the gate's schema, so a JSON
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

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use gate_lang::types::{Format, RecordId, Schema, Type};
use jiter::{Jiter, JiterError, Peek};
use serde_json::Value;
use smallvec::SmallVec;

use super::json::{deeper, number_text, number_value};
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
        sorted_maps: maps_are_sorted(),
        hasher: RandomState::new(),
    };
    let mut j = Jiter::new(text.as_bytes());
    let peek = j.peek().ok()?;
    let root = match &root_ty {
        Some(ty) => loader
            .typed(
                &mut j,
                peek,
                At {
                    ty,
                    frame: None,
                    depth: 0,
                    sensitive: false,
                    format: None,
                },
            )
            .ok()?,
        None => {
            loader.skip(&mut j, peek, 0).ok()?;
            Node::Absent
        }
    };
    j.finish().ok()?;
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
    sorted_maps: bool,
    /// Hashes object keys to find duplicates (see [`KeySet`]).
    hasher: RandomState,
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

/// Why [`load`] gives up: the strict loader is left to say what is wrong.
struct Refused;

impl From<JiterError> for Refused {
    fn from(_: JiterError) -> Self {
        Refused
    }
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

/// `node` as the single element of `wraps` nested `many<…>` values; a
/// node that cannot be read stands for them (as in `list_node`).
fn wrap(mut node: Node, wraps: usize) -> Node {
    if let Some(bad) = crate::evidence::unreadable(&node) {
        return bad;
    }
    for _ in 0..wraps {
        node = Node::One(Box::new([node]));
    }
    node
}

/// The keys of one object, to refuse duplicates, kept as 64-bit hashes: two keys with the
/// same hash make the loader give up, which is always safe (the strict loader then reads the
/// document), so no key needs to be copied. A short list, a hash set when long.
#[derive(Default)]
struct KeySet {
    small: SmallVec<[u64; 16]>,
    large: Option<HashSet<u64>>,
}

impl KeySet {
    /// Adds `key`; `false` when it (or a key with its hash) was already there.
    fn insert(&mut self, hasher: &RandomState, key: &str) -> bool {
        let h = hasher.hash_one(key);
        if let Some(set) = &mut self.large {
            return set.insert(h);
        }
        if self.small.contains(&h) {
            return false;
        }
        if self.small.len() < self.small.inline_size() {
            self.small.push(h);
            return true;
        }
        let mut set: HashSet<u64> = self.small.drain(..).collect();
        set.insert(h);
        self.large = Some(set);
        true
    }
}

/// Where a value is read and as what.
#[derive(Clone, Copy)]
struct At<'s, 'f> {
    ty: &'s Type,
    frame: Option<&'f Frame<'f>>,
    /// Depth of the enclosing container (0 for the root).
    depth: usize,
    /// Inside a sensitive field.
    sensitive: bool,
    /// The format of the field it is in (`@utc`, `@digest`).
    format: Option<Format>,
}

impl<'s> Loader<'s> {
    /// The depth one level below `depth`; refused over the limit.
    fn enter(&self, depth: usize) -> Result<usize, Refused> {
        deeper(depth, self.limits.max_depth).map_err(|_| Refused)
    }

    /// The next key of the object whose `{` was just read (`first`) or whose value was
    /// just read, checked against the string limit; borrowed from the reader, so nothing
    /// is copied for keys that are only looked up or checked for duplicates.
    fn next_key<'j>(&self, j: &'j mut Jiter<'_>, first: bool) -> Result<Option<&'j str>, Refused> {
        let key = if first {
            j.known_object()?
        } else {
            j.next_key()?
        };
        match key {
            Some(k) if k.len() > self.limits.max_string => Err(Refused),
            other => Ok(other),
        }
    }

    /// Skips a value, checking it as the strict loader would.
    fn skip(&self, j: &mut Jiter<'_>, peek: Peek, depth: usize) -> Result<(), Refused> {
        match peek {
            Peek::Null => j.known_null()?,
            Peek::True | Peek::False => {
                j.known_bool(peek)?;
            }
            Peek::String => {
                if j.known_str()?.len() > self.limits.max_string {
                    return Err(Refused);
                }
            }
            Peek::Array => {
                let depth = self.enter(depth)?;
                let first = j.known_array()?;
                self.skip_elements(j, first, depth)?;
            }
            Peek::Object => {
                let depth = self.enter(depth)?;
                self.skip_entries(j, depth)?;
            }
            _ => {
                number_value(number_text(j, peek)?).map_err(|_| Refused)?;
            }
        }
        Ok(())
    }

    /// Skips the rest of an object whose first key was `first`.
    fn skip_entries(&self, j: &mut Jiter<'_>, depth: usize) -> Result<(), Refused> {
        let mut keys = KeySet::default();
        let mut count = 0_usize;
        let mut first = true;
        while let Some(key) = self.next_key(j, first)? {
            first = false;
            count += 1;
            if count > self.limits.max_list || !keys.insert(&self.hasher, key) {
                return Err(Refused);
            }
            let peek = j.peek()?;
            self.skip(j, peek, depth)?;
        }
        Ok(())
    }

    /// Skips the rest of an array whose first element is at `first`; gives how many
    /// elements it had.
    fn skip_elements(
        &self,
        j: &mut Jiter<'_>,
        first: Option<Peek>,
        depth: usize,
    ) -> Result<usize, Refused> {
        let mut count = 0_usize;
        let mut next = first;
        while let Some(peek) = next {
            count += 1;
            if count > self.limits.max_list {
                return Err(Refused);
            }
            self.skip(j, peek, depth)?;
            next = j.array_step()?;
        }
        Ok(count)
    }

    /// Types a scalar the way the `Value` path does (for values that do not fit, and other
    /// rare cases).
    fn slow(&mut self, at: At<'s, '_>, value: Value) -> Node {
        let ty = at.ty;
        self.cold(at.frame, at.sensitive, at.format, |c| {
            c.convert(ty, Some(&value))
        })
    }

    /// Reads the value at `peek` as `at.ty` into a [`Node`].
    fn typed(&mut self, j: &mut Jiter<'_>, peek: Peek, at: At<'s, '_>) -> Result<Node, Refused> {
        match peek {
            Peek::Null => {
                j.known_null()?;
                if at.ty.is_optional() {
                    Ok(Node::Null)
                } else {
                    Ok(self.slow(at, Value::Null))
                }
            }
            Peek::True | Peek::False => {
                let v = j.known_bool(peek)?;
                Ok(match single(at.ty) {
                    (Type::Bool, wraps) => wrap(Node::Bool(v), wraps),
                    _ => self.slow(at, Value::Bool(v)),
                })
            }
            Peek::String => {
                let v = j.known_str()?;
                if v.len() > self.limits.max_string {
                    return Err(Refused);
                }
                Ok(self.string(at, v))
            }
            Peek::Array => {
                let depth = self.enter(at.depth)?;
                let first = j.known_array()?;
                self.list(j, first, at, depth)
            }
            Peek::Object => {
                let depth = self.enter(at.depth)?;
                let (t, wraps) = single(at.ty);
                let node = match t {
                    Type::Record(rid) if self.plan.record(*rid).is_some() => {
                        self.record(j, *rid, at, depth)?
                    }
                    Type::Map(elem) => self.map(j, elem, at, depth)?,
                    t => {
                        self.skip_entries(j, depth)?;
                        self.cold(at.frame, at.sensitive, at.format, |c| {
                            c.mismatch_found(t, &Found::Object)
                        })
                    }
                };
                Ok(wrap(node, wraps))
            }
            _ => {
                let value = number_value(number_text(j, peek)?).map_err(|_| Refused)?;
                Ok(match value.as_i64() {
                    Some(n) => self.number(at, n),
                    None => self.slow(at, value),
                })
            }
        }
    }

    fn number(&mut self, at: At<'s, '_>, n: i64) -> Node {
        match single(at.ty) {
            (Type::Int, wraps) => wrap(Node::Int(n), wraps),
            (Type::Float, wraps) => wrap(
                Node::Float(Box::new(gate_lang::num::Decimal::from_i64(n))),
                wraps,
            ),
            _ => self.slow(at, Value::from(n)),
        }
    }

    fn string(&mut self, at: At<'s, '_>, v: &str) -> Node {
        let (t, wraps) = single(at.ty);
        // A value without its field's format goes the slow way, which
        // records the issue.
        if !Format::fits(at.format, t, v) {
            return self.slow(at, Value::String(v.to_owned()));
        }
        let fast = match t {
            Type::String => Some(Node::Str(v.into())),
            Type::Enum(e) => self
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
        match fast {
            Some(node) => wrap(node, wraps),
            None => self.slow(at, Value::String(v.to_owned())),
        }
    }

    fn list(
        &mut self,
        j: &mut Jiter<'_>,
        first: Option<Peek>,
        at: At<'s, '_>,
        depth: usize,
    ) -> Result<Node, Refused> {
        match at.ty.non_null() {
            Type::List(elem) | Type::Many(elem) => {
                let mut items = Vec::new();
                let mut next = first;
                while let Some(peek) = next {
                    let i = items.len();
                    if i >= self.limits.max_list {
                        return Err(Refused);
                    }
                    let frame = Frame {
                        seg: Seg::Index(i),
                        sort: to_u32(i),
                        parent: at.frame,
                    };
                    let inner = At {
                        ty: elem,
                        frame: Some(&frame),
                        depth,
                        ..at
                    };
                    items.push(self.typed(j, peek, inner)?);
                    next = j.array_step()?;
                }
                Ok(list_node(items))
            }
            t => {
                let n = self.skip_elements(j, first, depth)?;
                Ok(self.cold(at.frame, at.sensitive, at.format, |c| {
                    c.mismatch_found(t, &Found::Array(n))
                }))
            }
        }
    }

    fn record(
        &mut self,
        j: &mut Jiter<'_>,
        rid: RecordId,
        at: At<'s, '_>,
        depth: usize,
    ) -> Result<Node, Refused> {
        let plan: &'s Plan = self.plan;
        let Some(rec) = plan.record(rid).filter(|r| !r.shared_keys) else {
            return Err(Refused);
        };
        let n = rec.fields.len();
        let mut slots: Vec<Node> = (0..n).map(|_| Node::Absent).collect();
        let mut seen: SmallVec<[bool; 32]> = smallvec::smallvec![false; n];
        let mut extras = KeySet::default();
        let mut count = 0_usize;
        let mut first = true;
        while let Some(key) = self.next_key(j, first)? {
            first = false;
            count += 1;
            if count > self.limits.max_list {
                return Err(Refused);
            }
            let field = rec.lookup(key);
            if field.is_none() && !extras.insert(&self.hasher, key) {
                return Err(Refused);
            }
            let peek = j.peek()?;
            match field {
                Some(i) => {
                    let (Some(field), Some(seen)) = (rec.fields.get(i), seen.get_mut(i)) else {
                        return Err(Refused);
                    };
                    // Decoding text (`@json`) is left to the `Value` path.
                    if *seen || !field.decode.is_empty() {
                        return Err(Refused);
                    }
                    *seen = true;
                    let frame = Frame {
                        seg: Seg::Key(&field.key),
                        sort: to_u32(i),
                        parent: at.frame,
                    };
                    let inner = At {
                        ty: &field.ty,
                        frame: Some(&frame),
                        depth,
                        sensitive: at.sensitive || field.sensitive,
                        format: field.format,
                    };
                    let node = self.typed(j, peek, inner)?;
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = node;
                    }
                }
                None => self.skip(j, peek, depth)?,
            }
        }
        for (i, (field, slot)) in rec.fields.iter().zip(slots.iter_mut()).enumerate() {
            if seen.get(i).copied().unwrap_or(true) || field.ty.is_optional() {
                continue;
            }
            let frame = Frame {
                seg: Seg::Key(&field.key),
                sort: to_u32(i),
                parent: at.frame,
            };
            *slot = self.cold(
                Some(&frame),
                at.sensitive || field.sensitive,
                field.format,
                |c| c.convert(&field.ty, None),
            );
        }
        Ok(Node::Record(rid, slots.into_boxed_slice()))
    }

    fn map(
        &mut self,
        j: &mut Jiter<'_>,
        elem: &'s Type,
        at: At<'s, '_>,
        depth: usize,
    ) -> Result<Node, Refused> {
        let start = self.conv.issues.len();
        let level_at = level(at.frame);
        let mut entries: Vec<(Box<str>, Node)> = Vec::new();
        let mut first = true;
        while let Some(key) = self.next_key(j, first)? {
            first = false;
            if entries.len() >= self.limits.max_list {
                return Err(Refused);
            }
            let key: Box<str> = key.into();
            let peek = j.peek()?;
            let frame = Frame {
                seg: Seg::Key(&key),
                sort: to_u32(entries.len()),
                parent: at.frame,
            };
            let inner = At {
                ty: elem,
                frame: Some(&frame),
                depth,
                sensitive: at.sensitive || crate::redact::is_credential_name(&key),
                format: at.format,
            };
            let node = self.typed(j, peek, inner)?;
            entries.push((key, node));
        }
        let name = |i: usize| entries.get(i).map(|(k, _)| k);
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| name(a).cmp(&name(b)));
        if order.windows(2).any(|w| match w {
            [a, b] => name(*a) == name(*b),
            _ => false,
        }) {
            return Err(Refused);
        }
        let in_order = order.iter().enumerate().all(|(r, &i)| r == i);
        if self.sorted_maps && !in_order {
            let mut rank = vec![0_u32; entries.len()];
            for (r, &i) in order.iter().enumerate() {
                if let Some(slot) = rank.get_mut(i) {
                    *slot = to_u32(r);
                }
            }
            for key in self.keys.iter_mut().skip(start) {
                if let Some(c) = key.get_mut(level_at) {
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

#[cfg(test)]
mod tests;
