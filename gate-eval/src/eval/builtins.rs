//! Built-in functions.

use super::{Eval, RtKind, R};
use crate::value::{self, List, PathId, Val, V};
use gate_lang::ir::{Builtin, ExprId};
use std::collections::HashSet;
use std::rc::Rc;

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// A hashable form of a scalar value, for `unique`.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(&'a str),
    Owned(Rc<str>),
    Time(i128),
    Dur(i128),
    Enum(u32, u32),
}

fn key<'a>(v: &'a Val<'a>) -> Option<Key<'a>> {
    Some(match v {
        Val::Null => Key::Null,
        Val::Bool(b) => Key::Bool(*b),
        Val::Int(i) => Key::Int(*i),
        // Integral floats hash like the integer they equal.
        Val::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Key::Int(*f as i64),
        Val::Float(f) => Key::Float(if *f == 0.0 { 0 } else { f.to_bits() }),
        Val::Str(s) => Key::Str(s),
        Val::OwnedStr(s) => Key::Owned(s.clone()),
        Val::Time(t) => Key::Time(*t),
        Val::Dur(d) => Key::Dur(*d),
        Val::Enum(e, i) => Key::Enum(e.0, *i),
        Val::Record(..) | Val::List(_) | Val::Map(_) => return None,
    })
}

impl<'a> Eval<'a> {
    pub(super) fn builtin(&mut self, id: ExprId, func: Builtin, args: &[ExprId]) -> R<V<'a>> {
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
        let val = match func {
            Builtin::Len | Builtin::IsEmpty => {
                let n = match &recv.val {
                    Val::List(l) => l.len(),
                    Val::Map(m) => m.len(),
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
            Builtin::Unique => {
                let items = self.items(&recv, arg_id)?;
                let mut out = Vec::new();
                {
                    let mut seen: HashSet<Key<'_>> = HashSet::new();
                    for (i, v) in items.iter().enumerate() {
                        match key(&v.val) {
                            Some(k) => {
                                if seen.insert(k) {
                                    out.push(i);
                                }
                            }
                            None => out.push(i),
                        }
                    }
                }
                let kept: Vec<V<'a>> = out
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
                    Some(gate_lang::types::Type::Float) => Val::Float(0.0),
                    Some(gate_lang::types::Type::Duration) => Val::Dur(0),
                    _ => Val::Int(0),
                };
                for v in items {
                    acc = match (acc, &v.val) {
                        (Val::Int(a), Val::Int(b)) => Val::Int(
                            a.checked_add(*b)
                                .ok_or_else(|| self.err(RtKind::Overflow("sum"), id, v.path))?,
                        ),
                        (Val::Float(a), Val::Float(b)) => Val::Float(a + b),
                        (Val::Float(a), Val::Int(b)) => Val::Float(a + *b as f64),
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
                if let Val::Float(f) = acc {
                    if !f.is_finite() {
                        return Err(self.err(RtKind::Overflow("sum"), id, recv.path));
                    }
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
                            )
                        })
                        .collect();
                    Val::List(List::Owned(Rc::new(keys)))
                }
                _ => return Err(self.err(RtKind::NullValue, arg_id, recv.path)),
            },
            Builtin::Values => match recv.val {
                Val::Map(entries) => {
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, n) in entries {
                        let path = self.paths.push(recv.path, crate::value::Seg::Key(k));
                        out.push(self.read_node(n, path, id)?);
                    }
                    Val::List(List::Owned(Rc::new(out)))
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
        Ok(V::at(val, recv.path))
    }

    fn items(&mut self, recv: &V<'a>, id: ExprId) -> R<Vec<V<'a>>> {
        let list = self.list_of(recv, id)?;
        let mut out = Vec::with_capacity(list.len());
        for i in 0..list.len() {
            out.push(self.element(recv, &list, i, id)?);
        }
        Ok(out)
    }
}
