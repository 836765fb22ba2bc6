//! The value of IR nodes. Predicates (`and`, `or`, `not`, `all`, `any`,
//! `none`, `includes`, `present`) are walked by [`Eval::pred`] in its exact
//! mode, the one place their rules live; everything else is here.

use super::walk::Exact;
use super::{Eval, RtError, RtKind, R};
use crate::value::{self, node_val, Dec, List, NodeError, PathId, Seg, Val, V};
use gate_lang::ir::{ArithOp, CmpOp, Const, ExprId, Ir, QuantKind};
use gate_lang::num::Decimal;
use std::rc::Rc;

impl<'a> Eval<'a> {
    pub(super) fn err(&self, kind: RtKind, id: ExprId, path: PathId) -> RtError {
        RtError {
            kind,
            span: self.span(id),
            path,
        }
    }

    pub(super) fn ir(&self, id: ExprId) -> R<&'a Ir> {
        let prog: &'a gate_lang::ir::Program = self.prog;
        prog.node(id)
            .map(|n| &n.ir)
            .ok_or_else(|| self.err(RtKind::Internal("unknown node"), id, PathId::NONE))
    }

    /// Evaluates a predicate (its value: see [`Eval::pred`]).
    pub(super) fn eval_bool(&mut self, id: ExprId) -> R<bool> {
        self.pred::<Exact>(id, true)
    }

    /// A field of a local or of the evidence root that holds a record, read
    /// in place; `None` when the base is anything else (the caller evaluates
    /// it). Counts the same steps as evaluating the base.
    fn field_fast(
        &mut self,
        base: ExprId,
        record: gate_lang::types::RecordId,
        slot: u32,
        id: ExprId,
    ) -> Option<R<V<'a>>> {
        let (fields, path, secret): (&'a [crate::evidence::Node], PathId, bool) =
            match self.ir(base).ok()? {
                Ir::Local(s) => match self.locals.get(self.base + *s as usize) {
                    Some(V {
                        val: Val::Record(_, fields),
                        path,
                        secret,
                    }) => (fields, *path, *secret),
                    _ => return None,
                },
                Ir::Root => match self.root {
                    crate::evidence::Node::Record(_, fields) => (&fields[..], PathId::ROOT, false),
                    _ => return None,
                },
                _ => return None,
            };
        if let Err(e) = self.tick(base) {
            return Some(Err(e));
        }
        let Some(node) = fields.get(slot as usize) else {
            return Some(Err(self.err(RtKind::Internal("unknown field"), id, path)));
        };
        let path = self.paths.push(path, Seg::Field(record, slot));
        let secret = secret || self.field_secret(record, slot);
        Some(self.read_node(node, path, secret, id))
    }

    /// Whether values read through field `slot` of `record` are secret: it
    /// is `@sensitive` or named for a credential (see [`crate::redact`]).
    #[inline]
    pub(super) fn field_secret(&self, record: gate_lang::types::RecordId, slot: u32) -> bool {
        self.plan
            .record(record)
            .and_then(|r| r.fields.get(slot as usize))
            .is_some_and(|f| f.sensitive)
    }

    /// Whether the entry `key` of a map whose value is `map` is secret:
    /// the map is, or the key is named for a credential.
    #[inline]
    pub(super) fn entry_secret(map: &V<'a>, key: &str) -> bool {
        map.secret || crate::redact::is_credential_name(key)
    }

    #[inline]
    pub(super) fn set_local(&mut self, slot: u32, v: V<'a>) {
        if let Some(l) = self.locals.get_mut(self.base + slot as usize) {
            *l = v;
        }
    }

    /// The list inside a value, or an error.
    pub(super) fn list_of(&self, v: &V<'a>, id: ExprId) -> R<List<'a>> {
        match &v.val {
            Val::List(l) => Ok(l.clone()),
            Val::Null => Err(self.err(RtKind::NullValue, id, v.path)),
            _ => Err(self.err(RtKind::Internal("not a list"), id, v.path)),
        }
    }

    /// Element `i` of a list, with its path; secret if the list is.
    #[inline]
    pub(super) fn element(
        &mut self,
        owner: &V<'a>,
        list: &List<'a>,
        i: usize,
        id: ExprId,
    ) -> R<V<'a>> {
        match list {
            List::Ev(nodes, single) => {
                let node = nodes.get(i).ok_or_else(|| {
                    self.err(RtKind::Internal("index out of range"), id, owner.path)
                })?;
                let path = if *single {
                    owner.path
                } else {
                    self.paths
                        .push(owner.path, Seg::Index(u32::try_from(i).unwrap_or(u32::MAX)))
                };
                self.read_node(node, path, owner.secret, id)
            }
            List::Owned(items) => items
                .get(i)
                .map(|e| e.clone().tainted(owner.secret))
                .ok_or_else(|| self.err(RtKind::Internal("index out of range"), id, owner.path)),
        }
    }

    #[inline]
    pub(super) fn read_node(
        &self,
        node: &'a crate::evidence::Node,
        path: PathId,
        secret: bool,
        id: ExprId,
    ) -> R<V<'a>> {
        match node_val(node) {
            Ok(v) => Ok(V::at(v, path, secret)),
            Err(NodeError::Missing(i)) => Err(self.err(RtKind::Missing(i), id, path)),
            Err(NodeError::Invalid(i)) => Err(self.err(RtKind::Invalid(i), id, path)),
        }
    }

    /// Evaluates any node.
    pub(super) fn eval(&mut self, id: ExprId) -> R<V<'a>> {
        self.tick(id)?;
        let ir = self.ir(id)?;
        self.value(id, ir)
    }

    /// The value of node `id`, whose step is already charged. Predicates
    /// are walked (see [`Eval::pred`]).
    pub(super) fn value(&mut self, id: ExprId, ir: &'a Ir) -> R<V<'a>> {
        match ir {
            Ir::And(_)
            | Ir::Or(_)
            | Ir::Not(_)
            | Ir::Includes { .. }
            | Ir::IncludesEach { .. }
            | Ir::Present { .. }
            | Ir::WellTyped { .. }
            | Ir::Quant {
                kind: QuantKind::All | QuantKind::Any | QuantKind::None,
                ..
            } => Ok(V::new(Val::Bool(self.walk::<Exact>(id, ir, true)?))),
            Ir::Const(c) => Ok(V::new(match c {
                Const::Null => Val::Null,
                Const::Bool(b) => Val::Bool(*b),
                Const::Int(i) => Val::Int(*i),
                Const::Float(f) => Val::Float(Dec::Ref(f)),
                Const::Str(s) => Val::Str(s),
                Const::Time(t) => Val::Time(*t),
                Const::Duration(d) => Val::Dur(*d),
                Const::Enum(e, i) => Val::Enum(*e, *i),
            })),
            Ir::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(*item)?);
                }
                Ok(V::new(Val::List(List::Owned(Rc::new(out)))))
            }
            Ir::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    out.push((V::new(Val::Str(key)), self.eval(*value)?));
                }
                Ok(V::new(Val::OwnedMap(Rc::new(out))))
            }
            Ir::Root => self.read_node(self.root, PathId::ROOT, false, id),
            Ir::Local(s) => self
                .locals
                .get(self.base + *s as usize)
                .cloned()
                .ok_or_else(|| self.err(RtKind::Internal("unknown local"), id, PathId::NONE)),
            Ir::Global(g) => match self.globals.get(g.0 as usize) {
                Some(Some(v)) => v.clone(),
                _ => Err(self.err(RtKind::Internal("global not evaluated"), id, PathId::NONE)),
            },
            Ir::Field {
                base,
                record,
                slot,
                null_safe,
            } => {
                // The usual case, a field of a local (`vaulted`, `s.owner`)
                // or of the evidence root: read it without copying the base.
                if let Some(v) = self.field_fast(*base, *record, *slot, id) {
                    return v;
                }
                let b = self.eval(*base)?;
                match b.val {
                    Val::Record(_, fields) => {
                        let node = fields.get(*slot as usize).ok_or_else(|| {
                            self.err(RtKind::Internal("unknown field"), id, b.path)
                        })?;
                        let path = self.paths.push(b.path, Seg::Field(*record, *slot));
                        let secret = b.secret || self.field_secret(*record, *slot);
                        self.read_node(node, path, secret, id)
                    }
                    Val::Null if *null_safe => Ok(V::new(Val::Null)),
                    Val::Null => Err(self.err(RtKind::NullValue, *base, b.path)),
                    _ => Err(self.err(RtKind::Internal("field of a non-record"), id, b.path)),
                }
            }
            Ir::Index { base, index } => {
                let b = self.eval(*base)?;
                let i = self.eval(*index)?;
                let list = self.list_of(&b, *base)?;
                let Val::Int(i) = i.val else {
                    return Err(self.err(RtKind::Internal("index is not an integer"), id, i.path));
                };
                let len = list.len();
                let pos = if i < 0 {
                    i64::try_from(len).ok().and_then(|l| l.checked_add(i))
                } else {
                    Some(i)
                };
                match pos
                    .and_then(|p| usize::try_from(p).ok())
                    .filter(|p| *p < len)
                {
                    Some(p) => self.element(&b, &list, p, id),
                    None => Err(self.err(RtKind::IndexOutOfRange { index: i, len }, id, b.path)),
                }
            }
            Ir::MapGet { base, key } => {
                let b = self.eval(*base)?;
                let k = self.eval(*key)?;
                let key = k.val.as_str().unwrap_or("");
                if let Val::OwnedMap(entries) = &b.val {
                    return Ok(entries
                        .iter()
                        .find(|(ek, _)| ek.val.as_str() == Some(key))
                        .map(|(_, v)| v.clone().tainted(Self::entry_secret(&b, key)))
                        .unwrap_or_else(|| V::new(Val::Null)));
                }
                let Val::Map(entries) = b.val else {
                    return Err(self.err(RtKind::NullValue, *base, b.path));
                };
                match entries.iter().find(|(ek, _)| &**ek == key) {
                    Some((ek, node)) => {
                        let path = self.paths.push(b.path, Seg::Key(ek));
                        self.read_node(node, path, Self::entry_secret(&b, ek), id)
                    }
                    None => Ok(V::new(Val::Null)),
                }
            }
            Ir::Neg(x) => {
                let v = self.eval(*x)?;
                let out = match v.val {
                    Val::Int(i) => Val::Int(
                        i.checked_neg()
                            .ok_or_else(|| self.err(RtKind::Overflow("-"), id, v.path))?,
                    ),
                    Val::Float(f) => Val::Float(Dec::owned(f.neg())),
                    Val::Dur(d) => Val::Dur(
                        d.checked_neg()
                            .ok_or_else(|| self.err(RtKind::Overflow("-"), id, v.path))?,
                    ),
                    _ => {
                        return Err(self.err(
                            RtKind::Internal("negation of a non-number"),
                            id,
                            v.path,
                        ))
                    }
                };
                Ok(V::at(out, v.path, v.secret))
            }
            Ir::Compare { op, lhs, rhs } => {
                let l = self.eval(*lhs)?;
                let r = self.eval(*rhs)?;
                Ok(V::new(Val::Bool(self.compare(*op, &l, &r, id)?)))
            }
            Ir::Arith { op, lhs, rhs } => {
                let l = self.eval(*lhs)?;
                let r = self.eval(*rhs)?;
                self.arith(*op, l, r, id)
            }
            Ir::In { item, list } => {
                let x = self.eval(*item)?;
                let l = self.eval(*list)?;
                Ok(V::new(Val::Bool(self.contains(&l, &x, *list)?)))
            }
            Ir::Coalesce { lhs, rhs } => {
                let l = self.eval(*lhs)?;
                if l.val.is_null() {
                    let mut r = self.eval(*rhs)?;
                    // The default stands for the value that is missing:
                    // explanations point at where it is missing
                    // (`c.hashes ?? []` at `/components/1/hashes`). Not for
                    // a default with elements, whose paths would name
                    // evidence that is not there.
                    let has_elements = match &r.val {
                        Val::List(items) => !items.is_empty(),
                        Val::Map(entries) => !entries.is_empty(),
                        Val::OwnedMap(entries) => !entries.is_empty(),
                        _ => false,
                    };
                    if r.path == PathId::NONE && !has_elements {
                        r.path = l.path;
                    }
                    Ok(r)
                } else {
                    Ok(l)
                }
            }
            Ir::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.eval_bool(*cond);
                self.cover(*cond, c.as_ref().ok().copied());
                if c? {
                    self.eval(*then)
                } else {
                    self.eval(*otherwise)
                }
            }
            Ir::Quant {
                kind,
                list,
                slot,
                body,
                ..
            } => self.quant(id, *kind, *list, *slot, *body),
            Ir::Builtin { func, args } => self.builtin(id, *func, args),
            Ir::Call { func, args } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(*a)?);
                }
                self.call(*func, vals, id, |this, body| this.eval(body))
            }
            Ir::Host { func, args } => self.host_call(id, *func, args),
        }
    }

    /// Calls a function of the embedding program. Its errors, and results of
    /// the wrong type, are errors of the rule.
    fn host_call(&mut self, id: ExprId, func: u32, args: &[ExprId]) -> R<V<'a>> {
        let host: &'a [crate::host::HostFunction] = self.host;
        let f = host
            .get(func as usize)
            .ok_or_else(|| self.err(RtKind::Internal("unknown host function"), id, PathId::NONE))?;
        let mut vals = Vec::with_capacity(args.len());
        let mut path = PathId::NONE;
        // What a host function returns from a secret argument is secret.
        let mut secret = false;
        for a in args {
            let v = self.eval(*a)?;
            if path == PathId::NONE {
                path = v.path;
            }
            vals.push(self.host_value(&v, *a, &mut secret)?);
        }
        let fail = |this: &Self, message: String| {
            this.err(RtKind::Host(f.name.clone(), message), id, path)
        };
        // Once per distinct arguments in this evaluation. A panic is the
        // function's failure, not the gate's pass.
        let key = crate::host::call_key(func, &vals);
        let result = match self.host_answers.get(&key) {
            Some(r) => r.clone(),
            None => {
                let r = f.call(&vals, self.context);
                self.host_answers.insert(key, r.clone());
                r
            }
        };
        let out = result.map_err(|e| fail(self, e.message().to_string()))?;
        if !f.ret.admits(&out) {
            return Err(fail(self, "it returned a value of the wrong type".into()));
        }
        Ok(V::at(
            from_host(out)
                .ok_or_else(|| fail(self, "it returned a number that is not finite".into()))?,
            path,
            secret,
        ))
    }

    /// `v` as a host function reads it; `secret` is set if it is secret.
    fn host_value(
        &mut self,
        v: &V<'a>,
        id: ExprId,
        secret: &mut bool,
    ) -> R<crate::host::HostValue> {
        use crate::host::HostValue as H;
        *secret |= v.secret;
        Ok(match &v.val {
            Val::Null => H::Null,
            Val::Bool(b) => H::Bool(*b),
            Val::Int(i) => H::Int(*i),
            Val::Float(f) => H::Float(f.to_f64()),
            Val::Str(_) | Val::OwnedStr(_) => H::String(v.val.as_str().unwrap_or("").to_string()),
            Val::Time(t) => H::Time(jiff::Timestamp::from_nanosecond(*t).map_err(|_| {
                self.err(
                    RtKind::Overflow("a time passed to a host function"),
                    id,
                    v.path,
                )
            })?),
            Val::Dur(d) => H::Duration(jiff::SignedDuration::try_from_nanos_i128(*d).ok_or_else(
                || {
                    self.err(
                        RtKind::Overflow("a duration passed to a host function"),
                        id,
                        v.path,
                    )
                },
            )?),
            Val::Enum(e, i) => H::String(self.prog.schema.enum_value(*e, *i).to_string()),
            Val::List(l) => {
                let l = l.clone();
                let mut out = Vec::with_capacity(l.len());
                for i in 0..l.len() {
                    let e = self.element(v, &l, i, id)?;
                    out.push(self.host_value(&e, id, secret)?);
                }
                H::List(out)
            }
            Val::Record(..) | Val::Map(_) | Val::OwnedMap(_) => {
                return Err(self.err(
                    RtKind::Internal("a record passed to a host function"),
                    id,
                    v.path,
                ));
            }
        })
    }

    /// Runs a function body in a new frame with `args` in its first slots.
    pub(super) fn call<T>(
        &mut self,
        func: gate_lang::ir::FuncId,
        args: Vec<V<'a>>,
        id: ExprId,
        run: impl FnOnce(&mut Self, ExprId) -> R<T>,
    ) -> R<T> {
        let prog: &'a gate_lang::ir::Program = self.prog;
        let f = prog
            .functions
            .get(func.0 as usize)
            .ok_or_else(|| self.err(RtKind::Internal("unknown function"), id, PathId::NONE))?;
        let saved = self.push_frame(f.frame_size);
        for (i, v) in args.into_iter().enumerate() {
            if let Some(l) = self.locals.get_mut(self.base + i) {
                *l = v;
            }
        }
        self.call_depth += 1;
        let result = run(self, f.body);
        self.call_depth -= 1;
        self.pop_frame(saved);
        result
    }

    /// `count`, `filter`, `map` and `group_by`: every element is evaluated,
    /// and the first error is the result (the quantifiers that are
    /// predicates are walked: see [`Eval::pred`]).
    fn quant(
        &mut self,
        id: ExprId,
        kind: QuantKind,
        list: ExprId,
        slot: u32,
        body: ExprId,
    ) -> R<V<'a>> {
        let l = self.eval(list)?;
        let items = self.list_of(&l, list)?;
        let mut count: i64 = 0;
        let mut out = Vec::new();
        let mut keys = Vec::new();
        self.quant_depth += 1;
        let mut each = |this: &mut Self, i: usize| -> R<()> {
            let e = this.element(&l, &items, i, list)?;
            this.set_local(slot, e.clone());
            match kind {
                QuantKind::Map => out.push(this.eval(body)?),
                QuantKind::GroupBy => {
                    keys.push(this.eval(body)?);
                    out.push(e);
                }
                QuantKind::Count | QuantKind::Filter => {
                    if this.eval_bool(body)? {
                        count += 1;
                        if kind == QuantKind::Filter {
                            out.push(e);
                        }
                    }
                }
                QuantKind::All | QuantKind::Any | QuantKind::None => {
                    return Err(this.err(RtKind::Internal("a predicate quantifier"), id, l.path));
                }
            }
            Ok(())
        };
        let mut done = Ok(());
        for i in 0..items.len() {
            done = each(self, i);
            if done.is_err() {
                break;
            }
        }
        self.quant_depth -= 1;
        done?;
        if kind == QuantKind::GroupBy {
            return self.group(keys, out, &l, body);
        }
        // A count, a filtered or a mapped list is about the list it came
        // from; a list taken from a secret list is secret (each element
        // carries its own taint too).
        Ok(match kind {
            QuantKind::Count => V::at(Val::Int(count), l.path, l.secret),
            _ => V::at(Val::List(List::Owned(Rc::new(out))), l.path, l.secret),
        })
    }

    /// The elements of `list` that match `v` (by key and key condition for
    /// records), and those whose key matched but whose condition did not.
    pub(super) fn matching(
        &mut self,
        list: &V<'a>,
        v: &V<'a>,
        key: Option<gate_lang::ir::KeyMatch>,
        id: ExprId,
    ) -> R<(Vec<V<'a>>, Vec<V<'a>>)> {
        let items = self.list_of(list, id)?;
        self.charge(id, items.len() as u64)?;
        let mut found = Vec::new();
        let mut rejected = Vec::new();
        let mut error = None;
        let steps = key
            .map(|k| key_steps(&self.prog.schema, k))
            .unwrap_or_default();
        for i in 0..items.len() {
            let e = match self.element(list, &items, i, id) {
                Ok(e) => e,
                Err(err) => {
                    error.get_or_insert(err);
                    continue;
                }
            };
            match key {
                None => {
                    if value::equal(&e.val, &v.val) {
                        found.push(e);
                    }
                }
                Some(k) => {
                    let Val::Record(_, fields) = e.val else {
                        error.get_or_insert(self.err(RtKind::NullValue, id, e.path));
                        continue;
                    };
                    let Some((node, taken)) = follow_key(fields, &steps) else {
                        continue;
                    };
                    let mut kpath = e.path;
                    let mut secret = e.secret;
                    for (record, slot) in steps.iter().take(taken) {
                        kpath = self.paths.push(kpath, Seg::Field(*record, *slot));
                        secret = secret || self.field_secret(*record, *slot);
                    }
                    let kv = match self.read_node(node, kpath, secret, id) {
                        Ok(kv) => kv,
                        Err(err) => {
                            error.get_or_insert(err);
                            continue;
                        }
                    };
                    if !value::equal(&kv.val, &v.val) {
                        continue;
                    }
                    let ok = match k.condition {
                        None => Ok(true),
                        Some(f) => {
                            self.call(f, vec![e.clone()], id, |this, body| this.eval_bool(body))
                        }
                    };
                    match ok {
                        Ok(true) => found.push(e),
                        Ok(false) => rejected.push(e),
                        Err(err) => {
                            error.get_or_insert(err);
                        }
                    }
                }
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok((found, rejected)),
        }
    }

    /// The value of a place if it is present and not null, and the path
    /// of the place (where it was looked for, when it is absent). A
    /// required field that is missing or null is an error unless `lenient`
    /// (see [`Ir::Present`]).
    pub(super) fn present(&mut self, id: ExprId, lenient: bool) -> R<(Option<V<'a>>, PathId)> {
        match self.ir(id)? {
            Ir::Field {
                base, record, slot, ..
            } => {
                let (b, base_path) = self.present(*base, lenient)?;
                let Some(b) = b else {
                    return Ok((None, base_path));
                };
                let path = self.paths.push(b.path, Seg::Field(*record, *slot));
                let Val::Record(_, fields) = b.val else {
                    return Ok((None, path));
                };
                let v = match fields.get(*slot as usize) {
                    // Only an optional field can be absent. A required
                    // field that is missing or null is an error, not
                    // "absent": otherwise `not present(x) or check(x)`
                    // would pass with no evidence at all.
                    None
                    | Some(crate::evidence::Node::Absent)
                    | Some(crate::evidence::Node::Null) => None,
                    Some(crate::evidence::Node::Missing(_)) if lenient => None,
                    // A value of the wrong type is an error (`read_node`),
                    // never "present": that would let garbage pass.
                    Some(node) => {
                        let secret = b.secret || self.field_secret(*record, *slot);
                        Some(self.read_node(node, path, secret, id)?)
                    }
                };
                Ok((v, path))
            }
            _ => {
                let v = self.eval(id)?;
                Ok(if v.val.is_null() {
                    (None, PathId::NONE)
                } else {
                    let path = v.path;
                    (Some(v), path)
                })
            }
        }
    }

    pub(super) fn compare(&mut self, op: CmpOp, l: &V<'a>, r: &V<'a>, id: ExprId) -> R<bool> {
        let work = value::size(&l.val).min(value::size(&r.val));
        if work > 1 {
            self.charge(id, work as u64)?;
        }
        Ok(match op {
            CmpOp::Eq => value::equal(&l.val, &r.val),
            CmpOp::Ne => !value::equal(&l.val, &r.val),
            _ => {
                let ord = value::order(&l.val, &r.val).ok_or_else(|| {
                    let path = if l.val.is_null() { l.path } else { r.path };
                    let kind = if l.val.is_null() || r.val.is_null() {
                        RtKind::NullValue
                    } else {
                        RtKind::Internal("values cannot be ordered")
                    };
                    self.err(kind, id, path)
                })?;
                match op {
                    CmpOp::Lt => ord.is_lt(),
                    CmpOp::Le => ord.is_le(),
                    CmpOp::Gt => ord.is_gt(),
                    CmpOp::Ge => ord.is_ge(),
                    CmpOp::Eq | CmpOp::Ne => false,
                }
            }
        })
    }

    pub(super) fn contains(&mut self, list: &V<'a>, x: &V<'a>, id: ExprId) -> R<bool> {
        // A scan of the list (or the map's keys): one step per element.
        self.charge(id, value::size(&list.val) as u64)?;
        match &list.val {
            Val::Map(entries) => Ok(entries.iter().any(|(k, _)| Some(&**k) == x.val.as_str())),
            Val::OwnedMap(entries) => Ok(entries
                .iter()
                .any(|(k, _)| k.val.as_str().is_some() && k.val.as_str() == x.val.as_str())),
            _ => {
                let items = self.list_of(list, id)?;
                let mut found = false;
                for i in 0..items.len() {
                    let e = self.element(list, &items, i, id)?;
                    found |= value::equal(&e.val, &x.val);
                }
                Ok(found)
            }
        }
    }

    fn arith(&mut self, op: ArithOp, l: V<'a>, r: V<'a>, id: ExprId) -> R<V<'a>> {
        use Val::*;
        // Building a string or a list costs its length.
        let built = match (&l.val, &r.val) {
            (List(a), List(b)) => a.len() + b.len(),
            // Decimal arithmetic costs the digits of its operands.
            (Float(a), Float(b)) => ((a.digits() + b.digits()) / 16) as usize,
            (Float(a), Int(_)) | (Int(_), Float(a)) => (a.digits() / 16) as usize,
            _ => match (l.val.as_str(), r.val.as_str()) {
                (Some(a), Some(b)) => (a.len() + b.len()) / super::strings::BYTES_PER_STEP,
                _ => 0,
            },
        };
        if built > 1 {
            self.charge(id, built as u64)?;
        }
        // The result carries the path it is about, and is secret if either
        // operand is: `x + db.password` is as secret as the password.
        let path = deeper(&self.paths, l.path, r.path);
        let secret = l.secret || r.secret;
        // A division by zero is about the divisor, when it came from evidence.
        let divisor = if r.path.is_some() { r.path } else { l.path };
        let overflow = || self.err(RtKind::Overflow(op.as_str()), id, path);
        let val = match (op, &l.val, &r.val) {
            (ArithOp::Add, Int(a), Int(b)) => Int(a.checked_add(*b).ok_or_else(overflow)?),
            (ArithOp::Sub, Int(a), Int(b)) => Int(a.checked_sub(*b).ok_or_else(overflow)?),
            (ArithOp::Mul, Int(a), Int(b)) => Int(a.checked_mul(*b).ok_or_else(overflow)?),
            (ArithOp::Div | ArithOp::Rem, Int(_), Int(0)) => {
                return Err(self.err(RtKind::DivisionByZero, id, divisor));
            }
            (ArithOp::Div, Int(a), Int(b)) => Int(a.checked_div(*b).ok_or_else(overflow)?),
            (ArithOp::Rem, Int(a), Int(b)) => Int(a.checked_rem(*b).ok_or_else(overflow)?),
            // Exact decimals (see `gate_lang::num`): `+`, `-` and `*`
            // exact, `/` to the digits kept.
            (_, Int(_) | Float(_), Int(_) | Float(_)) => {
                let (Some(a), Some(b)) = (decimal(&l.val), decimal(&r.val)) else {
                    return Err(self.err(RtKind::Internal("bad operands"), id, path));
                };
                let out = match op {
                    ArithOp::Add => a.add(&b),
                    ArithOp::Sub => a.sub(&b),
                    ArithOp::Mul => a.mul(&b),
                    ArithOp::Div if b.is_zero() => {
                        return Err(self.err(RtKind::DivisionByZero, id, divisor))
                    }
                    ArithOp::Div => a.div(&b),
                    ArithOp::Rem => {
                        return Err(self.err(RtKind::Internal("remainder of floats"), id, path))
                    }
                };
                Float(Dec::owned(out.ok_or_else(overflow)?))
            }
            (ArithOp::Add, Time(t), Dur(d)) | (ArithOp::Add, Dur(d), Time(t)) => {
                Time(t.checked_add(*d).ok_or_else(overflow)?)
            }
            (ArithOp::Sub, Time(t), Dur(d)) => Time(t.checked_sub(*d).ok_or_else(overflow)?),
            (ArithOp::Sub, Time(a), Time(b)) => Dur(a.checked_sub(*b).ok_or_else(overflow)?),
            (ArithOp::Add, Dur(a), Dur(b)) => Dur(a.checked_add(*b).ok_or_else(overflow)?),
            (ArithOp::Sub, Dur(a), Dur(b)) => Dur(a.checked_sub(*b).ok_or_else(overflow)?),
            (ArithOp::Mul, Dur(d), Int(n)) | (ArithOp::Mul, Int(n), Dur(d)) => {
                Dur(d.checked_mul(i128::from(*n)).ok_or_else(overflow)?)
            }
            (ArithOp::Div, Dur(_), Int(0)) => {
                return Err(self.err(RtKind::DivisionByZero, id, divisor))
            }
            (ArithOp::Div, Dur(d), Int(n)) => {
                Dur(d.checked_div(i128::from(*n)).ok_or_else(overflow)?)
            }
            (ArithOp::Add, List(a), List(b)) => {
                let mut out = Vec::with_capacity(a.len() + b.len());
                for (lv, list) in [(&l, a), (&r, b)] {
                    match list {
                        crate::value::List::Owned(v) => {
                            out.extend(v.iter().map(|e| e.clone().tainted(lv.secret)))
                        }
                        crate::value::List::Ev(nodes, _) => {
                            for n in nodes.iter() {
                                out.push(self.read_node(n, lv.path, lv.secret, id)?);
                            }
                        }
                    }
                }
                List(crate::value::List::Owned(Rc::new(out)))
            }
            _ => match (l.val.as_str(), r.val.as_str(), op) {
                (Some(a), Some(b), ArithOp::Add) => OwnedStr(Rc::from(format!("{a}{b}").as_str())),
                _ => return Err(self.err(RtKind::Internal("bad operands"), id, path)),
            },
        };
        Ok(V { val, path, secret })
    }
}

/// A number as an exact decimal.
fn decimal<'v>(v: &'v Val<'_>) -> Option<std::borrow::Cow<'v, Decimal>> {
    match v {
        Val::Int(i) => Some(std::borrow::Cow::Owned(Decimal::from_i64(*i))),
        Val::Float(f) => Some(std::borrow::Cow::Borrowed(&**f)),
        _ => None,
    }
}

/// Of two paths, the more specific one (the one with more segments).
pub(super) fn deeper(paths: &crate::value::Paths<'_>, a: PathId, b: PathId) -> PathId {
    match (a.is_some(), b.is_some()) {
        (true, false) => a,
        (false, true) => b,
        (false, false) => PathId::NONE,
        (true, true) => {
            if paths.depth(b) > paths.depth(a) {
                b
            } else {
                a
            }
        }
    }
}

fn from_host<'a>(v: crate::host::HostValue) -> Option<Val<'a>> {
    use crate::host::HostValue as H;
    Some(match v {
        H::Null => Val::Null,
        H::Bool(b) => Val::Bool(b),
        H::Int(i) => Val::Int(i),
        // The decimal the float prints as (`0.1`, not its binary expansion).
        H::Float(f) => Val::Float(Dec::owned(Decimal::from_f64(f)?)),
        H::String(s) => Val::OwnedStr(Rc::from(s.as_str())),
        H::Time(t) => Val::Time(t.as_nanosecond()),
        H::Duration(d) => Val::Dur(d.as_nanos()),
        H::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(V::new(from_host(i)?));
            }
            Val::List(List::Owned(Rc::new(out)))
        }
    })
}

/// The fields from a record element to its key: its key field, then down
/// the records of a nested key (`key metadata.name`), each `(record, slot)`.
pub(super) fn key_steps(
    schema: &gate_lang::types::Schema,
    key: gate_lang::ir::KeyMatch,
) -> Vec<(gate_lang::types::RecordId, u32)> {
    let mut steps = vec![(key.record, key.field)];
    if let Some(k) = schema.record(key.record).and_then(|r| r.key.as_ref()) {
        steps.extend(k.nested.iter().copied());
    }
    steps
}

/// Follows `steps` from a record's `fields`: the node reached and how many
/// steps were taken. A field on the way that is not a record (null,
/// missing, not of its type) is where it stops, so that reading it says
/// why there is no key.
pub(super) fn follow_key<'n>(
    fields: &'n [crate::evidence::Node],
    steps: &[(gate_lang::types::RecordId, u32)],
) -> Option<(&'n crate::evidence::Node, usize)> {
    let mut fields = fields;
    for (i, (_, slot)) in steps.iter().enumerate() {
        let node = fields.get(*slot as usize)?;
        if i + 1 == steps.len() {
            return Some((node, i + 1));
        }
        match node {
            crate::evidence::Node::Record(_, inner) => fields = inner,
            other => return Some((other, i + 1)),
        }
    }
    None
}
