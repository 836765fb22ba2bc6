//! The abstract syntax tree: what the user wrote, with a span on every node.
//!
//! The parser builds it and nothing resolves names in it; the checker reads
//! it and produces the [`ir`](crate::ir). Spans compare equal whatever they
//! hold, so two trees are equal when they say the same thing.

use crate::span::Span;

/// One `.gate` file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// `gate NAME { … }` or `module a.b`, if present.
    pub header: Option<Header>,
    /// Everything after the header, in source order.
    pub items: Vec<Item>,
    /// The whole file.
    pub span: Span,
}

/// The first line of a file: a gate with settings, or a library module.
#[derive(Clone, Debug, PartialEq)]
pub enum Header {
    /// `gate release { title "Release gate" stage "release" }`
    Gate(GateHeader),
    /// `module std.secrets`
    Module(ModuleHeader),
}

/// `gate NAME { settings }`.
#[derive(Clone, Debug, PartialEq)]
pub struct GateHeader {
    /// The gate's name.
    pub name: Ident,
    /// `title`, `stage`, `version`, `description`, …
    pub settings: Vec<Setting>,
    /// The whole header.
    pub span: Span,
}

/// `module a.b.c`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleHeader {
    /// The dotted module name.
    pub path: Vec<Ident>,
    /// The whole header.
    pub span: Span,
}

/// A name with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal: its value with escapes resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    /// The value.
    pub value: String,
    /// The literal, quotes included.
    pub span: Span,
}

/// `name value` inside a gate header or a rule: `severity block`,
/// `controls "OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.AA-05"`, `title "…"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The setting's name (checked by the checker, not the grammar).
    pub name: Ident,
    /// Its value.
    pub value: SettingValue,
    /// The whole setting.
    pub span: Span,
}

/// The value of a [`Setting`].
#[derive(Clone, Debug, PartialEq)]
pub enum SettingValue {
    /// A bare name: `severity block`.
    Name(Ident),
    /// One or more strings: `controls "a", "b"` or `controls ["a", "b"]`.
    Strings(Vec<StrLit>),
    /// An integer.
    Int(i64, Span),
    /// `true` or `false`.
    Bool(bool, Span),
    /// A timestamp, in nanoseconds since the epoch: `expires 2026-06-01T00:00:00Z`.
    Time(i128, Span),
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `import std.secrets as sec`
    Import(Import),
    /// `enum Role { security, owner, ops }`
    Enum(EnumDecl),
    /// `record Approval { role: Role … }`
    Record(RecordDecl),
    /// `evidence { approvals: [Approval] … }`
    Evidence(EvidenceDecl),
    /// `let MAX_AGE = 90d`
    Let(LetDecl),
    /// `def vaulted_properly(s: SecretItem) = …`
    Def(DefDecl),
    /// `rule S02 "…" { … }`
    Rule(RuleDecl),
    /// `waive S02 { element "…" approved_by "…" ticket "…" reason "…" expires … }`
    Waive(WaiveDecl),
    /// Text the parser could not read; its error is reported separately.
    Error(Span),
}

/// An exception to a rule, recorded in the policy.
#[derive(Clone, Debug, PartialEq)]
pub struct WaiveDecl {
    /// The rule it applies to.
    pub rule: Ident,
    /// `element`, `approved_by`, `ticket`, `reason`, `expires`.
    pub settings: Vec<Setting>,
    /// The whole waiver.
    pub span: Span,
}

/// `import TARGET (as ALIAS)?`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// What is imported.
    pub target: ImportTarget,
    /// The name it is bound to, if given.
    pub alias: Option<Ident>,
    /// The whole import.
    pub span: Span,
}

/// What an import names.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportTarget {
    /// A dotted module name: `std.secrets`.
    Module(Vec<Ident>),
    /// A file path relative to the importing file: `"lib/common.gate"`.
    Path(StrLit),
}

/// `enum NAME { variant, … }`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    /// The enum's name.
    pub name: Ident,
    /// Its values, in order.
    pub variants: Vec<EnumVariant>,
    /// The whole declaration.
    pub span: Span,
}

/// One value of an enum: a bare name, or a string for values that are not
/// names (`"machine-learning-model"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumVariant {
    /// The value as it appears in evidence.
    pub value: String,
    /// Whether it was written as a string.
    pub quoted: bool,
    /// Where.
    pub span: Span,
}

/// `record NAME { members }`
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    /// The record's name.
    pub name: Ident,
    /// Fields and directives, in order.
    pub members: Vec<RecordMember>,
    /// The whole declaration.
    pub span: Span,
}

/// `evidence { members }`: the fields of the evidence document's root.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceDecl {
    /// Fields (and directives, which the checker rejects here).
    pub members: Vec<RecordMember>,
    /// The whole declaration.
    pub span: Span,
}

/// One line of a record body.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordMember {
    /// `name: Type`
    Field(FieldDecl),
    /// `key role when state == approved`, `elements items`
    Directive(Directive),
}

/// `key: Type`, `"json key" as name: Type`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// The key in the evidence document.
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// Whether the key was written as a string.
    pub quoted: bool,
    /// The name the field is accessed by, if it differs from the key.
    pub alias: Option<Ident>,
    /// The field's type.
    pub ty: TypeExpr,
    /// Attributes written before the field: `@sensitive`.
    pub attributes: Vec<Ident>,
    /// The whole field.
    pub span: Span,
}

impl FieldDecl {
    /// The name policies use for this field.
    pub fn name(&self) -> &str {
        self.alias
            .as_ref()
            .map(|a| a.name.as_str())
            .unwrap_or(&self.key)
    }
}

/// `KEYWORD NAME (when EXPR)?` inside a record.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    /// `key` or `elements` (checked by the checker).
    pub name: Ident,
    /// The field it refers to.
    pub field: Ident,
    /// For a field of a nested record (`key metadata.name`): the names
    /// after the first.
    pub nested: Vec<Ident>,
    /// The condition after `when`, for `key`.
    pub condition: Option<Expr>,
    /// The whole directive.
    pub span: Span,
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// What kind of type.
    pub kind: TypeKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of [`TypeExpr`].
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `string`, `Approval`, `sec.SecretItem`
    Named(Vec<Ident>),
    /// `[T]`
    List(Box<TypeExpr>),
    /// `T?`
    Optional(Box<TypeExpr>),
    /// `map<T>`, `many<T>`
    Generic(Ident, Vec<TypeExpr>),
    /// `{ a: T, b: U }`
    Record(Vec<RecordMember>),
}

/// `let NAME (: Type)? = EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    /// The bound name.
    pub name: Ident,
    /// The declared type, if any.
    pub ty: Option<TypeExpr>,
    /// The value.
    pub value: Expr,
    /// The whole binding.
    pub span: Span,
}

/// `def NAME(params) (-> Type)? = EXPR`
#[derive(Clone, Debug, PartialEq)]
pub struct DefDecl {
    /// The predicate's name.
    pub name: Ident,
    /// Typed parameters.
    pub params: Vec<Param>,
    /// The declared result type, if any.
    pub ret: Option<TypeExpr>,
    /// The body.
    pub body: Expr,
    /// The whole definition.
    pub span: Span,
}

/// `name: Type` in a `def`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// `rule ID "title"? { statements }`
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// The rule id, e.g. `S02` or `secrets-vaulted`.
    pub id: Ident,
    /// The title string after the id, if any.
    pub title: Option<StrLit>,
    /// The body, in order.
    pub body: Vec<RuleStmt>,
    /// The whole rule.
    pub span: Span,
}

/// One statement of a rule body.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleStmt {
    /// `severity block`, `controls "…"`, `title "…"`, `description "…"`
    Setting(Setting),
    /// `when EXPR`: the rule applies only when this holds.
    When(Expr, Span),
    /// `let NAME = EXPR`, visible to the statements after it.
    Let(LetDecl),
    /// `require EXPR (else "message")?`
    Require(Require),
    /// Text the parser could not read.
    Error(Span),
}

/// `require EXPR (else "message")?`
#[derive(Clone, Debug, PartialEq)]
pub struct Require {
    /// The predicate.
    pub expr: Expr,
    /// The failure message template.
    pub message: Option<Template>,
    /// The whole statement.
    pub span: Span,
}

/// A failure message with `{expr}` holes: `"secret {name} is kept in {store}"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// Text and holes, in order.
    pub parts: Vec<TemplatePart>,
    /// The string literal.
    pub span: Span,
}

/// A piece of a [`Template`].
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    /// Literal text (escapes and `{{`/`}}` resolved).
    Text(String),
    /// `{expr}`
    Hole(Expr),
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Lit),
    /// A bare name: a variable, a field of the current element, an evidence
    /// root, a `let`, a module, or an enum value (see the language reference).
    Name(String),
    /// `it`: the current element of a predicate argument.
    It,
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `{"key": value, …}`, `{}`: a map, keys are string literals.
    Map(Vec<(StrLit, Expr)>),
    /// `(e)`
    Paren(Box<Expr>),
    /// `base.name` or `base?.name`
    Field {
        /// The record.
        base: Box<Expr>,
        /// The field.
        name: Ident,
        /// `?.`
        optional: bool,
    },
    /// `name(args)`
    Call {
        /// The function or `def`.
        callee: Ident,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `receiver.name(args)` or `receiver?.name(args)`
    Method {
        /// The value the method is called on.
        receiver: Box<Expr>,
        /// The method.
        name: Ident,
        /// Arguments.
        args: Vec<Expr>,
        /// `?.`
        optional: bool,
    },
    /// `base[index]`
    Index {
        /// The list or map.
        base: Box<Expr>,
        /// The position or key.
        index: Box<Expr>,
    },
    /// `not e`, `-e`, `!e`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a and b and c`: a chain of `and` is one node.
    And(Vec<Expr>),
    /// `a or b or c`: a chain of `or` is one node.
    Or(Vec<Expr>),
    /// `a op b`
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `if c then a else b`
    If {
        /// The condition.
        cond: Box<Expr>,
        /// Value when it holds.
        then: Box<Expr>,
        /// Value when it does not.
        otherwise: Box<Expr>,
    },
    /// `x => body` (only as an argument of a collection method)
    Lambda {
        /// The bound name.
        param: Ident,
        /// The body.
        body: Box<Expr>,
    },
    /// Text the parser could not read.
    Error,
}

/// Literal values.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// `true`, `false`
    Bool(bool),
    /// `42`
    Int(i64),
    /// `0.5`, exactly as written
    Float(Box<crate::num::Decimal>),
    /// `"text"` (escapes resolved) or `r"raw"`
    Str(String),
    /// `90d`, in nanoseconds
    Duration(i128),
    /// `2026-05-04T09:00:00Z`, in nanoseconds since the epoch
    Time(i128),
    /// `null`
    Null,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
    /// `!`: not part of the language; reported with a hint to use `not`.
    Bang,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `??`
    Coalesce,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `=`: reported with a hint to use `==`.
    Assign,
    /// `&&`: reported with a hint to use `and`.
    AmpAmp,
    /// `||`: reported with a hint to use `or`.
    PipePipe,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Coalesce => "??",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Assign => "=",
            BinOp::AmpAmp => "&&",
            BinOp::PipePipe => "||",
        }
    }
}

impl Expr {
    /// A placeholder expression, used where the parser recovered from an error.
    pub fn error(span: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span,
        }
    }

    /// The direct subexpressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::It | ExprKind::Error => Vec::new(),
            ExprKind::List(items) | ExprKind::And(items) | ExprKind::Or(items) => {
                items.iter().collect()
            }
            ExprKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
            ExprKind::Paren(e) => vec![e],
            ExprKind::Field { base, .. } => vec![base],
            ExprKind::Call { args, .. } => args.iter().collect(),
            ExprKind::Method { receiver, args, .. } => {
                let mut v = vec![&**receiver];
                v.extend(args.iter());
                v
            }
            ExprKind::Index { base, index } => vec![base, index],
            ExprKind::Unary { operand, .. } => vec![operand],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => vec![cond, then, otherwise],
            ExprKind::Lambda { body, .. } => vec![body],
        }
    }

    /// The deepest nesting below and including this node, measured without
    /// recursion (so that it is safe on any tree the parser can build).
    pub fn depth(&self) -> usize {
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            max = max.max(d);
            for c in e.children() {
                stack.push((c, d + 1));
            }
        }
        max
    }
}

/// Dropping a deep expression must not recurse: children are moved onto a
/// heap stack and dropped one by one.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut stack: Vec<Expr> = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(mut e) = stack.pop() {
            take_children(&mut e.kind, &mut stack);
        }
    }
}

fn take_children(kind: &mut ExprKind, stack: &mut Vec<Expr>) {
    match std::mem::replace(kind, ExprKind::Error) {
        ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::It | ExprKind::Error => {}
        ExprKind::List(items) | ExprKind::And(items) | ExprKind::Or(items) => stack.extend(items),
        ExprKind::Map(entries) => stack.extend(entries.into_iter().map(|(_, v)| v)),
        ExprKind::Call { args, .. } => stack.extend(args),
        ExprKind::Method { receiver, args, .. } => {
            stack.push(*receiver);
            stack.extend(args);
        }
        ExprKind::Paren(e)
        | ExprKind::Field { base: e, .. }
        | ExprKind::Unary { operand: e, .. } => stack.push(*e),
        ExprKind::Lambda { body, .. } => stack.push(*body),
        ExprKind::Index { base, index } => {
            stack.push(*base);
            stack.push(*index);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            stack.push(*lhs);
            stack.push(*rhs);
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            stack.push(*cond);
            stack.push(*then);
            stack.push(*otherwise);
        }
    }
}

impl TypeExpr {
    /// How deeply the type nests, measured without recursion.
    pub fn depth(&self) -> usize {
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((t, d)) = stack.pop() {
            max = max.max(d);
            match &t.kind {
                TypeKind::Named(..) => {}
                TypeKind::List(inner) | TypeKind::Optional(inner) => stack.push((inner, d + 1)),
                TypeKind::Generic(_, args) => stack.extend(args.iter().map(|a| (a, d + 1))),
                TypeKind::Record(members) => {
                    for m in members {
                        if let RecordMember::Field(f) = m {
                            stack.push((&f.ty, d + 1));
                        }
                    }
                }
            }
        }
        max
    }
}

/// Dropping a deep type must not recurse either.
impl Drop for TypeExpr {
    fn drop(&mut self) {
        let mut stack: Vec<TypeExpr> = Vec::new();
        take_type_children(&mut self.kind, &mut stack);
        while let Some(mut t) = stack.pop() {
            take_type_children(&mut t.kind, &mut stack);
        }
    }
}

fn take_type_children(kind: &mut TypeKind, stack: &mut Vec<TypeExpr>) {
    match std::mem::replace(kind, TypeKind::Named(Vec::new())) {
        TypeKind::Named(..) => {}
        TypeKind::List(inner) | TypeKind::Optional(inner) => stack.push(*inner),
        TypeKind::Generic(_, args) => stack.extend(args),
        TypeKind::Record(members) => {
            for m in members {
                if let RecordMember::Field(mut f) = m {
                    let placeholder = TypeExpr {
                        kind: TypeKind::Named(Vec::new()),
                        span: f.ty.span,
                    };
                    stack.push(std::mem::replace(&mut f.ty, placeholder));
                }
            }
        }
    }
}
