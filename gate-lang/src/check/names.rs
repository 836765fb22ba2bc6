//! Resolving bare names, and suggestions when a name is unknown.
//!
//! A bare name is looked up in this order (see `docs/language.md`):
//! 1. bindings, innermost first: `def` parameters, rule `let`s, the
//!    parameter of a `x => …` function, and the fields of the implicit
//!    element of a predicate argument (`secrets.all(vaulted)`);
//! 2. the module's top-level `let`s;
//! 3. the evidence root's fields (in a gate);
//! 4. enum values: of the enum the context expects (`role == owner`), or
//!    else of the only enum that has a value of that name.
//!
//! A name found in steps 1–3 that is also a value of the enum the context
//! expects is ambiguous and reported, never silently resolved.

use super::scope::PlaceBase;
use super::{closest, Checker, TypeRef};
use crate::ast;
use crate::error::{Error, ErrorKind};
use crate::ir::{Const, DeclKind, ExprId, Ir};
use crate::span::Span;
use crate::types::{EnumId, Type};

/// What a bare name refers to, before any node is built.
pub(super) enum Lookup {
    /// A local binding's slot.
    Local(u32, Type),
    /// A field of an implicit element.
    ElementField {
        slot: u32,
        elem: Type,
        record: crate::types::RecordId,
        field: u32,
        ty: Type,
    },
    /// A top-level `let` of the current module.
    Global(String),
    /// An evidence root field.
    Root(crate::types::RecordId, u32, Type),
    /// A `def` of the current module.
    Def,
    /// An imported module.
    Module(usize),
    /// A type of the current module.
    Type(TypeRef),
    /// An import that failed (already reported).
    FailedImport,
    /// Nothing.
    None,
}

impl Checker {
    /// Records that module `m`'s declaration `name` is referenced.
    pub(super) fn note_use(&mut self, m: usize, name: &str, kind: DeclKind) {
        let source = self.modules.at(m).ast.span.source;
        self.names.used.insert((source, name.to_string(), kind));
    }

    /// Records that the local binding in `slot` is referenced.
    fn note_local_use(&mut self, slot: u32) {
        let decl = self
            .ctx
            .last()
            .and_then(|c| c.bindings.iter().rev().find(|b| b.slot == slot))
            .and_then(|b| b.decl);
        if let Some(d) = decl {
            self.names.used_locals.insert((d.source, d.start));
        }
    }

    /// Records what a new local binding `name` declared at `decl` hides, if
    /// anything.
    pub(super) fn note_shadowing(&mut self, name: &str, decl: Span) {
        let m = self.cur_module();
        let (hides, hidden_at) = match self.lookup(name) {
            Lookup::Local(slot, _) => {
                let at = self
                    .ctx
                    .last()
                    .and_then(|c| c.bindings.iter().rev().find(|b| b.slot == slot))
                    .and_then(|b| b.decl);
                (format!("the variable `{name}` declared before"), at)
            }
            Lookup::ElementField { record, .. } => (
                format!(
                    "the field `{name}` of the current `{}` element",
                    self.show(&Type::Record(record))
                ),
                None,
            ),
            Lookup::Global(_) => (
                format!("the top-level `let {name}`"),
                self.decl_span(m, name, DeclKind::Let),
            ),
            Lookup::Def => (
                format!("the `def {name}`"),
                self.decl_span(m, name, DeclKind::Def),
            ),
            Lookup::Module(_) => (
                format!("the import `{name}`"),
                self.decl_span(m, name, DeclKind::Import),
            ),
            Lookup::Root(..) => (format!("the evidence field `{name}`"), None),
            _ => return,
        };
        self.names.shadows.push(crate::ir::Shadow {
            name: name.to_string(),
            span: decl,
            hides,
            hidden_at,
            at_use: false,
        });
    }

    /// Records that the implicit element's field `name`, used at `span`,
    /// hides a variable, a top-level `let` or an evidence field of the same
    /// name.
    fn note_field_shadowing(&mut self, name: &str, span: Span) {
        let m = self.cur_module();
        let named = self.ctx.last().and_then(|c| {
            c.bindings
                .iter()
                .rev()
                .find(|b| b.name.as_deref() == Some(name))
                .map(|b| b.decl)
        });
        let (hides, hidden_at) = if let Some(at) = named {
            (format!("the variable `{name}`"), at)
        } else if self.modules.at(m).lets.contains_key(name) {
            (
                format!("the top-level `let {name}`"),
                self.decl_span(m, name, DeclKind::Let),
            )
        } else if self.ctx.last().is_some_and(|c| c.allow_evidence)
            && self.root_field(name).is_some()
        {
            (format!("the evidence field `{name}`"), None)
        } else {
            return;
        };
        self.names.shadows.push(crate::ir::Shadow {
            name: name.to_string(),
            span,
            hides,
            hidden_at,
            at_use: true,
        });
    }

    /// Where module `m` declares `name`.
    fn decl_span(&self, m: usize, name: &str, kind: DeclKind) -> Option<Span> {
        self.modules
            .at(m)
            .ast
            .items
            .iter()
            .find_map(|item| match (item, kind) {
                (ast::Item::Let(l), DeclKind::Let) if l.name.name == name => Some(l.name.span),
                (ast::Item::Def(d), DeclKind::Def) if d.name.name == name => Some(d.name.span),
                (ast::Item::Import(i), DeclKind::Import) => i
                    .alias
                    .as_ref()
                    .filter(|a| a.name == name)
                    .map(|a| a.span)
                    .or_else(|| (crate::loader::import_alias(i) == name).then_some(i.span)),
                _ => None,
            })
    }

    pub(super) fn lookup(&self, name: &str) -> Lookup {
        let m = self.cur_module();
        if let Some(ctx) = self.ctx.last() {
            for b in ctx.bindings.iter().rev() {
                match &b.name {
                    Some(n) if n == name => return Lookup::Local(b.slot, b.ty.clone()),
                    None => {
                        if let Type::Record(rid) = &b.ty {
                            if let Some((slot, f)) =
                                self.schema.record(*rid).and_then(|r| r.field(name))
                            {
                                return Lookup::ElementField {
                                    slot: b.slot,
                                    elem: b.ty.clone(),
                                    record: *rid,
                                    field: slot,
                                    ty: f.ty.clone(),
                                };
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let module = self.modules.at(m);
        if module.lets.contains_key(name) {
            return Lookup::Global(name.to_string());
        }
        if module.defs.contains_key(name) {
            return Lookup::Def;
        }
        if let Some(&target) = module.imports.get(name) {
            return Lookup::Module(target);
        }
        if self.ctx.last().is_some_and(|c| c.allow_evidence) {
            if let Some((rid, slot, ty)) = self.root_field(name) {
                return Lookup::Root(rid, slot, ty);
            }
        }
        if let Some(t) = module.types.get(name) {
            return Lookup::Type(*t);
        }
        if module.failed_imports.iter().any(|f| f == name) {
            return Lookup::FailedImport;
        }
        Lookup::None
    }

    /// Whether a bare name denotes a value without help from the context.
    pub(super) fn name_is_value(&self, name: &str) -> bool {
        matches!(
            self.lookup(name),
            Lookup::Local(..) | Lookup::ElementField { .. } | Lookup::Global(_) | Lookup::Root(..)
        )
    }

    /// The enum the context expects, looking through `?` and lists.
    pub(super) fn hint_enum(hint: Option<&Type>) -> Option<EnumId> {
        match hint? {
            Type::Enum(e) => Some(*e),
            Type::Optional(t) | Type::List(t) | Type::Many(t) => Self::hint_enum(Some(t)),
            _ => None,
        }
    }

    /// Builds the node for a bare name.
    pub(super) fn resolve_name(&mut self, name: &str, span: Span, hint: Option<&Type>) -> ExprId {
        let found = self.lookup(name);
        if let Some(e) = Self::hint_enum(hint) {
            if let Some(index) = self.schema.enum_def(e).and_then(|d| d.index(name)) {
                let enum_name = self.show(&Type::Enum(e));
                let other = match &found {
                    Lookup::Local(..) => Some("a variable".to_string()),
                    Lookup::ElementField { record, .. } => Some(format!(
                        "a field of `{}`",
                        self.show(&Type::Record(*record))
                    )),
                    Lookup::Global(_) => Some("a `let`".to_string()),
                    Lookup::Root(..) => Some("an evidence field".to_string()),
                    _ => None,
                };
                if let Some(other) = other {
                    self.error(
                        ErrorKind::AmbiguousName {
                            name: name.to_string(),
                            meanings: vec![format!("a value of `{enum_name}`"), other],
                            help: format!(
                                "write `{enum_name}.{name}` for the enum value, or `it.{name}` / a named element (`x => x.{name}`) for the field"
                            ),
                        },
                        span,
                    );
                    return self.poison(span);
                }
                return self.push(Ir::Const(Const::Enum(e, index)), Type::Enum(e), span);
            }
        }
        match found {
            Lookup::Local(slot, ty) => {
                self.note_local_use(slot);
                let id = self.push(Ir::Local(slot), ty, span);
                self.narrow(id)
            }
            Lookup::ElementField {
                slot,
                elem,
                record,
                field,
                ty,
            } => {
                self.note_field_shadowing(name, span);
                let base = self.push(Ir::Local(slot), elem, span);
                let id = self.push(
                    Ir::Field {
                        base,
                        record,
                        slot: field,
                        null_safe: false,
                    },
                    ty,
                    span,
                );
                self.narrow(id)
            }
            Lookup::Global(n) => {
                let m = self.cur_module();
                self.note_use(m, &n, DeclKind::Let);
                match self.let_ref(m, &n, span) {
                    Some((gid, ty)) => {
                        let id = self.push(Ir::Global(gid), ty, span);
                        self.narrow(id)
                    }
                    None => self.poison(span),
                }
            }
            Lookup::Root(rid, slot, ty) => {
                let root = self.push(Ir::Root, Type::Record(rid), span);
                let id = self.push(
                    Ir::Field {
                        base: root,
                        record: rid,
                        slot,
                        null_safe: false,
                    },
                    ty,
                    span,
                );
                self.narrow(id)
            }
            Lookup::Def => {
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a value".into(),
                        found: format!("the def `{name}`"),
                        context: format!("call it: `{name}(…)`"),
                    },
                    span,
                );
                self.poison(span)
            }
            Lookup::Module(_) => {
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a value".into(),
                        found: format!("the module `{name}`"),
                        context: format!("use one of its members: `{name}.NAME`"),
                    },
                    span,
                );
                self.poison(span)
            }
            Lookup::Type(t) => {
                let example = match t {
                    TypeRef::Enum(e) => self
                        .schema
                        .enum_def(e)
                        .and_then(|d| d.values.first())
                        .map(|v| format!("`{name}.{v}`"))
                        .unwrap_or_else(|| format!("`{name}.VALUE`")),
                    TypeRef::Record(_) => "an evidence field of this type".into(),
                };
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: "a value".into(),
                        found: format!("the type `{name}`"),
                        context: format!("write a value, e.g. {example}"),
                    },
                    span,
                );
                self.poison(span)
            }
            Lookup::FailedImport => self.poison(span),
            Lookup::None => self.unique_enum_value(name, span, hint),
        }
    }

    fn unique_enum_value(&mut self, name: &str, span: Span, hint: Option<&Type>) -> ExprId {
        let matches: Vec<(EnumId, u32)> = self
            .schema
            .enums
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((EnumId(u32::try_from(i).ok()?), e.index(name)?)))
            .collect();
        match matches.as_slice() {
            [(e, index)] => self.push(Ir::Const(Const::Enum(*e, *index)), Type::Enum(*e), span),
            [] => {
                let suggestion = self.suggest_name(name, hint);
                self.error(
                    ErrorKind::UnknownName {
                        name: name.to_string(),
                        suggestion,
                    },
                    span,
                );
                self.poison(span)
            }
            many => {
                let meanings: Vec<String> = many
                    .iter()
                    .map(|(e, _)| format!("`{}.{name}`", self.show(&Type::Enum(*e))))
                    .collect();
                let help = format!("write one of {}", crate::error::join_or(&meanings));
                self.error(
                    ErrorKind::AmbiguousName {
                        name: name.to_string(),
                        meanings,
                        help,
                    },
                    span,
                );
                self.poison(span)
            }
        }
    }

    /// A "did you mean" for an unknown bare name, saying what the match is.
    pub(super) fn suggest_name(&self, name: &str, hint: Option<&Type>) -> Option<String> {
        if self.quiet_suggestions {
            return None;
        }
        /// What a candidate is; described only for the one suggested.
        enum What<'s> {
            EnumValue(&'s str),
            Variable,
            Field(&'s str),
            Let,
            EvidenceField,
        }
        let mut candidates: Vec<(&str, What<'_>)> = Vec::new();
        if let Some(e) = Self::hint_enum(hint) {
            if let Some(d) = self.schema.enum_def(e) {
                for v in &d.values {
                    candidates.push((v, What::EnumValue(&d.name)));
                }
            }
        }
        if let Some(ctx) = self.ctx.last() {
            for b in ctx.bindings.iter().rev() {
                match (&b.name, &b.ty) {
                    (Some(n), _) => candidates.push((n, What::Variable)),
                    (None, Type::Record(rid)) => {
                        if let Some(r) = self.schema.record(*rid) {
                            for f in &r.fields {
                                candidates.push((&f.name, What::Field(&r.name)));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let module = self.modules.at(self.cur_module());
        for l in module.lets.keys() {
            candidates.push((l, What::Let));
        }
        if self.ctx.last().is_some_and(|c| c.allow_evidence) {
            if let Some(r) = self.schema.root.and_then(|r| self.schema.record(r)) {
                for f in &r.fields {
                    candidates.push((&f.name, What::EvidenceField));
                }
            }
        }
        if Self::hint_enum(hint).is_none() {
            for d in &self.schema.enums {
                for v in &d.values {
                    candidates.push((v, What::EnumValue(&d.name)));
                }
            }
        }
        let best = closest(name, candidates.iter().map(|(n, _)| *n))?;
        let what = match candidates
            .iter()
            .find(|(n, _)| *n == best)
            .map(|(_, w)| w)?
        {
            What::EnumValue(e) => format!("a value of `{e}`"),
            What::Variable => "a variable".into(),
            What::Field(r) => format!("a field of `{r}`"),
            What::Let => "a `let`".into(),
            What::EvidenceField => "an evidence field".into(),
        };
        Some(format!("`{best}` ({what})"))
    }

    /// Gives the node a non-null type if a guard established its place.
    ///
    /// Reading a place that a guard established (even one that cannot be
    /// null by its type, as after `present(x)`) makes the read depend on the
    /// guard, so the item holding it is evaluated only when the guard holds.
    pub(super) fn narrow(&mut self, id: ExprId) -> ExprId {
        let Some(place) = super::scope::place_of(&self.nodes, id) else {
            return id;
        };
        let optional = self.ty(id).is_optional();
        let known = self
            .ctx
            .last_mut()
            .is_some_and(|c| c.known(&place, optional));
        if known && optional {
            if let Some(n) = self.nodes.get_mut(id.0 as usize) {
                n.ty = n.ty.non_null().clone();
            }
        }
        id
    }

    /// A place rooted in a local, the evidence or a global, as a fact key.
    pub(super) fn place_fact(&self, id: ExprId) -> Vec<super::scope::Place> {
        match super::scope::place_of(&self.nodes, id) {
            Some(p) => super::scope::with_prefixes(p)
                .into_iter()
                .filter(|(b, f)| !(matches!(b, PlaceBase::Root) && f.is_empty()))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Reports a bare name used as a value where a module member was meant.
    pub(super) fn unknown_member(
        &mut self,
        module: usize,
        name: &crate::ast::Ident,
        what: &str,
    ) -> ExprId {
        let mi = self.modules.at(module);
        let candidates: Vec<&str> = mi
            .lets
            .keys()
            .chain(mi.defs.keys())
            .chain(mi.types.keys())
            .map(String::as_str)
            .collect();
        let suggestion = closest(&name.name, candidates).map(|s| format!("`{s}`"));
        let err = Error::new(
            ErrorKind::UnknownModuleMember {
                module: mi.name.clone(),
                what: what.to_string(),
                name: name.name.clone(),
                suggestion,
            },
            name.span,
        );
        self.errors.push(err);
        self.poison(name.span)
    }
}
