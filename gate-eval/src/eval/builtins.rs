//! Built-in functions: dispatch, collections and time. Text, patterns and
//! versions are in [`super::strings`]; security helpers in
//! [`super::security`].
//!
//! Every built-in fails closed: an argument it cannot use is an error of
//! the rule (`E0610`…`E0615`), never `false`. Work proportional to the
//! size of the input is charged to the step budget ([`Eval::charge`]), so
//! the budget bounds sorting a huge list or matching a long string.

use super::{Eval, RtError, RtKind, R};
use crate::value::{self, Dec, List, PathId, Val, V};
use gate_lang::ir::{Builtin, ExprId, KeyMatch};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Runtime error codes of built-ins.
pub(super) mod codes {
    /// An invalid regular expression (or one over the size limits).
    pub const REGEX: crate::Code = crate::Code::Regex;
    /// An invalid glob pattern.
    pub const GLOB: crate::Code = crate::Code::Glob;
    /// An invalid version or version requirement.
    pub const VERSION: crate::Code = crate::Code::Version;
    /// An invalid IP address or network.
    pub const NETWORK: crate::Code = crate::Code::Network;
    /// Text that is not an RFC 3339 timestamp.
    pub const TIME: crate::Code = crate::Code::Time;
    /// Values that cannot be ordered with each other.
    pub const ORDER: crate::Code = crate::Code::Order;
    /// Text that does not decode.
    pub const DECODE: crate::Code = crate::Code::Decode;
}

/// Most compiled patterns kept per evaluation; the cache is emptied when
/// it is full.
const MAX_CACHED: usize = 1024;

/// Compiled patterns, by pattern text, for one evaluation: a `matches`
/// over many elements compiles its pattern once.
#[derive(Default)]
pub(super) struct Cache {
    regex: HashMap<String, Result<Rc<gate_lang::check::patterns::Regex>, String>>,
    glob: HashMap<String, Result<Rc<globset::GlobMatcher>, String>>,
}

impl Cache {
    /// The compiled regular expression, and whether it was compiled now.
    pub(super) fn regex(
        &mut self,
        pattern: &str,
    ) -> (Result<Rc<gate_lang::check::patterns::Regex>, String>, bool) {
        if let Some(r) = self.regex.get(pattern) {
            return (r.clone(), false);
        }
        if self.regex.len() >= MAX_CACHED {
            self.regex.clear();
        }
        let r = gate_lang::check::patterns::regex(pattern).map(Rc::new);
        self.regex.insert(pattern.to_string(), r.clone());
        (r, true)
    }

    /// The compiled glob, and whether it was compiled now.
    pub(super) fn glob(
        &mut self,
        pattern: &str,
    ) -> (Result<Rc<globset::GlobMatcher>, String>, bool) {
        if let Some(g) = self.glob.get(pattern) {
            return (g.clone(), false);
        }
        if self.glob.len() >= MAX_CACHED {
            self.glob.clear();
        }
        let g = gate_lang::check::patterns::glob(pattern).map(Rc::new);
        self.glob.insert(pattern.to_string(), g.clone());
        (g, true)
    }
}

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// A hashable form of a scalar value, for `unique`.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(&'a gate_lang::num::Decimal),
    Str(&'a str),
    Time(i128),
    Dur(i128),
    Enum(u32, u32),
}

fn key_of<'a>(v: &'a Val<'a>) -> Option<Key<'a>> {
    Some(match v {
        Val::Null => Key::Null,
        Val::Bool(b) => Key::Bool(*b),
        Val::Int(i) => Key::Int(*i),
        // Integral floats hash like the integer they equal; others by
        // their exact (normalized) value.
        Val::Float(f) => match f.to_i64() {
            Some(i) => Key::Int(i),
            None => Key::Float(f),
        },
        // A string hashes by its text, wherever it came from (evidence,
        // a literal, or computed by `lower()`/`+`).
        Val::Str(s) => Key::Str(s),
        Val::OwnedStr(s) => Key::Str(s),
        Val::Time(t) => Key::Time(*t),
        Val::Dur(d) => Key::Dur(*d),
        Val::Enum(e, i) => Key::Enum(e.0, *i),
        Val::Record(..) | Val::List(_) | Val::Map(_) | Val::OwnedMap(_) => return None,
    })
}

impl<'a> Eval<'a> {
    /// Charges `n` steps of work to the budget (at least one).
    pub(super) fn charge(&mut self, id: ExprId, n: u64) -> R<()> {
        self.steps = self.steps.saturating_add(n.saturating_sub(1));
        self.tick(id)
    }

    /// An error of a built-in that cannot use its argument `v`.
    pub(super) fn bad_arg(&self, code: crate::Code, id: ExprId, v: &V<'a>, why: String) -> RtError {
        self.err(RtKind::Builtin(code, why), id, v.path)
    }

    pub(super) fn builtin(&mut self, id: ExprId, func: Builtin, args: &[ExprId]) -> R<V<'a>> {
        if func == Builtin::Now {
            return Ok(V::new(Val::Time(self.now)));
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(*a)?);
        }
        let recv = vals
            .first()
            .cloned()
            .ok_or_else(|| self.err(RtKind::Internal("missing receiver"), id, PathId::NONE))?;
        let arg_id = args.first().copied().unwrap_or(id);
        let text = |this: &Self, i: usize| -> R<String> {
            vals.get(i)
                .and_then(|v| v.val.as_str().map(str::to_string))
                .ok_or_else(|| this.err(RtKind::NullValue, id, PathId::NONE))
        };
        // Every built-in that scans text (here, in `strings` and in
        // `security`) is charged for it here, once, by length.
        let scanned: usize = vals
            .iter()
            .filter_map(|v| v.val.as_str())
            .map(str::len)
            .sum();
        if scanned >= super::strings::BYTES_PER_STEP {
            self.charge(id, (scanned / super::strings::BYTES_PER_STEP) as u64)?;
        }
        if matches!(func, Builtin::Keys | Builtin::Values) {
            self.charge(id, value::size(&recv.val) as u64)?;
        }
        let val = match func {
            Builtin::Trim
            | Builtin::Split
            | Builtin::Matches
            | Builtin::Glob
            | Builtin::ParseTime
            | Builtin::Base64Decode
            | Builtin::SemverCmp
            | Builtin::SemverSatisfies => return self.string_builtin(id, func, &vals, args),
            Builtin::IsDigest
            | Builtin::CidrContains
            | Builtin::IsWildcard
            | Builtin::LooksLikeSecret => return self.security_builtin(id, func, &vals, args),
            Builtin::Now => Val::Time(self.now),
            Builtin::Age => {
                let Val::Time(t) = recv.val else {
                    return Err(self.err(RtKind::NullValue, arg_id, recv.path));
                };
                Val::Dur(
                    self.now
                        .checked_sub(t)
                        .ok_or_else(|| self.err(RtKind::Overflow("age"), id, recv.path))?,
                )
            }
            Builtin::Sort => {
                let mut items = self.items(&recv, arg_id)?;
                let n = items.len() as u64;
                self.charge(id, n.saturating_mul(u64::from(n.max(2).ilog2() + 1)))?;
                let mut unordered = None;
                items.sort_by(|a, b| {
                    value::order(&a.val, &b.val).unwrap_or_else(|| {
                        unordered.get_or_insert(a.path);
                        std::cmp::Ordering::Equal
                    })
                });
                if let Some(path) = unordered {
                    return Err(self.err(
                        RtKind::Builtin(
                            codes::ORDER,
                            "the list has values that cannot be ordered with each other".into(),
                        ),
                        id,
                        path,
                    ));
                }
                Val::List(List::Owned(Rc::new(items)))
            }
            Builtin::DistinctCount => {
                let items = self.items(&recv, arg_id)?;
                self.charge(id, items.len() as u64)?;
                let n = distinct(&items).len();
                Val::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
            Builtin::Union | Builtin::Intersect | Builtin::Difference => {
                let items = self.items(&recv, arg_id)?;
                let other_id = args.get(1).copied().unwrap_or(id);
                let other = vals.get(1).cloned().ok_or_else(|| {
                    self.err(RtKind::Internal("missing argument"), id, PathId::NONE)
                })?;
                let others = self.items(&other, other_id)?;
                self.charge(id, (items.len() + others.len()) as u64)?;
                let kept = set_op(func, items, others);
                Val::List(List::Owned(Rc::new(kept)))
            }
            Builtin::Len | Builtin::IsEmpty => {
                let n = match &recv.val {
                    Val::List(l) => l.len(),
                    Val::Map(m) => m.len(),
                    Val::OwnedMap(m) => m.len(),
                    Val::Str(_) | Val::OwnedStr(_) => {
                        recv.val.as_str().map(|s| s.chars().count()).unwrap_or(0)
                    }
                    Val::Null => return Err(self.err(RtKind::NullValue, arg_id, recv.path)),
                    _ => return Err(self.err(RtKind::Internal("len of a scalar"), id, recv.path)),
                };
                if func == Builtin::Len {
                    Val::Int(i64::try_from(n).unwrap_or(i64::MAX))
                } else {
                    Val::Bool(n == 0)
                }
            }
            Builtin::Flatten => {
                let lists = self.items(&recv, arg_id)?;
                let mut all: Vec<V<'a>> = Vec::new();
                for list in &lists {
                    // A null inner list is an error, as reading it is.
                    let items = self.items(list, arg_id)?;
                    self.charge(id, items.len() as u64 + 1)?;
                    all.extend(items);
                }
                Val::List(List::Owned(Rc::new(all)))
            }
            Builtin::Unique => {
                let items = self.items(&recv, arg_id)?;
                self.charge(id, items.len() as u64)?;
                let kept: Vec<V<'a>> = distinct(&items)
                    .into_iter()
                    .filter_map(|i| items.get(i).cloned())
                    .collect();
                Val::List(List::Owned(Rc::new(kept)))
            }
            Builtin::Min | Builtin::Max => {
                let items = self.items(&recv, arg_id)?;
                let mut best: Option<V<'a>> = None;
                for v in items {
                    best = match best {
                        None => Some(v),
                        Some(b) => {
                            let ord = value::order(&v.val, &b.val).ok_or_else(|| {
                                self.err(RtKind::Internal("values cannot be ordered"), id, v.path)
                            })?;
                            let better = if func == Builtin::Min {
                                ord.is_lt()
                            } else {
                                ord.is_gt()
                            };
                            Some(if better { v } else { b })
                        }
                    };
                }
                return Ok(best.unwrap_or_else(|| V::new(Val::Null)));
            }
            Builtin::Sum => {
                let items = self.items(&recv, arg_id)?;
                let mut acc = match self.prog.node(id).map(|n| &n.ty) {
                    Some(gate_lang::types::Type::Float) => {
                        Val::Float(Dec::owned(gate_lang::num::Decimal::from_i64(0)))
                    }
                    Some(gate_lang::types::Type::Duration) => Val::Dur(0),
                    _ => Val::Int(0),
                };
                for v in items {
                    acc = match (acc, &v.val) {
                        (Val::Int(a), Val::Int(b)) => Val::Int(
                            a.checked_add(*b)
                                .ok_or_else(|| self.err(RtKind::Overflow("sum"), id, v.path))?,
                        ),
                        (Val::Float(a), Val::Float(b)) => Val::Float(Dec::owned(
                            a.add(b)
                                .ok_or_else(|| self.err(RtKind::Overflow("sum"), id, v.path))?,
                        )),
                        (Val::Float(a), Val::Int(b)) => Val::Float(Dec::owned(
                            a.add(&gate_lang::num::Decimal::from_i64(*b))
                                .ok_or_else(|| self.err(RtKind::Overflow("sum"), id, v.path))?,
                        )),
                        (Val::Dur(a), Val::Dur(b)) => Val::Dur(
                            a.checked_add(*b)
                                .ok_or_else(|| self.err(RtKind::Overflow("sum"), id, v.path))?,
                        ),
                        _ => {
                            return Err(self.err(
                                RtKind::Internal("sum of non-numbers"),
                                id,
                                v.path,
                            ))
                        }
                    };
                }
                acc
            }
            Builtin::First => {
                let list = self.list_of(&recv, arg_id)?;
                if list.is_empty() {
                    Val::Null
                } else {
                    return self.element(&recv, &list, 0, arg_id);
                }
            }
            Builtin::Contains => {
                let hay = text(self, 0)?;
                let needle = text(self, 1)?;
                Val::Bool(hay.contains(&needle))
            }
            Builtin::StartsWith => Val::Bool(text(self, 0)?.starts_with(&text(self, 1)?)),
            Builtin::EndsWith => Val::Bool(text(self, 0)?.ends_with(&text(self, 1)?)),
            Builtin::Lower => Val::OwnedStr(Rc::from(text(self, 0)?.to_lowercase().as_str())),
            Builtin::Upper => Val::OwnedStr(Rc::from(text(self, 0)?.to_uppercase().as_str())),
            Builtin::Keys => match recv.val {
                Val::Map(entries) => {
                    let keys = entries
                        .iter()
                        .map(|(k, _)| {
                            V::at(
                                Val::Str(k),
                                self.paths.push(recv.path, crate::value::Seg::Key(k)),
                                recv.secret,
                            )
                        })
                        .collect();
                    Val::List(List::Owned(Rc::new(keys)))
                }
                Val::OwnedMap(entries) => {
                    let keys = entries
                        .iter()
                        .map(|(k, _)| k.clone().tainted(recv.secret))
                        .collect();
                    Val::List(List::Owned(Rc::new(keys)))
                }
                _ => return Err(self.err(RtKind::NullValue, arg_id, recv.path)),
            },
            Builtin::Values => match &recv.val {
                Val::Map(entries) => {
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, n) in entries.iter() {
                        let path = self.paths.push(recv.path, crate::value::Seg::Key(k));
                        out.push(self.read_node(n, path, Self::entry_secret(&recv, k), id)?);
                    }
                    Val::List(List::Owned(Rc::new(out)))
                }
                Val::OwnedMap(entries) => {
                    let values = entries
                        .iter()
                        .map(|(k, v)| {
                            let secret = Self::entry_secret(&recv, k.val.as_str().unwrap_or(""));
                            v.clone().tainted(secret)
                        })
                        .collect();
                    Val::List(List::Owned(Rc::new(values)))
                }
                _ => return Err(self.err(RtKind::NullValue, arg_id, recv.path)),
            },
            Builtin::Days | Builtin::Hours | Builtin::Seconds => {
                let Val::Dur(d) = recv.val else {
                    return Err(self.err(RtKind::NullValue, arg_id, recv.path));
                };
                let unit = match func {
                    Builtin::Days => 86_400 * NANOS_PER_SEC,
                    Builtin::Hours => 3_600 * NANOS_PER_SEC,
                    _ => NANOS_PER_SEC,
                };
                Val::Int(
                    i64::try_from(d / unit)
                        .map_err(|_| self.err(RtKind::Overflow(func.as_str()), id, recv.path))?,
                )
            }
            Builtin::DaysToDuration | Builtin::HoursToDuration | Builtin::SecondsToDuration => {
                let Val::Int(n) = recv.val else {
                    return Err(self.err(RtKind::NullValue, arg_id, recv.path));
                };
                let unit = match func {
                    Builtin::DaysToDuration => 86_400 * NANOS_PER_SEC,
                    Builtin::HoursToDuration => 3_600 * NANOS_PER_SEC,
                    _ => NANOS_PER_SEC,
                };
                Val::Dur(
                    i128::from(n)
                        .checked_mul(unit)
                        .ok_or_else(|| self.err(RtKind::Overflow(func.as_str()), id, recv.path))?,
                )
            }
            Builtin::ToString => {
                let s = match &recv.val {
                    Val::Str(_) | Val::OwnedStr(_) => recv.val.as_str().unwrap_or("").to_string(),
                    Val::Enum(e, i) => self.prog.schema.enum_value(*e, *i).to_string(),
                    other => value::display(other, &self.prog.schema),
                };
                Val::OwnedStr(Rc::from(s.as_str()))
            }
        };
        // A value computed from the receiver points at the receiver's evidence.
        Ok(V::derived(val, recv.path, &vals))
    }

    /// `group_by`: the elements grouped by their keys, in order of first
    /// appearance. The map is about the list it came from; it is secret
    /// when the list or a key is (a key is shown as the name of an entry,
    /// so a secret key hides the whole map).
    pub(super) fn group(
        &mut self,
        keys: Vec<V<'a>>,
        elems: Vec<V<'a>>,
        list: &V<'a>,
        body: ExprId,
    ) -> R<V<'a>> {
        self.charge(body, keys.len() as u64)?;
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<(V<'a>, Vec<V<'a>>)> = Vec::new();
        let mut secret = list.secret;
        for (k, e) in keys.into_iter().zip(elems) {
            let text = match &k.val {
                Val::Str(_) | Val::OwnedStr(_) => k.val.as_str().unwrap_or("").to_string(),
                Val::Enum(en, i) => self.prog.schema.enum_value(*en, *i).to_string(),
                Val::Null => return Err(self.err(RtKind::NullValue, body, k.path)),
                _ => return Err(self.err(RtKind::Internal("group key"), body, k.path)),
            };
            secret |= k.secret;
            match index.get(&text) {
                Some(i) => {
                    if let Some((_, g)) = groups.get_mut(*i) {
                        g.push(e);
                    }
                }
                None => {
                    index.insert(text.clone(), groups.len());
                    let key = V::at(Val::OwnedStr(Rc::from(text.as_str())), k.path, k.secret);
                    groups.push((key, vec![e]));
                }
            }
        }
        let entries = groups
            .into_iter()
            .map(|(k, g)| {
                let g = V::at(Val::List(List::Owned(Rc::new(g))), list.path, list.secret);
                (k, g)
            })
            .collect();
        Ok(V::at(Val::OwnedMap(Rc::new(entries)), list.path, secret))
    }

    /// For each element of `wanted`, whether `list` includes it (by key and
    /// key condition for records).
    pub(super) fn includes_each(
        &mut self,
        list: &V<'a>,
        wanted: &V<'a>,
        key: Option<KeyMatch>,
        list_id: ExprId,
        items_id: ExprId,
    ) -> R<Vec<bool>> {
        let want = self.items(wanted, items_id)?;
        if key.is_some() {
            let n = self.list_of(list, list_id)?.len() as u64;
            let mut out = Vec::with_capacity(want.len());
            for w in &want {
                self.charge(list_id, n)?;
                out.push(!self.matching(list, w, key, list_id)?.0.is_empty());
            }
            return Ok(out);
        }
        let have = self.items(list, list_id)?;
        self.charge(list_id, (have.len() + want.len()) as u64)?;
        let set: HashSet<Key<'_>> = have.iter().filter_map(|v| key_of(&v.val)).collect();
        Ok(want
            .iter()
            .map(|w| match key_of(&w.val) {
                Some(k) => set.contains(&k),
                None => have.iter().any(|h| value::equal(&h.val, &w.val)),
            })
            .collect())
    }

    /// How a failing predicate built-in is explained: its subject, what was
    /// required and a message; `None` for the generic explanation. The
    /// text checked by `looks_like_secret` is never shown.
    pub(super) fn builtin_failure(
        &mut self,
        func: Builtin,
        args: &[ExprId],
        text: &str,
        want: bool,
    ) -> Option<(Option<V<'a>>, String, String)> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(*a).ok()?);
        }
        let schema = &self.prog.schema;
        let show = |_: &Self, v: &V<'a>| value::render_text(v, schema);
        let src = |this: &Self, i: usize| {
            args.get(i)
                .map(|a| this.prog.sources.slice(this.span(*a)).to_string())
                .unwrap_or_default()
        };
        let recv = vals.first()?.clone();
        let (subject, subject_text, required) = match func {
            Builtin::Matches | Builtin::Glob => {
                let pattern = show(self, vals.get(1)?);
                let what = if func == Builtin::Matches {
                    format!("text matching the regular expression {pattern}")
                } else {
                    format!("text matching the glob {pattern}")
                };
                (recv, src(self, 0), what)
            }
            Builtin::SemverSatisfies => {
                let req = vals.get(1)?.val.as_str()?.to_string();
                (recv, src(self, 0), format!("a version matching `{req}`"))
            }
            Builtin::CidrContains => {
                let net = show(self, &recv);
                (
                    vals.get(1)?.clone(),
                    src(self, 1),
                    format!("an address in {net}"),
                )
            }
            Builtin::IsDigest => (
                recv,
                src(self, 0),
                "a digest (`sha256:` and 64, or `sha512:` and 128, lowercase hex digits)".into(),
            ),
            Builtin::IsWildcard => (recv, src(self, 0), "a wildcard (with `*` or `?`)".into()),
            Builtin::LooksLikeSecret => {
                let kind = recv
                    .val
                    .as_str()
                    .and_then(super::security::secret_kind)
                    .unwrap_or("no known format");
                let hidden = V::at(
                    Val::OwnedStr(Rc::from(crate::redact::REDACTED)),
                    recv.path,
                    false,
                );
                let subject_text = src(self, 0);
                return Some(if want {
                    (
                        Some(hidden),
                        "text that looks like a secret".into(),
                        format!("`{subject_text}` does not look like a secret"),
                    )
                } else {
                    (
                        Some(hidden),
                        "text that does not look like a secret".into(),
                        format!("`{subject_text}` looks like a secret ({kind})"),
                    )
                });
            }
            _ => return None,
        };
        let expected = if want {
            required
        } else {
            format!("not {required}")
        };
        let message = if subject_text.is_empty() {
            format!("`{text}` is {}", !want)
        } else {
            format!(
                "`{subject_text}` is {}, expected {expected}",
                show(self, &subject)
            )
        };
        Some((Some(subject), expected, message))
    }

    pub(super) fn items(&mut self, recv: &V<'a>, id: ExprId) -> R<Vec<V<'a>>> {
        let list = self.list_of(recv, id)?;
        self.charge(id, list.len() as u64)?;
        let mut out = Vec::with_capacity(list.len());
        for i in 0..list.len() {
            out.push(self.element(recv, &list, i, id)?);
        }
        Ok(out)
    }
}

/// The indexes of the first occurrence of each different value (values
/// that cannot be hashed are all kept).
fn distinct(items: &[V<'_>]) -> Vec<usize> {
    let mut seen: HashSet<Key<'_>> = HashSet::new();
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        match key_of(&v.val) {
            Some(k) => {
                if seen.insert(k) {
                    out.push(i);
                }
            }
            None => out.push(i),
        }
    }
    out
}

/// `union`, `intersect` or `difference` of two lists of scalars: the
/// different values, in order of first appearance (in `xs`, then `ys` for a
/// union).
fn set_op<'a>(func: Builtin, xs: Vec<V<'a>>, ys: Vec<V<'a>>) -> Vec<V<'a>> {
    let keep: Vec<bool> = {
        let other: HashSet<Key<'_>> = ys.iter().filter_map(|v| key_of(&v.val)).collect();
        xs.iter()
            .map(|v| match func {
                Builtin::Intersect => key_of(&v.val).is_some_and(|k| other.contains(&k)),
                Builtin::Difference => key_of(&v.val).is_none_or(|k| !other.contains(&k)),
                _ => true,
            })
            .collect()
    };
    let mut all: Vec<V<'a>> = xs
        .into_iter()
        .zip(keep)
        .filter_map(|(v, k)| k.then_some(v))
        .collect();
    if func == Builtin::Union {
        all.extend(ys);
    }
    let firsts = distinct(&all);
    firsts
        .into_iter()
        .filter_map(|i| all.get(i).cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{Evidence, Limits, Options, Policy};
    use proptest::prelude::*;
    use serde_json::{json, Value};

    const SCHEMA: &str = r#"
        gate g {}
        record Key { id: string, owner: string, rotated: time, @sensitive value: string }
        evidence { keys: [Key], words: [string], nums: [int], pattern: string, text: string }
    "#;

    fn policy(lets: &str) -> Policy {
        let src = format!("{SCHEMA}\n{lets}\nrule r {{ require true }}\n");
        Policy::from_source("t.gate", &src).unwrap_or_else(|e| panic!("{}", e.render(false, 100)))
    }

    fn options(max_steps: u64) -> Options {
        Options {
            now: "2026-06-01T00:00:00Z".parse().ok(),
            limits: Limits {
                max_steps,
                ..Limits::default()
            },
            ..Options::default()
        }
    }

    fn eval_with(expr: &str, evidence: Value, max_steps: u64) -> Result<Value, &'static str> {
        let p = policy(&format!("let v = {expr}"));
        let ev = Evidence::from_value("e.json", evidence).unwrap_or_else(|e| panic!("{e}"));
        match p.evaluate_let("v", &ev, &options(max_steps)) {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(e.code.as_str()),
            None => panic!("no let"),
        }
    }

    fn eval(expr: &str, evidence: Value) -> Result<Value, &'static str> {
        eval_with(expr, evidence, 50_000_000)
    }

    fn doc() -> Value {
        json!({
            "keys": [
                {"id": "a", "owner": "x", "rotated": "2026-05-01T00:00:00Z", "value": "AKIAIOSFODNN7EXAMPLE"},
                {"id": "b", "owner": "y", "rotated": "2026-01-01T00:00:00Z", "value": "hello"},
                {"id": "c", "owner": "x", "rotated": "2026-05-31T00:00:00Z", "value": "hello"}
            ],
            "words": ["pear", "apple", "fig", "apple"],
            "nums": [3, 1, 2],
            "pattern": "(a{1000}){1000}",
            "text": "prod-eu-1"
        })
    }

    #[test]
    fn now_is_the_options_clock_for_the_whole_evaluation() {
        assert_eq!(eval("now()", doc()), Ok(json!("2026-06-01T00:00:00Z")));
        assert_eq!(
            eval("keys.map(age(rotated))", doc()),
            Ok(json!(["31d", "151d", "1d"]))
        );
        let p = Policy::from_source(
            "t.gate",
            &format!("{SCHEMA}\nrule a {{ require now() == 2026-06-01T00:00:00Z }}\nrule b {{ require keys.all(k => now() - k.rotated >= 0s) }}"),
        )
        .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let ev = Evidence::from_value("e.json", doc()).unwrap_or_else(|e| panic!("{e}"));
        let d = p.evaluate(&ev, &options(1_000_000));
        assert_eq!(d.outcome.as_str(), "pass");
        assert_eq!(d.evaluated_at, "2026-06-01T00:00:00Z");
    }

    #[test]
    fn collections() {
        assert_eq!(
            eval("words.sort()", doc()),
            Ok(json!(["apple", "apple", "fig", "pear"]))
        );
        assert_eq!(eval("nums.sort()", doc()), Ok(json!([1, 2, 3])));
        assert_eq!(eval("words.distinct_count()", doc()), Ok(json!(3)));
        assert_eq!(
            eval("words.union([\"kiwi\", \"fig\"])", doc()),
            Ok(json!(["pear", "apple", "fig", "kiwi"]))
        );
        assert_eq!(
            eval("words.intersect([\"fig\", \"apple\"])", doc()),
            Ok(json!(["apple", "fig"]))
        );
        assert_eq!(
            eval("words.difference([\"fig\"])", doc()),
            Ok(json!(["pear", "apple"]))
        );
        assert_eq!(
            eval("[1, 2].union([2.0, 3.5])", doc()),
            Ok(json!([1, 2, 3.5]))
        );
        assert_eq!(
            eval("keys.group_by(owner).keys()", doc()),
            Ok(json!(["x", "y"]))
        );
        assert_eq!(
            eval("keys.group_by(owner)[\"x\"]?.map(id)", doc()),
            Ok(json!(["a", "c"]))
        );
        assert_eq!(eval("keys.group_by(owner)[\"z\"]", doc()), Ok(json!(null)));
        assert_eq!(
            eval("\"x\" in keys.group_by(owner)", doc()),
            Ok(json!(true))
        );
        assert_eq!(
            eval("keys.group_by(owner).values().map(g => g.len())", doc()),
            Ok(json!([2, 1]))
        );
        assert_eq!(
            eval("words.includes_all([\"fig\", \"pear\"])", doc()),
            Ok(json!(true))
        );
        assert_eq!(
            eval("words.includes_all([\"fig\", \"kiwi\"])", doc()),
            Ok(json!(false))
        );
        assert_eq!(
            eval("words.includes_any([\"kiwi\"])", doc()),
            Ok(json!(false))
        );
        assert_eq!(eval("words.includes_all([])", doc()), Ok(json!(true)));
    }

    #[test]
    fn sensitive_values_stay_redacted_through_builtins() {
        assert_eq!(eval("keys[0].value.trim()", doc()), Ok(json!("<redacted>")));
        assert_eq!(
            eval("keys[0].value.split(\"O\")", doc()),
            Ok(json!("<redacted>"))
        );
        assert_eq!(eval("keys.group_by(value)", doc()), Ok(json!("<redacted>")));
        assert_eq!(
            eval("keys.map(looks_like_secret(value))", doc()),
            Ok(json!([true, false, false]))
        );
    }

    #[test]
    fn bad_computed_arguments_fail_closed() {
        assert_eq!(eval("text.matches(pattern)", doc()), Err("E0610"));
        assert_eq!(eval("text.matches(\"(\" + text)", doc()), Err("E0610"));
        assert_eq!(eval("text.glob(\"[\" + text)", doc()), Err("E0611"));
        assert_eq!(eval("semver_cmp(text, \"1.0.0\")", doc()), Err("E0612"));
        assert_eq!(
            eval("semver_satisfies(\"1.0.0\", text)", doc()),
            Err("E0612")
        );
        assert_eq!(
            eval("cidr_contains(\"10.0.0.0/8\", text)", doc()),
            Err("E0613")
        );
        assert_eq!(eval("parse_time(text)", doc()), Err("E0614"));
        // In a rule, the error is the rule's outcome, never a pass.
        let p = Policy::from_source(
            "t.gate",
            &format!("{SCHEMA}\nrule r {{ require text.matches(pattern) or true }}"),
        )
        .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let ev = Evidence::from_value("e.json", doc()).unwrap_or_else(|e| panic!("{e}"));
        let d = p.evaluate(&ev, &options(1_000_000));
        assert_eq!(d.rules[0].outcome.as_str(), "error");
        assert_eq!(d.rules[0].errors[0].code, "E0610");
    }

    #[test]
    fn error_messages_do_not_show_sensitive_values() {
        let p = Policy::from_source(
            "t.gate",
            &format!("{SCHEMA}\nrule r {{ require keys.all(k => parse_time(k.value) < now()) }}"),
        )
        .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let ev = Evidence::from_value("e.json", doc()).unwrap_or_else(|e| panic!("{e}"));
        let d = p.evaluate(&ev, &options(1_000_000));
        let text = serde_json::to_string(&d).unwrap_or_default();
        assert!(text.contains("E0614"));
        assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
    }

    #[test]
    fn looks_like_secret_explanations_never_show_the_text() {
        let p = Policy::from_source(
            "t.gate",
            &format!("{SCHEMA}\nrule r {{ require not looks_like_secret(text) }}"),
        )
        .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
        let mut d = doc();
        d["text"] = json!("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        let ev = Evidence::from_value("e.json", d).unwrap_or_else(|e| panic!("{e}"));
        let d = p.evaluate(&ev, &options(1_000_000));
        assert_eq!(d.outcome.as_str(), "fail");
        let f = &d.rules[0].failures[0];
        assert_eq!(f.actual, json!("<redacted>"));
        assert_eq!(f.message, "`text` looks like a secret (GitHub token)");
        assert!(!serde_json::to_string(&d)
            .unwrap_or_default()
            .contains("ghp_abc"));
    }

    #[test]
    fn work_is_charged_to_the_step_budget() {
        let big: Vec<i64> = (0..20_000).rev().collect();
        let long = "a".repeat(200_000);
        let d = json!({"keys": [], "words": [], "nums": big, "pattern": "a+", "text": long});
        // Each fits a generous budget…
        assert!(eval_with("nums.sort().len()", d.clone(), 1_000_000).is_ok());
        assert!(eval_with("text.matches(pattern)", d.clone(), 1_000_000).is_ok());
        // …and is stopped by a small one, in proportion to its input.
        assert_eq!(
            eval_with("nums.sort().len()", d.clone(), 100_000),
            Err("E0606")
        );
        assert_eq!(
            eval_with("nums.distinct_count()", d.clone(), 10_000),
            Err("E0606")
        );
        assert_eq!(
            eval_with("nums.union(nums).len()", d.clone(), 30_000),
            Err("E0606")
        );
        assert_eq!(
            eval_with("text.matches(pattern)", d.clone(), 10_000),
            Err("E0606")
        );
        assert_eq!(
            eval_with("looks_like_secret(text)", d.clone(), 10_000),
            Err("E0606")
        );
        assert_eq!(
            eval_with("text.split(\"\").len()", d, 100_000),
            Err("E0606")
        );
    }

    #[test]
    fn a_pattern_is_compiled_once_per_evaluation() {
        let words: Vec<String> = (0..5_000).map(|i| format!("svc-{i}")).collect();
        let d =
            json!({"keys": [], "words": words, "nums": [], "pattern": r"^svc-\d+$", "text": ""});
        let start = std::time::Instant::now();
        assert_eq!(
            eval("words.all(w => w.matches(pattern))", d),
            Ok(json!(true))
        );
        // Compiling 5 000 times would take seconds in a debug build.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    /// A reference glob matcher for `*`, `?` and literal characters.
    fn glob_ref(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| glob_ref(rest, s.get(i..).unwrap_or(&[]))),
            Some(('?', rest)) => !s.is_empty() && glob_ref(rest, s.get(1..).unwrap_or(&[])),
            Some((c, rest)) => s.first() == Some(c) && glob_ref(rest, s.get(1..).unwrap_or(&[])),
        }
    }

    fn as_set(v: &Value) -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn glob_agrees_with_a_reference(p in "[ab*?:/]{0,6}", s in "[ab:/]{0,8}") {
            let m = gate_lang::check::patterns::glob(&p).map_err(TestCaseError::fail)?;
            let pc: Vec<char> = p.chars().collect();
            let sc: Vec<char> = s.chars().collect();
            prop_assert_eq!(m.is_match(&s), glob_ref(&pc, &sc), "{} {}", p, s);
        }

        #[test]
        fn set_laws(xs in proptest::collection::vec(0i64..8, 0..10), ys in proptest::collection::vec(0i64..8, 0..10)) {
            let d = json!({"keys": [], "words": [], "nums": xs, "pattern": "", "text": ""});
            let ys_lit = format!("{ys:?}");
            let union = eval(&format!("nums.union({ys_lit})"), d.clone()).map_err(TestCaseError::fail)?;
            let inter = eval(&format!("nums.intersect({ys_lit})"), d.clone()).map_err(TestCaseError::fail)?;
            let diff = eval(&format!("nums.difference({ys_lit})"), d.clone()).map_err(TestCaseError::fail)?;
            let (u, i, df) = (as_set(&union), as_set(&inter), as_set(&diff));
            // No repeats in any result.
            for r in [&u, &i, &df] {
                let mut sorted = r.clone();
                sorted.sort();
                sorted.dedup();
                prop_assert_eq!(sorted.len(), r.len());
            }
            // Every element is where the definitions put it.
            let xs_s: Vec<String> = xs.iter().map(|x| x.to_string()).collect();
            let ys_s: Vec<String> = ys.iter().map(|x| x.to_string()).collect();
            for x in &u { prop_assert!(xs_s.contains(x) || ys_s.contains(x)); }
            for x in xs_s.iter().chain(ys_s.iter()) { prop_assert!(u.contains(x)); }
            for x in &i { prop_assert!(xs_s.contains(x) && ys_s.contains(x)); }
            for x in &df { prop_assert!(xs_s.contains(x) && !ys_s.contains(x)); }
            // intersect and difference split the distinct elements of xs, in order.
            prop_assert_eq!(i.len() + df.len(), eval("nums.distinct_count()", d.clone()).ok().and_then(|v| v.as_u64()).unwrap_or(0) as usize);
            let unique = as_set(&eval("nums.unique()", d).map_err(TestCaseError::fail)?);
            let merged: Vec<String> = unique.iter().filter(|x| i.contains(x) || df.contains(x)).cloned().collect();
            prop_assert_eq!(&merged, &unique);
            prop_assert_eq!(&u[..unique.len()], &unique[..]);
        }

        /// Strings computed by `lower()`, `trim()` or `+` are the same
        /// strings as evidence and literals in every set operation: a
        /// reference over their text gives the same results.
        #[test]
        fn computed_strings_in_set_operations(
            words in proptest::collection::vec("[aAbB*]{1,2}", 0..8),
            wanted in proptest::collection::vec("[ab*]{1,2}", 0..4),
        ) {
            let d = json!({"keys": [], "words": words, "nums": [], "pattern": "", "text": ""});
            let lit = serde_json::to_string(&wanted).unwrap_or_default();
            let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
            let mut distinct: Vec<String> = Vec::new();
            for w in &lowered {
                if !distinct.contains(w) {
                    distinct.push(w.clone());
                }
            }
            // Three ways to compute the same strings.
            for computed in ["words.map(w => w.lower())", "words.map(w => (\" \" + w.lower()).trim())", "words.map(w => \"\" + w.lower())"] {
                let inter = as_set(&eval(&format!("{computed}.intersect({lit})"), d.clone()).map_err(TestCaseError::fail)?);
                let expected: Vec<String> = distinct.iter().filter(|w| wanted.contains(w)).map(|w| format!("{w:?}")).collect();
                prop_assert_eq!(&inter, &expected, "{}", computed);
                let union = as_set(&eval(&format!("{computed}.union({lit})"), d.clone()).map_err(TestCaseError::fail)?);
                let mut expected = distinct.clone();
                for w in &wanted {
                    if !expected.contains(w) {
                        expected.push(w.clone());
                    }
                }
                let expected: Vec<String> = expected.iter().map(|w| format!("{w:?}")).collect();
                prop_assert_eq!(&union, &expected, "{}", computed);
                let unique = as_set(&eval(&format!("{computed}.unique()"), d.clone()).map_err(TestCaseError::fail)?);
                let expected: Vec<String> = distinct.iter().map(|w| format!("{w:?}")).collect();
                prop_assert_eq!(&unique, &expected, "{}", computed);
                let includes = eval(&format!("{computed}.includes_all({lit})"), d.clone()).map_err(TestCaseError::fail)?;
                prop_assert_eq!(includes, json!(wanted.iter().all(|w| lowered.contains(w))), "{}", computed);
                let inside = eval(&format!("{lit}.all(w => w in {computed})"), d.clone()).map_err(TestCaseError::fail)?;
                prop_assert_eq!(inside, json!(wanted.iter().all(|w| lowered.contains(w))), "{}", computed);
            }
        }

        #[test]
        fn sort_is_ordered_idempotent_and_a_permutation(xs in proptest::collection::vec(-50i64..50, 0..20)) {
            let d = json!({"keys": [], "words": [], "nums": xs, "pattern": "", "text": ""});
            let mut expected = xs.clone();
            expected.sort();
            let expected = format!("{expected:?}");
            let sorted = eval(&format!("nums.sort() == {expected}"), d.clone()).map_err(TestCaseError::fail)?;
            prop_assert_eq!(sorted, json!(true));
            let idempotent = eval("nums.sort().sort() == nums.sort()", d).map_err(TestCaseError::fail)?;
            prop_assert_eq!(idempotent, json!(true));
        }
    }
}
