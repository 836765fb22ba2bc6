//! Calls: collection methods with predicates (`all`, `any`, …), `includes`,
//! `present`, built-in functions, and `def`s.
//!
//! Built-ins can be written as methods or as functions: `xs.len()` and
//! `len(xs)` are the same call. A record that declares `elements FIELD`
//! answers collection methods with that field: `secrets.all(vaulted)` is
//! `secrets.items.all(vaulted)`.

use super::{closest, Checker};
use crate::ast::{self, Expr, ExprKind};
use crate::builtins::{self, Form};
use crate::error::ErrorKind;
use crate::ir::{Builtin, Const, ExprId, Ir, KeyMatch, QuantKind};
use crate::span::Span;
use crate::types::Type;

/// Every built-in function name the checker knows (the names of
/// [`crate::builtins::TABLE`]): the functions and methods of
/// `docs/stdlib.md`, including the collection methods that take a
/// predicate (`all`, `map`, `group_by`, …), `includes` and `present`.
///
/// ```
/// let names = gate_lang::check::builtin_names();
/// assert!(names.contains(&"matches") && names.contains(&"all") && names.contains(&"present"));
/// ```
pub fn builtin_names() -> Vec<&'static str> {
    builtins::names().collect()
}

impl Checker {
    /// How elements of record `rid` are matched by key (`includes`): its
    /// key field and condition, and the key's type; `None` without a key.
    fn key_match(&self, rid: crate::types::RecordId) -> Option<(KeyMatch, Type)> {
        let rec = self.schema.record(rid)?;
        let k = rec.key.as_ref()?;
        let key = KeyMatch {
            record: rid,
            field: k.field,
            condition: k.condition,
        };
        Some((key, self.schema.key_type(rid)?.clone()))
    }

    /// `name(args)`: `present`, a `def`, or a built-in in function form.
    pub(super) fn call(&mut self, callee: &ast::Ident, args: &[Expr], span: Span) -> ExprId {
        let name = callee.name.as_str();
        let def = builtins::lookup(name);
        if let Some(Form::Place { typed }) = def.map(|d| d.form) {
            return self.present(typed, args, span);
        }
        if def.is_some_and(|d| d.form == Form::Clock)
            && !self.name_is_value(name)
            && !self.modules.at(self.cur_module()).defs.contains_key(name)
        {
            return self.now(args, span);
        }
        let m = self.cur_module();
        let shadowed = self.name_is_value(name);
        if !shadowed && self.modules.at(m).defs.contains_key(name) {
            return self.def_call(m, callee, None, args, span);
        }
        // A built-in before a host function: the embedding program cannot
        // change what a built-in means (and may not register one by its
        // name, see `builtins::taken`).
        if def.is_some() {
            let Some((first, rest)) = args.split_first() else {
                return self.builtin_no_receiver(callee, span);
            };
            return self.method(first, callee, rest, false, span);
        }
        if !shadowed {
            if let Some(index) = self.host.iter().position(|h| h.name == name) {
                return self.host_call(index, callee, None, args, span);
            }
        }
        let mut candidates: Vec<&str> =
            self.modules.at(m).defs.keys().map(String::as_str).collect();
        candidates.extend(builtins::TABLE.iter().map(|d| d.name));
        let suggestion = closest(name, candidates).map(|s| format!("`{s}`"));
        self.error(
            ErrorKind::UnknownFunction {
                name: name.to_string(),
                suggestion,
            },
            callee.span,
        );
        for a in args {
            self.expr(a, None);
        }
        self.poison(span)
    }

    fn builtin_no_receiver(&mut self, callee: &ast::Ident, span: Span) -> ExprId {
        self.error(
            ErrorKind::WrongArity {
                name: callee.name.clone(),
                expected: "at least one argument".into(),
                found: 0,
            },
            span,
        );
        self.poison(span)
    }

    /// `receiver.name(args)` / `receiver?.name(args)`.
    pub(super) fn method(
        &mut self,
        receiver: &Expr,
        name: &ast::Ident,
        args: &[Expr],
        optional: bool,
        span: Span,
    ) -> ExprId {
        // `alias.f(args)`: a def of an imported module.
        if let ExprKind::Name(n) = &receiver.kind {
            if let super::names::Lookup::Module(target) = self.lookup(n) {
                let m = self.cur_module();
                self.note_use(m, n, crate::ir::DeclKind::Import);
                if self.modules.at(target).defs.contains_key(&name.name) {
                    return self.def_call(target, name, None, args, span);
                }
                for a in args {
                    self.expr(a, None);
                }
                return self.unknown_member(target, name, "def");
            }
        }
        let recv = self.expr(receiver, None);
        self.method_on(recv, name, args, optional, span)
    }

    fn method_on(
        &mut self,
        recv: ExprId,
        name: &ast::Ident,
        args: &[Expr],
        optional: bool,
        span: Span,
    ) -> ExprId {
        let rty = self.ty(recv).clone();
        if rty == Type::Error {
            // The receiver already has an error; its arguments would only
            // add follow-on errors (they may name fields of its elements).
            return self.poison(span);
        }
        if let Type::Optional(inner) = &rty {
            if !optional {
                self.unhandled_optional(recv);
                return self.poison(span);
            }
            // `x?.m(args)` is `if x == null then null else x.m(args)`.
            let Some(node) = self.node(recv).cloned() else {
                return self.poison(span);
            };
            let narrowed = self.push(node.ir.clone(), (**inner).clone(), node.span);
            let call = self.method_on(narrowed, name, args, false, span);
            let result_ty = self.ty(call).clone();
            if result_ty == Type::Error {
                return call;
            }
            let null = self.push(Ir::Const(Const::Null), Type::Null, span);
            let test = self.push(
                Ir::Compare {
                    op: crate::ir::CmpOp::Eq,
                    lhs: recv,
                    rhs: null,
                },
                Type::Bool,
                span,
            );
            return self.push(
                Ir::If {
                    cond: test,
                    then: null,
                    otherwise: call,
                },
                result_ty.optional(),
                span,
            );
        }
        let method = name.name.as_str();
        // A record with `elements` answers collection methods with that list.
        if let Type::Record(rid) = &rty {
            let elements = self
                .schema
                .record(*rid)
                .and_then(|r| r.elements.map(|e| (e, r.clone())));
            if let Some((slot, rec)) = elements {
                if builtins::lookup(method).is_some_and(|d| d.collection) {
                    let fty = rec
                        .fields
                        .get(slot as usize)
                        .map(|f| f.ty.clone())
                        .unwrap_or(Type::Error);
                    let span_recv = self.span(recv);
                    let list = self.push(
                        Ir::Field {
                            base: recv,
                            record: *rid,
                            slot,
                            null_safe: false,
                        },
                        fty,
                        span_recv,
                    );
                    return self.method_on(list, name, args, false, span);
                }
            }
        }
        let builtin = match builtins::lookup(method).map(|d| d.form) {
            Some(Form::Quantifier(QuantKind::Count)) if args.is_empty() => Some(Builtin::Len),
            Some(Form::Quantifier(kind)) => return self.quantifier(kind, recv, args, span, name),
            Some(Form::FlatMap) => return self.flat_map(recv, args, span, name),
            Some(Form::Includes) => return self.includes(recv, args, span),
            Some(Form::IncludesEach { any }) => {
                return self.includes_each(recv, args, span, name, any);
            }
            Some(Form::Unit {
                of_duration,
                of_int,
            }) => Some(if rty == Type::Duration {
                of_duration
            } else {
                of_int
            }),
            Some(Form::Clock) => {
                self.error(
                    ErrorKind::WrongArity {
                        name: method.into(),
                        expected: "no arguments (write `now()`)".into(),
                        found: args.len() + 1,
                    },
                    span,
                );
                return self.poison(span);
            }
            Some(Form::Function { func, .. }) => Some(func),
            // `x.present()`: `present` and `well_typed` are about fields.
            Some(Form::Place { .. }) | None => None,
        };
        if let Some(b) = builtin {
            return self.builtin(b, recv, args, span, name);
        }
        let m = self.cur_module();
        if self.modules.at(m).defs.contains_key(method) {
            return self.def_call(m, name, Some(recv), args, span);
        }
        if let Some(index) = self.host.iter().position(|h| h.name == method) {
            return self.host_call(index, name, Some(recv), args, span);
        }
        let mut candidates: Vec<&str> = builtins::names().collect();
        candidates.extend(self.modules.at(m).defs.keys().map(String::as_str));
        let suggestion = closest(method, candidates).map(|s| format!("`{s}`"));
        self.error(
            ErrorKind::UnknownFunction {
                name: method.to_string(),
                suggestion,
            },
            name.span,
        );
        self.poison(span)
    }

    /// The element type of a list receiver, or an error.
    fn elem_type(&mut self, recv: ExprId, method: &str) -> Option<Type> {
        match self.ty(recv).clone() {
            Type::List(e) | Type::Many(e) => Some(*e),
            Type::Error => None,
            other => {
                self.error(
                    ErrorKind::NotACollection {
                        method: method.to_string(),
                        ty: self.describe(&other),
                    },
                    self.span(recv),
                );
                None
            }
        }
    }

    /// `xs.flat_map(f)`: the map, flattened; `f` must give a list.
    fn flat_map(&mut self, recv: ExprId, args: &[Expr], span: Span, name: &ast::Ident) -> ExprId {
        let mapped = self.quantifier(QuantKind::Map, recv, args, span, name);
        let ty = self.ty(mapped).clone();
        match ty.list_elem() {
            Some(Type::List(e) | Type::Many(e)) => {
                let out = Type::List(e.clone());
                self.push(
                    Ir::Builtin {
                        func: Builtin::Flatten,
                        args: vec![mapped],
                    },
                    out,
                    span,
                )
            }
            Some(Type::Error) | None if matches!(ty, Type::Error) => mapped,
            _ => {
                let found = ty
                    .list_elem()
                    .map_or_else(|| self.describe(&ty), |e| self.describe(e));
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a list".into(),
                        found,
                        context: "the function of `flat_map` gives a list for each element (for one value each, use `map`; for a list that may be null, `?? []`)".into(),
                    },
                    span,
                );
                self.poison(span)
            }
        }
    }

    fn quantifier(
        &mut self,
        kind: QuantKind,
        recv: ExprId,
        args: &[Expr],
        span: Span,
        name: &ast::Ident,
    ) -> ExprId {
        let Some(elem) = self.elem_type(recv, kind.as_str()) else {
            return self.poison(span);
        };
        let [arg] = args else {
            self.error(
                ErrorKind::WrongArity {
                    name: kind.as_str().into(),
                    expected: if kind == QuantKind::Map {
                        "one function (`map(field)` or `map(x => …)`)".into()
                    } else if kind == QuantKind::GroupBy {
                        "one function (`group_by(field)` or `group_by(x => …)`)".into()
                    } else {
                        "one predicate".into()
                    },
                    found: args.len(),
                },
                span,
            );
            return self.poison(span);
        };
        let (param, body) = match &arg.kind {
            ExprKind::Lambda { param, body } => (Some(param), &**body),
            _ => (None, arg),
        };
        if let Some(p) = param {
            self.note_shadowing(&p.name, p.span);
        }
        let (slot, scope) = match self.cur() {
            Some(c) => c.open_element(param, elem.clone()),
            None => return self.poison(span),
        };
        let body_id = if matches!(kind, QuantKind::Map | QuantKind::GroupBy) {
            self.expr(body, None)
        } else {
            self.predicate(
                body,
                &format!("the argument of `{}` is a predicate", name.name),
            )
        };
        if let Some(c) = self.cur() {
            c.close_element();
        }
        let ty = match kind {
            QuantKind::All | QuantKind::Any | QuantKind::None => Type::Bool,
            QuantKind::Count => Type::Int,
            QuantKind::Filter => Type::List(Box::new(elem)),
            QuantKind::Map => Type::List(Box::new(self.ty(body_id).clone())),
            QuantKind::GroupBy => {
                let kty = self.ty(body_id).clone();
                match kty {
                    Type::String | Type::Enum(_) | Type::Error => {}
                    other if other.is_optional() => {
                        self.unhandled_optional(body_id);
                        return self.poison(span);
                    }
                    other => {
                        self.error(
                            ErrorKind::TypeMismatch {
                                expected: "a string or an enum value".into(),
                                found: self.describe(&other),
                                context: "`group_by` keys are the keys of a `map`; convert with `string(…)`".into(),
                            },
                            self.span(body_id),
                        );
                        return self.poison(span);
                    }
                }
                Type::Map(Box::new(Type::List(Box::new(elem))))
            }
        };
        self.push(
            Ir::Quant {
                kind,
                list: recv,
                slot,
                body: body_id,
                scope,
            },
            ty,
            span,
        )
    }

    fn includes(&mut self, recv: ExprId, args: &[Expr], span: Span) -> ExprId {
        let Some(elem) = self.elem_type(recv, "includes") else {
            for a in args {
                self.expr(a, None);
            }
            return self.poison(span);
        };
        if args.is_empty() {
            self.error(
                ErrorKind::WrongArity {
                    name: "includes".into(),
                    expected: "at least one value".into(),
                    found: 0,
                },
                span,
            );
            return self.poison(span);
        }
        let hint = match &elem {
            Type::Record(rid) => self.schema.key_type(*rid).cloned(),
            other => Some(other.clone()),
        };
        let ids: Vec<ExprId> = args.iter().map(|a| self.expr(a, hint.as_ref())).collect();
        self.includes_checked(recv, ids, span)
    }

    /// `includes` with checked arguments (also used by `in` on record lists).
    pub(super) fn includes_checked(
        &mut self,
        recv: ExprId,
        args: Vec<ExprId>,
        span: Span,
    ) -> ExprId {
        let elem = match self.ty(recv).clone() {
            Type::List(e) | Type::Many(e) => *e,
            Type::Error => return self.poison(span),
            other => {
                self.error(
                    ErrorKind::NotACollection {
                        method: "includes".into(),
                        ty: self.describe(&other),
                    },
                    self.span(recv),
                );
                return self.poison(span);
            }
        };
        let (want, key) = match &elem {
            Type::Record(rid) => {
                let Some((key, kty)) = self.key_match(*rid) else {
                    let arg = args
                        .first()
                        .map(|a| self.describe(&self.ty(*a).clone()))
                        .unwrap_or_default();
                    self.error(
                        ErrorKind::NoKeyField {
                            record: self.show(&elem),
                            arg,
                        },
                        span,
                    );
                    return self.poison(span);
                };
                (kty, Some(key))
            }
            other => (other.clone(), None),
        };
        for a in &args {
            let ty = self.ty(*a).clone();
            if !ty.comparable_with(&want) {
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: self.describe(&want),
                        found: self.describe(&ty),
                        context: match &key {
                            Some(_) => format!(
                                "elements are matched by their key, of type `{}`",
                                self.show(&want)
                            ),
                            None => "the values looked for have the type of the elements".into(),
                        },
                    },
                    self.span(*a),
                );
                return self.poison(span);
            }
        }
        self.push(
            Ir::Includes {
                list: recv,
                args,
                key,
            },
            Type::Bool,
            span,
        )
    }

    /// `present(a, b.c, …)`: every path is present and not null;
    /// `well_typed(a, b.c, …)` (`typed`): every value at and under the
    /// paths has its declared type and format.
    fn present(&mut self, typed: bool, args: &[Expr], span: Span) -> ExprId {
        let name = if typed { "well_typed" } else { "present" };
        if args.is_empty() {
            self.error(
                ErrorKind::WrongArity {
                    name: name.into(),
                    expected: "at least one field".into(),
                    found: 0,
                },
                span,
            );
            return self.poison(span);
        }
        let before = self.ctx.last().map(|c| c.in_present).unwrap_or(false);
        if let Some(c) = self.cur() {
            c.in_present = true;
        }
        let mut ids = Vec::new();
        for a in args {
            let id = self.expr(a, None);
            if super::scope::place_of(&self.nodes, id).is_none() && *self.ty(id) != Type::Error {
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a field such as `deployment.rollback`".into(),
                        found: "a computed value".into(),
                        context: if typed {
                            "`well_typed` checks the types of evidence fields".into()
                        } else {
                            "`present` checks that evidence fields are there".into()
                        },
                    },
                    a.span,
                );
            }
            ids.push(id);
        }
        if let Some(c) = self.cur() {
            c.in_present = before;
        }
        let ir = if typed {
            Ir::WellTyped { args: ids }
        } else {
            Ir::Present {
                args: ids,
                lenient: false,
            }
        };
        self.push(ir, Type::Bool, span)
    }

    fn def_call(
        &mut self,
        module: usize,
        name: &ast::Ident,
        receiver: Option<ExprId>,
        args: &[Expr],
        span: Span,
    ) -> ExprId {
        self.note_use(module, &name.name, crate::ir::DeclKind::Def);
        let Some((func, params, ret)) = self.def_ref(module, &name.name, name.span) else {
            for a in args {
                self.expr(a, None);
            }
            return self.poison(span);
        };
        let given = args.len() + usize::from(receiver.is_some());
        if given != params.len() {
            self.error(
                ErrorKind::WrongArity {
                    name: name.name.clone(),
                    expected: match params.len() {
                        1 => "1 argument".into(),
                        n => format!("{n} arguments"),
                    },
                    found: given,
                },
                span,
            );
            return self.poison(span);
        }
        let mut ids: Vec<ExprId> = receiver.into_iter().collect();
        let skip = ids.len();
        for (a, p) in args.iter().zip(params.iter().skip(skip)) {
            ids.push(self.expr(a, Some(p)));
        }
        let mut ok = true;
        for (id, p) in ids.iter().zip(params.iter()) {
            ok &= self.expect_type(
                *id,
                p,
                &format!("the parameter of `{}` has this type", name.name),
            );
        }
        if !ok {
            return self.poison(span);
        }
        self.push(Ir::Call { func, args: ids }, ret, span)
    }

    /// A call to a host function, checked against its signature.
    fn host_call(
        &mut self,
        index: usize,
        name: &ast::Ident,
        receiver: Option<ExprId>,
        args: &[Expr],
        span: Span,
    ) -> ExprId {
        let Some(sig) = self.host.get(index).cloned() else {
            return self.poison(span);
        };
        let given = args.len() + usize::from(receiver.is_some());
        if given != sig.params.len() {
            self.error(
                ErrorKind::WrongArity {
                    name: name.name.clone(),
                    expected: match sig.params.len() {
                        1 => "1 argument".into(),
                        n => format!("{n} arguments"),
                    },
                    found: given,
                },
                span,
            );
            return self.poison(span);
        }
        let mut ids: Vec<ExprId> = receiver.into_iter().collect();
        let skip = ids.len();
        for (a, p) in args.iter().zip(sig.params.iter().skip(skip)) {
            ids.push(self.expr(a, Some(p)));
        }
        let mut ok = true;
        for (id, p) in ids.iter().zip(sig.params.iter()) {
            ok &= self.expect_type(
                *id,
                p,
                &format!("the parameter of `{}` has this type", name.name),
            );
        }
        if !ok {
            return self.poison(span);
        }
        let func = u32::try_from(index).unwrap_or(u32::MAX);
        self.push(Ir::Host { func, args: ids }, sig.ret, span)
    }

    fn builtin(
        &mut self,
        func: Builtin,
        recv: ExprId,
        args: &[Expr],
        span: Span,
        name: &ast::Ident,
    ) -> ExprId {
        use Type::*;
        let rty = self.ty(recv).clone();
        let want_args = match builtins::of(func).map(|d| d.form) {
            Some(Form::Function { args, .. }) => args,
            _ => 0,
        };
        let got = args.len();
        if want_args != got {
            // `f(a, b)` counts the receiver as an argument, `a.f(b)` does not.
            let extra = usize::from(name.span.start == span.start);
            self.error(
                ErrorKind::WrongArity {
                    name: name.name.clone(),
                    expected: match want_args + extra {
                        0 => "no arguments".into(),
                        1 => "1 argument".into(),
                        n => format!("{n} arguments"),
                    },
                    found: got + extra,
                },
                span,
            );
            for a in args {
                self.expr(a, None);
            }
            return self.poison(span);
        }
        let elem = rty.list_elem().cloned();
        let ordered = |e: &Type| matches!(e, Int | Float | String | Time | Duration);
        let scalar = |e: &Type| !matches!(e, Record(_) | Map(_) | List(_) | Many(_));
        let result: Option<(Type, Vec<ExprId>)> = match func {
            Builtin::Len | Builtin::IsEmpty => match &rty {
                List(_) | Many(_) | Map(_) | String => {
                    Some((if func == Builtin::Len { Int } else { Bool }, vec![recv]))
                }
                _ => None,
            },
            Builtin::Unique => elem
                .filter(|e| !matches!(e, Record(_) | Map(_)))
                .map(|e| (List(Box::new(e)), vec![recv])),
            Builtin::Flatten => match elem {
                Some(List(e) | Many(e)) => Some((List(e), vec![recv])),
                _ => None,
            },
            Builtin::DistinctCount => elem
                .filter(|e| !matches!(e, Record(_) | Map(_)))
                .map(|_| (Int, vec![recv])),
            Builtin::Min | Builtin::Max => elem.filter(ordered).map(|e| (e.optional(), vec![recv])),
            Builtin::Sort => elem
                .filter(ordered)
                .map(|e| (List(Box::new(e)), vec![recv])),
            Builtin::Sum => elem
                .filter(|e| matches!(e, Int | Float | Duration))
                .map(|e| (e, vec![recv])),
            Builtin::First => elem.map(|e| (e.optional(), vec![recv])),
            Builtin::Union | Builtin::Intersect | Builtin::Difference => match elem {
                Some(e) if scalar(&e) => {
                    let want = List(Box::new(e.clone()));
                    let a = self.args1(args, &want);
                    let aty = self.ty(a).clone();
                    let other = match &aty {
                        List(o) | Many(o) if o.comparable_with(&e) => (**o).clone(),
                        Error => e.clone(),
                        _ => {
                            self.error(
                                ErrorKind::TypeMismatch {
                                    expected: self.describe(&want),
                                    found: self.describe(&aty),
                                    context: format!(
                                        "`{}` takes a list with elements like those of the receiver",
                                        name.name
                                    ),
                                },
                                self.span(a),
                            );
                            return self.poison(span);
                        }
                    };
                    let ety = if func == Builtin::Union {
                        Type::join(&e, &other).unwrap_or(e)
                    } else {
                        e
                    };
                    Some((List(Box::new(ety)), vec![recv, a]))
                }
                _ => None,
            },
            Builtin::Contains => match &rty {
                String => {
                    let a = self.args1(args, &String);
                    Some((Bool, vec![recv, a]))
                }
                List(e) | Many(e) => {
                    let a = self.args1(args, e);
                    if self.ty(a).comparable_with(e) {
                        return self.push(
                            Ir::In {
                                item: a,
                                list: recv,
                            },
                            Bool,
                            span,
                        );
                    }
                    None
                }
                _ => None,
            },
            Builtin::StartsWith
            | Builtin::EndsWith
            | Builtin::Split
            | Builtin::Matches
            | Builtin::Glob
            | Builtin::SemverCmp
            | Builtin::SemverSatisfies
            | Builtin::CidrContains => match &rty {
                String => {
                    let a = self.args1(args, &String);
                    let ty = match func {
                        Builtin::Split => List(Box::new(String)),
                        Builtin::SemverCmp => Int,
                        _ => Bool,
                    };
                    Some((ty, vec![recv, a]))
                }
                _ => None,
            },
            Builtin::Lower
            | Builtin::Upper
            | Builtin::Trim
            | Builtin::Base64Decode
            | Builtin::ParseTime
            | Builtin::IsDigest
            | Builtin::IsWildcard
            | Builtin::LooksLikeSecret => (rty == String).then(|| {
                let ty = match func {
                    Builtin::Lower | Builtin::Upper | Builtin::Trim | Builtin::Base64Decode => {
                        String
                    }
                    Builtin::ParseTime => Time,
                    _ => Bool,
                };
                (ty, vec![recv])
            }),
            Builtin::Age => (rty == Time).then(|| (Duration, vec![recv])),
            Builtin::Now => None,
            Builtin::Keys => matches!(rty, Map(_)).then(|| (List(Box::new(String)), vec![recv])),
            Builtin::Values => match &rty {
                Map(v) => Some((List(v.clone()), vec![recv])),
                _ => None,
            },
            Builtin::Days | Builtin::Hours | Builtin::Seconds => {
                (rty == Duration).then(|| (Int, vec![recv]))
            }
            Builtin::DaysToDuration | Builtin::HoursToDuration | Builtin::SecondsToDuration => {
                (rty == Int).then(|| (Duration, vec![recv]))
            }
            Builtin::ToString => {
                matches!(rty, Enum(_) | Int | Float | Bool | String | Time | Duration)
                    .then(|| (String, vec![recv]))
            }
        };
        match result {
            Some((ty, ids)) => {
                if let Some(a) = ids.get(1) {
                    if rty == String
                        && !self.expect_type(*a, &String, &format!("`{}` takes text", name.name))
                    {
                        return self.poison(span);
                    }
                }
                if !self.literal_args(func, &ids) {
                    return self.poison(span);
                }
                self.push(Ir::Builtin { func, args: ids }, ty, span)
            }
            None => {
                if rty.is_optional() {
                    self.unhandled_optional(recv);
                } else {
                    let err = crate::error::Error::new(
                        ErrorKind::TypeMismatch {
                            expected: builtins::of(func).map_or("a value", |d| d.receiver).into(),
                            found: self.describe(&rty),
                            context: format!("`{}` is not defined for this type", name.name),
                        },
                        self.span(recv),
                    );
                    self.errors.push(err);
                }
                self.poison(span)
            }
        }
    }

    /// Checks the string literals among a built-in's arguments that must be
    /// a pattern, a version, a network or a timestamp; false after an error.
    fn literal_args(&mut self, func: Builtin, ids: &[ExprId]) -> bool {
        use super::patterns;
        use crate::error::LiteralKind as K;
        let kinds: &[Option<K>] = builtins::of(func).map_or(&[], |d| d.literals);
        let mut ok = true;
        for (id, kind) in ids.iter().zip(kinds) {
            let Some(kind) = kind else { continue };
            let Some(Ir::Const(Const::Str(text))) = self.node(*id).map(|n| &n.ir) else {
                continue;
            };
            let text = text.to_string();
            let checked = match kind {
                K::Regex => patterns::regex(&text).map(drop),
                K::Glob => patterns::glob(&text).map(drop),
                K::VersionReq => patterns::version_req(&text).map(drop),
                K::Version => patterns::version(&text).map(drop),
                K::Network => patterns::network(&text).map(drop),
                K::Timestamp => patterns::timestamp(&text).map(drop),
            };
            if let Err(reason) = checked {
                let span = self.span(*id);
                self.error(
                    ErrorKind::InvalidLiteral {
                        function: func.as_str().into(),
                        what: *kind,
                        reason,
                    },
                    span,
                );
                ok = false;
            }
        }
        ok
    }

    /// `now()`: the evaluation clock.
    fn now(&mut self, args: &[Expr], span: Span) -> ExprId {
        if !args.is_empty() {
            self.error(
                ErrorKind::WrongArity {
                    name: "now".into(),
                    expected: "no arguments".into(),
                    found: args.len(),
                },
                span,
            );
            for a in args {
                self.expr(a, None);
            }
            return self.poison(span);
        }
        self.push(
            Ir::Builtin {
                func: Builtin::Now,
                args: Vec::new(),
            },
            Type::Time,
            span,
        )
    }

    /// `xs.includes_all(ys)` / `xs.includes_any(ys)`.
    fn includes_each(
        &mut self,
        recv: ExprId,
        args: &[Expr],
        span: Span,
        name: &ast::Ident,
        any: bool,
    ) -> ExprId {
        let Some(elem) = self.elem_type(recv, &name.name) else {
            for a in args {
                self.expr(a, None);
            }
            return self.poison(span);
        };
        let [arg] = args else {
            let extra = usize::from(name.span.start == span.start);
            self.error(
                ErrorKind::WrongArity {
                    name: name.name.clone(),
                    expected: if extra == 1 {
                        "2 arguments (a list and the list of values looked for)".into()
                    } else {
                        "1 argument (the list of values looked for)".into()
                    },
                    found: args.len() + extra,
                },
                span,
            );
            return self.poison(span);
        };
        let (want, key) = match &elem {
            Type::Record(rid) => {
                let Some((key, kty)) = self.key_match(*rid) else {
                    let a = self.expr(arg, None);
                    let arg = self.describe(&self.ty(a).clone());
                    self.error(
                        ErrorKind::NoKeyField {
                            record: self.show(&elem),
                            arg,
                        },
                        span,
                    );
                    return self.poison(span);
                };
                (kty, Some(key))
            }
            other => (other.clone(), None),
        };
        let list_ty = Type::List(Box::new(want.clone()));
        let items = self.expr(arg, Some(&list_ty));
        let ity = self.ty(items).clone();
        let ok = match &ity {
            Type::List(e) | Type::Many(e) => e.comparable_with(&want),
            Type::Error => return self.poison(span),
            t if t.is_optional() => {
                self.unhandled_optional(items);
                return self.poison(span);
            }
            _ => false,
        };
        if !ok {
            self.error(
                ErrorKind::TypeMismatch {
                    expected: self.describe(&list_ty),
                    found: self.describe(&ity),
                    context: match &key {
                        Some(_) => format!(
                            "elements are matched by their key, of type `{}`",
                            self.show(&want)
                        ),
                        None => format!(
                            "`{}` takes a list of values of the type of the elements",
                            name.name
                        ),
                    },
                },
                self.span(items),
            );
            return self.poison(span);
        }
        self.push(
            Ir::IncludesEach {
                list: recv,
                items,
                key,
                any,
            },
            Type::Bool,
            span,
        )
    }

    fn args1(&mut self, args: &[Expr], hint: &Type) -> ExprId {
        match args.first() {
            Some(a) => self.expr(a, Some(hint)),
            None => self.poison(Span::default()),
        }
    }
}
