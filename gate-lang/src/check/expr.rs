//! Checking and lowering expressions.
//!
//! [`Checker::expr`] takes an optional *hint*, the type the context
//! expects. It decides what bare names and string literals mean where an
//! enum is expected (`role == owner`, `kind == "agent_release"`); the caller
//! still checks the result's type.

use super::scope::Place;
use super::{closest, Checker, TypeRef};
use crate::ast::{self, BinOp, Expr, ExprKind, Lit, StrLit, UnaryOp};
use crate::error::{Error, ErrorKind};
use crate::ir::{ArithOp, CmpOp, Const, DeclKind, ExprId, Ir};
use crate::span::Span;
use crate::types::Type;

impl Checker {
    /// Checks an expression and returns its IR node.
    pub(super) fn expr(&mut self, e: &Expr, hint: Option<&Type>) -> ExprId {
        let span = e.span;
        match &e.kind {
            ExprKind::Lit(lit) => self.literal(lit, span, hint),
            ExprKind::Name(name) => self.resolve_name(name, span, hint),
            ExprKind::It => self.it(span),
            ExprKind::List(items) => self.list(items, span, hint),
            ExprKind::Map(entries) => self.map(entries, span, hint),
            ExprKind::Paren(inner) => self.expr(inner, hint),
            ExprKind::Field {
                base,
                name,
                optional,
            } => self.field(base, name, *optional, span),
            ExprKind::Call { callee, args } => self.call(callee, args, span),
            ExprKind::Method {
                receiver,
                name,
                args,
                optional,
            } => self.method(receiver, name, args, *optional, span),
            ExprKind::Index { base, index } => self.index(base, index, span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, span),
            ExprKind::And(items) => self.logic(items, true, span),
            ExprKind::Or(items) => self.logic(items, false, span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span, hint),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => self.if_expr(cond, then, otherwise, span, hint),
            ExprKind::Lambda { .. } => {
                self.error(ErrorKind::LambdaNotAllowed, span);
                self.poison(span)
            }
            ExprKind::Error => self.poison(span),
        }
    }

    /// Checks a predicate: an expression of type `bool`.
    pub(super) fn predicate(&mut self, e: &Expr, context: &str) -> ExprId {
        let id = self.expr(e, Some(&Type::Bool));
        self.expect_type(id, &Type::Bool, context);
        id
    }

    fn literal(&mut self, lit: &Lit, span: Span, hint: Option<&Type>) -> ExprId {
        let (c, ty) = match lit {
            Lit::Bool(b) => (Const::Bool(*b), Type::Bool),
            Lit::Int(i) => (Const::Int(*i), Type::Int),
            Lit::Float(f) => (Const::Float(f.clone()), Type::Float),
            Lit::Duration(d) => (Const::Duration(*d), Type::Duration),
            Lit::Time(t) => (Const::Time(*t), Type::Time),
            Lit::Null => (Const::Null, Type::Null),
            Lit::Str(s) => {
                if let Some(e) = Self::hint_enum(hint) {
                    let def = self.schema.enum_def(e).cloned();
                    if let Some(def) = def {
                        return match def.index(s) {
                            Some(i) => self.push(Ir::Const(Const::Enum(e, i)), Type::Enum(e), span),
                            None => {
                                let suggestion = closest(s, def.values.iter().map(String::as_str))
                                    .map(|v| format!("`{v}`"));
                                self.error(
                                    ErrorKind::UnknownEnumValue {
                                        value: s.clone(),
                                        enum_name: def.name.clone(),
                                        suggestion,
                                    },
                                    span,
                                );
                                self.poison(span)
                            }
                        };
                    }
                }
                (Const::Str(s.as_str().into()), Type::String)
            }
        };
        self.push(Ir::Const(c), ty, span)
    }

    fn it(&mut self, span: Span) -> ExprId {
        let found = self.ctx.last().and_then(|c| {
            c.bindings
                .iter()
                .rev()
                .find(|b| b.name.is_none())
                .map(|b| (b.slot, b.ty.clone()))
        });
        match found {
            Some((slot, ty)) => {
                let id = self.push(Ir::Local(slot), ty, span);
                self.narrow(id)
            }
            None => {
                self.error(ErrorKind::ItOutsidePredicate, span);
                self.poison(span)
            }
        }
    }

    fn list(&mut self, items: &[Expr], span: Span, hint: Option<&Type>) -> ExprId {
        let elem_hint = hint.and_then(|h| h.non_null().list_elem()).cloned();
        let mut ids = Vec::new();
        let mut elem: Option<Type> = None;
        for item in items {
            let id = self.expr(item, elem_hint.as_ref().or(elem.as_ref()));
            elem = Some(self.one_type(elem, id, "all elements of a list have one type"));
            ids.push(id);
        }
        let elem = elem.or(elem_hint).unwrap_or(Type::Error);
        self.push(Ir::List(ids), Type::List(Box::new(elem)), span)
    }

    /// The type of the elements so far (`prev`) joined with that of `id`:
    /// the elements of a list, the values of a map. Types that do not join
    /// are an error (`context` says why they must).
    fn one_type(&mut self, prev: Option<Type>, id: ExprId, context: &str) -> Type {
        let ty = self.ty(id).clone();
        let Some(prev) = prev else {
            return ty;
        };
        match Type::join(&prev, &ty) {
            Some(j) => j,
            None => {
                let (a, b) = (self.describe(&prev), self.describe(&ty));
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: a,
                        found: b,
                        context: context.into(),
                    },
                    self.span(id),
                );
                Type::Error
            }
        }
    }

    /// `{"k": v, …}`: one value type for all entries (as in a list), from
    /// the entries or, for `{}`, from what the context expects.
    fn map(&mut self, entries: &[(StrLit, Expr)], span: Span, hint: Option<&Type>) -> ExprId {
        let value_hint = hint.and_then(|h| match h.non_null() {
            Type::Map(t) => Some((**t).clone()),
            _ => None,
        });
        let mut out: Vec<(Box<str>, ExprId)> = Vec::new();
        let mut value: Option<Type> = None;
        for (key, item) in entries {
            if out.iter().any(|(k, _)| **k == *key.value) {
                self.error(
                    ErrorKind::Duplicate {
                        what: "map key".into(),
                        name: key.value.clone(),
                    },
                    key.span,
                );
            }
            let id = self.expr(item, value_hint.as_ref().or(value.as_ref()));
            value = Some(self.one_type(value, id, "all values of a map have one type"));
            out.push((key.value.as_str().into(), id));
        }
        let value = value.or(value_hint).unwrap_or(Type::Error);
        self.push(Ir::Map(out), Type::Map(Box::new(value)), span)
    }

    /// `base.name` / `base?.name`, including module members (`sec.MAX_AGE`)
    /// and qualified enum values (`Role.security`).
    fn field(&mut self, base: &Expr, name: &ast::Ident, optional: bool, span: Span) -> ExprId {
        if let Some(id) = self.qualified(base, name, span) {
            return id;
        }
        let b = self.expr(base, None);
        self.field_of(b, name, optional, span)
    }

    /// Resolves `Alias.member`, `Enum.value` and `alias.Enum.value`.
    fn qualified(&mut self, base: &Expr, name: &ast::Ident, span: Span) -> Option<ExprId> {
        match &base.kind {
            ExprKind::Name(n) => match self.lookup(n) {
                super::names::Lookup::Module(target) => {
                    let m = self.cur_module();
                    self.note_use(m, n, DeclKind::Import);
                    Some(self.module_value(target, name, span))
                }
                super::names::Lookup::Type(TypeRef::Enum(e)) => {
                    Some(self.enum_value(e, name, span))
                }
                _ => None,
            },
            ExprKind::Field {
                base: inner,
                name: type_name,
                optional: false,
            } => {
                let ExprKind::Name(alias) = &inner.kind else {
                    return None;
                };
                let super::names::Lookup::Module(target) = self.lookup(alias) else {
                    return None;
                };
                let m = self.cur_module();
                self.note_use(m, alias, DeclKind::Import);
                match self.modules.at(target).types.get(&type_name.name) {
                    Some(TypeRef::Enum(e)) => Some(self.enum_value(*e, name, span)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn enum_value(&mut self, e: crate::types::EnumId, name: &ast::Ident, span: Span) -> ExprId {
        let Some(def) = self.schema.enum_def(e).cloned() else {
            return self.poison(span);
        };
        match def.index(&name.name) {
            Some(i) => self.push(Ir::Const(Const::Enum(e, i)), Type::Enum(e), span),
            None => {
                let suggestion = closest(&name.name, def.values.iter().map(String::as_str))
                    .map(|v| format!("`{v}`"));
                self.error(
                    ErrorKind::UnknownEnumValue {
                        value: name.name.clone(),
                        enum_name: def.name,
                        suggestion,
                    },
                    name.span,
                );
                self.poison(span)
            }
        }
    }

    fn module_value(&mut self, target: usize, name: &ast::Ident, span: Span) -> ExprId {
        if self.modules.at(target).lets.contains_key(&name.name) {
            self.note_use(target, &name.name, DeclKind::Let);
            return match self.let_ref(target, &name.name, span) {
                Some((gid, ty)) => self.push(Ir::Global(gid), ty, span),
                None => self.poison(span),
            };
        }
        if self.modules.at(target).defs.contains_key(&name.name) {
            self.error(
                ErrorKind::TypeMismatch {
                    expected: "a value".into(),
                    found: format!("the def `{}`", name.name),
                    context: format!("call it: `{}(…)`", name.name),
                },
                span,
            );
            return self.poison(span);
        }
        self.unknown_member(target, name, "value")
    }

    /// Field access on an already checked base.
    pub(super) fn field_of(
        &mut self,
        b: ExprId,
        name: &ast::Ident,
        optional: bool,
        span: Span,
    ) -> ExprId {
        let bty = self.ty(b).clone();
        let in_present = self.ctx.last().is_some_and(|c| c.in_present);
        let (inner, null_safe) = match &bty {
            Type::Error => return self.poison(span),
            Type::Optional(inner) => {
                if optional || in_present {
                    ((**inner).clone(), true)
                } else {
                    self.unhandled_optional(b);
                    return self.poison(span);
                }
            }
            Type::Null => {
                self.error(
                    ErrorKind::NoFields {
                        ty: "`null`".into(),
                    },
                    self.span(b),
                );
                return self.poison(span);
            }
            other => (other.clone(), false),
        };
        match &inner {
            Type::Record(rid) => {
                let Some(rec) = self.schema.record(*rid).cloned() else {
                    return self.poison(span);
                };
                match rec.field(&name.name) {
                    Some((slot, f)) => {
                        let ty = if null_safe {
                            f.ty.clone().optional()
                        } else {
                            f.ty.clone()
                        };
                        let id = self.push(
                            Ir::Field {
                                base: b,
                                record: *rid,
                                slot,
                                null_safe,
                            },
                            ty,
                            span,
                        );
                        self.narrow(id)
                    }
                    None => {
                        let suggestion =
                            closest(&name.name, rec.fields.iter().map(|f| f.name.as_str()))
                                .map(|s| format!("`{s}`"));
                        self.error(
                            ErrorKind::UnknownField {
                                field: name.name.clone(),
                                record: rec.name.clone(),
                                suggestion,
                            },
                            name.span,
                        );
                        self.poison(span)
                    }
                }
            }
            Type::List(elem) | Type::Many(elem) if matches!(**elem, Type::Record(_)) => {
                let list = self.text(self.span(b));
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a record".into(),
                        found: self.describe(&inner),
                        context: format!(
                            "`{list}` is a list; take the field of each element with `{list}.map({})`",
                            name.name
                        ),
                    },
                    self.span(b),
                );
                self.poison(span)
            }
            Type::Map(_) => {
                let m = self.text(self.span(b));
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a record".into(),
                        found: self.describe(&inner),
                        context: format!("read a key of a map with `{m}[\"{}\"]`", name.name),
                    },
                    self.span(b),
                );
                self.poison(span)
            }
            other => {
                self.error(
                    ErrorKind::NoFields {
                        ty: self.describe(other),
                    },
                    name.span,
                );
                self.poison(span)
            }
        }
    }

    fn index(&mut self, base: &Expr, index: &Expr, span: Span) -> ExprId {
        let b = self.expr(base, None);
        let bty = self.ty(b).clone();
        match bty {
            Type::Error => self.poison(span),
            Type::List(elem) | Type::Many(elem) => {
                let i = self.expr(index, Some(&Type::Int));
                self.expect_type(i, &Type::Int, "a list is indexed by an integer");
                self.push(Ir::Index { base: b, index: i }, *elem, span)
            }
            Type::Map(value) => {
                let k = self.expr(index, Some(&Type::String));
                self.expect_type(k, &Type::String, "a map is indexed by a string key");
                self.push(Ir::MapGet { base: b, key: k }, value.optional(), span)
            }
            Type::Optional(_) => {
                self.unhandled_optional(b);
                self.poison(span)
            }
            other => {
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a list or a map".into(),
                        found: self.describe(&other),
                        context: "only lists and maps can be indexed with `[…]`".into(),
                    },
                    self.span(b),
                );
                self.poison(span)
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> ExprId {
        match op {
            UnaryOp::Not | UnaryOp::Bang => {
                if op == UnaryOp::Bang {
                    self.error(
                        ErrorKind::NotAnOperator {
                            written: "!".into(),
                            instead: "not".into(),
                        },
                        Span::new(span.source, span.range().start..span.range().start + 1),
                    );
                }
                let x = self.predicate(operand, "`not` applies to a predicate");
                self.push(Ir::Not(x), Type::Bool, span)
            }
            UnaryOp::Neg => {
                let x = self.expr(operand, None);
                let ty = self.ty(x).clone();
                if !matches!(ty, Type::Int | Type::Float | Type::Duration | Type::Error) {
                    self.error(
                        ErrorKind::BadOperands {
                            op: "-".into(),
                            lhs: "nothing".into(),
                            rhs: self.describe(&ty),
                        },
                        span,
                    );
                    return self.poison(span);
                }
                if let Some(Ir::Const(c)) = self.node(x).map(|n| n.ir.clone()) {
                    let folded = match c {
                        Const::Int(i) => i.checked_neg().map(Const::Int),
                        Const::Float(f) => Some(Const::Float(Box::new(f.neg()))),
                        Const::Duration(d) => d.checked_neg().map(Const::Duration),
                        _ => None,
                    };
                    if let Some(c) = folded {
                        return self.push(Ir::Const(c), ty, span);
                    }
                }
                self.push(Ir::Neg(x), ty, span)
            }
        }
    }

    fn new_origin(&mut self) -> u32 {
        self.next_origin += 1;
        self.next_origin
    }

    /// `and` / `or` chains. Facts from earlier items narrow later ones; an
    /// item that relied on them is marked guarded.
    fn logic(&mut self, items: &[Expr], is_and: bool, span: Span) -> ExprId {
        let origin = self.new_origin();
        let mark = self.ctx.last().map(|c| c.mark()).unwrap_or(0);
        let word = if is_and { "and" } else { "or" };
        let mut out = Vec::new();
        for item in items {
            let used_before = self.ctx.last().map(|c| c.used.len()).unwrap_or(0);
            let id = self.predicate(item, &format!("`{word}` joins predicates"));
            let guarded = self.ctx.last().is_some_and(|c| {
                c.used
                    .get(used_before..)
                    .is_some_and(|u| u.contains(&origin))
            });
            out.push((id, guarded));
            let facts = self.facts(id, is_and);
            if let Some(c) = self.cur() {
                for (f, presence) in facts {
                    c.facts.push((f, origin, presence));
                }
            }
        }
        if let Some(c) = self.cur() {
            c.restore(mark);
        }
        let ir = if is_and { Ir::And(out) } else { Ir::Or(out) };
        self.push(ir, Type::Bool, span)
    }

    /// Places known non-null when `id` evaluates to `polarity`, each with
    /// whether `present(…)` established it.
    pub(super) fn facts(&self, id: ExprId, polarity: bool) -> Vec<(Place, bool)> {
        let Some(node) = self.node(id) else {
            return Vec::new();
        };
        let is_null =
            |x: ExprId| matches!(self.node(x).map(|n| &n.ir), Some(Ir::Const(Const::Null)));
        let is_const = |x: ExprId| matches!(self.node(x).map(|n| &n.ir), Some(Ir::Const(c)) if *c != Const::Null);
        match &node.ir {
            Ir::Compare { op, lhs, rhs } => {
                let (place, other) = if is_null(*rhs) || is_const(*rhs) {
                    (*lhs, *rhs)
                } else if is_null(*lhs) || is_const(*lhs) {
                    (*rhs, *lhs)
                } else {
                    return Vec::new();
                };
                let non_null = matches!(
                    (op, is_null(other), polarity),
                    (CmpOp::Ne, true, true)
                        | (CmpOp::Eq, true, false)
                        | (CmpOp::Eq, false, true)
                        | (CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge, false, _)
                );
                if non_null {
                    self.place_fact(place)
                        .into_iter()
                        .map(|p| (p, false))
                        .collect()
                } else {
                    Vec::new()
                }
            }
            Ir::And(items) if polarity => items
                .iter()
                .flat_map(|(i, _)| self.facts(*i, true))
                .collect(),
            Ir::Or(items) if !polarity => items
                .iter()
                .flat_map(|(i, _)| self.facts(*i, false))
                .collect(),
            Ir::Not(x) => self.facts(*x, !polarity),
            Ir::Present { args, .. } if polarity => args
                .iter()
                .flat_map(|a| self.place_fact(*a))
                .map(|p| (p, true))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Pushes facts that hold from here to the end of the context.
    pub(super) fn assume(&mut self, id: ExprId) {
        let origin = self.new_origin();
        let facts = self.facts(id, true);
        if let Some(c) = self.cur() {
            for (f, presence) in facts {
                c.facts.push((f, origin, presence));
            }
        }
    }

    fn if_expr(
        &mut self,
        cond: &Expr,
        then: &Expr,
        otherwise: &Expr,
        span: Span,
        hint: Option<&Type>,
    ) -> ExprId {
        let c = self.predicate(cond, "the condition of `if` is a predicate");
        let mark = self.ctx.last().map(|c| c.mark()).unwrap_or(0);
        let origin = self.new_origin();
        let push_facts = |this: &mut Self, polarity: bool| {
            let facts = this.facts(c, polarity);
            if let Some(ctx) = this.cur() {
                ctx.restore(mark);
                for (f, presence) in facts {
                    ctx.facts.push((f, origin, presence));
                }
            }
        };
        push_facts(self, true);
        let a = self.expr(then, hint);
        push_facts(self, false);
        let b = self.expr(otherwise, hint.or(Some(self.ty(a)).cloned().as_ref()));
        if let Some(ctx) = self.cur() {
            ctx.restore(mark);
        }
        let (ta, tb) = (self.ty(a).clone(), self.ty(b).clone());
        let ty = self.join_or_report(&ta, &tb, b, "both branches of `if` have one type");
        self.push(
            Ir::If {
                cond: c,
                then: a,
                otherwise: b,
            },
            ty,
            span,
        )
    }

    /// Whether an operand can only be typed with help from the other side:
    /// a string literal or bare name that may be an enum value, or a list
    /// of them.
    fn needs_hint(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Lit(Lit::Str(_)) | ExprKind::Lit(Lit::Null) => true,
            ExprKind::Name(n) => !self.name_is_value(n),
            ExprKind::List(items) => items.iter().all(|i| self.needs_hint(i)),
            ExprKind::Paren(inner) => self.needs_hint(inner),
            _ => false,
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
        hint: Option<&Type>,
    ) -> ExprId {
        match op {
            BinOp::Assign => {
                self.error(
                    ErrorKind::NotAnOperator {
                        written: "=".into(),
                        instead: "==".into(),
                    },
                    self.op_span(lhs, rhs),
                );
                self.compare(CmpOp::Eq, lhs, rhs, span)
            }
            BinOp::AmpAmp | BinOp::PipePipe => {
                let (written, instead) = if op == BinOp::AmpAmp {
                    ("&&", "and")
                } else {
                    ("||", "or")
                };
                self.error(
                    ErrorKind::NotAnOperator {
                        written: written.into(),
                        instead: instead.into(),
                    },
                    self.op_span(lhs, rhs),
                );
                let l = self.predicate(lhs, "operands are predicates");
                let r = self.predicate(rhs, "operands are predicates");
                let items = vec![(l, false), (r, false)];
                let ir = if op == BinOp::AmpAmp {
                    Ir::And(items)
                } else {
                    Ir::Or(items)
                };
                self.push(ir, Type::Bool, span)
            }
            BinOp::Eq => self.compare(CmpOp::Eq, lhs, rhs, span),
            BinOp::Ne => self.compare(CmpOp::Ne, lhs, rhs, span),
            BinOp::Lt => self.compare(CmpOp::Lt, lhs, rhs, span),
            BinOp::Le => self.compare(CmpOp::Le, lhs, rhs, span),
            BinOp::Gt => self.compare(CmpOp::Gt, lhs, rhs, span),
            BinOp::Ge => self.compare(CmpOp::Ge, lhs, rhs, span),
            BinOp::In | BinOp::NotIn => {
                let id = self.membership(lhs, rhs, span);
                if op == BinOp::NotIn {
                    self.push(Ir::Not(id), Type::Bool, span)
                } else {
                    id
                }
            }
            BinOp::Coalesce => self.coalesce(lhs, rhs, span, hint),
            BinOp::Add => self.arith(ArithOp::Add, lhs, rhs, span, hint),
            BinOp::Sub => self.arith(ArithOp::Sub, lhs, rhs, span, hint),
            BinOp::Mul => self.arith(ArithOp::Mul, lhs, rhs, span, hint),
            BinOp::Div => self.arith(ArithOp::Div, lhs, rhs, span, hint),
            BinOp::Rem => self.arith(ArithOp::Rem, lhs, rhs, span, hint),
        }
    }

    /// The span between two operands, where the operator is.
    fn op_span(&self, lhs: &Expr, rhs: &Expr) -> Span {
        let text = self.sources.slice(Span::new(
            lhs.span.source,
            lhs.span.range().end..rhs.span.range().start,
        ));
        let trimmed_start = text.len() - text.trim_start().len();
        let start = lhs.span.range().end + trimmed_start;
        let end = start + text.trim().len();
        Span::new(lhs.span.source, start..end.max(start + 1))
    }

    /// Checks two operands, the one that needs a hint second.
    fn operands(&mut self, lhs: &Expr, rhs: &Expr) -> (ExprId, ExprId) {
        if self.needs_hint(lhs) && !self.needs_hint(rhs) {
            let r = self.expr(rhs, None);
            let hint = self.ty(r).clone();
            let l = self.expr(lhs, Some(&hint));
            (l, r)
        } else {
            let l = self.expr(lhs, None);
            let hint = self.ty(l).clone();
            let r = self.expr(rhs, Some(&hint));
            (l, r)
        }
    }

    fn compare(&mut self, op: CmpOp, lhs: &Expr, rhs: &Expr, span: Span) -> ExprId {
        let (l, r) = self.operands(lhs, rhs);
        let (tl, tr) = (self.ty(l).clone(), self.ty(r).clone());
        let ok = match op {
            CmpOp::Eq | CmpOp::Ne => {
                let with_null = matches!(tl, Type::Null) || matches!(tr, Type::Null);
                if with_null || tl.comparable_with(&tr) {
                    let never_null = |t: &Type| !t.is_optional() && *t != Type::Error;
                    if (matches!(tr, Type::Null) && never_null(&tl))
                        || (matches!(tl, Type::Null) && never_null(&tr))
                    {
                        let (place, ty) = if matches!(tr, Type::Null) {
                            (l, &tl)
                        } else {
                            (r, &tr)
                        };
                        let expr = self.text(self.span(place));
                        let warning = Error::new(
                            ErrorKind::NeverNull {
                                expr,
                                consequence: format!(
                                    "its type is {}, so this comparison always has the same result",
                                    self.describe(ty)
                                ),
                            },
                            span,
                        )
                        .warning();
                        self.warnings.push(warning);
                    }
                    true
                } else {
                    false
                }
            }
            _ => {
                for (id, ty) in [(l, &tl), (r, &tr)] {
                    if ty.is_optional() && *ty != Type::Null {
                        self.unhandled_optional(id);
                        return self.poison(span);
                    }
                }
                matches!(
                    (&tl, &tr),
                    (Type::Error, _)
                        | (_, Type::Error)
                        | (Type::Int | Type::Float, Type::Int | Type::Float)
                        | (Type::String, Type::String)
                        | (Type::Time, Type::Time)
                        | (Type::Duration, Type::Duration)
                )
            }
        };
        if !ok {
            let mut err = Error::new(
                ErrorKind::NotComparable {
                    op: op.as_str().into(),
                    lhs: self.describe(&tl),
                    rhs: self.describe(&tr),
                },
                span,
            );
            if matches!(
                (&tl, &tr),
                (Type::Duration, Type::Int | Type::Float)
                    | (Type::Int | Type::Float, Type::Duration)
            ) {
                err = err.with_note(
                    "a bare number has no unit: write a duration such as `90d` or `12h`",
                );
            }
            if matches!(
                (&tl, &tr),
                (Type::Enum(_), Type::String) | (Type::String, Type::Enum(_))
            ) {
                err = err.with_note(
                    "compare an enum with one of its values, or convert it with `string(…)`",
                );
            }
            self.errors.push(err);
            return self.poison(span);
        }
        self.push(Ir::Compare { op, lhs: l, rhs: r }, Type::Bool, span)
    }

    /// `x in xs`: scalar lists and maps become [`Ir::In`]; lists of records
    /// with a `key` become `includes`.
    fn membership(&mut self, lhs: &Expr, rhs: &Expr, span: Span) -> ExprId {
        let (item, list) = if self.needs_hint(rhs) && !self.needs_hint(lhs) {
            let item = self.expr(lhs, None);
            let hint = Type::List(Box::new(self.ty(item).clone()));
            (item, self.expr(rhs, Some(&hint)))
        } else {
            let list = self.expr(rhs, None);
            let lty = self.ty(list).clone();
            let hint = match lty.non_null() {
                Type::List(e) | Type::Many(e) => match &**e {
                    Type::Record(rid) => self.schema.key_type(*rid).cloned(),
                    other => Some(other.clone()),
                },
                Type::Map(_) => Some(Type::String),
                _ => None,
            };
            (self.expr(lhs, hint.as_ref()), list)
        };
        let lty = self.ty(list).clone();
        match lty.non_null() {
            Type::List(e) | Type::Many(e) if matches!(**e, Type::Record(_)) => {
                self.includes_checked(list, vec![item], span)
            }
            _ => self.in_checked(item, list, span),
        }
    }

    pub(super) fn in_checked(&mut self, item: ExprId, list: ExprId, span: Span) -> ExprId {
        let (ti, tl) = (self.ty(item).clone(), self.ty(list).clone());
        if tl.is_optional() && tl != Type::Null {
            self.unhandled_optional(list);
            return self.poison(span);
        }
        let ok = match &tl {
            Type::Error => true,
            Type::List(e) | Type::Many(e) => ti.comparable_with(e),
            Type::Map(_) => ti.assignable_to(&Type::String),
            _ => false,
        };
        if !ok {
            let context = match &tl {
                Type::List(_) | Type::Many(_) | Type::Map(_) => {
                    "the value must have the type of the elements".into()
                }
                Type::String => "for text inside text use `s.contains(t)`".into(),
                _ => "`in` looks for a value in a list or a key in a map".into(),
            };
            let expected = match &tl {
                Type::List(e) | Type::Many(e) => self.describe(e),
                Type::Map(_) => "`string`".into(),
                _ => "a list".into(),
            };
            let found = self.describe(&ti);
            let at = if matches!(tl, Type::List(_) | Type::Many(_) | Type::Map(_)) {
                self.span(item)
            } else {
                self.span(list)
            };
            self.error(
                ErrorKind::TypeMismatch {
                    expected,
                    found: if at == self.span(item) {
                        found
                    } else {
                        self.describe(&tl)
                    },
                    context,
                },
                at,
            );
            return self.poison(span);
        }
        self.push(Ir::In { item, list }, Type::Bool, span)
    }

    fn coalesce(&mut self, lhs: &Expr, rhs: &Expr, span: Span, hint: Option<&Type>) -> ExprId {
        let l = self.expr(lhs, hint);
        let tl = self.ty(l).clone();
        let inner = tl.non_null().clone();
        let r = self.expr(rhs, Some(&inner));
        let tr = self.ty(r).clone();
        if !tl.is_optional() && tl != Type::Error {
            let expr = self.text(self.span(l));
            let warning = Error::new(
                ErrorKind::NeverNull {
                    expr,
                    consequence: "the default after `??` is never used".into(),
                },
                self.span(l),
            )
            .warning();
            self.warnings.push(warning);
        }
        let ty = self.join_or_report(
            &inner,
            &tr,
            r,
            "the default after `??` has the type of the value",
        );
        self.push(Ir::Coalesce { lhs: l, rhs: r }, ty, span)
    }

    fn arith(
        &mut self,
        op: ArithOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
        hint: Option<&Type>,
    ) -> ExprId {
        let l = self.expr(lhs, hint);
        let r = self.expr(rhs, hint);
        let (tl, tr) = (self.ty(l).clone(), self.ty(r).clone());
        for (id, ty) in [(l, &tl), (r, &tr)] {
            if ty.is_optional() {
                self.unhandled_optional(id);
                return self.poison(span);
            }
        }
        use ArithOp::*;
        use Type::*;
        let ty = match (op, &tl, &tr) {
            (_, Error, _) | (_, _, Error) => Some(Type::Error),
            (_, Int, Int) => Some(Int),
            (Add | Sub | Mul | Div, Int | Float, Int | Float) => Some(Float),
            (Add | Sub, Time, Duration) => Some(Time),
            (Add, Duration, Time) => Some(Time),
            (Sub, Time, Time) => Some(Duration),
            (Add | Sub, Duration, Duration) => Some(Duration),
            (Mul | Div, Duration, Int) => Some(Duration),
            (Mul, Int, Duration) => Some(Duration),
            (Add, String, String) => Some(String),
            (Add, List(a), List(b)) => Type::join(a, b).map(|e| List(Box::new(e))),
            _ => None,
        };
        match ty {
            Some(ty) => self.push(Ir::Arith { op, lhs: l, rhs: r }, ty, span),
            None => {
                let mut err = crate::error::Error::new(
                    ErrorKind::BadOperands {
                        op: op.as_str().into(),
                        lhs: self.describe(&tl),
                        rhs: self.describe(&tr),
                    },
                    span,
                );
                if matches!(
                    (&tl, &tr),
                    (Duration, Int | Float) | (Int | Float, Duration) | (Time, Int | Float)
                ) {
                    err = err.with_note(
                        "a bare number has no unit: write a duration such as `90d` or `12h`",
                    );
                }
                self.errors.push(err);
                self.poison(span)
            }
        }
    }
}
