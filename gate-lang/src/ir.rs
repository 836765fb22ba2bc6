//! The intermediate representation the evaluator runs.
//!
//! A checked program: every name resolved (fields to slots, variables to
//! frame slots, `let`s and `def`s to indexes), every node typed, enum values
//! and string literals turned into constants. Expressions live in one flat
//! table ([`Program::nodes`]) indexed by [`ExprId`]; nothing here refers to
//! the AST.

use crate::error::Error;
use crate::span::{SourceMap, Span};
use crate::types::{EnumId, RecordId, Schema, Type};
use std::sync::Arc;

/// Index of an expression in [`Program::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// Index of a top-level `let` in [`Program::globals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalId(pub u32);

/// Index of a function (a `def`, or a record's key condition) in
/// [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncId(pub u32);

/// Identifies a lexical scope inside one `require` (0 is the statement
/// itself, each quantifier body gets its own), so a failure message can be
/// rendered in the scope the failure happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ScopeId(pub u32);

/// A constant value.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A non-integer number, exactly as written.
    Float(Box<crate::num::Decimal>),
    /// A string.
    Str(Arc<str>),
    /// A timestamp, in nanoseconds since the epoch.
    Time(i128),
    /// A duration, in nanoseconds.
    Duration(i128),
    /// An enum value: the enum and the value's index.
    Enum(EnumId, u32),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
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
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator that holds exactly when this one does not.
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
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
}

impl ArithOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}

/// The collection methods that take a predicate or projection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantKind {
    /// `xs.all(p)`: every element satisfies `p` (true for an empty list).
    All,
    /// `xs.any(p)`: some element satisfies `p`.
    Any,
    /// `xs.none(p)`: no element satisfies `p`.
    None,
    /// `xs.count(p)`: how many elements satisfy `p`.
    Count,
    /// `xs.filter(p)`: the elements that satisfy `p`.
    Filter,
    /// `xs.map(f)`: `f` of each element.
    Map,
    /// `xs.group_by(f)`: the elements grouped by `f` of each (a string or
    /// an enum value), as a `map<[T]>` in order of first appearance.
    GroupBy,
}

impl QuantKind {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            QuantKind::All => "all",
            QuantKind::Any => "any",
            QuantKind::None => "none",
            QuantKind::Count => "count",
            QuantKind::Filter => "filter",
            QuantKind::Map => "map",
            QuantKind::GroupBy => "group_by",
        }
    }
}

/// Built-in functions without a predicate argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `xs.len()`, `s.len()`, `m.len()`
    Len,
    /// `xs.is_empty()`
    IsEmpty,
    /// `xs.unique()`: the list without repeated elements, first occurrence kept
    Unique,
    /// `xss.flatten()`: the elements of a list of lists, in order
    Flatten,
    /// `xs.min()` (`T?`: null for an empty list)
    Min,
    /// `xs.max()`
    Max,
    /// `xs.sum()`
    Sum,
    /// `xs.first()` (`T?`)
    First,
    /// `s.contains(t)` for strings, `xs.contains(x)` for lists
    Contains,
    /// `s.starts_with(t)`
    StartsWith,
    /// `s.ends_with(t)`
    EndsWith,
    /// `s.lower()`
    Lower,
    /// `s.upper()`
    Upper,
    /// `m.keys()`
    Keys,
    /// `m.values()`
    Values,
    /// `d.days()`: whole days in a duration
    Days,
    /// `d.hours()`: whole hours in a duration
    Hours,
    /// `d.seconds()`: whole seconds in a duration
    Seconds,
    /// `days(n)`: a duration of `n` days
    DaysToDuration,
    /// `hours(n)`: a duration of `n` hours
    HoursToDuration,
    /// `seconds(n)`: a duration of `n` seconds
    SecondsToDuration,
    /// `string(x)`: an enum value, number, time or duration as text
    ToString,
    /// `s.trim()`: without leading and trailing white space
    Trim,
    /// `s.split(sep)`: the pieces between separators
    Split,
    /// `s.matches(pattern)`: a regular expression matches somewhere in `s`
    Matches,
    /// `s.glob(pattern)`: a shell-style pattern matches all of `s`
    Glob,
    /// `now()`: the evaluation clock
    Now,
    /// `parse_time(s)`: an RFC 3339 timestamp
    ParseTime,
    /// `s.base64_decode()`: the UTF-8 text that the base64 `s` encodes
    Base64Decode,
    /// `age(t)`: `now() - t`
    Age,
    /// `xs.sort()`: ascending, stable
    Sort,
    /// `xs.distinct_count()`: how many different elements
    DistinctCount,
    /// `xs.union(ys)`: the different elements of both, in order of first appearance
    Union,
    /// `xs.intersect(ys)`: the different elements of `xs` that are in `ys`
    Intersect,
    /// `xs.difference(ys)`: the different elements of `xs` that are not in `ys`
    Difference,
    /// `semver_cmp(a, b)`: -1, 0 or 1 by semantic-version precedence
    SemverCmp,
    /// `semver_satisfies(v, req)`: the version meets the requirement
    SemverSatisfies,
    /// `is_digest(s)`: `sha256:` and 64, or `sha512:` and 128, lowercase hex digits
    IsDigest,
    /// `cidr_contains(net, ip)`: the address (or network) is inside the network
    CidrContains,
    /// `is_wildcard(s)`: the permission or scope contains `*` or `?`
    IsWildcard,
    /// `looks_like_secret(s)`: a known credential format or a high-entropy token
    LooksLikeSecret,
}

impl Builtin {
    /// The name as written (from [`crate::builtins::TABLE`]).
    pub fn as_str(self) -> &'static str {
        crate::builtins::of(self).map_or("?", |d| d.name)
    }
}

/// How `includes` and `in` match a record element: by its key field, and
/// only when the key condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyMatch {
    /// The record type of the elements.
    pub record: RecordId,
    /// The key field's slot (the first of a nested key, whose other
    /// steps are in the record's [`crate::types::KeyDef::nested`]).
    pub field: u32,
    /// The key condition, a function of the element.
    pub condition: Option<FuncId>,
}

/// An IR expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Ir {
    /// A constant.
    Const(Const),
    /// `[a, b]`
    List(Vec<ExprId>),
    /// `{"a": x}`: keys (distinct) and values, in source order.
    Map(Vec<(Box<str>, ExprId)>),
    /// The evidence root record.
    Root,
    /// A local slot of the current frame (parameter, `let`, element).
    Local(u32),
    /// A top-level `let`.
    Global(GlobalId),
    /// `base.field` (`null_safe` for `?.`: null when `base` is null).
    Field {
        /// The record.
        base: ExprId,
        /// Its type.
        record: RecordId,
        /// The field's slot.
        slot: u32,
        /// Written with `?.`.
        null_safe: bool,
    },
    /// `list[index]`
    Index {
        /// The list.
        base: ExprId,
        /// The position (negative counts from the end).
        index: ExprId,
    },
    /// `map[key]` (null when the key is absent)
    MapGet {
        /// The map.
        base: ExprId,
        /// The key.
        key: ExprId,
    },
    /// `not e`
    Not(ExprId),
    /// `-e`
    Neg(ExprId),
    /// `a and b and …`; an item marked `true` is guarded: it relies on the
    /// items before it (e.g. `x != null and x.y`) and is evaluated only when
    /// they all hold.
    And(Vec<(ExprId, bool)>),
    /// `a or b or …`; a guarded item is evaluated only when the items before
    /// it all fail (e.g. `x == null or x.y`).
    Or(Vec<(ExprId, bool)>),
    /// `a op b`
    Compare {
        /// The operator.
        op: CmpOp,
        /// Left operand.
        lhs: ExprId,
        /// Right operand.
        rhs: ExprId,
    },
    /// `a op b`
    Arith {
        /// The operator.
        op: ArithOp,
        /// Left operand.
        lhs: ExprId,
        /// Right operand.
        rhs: ExprId,
    },
    /// `item in list` for lists of scalars, `key in map` for maps.
    In {
        /// The value looked for.
        item: ExprId,
        /// The list or map.
        list: ExprId,
    },
    /// `a ?? b`
    Coalesce {
        /// The value, if not null.
        lhs: ExprId,
        /// The default.
        rhs: ExprId,
    },
    /// `if cond then a else b`
    If {
        /// The condition.
        cond: ExprId,
        /// Value when it holds.
        then: ExprId,
        /// Value when it does not.
        otherwise: ExprId,
    },
    /// `list.all(p)` and the other predicate methods; the element is bound to
    /// local `slot` while `body` runs.
    Quant {
        /// Which method.
        kind: QuantKind,
        /// The list.
        list: ExprId,
        /// The element's slot.
        slot: u32,
        /// The predicate or projection.
        body: ExprId,
        /// The body's scope, for message templates.
        scope: ScopeId,
    },
    /// `list.includes(a, b, …)`: every argument is an element (or, for
    /// records, the key of an element whose key condition holds).
    Includes {
        /// The list.
        list: ExprId,
        /// The values looked for.
        args: Vec<ExprId>,
        /// How records are matched, for lists of records.
        key: Option<KeyMatch>,
    },
    /// `list.includes_all(items)` / `list.includes_any(items)`: every (or
    /// some) element of `items` is an element of `list` (for records, the
    /// key of an element whose key condition holds).
    IncludesEach {
        /// The list searched.
        list: ExprId,
        /// The list of values looked for.
        items: ExprId,
        /// How records are matched, for lists of records.
        key: Option<KeyMatch>,
        /// `includes_any`: one found is enough.
        any: bool,
    },
    /// `present(a.b, c)`: every argument is present and not null.
    ///
    /// A required field (one whose type is not `T?`) that is missing or
    /// null makes `present` an error (E0601) — otherwise
    /// `not present(x) or check(x)` would pass with no evidence at all —
    /// unless its absence already fails the gate: `lenient` is set by the
    /// checker on a `present` that a `block` rule without `when` requires
    /// at the top of a `require`, and on every `present` of places that such
    /// a rule requires. There a missing required field makes `present`
    /// false.
    Present {
        /// The places checked.
        args: Vec<ExprId>,
        /// Whether a missing required field makes it false (not an error).
        lenient: bool,
    },
    /// `well_typed(a, b.c, …)`: every value at and under each place has
    /// its declared type and format. A value of another type (or a `null`
    /// where none is allowed) makes it false, not an error: it reads the
    /// evidence issues, not the values. A missing required value is not a
    /// type issue (`present` is about presence).
    WellTyped {
        /// The places checked.
        args: Vec<ExprId>,
    },
    /// A built-in function.
    Builtin {
        /// Which.
        func: Builtin,
        /// Its arguments (the receiver first).
        args: Vec<ExprId>,
    },
    /// A call to a `def`.
    Call {
        /// The function.
        func: FuncId,
        /// Its arguments.
        args: Vec<ExprId>,
    },
    /// A call to a function of the embedding program (see [`HostSig`]).
    Host {
        /// Index in the host functions given to the compiler.
        func: u32,
        /// Its arguments.
        args: Vec<ExprId>,
    },
}

/// The signature of a function the embedding program provides: the checker
/// types calls to it, the evaluator calls it.
#[derive(Clone, Debug, PartialEq)]
pub struct HostSig {
    /// Its name in policies.
    pub name: String,
    /// Parameter types.
    pub params: Vec<Type>,
    /// Result type.
    pub ret: Type,
}

/// An exception to a rule written in the policy (`waive RULE { … }`).
#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    /// The rule it covers.
    pub rule: String,
    /// The element it covers: its key, or a JSON pointer; all failures of the
    /// rule when `None`.
    pub element: Option<String>,
    /// Who approved it.
    pub approved_by: String,
    /// The ticket that records it.
    pub ticket: String,
    /// Why.
    pub reason: String,
    /// When it stops applying, in nanoseconds since the epoch.
    pub expires: i128,
    /// Where it is written.
    pub span: Span,
}

/// One node of the expression table.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The expression.
    pub ir: Ir,
    /// Its type.
    pub ty: Type,
    /// Where it was written.
    pub span: Span,
}

/// A top-level `let`, evaluated once per evaluation, before the rules, in
/// the order of [`Program::globals`] (dependencies first).
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Its name (qualified with the module for imported ones).
    pub name: String,
    /// Its value.
    pub expr: ExprId,
    /// Local slots its expression needs.
    pub frame_size: u32,
    /// Where it was defined.
    pub span: Span,
}

/// A function: a `def`, or the key condition of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// How many parameters; they take slots `0..params`.
    pub params: u32,
    /// The body.
    pub body: ExprId,
    /// Local slots the body needs, parameters included.
    pub frame_size: u32,
    /// Where it was defined.
    pub span: Span,
}

/// How much a failing rule matters.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RuleSeverity {
    /// Shown, never changes the decision.
    Info,
    /// Makes the decision `warn`.
    Warn,
    /// Makes the decision `fail`.
    Block,
}

impl RuleSeverity {
    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSeverity::Info => "info",
            RuleSeverity::Warn => "warn",
            RuleSeverity::Block => "block",
        }
    }
}

/// A piece of a failure message.
#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// An expression whose value is inserted.
    Hole(ExprId),
}

/// A failure message compiled for each scope where all its holes resolve.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// `(scope, parts)`: the innermost active scope with a variant is used.
    pub variants: Vec<(ScopeId, Vec<MessagePart>)>,
    /// The template as written.
    pub text: String,
}

/// One `require` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// The predicate.
    pub expr: ExprId,
    /// The failure message, if given.
    pub message: Option<Message>,
    /// The whole statement.
    pub span: Span,
}

/// A rule body statement, run in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `when e`: if false the rule does not apply.
    When(ExprId),
    /// `let x = e`, into a local slot.
    Let {
        /// The slot.
        slot: u32,
        /// The value.
        expr: ExprId,
    },
    /// `require e`.
    Require(Requirement),
}

/// A checked rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The rule id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its severity (`block` when not given).
    pub severity: RuleSeverity,
    /// Control references, as written.
    pub controls: Vec<String>,
    /// The body.
    pub steps: Vec<Step>,
    /// Local slots the body needs.
    pub frame_size: u32,
    /// The whole rule.
    pub span: Span,
}

/// The gate's name and settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GateInfo {
    /// The name after `gate`.
    pub name: String,
    /// `title`
    pub title: Option<String>,
    /// `stage`
    pub stage: Option<String>,
    /// `version`
    pub version: Option<String>,
    /// `description`
    pub description: Option<String>,
    /// `if_no_rule_applies pass`: a decision in which no rule applied
    /// passes. By default it is an error ("nothing was checked").
    pub pass_if_no_rule_applies: bool,
}

/// A compiled gate.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Name and settings.
    pub gate: GateInfo,
    /// Record and enum types, and the evidence root.
    pub schema: Schema,
    /// The expression table.
    pub nodes: Vec<Node>,
    /// Top-level `let`s, dependencies first.
    pub globals: Vec<Global>,
    /// `def`s and key conditions.
    pub functions: Vec<Function>,
    /// Rules, in source order.
    pub rules: Vec<Rule>,
    /// Waivers written in the policy.
    pub waivers: Vec<Waiver>,
    /// The host functions the program was checked against.
    pub host: Vec<HostSig>,
    /// The sources: the gate and every module it imports.
    pub sources: SourceMap,
    /// Warnings found while checking.
    pub warnings: Vec<Error>,
    /// What the checker learnt about names, for the linter.
    pub names: NameFacts,
}

/// What kind of declaration a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclKind {
    /// A top-level `let`.
    Let,
    /// A `def`.
    Def,
    /// An import's alias.
    Import,
}

/// A name that hides another meaning of the same name where it is declared
/// or used.
#[derive(Clone, Debug)]
pub struct Shadow {
    /// The name.
    pub name: String,
    /// Where it is declared (a `let`, a parameter) or used (a field of an
    /// implicit element).
    pub span: Span,
    /// What it hides, e.g. "the top-level `let` `owner`".
    pub hides: String,
    /// Where the hidden meaning is declared, when it is in a source.
    pub hidden_at: Option<Span>,
    /// Whether `span` is a use (an implicit element's field) rather than a
    /// declaration.
    pub at_use: bool,
}

/// Facts about names collected while checking: which declarations are
/// referenced and which names hide others. `gate lint` reports unused
/// declarations and shadowing from them.
#[derive(Clone, Debug, Default)]
pub struct NameFacts {
    /// Module-level declarations referenced somewhere: the source of the
    /// module, the name and its kind.
    pub used: std::collections::HashSet<(crate::span::SourceId, String, DeclKind)>,
    /// Local declarations (rule `let`s, parameters) referenced somewhere:
    /// the source and byte offset of the declared name.
    pub used_locals: std::collections::HashSet<(crate::span::SourceId, u32)>,
    /// Names that hide others, in the order found.
    pub shadows: Vec<Shadow>,
    /// Every import: the source that imports, the alias it names the
    /// module by (`secrets` for `import std.secrets`, `t` for `import
    /// "lib/types.gate" as t`), and the module's source.
    pub imports: Vec<(crate::span::SourceId, String, crate::span::SourceId)>,
}

impl NameFacts {
    /// Whether the module-level declaration `name` of kind `kind` in
    /// `source` is referenced.
    pub fn is_used(&self, source: crate::span::SourceId, name: &str, kind: DeclKind) -> bool {
        self.used.contains(&(source, name.to_string(), kind))
    }

    /// The source of the module that `source` imports as `alias`.
    ///
    /// ```
    /// let p = gate_lang::compile_source(
    ///     "g.gate",
    ///     "gate g {}\nimport std.secrets\nevidence { n: int }\nrule r { require n > 0 }\n",
    /// )
    /// .unwrap();
    /// let module = p.names.imported(gate_lang::SourceId(0), "secrets").unwrap();
    /// assert_eq!(p.sources.get(module).unwrap().name, "std.secrets");
    /// assert!(p.names.imported(gate_lang::SourceId(0), "time").is_none());
    /// ```
    pub fn imported(
        &self,
        source: crate::span::SourceId,
        alias: &str,
    ) -> Option<crate::span::SourceId> {
        self.imports
            .iter()
            .find(|(from, a, _)| *from == source && a == alias)
            .map(|(_, _, module)| *module)
    }

    /// Whether the local declared at `span` (its name) is referenced.
    pub fn is_local_used(&self, span: Span) -> bool {
        self.used_locals.contains(&(span.source, span.start))
    }
}

impl Program {
    /// The node with the given id.
    pub fn node(&self, id: ExprId) -> Option<&Node> {
        self.nodes.get(id.0 as usize)
    }

    /// The source text of a node.
    pub fn text(&self, id: ExprId) -> &str {
        self.node(id)
            .map(|n| self.sources.slice(n.span))
            .unwrap_or("")
    }

    /// The direct children of a node.
    pub fn children(&self, id: ExprId) -> Vec<ExprId> {
        let Some(node) = self.node(id) else {
            return Vec::new();
        };
        match &node.ir {
            Ir::Const(_) | Ir::Root | Ir::Local(_) | Ir::Global(_) => Vec::new(),
            Ir::List(items) | Ir::Present { args: items, .. } | Ir::WellTyped { args: items } => {
                items.clone()
            }
            Ir::Map(entries) => entries.iter().map(|(_, v)| *v).collect(),
            Ir::Field { base, .. } => vec![*base],
            Ir::Index { base, index } => vec![*base, *index],
            Ir::MapGet { base, key } => vec![*base, *key],
            Ir::Not(e) | Ir::Neg(e) => vec![*e],
            Ir::And(items) | Ir::Or(items) => items.iter().map(|(e, _)| *e).collect(),
            Ir::Compare { lhs, rhs, .. }
            | Ir::Arith { lhs, rhs, .. }
            | Ir::Coalesce { lhs, rhs } => {
                vec![*lhs, *rhs]
            }
            Ir::In { item, list } => vec![*item, *list],
            Ir::IncludesEach { list, items, .. } => vec![*list, *items],
            Ir::If {
                cond,
                then,
                otherwise,
            } => vec![*cond, *then, *otherwise],
            Ir::Quant { list, body, .. } => vec![*list, *body],
            Ir::Includes { list, args, .. } => {
                let mut v = vec![*list];
                v.extend(args);
                v
            }
            Ir::Builtin { args, .. } | Ir::Call { args, .. } | Ir::Host { args, .. } => {
                args.clone()
            }
        }
    }
}
