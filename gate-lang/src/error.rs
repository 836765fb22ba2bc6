//! Diagnostics of the language crate: syntax, structure, names, types and
//! modules. One type, [`Error`], carries an [`ErrorKind`] (the data), a
//! primary span, optional secondary labels and notes.
//!
//! Every kind has a stable code (`E0301`, …) listed in `docs/errors.md`.
//! Messages are lowercase, without a final period, with user text in
//! backticks.

use crate::lexer::LexErrorKind;
use crate::span::{SourceFile, SourceMap, Span};
use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops compilation.
    Error,
    /// Reported, compilation goes on.
    Warning,
}

/// A secondary label: a span with a short text.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub text: String,
}

/// A diagnostic of the language crate.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// What went wrong, as data.
    pub kind: Box<ErrorKind>,
    /// The primary location.
    pub span: Span,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// Extra lines shown after the help text.
    pub notes: Vec<String>,
    /// Error or warning.
    pub severity: Severity,
}

impl Error {
    /// A new error of the given kind at `span`.
    pub fn new(kind: ErrorKind, span: Span) -> Self {
        Error {
            kind: Box::new(kind),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
            severity: Severity::Error,
        }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Turns the diagnostic into a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// The stable code, e.g. `E0301`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Attaches the source text so miette can render an excerpt.
    pub fn report(&self, sources: &SourceMap) -> Report {
        let source = sources.get(self.span.source).map(SourceFile::excerpt);
        let same_file: Vec<Label> = self
            .labels
            .iter()
            .filter(|l| l.span.source == self.span.source)
            .cloned()
            .collect();
        let mut notes = self.notes.clone();
        for l in self
            .labels
            .iter()
            .filter(|l| l.span.source != self.span.source)
        {
            let loc = sources.locate(l.span);
            notes.push(format!(
                "{} ({}:{}:{})",
                l.text, loc.file, loc.line, loc.column
            ));
        }
        Report {
            error: self.clone(),
            source,
            labels: same_file,
            notes,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {}

/// Source text safe to show in an excerpt: each control character (other
/// than tab and line breaks) and each bidirectional control is replaced by
/// a visible character of the same length in bytes (`?`, `·` or `�`), so
/// spans still point at the same places and nothing in the file can
/// reorder, recolour or clear the terminal it is shown on.
///
/// ```
/// let shown = gate_lang::error::displayable_source("a \u{1b}[2J \"x\u{202e}y\"");
/// assert_eq!(shown, "a ?[2J \"x\u{fffd}y\"");
/// ```
pub fn displayable_source(text: &str) -> String {
    text.chars()
        .map(|c| {
            if crate::lexer::is_bidi_control(c) || crate::lexer::is_forbidden_control(c) {
                match c.len_utf8() {
                    1 => '?',
                    2 => '·',
                    _ => '\u{fffd}',
                }
            } else {
                c
            }
        })
        .collect()
}

/// The kinds of language diagnostics. Each variant's doc shows an input
/// that triggers it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    // ---- E01: syntax -----------------------------------------------------
    /// `require a $ b`
    #[error("{}", lex_message(.0))]
    Lex(LexErrorKind),
    /// `require a b`
    #[error("unexpected {found}")]
    UnexpectedToken {
        /// The token found.
        found: String,
        /// What the grammar could accept there.
        expected: Vec<String>,
    },
    /// `rule r { require`
    #[error("unexpected end of file")]
    UnexpectedEof {
        /// What the grammar could accept there.
        expected: Vec<String>,
    },
    /// `"\q"`
    #[error("unknown escape `{escape}` in string")]
    InvalidEscape {
        /// The escape as written.
        escape: String,
    },
    /// `rule S 02 { … }`, `gate 2fa {}`
    #[error("invalid {what} `{id}`")]
    InvalidRuleId {
        /// The id as written.
        id: String,
        /// `rule id` or `gate name`.
        what: String,
    },
    /// `else "secret {name"`
    #[error("invalid message template: {reason}")]
    InvalidTemplate {
        /// What is wrong.
        reason: String,
    },
    /// `require a = b`, `a && b`, `!a`
    #[error("`{written}` is not an operator of gate")]
    NotAnOperator {
        /// What was written.
        written: String,
        /// What to write instead.
        instead: String,
    },

    // ---- E02: structure --------------------------------------------------
    /// A file that starts with `rule` instead of `gate NAME { … }`.
    #[error("a policy file must start with `gate NAME {{ … }}` or `module NAME`")]
    MissingHeader,
    /// `gate check` on a file that starts with `module m`.
    #[error("this file is a module, not a gate")]
    ModuleNotGate,
    /// `rule r { severty block }`
    #[error("unknown setting `{name}`")]
    UnknownSetting {
        /// The setting as written.
        name: String,
        /// The settings allowed here.
        allowed: Vec<String>,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `rule r { severity "block" }`
    #[error("invalid value for `{setting}`: expected {expected}")]
    InvalidSettingValue {
        /// The setting.
        setting: String,
        /// What it takes.
        expected: String,
        /// A close match, for names.
        suggestion: Option<String>,
    },
    /// Two `let x` at the top level.
    #[error("{what} `{name}` is defined more than once")]
    Duplicate {
        /// What kind of thing (`rule`, `let`, `field`, …).
        what: String,
        /// Its name.
        name: String,
    },
    /// `def len(xs: [string]) = 0`: a `def` with the name of a built-in
    /// function, which `len(xs)` would call but `xs.len()` would not.
    #[error("`{name}` is a built-in function; a `def` cannot take its name")]
    ShadowsBuiltin {
        /// The name.
        name: String,
    },
    /// `gate g {}` with no `rule`: it would pass whatever the evidence.
    #[error("the gate has no rules, so it would pass any evidence")]
    NoRules,
    /// `rule r { severity block }` with no `require`.
    #[error("rule `{rule}` has no `require`")]
    RuleWithoutRequire {
        /// The rule id.
        rule: String,
    },
    /// `evidence { … }` or `rule` in a `module` file.
    #[error("{what} is not allowed in a module")]
    NotInModule {
        /// What was found.
        what: String,
    },
    /// Two `evidence { … }` blocks.
    #[error("a gate has one `evidence` block")]
    SecondEvidence,
    /// `record R { primary id }`
    #[error("unknown record directive `{name}`")]
    UnknownDirective {
        /// The directive as written.
        name: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `waive S2 { … }` where the gate has no rule `S2`.
    #[error("the gate has no rule `{rule}`")]
    UnknownRule {
        /// The id written.
        rule: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `record R { @secret password: string }`
    #[error("unknown attribute `@{name}`")]
    UnknownAttribute {
        /// The attribute as written.
        name: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `waive S02 { reason "…" }` without `approved_by`.
    #[error("{what} has no `{setting}`")]
    MissingSetting {
        /// The setting.
        setting: String,
        /// What lacks it.
        what: String,
    },
    /// `record R { key id }` where `id` is a list.
    #[error("invalid `{directive}` directive: {reason}")]
    InvalidDirective {
        /// `key` or `elements`.
        directive: String,
        /// Why.
        reason: String,
    },

    // ---- E03: names ------------------------------------------------------
    /// `secrets.all(vaultd)`
    #[error("unknown name `{name}`")]
    UnknownName {
        /// The name.
        name: String,
        /// A close match and what it is.
        suggestion: Option<String>,
    },
    /// `artefact.digst`
    #[error("record `{record}` has no field `{field}`")]
    UnknownField {
        /// The field.
        field: String,
        /// The record type.
        record: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `evidence { a: Strin }`
    #[error("unknown type `{name}`")]
    UnknownType {
        /// The type name.
        name: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `secrets.alll(vaulted)`
    #[error("unknown function `{name}`")]
    UnknownFunction {
        /// The function name.
        name: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `approvals.all(role == owner)` where `Approval` also has a field `owner`.
    #[error("`{name}` is ambiguous here: it could be {}", .meanings.join(" or "))]
    AmbiguousName {
        /// The name.
        name: String,
        /// What it could mean.
        meanings: Vec<String>,
        /// How to write each meaning unambiguously.
        help: String,
    },
    /// `artefact.kind == "agent"` where `agent` is no value of the enum.
    #[error("`{value}` is not a value of enum `{enum_name}`")]
    UnknownEnumValue {
        /// The value written.
        value: String,
        /// The enum.
        enum_name: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `require it.vaulted` outside a predicate argument.
    #[error("`it` is only defined inside a predicate argument such as `all(…)`")]
    ItOutsidePredicate,
    /// `require len(x => x) > 0`
    #[error("a `=>` function is only allowed as the argument of a collection method")]
    LambdaNotAllowed,
    /// `import std.secrets as sec` then `sec.nope(x)`
    #[error("module `{module}` has no {what} `{name}`")]
    UnknownModuleMember {
        /// The module.
        module: String,
        /// `def`, `let` or `type`.
        what: String,
        /// The member.
        name: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// `s.matches("[a-")`: a string literal that the built-in cannot use
    /// (an invalid regular expression, glob, version, network or time).
    #[error("invalid {} in `{function}`: {reason}", .what.as_str())]
    InvalidLiteral {
        /// The built-in function.
        function: String,
        /// What the literal should be.
        what: LiteralKind,
        /// Why it is not.
        reason: String,
    },

    // ---- E04: types ------------------------------------------------------
    /// `require artefact.name`
    #[error("expected {expected}, found {found}")]
    TypeMismatch {
        /// What the context needs.
        expected: String,
        /// What the expression has.
        found: String,
        /// Where the expectation comes from.
        context: String,
    },
    /// `require rollback.tested_in == "staging"` where `rollback` is `Rollback?`
    #[error("`{expr}` may be null (type `{ty}`)")]
    UnhandledOptional {
        /// The expression, as written.
        expr: String,
        /// Its type.
        ty: String,
    },
    /// `approvals.includes()`
    #[error("`{name}` takes {expected}, found {found}")]
    WrongArity {
        /// The function.
        name: String,
        /// How many arguments it takes.
        expected: String,
        /// How many were given.
        found: usize,
    },
    /// `artefact.digest < 3`
    #[error("cannot compare {lhs} {op} {rhs}")]
    NotComparable {
        /// The operator.
        op: String,
        /// Left type.
        lhs: String,
        /// Right type.
        rhs: String,
    },
    /// `artefact.name + 1`
    #[error("cannot apply `{op}` to {lhs} and {rhs}")]
    BadOperands {
        /// The operator.
        op: String,
        /// Left type.
        lhs: String,
        /// Right type.
        rhs: String,
    },
    /// `artefact.all(x)`
    #[error("`{method}` needs a list, found {ty}")]
    NotACollection {
        /// The method.
        method: String,
        /// The receiver's type.
        ty: String,
    },
    /// `artefact.kind.name`
    #[error("{ty} has no fields")]
    NoFields {
        /// The type.
        ty: String,
    },
    /// `approvals.includes(security)` where `Approval` declares no `key`.
    #[error("cannot tell which field of `{record}` to match against {arg}")]
    NoKeyField {
        /// The record.
        record: String,
        /// The argument type.
        arg: String,
    },
    /// `else "{nope}"`
    #[error("`{{{hole}}}` does not name anything at the places this requirement can fail")]
    UnresolvedHole {
        /// The hole text.
        hole: String,
    },
    /// `def f(x: int) = f(x)`
    #[error("`{name}` is recursive: {}", .cycle.join(" -> "))]
    Recursive {
        /// The definition.
        name: String,
        /// The call cycle.
        cycle: Vec<String>,
    },

    /// `require x != null` where `x` can never be null (a warning).
    #[error("`{expr}` is never null here")]
    NeverNull {
        /// The expression.
        expr: String,
        /// What this means for the expression around it.
        consequence: String,
    },

    // ---- E05: modules ----------------------------------------------------
    /// `import "missing.gate"`
    #[error("cannot find module `{target}`")]
    ImportNotFound {
        /// What was imported.
        target: String,
        /// Why it was not found.
        reason: String,
    },
    /// `a.gate` imports `b.gate`, which imports `a.gate`.
    #[error("import cycle: {}", .cycle.join(" -> "))]
    ImportCycle {
        /// The modules in the cycle.
        cycle: Vec<String>,
    },
    /// `import "../../etc/x.gate"`
    #[error("import `{target}` is outside the policy root `{root}`")]
    ImportOutsideRoot {
        /// The import.
        target: String,
        /// The root.
        root: String,
    },
    /// `import "release.gate"` where that file is a gate.
    #[error("`{target}` is a gate, not a module")]
    ImportNotModule {
        /// The import.
        target: String,
    },
    /// A policy file that is not UTF-8.
    #[error("`{name}` is not valid UTF-8 (byte {offset}, line {line}, column {column})")]
    InvalidUtf8 {
        /// The file.
        name: String,
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
        /// 1-based column (in characters) of that byte.
        column: usize,
    },
    /// A policy file that starts with a UTF-8 byte order mark (a warning;
    /// the mark is skipped).
    #[error("`{name}` starts with a byte order mark")]
    ByteOrderMark {
        /// The file.
        name: String,
    },
    /// A policy file larger than the configured limit.
    #[error("`{name}` is over the limit of {limit} bytes")]
    SourceTooLarge {
        /// The file.
        name: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// `((((((…))))))` nested deeper than the limit.
    #[error("expression nested {depth} levels deep, over the limit of {limit}")]
    TooDeep {
        /// How deep.
        depth: usize,
        /// The limit.
        limit: usize,
    },
}

/// What a string literal given to a built-in function must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralKind {
    /// A regular expression (`matches`).
    Regex,
    /// A glob pattern (`glob`).
    Glob,
    /// A semantic version (`semver_cmp`, `semver_satisfies`).
    Version,
    /// A version requirement (`semver_satisfies`).
    VersionReq,
    /// An IP address or network (`cidr_contains`).
    Network,
    /// An RFC 3339 timestamp (`parse_time`).
    Timestamp,
}

impl LiteralKind {
    /// How the kind is named in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LiteralKind::Regex => "regular expression",
            LiteralKind::Glob => "glob pattern",
            LiteralKind::Version => "version",
            LiteralKind::VersionReq => "version requirement",
            LiteralKind::Network => "IP address or network",
            LiteralKind::Timestamp => "timestamp",
        }
    }
}

fn lex_message(kind: &LexErrorKind) -> String {
    match kind {
        LexErrorKind::UnexpectedChar(c) if c.is_control() || c.is_whitespace() => {
            format!("unexpected character U+{:04X}", u32::from(*c))
        }
        LexErrorKind::UnexpectedChar(c) => format!("unexpected character `{c}`"),
        LexErrorKind::NonAsciiIdent => "identifiers must be ASCII".into(),
        LexErrorKind::UnterminatedString => "string is not closed on its line".into(),
        LexErrorKind::IntOverflow => "integer literal does not fit in 64 bits".into(),
        LexErrorKind::BadDuration(unit) if unit.is_empty() => "duration is missing its unit".into(),
        LexErrorKind::BadDuration(unit) => format!("`{unit}` is not a duration unit"),
        LexErrorKind::BadTime => "invalid timestamp".into(),
        LexErrorKind::LookAlikeIdent { ascii, first } => format!(
            "identifiers must be ASCII: this one looks like `{ascii}` but has U+{:04X}",
            u32::from(*first)
        ),
        LexErrorKind::ControlChar(c) => format!(
            "control character U+{:04X} written in a string or comment",
            u32::from(*c)
        ),
        LexErrorKind::BidiControl(c) => {
            format!(
                "bidirectional control character U+{:04X} in source",
                u32::from(*c)
            )
        }
    }
}

/// Names people try for decoding a document held in text, which gate does
/// with field attributes instead (a decoded value needs a type).
const DECODERS: [&str; 8] = [
    "parse_json",
    "parse_yaml",
    "json_decode",
    "yaml_decode",
    "from_json",
    "from_yaml",
    "decode_json",
    "decode_yaml",
];

impl ErrorKind {
    /// The stable code of this kind of diagnostic.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Lex(LexErrorKind::ControlChar(_)) => "E0111",
            ErrorKind::Lex(_) => "E0101",
            ErrorKind::UnexpectedToken { .. } => "E0102",
            ErrorKind::UnexpectedEof { .. } => "E0103",
            ErrorKind::InvalidEscape { .. } => "E0104",
            ErrorKind::InvalidRuleId { .. } => "E0105",
            ErrorKind::InvalidTemplate { .. } => "E0106",
            ErrorKind::NotAnOperator { .. } => "E0107",
            ErrorKind::MissingHeader => "E0201",
            ErrorKind::ModuleNotGate => "E0210",
            ErrorKind::UnknownAttribute { .. } => "E0211",
            ErrorKind::MissingSetting { .. } => "E0212",
            ErrorKind::UnknownRule { .. } => "E0213",
            ErrorKind::UnknownSetting { .. } => "E0202",
            ErrorKind::InvalidSettingValue { .. } => "E0203",
            ErrorKind::Duplicate { .. } => "E0204",
            ErrorKind::ShadowsBuiltin { .. } => "E0316",
            ErrorKind::NoRules => "E0214",
            ErrorKind::RuleWithoutRequire { .. } => "E0205",
            ErrorKind::NotInModule { .. } => "E0206",
            ErrorKind::SecondEvidence => "E0207",
            ErrorKind::UnknownDirective { .. } => "E0208",
            ErrorKind::InvalidDirective { .. } => "E0209",
            ErrorKind::UnknownName { .. } => "E0301",
            ErrorKind::UnknownField { .. } => "E0302",
            ErrorKind::UnknownType { .. } => "E0303",
            ErrorKind::UnknownFunction { .. } => "E0304",
            ErrorKind::AmbiguousName { .. } => "E0305",
            ErrorKind::UnknownEnumValue { .. } => "E0306",
            ErrorKind::ItOutsidePredicate => "E0307",
            ErrorKind::LambdaNotAllowed => "E0308",
            ErrorKind::UnknownModuleMember { .. } => "E0309",
            ErrorKind::InvalidLiteral { what, .. } => match what {
                LiteralKind::Regex => "E0311",
                LiteralKind::Glob => "E0312",
                LiteralKind::Version | LiteralKind::VersionReq => "E0313",
                LiteralKind::Network => "E0314",
                LiteralKind::Timestamp => "E0315",
            },
            ErrorKind::TypeMismatch { .. } => "E0401",
            ErrorKind::UnhandledOptional { .. } => "E0402",
            ErrorKind::WrongArity { .. } => "E0403",
            ErrorKind::NotComparable { .. } => "E0404",
            ErrorKind::BadOperands { .. } => "E0405",
            ErrorKind::NotACollection { .. } => "E0406",
            ErrorKind::NoFields { .. } => "E0407",
            ErrorKind::NoKeyField { .. } => "E0408",
            ErrorKind::UnresolvedHole { .. } => "E0409",
            ErrorKind::Recursive { .. } => "E0410",
            ErrorKind::NeverNull { .. } => "W0401",
            ErrorKind::ImportNotFound { .. } => "E0501",
            ErrorKind::ImportCycle { .. } => "E0502",
            ErrorKind::ImportOutsideRoot { .. } => "E0503",
            ErrorKind::ImportNotModule { .. } => "E0504",
            ErrorKind::SourceTooLarge { .. } => "E0505",
            ErrorKind::InvalidUtf8 { .. } => "E0110",
            ErrorKind::ByteOrderMark { .. } => "W0110",
            ErrorKind::TooDeep { .. } => "E0506",
        }
    }

    /// The name it suggests instead of the one written (`did you mean
    /// …?`), without quotes, when it suggests exactly one: what an editor
    /// offers to put in the error's place.
    ///
    /// ```
    /// let e = gate_lang::compile_source("g.gate", "gate g {}\nrecord S { name: string }\nevidence { s: S }\nrule r { require s.nme == \"\" }\n").unwrap_err();
    /// assert_eq!(e.errors[0].kind.suggestion(), Some("name"));
    /// ```
    pub fn suggestion(&self) -> Option<&str> {
        let s = match self {
            ErrorKind::UnknownSetting { suggestion, .. }
            | ErrorKind::InvalidSettingValue { suggestion, .. }
            | ErrorKind::UnknownDirective { suggestion, .. }
            | ErrorKind::UnknownRule { suggestion, .. }
            | ErrorKind::UnknownName { suggestion, .. }
            | ErrorKind::UnknownField { suggestion, .. }
            | ErrorKind::UnknownType { suggestion, .. }
            | ErrorKind::UnknownFunction { suggestion, .. }
            | ErrorKind::UnknownEnumValue { suggestion, .. }
            | ErrorKind::UnknownModuleMember { suggestion, .. } => suggestion.as_deref()?,
            _ => return None,
        };
        let s = s.trim_matches('`');
        let one = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        one.then_some(s)
    }

    /// Advice on how to fix it, if there is any.
    pub fn help(&self) -> Option<String> {
        let did_you_mean = |s: &Option<String>| s.as_ref().map(|s| format!("did you mean {s}?"));
        match self {
            ErrorKind::Lex(LexErrorKind::NonAsciiIdent) => Some(
                "names are ASCII so that look-alike letters cannot hide in a policy; use a string for non-ASCII text"
                    .into(),
            ),
            ErrorKind::Lex(LexErrorKind::BadDuration(_)) => Some(
                "durations are written like `90d`, `12h`, `30m`, `45s`, `500ms`, `2w` or `1h30m`; names and rule ids start with a letter"
                    .into(),
            ),
            ErrorKind::Lex(LexErrorKind::BadTime) => Some(
                "timestamps are RFC 3339 with seconds and a zone, e.g. `2026-05-04T09:00:00Z`".into(),
            ),
            ErrorKind::Lex(LexErrorKind::LookAlikeIdent { ascii, .. }) => Some(format!(
                "names are ASCII so that look-alike letters cannot hide in a policy; write `{ascii}`"
            )),
            ErrorKind::Lex(LexErrorKind::ControlChar(_)) => Some(
                "write it as an escape such as `\\u{1b}` in a string, or remove it".into(),
            ),
            ErrorKind::Lex(LexErrorKind::BidiControl(_)) => {
                Some("remove the character: it can make the code read differently from how it runs".into())
            }
            ErrorKind::Lex(_) => None,
            ErrorKind::UnexpectedToken { expected, .. } | ErrorKind::UnexpectedEof { expected } => {
                if expected.is_empty() {
                    None
                } else {
                    Some(format!("expected {}", join_or(expected)))
                }
            }
            ErrorKind::InvalidEscape { .. } => {
                Some("escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\{`, `\\}` and `\\u{…}`".into())
            }
            ErrorKind::InvalidRuleId { what, .. } => Some(format!(
                "a {what} starts with a letter and has letters, digits, `_` and `-`, e.g. `S02` or `secrets-vaulted`"
            )),
            ErrorKind::InvalidTemplate { .. } => {
                Some("holes are written `{field}` or `{a.b}`; write `{{` and `}}` for literal braces".into())
            }
            ErrorKind::NotAnOperator { instead, .. } => Some(format!("use `{instead}`")),
            ErrorKind::MissingHeader => Some("start the file with e.g. `gate release { title \"Release gate\" }`".into()),
            ErrorKind::ModuleNotGate => Some("a module is imported by gates (`import \"path.gate\" as name`); check a gate".into()),
            ErrorKind::UnknownSetting {
                allowed, suggestion, ..
            } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("settings here are {}", join_and(allowed)),
            }),
            ErrorKind::InvalidSettingValue { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::Duplicate { .. } => Some("rename one of them".into()),
            ErrorKind::NoRules => Some("add a `rule` with a `require`; a gate decides only what its rules check".into()),
            ErrorKind::ShadowsBuiltin { .. } => Some(
                "rename the `def`: a built-in's name always means the built-in, in `f(x)` and `x.f()` alike"
                    .into(),
            ),
            ErrorKind::RuleWithoutRequire { .. } => {
                Some("a rule states what must hold with at least one `require`".into())
            }
            ErrorKind::NotInModule { .. } => {
                Some("a module holds types, `let` and `def`; rules and evidence belong to a gate".into())
            }
            ErrorKind::SecondEvidence => Some("merge the fields into one `evidence { … }` block".into()),
            ErrorKind::UnknownDirective { suggestion, .. } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "record directives are `key FIELD (when COND)?` and `elements FIELD`".into(),
            }),
            ErrorKind::InvalidDirective { .. } => None,
            ErrorKind::UnknownAttribute { suggestion, .. } => Some(match suggestion {
                Some(s) => format!("did you mean {s}?"),
                None => "the field attributes are `@sensitive`, `@utc` and `@digest`".into(),
            }),
            ErrorKind::MissingSetting { setting, .. } => Some(format!("add `{setting} …`")),
            ErrorKind::UnknownRule { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::UnknownName { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::UnknownField { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::UnknownType { suggestion, .. } => Some(match suggestion {
                Some(s) => format!("did you mean {s}?"),
                None => "built-in types are bool, int, float, string, time, duration, [T], T?, map<T> and many<T>"
                    .into(),
            }),
            ErrorKind::UnknownFunction { name, .. } if DECODERS.contains(&name.as_str()) => Some(
                "a document held in text is decoded where the evidence is read: declare the field \
                 `@json` (or `@yaml`, `@base64 @json`) with the type of what it holds \
                 (docs/language.md, Records)"
                    .into(),
            ),
            ErrorKind::UnknownFunction { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::AmbiguousName { help, .. } => Some(help.clone()),
            ErrorKind::UnknownEnumValue { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::ItOutsidePredicate => None,
            ErrorKind::LambdaNotAllowed => {
                Some("write the function where it is used, e.g. `secrets.all(s => s.vaulted)`, or use `def`".into())
            }
            ErrorKind::UnknownModuleMember { suggestion, .. } => did_you_mean(suggestion),
            ErrorKind::InvalidLiteral { what, .. } => Some(match what {
                LiteralKind::Regex => "see docs/stdlib.md#matches for the syntax; escape `.`, `(`, `[` and `\\` with `\\` (or use a raw string `r\"…\"`)".into(),
                LiteralKind::Glob => "globs use `*`, `?`, `[abc]`, `[!abc]` and `{a,b}`; escape them with `\\`".into(),
                LiteralKind::Version | LiteralKind::VersionReq => "versions are SemVer 2.0 (`1.2.3`, `v1.2.3-rc.1`); requirements look like `>=1.2.3, <2`".into(),
                LiteralKind::Network => "write an address (`10.1.2.3`, `2001:db8::1`) or a network in CIDR notation (`10.0.0.0/8`)".into(),
                LiteralKind::Timestamp => "timestamps are RFC 3339 with seconds and a zone, e.g. `2026-05-04T09:00:00Z`; a literal can be written without `parse_time`".into(),
            }),
            ErrorKind::TypeMismatch { context, .. } => Some(context.clone()),
            ErrorKind::UnhandledOptional { expr, .. } => Some(format!(
                "check it first (`{expr} != null and …`), give a default (`{expr} ?? …`), or use `?.` to pass the null on"
            )),
            ErrorKind::WrongArity { .. } => None,
            ErrorKind::NotComparable { .. } => None,
            ErrorKind::BadOperands { .. } => None,
            ErrorKind::NotACollection { .. } => None,
            ErrorKind::NoFields { .. } => None,
            ErrorKind::NoKeyField { record, .. } => Some(format!(
                "declare which field identifies a `{record}` with `key FIELD` in the record, or map first: `.map(FIELD).includes(…)`"
            )),
            ErrorKind::UnresolvedHole { .. } => Some(
                "a hole names a field of the failing element, a `let`, or an evidence field".into(),
            ),
            ErrorKind::NeverNull { consequence, .. } => Some(consequence.clone()),
            ErrorKind::Recursive { .. } => Some(
                "gate programs always terminate: a `def` may not call itself and a `let` may not depend on itself, directly or through others"
                    .into(),
            ),
            ErrorKind::ImportNotFound { reason, .. } => Some(reason.clone()),
            ErrorKind::ImportCycle { .. } => Some("move what both modules need into a third module".into()),
            ErrorKind::ImportOutsideRoot { .. } => {
                Some("imports are resolved inside the folder of the policy; copy the module there".into())
            }
            ErrorKind::ImportNotModule { .. } => {
                Some("a gate cannot be imported; move shared definitions into a `module` file".into())
            }
            ErrorKind::SourceTooLarge { .. } => Some("split the policy into modules, or raise the limit with `--max-policy-size`".into()),
            ErrorKind::InvalidUtf8 { .. } => Some("policies are UTF-8 text; save the file as UTF-8".into()),
            ErrorKind::ByteOrderMark { .. } => Some("the mark is skipped; save the file as UTF-8 without a byte order mark".into()),
            ErrorKind::TooDeep { .. } => Some("split the expression with `let` or `def`".into()),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn join_or(items: &[String]) -> String {
    join_with(items, "or")
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[String]) -> String {
    join_with(items, "and")
}

fn join_with(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// An [`Error`] with its source attached, ready for miette to render.
#[derive(Debug)]
pub struct Report {
    error: Error,
    source: Option<crate::span::Excerpt>,
    labels: Vec<Label>,
    notes: Vec<String>,
}

impl Report {
    /// The diagnostic.
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.error.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.error.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut text = self.error.kind.help().unwrap_or_default();
        for note in &self.notes {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(note);
        }
        if text.is_empty() {
            None
        } else {
            Some(Box::new(text))
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let primary = miette::LabeledSpan::new_primary_with_span(
            Some(primary_label(&self.error)),
            self.error.span.to_miette(),
        );
        let rest = self
            .labels
            .iter()
            .map(|l| miette::LabeledSpan::new_with_span(Some(l.text.clone()), l.span.to_miette()));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

fn primary_label(error: &Error) -> String {
    match &*error.kind {
        ErrorKind::UnknownName { .. } => "not defined".into(),
        ErrorKind::UnknownField { .. } => "no such field".into(),
        ErrorKind::UnknownType { .. } => "no such type".into(),
        ErrorKind::UnknownFunction { .. } => "no such function".into(),
        ErrorKind::UnknownEnumValue { .. } => "no such value".into(),
        ErrorKind::InvalidLiteral { what, .. } => format!("not a valid {}", what.as_str()),
        ErrorKind::TypeMismatch { found, .. } => format!("this is {found}"),
        ErrorKind::UnhandledOptional { .. } => "may be null".into(),
        ErrorKind::UnexpectedToken { .. } | ErrorKind::UnexpectedEof { .. } => "here".into(),
        ErrorKind::NotAnOperator { instead, .. } => format!("use `{instead}`"),
        _ => "here".into(),
    }
}

/// The miette renderer the CLI uses: unicode, colour or not, wrapped at
/// `width`, no links.
pub fn handler(color: bool, width: usize) -> miette::GraphicalReportHandler {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
}

/// Renders diagnostics as text, the way the CLI prints them.
///
/// `color` chooses ANSI colours; `width` is the terminal width to wrap at.
pub fn render(errors: &[Error], sources: &SourceMap, color: bool, width: usize) -> String {
    let handler = handler(color, width);
    let mut out = String::new();
    for e in errors {
        let report = e.report(sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("error[{}]: {}\n", e.code(), e));
        }
    }
    out
}
