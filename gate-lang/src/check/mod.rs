//! The checker: resolves names, types every expression and lowers the AST
//! of a gate and its modules into the [`ir`](crate::ir).
//!
//! It works in passes over the loaded modules (dependencies first):
//! declare types, resolve record fields, then check `let`s and `def`s on
//! demand (which is also how recursion is found), record key conditions,
//! and last the gate's rules. Errors are collected, never thrown, so one run
//! reports everything it can.
//!
//! Submodules: [`schema`] (types), [`scope`] (bindings and null facts),
//! [`expr`] (expressions), [`call`] (methods and functions), [`names`]
//! (name resolution and suggestions), [`rules`] (rules and messages).

mod call;
mod expr;
mod names;
pub mod patterns;
mod rules;
mod schema;
mod scope;
mod suggest;

use crate::ast::{self, Header, Item};
use crate::error::{Error, ErrorKind};
use crate::ir::{ExprId, FuncId, GlobalId, Ir, Node, Program};
use crate::loader::Loaded;
use crate::span::{SourceMap, Span};
use crate::types::{EnumId, RecordId, Schema, Type};
use indexmap::IndexMap;
use scope::Ctx;
use std::collections::HashMap;
use std::rc::Rc;

pub use call::builtin_names;
pub use suggest::closest;

/// A type name in a module's namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TypeRef {
    Enum(EnumId),
    Record(RecordId),
}

#[derive(Clone, Debug)]
enum LetState {
    Pending(usize),
    InProgress,
    Done(GlobalId, Type),
    Failed,
}

#[derive(Clone, Debug)]
enum DefState {
    Pending(usize),
    InProgress,
    Done(FuncId, Vec<Type>, Type),
    Failed,
}

#[derive(Default)]
struct ModuleInfo {
    name: String,
    ast: Rc<ast::File>,
    types: HashMap<String, TypeRef>,
    lets: IndexMap<String, LetState>,
    defs: IndexMap<String, DefState>,
    imports: HashMap<String, usize>,
    failed_imports: Vec<String>,
    is_gate: bool,
}

/// The loaded modules. Indexes come from the loader and are always in
/// range; an out-of-range index reads an empty module rather than panicking.
#[derive(Default)]
struct Modules {
    list: Vec<ModuleInfo>,
    empty: ModuleInfo,
}

impl Modules {
    fn at(&self, m: usize) -> &ModuleInfo {
        self.list.get(m).unwrap_or(&self.empty)
    }

    fn at_mut(&mut self, m: usize) -> &mut ModuleInfo {
        match self.list.get_mut(m) {
            Some(mi) => mi,
            None => &mut self.empty,
        }
    }

    fn get(&self, m: usize) -> Option<&ModuleInfo> {
        self.list.get(m)
    }

    fn get_mut(&mut self, m: usize) -> Option<&mut ModuleInfo> {
        self.list.get_mut(m)
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    fn push(&mut self, m: ModuleInfo) {
        self.list.push(m);
    }
}

/// The checker's state; see the module docs.
pub(crate) struct Checker {
    modules: Modules,
    entry: usize,
    schema: Schema,
    nodes: Vec<Node>,
    globals: Vec<crate::ir::Global>,
    functions: Vec<crate::ir::Function>,
    rules: Vec<crate::ir::Rule>,
    errors: Vec<Error>,
    warnings: Vec<Error>,
    sources: SourceMap,
    ctx: Vec<Ctx>,
    in_progress: Vec<String>,
    next_origin: u32,
    directives: Vec<(usize, RecordId, ast::Directive)>,
    host: Vec<crate::ir::HostSig>,
    waivers: Vec<crate::ir::Waiver>,
    names: crate::ir::NameFacts,
    /// No "did you mean" for unknown names: set while template holes are
    /// tried in each scope, where most attempts fail and are forgotten.
    quiet_suggestions: bool,
}

/// Errors from compiling a gate, with the sources they point into.
#[derive(Debug)]
pub struct CompileError {
    /// Every error and warning, in source order.
    pub errors: Vec<Error>,
    /// The sources, to render excerpts.
    pub sources: SourceMap,
}

impl CompileError {
    /// Renders every diagnostic as the CLI prints it.
    pub fn render(&self, color: bool, width: usize) -> String {
        crate::error::render(&self.errors, &self.sources, color, width)
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self
            .errors
            .iter()
            .filter(|e| e.severity == crate::Severity::Error)
            .count();
        write!(f, "{n} error(s) in the policy")
    }
}

impl std::error::Error for CompileError {}

/// The names of the built-in functions and methods (for completion).
pub fn function_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = crate::builtins::names().collect();
    names.sort_unstable();
    names
}

/// Checks a loaded gate and lowers it to a [`Program`].
///
/// On failure returns every error (and warning) found.
pub fn check(loaded: Loaded, host: Vec<crate::ir::HostSig>) -> Result<Program, CompileError> {
    check_entry(loaded, host, false)
}

/// [`check`], optionally accepting a `module` as the entry file (for tools
/// such as the linter that look at a module on its own: it has no rules
/// and no evidence).
pub fn check_entry(
    loaded: Loaded,
    host: Vec<crate::ir::HostSig>,
    module_entry: bool,
) -> Result<Program, CompileError> {
    let Loaded {
        modules,
        sources,
        mut errors,
    } = loaded;
    let Some(entry) = modules.len().checked_sub(1) else {
        return Err(CompileError { errors, sources });
    };
    let mut checker = Checker {
        modules: Modules::default(),
        entry,
        schema: Schema::default(),
        nodes: Vec::new(),
        globals: Vec::new(),
        functions: Vec::new(),
        rules: Vec::new(),
        errors: Vec::new(),
        quiet_suggestions: false,
        warnings: Vec::new(),
        sources,
        ctx: Vec::new(),
        in_progress: Vec::new(),
        next_origin: 0,
        directives: Vec::new(),
        host,
        waivers: Vec::new(),
        names: crate::ir::NameFacts::default(),
    };
    for (i, m) in modules.into_iter().enumerate() {
        let is_gate = matches!(m.ast.header, Some(Header::Gate(_)));
        if i == entry && !is_gate && !module_entry {
            // An empty file (or one of comments only) is no gate either.
            let at = match &m.ast.header {
                Some(Header::Module(h)) => Some(h.span),
                _ => Some(
                    m.ast
                        .items
                        .first()
                        .map(item_span)
                        .unwrap_or(Span::new(m.ast.span.source, 0..0)),
                ),
            };
            if let Some(at) = at {
                let kind = if matches!(m.ast.header, Some(Header::Module(_))) {
                    ErrorKind::ModuleNotGate
                } else {
                    ErrorKind::MissingHeader
                };
                checker.errors.push(Error::new(kind, at));
            }
        }
        let imports = m
            .imports
            .iter()
            .map(|imp| (imp.alias.clone(), imp.module))
            .collect();
        let name = match &m.ast.header {
            Some(Header::Module(h)) => h
                .path
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join("."),
            _ => m.name,
        };
        checker.modules.push(ModuleInfo {
            name,
            ast: m.ast,
            types: HashMap::new(),
            lets: IndexMap::new(),
            defs: IndexMap::new(),
            imports,
            failed_imports: m.failed_imports,
            is_gate: is_gate || (i == entry && !module_entry),
        });
    }
    checker.run();
    errors.append(&mut checker.errors);
    if errors.iter().any(|e| e.severity == crate::Severity::Error) {
        errors.append(&mut checker.warnings);
        errors.sort_by_key(|e| (e.span.source, e.span.start));
        return Err(CompileError {
            errors,
            sources: checker.sources,
        });
    }
    for m in 0..checker.modules.len() {
        let info = checker.modules.at(m);
        let mut imports: Vec<_> = info
            .imports
            .iter()
            .map(|(alias, target)| {
                let module = checker.modules.at(*target).ast.span.source;
                (info.ast.span.source, alias.clone(), module)
            })
            .collect();
        imports.sort();
        checker.names.imports.extend(imports);
    }
    Ok(Program {
        gate: checker.gate_info(),
        schema: checker.schema,
        nodes: checker.nodes,
        globals: checker.globals,
        functions: checker.functions,
        rules: checker.rules,
        waivers: checker.waivers,
        host: checker.host,
        sources: checker.sources,
        // Warnings found while loading (W0110) come first.
        warnings: errors.into_iter().chain(checker.warnings).collect(),
        names: checker.names,
    })
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Import(i) => i.span,
        Item::Enum(e) => e.span,
        Item::Record(r) => r.span,
        Item::Evidence(e) => e.span,
        Item::Let(l) => l.span,
        Item::Def(d) => d.span,
        Item::Rule(r) => r.span,
        Item::Waive(w) => w.span,
        Item::Error(s) => *s,
    }
}

impl Checker {
    fn run(&mut self) {
        for m in 0..self.modules.len() {
            self.declare_types(m);
        }
        for m in 0..self.modules.len() {
            self.resolve_records(m);
        }
        for m in 0..self.modules.len() {
            self.declare_values(m);
        }
        for m in 0..self.modules.len() {
            self.resolve_directives(m);
        }
        for m in 0..self.modules.len() {
            let lets: Vec<String> = self.modules.at(m).lets.keys().cloned().collect();
            for name in lets {
                self.let_ref(m, &name, Span::default());
            }
            let defs: Vec<String> = self.modules.at(m).defs.keys().cloned().collect();
            for name in defs {
                self.def_ref(m, &name, Span::default());
            }
        }
        self.check_rules(self.entry);
    }

    /// Registers the `let`s and `def`s of a module, reporting duplicates and
    /// names that clash with evidence fields or imports.
    fn declare_values(&mut self, m: usize) {
        let file = self.modules.at(m).ast.clone();
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (i, item) in file.items.iter().enumerate() {
            let (name, span, is_let) = match item {
                Item::Let(l) => (&l.name, l.span, true),
                Item::Def(d) => (&d.name, d.span, false),
                Item::Waive(w) if !self.modules.at(m).is_gate => {
                    self.error(
                        ErrorKind::NotInModule {
                            what: "a waiver".into(),
                        },
                        w.span,
                    );
                    continue;
                }
                Item::Rule(r) if !self.modules.at(m).is_gate => {
                    self.error(
                        ErrorKind::NotInModule {
                            what: "a rule".into(),
                        },
                        r.span,
                    );
                    continue;
                }
                _ => continue,
            };
            if !is_let && call::builtin_names().contains(&name.name.as_str()) {
                self.error(
                    ErrorKind::ShadowsBuiltin {
                        name: name.name.clone(),
                    },
                    name.span,
                );
                continue;
            }
            if let Some(first) = seen.get(&name.name) {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: if is_let { "let" } else { "def" }.into(),
                        name: name.name.clone(),
                    },
                    name.span,
                )
                .with_label(*first, "first defined here");
                self.errors.push(err);
                continue;
            }
            if self.modules.at(m).imports.contains_key(&name.name) {
                self.error(
                    ErrorKind::Duplicate {
                        what: "name".into(),
                        name: name.name.clone(),
                    },
                    name.span,
                );
                continue;
            }
            if self.modules.at(m).is_gate && self.root_field(&name.name).is_some() {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: "name".into(),
                        name: name.name.clone(),
                    },
                    name.span,
                )
                .with_note(format!(
                    "`{}` is already a field of the evidence",
                    name.name
                ));
                self.errors.push(err);
                continue;
            }
            seen.insert(name.name.clone(), span);
            if is_let {
                self.modules
                    .at_mut(m)
                    .lets
                    .insert(name.name.clone(), LetState::Pending(i));
            } else {
                self.modules
                    .at_mut(m)
                    .defs
                    .insert(name.name.clone(), DefState::Pending(i));
            }
        }
    }

    /// The global for `let name` of module `m`, checking it first if needed.
    fn let_ref(&mut self, m: usize, name: &str, at: Span) -> Option<(GlobalId, Type)> {
        let state = self.modules.get(m)?.lets.get(name)?.clone();
        match state {
            LetState::Done(id, ty) => Some((id, ty)),
            LetState::Failed => None,
            LetState::InProgress => {
                self.report_cycle(name, at);
                None
            }
            LetState::Pending(i) => {
                self.set_let(m, name, LetState::InProgress);
                self.in_progress.push(name.to_string());
                let file = self.modules.at(m).ast.clone();
                let result = match file.items.get(i) {
                    Some(Item::Let(decl)) => self.check_global(m, decl),
                    _ => None,
                };
                self.in_progress.pop();
                let state = match &result {
                    Some((id, ty)) => LetState::Done(*id, ty.clone()),
                    None => LetState::Failed,
                };
                self.set_let(m, name, state);
                result
            }
        }
    }

    fn set_let(&mut self, m: usize, name: &str, state: LetState) {
        if let Some(s) = self.modules.get_mut(m).and_then(|mi| mi.lets.get_mut(name)) {
            *s = state;
        }
    }

    fn set_def(&mut self, m: usize, name: &str, state: DefState) {
        if let Some(s) = self.modules.get_mut(m).and_then(|mi| mi.defs.get_mut(name)) {
            *s = state;
        }
    }

    /// The function for `def name` of module `m`, checking it first if needed.
    fn def_ref(&mut self, m: usize, name: &str, at: Span) -> Option<(FuncId, Vec<Type>, Type)> {
        let state = self.modules.get(m)?.defs.get(name)?.clone();
        match state {
            DefState::Done(id, params, ret) => Some((id, params, ret)),
            DefState::Failed => None,
            DefState::InProgress => {
                self.report_cycle(name, at);
                None
            }
            DefState::Pending(i) => {
                self.set_def(m, name, DefState::InProgress);
                self.in_progress.push(name.to_string());
                let file = self.modules.at(m).ast.clone();
                let result = match file.items.get(i) {
                    Some(Item::Def(decl)) => self.check_def(m, decl),
                    _ => None,
                };
                self.in_progress.pop();
                let state = match &result {
                    Some((id, p, r)) => DefState::Done(*id, p.clone(), r.clone()),
                    None => DefState::Failed,
                };
                self.set_def(m, name, state);
                result
            }
        }
    }

    fn report_cycle(&mut self, name: &str, at: Span) {
        let start = self.in_progress.iter().position(|n| n == name).unwrap_or(0);
        let mut cycle: Vec<String> = self.in_progress.iter().skip(start).cloned().collect();
        cycle.push(name.to_string());
        self.error(
            ErrorKind::Recursive {
                name: name.to_string(),
                cycle,
            },
            at,
        );
    }

    fn check_global(&mut self, m: usize, decl: &ast::LetDecl) -> Option<(GlobalId, Type)> {
        let allow_evidence = self.modules.at(m).is_gate;
        self.ctx.push(Ctx::new(m, allow_evidence));
        let declared = decl
            .ty
            .as_ref()
            .map(|t| self.resolve_type(m, t, &decl.name.name));
        let id = self.expr(&decl.value, declared.as_ref());
        if let Some(ty) = &declared {
            self.expect_type(
                id,
                ty,
                &format!("`{}` is declared as this type", decl.name.name),
            );
        }
        let ctx = self
            .ctx
            .pop()
            .unwrap_or_else(|| Ctx::new(m, allow_evidence));
        let ty = declared.unwrap_or_else(|| self.ty(id).clone());
        let gid = GlobalId(u32::try_from(self.globals.len()).unwrap_or(u32::MAX));
        let name = if m == self.entry {
            decl.name.name.clone()
        } else {
            format!("{}.{}", self.modules.at(m).name, decl.name.name)
        };
        self.globals.push(crate::ir::Global {
            name,
            expr: id,
            frame_size: ctx.max_slot,
            span: decl.span,
        });
        Some((gid, ty))
    }

    fn check_def(&mut self, m: usize, decl: &ast::DefDecl) -> Option<(FuncId, Vec<Type>, Type)> {
        let allow_evidence = self.modules.at(m).is_gate;
        self.ctx.push(Ctx::new(m, allow_evidence));
        for p in &decl.params {
            self.note_shadowing(&p.name.name, p.name.span);
        }
        self.ctx.pop();
        let mut ctx = Ctx::new(m, allow_evidence);
        let mut params = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &decl.params {
            let ty = self.resolve_type(m, &p.ty, &p.name.name);
            if let Some(first) = seen.insert(&p.name.name, p.name.span) {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: "parameter".into(),
                        name: p.name.name.clone(),
                    },
                    p.name.span,
                )
                .with_label(first, "first defined here");
                self.errors.push(err);
            }
            ctx.bind_var(&p.name.name, ty.clone(), p.name.span);
            params.push(ty);
        }
        self.ctx.push(ctx);
        let declared = decl
            .ret
            .as_ref()
            .map(|t| self.resolve_type(m, t, &decl.name.name));
        let body = self.expr(&decl.body, declared.as_ref());
        if let Some(ty) = &declared {
            self.expect_type(
                body,
                ty,
                &format!("`{}` declares this result type", decl.name.name),
            );
        }
        let ctx = self
            .ctx
            .pop()
            .unwrap_or_else(|| Ctx::new(m, allow_evidence));
        let ret = declared.unwrap_or_else(|| self.ty(body).clone());
        let fid = FuncId(u32::try_from(self.functions.len()).unwrap_or(u32::MAX));
        let name = if m == self.entry {
            decl.name.name.clone()
        } else {
            format!("{}.{}", self.modules.at(m).name, decl.name.name)
        };
        self.functions.push(crate::ir::Function {
            name,
            params: u32::try_from(params.len()).unwrap_or(u32::MAX),
            body,
            frame_size: ctx.max_slot,
            span: decl.span,
        });
        Some((fid, params, ret))
    }

    // ------------------------------------------------------------ helpers

    fn error(&mut self, kind: ErrorKind, span: Span) {
        self.errors.push(Error::new(kind, span));
    }

    fn push(&mut self, ir: Ir, ty: Type, span: Span) -> ExprId {
        let id = ExprId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node { ir, ty, span });
        id
    }

    /// An error node: type `<error>`, so nothing built on it reports again.
    fn poison(&mut self, span: Span) -> ExprId {
        self.push(Ir::Const(crate::ir::Const::Null), Type::Error, span)
    }

    fn ty(&self, id: ExprId) -> &Type {
        self.nodes
            .get(id.0 as usize)
            .map(|n| &n.ty)
            .unwrap_or(&Type::Error)
    }

    fn node(&self, id: ExprId) -> Option<&Node> {
        self.nodes.get(id.0 as usize)
    }

    fn span(&self, id: ExprId) -> Span {
        self.node(id).map(|n| n.span).unwrap_or_default()
    }

    fn text(&self, span: Span) -> String {
        self.sources.slice(span).to_string()
    }

    fn show(&self, ty: &Type) -> String {
        self.schema.display(ty).to_string()
    }

    fn describe(&self, ty: &Type) -> String {
        match ty {
            Type::Record(_) => format!("record `{}`", self.show(ty)),
            Type::Enum(_) => format!("enum `{}`", self.show(ty)),
            Type::Null => "`null`".into(),
            other => format!("`{}`", self.show(other)),
        }
    }

    /// Reports a mismatch unless the node's type can be used as `want`.
    fn expect_type(&mut self, id: ExprId, want: &Type, context: &str) -> bool {
        let have = self.ty(id).clone();
        if have.assignable_to(want) {
            return true;
        }
        let span = self.span(id);
        if have.is_optional() && have.non_null().assignable_to(want) {
            self.unhandled_optional(id);
            return false;
        }
        self.error(
            ErrorKind::TypeMismatch {
                expected: self.describe(want),
                found: self.describe(&have),
                context: context.to_string(),
            },
            span,
        );
        false
    }

    /// Reports that the value of node `id` may be null where it may not.
    fn unhandled_optional(&mut self, id: ExprId) {
        let span = self.span(id);
        let expr = self.text(span);
        let ty = self.show(self.ty(id));
        self.error(ErrorKind::UnhandledOptional { expr, ty }, span);
    }

    /// The type both `a` and `b` can be used as; reports a mismatch at node
    /// `at` when there is none.
    fn join_or_report(&mut self, a: &Type, b: &Type, at: ExprId, context: &str) -> Type {
        match Type::join(a, b) {
            Some(t) => t,
            None => {
                self.error(
                    ErrorKind::TypeMismatch {
                        expected: self.describe(a),
                        found: self.describe(b),
                        context: context.to_string(),
                    },
                    self.span(at),
                );
                Type::Error
            }
        }
    }

    fn cur(&mut self) -> Option<&mut Ctx> {
        self.ctx.last_mut()
    }

    fn cur_module(&self) -> usize {
        self.ctx.last().map(|c| c.module).unwrap_or(self.entry)
    }

    /// The evidence root's field `name`, if the gate declares it.
    fn root_field(&self, name: &str) -> Option<(RecordId, u32, Type)> {
        let root = self.schema.root?;
        let (slot, f) = self.schema.record(root)?.field(name)?;
        Some((root, slot, f.ty.clone()))
    }

    fn gate_info(&self) -> crate::ir::GateInfo {
        let mut info = crate::ir::GateInfo::default();
        let Some(Header::Gate(h)) = self
            .modules
            .get(self.entry)
            .and_then(|m| m.ast.header.clone())
        else {
            return info;
        };
        info.name = h.name.name.clone();
        for s in &h.settings {
            let value = match &s.value {
                ast::SettingValue::Strings(v) => v.first().map(|s| s.value.clone()),
                ast::SettingValue::Name(n) => Some(n.name.clone()),
                ast::SettingValue::Int(i, _) => Some(i.to_string()),
                ast::SettingValue::Bool(b, _) => Some(b.to_string()),
                ast::SettingValue::Time(t, _) => Some(crate::time::format_timestamp(*t)),
            };
            match s.name.name.as_str() {
                "title" => info.title = value,
                "if_no_rule_applies" => {
                    info.pass_if_no_rule_applies = value.as_deref() == Some("pass")
                }
                "stage" => info.stage = value,
                "version" => info.version = value,
                "description" => info.description = value,
                _ => {}
            }
        }
        info
    }
}

#[cfg(test)]
mod tests;
