//! What the walk records in [`Explain`](super::walk::Explain) mode: a
//! failure wherever a part of a predicate does not have the value wanted
//! (`want`; `not` flips it), and every error. The walk decides; these only
//! describe. A part that comes out as wanted drops what its children
//! recorded, so only the reasons that decide the outcome remain: every false
//! conjunct of an `and`, every alternative of a failed `or`, every failing
//! element of a quantifier.

use super::{ElemFrame, Eval, RtError};
use crate::explain::{ElementRef, Failure, KeyRef};
use crate::value::{self, PathId, Val, V};
use gate_lang::ir::{CmpOp, ExprId, Ir, MessagePart, QuantKind};

impl<'a> Eval<'a> {
    /// Records why `xs.includes_all(ys)` is true when it should not be, or
    /// `xs.includes_any(ys)` false when it should not be: the list as a whole.
    pub(super) fn includes_each_failure(
        &mut self,
        id: ExprId,
        l: &V<'a>,
        list: ExprId,
        wanted: &V<'a>,
        key: Option<gate_lang::ir::KeyMatch>,
        any: bool,
    ) {
        let list_text = self.prog.sources.slice(self.span(list)).to_string();
        let shown = value::render_text(wanted, &self.prog.schema);
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
        let subject = self.keys_of(l, key, list);
        self.push_failure(id, Some(&subject), expected, message);
    }

    /// Records why a quantifier whose reason is the list as a whole (`any`
    /// wanted true, `all` or `none` wanted false) does not have the value
    /// wanted.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn list_failure(
        &mut self,
        id: ExprId,
        kind: QuantKind,
        l: &V<'a>,
        n: usize,
        list: ExprId,
        body: ExprId,
        want: bool,
    ) {
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
        // A list of the policy's own (`PATTERNS.any(p => a.glob(p))`)
        // says nothing about the evidence: the element examined is the one
        // of the enclosing quantifier, which the predicate was about.
        let examined = self
            .ex
            .as_ref()
            .and_then(|ex| ex.elements.last())
            .map(|frame| frame.elem.clone())
            .filter(|_| l.path == PathId::NONE && n > 0);
        if let Some(elem) = examined {
            let (expected, message) = match (kind, want) {
                (QuantKind::Any, true) | (QuantKind::None, false) => (
                    format!("`{body_text}` for one of the {n} elements of `{list_text}`"),
                    format!("no element of `{list_text}` satisfies `{body_text}`"),
                ),
                _ => (
                    format!("`{body_text}` false for one of the {n} elements of `{list_text}`"),
                    format!("every element of `{list_text}` satisfies `{body_text}`"),
                ),
            };
            self.push_failure(id, Some(&elem), expected, message);
            return;
        }
        self.push_failure(id, Some(l), expected, message);
    }

    /// Runs `f`, which describes a failure (re-reading its operands,
    /// rendering its message), on a meter of its own: the steps it takes
    /// count against the budget but not as steps of the walk, so a walk
    /// charges the same steps in every mode. A description never decides an
    /// outcome: its errors only make it fall back to a generic message,
    /// except running out of steps or time, which makes the rule an error.
    pub(super) fn describing<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.steps;
        let out = f(self);
        self.set_aside(before);
        out
    }

    /// Moves the steps taken since the count was `since` off the walk's
    /// count, onto the meter of descriptions (still within the budget).
    pub(super) fn set_aside(&mut self, since: u64) {
        self.described = self
            .described
            .saturating_add(self.steps.saturating_sub(since));
        self.steps = since.min(self.steps);
        // The point at which the limits are checked moved: check at once.
        self.check_at = 0;
    }

    /// Records evidence issue `index` (a value of the wrong type or format,
    /// or a `null` where none is allowed) as a failure of `well_typed` at
    /// node `id`: its path, what was found and what was expected.
    pub(super) fn issue_failure(&mut self, id: ExprId, index: u32) {
        let Some(issue) = self.issues.get(index as usize) else {
            return;
        };
        let (expected, found) = match &issue.kind {
            crate::evidence::IssueKind::Mismatch { expected, found } => {
                (expected.clone(), serde_json::Value::String(found.clone()))
            }
            crate::evidence::IssueKind::Null { expected } => {
                (format!("{expected}, not null"), serde_json::Value::Null)
            }
            crate::evidence::IssueKind::Missing { expected } => {
                (expected.clone(), serde_json::Value::Null)
            }
            crate::evidence::IssueKind::Unverified { reason } => (
                "a verified attestation".to_string(),
                serde_json::Value::String(format!("failed verification: {reason}")),
            ),
        };
        let message = issue.message();
        let path = Some(issue.path.clone());
        self.push_failure_at(id, path, (found, false), expected, message);
    }

    /// Where the failures of the outermost `def` being explained are called
    /// from.
    pub(super) fn set_call_site(&mut self, site: Option<gate_lang::span::Span>) {
        if let Some(ex) = self.ex.as_mut() {
            ex.call_site = site;
        }
    }

    /// Whether a predicate only tests for presence: `x == null`, `x != null`,
    /// `present(x)`, or their negation.
    pub(super) fn is_guard(&self, id: ExprId) -> bool {
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

    pub(super) fn fail_mark(&self) -> (usize, usize) {
        self.ex
            .as_ref()
            .map(|e| (e.failures.len(), e.dropped))
            .unwrap_or((0, 0))
    }

    pub(super) fn fail_restore(&mut self, mark: (usize, usize)) {
        if let Some(ex) = self.ex.as_mut() {
            ex.failures.truncate(mark.0);
            ex.dropped = mark.1;
        }
    }

    pub(super) fn mark_alternatives(&mut self, from: usize) {
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

    pub(super) fn with_element<T>(
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

    /// The key field of a record list and its condition, for messages.
    fn key_info(&self, key: Option<gate_lang::ir::KeyMatch>) -> Option<(String, Option<String>)> {
        let schema = &self.prog.schema;
        key.and_then(|k| {
            let kd = schema.record(k.record)?.key.as_ref()?;
            Some((kd.name.clone(), kd.condition_text.clone()))
        })
    }

    /// Records why `l` does (wanted: does not) include `v`, given the
    /// elements that matched and those whose key matched but whose key
    /// condition did not.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn include_failure(
        &mut self,
        id: ExprId,
        l: &V<'a>,
        list: ExprId,
        v: &V<'a>,
        key: Option<gate_lang::ir::KeyMatch>,
        found: &[V<'a>],
        rejected: &[V<'a>],
        want: bool,
    ) {
        let list_text = self.prog.sources.slice(self.span(list)).to_string();
        let key_info = self.key_info(key);
        let key_info = key_info.as_ref();
        let l = l.clone();
        let shown = value::render_text(v, &self.prog.schema);
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
                // A list of the policy's own (`APPROVED.includes(owner)`):
                // the value examined is the evidence, the list what it
                // should have been.
                (None, _) if l.path == PathId::NONE && v.path != PathId::NONE => {
                    let list_shown = value::render_text(&l, &self.prog.schema);
                    (
                        format!("one of {list_shown}"),
                        format!("`{list_text}` does not include {shown}"),
                        v.clone(),
                    )
                }
                (None, _) => (
                    format!("{shown} in the list"),
                    format!("`{list_text}` does not include {shown}"),
                    V::at(l.val.clone(), l.path, l.secret),
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
        let steps = super::expr::key_steps(&self.prog.schema, k);
        for i in 0..items.len() {
            if let Ok(V {
                val: Val::Record(_, fields),
                secret,
                ..
            }) = self.element(l, &items, i, id)
            {
                if let Some((node, taken)) = super::expr::follow_key(fields, &steps) {
                    if let Ok(v) = value::node_val(node) {
                        let secret = secret
                            || steps
                                .iter()
                                .take(taken)
                                .any(|(r, f)| self.field_secret(*r, *f));
                        keys.push(V::at(v, PathId::NONE, secret));
                    }
                }
            }
        }
        V::at(
            Val::List(crate::value::List::Owned(std::rc::Rc::new(keys))),
            l.path,
            l.secret,
        )
    }

    /// Records why place `a` is (wanted: is not) present.
    pub(super) fn present_failure(
        &mut self,
        a: ExprId,
        v: Option<V<'a>>,
        path: PathId,
        want: bool,
    ) {
        let text = self.prog.sources.slice(self.span(a)).to_string();
        let secret = v.as_ref().is_some_and(|x| x.secret);
        let subject = V::at(v.map(|x| x.val).unwrap_or(Val::Null), path, secret);
        if want {
            self.push_failure(
                a,
                Some(&subject),
                "present and not null".into(),
                format!("`{text}` is missing or null"),
            );
        } else {
            self.push_failure(
                a,
                Some(&subject),
                "absent or null".into(),
                format!("`{text}` is present"),
            );
        }
    }

    /// Records why a leaf predicate (a comparison, a boolean field, …) did
    /// not have the wanted value.
    pub(super) fn leaf_failure(&mut self, id: ExprId, want: bool) {
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
                let expected = format!("{} {}", op.as_str(), value::render_text(&other, schema));
                let subject_text = prog.sources.slice(self.span(subject_id)).to_string();
                let message = format!(
                    "`{subject_text}` is {}, expected {expected}",
                    value::render_text(&subject, schema)
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
                    let shown = value::render_text(&x, schema);
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
                        value::render_text(&l, schema)
                    );
                    let message = format!(
                        "`{item_text}` is {}, expected {expected}",
                        value::render_text(&x, schema)
                    );
                    self.push_failure(id, Some(&x), expected, message);
                } else {
                    // `"*" in resources`: the evidence is the list.
                    let shown = value::render_text(&x, schema);
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
    pub(super) fn push_failure(
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
        let actual = subject
            .map(|s| value::render_json(s, schema))
            .unwrap_or((serde_json::Value::Null, false));
        self.push_failure_at(id, path, actual, expected, default_message);
    }

    /// Records a failure at node `id` about the evidence at `path`, where
    /// `actual` was found (and whether it was cut).
    fn push_failure_at(
        &mut self,
        id: ExprId,
        path: Option<String>,
        (actual, actual_truncated): (serde_json::Value, bool),
        expected: String,
        default_message: String,
    ) {
        let element = self.current_element();
        let message = self.render_message().unwrap_or(default_message);
        let span = self.prog.sources.locate_for_record(self.span(id));
        let called_from = self
            .ex
            .as_ref()
            .and_then(|e| e.call_site)
            .map(|s| self.prog.sources.locate_for_record(s));
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
                operands: Vec::new(),
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
                // The key's steps (one but for a nested key), else the
                // identifying field alone.
                let steps = match &rec.key {
                    Some(_) => super::expr::key_steps(
                        schema,
                        gate_lang::ir::KeyMatch {
                            record: *rid,
                            field: slot,
                            condition: None,
                        },
                    ),
                    None => vec![(*rid, slot)],
                };
                let (node, taken) = super::expr::follow_key(fields, &steps)?;
                if taken < steps.len() {
                    return None;
                }
                let v = value::node_val(node).ok()?;
                if v.is_null() {
                    return None;
                }
                let sensitive = steps.iter().any(|(r, s)| {
                    schema
                        .record(*r)
                        .and_then(|rec| rec.fields.get(*s as usize))
                        .is_some_and(value::field_is_sensitive)
                });
                let redact = sensitive || frame.elem.secret;
                let name = match &rec.key {
                    Some(k) => k.name.clone(),
                    None => rec.fields.get(slot as usize)?.name.clone(),
                };
                Some(KeyRef {
                    field: name,
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
        Some(ElementRef {
            path,
            index,
            key,
            source: None,
        })
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
                        if v.secret && !v.val.is_null() {
                            out.push_str(crate::redact::REDACTED);
                        } else if let Some(s) = v.val.as_str() {
                            out.push_str(s);
                        } else {
                            out.push_str(&value::render_text(&v, &self.prog.schema));
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
