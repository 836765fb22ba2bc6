//! Built-ins on text: `trim`, `split`, `matches`, `glob`, `parse_time`,
//! `semver_cmp` and `semver_satisfies`.
//!
//! Patterns are compiled once per evaluation ([`super::builtins::Cache`]);
//! compiling is charged by pattern length, matching by input length.
//! Messages never include a value read through a sensitive field.

use super::builtins::codes;
use super::{Eval, RtKind, R};
use crate::value::{List, PathId, Val, V};
use gate_lang::check::patterns;
use gate_lang::ir::{Builtin, ExprId};
use std::rc::Rc;

/// Bytes of input per step charged for scanning text.
pub(super) const BYTES_PER_STEP: usize = 16;

/// Bytes of compiled regular expression per step charged for compiling it.
const REGEX_BYTES_PER_STEP: usize = 64;

impl<'a> Eval<'a> {
    /// The text of argument `i`.
    fn text_arg(&self, vals: &[V<'a>], args: &[ExprId], i: usize, id: ExprId) -> R<String> {
        let at = args.get(i).copied().unwrap_or(id);
        match vals.get(i) {
            Some(v) => v
                .val
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| self.err(RtKind::NullValue, at, v.path)),
            None => Err(self.err(RtKind::Internal("missing argument"), id, PathId::NONE)),
        }
    }

    /// `v` quoted for a message, unless it was read through a sensitive field.
    fn quoted(&self, v: Option<&V<'a>>, text: &str) -> String {
        match v {
            Some(v) if v.secret => String::new(),
            _ => {
                let short: String = text.chars().take(80).collect();
                let more = if short.len() < text.len() { "…" } else { "" };
                format!(" {:?}", format!("{short}{more}"))
            }
        }
    }

    pub(super) fn string_builtin(
        &mut self,
        id: ExprId,
        func: Builtin,
        vals: &[V<'a>],
        args: &[ExprId],
    ) -> R<V<'a>> {
        let recv = vals
            .first()
            .cloned()
            .ok_or_else(|| self.err(RtKind::Internal("missing receiver"), id, PathId::NONE))?;
        // The text scanned is charged once, by `Eval::builtin`.
        let s = self.text_arg(vals, args, 0, id)?;
        let val = match func {
            Builtin::Trim => Val::OwnedStr(Rc::from(s.trim())),
            Builtin::Split => {
                let sep = self.text_arg(vals, args, 1, id)?;
                let parts: Vec<V<'a>> = if sep.is_empty() {
                    s.chars()
                        .map(|c| {
                            V::at(
                                Val::OwnedStr(Rc::from(c.to_string().as_str())),
                                recv.path,
                                recv.secret,
                            )
                        })
                        .collect()
                } else {
                    s.split(sep.as_str())
                        .map(|p| V::at(Val::OwnedStr(Rc::from(p)), recv.path, recv.secret))
                        .collect()
                };
                self.charge(id, parts.len() as u64)?;
                Val::List(List::Owned(Rc::new(parts)))
            }
            Builtin::Matches => {
                let pattern = self.text_arg(vals, args, 1, id)?;
                let (compiled, fresh) = self.cache.regex(&pattern);
                if fresh {
                    // Compiling costs what it builds: charged by the size
                    // of the compiled expression, once per evaluation.
                    let size = compiled.as_ref().map(|r| r.memory_usage()).unwrap_or(0);
                    self.charge(id, (pattern.len() + size / REGEX_BYTES_PER_STEP) as u64)?;
                }
                let re = compiled.map_err(|e| {
                    let shown = self.quoted(vals.get(1), &pattern);
                    let pv = vals.get(1).cloned().unwrap_or_else(|| V::new(Val::Null));
                    self.bad_arg(
                        codes::REGEX,
                        id,
                        &pv,
                        format!("invalid regular expression{shown}: {e}"),
                    )
                })?;
                Val::Bool(re.is_match(&s))
            }
            Builtin::Glob => {
                let pattern = self.text_arg(vals, args, 1, id)?;
                let (compiled, fresh) = self.cache.glob(&pattern);
                if fresh {
                    self.charge(id, pattern.len() as u64)?;
                }
                let g = compiled.map_err(|e| {
                    let shown = self.quoted(vals.get(1), &pattern);
                    let pv = vals.get(1).cloned().unwrap_or_else(|| V::new(Val::Null));
                    self.bad_arg(
                        codes::GLOB,
                        id,
                        &pv,
                        format!("invalid glob pattern{shown}: {e}"),
                    )
                })?;
                Val::Bool(g.is_match(&s))
            }
            Builtin::ParseTime => match patterns::timestamp(&s) {
                Ok(t) => Val::Time(t),
                Err(_) => {
                    let shown = self.quoted(Some(&recv), &s);
                    return Err(self.bad_arg(
                        codes::TIME,
                        id,
                        &recv,
                        format!(
                            "the text{shown} is not an RFC 3339 timestamp such as `2026-05-04T09:00:00Z`"
                        ),
                    ));
                }
            },
            Builtin::Base64Decode => match crate::load::decode::base64_text(&s) {
                Ok(text) => Val::OwnedStr(Rc::from(text.as_str())),
                Err(reason) => {
                    let shown = self.quoted(Some(&recv), &s);
                    return Err(self.bad_arg(
                        codes::DECODE,
                        id,
                        &recv,
                        format!("the text{shown} is {reason}"),
                    ));
                }
            },
            Builtin::SemverCmp | Builtin::SemverSatisfies => {
                let other = self.text_arg(vals, args, 1, id)?;
                let ov = vals.get(1).cloned().unwrap_or_else(|| V::new(Val::Null));
                let version = patterns::version(&s).map_err(|e| {
                    let shown = self.quoted(Some(&recv), &s);
                    self.bad_arg(
                        codes::VERSION,
                        id,
                        &recv,
                        format!("invalid version{shown}: {e}"),
                    )
                })?;
                if func == Builtin::SemverCmp {
                    let b = patterns::version(&other).map_err(|e| {
                        let shown = self.quoted(Some(&ov), &other);
                        self.bad_arg(
                            codes::VERSION,
                            id,
                            &ov,
                            format!("invalid version{shown}: {e}"),
                        )
                    })?;
                    Val::Int(match version.cmp_precedence(&b) {
                        std::cmp::Ordering::Less => -1,
                        std::cmp::Ordering::Equal => 0,
                        std::cmp::Ordering::Greater => 1,
                    })
                } else {
                    let req = patterns::version_req(&other).map_err(|e| {
                        let shown = self.quoted(Some(&ov), &other);
                        self.bad_arg(
                            codes::VERSION,
                            id,
                            &ov,
                            format!("invalid version requirement{shown}: {e}"),
                        )
                    })?;
                    Val::Bool(req.matches(&version))
                }
            }
            _ => return Err(self.err(RtKind::Internal("not a text built-in"), id, recv.path)),
        };
        Ok(V::derived(val, recv.path, vals))
    }
}
