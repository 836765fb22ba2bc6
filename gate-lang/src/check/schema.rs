//! Types: declaring enums and records, resolving type expressions, and the
//! `key` and `elements` directives of records.

use super::scope::Ctx;
use super::{closest, Checker, TypeRef};
use crate::ast::{self, Item, RecordMember, TypeKind};
use crate::error::{Error, ErrorKind};
use crate::types::{EnumDef, EnumId, FieldDef, KeyDef, RecordDef, RecordId, Type};
use std::collections::HashMap;

const GENERIC_TYPES: &[&str] = &["map", "many"];

impl Checker {
    /// Registers the names of a module's enums and records.
    pub(super) fn declare_types(&mut self, m: usize) {
        let file = self.modules.at(m).ast.clone();
        let mut seen: HashMap<String, crate::span::Span> = HashMap::new();
        for item in &file.items {
            let (name, span) = match item {
                Item::Enum(e) => (&e.name, e.span),
                Item::Record(r) => (&r.name, r.span),
                _ => continue,
            };
            if crate::types::primitive(&name.name).is_some()
                || GENERIC_TYPES.contains(&name.name.as_str())
            {
                self.errors.push(
                    Error::new(
                        ErrorKind::Duplicate {
                            what: "type".into(),
                            name: name.name.clone(),
                        },
                        name.span,
                    )
                    .with_note(format!("`{}` is a built-in type", name.name)),
                );
                continue;
            }
            if let Some(first) = seen.get(&name.name) {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: "type".into(),
                        name: name.name.clone(),
                    },
                    name.span,
                )
                .with_label(*first, "first defined here");
                self.errors.push(err);
                continue;
            }
            seen.insert(name.name.clone(), span);
            let qualified = self.qualify(m, &name.name);
            let r = match item {
                Item::Enum(e) => {
                    let mut values: Vec<String> = Vec::new();
                    for v in &e.variants {
                        if values.contains(&v.value) {
                            self.error(
                                ErrorKind::Duplicate {
                                    what: "enum value".into(),
                                    name: v.value.clone(),
                                },
                                v.span,
                            );
                            continue;
                        }
                        values.push(v.value.clone());
                    }
                    let id = EnumId(u32::try_from(self.schema.enums.len()).unwrap_or(u32::MAX));
                    self.schema.enums.push(EnumDef {
                        name: qualified,
                        values,
                        span: e.span,
                    });
                    TypeRef::Enum(id)
                }
                _ => TypeRef::Record(self.new_record(qualified, span)),
            };
            self.modules.at_mut(m).types.insert(name.name.clone(), r);
        }
    }

    fn qualify(&self, m: usize, name: &str) -> String {
        if m == self.entry {
            name.to_string()
        } else {
            format!("{}.{}", self.modules.at(m).name, name)
        }
    }

    fn new_record(&mut self, name: String, span: crate::span::Span) -> RecordId {
        let id = RecordId(u32::try_from(self.schema.records.len()).unwrap_or(u32::MAX));
        self.schema.records.push(RecordDef {
            name,
            fields: Vec::new(),
            key: None,
            elements: None,
            span,
        });
        id
    }

    /// Fills in the fields of a module's records and its evidence root.
    pub(super) fn resolve_records(&mut self, m: usize) {
        let file = self.modules.at(m).ast.clone();
        let mut evidence_seen = false;
        for item in &file.items {
            match item {
                Item::Record(r) => {
                    if let Some(TypeRef::Record(id)) =
                        self.modules.at(m).types.get(&r.name.name).copied()
                    {
                        let name = self.qualify(m, &r.name.name);
                        self.resolve_members(m, id, &r.members, &name, false);
                    }
                }
                Item::Evidence(e) => {
                    if !self.modules.at(m).is_gate {
                        self.error(
                            ErrorKind::NotInModule {
                                what: "`evidence`".into(),
                            },
                            e.span,
                        );
                    } else if evidence_seen {
                        self.error(ErrorKind::SecondEvidence, e.span);
                        // Keep its fields, so their uses do not add errors.
                        if let Some(root) = self.schema.root {
                            let before = self
                                .schema
                                .record(root)
                                .map(|r| r.fields.clone())
                                .unwrap_or_default();
                            self.resolve_members(m, root, &e.members, "evidence", true);
                            if let Some(r) = self.schema.records.get_mut(root.0 as usize) {
                                let added = std::mem::take(&mut r.fields);
                                r.fields = before;
                                for f in added {
                                    if !r.fields.iter().any(|x| x.name == f.name) {
                                        r.fields.push(f);
                                    }
                                }
                            }
                        }
                    } else {
                        evidence_seen = true;
                        let id = self.new_record("evidence".into(), e.span);
                        self.schema.root = Some(id);
                        self.resolve_members(m, id, &e.members, "evidence", true);
                    }
                }
                _ => {}
            }
        }
    }

    fn resolve_members(
        &mut self,
        m: usize,
        id: RecordId,
        members: &[RecordMember],
        name: &str,
        is_root: bool,
    ) {
        let mut fields: Vec<FieldDef> = Vec::new();
        let mut directives = Vec::new();
        for member in members {
            match member {
                RecordMember::Field(f) => {
                    let fname = f.name().to_string();
                    if let Some(first) = fields.iter().find(|x| x.name == fname || x.key == f.key) {
                        let err = Error::new(
                            ErrorKind::Duplicate {
                                what: "field".into(),
                                name: fname.clone(),
                            },
                            f.key_span,
                        )
                        .with_label(first.span, "first defined here");
                        self.errors.push(err);
                        continue;
                    }
                    let ty = self.resolve_type(m, &f.ty, &format!("{name}.{fname}"));
                    let mut sensitive = false;
                    let mut format = None;
                    let mut decode: Vec<crate::types::Encoding> = Vec::new();
                    for a in &f.attributes {
                        let encoding = crate::types::Encoding::ALL
                            .iter()
                            .find(|(n, _)| *n == a.name)
                            .map(|(_, e)| *e);
                        if let Some(e) = encoding {
                            // Text first, then at most one document:
                            // `@base64 @json`, not `@json @base64`.
                            let after_document = decode.iter().any(|d| d.is_document());
                            if after_document || decode.contains(&e) {
                                self.error(
                                    ErrorKind::TypeMismatch {
                                        expected: "one document encoding, after `@base64`".into(),
                                        found: format!("`@{}` here", e.attribute()),
                                        context: "a field's text is decoded once, in the order of its attributes"
                                            .into(),
                                    },
                                    a.span,
                                );
                            } else {
                                decode.push(e);
                            }
                            continue;
                        }
                        let named = crate::types::Format::ALL
                            .iter()
                            .find(|(n, _)| *n == a.name)
                            .map(|(_, f)| *f);
                        if a.name == "sensitive" {
                            sensitive = true;
                        } else if let Some(fmt) = named {
                            // A format is about the scalar values of the
                            // field: `time`, `time?`, `[time]`.
                            let mut scalar = &ty;
                            while let Type::Optional(t) | Type::List(t) | Type::Many(t) = scalar {
                                scalar = t;
                            }
                            if *scalar == fmt.ty() || *scalar == Type::Error {
                                format = Some(fmt);
                            } else {
                                let want = fmt.ty();
                                let want = self.schema.display(&want).to_string();
                                self.error(
                                    ErrorKind::TypeMismatch {
                                        expected: format!("a `{want}` field"),
                                        found: format!("`{}`", self.schema.display(&ty)),
                                        context: format!(
                                            "`@{}` is a format of `{want}` values",
                                            fmt.attribute()
                                        ),
                                    },
                                    a.span,
                                );
                            }
                        } else {
                            let suggestion = closest(
                                &a.name,
                                ["sensitive", "utc", "digest", "base64", "json", "yaml"],
                            )
                            .map(|s| format!("`@{s}`"));
                            self.error(
                                ErrorKind::UnknownAttribute {
                                    name: a.name.clone(),
                                    suggestion,
                                },
                                a.span,
                            );
                        }
                    }
                    // Decoded to text only (`@base64`): the field holds text.
                    let text_only = !decode.is_empty() && !decode.iter().any(|d| d.is_document());
                    if text_only && !matches!(ty.non_null(), Type::String | Type::Error) {
                        self.error(
                            ErrorKind::TypeMismatch {
                                expected: "a `string` field".into(),
                                found: format!("`{}`", self.schema.display(&ty)),
                                context: "`@base64` decodes to text; add `@json` or `@yaml` to read a document"
                                    .into(),
                            },
                            f.span,
                        );
                    }
                    fields.push(FieldDef {
                        name: fname,
                        key: f.key.clone(),
                        ty,
                        sensitive,
                        format,
                        decode,
                        span: f.span,
                    });
                }
                RecordMember::Directive(d) => {
                    if is_root {
                        self.error(
                            ErrorKind::InvalidDirective {
                                directive: d.name.name.clone(),
                                reason:
                                    "directives belong in `record` declarations, not in `evidence`"
                                        .into(),
                            },
                            d.span,
                        );
                    } else {
                        directives.push(d.clone());
                    }
                }
            }
        }
        if let Some(rec) = self.schema.records.get_mut(id.0 as usize) {
            rec.fields = fields;
        }
        self.pending_directives_push(m, id, directives);
    }

    fn pending_directives_push(&mut self, m: usize, id: RecordId, directives: Vec<ast::Directive>) {
        for d in directives {
            self.directives.push((m, id, d));
        }
    }

    /// Checks `key` and `elements` directives once all types are known.
    pub(super) fn resolve_directives(&mut self, m: usize) {
        let pending: Vec<_> = std::mem::take(&mut self.directives);
        let (mine, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(dm, _, _)| *dm == m);
        self.directives = rest;
        for (_, id, d) in mine {
            self.directive(m, id, &d);
        }
    }

    fn directive(&mut self, m: usize, id: RecordId, d: &ast::Directive) {
        let Some(rec) = self.schema.record(id).cloned() else {
            return;
        };
        let name = d.name.name.as_str();
        if name != "key" && name != "elements" {
            let suggestion = closest(name, ["key", "elements"]).map(str::to_string);
            self.error(
                ErrorKind::UnknownDirective {
                    name: name.to_string(),
                    suggestion,
                },
                d.name.span,
            );
            return;
        }
        let Some((slot, field)) = rec.field(&d.field.name) else {
            let suggestion = closest(&d.field.name, rec.fields.iter().map(|f| f.name.as_str()))
                .map(|s| format!("`{s}`"));
            self.error(
                ErrorKind::UnknownField {
                    field: d.field.name.clone(),
                    record: rec.name.clone(),
                    suggestion,
                },
                d.field.span,
            );
            return;
        };
        let invalid = |reason: String| ErrorKind::InvalidDirective {
            directive: name.to_string(),
            reason,
        };
        if name == "elements" {
            if let Some(n) = d.nested.first() {
                self.error(
                    invalid("`elements` names a field of the record itself".into()),
                    n.span,
                );
                return;
            }
            if d.condition.is_some() {
                self.error(
                    invalid("`elements` takes no `when` condition".into()),
                    d.span,
                );
            }
            if field.ty.list_elem().is_none() {
                let shown = self.show(&field.ty);
                self.error(
                    invalid(format!("`{}` is `{shown}`, not a list", d.field.name)),
                    d.field.span,
                );
                return;
            }
            if rec.elements.is_some() {
                self.error(
                    ErrorKind::Duplicate {
                        what: "`elements` directive".into(),
                        name: rec.name.clone(),
                    },
                    d.span,
                );
                return;
            }
            if let Some(r) = self.schema.records.get_mut(id.0 as usize) {
                r.elements = Some(slot);
            }
            return;
        }
        // A key in a nested record: follow the names down.
        let mut written = d.field.name.clone();
        let mut nested = Vec::new();
        let mut field = field.clone();
        for n in &d.nested {
            let Type::Record(rid) = field.ty.non_null() else {
                let shown = self.show(&field.ty);
                self.error(
                    invalid(format!(
                        "`{written}` is `{shown}`, not a record with a field `{}`",
                        n.name
                    )),
                    n.span,
                );
                return;
            };
            let rid = *rid;
            let Some(inner) = self.schema.record(rid).cloned() else {
                return;
            };
            let Some((slot, next)) = inner.field(&n.name) else {
                let suggestion = closest(&n.name, inner.fields.iter().map(|f| f.name.as_str()))
                    .map(|s| format!("`{s}`"));
                self.error(
                    ErrorKind::UnknownField {
                        field: n.name.clone(),
                        record: inner.name.clone(),
                        suggestion,
                    },
                    n.span,
                );
                return;
            };
            nested.push((rid, slot));
            field = next.clone();
            written.push('.');
            written.push_str(&n.name);
        }
        let scalar = matches!(
            field.ty,
            Type::String | Type::Int | Type::Enum(_) | Type::Bool
        );
        if !scalar {
            let shown = self.show(&field.ty);
            self.error(
                invalid(format!(
                    "a key is a string, int, bool or enum field that is never null; `{written}` is `{shown}`"
                )),
                d.nested.last().map_or(d.field.span, |n| n.span),
            );
            return;
        }
        if rec.key.is_some() {
            self.error(
                ErrorKind::Duplicate {
                    what: "`key` directive".into(),
                    name: rec.name.clone(),
                },
                d.span,
            );
            return;
        }
        let condition = match &d.condition {
            None => None,
            Some(cond) => {
                let mut ctx = Ctx::new(m, false);
                ctx.open_element(None, Type::Record(id));
                self.ctx.push(ctx);
                let body = self.expr(cond, Some(&Type::Bool));
                self.expect_type(body, &Type::Bool, "a key condition is a predicate");
                let frame = self.ctx.pop().map(|c| c.max_slot).unwrap_or(1);
                let fid =
                    crate::ir::FuncId(u32::try_from(self.functions.len()).unwrap_or(u32::MAX));
                self.functions.push(crate::ir::Function {
                    name: format!("{}.key", rec.name),
                    params: 1,
                    body,
                    frame_size: frame,
                    span: d.span,
                });
                Some(fid)
            }
        };
        let condition_text = d.condition.as_ref().map(|c| self.text(c.span));
        if let Some(r) = self.schema.records.get_mut(id.0 as usize) {
            r.key = Some(KeyDef {
                field: slot,
                nested,
                name: written,
                condition,
                condition_text,
            });
        }
    }

    /// Resolves a type expression in module `m`; `context` names inline records.
    pub(super) fn resolve_type(&mut self, m: usize, t: &ast::TypeExpr, context: &str) -> Type {
        match &t.kind {
            TypeKind::Named(path) => self.resolve_named_type(m, path, t.span),
            TypeKind::List(inner) => Type::List(Box::new(self.resolve_type(m, inner, context))),
            TypeKind::Optional(inner) => self.resolve_type(m, inner, context).optional(),
            TypeKind::Generic(name, args) => {
                if !GENERIC_TYPES.contains(&name.name.as_str()) {
                    let suggestion = closest(&name.name, GENERIC_TYPES.iter().copied())
                        .map(|s| format!("`{s}<…>`"));
                    self.error(
                        ErrorKind::UnknownType {
                            name: format!("{}<…>", name.name),
                            suggestion,
                        },
                        name.span,
                    );
                    return Type::Error;
                }
                let [arg] = args.as_slice() else {
                    self.error(
                        ErrorKind::WrongArity {
                            name: format!("{}<…>", name.name),
                            expected: "one type argument".into(),
                            found: args.len(),
                        },
                        t.span,
                    );
                    return Type::Error;
                };
                let inner = self.resolve_type(m, arg, context);
                if name.name == "map" {
                    Type::Map(Box::new(inner))
                } else {
                    Type::Many(Box::new(inner))
                }
            }
            TypeKind::Record(members) => {
                let id = self.new_record(context.to_string(), t.span);
                self.resolve_members(m, id, members, context, false);
                Type::Record(id)
            }
        }
    }

    fn resolve_named_type(
        &mut self,
        m: usize,
        path: &[ast::Ident],
        span: crate::span::Span,
    ) -> Type {
        let (module, name) = match path {
            [one] => {
                if let Some(t) = crate::types::primitive(&one.name) {
                    return t;
                }
                (m, one)
            }
            [alias, name] => match self.modules.at(m).imports.get(&alias.name) {
                Some(&target) => {
                    self.note_use(m, &alias.name, crate::ir::DeclKind::Import);
                    (target, name)
                }
                None if self.modules.at(m).failed_imports.contains(&alias.name) => {
                    return Type::Error;
                }
                None => {
                    let suggestion = closest(
                        &alias.name,
                        self.modules.at(m).imports.keys().map(String::as_str),
                    )
                    .map(|s| format!("`{s}`"));
                    self.error(
                        ErrorKind::UnknownName {
                            name: alias.name.clone(),
                            suggestion,
                        },
                        alias.span,
                    );
                    return Type::Error;
                }
            },
            _ => {
                let written = path
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                self.error(
                    ErrorKind::UnknownType {
                        name: written,
                        suggestion: None,
                    },
                    span,
                );
                return Type::Error;
            }
        };
        match self.modules.at(module).types.get(&name.name) {
            Some(TypeRef::Enum(id)) => Type::Enum(*id),
            Some(TypeRef::Record(id)) => Type::Record(*id),
            None => {
                let mut candidates: Vec<&str> = self
                    .modules
                    .at(module)
                    .types
                    .keys()
                    .map(String::as_str)
                    .collect();
                if module == m {
                    candidates.extend(crate::types::PRIMITIVES.iter().map(|(n, _)| *n));
                }
                let suggestion = closest(&name.name, candidates).map(|s| format!("`{s}`"));
                self.error(
                    ErrorKind::UnknownType {
                        name: name.name.clone(),
                        suggestion,
                    },
                    name.span,
                );
                Type::Error
            }
        }
    }
}
