//! Calls: collection methods with predicates (`all`, `any`, …), `includes`,
//! `present`, built-in functions, and `def`s.
//!
//! Built-ins can be written as methods or as functions: `xs.len()` and
//! `len(xs)` are the same call. A record that declares `elements FIELD`
//! answers collection methods with that field: `secrets.all(vaulted)` is
//! `secrets.items.all(vaulted)`.

use super::{closest, Checker};
use crate::ast::{self, Expr, ExprKind};
use crate::error::ErrorKind;
use crate::ir::{Builtin, Const, ExprId, Ir, KeyMatch, QuantKind};
use crate::span::Span;
use crate::types::Type;

pub(super) const QUANTIFIERS: &[(&str, QuantKind)] = &[
    ("all", QuantKind::All),
    ("any", QuantKind::Any),
    ("none", QuantKind::None),
    ("count", QuantKind::Count),
    ("filter", QuantKind::Filter),
    ("map", QuantKind::Map),
];

/// Methods answered by a record's `elements` list.
const COLLECTION_METHODS: &[&str] = &[
    "all", "any", "none", "count", "filter", "map", "includes", "len", "is_empty", "unique", "min",
    "max", "sum", "first", "contains",
];

pub(super) const BUILTINS: &[&str] = &[
    "len",
    "is_empty",
    "unique",
    "min",
    "max",
    "sum",
    "first",
    "contains",
    "starts_with",
    "ends_with",
    "lower",
    "upper",
    "keys",
    "values",
    "days",
    "hours",
    "seconds",
    "string",
];

impl Checker {
    /// `name(args)`: `present`, a `def`, or a built-in in function form.
    pub(super) fn call(&mut self, callee: &ast::Ident, args: &[Expr], span: Span) -> ExprId {
        let name = callee.name.as_str();
        if name == "present" {
            return self.present(args, span);
        }
        let m = self.cur_module();
        let shadowed = self.name_is_value(name);
        if !shadowed && self.modules.at(m).defs.contains_key(name) {
            return self.def_call(m, callee, None, args, span);
        }
        if !shadowed {
            if let Some(index) = self.host.iter().position(|h| h.name == name) {
                return self.host_call(index, callee, None, args, span);
            }
        }
        if BUILTINS.contains(&name)
            || QUANTIFIERS.iter().any(|(n, _)| *n == name)
            || name == "includes"
        {
            let Some((first, rest)) = args.split_first() else {
                return self.builtin_no_receiver(callee, span);
            };
            return self.method(first, callee, rest, false, span);
        }
        let mut candidates: Vec<&str> =
            self.modules.at(m).defs.keys().map(String::as_str).collect();
        candidates.extend(BUILTINS);
        candidates.extend(QUANTIFIERS.iter().map(|(n, _)| *n));
        candidates.extend(["present", "includes"]);
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
                if COLLECTION_METHODS.contains(&method) {
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
        if let Some((_, kind)) = QUANTIFIERS.iter().find(|(n, _)| *n == method) {
            if *kind == QuantKind::Count && args.is_empty() {
                return self.builtin(Builtin::Len, recv, args, span, name);
            }
            return self.quantifier(*kind, recv, args, span, name);
        }
        if method == "includes" {
            return self.includes(recv, args, span);
        }
        let builtin = match method {
            "len" => Some(Builtin::Len),
            "is_empty" => Some(Builtin::IsEmpty),
            "unique" => Some(Builtin::Unique),
            "min" => Some(Builtin::Min),
            "max" => Some(Builtin::Max),
            "sum" => Some(Builtin::Sum),
            "first" => Some(Builtin::First),
            "contains" => Some(Builtin::Contains),
            "starts_with" => Some(Builtin::StartsWith),
            "ends_with" => Some(Builtin::EndsWith),
            "lower" => Some(Builtin::Lower),
            "upper" => Some(Builtin::Upper),
            "keys" => Some(Builtin::Keys),
            "values" => Some(Builtin::Values),
            "days" => Some(if rty == Type::Duration {
                Builtin::Days
            } else {
                Builtin::DaysToDuration
            }),
            "hours" => Some(if rty == Type::Duration {
                Builtin::Hours
            } else {
                Builtin::HoursToDuration
            }),
            "seconds" => Some(if rty == Type::Duration {
                Builtin::Seconds
            } else {
                Builtin::SecondsToDuration
            }),
            "string" => Some(Builtin::ToString),
            _ => None,
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
        let mut candidates: Vec<&str> = BUILTINS.to_vec();
        candidates.extend(QUANTIFIERS.iter().map(|(n, _)| *n));
        candidates.push("includes");
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
        let body_id = if kind == QuantKind::Map {
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
            Type::Record(rid) => self
                .schema
                .record(*rid)
                .and_then(|r| r.key.as_ref().and_then(|k| r.fields.get(k.field as usize)))
                .map(|f| f.ty.clone()),
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
                let rec = self.schema.record(*rid).cloned();
                let Some((k, kty)) = rec.as_ref().and_then(|r| {
                    r.key.as_ref().and_then(|k| {
                        r.fields
                            .get(k.field as usize)
                            .map(|f| (k.clone(), f.ty.clone()))
                    })
                }) else {
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
                (
                    kty,
                    Some(KeyMatch {
                        record: *rid,
                        field: k.field,
                        condition: k.condition,
                    }),
                )
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

    /// `present(a, b.c, …)`: every path is present and not null.
    fn present(&mut self, args: &[Expr], span: Span) -> ExprId {
        if args.is_empty() {
            self.error(
                ErrorKind::WrongArity {
                    name: "present".into(),
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
                        context: "`present` checks that evidence fields are there".into(),
                    },
                    a.span,
                );
            }
            ids.push(id);
        }
        if let Some(c) = self.cur() {
            c.in_present = before;
        }
        self.push(Ir::Present(ids), Type::Bool, span)
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
        let arity = |n: usize| (n, args.len());
        let (want_args, got) = match func {
            Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => arity(1),
            _ => arity(0),
        };
        if want_args != got {
            self.error(
                ErrorKind::WrongArity {
                    name: name.name.clone(),
                    expected: match want_args {
                        0 => "no arguments".into(),
                        1 => "1 argument".into(),
                        n => format!("{n} arguments"),
                    },
                    found: got,
                },
                span,
            );
            return self.poison(span);
        }
        let elem = rty.list_elem().cloned();
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
            Builtin::Min | Builtin::Max => elem
                .filter(|e| matches!(e, Int | Float | String | Time | Duration))
                .map(|e| (e.optional(), vec![recv])),
            Builtin::Sum => elem
                .filter(|e| matches!(e, Int | Float | Duration))
                .map(|e| (e, vec![recv])),
            Builtin::First => elem.map(|e| (e.optional(), vec![recv])),
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
            Builtin::StartsWith | Builtin::EndsWith => match &rty {
                String => {
                    let a = self.args1(args, &String);
                    Some((Bool, vec![recv, a]))
                }
                _ => None,
            },
            Builtin::Lower | Builtin::Upper => (rty == String).then(|| (String, vec![recv])),
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
                if func == Builtin::Contains
                    || func == Builtin::StartsWith
                    || func == Builtin::EndsWith
                {
                    if let Some(a) = ids.get(1) {
                        if !self.expect_type(*a, &String, &format!("`{}` takes text", name.name)) {
                            return self.poison(span);
                        }
                    }
                }
                self.push(Ir::Builtin { func, args: ids }, ty, span)
            }
            None => {
                if rty.is_optional() {
                    self.unhandled_optional(recv);
                } else {
                    let err = crate::error::Error::new(
                        ErrorKind::TypeMismatch {
                            expected: builtin_receiver(func).into(),
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

    fn args1(&mut self, args: &[Expr], hint: &Type) -> ExprId {
        match args.first() {
            Some(a) => self.expr(a, Some(hint)),
            None => self.poison(Span::default()),
        }
    }
}

fn builtin_receiver(func: Builtin) -> &'static str {
    match func {
        Builtin::Len | Builtin::IsEmpty => "a list, a map or a string",
        Builtin::Unique => "a list of values that can be compared",
        Builtin::Min | Builtin::Max => "a list of numbers, strings, times or durations",
        Builtin::Sum => "a list of numbers or durations",
        Builtin::First => "a list",
        Builtin::Contains => "a string or a list",
        Builtin::StartsWith | Builtin::EndsWith | Builtin::Lower | Builtin::Upper => "a string",
        Builtin::Keys | Builtin::Values => "a map",
        Builtin::Days | Builtin::Hours | Builtin::Seconds => "a duration",
        Builtin::DaysToDuration | Builtin::HoursToDuration | Builtin::SecondsToDuration => {
            "an integer"
        }
        Builtin::ToString => "an enum value, a number, a boolean, a time or a duration",
    }
}
