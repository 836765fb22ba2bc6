//! The explanation pass: a full evaluation of a `require` that did not hold,
//! recording why.
//!
//! [`Eval::explain`] evaluates a predicate and records a failure wherever a
//! part of it does not have the value wanted (`want`; `not` flips it). A
//! part that comes out as wanted drops what its children recorded, so only
//! the reasons that decide the outcome remain: every false conjunct of an
//! `and`, every alternative of a failed `or`, every failing element of a
//! quantifier.

use super::{ElemFrame, Eval, RtError};
use crate::explain::{ElementRef, Failure, KeyRef};
use crate::value::{self, PathId, Val, V};
use gate_lang::ir::{CmpOp, ExprId, Ir, MessagePart, QuantKind};

type X = Result<bool, ()>;

impl<'a> Eval<'a> {
    /// Evaluates a predicate, recording why it does not equal `want`.
    pub(super) fn explain(&mut self, id: ExprId, want: bool) -> X {
        if let Err(e) = self.tick(id) {
            self.record_error(&e);
            return Err(());
        }
        let mark = self.fail_mark();
        let prog: &'a gate_lang::ir::Program = self.prog;
        let Some(node) = prog.node(id) else {
            return Err(());
        };
        let result = match &node.ir {
            Ir::And(items) => {
                let mut all = true;
                let mut errored = false;
                for (item, guarded) in items {
                    if *guarded && (!all || errored) {
                        continue;
                    }
                    let r = self.explain(*item, want);
                    self.cover(*item, r.ok());
                    match r {
                        Ok(b) => all &= b,
                        Err(()) => errored = true,
                    }
                }
                if errored {
                    Err(())
                } else {
                    Ok(all)
                }
            }
            Ir::Or(items) => {
                let mut any = false;
                let mut errored = false;
                for (i, (item, guarded)) in items.iter().enumerate() {
                    if *guarded && (any || errored) {
                        continue;
                    }
                    // In `x == null or x.y > 3` the null check only guards the
                    // next item: its failure says nothing the next one does not.
                    let is_guard =
                        self.is_guard(*item) && items.iter().skip(i + 1).any(|(_, g)| *g);
                    let before = self.fail_mark();
                    let r = self.explain(*item, want);
                    self.cover(*item, r.ok());
                    match r {
                        Ok(b) => any |= b,
                        Err(()) => errored = true,
                    }
                    if is_guard {
                        self.fail_restore(before);
                    }
                }
                if !any && want {
                    self.mark_alternatives(mark.0);
                }
                if errored {
                    Err(())
                } else {
                    Ok(any)
                }
            }
            Ir::Not(x) => self.explain(*x, !want).map(|b| !b),
            Ir::If {
                cond,
                then,
                otherwise,
            } => match self
                .eval_bool(*cond)
                .inspect(|c| self.cover(*cond, Some(*c)))
            {
                Ok(true) => self.explain(*then, want),
                Ok(false) => self.explain(*otherwise, want),
                Err(e) => {
                    self.cover(*cond, None);
                    self.record_error(&e);
                    Err(())
                }
            },
            Ir::Quant {
                kind: kind @ (QuantKind::All | QuantKind::Any | QuantKind::None),
                list,
                slot,
                body,
                scope,
            } => self.explain_quant(id, *kind, *list, *slot, *body, *scope, want),
            Ir::Includes { list, args, key } => self.explain_includes(id, *list, args, *key, want),
            Ir::IncludesEach {
                list,
                items,
                key,
                any,
            } => self.explain_includes_each(id, *list, *items, *key, *any, want),
            Ir::Present { args, lenient } => self.explain_present(args, *lenient, want),
            Ir::Call { func, args } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    match self.eval(*a) {
                        Ok(v) => vals.push(v),
                        Err(e) => {
                            self.record_error(&e);
                            return Err(());
                        }
                    }
                }
                let outermost = self.call_depth == 0;
                if outermost {
                    if let Some(ex) = self.ex.as_mut() {
                        ex.call_site = Some(node.span);
                    }
                }
                let r = match self.call(*func, vals, id, |this, body| Ok(this.explain(body, want)))
                {
                    Ok(r) => r,
                    Err(e) => {
                        self.record_error(&e);
                        Err(())
                    }
                };
                if outermost {
                    if let Some(ex) = self.ex.as_mut() {
                        ex.call_site = None;
                    }
                }
                r
            }
            _ => match self.eval_bool(id) {
                Ok(b) => {
                    if b != want {
                        self.leaf_failure(id, want);
                    }
                    Ok(b)
                }
                Err(e) => {
                    self.record_error(&e);
                    Err(())
                }
            },
        };
        if result == Ok(want) {
            self.fail_restore(mark);
        }
        result
    }

    /// Whether a predicate only tests for presence: `x == null`, `x != null`,
    /// `present(x)`, or their negation.
    fn is_guard(&self, id: ExprId) -> bool {
        match self.prog.node(id).map(|n| &n.ir) {
            Some(Ir::Present { .. }) => true,
            Some(Ir::Not(x)) => self.is_guard(*x),
            Some(Ir::Compare {
                op: CmpOp::Eq | CmpOp::Ne,
                lhs,
                rhs,
            }) => [*lhs, *rhs].iter().any(|x| {
                matches!(
                    self.prog.node(*x).map(|n| &n.ir),
                    Some(Ir::Const(gate_lang::ir::Const::Null))
                )
            }),
            _ => false,
        }
    }

    fn fail_mark(&self) -> (usize, usize) {
        self.ex
            .as_ref()
            .map(|e| (e.failures.len(), e.dropped))
            .unwrap_or((0, 0))
    }

    fn fail_restore(&mut self, mark: (usize, usize)) {
        if let Some(ex) = self.ex.as_mut() {
            ex.failures.truncate(mark.0);
            ex.dropped = mark.1;
        }
    }

    fn mark_alternatives(&mut self, from: usize) {
        if let Some(ex) = self.ex.as_mut() {
            if ex.failures.len() > from + 1 {
                ex.next_any_of += 1;
                let group = ex.next_any_of;
                for f in ex.failures.iter_mut().skip(from) {
                    if f.any_of.is_none() {
                        f.any_of = Some(group);
                    }
                }
            }
        }
    }

    pub(super) fn record_error(&mut self, e: &RtError) {
        let mut info = self.error_info(e);
        let max = self.limits.max_failures.max(1);
        if let Some(ex) = self.ex.as_mut() {
            info.requirement = Some(ex.requirement);
            // Kept once each, and at most `max_failures` of them: a list of
            // a million bad elements must not make a record of a million
            // errors (or take quadratic time to build one).
            if ex.errors.len() < max
                && ex.error_keys.insert((
                    info.code,
                    info.path.clone(),
                    e.span.source.0,
                    e.span.start,
                    e.span.end,
                ))
            {
                ex.errors.push(info);
            }
        }
    }

    fn with_element<T>(
        &mut self,
        frame: ElemFrame<'a>,
        scope: gate_lang::ir::ScopeId,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let rule_level = self.call_depth == 0;
        if rule_level {
            if let Some(ex) = self.ex.as_mut() {
                ex.elements.push(frame);
                ex.scopes.push(scope);
            }
        }
        let r = f(self);
        if rule_level {
            if let Some(ex) = self.ex.as_mut() {
                ex.elements.pop();
                ex.scopes.pop();
            }
        }
        r
    }

    #[allow(clippy::too_many_arguments)]
    fn explain_quant(
        &mut self,
        id: ExprId,
        kind: QuantKind,
        list: ExprId,
        slot: u32,
        body: ExprId,
        scope: gate_lang::ir::ScopeId,
        want: bool,
    ) -> X {
        let l = match self.eval(list) {
            Ok(l) => l,
            Err(e) => {
                self.record_error(&e);
                return Err(());
            }
        };
        let items = match self.list_of(&l, list) {
            Ok(items) => items,
            Err(e) => {
                self.record_error(&e);
                return Err(());
            }
        };
        if items.is_empty() && kind == QuantKind::All {
            self.vacuous(id, &l);
        }
        // Elements are explained one by one where a failing element is a
        // reason (`all` wanted true, `none` wanted true, `any` wanted
        // false); elsewhere the reason is the list as a whole.
        let per_element_want = match (kind, want) {
            (QuantKind::All, true) => Some(true),
            (QuantKind::None, true) | (QuantKind::Any, false) => Some(false),
            _ => None,
        };
        let mut count = 0usize;
        let mut errored = false;
        self.quant_depth += 1;
        for i in 0..items.len() {
            let e = match self.element(&l, &items, i, list) {
                Ok(e) => e,
                Err(err) => {
                    self.record_error(&err);
                    errored = true;
                    continue;
                }
            };
            self.set_local(slot, e.clone());
            // An element that is as wanted needs no explanation: check it
            // the quick way first (no paths; not when counting coverage,
            // which the explanation records).
            if let (Some(w), None) = (per_element_want, &self.cov) {
                let tracking = self.paths.set_tracking(false);
                let quick = if w {
                    self.eval_top(body)
                } else {
                    self.eval_bool(body).map(|b| !b)
                };
                self.paths.set_tracking(tracking);
                if matches!(quick, Ok(true)) {
                    count += usize::from(w);
                    continue;
                }
            }
            let single = matches!(items, crate::value::List::Ev(_, true));
            let frame = ElemFrame {
                list_path: l.path,
                index: i,
                single,
                elem: e,
            };
            let r = self.with_element(frame, scope, |this| match per_element_want {
                Some(w) => this.explain(body, w),
                None => match this.eval_bool(body) {
                    Ok(b) => Ok(b),
                    Err(err) => {
                        this.record_error(&err);
                        Err(())
                    }
                },
            });
            match r {
                Ok(true) => count += 1,
                Ok(false) => {}
                Err(()) => errored = true,
            }
        }
        self.quant_depth -= 1;
        let n = items.len();
        let value = match kind {
            QuantKind::All => count == n,
            QuantKind::Any => count > 0,
            _ => count == 0,
        };
        if errored {
            return Err(());
        }
        if value != want && per_element_want.is_none() {
            let list_text = self.prog.sources.slice(self.span(list)).to_string();
            let body_text = self.prog.sources.slice(self.span(body)).to_string();
            let (expected, message) = match (kind, want) {
                (QuantKind::Any, true) | (QuantKind::None, false) if n == 0 => (
                    format!("an element that satisfies `{body_text}`"),
                    format!("`{list_text}` is empty: no element satisfies `{body_text}`"),
                ),
                (QuantKind::Any, true) | (QuantKind::None, false) => (
                    format!("an element that satisfies `{body_text}`"),
                    format!("none of the {n} elements of `{list_text}` satisfies `{body_text}`"),
                ),
                _ => (
                    format!("an element that does not satisfy `{body_text}`"),
                    format!("all {n} elements of `{list_text}` satisfy `{body_text}`"),
                ),
            };
            self.push_failure(id, Some(&l), expected, message);
        }
        Ok(value)
    }

    fn explain_includes(
        &mut self,
        id: ExprId,
        list: ExprId,
        args: &[ExprId],
        key: Option<gate_lang::ir::KeyMatch>,
        want: bool,
    ) -> X {
        let l = match self.eval(list) {
            Ok(l) => l,
            Err(e) => {
                self.record_error(&e);
                return Err(());
            }
        };
        let key_info = self.key_info(key);
        let mut all = true;
        let mut errored = false;
        for a in args {
            let v = match self.eval(*a) {
                Ok(v) => v,
                Err(e) => {
                    self.record_error(&e);
                    errored = true;
                    continue;
                }
            };
            match self.explain_include_one(id, &l, list, &v, key, key_info.as_ref(), want) {
                Some(present) => all &= present,
                None => errored = true,
            }
        }
        if errored {
            Err(())
        } else {
            Ok(all)
        }
    }

    /// The key field of a record list and its condition, for messages.
    fn key_info(&self, key: Option<gate_lang::ir::KeyMatch>) -> Option<(String, Option<String>)> {
        let schema = &self.prog.schema;
        key.and_then(|k| {
            let rec = schema.record(k.record)?;
            let field = rec.fields.get(k.field as usize)?.name.clone();
            let cond = rec.key.as_ref().and_then(|kd| kd.condition_text.clone());
            Some((field, cond))
        })
    }

    /// `xs.includes_all(ys)` / `xs.includes_any(ys)`: for `includes_all`,
    /// each value of `ys` that is missing is a failure; for `includes_any`,
    /// the list as a whole (or, negated, each value found).
    #[allow(clippy::too_many_arguments)]
    fn explain_includes_each(
        &mut self,
        id: ExprId,
        list: ExprId,
        items: ExprId,
        key: Option<gate_lang::ir::KeyMatch>,
        any: bool,
        want: bool,
    ) -> X {
        let (l, wanted) = match (self.eval(list), self.eval(items)) {
            (Ok(l), Ok(w)) => (l, w),
            (Err(e), _) | (_, Err(e)) => {
                self.record_error(&e);
                return Err(());
            }
        };
        let values = match self.items(&wanted, items) {
            Ok(v) => v,
            Err(e) => {
                self.record_error(&e);
                return Err(());
            }
        };
        let key_info = self.key_info(key);
        // Per value where a single value decides: a missing one for
        // `includes_all` wanted true, a present one for `includes_any`
        // wanted false.
        let per_value = any != want;
        let mark = self.fail_mark();
        let mut hits = 0usize;
        for v in &values {
            let value_want = if per_value { want } else { !want };
            match self.explain_include_one(id, &l, list, v, key, key_info.as_ref(), value_want) {
                Some(true) => hits += 1,
                Some(false) => {}
                None => return Err(()),
            }
        }
        let result = if any { hits > 0 } else { hits == values.len() };
        if !per_value {
            self.fail_restore(mark);
            if result != want {
                let list_text = self.prog.sources.slice(self.span(list)).to_string();
                let shown = value::render_text(&wanted, &self.paths, &self.prog.schema);
                let (expected, message) = if any {
                    (
                        format!("one of {shown} in the list"),
                        format!("`{list_text}` includes none of {shown}"),
                    )
                } else {
                    (
                        format!("not all of {shown} in the list"),
                        format!("`{list_text}` includes all of {shown}"),
                    )
                };
                let subject = self.keys_of(&l, key, list);
                self.push_failure(id, Some(&subject), expected, message);
            }
        }
        Ok(result)
    }

    /// Explains whether `l` includes `v` (for `includes`, `includes_all`
    /// and `includes_any`); the answer, or `None` after an error.
    #[allow(clippy::too_many_arguments)]
    fn explain_include_one(
        &mut self,
        id: ExprId,
        l: &V<'a>,
        list: ExprId,
        v: &V<'a>,
        key: Option<gate_lang::ir::KeyMatch>,
        key_info: Option<&(String, Option<String>)>,
        want: bool,
    ) -> Option<bool> {
        let list_text = self.prog.sources.slice(self.span(list)).to_string();
        let l = l.clone();
        let v = v.clone();
        let (found, rejected) = match self.matching(&l, &v, key, list) {
            Ok(x) => x,
            Err(e) => {
                self.record_error(&e);
                return None;
            }
        };
        let shown = value::render_text(&v, &self.paths, &self.prog.schema);
        let present = !found.is_empty();
        if present == want {
            return Some(present);
        }
        if want {
            let (expected, message, subject) = match (key_info, rejected.first()) {
                (Some((field, Some(cond))), Some(r)) => {
                    let at: Vec<String> = rejected
                        .iter()
                        .take(3)
                        .filter_map(|x| self.paths.pointer(x.path, &self.prog.schema))
                        .collect();
                    let more = rejected.len().saturating_sub(3);
                    let which = match (at.as_slice(), more) {
                        ([one], _) => format!("the one at {one} does not"),
                        (many, 0) => format!("those at {} do not", many.join(", ")),
                        (many, n) => {
                            format!("those at {} and {n} more do not", many.join(", "))
                        }
                    };
                    (
                        format!("an element with `{field} == {shown}` and `{cond}`"),
                        format!("`{list_text}` has no {shown} for which `{cond}` holds ({which})"),
                        r.clone(),
                    )
                }
                (Some((field, cond)), _) => (
                    match cond {
                        Some(c) => format!("an element with `{field} == {shown}` and `{c}`"),
                        None => format!("an element with `{field} == {shown}`"),
                    },
                    format!("`{list_text}` has no element with `{field}` {shown}"),
                    self.keys_of(&l, key, list),
                ),
                (None, _) => (
                    format!("{shown} in the list"),
                    format!("`{list_text}` does not include {shown}"),
                    V::at(l.val.clone(), l.path),
                ),
            };
            self.push_failure(id, Some(&subject), expected, message);
        } else if let Some(f) = found.first() {
            let at = self
                .paths
                .pointer(f.path, &self.prog.schema)
                .unwrap_or_default();
            self.push_failure(
                id,
                Some(f),
                format!("no {shown} in `{list_text}`"),
                format!("`{list_text}` includes {shown} (at {at})"),
            );
        }
        Some(present)
    }

    /// The keys of a list of records, as a list value (for explanations).
    fn keys_of(&mut self, l: &V<'a>, key: Option<gate_lang::ir::KeyMatch>, id: ExprId) -> V<'a> {
        let Some(k) = key else {
            return l.clone();
        };
        let Ok(items) = self.list_of(l, id) else {
            return l.clone();
        };
        let mut keys = Vec::new();
        for i in 0..items.len() {
            if let Ok(V {
                val: Val::Record(_, fields),
                ..
            }) = self.element(l, &items, i, id)
            {
                if let Some(Ok(v)) = fields.get(k.field as usize).map(value::node_val) {
                    keys.push(V::new(v));
                }
            }
        }
        V::at(
            Val::List(crate::value::List::Owned(std::rc::Rc::new(keys))),
            l.path,
        )
    }

    fn explain_present(&mut self, args: &[ExprId], lenient: bool, want: bool) -> X {
        let mut all = true;
        for a in args {
            let (v, path) = match self.present_at(*a, lenient) {
                Ok(x) => x,
                Err(e) => {
                    self.record_error(&e);
                    return Err(());
                }
            };
            let text = self.prog.sources.slice(self.span(*a)).to_string();
            let here = v.is_some();
            all &= here;
            if here != want {
                let subject = V::at(v.map(|x| x.val).unwrap_or(Val::Null), path);
                if want {
                    self.push_failure(
                        *a,
                        Some(&subject),
                        "present and not null".into(),
                        format!("`{text}` is missing or null"),
                    );
                } else {
                    self.push_failure(
                        *a,
                        Some(&subject),
                        "absent or null".into(),
                        format!("`{text}` is present"),
                    );
                }
            }
        }
        Ok(all)
    }

    /// Like `present`, but also says which path is missing.
    fn present_at(
        &mut self,
        id: ExprId,
        lenient: bool,
    ) -> Result<(Option<V<'a>>, PathId), RtError> {
        let prog: &'a gate_lang::ir::Program = self.prog;
        match prog.node(id).map(|n| &n.ir) {
            Some(Ir::Field {
                base, record, slot, ..
            }) => {
                let (b, bpath) = self.present_at(*base, lenient)?;
                let Some(b) = b else {
                    return Ok((None, bpath));
                };
                let path = self
                    .paths
                    .push(b.path, crate::value::Seg::Field(*record, *slot));
                let v = self.present(id, lenient)?;
                Ok((v, path))
            }
            _ => {
                let v = self.present(id, lenient)?;
                let path = v.as_ref().map(|v| v.path).unwrap_or(PathId::NONE);
                Ok((v, path))
            }
        }
    }

    /// Records why a leaf predicate (a comparison, a boolean field, …) did
    /// not have the wanted value.
    fn leaf_failure(&mut self, id: ExprId, want: bool) {
        let prog: &'a gate_lang::ir::Program = self.prog;
        let Some(node) = prog.node(id) else { return };
        let text = prog.sources.slice(node.span).to_string();
        let schema = &prog.schema;
        match &node.ir {
            Ir::Compare { op, lhs, rhs } => {
                let (Ok(l), Ok(r)) = (self.eval(*lhs), self.eval(*rhs)) else {
                    return;
                };
                // The subject is the left side, unless that is a literal
                // (`3 <= x`) and the right side is not.
                let lhs_literal = matches!(prog.node(*lhs).map(|n| &n.ir), Some(Ir::Const(_)));
                let rhs_literal = matches!(prog.node(*rhs).map(|n| &n.ir), Some(Ir::Const(_)));
                let (subject, other, subject_id, op) = if !lhs_literal || rhs_literal {
                    (l, r, *lhs, *op)
                } else {
                    (r, l, *rhs, flip(*op))
                };
                let op = if want { op } else { op.negated() };
                let expected = format!(
                    "{} {}",
                    op.as_str(),
                    value::render_text(&other, &self.paths, schema)
                );
                let subject_text = prog.sources.slice(self.span(subject_id)).to_string();
                let message = format!(
                    "`{subject_text}` is {}, expected {expected}",
                    value::render_text(&subject, &self.paths, schema)
                );
                self.push_failure(id, Some(&subject), expected, message);
            }
            Ir::In { item, list } => {
                let (Ok(x), Ok(l)) = (self.eval(*item), self.eval(*list)) else {
                    return;
                };
                let item_text = prog.sources.slice(self.span(*item)).to_string();
                let list_text = prog.sources.slice(self.span(*list)).to_string();
                let is_map = matches!(l.val, Val::Map(_) | Val::OwnedMap(_));
                if is_map {
                    let shown = value::render_text(&x, &self.paths, schema);
                    let (expected, message) = if want {
                        (
                            format!("a key {shown}"),
                            format!("`{list_text}` has no key {shown}"),
                        )
                    } else {
                        (
                            format!("no key {shown}"),
                            format!("`{list_text}` has the key {shown}"),
                        )
                    };
                    let subject = if x.path.is_some() { x } else { l };
                    self.push_failure(id, Some(&subject), expected, message);
                } else if x.path.is_some() || !l.path.is_some() {
                    let expected = format!(
                        "{} {}",
                        if want { "one of" } else { "none of" },
                        value::render_text(&l, &self.paths, schema)
                    );
                    let message = format!(
                        "`{item_text}` is {}, expected {expected}",
                        value::render_text(&x, &self.paths, schema)
                    );
                    self.push_failure(id, Some(&x), expected, message);
                } else {
                    // `"*" in resources`: the evidence is the list.
                    let shown = value::render_text(&x, &self.paths, schema);
                    let (expected, message) = if want {
                        (
                            format!("a list that includes {shown}"),
                            format!("`{list_text}` does not include {shown}"),
                        )
                    } else {
                        (
                            format!("a list without {shown}"),
                            format!("`{list_text}` includes {shown}"),
                        )
                    };
                    self.push_failure(id, Some(&l), expected, message);
                }
            }
            Ir::Builtin { func, args } => {
                if let Some((subject, expected, message)) =
                    self.builtin_failure(*func, args, &text, want)
                {
                    self.push_failure(id, subject.as_ref(), expected, message);
                    return;
                }
                let subject = args.first().and_then(|a| self.eval(*a).ok());
                let message = format!("`{text}` is {}", !want);
                self.push_failure(
                    id,
                    subject.as_ref(),
                    format!("`{text}` to be {want}"),
                    message,
                );
            }
            _ => {
                let subject = self.eval(id).ok();
                let message = format!("`{text}` is {}", !want);
                self.push_failure(id, subject.as_ref(), want.to_string(), message);
            }
        }
    }

    /// Records a failure at node `id` about `subject`.
    fn push_failure(
        &mut self,
        id: ExprId,
        subject: Option<&V<'a>>,
        expected: String,
        default_message: String,
    ) {
        let max = self.limits.max_failures;
        let full = self
            .ex
            .as_ref()
            .map(|e| e.failures.len() >= max)
            .unwrap_or(true);
        if full {
            if let Some(ex) = self.ex.as_mut() {
                ex.dropped += 1;
            }
            return;
        }
        let schema = &self.prog.schema;
        // A predicate about a computed value (a constant, a count) is still
        // about the element it was evaluated for.
        let path = subject
            .and_then(|s| self.paths.pointer(s.path, schema))
            .or_else(|| self.current_element().and_then(|e| e.path));
        let (actual, actual_truncated) = subject
            .map(|s| value::render_json(s, &self.paths, schema))
            .unwrap_or((serde_json::Value::Null, false));
        let element = self.current_element();
        let message = self.render_message().unwrap_or(default_message);
        let span = self.prog.sources.locate(self.span(id));
        let called_from = self
            .ex
            .as_ref()
            .and_then(|e| e.call_site)
            .map(|s| self.prog.sources.locate(s));
        if let Some(ex) = self.ex.as_mut() {
            ex.failures.push(Failure {
                requirement: ex.requirement,
                path,
                actual,
                actual_truncated,
                expected,
                message,
                span,
                element,
                any_of: None,
                called_from,
                waived_by: None,
            });
        }
    }

    fn current_element(&self) -> Option<ElementRef> {
        let frame = self.ex.as_ref()?.elements.last()?;
        let schema = &self.prog.schema;
        let path = if frame.single {
            self.paths.pointer(frame.list_path, schema)
        } else {
            self.paths.pointer(frame.elem.path, schema)
        };
        let key = match &frame.elem.val {
            Val::Record(rid, fields) => schema.record(*rid).and_then(|rec| {
                let slot = rec.identity_field()?;
                let field = rec.fields.get(slot as usize)?;
                let v = value::node_val(fields.get(slot as usize)?).ok()?;
                if v.is_null() {
                    return None;
                }
                let redact = value::field_is_sensitive(field)
                    || self.paths.is_sensitive(frame.elem.path, schema);
                Some(KeyRef {
                    field: field.name.clone(),
                    value: if redact {
                        serde_json::Value::String(crate::redact::REDACTED.to_string())
                    } else {
                        value::to_json(&v, schema).0
                    },
                })
            }),
            _ => None,
        };
        // In a filtered list the element's place in the evidence is what counts.
        let index = self
            .paths
            .last_index(frame.elem.path)
            .unwrap_or(frame.index);
        Some(ElementRef { path, index, key })
    }

    /// Renders the requirement's message template in the innermost scope
    /// that has a compiled variant.
    fn render_message(&mut self) -> Option<String> {
        let ex = self.ex.as_ref()?;
        let message = ex.message?;
        let rule_base = ex.rule_base;
        let active: Vec<gate_lang::ir::ScopeId> = ex.scopes.clone();
        let parts = active
            .iter()
            .rev()
            .chain(std::iter::once(&gate_lang::ir::ScopeId(0)))
            .find_map(|s| {
                message
                    .variants
                    .iter()
                    .find(|(vs, _)| vs == s)
                    .map(|(_, p)| p)
            })?;
        let saved_base = self.base;
        let saved_notes = self.notes.len();
        self.base = rule_base;
        let mut out = String::new();
        for part in parts {
            match part {
                MessagePart::Text(t) => out.push_str(t),
                MessagePart::Hole(e) => match self.eval(*e) {
                    Ok(v) => {
                        if self.paths.is_sensitive(v.path, &self.prog.schema) && !v.val.is_null() {
                            out.push_str(crate::redact::REDACTED);
                        } else if let Some(s) = v.val.as_str() {
                            out.push_str(s);
                        } else {
                            out.push_str(&value::display(&v.val, &self.prog.schema));
                        }
                    }
                    Err(_) => {
                        // A hole that cannot be rendered here: use the generated message.
                        self.base = saved_base;
                        self.notes.truncate(saved_notes);
                        return None;
                    }
                },
            }
        }
        self.base = saved_base;
        self.notes.truncate(saved_notes);
        Some(out)
    }
}

/// The operator that holds with the operands swapped.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}
