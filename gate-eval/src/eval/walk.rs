//! The one walk of a predicate.
//!
//! Every predicate — a `require`, a `when`, a `let` of a boolean, the body
//! of a `filter` or `count` — is evaluated by [`Eval::pred`], the only place
//! where the rules for `and`, `or`, `not`, `if`, quantifiers, `includes`,
//! `present` and calls of a `def` live: which items a guard skips, how
//! errors propagate (an error anywhere, in an `or` branch or an element of
//! `any` included, is the result), how elements are counted and how steps
//! are charged. The walk is generic over a [`Mode`], which only says what it
//! records and whether it may stop early:
//!
//! - [`Exact`]: the value, recording nothing;
//! - [`Quick`]: whether the predicate has the wanted value, stopping as
//!   soon as it cannot (the first false item of an `and`, the first false
//!   element of an `all`). It stops only where that decides the whole
//!   predicate against `want` (the parts of an `or` wanted true are walked
//!   exactly), so its `Ok(want)` is exact: nothing was skipped;
//! - [`Explain`]: the value, recording a failure for every part that does
//!   not have the value wanted and every error met.
//!
//! A rule runs each `require` in [`Quick`] mode, and only when that does not
//! come out true in [`Explain`] mode: the same code, so the two cannot
//! disagree. Coverage, when it is collected, is recorded by the same walk
//! in every mode.

use super::{ElemFrame, Eval, RtError, RtKind, R};
use crate::value::{List, Val, V};
use gate_lang::ir::{ExprId, FuncId, Ir, KeyMatch, QuantKind, ScopeId};

/// What a walk of a predicate records, and whether it may stop early.
pub(super) trait Mode {
    /// Stop as soon as the predicate can no longer have the wanted value.
    const QUICK: bool;
    /// Record a failure for every part without the wanted value, and every
    /// error, and keep going after an error to find the others.
    const EXPLAIN: bool;
}

/// The value of a predicate; nothing recorded, stops at the first error.
pub(super) enum Exact {}
/// Whether a predicate has the wanted value; stops as soon as it cannot.
pub(super) enum Quick {}
/// Why a predicate does not have the wanted value.
pub(super) enum Explain {}

impl Mode for Exact {
    const QUICK: bool = false;
    const EXPLAIN: bool = false;
}

impl Mode for Quick {
    const QUICK: bool = true;
    const EXPLAIN: bool = false;
}

impl Mode for Explain {
    const QUICK: bool = false;
    const EXPLAIN: bool = true;
}

/// The first error met, in a mode that keeps going after errors.
type FirstError = Option<RtError>;

/// The evidence at a place that `well_typed` checks, and its path.
struct TypedPlace<'a> {
    nodes: TypedNodes<'a>,
    path: crate::value::PathId,
}

/// One node, or the fields of a record read into a local.
enum TypedNodes<'a> {
    One(&'a crate::evidence::Node),
    Many(&'a [crate::evidence::Node]),
}

/// Whether an evidence issue is about a type (a value of another type or
/// format, a `null` where none is allowed), not about presence.
fn type_issue(issue: &crate::evidence::Issue) -> bool {
    !matches!(issue.kind, crate::evidence::IssueKind::Missing { .. })
}

impl<'a> Eval<'a> {
    /// Walks predicate `id`, wanting the value `want`. Charges one step for
    /// the node (and what its parts charge).
    #[inline]
    pub(super) fn pred<M: Mode>(&mut self, id: ExprId, want: bool) -> R<bool> {
        let ir = self.ir(id).map_err(|e| self.fault::<M>(e))?;
        if let Err(e) = self.tick(id) {
            return Err(self.fault::<M>(e));
        }
        self.walk::<M>(id, ir, want)
    }

    /// [`Eval::pred`] of a node whose step is already charged.
    pub(super) fn walk<M: Mode>(&mut self, id: ExprId, ir: &'a Ir, want: bool) -> R<bool> {
        let mark = if M::EXPLAIN { self.fail_mark() } else { (0, 0) };
        let result = match ir {
            Ir::And(items) => self.junction::<M>(items, false, want),
            Ir::Or(items) => self.junction::<M>(items, true, want),
            Ir::Not(x) => self.pred::<M>(*x, !want).map(|b| !b),
            Ir::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.pred::<Exact>(*cond, true);
                self.cover(*cond, c.as_ref().ok().copied());
                match c {
                    Ok(true) => self.pred::<M>(*then, want),
                    Ok(false) => self.pred::<M>(*otherwise, want),
                    Err(e) => Err(self.fault::<M>(e)),
                }
            }
            Ir::Quant {
                kind: kind @ (QuantKind::All | QuantKind::Any | QuantKind::None),
                list,
                slot,
                body,
                scope,
            } => self.quantifier::<M>(id, *kind, *list, *slot, *body, *scope, want),
            Ir::Includes { list, args, key } => self.includes::<M>(id, *list, args, *key, want),
            Ir::IncludesEach {
                list,
                items,
                key,
                any,
            } => self.includes_each_pred::<M>(id, *list, *items, *key, *any, want),
            Ir::Present { args, lenient } => self.present_pred::<M>(args, *lenient, want),
            Ir::WellTyped { args } => self.well_typed::<M>(id, args, want),
            Ir::Call { func, args } => self.call_pred::<M>(id, *func, args, want),
            _ => {
                let v = self.value(id, ir).map_err(|e| self.fault::<M>(e))?;
                let b = match v.val {
                    Val::Bool(b) => b,
                    Val::Null => {
                        return Err(self.fault::<M>(self.err(RtKind::NullValue, id, v.path)))
                    }
                    _ => {
                        let e =
                            self.err(RtKind::Internal("a predicate is not a boolean"), id, v.path);
                        return Err(self.fault::<M>(e));
                    }
                };
                if M::EXPLAIN && b != want {
                    self.describing(|this| this.leaf_failure(id, want));
                }
                Ok(b)
            }
        };
        // A part with the wanted value needs no reasons.
        if M::EXPLAIN && matches!(result, Ok(b) if b == want) {
            self.fail_restore(mark);
        }
        result
    }

    /// An error met by something other than the walk itself (a value, an
    /// element, a step): recorded when explaining.
    fn fault<M: Mode>(&mut self, e: RtError) -> RtError {
        if M::EXPLAIN {
            self.record_error(&e);
        }
        e
    }

    /// Keeps the first error and goes on when explaining; otherwise the
    /// error is the result at once.
    fn keep_going<M: Mode>(first: &mut FirstError, e: RtError) -> Result<(), RtError> {
        if M::EXPLAIN {
            first.get_or_insert(e);
            Ok(())
        } else {
            Err(e)
        }
    }

    /// `and` (`decider` false: a false item decides) and `or` (`decider`
    /// true). An item marked guarded is skipped once the items before it
    /// decided the result or failed: in `x != null and x.y`, `x.y` is not
    /// read when `x` is null.
    fn junction<M: Mode>(
        &mut self,
        items: &'a [(ExprId, bool)],
        decider: bool,
        want: bool,
    ) -> R<bool> {
        let mark = if M::EXPLAIN { self.fail_mark() } else { (0, 0) };
        let mut decided = false;
        let mut first: FirstError = None;
        for (i, (item, guarded)) in items.iter().enumerate() {
            if *guarded && (decided || first.is_some()) {
                continue;
            }
            // In `x == null or x.y > 3` wanted true, the null check only
            // guards the next item: its failure says nothing the next one
            // does not. (Wanted false, a null `x` is the reason.)
            let only_guard = M::EXPLAIN
                && decider
                && want
                && self.is_guard(*item)
                && items.iter().skip(i + 1).any(|(_, g)| *g);
            let before = if only_guard { self.fail_mark() } else { (0, 0) };
            // A quick walk may stop early only where that decides this
            // junction against `want` too (an item of an `and` wanted true,
            // of an `or` wanted false); the items of an `or` wanted true
            // are walked exactly, since one that is false decides nothing.
            let r = if M::QUICK && decider == want {
                self.pred::<Exact>(*item, want)
            } else {
                self.pred::<M>(*item, want)
            };
            self.cover(*item, r.as_ref().ok().copied());
            if only_guard {
                self.fail_restore(before);
            }
            match r {
                Ok(b) if b == decider => {
                    decided = true;
                    if M::QUICK && decider != want {
                        return Ok(decider);
                    }
                }
                Ok(_) => {}
                Err(e) => Self::keep_going::<M>(&mut first, e)?,
            }
        }
        // Every alternative of an `or` that failed is a reason; they are
        // grouped so that a reader sees that any one of them would do.
        if M::EXPLAIN && decider && !decided && want {
            self.mark_alternatives(mark.0);
        }
        match first {
            Some(e) => Err(e),
            None => Ok(if decided { decider } else { !decider }),
        }
    }

    /// `all`, `any` and `none`. An element whose value decides the result
    /// (a false one for `all`, a true one for `any` and `none`) stops a
    /// quick walk when the result is then not the one wanted.
    #[allow(clippy::too_many_arguments)]
    fn quantifier<M: Mode>(
        &mut self,
        id: ExprId,
        kind: QuantKind,
        list: ExprId,
        slot: u32,
        body: ExprId,
        scope: ScopeId,
        want: bool,
    ) -> R<bool> {
        let l = self.eval(list).map_err(|e| self.fault::<M>(e))?;
        let items = self.list_of(&l, list).map_err(|e| self.fault::<M>(e))?;
        if items.is_empty() && kind == QuantKind::All {
            self.vacuous(id, &l);
        }
        let decider = kind != QuantKind::All;
        let decided_value = kind == QuantKind::Any;
        // Where one element is a reason (`all` wanted true, `none` wanted
        // true, `any` wanted false), the value each element should have;
        // elsewhere the reason is the list as a whole.
        let element_want = match (kind, want) {
            (QuantKind::All, true) => Some(true),
            (QuantKind::None, true) | (QuantKind::Any, false) => Some(false),
            _ => None,
        };
        self.quant_depth += 1;
        // A quick walk records no paths: only "as wanted or not" comes out,
        // and anything else is explained by a walk that records them.
        let tracking = M::QUICK.then(|| self.paths.set_tracking(false));
        let outcome =
            self.elements::<M>(&l, &items, list, slot, body, scope, decider, element_want);
        if let Some(on) = tracking {
            self.paths.set_tracking(on);
        }
        self.quant_depth -= 1;
        let decided = outcome?;
        let value = if decided {
            decided_value
        } else {
            !decided_value
        };
        if M::EXPLAIN && value != want && element_want.is_none() {
            let n = items.len();
            self.describing(|this| this.list_failure(id, kind, &l, n, list, body, want));
        }
        Ok(value)
    }

    /// Walks the elements of a quantifier; whether one of them had the
    /// deciding value.
    #[allow(clippy::too_many_arguments)]
    fn elements<M: Mode>(
        &mut self,
        l: &V<'a>,
        items: &List<'a>,
        list: ExprId,
        slot: u32,
        body: ExprId,
        scope: ScopeId,
        decider: bool,
        element_want: Option<bool>,
    ) -> R<bool> {
        let mut decided = false;
        let mut first: FirstError = None;
        // `xs.all(flag)`: a boolean field of the element, read in place
        // where the element is a record and the field a boolean, charging
        // what the general path charges (the field and the element it is
        // read from). Not when explaining, which needs the element's path.
        let in_place = match (M::EXPLAIN, items) {
            (false, List::Ev(nodes, _)) => self.element_field(body, slot).map(|f| (f, *nodes)),
            _ => None,
        };
        for i in 0..items.len() {
            if let Some(((base, field), nodes)) = in_place {
                if let Some(crate::evidence::Node::Record(_, fields)) = nodes.get(i) {
                    if let Some(crate::evidence::Node::Bool(b)) = fields.get(field) {
                        self.tick(body)?;
                        self.tick(base)?;
                        if *b == decider {
                            decided = true;
                            if M::QUICK && element_want.is_some() {
                                return Ok(true);
                            }
                        }
                        continue;
                    }
                }
            }
            let e = match self.element(l, items, i, list) {
                Ok(e) => e,
                Err(err) => {
                    let err = self.fault::<M>(err);
                    Self::keep_going::<M>(&mut first, err)?;
                    continue;
                }
            };
            // The element is kept for the explanation's frame only.
            let frame_elem = M::EXPLAIN.then(|| e.clone());
            self.set_local(slot, e);
            let r = match element_want {
                // Quick: the element's own quick walk; a value other than
                // `w` decides the quantifier against what is wanted.
                Some(w) if M::QUICK => self.pred::<Quick>(body, w),
                Some(w) if M::EXPLAIN => {
                    // An element that is as wanted needs no explanation:
                    // checked the quick way first (not when collecting
                    // coverage, which the explanation records).
                    let quick = if self.cov.is_none() {
                        let before = self.steps;
                        let on = self.paths.set_tracking(false);
                        let q = self.pred::<Quick>(body, w);
                        self.paths.set_tracking(on);
                        let as_wanted = matches!(q, Ok(b) if b == w);
                        if !as_wanted {
                            // Only the explanation's walk counts as the
                            // element's evaluation.
                            self.set_aside(before);
                        }
                        as_wanted
                    } else {
                        false
                    };
                    if quick {
                        Ok(w)
                    } else {
                        let frame = ElemFrame {
                            list_path: l.path,
                            index: i,
                            single: matches!(items, List::Ev(_, true)),
                            elem: frame_elem.unwrap_or_else(|| V::new(Val::Null)),
                        };
                        self.with_element(frame, scope, |this| this.pred::<Explain>(body, w))
                    }
                }
                _ => self
                    .pred::<Exact>(body, true)
                    .map_err(|e| self.fault::<M>(e)),
            };
            match r {
                Ok(b) if b == decider => {
                    decided = true;
                    if M::QUICK && element_want.is_some() {
                        return Ok(true);
                    }
                }
                Ok(_) => {}
                Err(e) => Self::keep_going::<M>(&mut first, e)?,
            }
        }
        match first {
            Some(e) => Err(e),
            None => Ok(decided),
        }
    }

    /// When `body` is a field of the quantifier's element (`vaulted` in
    /// `secrets.all(vaulted)`): the element node and the field's slot.
    fn element_field(&self, body: ExprId, slot: u32) -> Option<(ExprId, usize)> {
        match self.ir(body).ok()? {
            Ir::Field {
                base, slot: field, ..
            } if matches!(self.ir(*base).ok()?, Ir::Local(s) if *s == slot) => {
                Some((*base, *field as usize))
            }
            _ => None,
        }
    }

    /// `xs.includes(a, b, …)`: every value is in the list (by key and key
    /// condition for records).
    fn includes<M: Mode>(
        &mut self,
        id: ExprId,
        list: ExprId,
        args: &'a [ExprId],
        key: Option<KeyMatch>,
        want: bool,
    ) -> R<bool> {
        let l = self.eval(list).map_err(|e| self.fault::<M>(e))?;
        let mut all = true;
        let mut first: FirstError = None;
        for a in args {
            let v = match self.eval(*a) {
                Ok(v) => v,
                Err(e) => {
                    let e = self.fault::<M>(e);
                    Self::keep_going::<M>(&mut first, e)?;
                    continue;
                }
            };
            let (found, rejected) = match self.matching(&l, &v, key, list) {
                Ok(x) => x,
                Err(e) => {
                    let e = self.fault::<M>(e);
                    Self::keep_going::<M>(&mut first, e)?;
                    continue;
                }
            };
            let present = !found.is_empty();
            if M::EXPLAIN && present != want {
                self.describing(|this| {
                    this.include_failure(id, &l, list, &v, key, &found, &rejected, want)
                });
            }
            all &= present;
            if M::QUICK && !present && want {
                return Ok(false);
            }
        }
        match first {
            Some(e) => Err(e),
            None => Ok(all),
        }
    }

    /// `xs.includes_all(ys)` and `xs.includes_any(ys)`.
    #[allow(clippy::too_many_arguments)]
    fn includes_each_pred<M: Mode>(
        &mut self,
        id: ExprId,
        list: ExprId,
        items: ExprId,
        key: Option<KeyMatch>,
        any: bool,
        want: bool,
    ) -> R<bool> {
        let l = self.eval(list).map_err(|e| self.fault::<M>(e))?;
        let wanted = self.eval(items).map_err(|e| self.fault::<M>(e))?;
        let found = self
            .includes_each(&l, &wanted, key, list, items)
            .map_err(|e| self.fault::<M>(e))?;
        let hits = found.iter().filter(|f| **f).count();
        let result = if any { hits > 0 } else { hits == found.len() };
        if M::EXPLAIN && result != want {
            self.describing(|this| {
                if any == want {
                    this.includes_each_failure(id, &l, list, &wanted, key, any);
                    return;
                }
                // One value decides: each missing one for `includes_all`
                // wanted true, each present one for `includes_any` wanted
                // false.
                let Ok(values) = this.items(&wanted, items) else {
                    return;
                };
                for (v, f) in values.iter().zip(found.iter()) {
                    if *f != want {
                        if let Ok((hit, rejected)) = this.matching(&l, v, key, list) {
                            this.include_failure(id, &l, list, v, key, &hit, &rejected, want);
                        }
                    }
                }
            });
        }
        Ok(result)
    }

    /// `present(a, b, …)`: every place is present and not null.
    fn present_pred<M: Mode>(&mut self, args: &'a [ExprId], lenient: bool, want: bool) -> R<bool> {
        let mut all = true;
        for a in args {
            let (v, path) = self.present(*a, lenient).map_err(|e| self.fault::<M>(e))?;
            let here = v.is_some();
            if M::EXPLAIN && here != want {
                self.describing(|this| this.present_failure(*a, v, path, want));
            }
            all &= here;
            if M::QUICK && !here && want {
                return Ok(false);
            }
        }
        Ok(all)
    }

    /// `well_typed(a, b, …)`: no value at or under the places has another
    /// type or format than declared (or is `null` where none is allowed).
    /// It reads the evidence issues recorded when the evidence was typed,
    /// never the values, so a mistyped value makes it false, not an error.
    fn well_typed<M: Mode>(&mut self, id: ExprId, args: &'a [ExprId], want: bool) -> R<bool> {
        let mut found = Vec::new();
        let mut visited = 0u64;
        let mut places = Vec::with_capacity(args.len());
        for a in args {
            let place = self.typed_place(*a).map_err(|e| self.fault::<M>(e))?;
            match place.nodes {
                TypedNodes::One(n) => self.type_issues(n, &mut found, &mut visited),
                TypedNodes::Many(ns) => {
                    for n in ns {
                        self.type_issues(n, &mut found, &mut visited);
                    }
                }
            }
            places.push(place.path);
        }
        self.charge(id, visited).map_err(|e| self.fault::<M>(e))?;
        let ok = found.is_empty();
        if M::EXPLAIN && ok != want {
            if ok {
                let text = self.prog.sources.slice(self.span(id)).to_string();
                self.describing(|this| {
                    this.push_failure(
                        id,
                        None,
                        "a value of another type than declared".into(),
                        format!("`{text}` holds: every value has its declared type"),
                    )
                });
            } else {
                self.describing(|this| this.list_type_issues(id, &places, &found));
            }
        }
        Ok(ok)
    }

    /// Records one failure per type issue under `places` (every one, also
    /// those of list elements that one unreadable element stands for), or
    /// those `found` when a place has no path.
    fn list_type_issues(&mut self, id: ExprId, places: &[crate::value::PathId], found: &[u32]) {
        let pointers: Vec<Option<String>> = places
            .iter()
            .map(|p| self.paths.pointer(*p, &self.prog.schema))
            .collect();
        let issues: &'a [crate::evidence::Issue] = self.issues;
        let mut listed = Vec::new();
        if pointers.iter().all(Option::is_some) {
            for (i, issue) in issues.iter().enumerate() {
                let under = pointers.iter().flatten().any(|p| {
                    issue.path == *p
                        || (issue.path.starts_with(p.as_str())
                            && issue.path.as_bytes().get(p.len()) == Some(&b'/'))
                });
                if under && type_issue(issue) {
                    listed.push(u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
        }
        if listed.is_empty() {
            listed = found.to_vec();
        }
        for i in listed {
            self.issue_failure(id, i);
        }
    }

    /// The evidence nodes at a place, without reading them.
    fn typed_place(&mut self, id: ExprId) -> R<TypedPlace<'a>> {
        let prog: &'a gate_lang::ir::Program = self.prog;
        match prog.node(id).map(|n| &n.ir) {
            Some(Ir::Root) => Ok(TypedPlace {
                nodes: TypedNodes::One(self.root),
                path: crate::value::PathId::ROOT,
            }),
            Some(Ir::Field {
                base, record, slot, ..
            }) => {
                let base = self.typed_place(*base)?;
                let fields = match base.nodes {
                    TypedNodes::One(crate::evidence::Node::Record(_, fields)) => &fields[..],
                    TypedNodes::Many(fields) => fields,
                    // Not a record: its own issue (or nothing) stands for
                    // everything under it.
                    TypedNodes::One(other) => {
                        return Ok(TypedPlace {
                            nodes: TypedNodes::One(other),
                            path: base.path,
                        })
                    }
                };
                let path = self
                    .paths
                    .push(base.path, crate::value::Seg::Field(*record, *slot));
                Ok(TypedPlace {
                    nodes: match fields.get(*slot as usize) {
                        Some(n) => TypedNodes::One(n),
                        None => TypedNodes::Many(&[]),
                    },
                    path,
                })
            }
            _ => {
                // A local (an element of a quantifier): its fields.
                let v = self.eval(id)?;
                let nodes = match v.val {
                    Val::Record(_, fields) => TypedNodes::Many(fields),
                    Val::List(List::Ev(nodes, _)) => TypedNodes::Many(nodes),
                    _ => TypedNodes::Many(&[]),
                };
                Ok(TypedPlace {
                    nodes,
                    path: v.path,
                })
            }
        }
    }

    /// Collects the type issues at and under `node`, counting the nodes
    /// visited.
    fn type_issues(&self, node: &crate::evidence::Node, out: &mut Vec<u32>, visited: &mut u64) {
        use crate::evidence::Node;
        *visited += 1;
        match node {
            Node::Invalid(i) => out.push(*i),
            Node::Missing(i) if self.issues.get(*i as usize).is_some_and(type_issue) => {
                out.push(*i);
            }
            Node::List(items) | Node::One(items) | Node::Record(_, items) => {
                for n in items.iter() {
                    self.type_issues(n, out, visited);
                }
            }
            Node::Map(entries) => {
                for (_, n) in entries.iter() {
                    self.type_issues(n, out, visited);
                }
            }
            _ => {}
        }
    }

    /// A call of a `def`: its body is walked in the same mode, in a frame of
    /// its own.
    fn call_pred<M: Mode>(
        &mut self,
        id: ExprId,
        func: FuncId,
        args: &'a [ExprId],
        want: bool,
    ) -> R<bool> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(*a).map_err(|e| self.fault::<M>(e))?);
        }
        let outermost = M::EXPLAIN && self.call_depth == 0;
        if outermost {
            self.set_call_site(Some(self.span(id)));
        }
        let r = self.call(func, vals, id, |this, body| Ok(this.pred::<M>(body, want)));
        if outermost {
            self.set_call_site(None);
        }
        r.map_err(|e| self.fault::<M>(e))?
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::{Exact, Explain, Mode, Quick};
    use crate::eval::{Explaining, R};
    use crate::{Evidence, Options, Policy};
    use gate_lang::ir::Step;
    use proptest::prelude::*;

    const HEADER: &str = "gate g {}\n\
        record S { id: string, on: bool, n: int, d: int, tags: [string], owner: string?, key id }\n\
        evidence { xs: [S], names: [string], flag: bool, a: int? }\n\
        def ok(s: S) -> bool = s.on and s.n > 0\n";

    /// A predicate about element `x`.
    fn element_pred() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("x.on".to_string()),
            (0..4i64).prop_map(|k| format!("x.n > {k}")),
            Just("x.n / x.d >= 1".to_string()),
            Just("x.tags.includes(\"t\")".to_string()),
            Just("(x.owner != null and x.owner.len() > 1)".to_string()),
            Just("ok(x)".to_string()),
            Just("x.id in names".to_string()),
        ];
        leaf.prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
                inner.clone().prop_map(|a| format!("not ({a})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("(if flag then {a} else {b})")),
            ]
        })
    }

    /// A predicate about the evidence.
    fn predicate() -> impl Strategy<Value = String> {
        let quant = prop_oneof![Just("all"), Just("any"), Just("none")];
        let leaf = prop_oneof![
            Just("flag".to_string()),
            Just("present(a)".to_string()),
            Just("(a == null or a > 1)".to_string()),
            Just("names.includes(\"p\", \"q\")".to_string()),
            Just("names.includes_all([\"p\", \"r\"])".to_string()),
            Just("names.includes_any([\"q\", \"r\"])".to_string()),
            Just("xs.includes(\"s1\")".to_string()),
            (quant, element_pred()).prop_map(|(q, p)| format!("xs.{q}(x => {p})")),
            (element_pred(), 0..3i64).prop_map(|(p, k)| format!("xs.count(x => {p}) >= {k}")),
            element_pred().prop_map(|p| format!("xs.filter(x => {p}).len() < 2")),
        ];
        leaf.prop_recursive(3, 16, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
                inner.clone().prop_map(|a| format!("not ({a})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("(if flag then {a} else {b})")),
            ]
        })
    }

    /// An element of `xs`, sometimes of the wrong type or with a field
    /// missing or mistyped.
    fn element() -> impl Strategy<Value = String> {
        (
            0..3u8,
            any::<bool>(),
            0..4i64,
            0..3i64,
            any::<bool>(),
            0..4u8,
            0..8u8,
        )
            .prop_map(|(id, on, n, d, tag, owner, mutation)| {
                let on = match mutation {
                    0 => "\"yes\"".to_string(),
                    _ => on.to_string(),
                };
                let tags = if tag { r#"["t"]"# } else { "[]" };
                let owner = match owner {
                    0 => ",\"owner\":null".to_string(),
                    1 => String::new(),
                    2 => ",\"owner\":\"a\"".to_string(),
                    _ => ",\"owner\":\"team\"".to_string(),
                };
                match mutation {
                    1 => "7".to_string(),
                    2 => format!(r#"{{"id":"s{id}","on":{on},"d":{d},"tags":{tags}{owner}}}"#),
                    _ => format!(
                        r#"{{"id":"s{id}","on":{on},"n":{n},"d":{d},"tags":{tags}{owner}}}"#
                    ),
                }
            })
    }

    fn evidence() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(element(), 0..4),
            prop::collection::vec(
                prop_oneof![
                    Just("\"p\""),
                    Just("\"q\""),
                    Just("\"r\""),
                    Just("\"s1\""),
                    Just("3")
                ],
                0..4,
            ),
            any::<bool>(),
            prop_oneof![Just("null"), Just("0"), Just("5")],
        )
            .prop_map(|(xs, names, flag, a)| {
                format!(
                    r#"{{"xs":[{}],"names":[{}],"flag":{flag},"a":{a}}}"#,
                    xs.join(","),
                    names.join(",")
                )
            })
    }

    /// Walks the requirement of the policy's only rule in mode `M`: the
    /// result, the steps charged, and how many failures and errors were
    /// recorded.
    fn run<M: Mode>(policy: &Policy, evidence: &Evidence, explain: bool) -> (R<bool>, u64, usize) {
        let options = Options::default();
        let typed = policy.typed(evidence, &options);
        let mut ev = policy.evaluator(&typed, &options, 0);
        ev.run_globals();
        let rule = &policy.program.rules[0];
        let Some(Step::Require(req)) = rule.steps.first() else {
            panic!("a rule with one requirement");
        };
        ev.push_frame(rule.frame_size);
        ev.steps = 0;
        ev.check_at = 0;
        if explain {
            ev.ex = Some(Explaining {
                requirement: 0,
                rule_base: ev.base,
                ..Explaining::default()
            });
        }
        let r = ev.pred::<M>(req.expr, true);
        let recorded = ev
            .ex
            .as_ref()
            .map(|x| x.failures.len() + x.errors.len() + x.dropped)
            .unwrap_or(0);
        (r, ev.steps, recorded)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Quick says `true` exactly when explaining records nothing, all
        /// three modes agree on the value (or that it is an error), and a
        /// requirement that holds costs the same steps in every mode.
        #[test]
        fn quick_and_explain_agree(pred in predicate(), doc in evidence()) {
            let source = format!("{HEADER}rule r {{ require {pred} }}\n");
            let policy = Policy::from_source("g.gate", &source)
                .unwrap_or_else(|e| panic!("{source}: {e:?}"));
            let evidence = Evidence::from_json_str("e", &doc).unwrap();
            let (quick, quick_steps, _) = run::<Quick>(&policy, &evidence, false);
            let (explained, explain_steps, recorded) = run::<Explain>(&policy, &evidence, true);
            let (exact, exact_steps, _) = run::<Exact>(&policy, &evidence, false);
            let holds = matches!(quick, Ok(true));
            prop_assert_eq!(holds, recorded == 0, "{} over {}: quick {:?}, explained {:?}", pred, doc, quick, explained);
            prop_assert_eq!(explained.as_ref().ok(), exact.as_ref().ok(), "{} over {}", pred, doc);
            prop_assert_eq!(holds, matches!(exact, Ok(true)), "{} over {}", pred, doc);
            if holds {
                prop_assert_eq!(quick_steps, explain_steps, "{} over {}", pred, doc);
                prop_assert_eq!(quick_steps, exact_steps, "{} over {}", pred, doc);
            }
        }
    }
}
