//! The built-in functions and methods, declared once.
//!
//! [`TABLE`] is the one list of them: the checker reads it for names,
//! arities, what a receiver must be and which arguments are checked as
//! literals; the evaluator implements each [`Builtin`] it names (an
//! exhaustive `match`, so none is left out); completion offers its names;
//! and `docs/stdlib.md` has one section per entry, in this order and under
//! these headings, opening with this signature (a test checks it).
//!
//! ```
//! use gate_lang::builtins::{lookup, Form};
//! let len = lookup("len").unwrap();
//! assert_eq!(len.signature, "xs.len() -> int");
//! assert!(matches!(len.form, Form::Function { args: 0, .. }));
//! assert!(lookup("no_such_function").is_none());
//! ```

use crate::error::LiteralKind;
use crate::ir::{Builtin, QuantKind};

/// How a built-in is called, which decides how the checker types it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// A method of a list taking a predicate or a function of the element
    /// (`all`, `map`, …).
    Quantifier(QuantKind),
    /// `xs.flat_map(f)`: `xs.map(f).flatten()`, `f` giving a list.
    FlatMap,
    /// `xs.includes(a, b, …)`: one value or more.
    Includes,
    /// `xs.includes_all(ys)` (`any` false) and `xs.includes_any(ys)`.
    IncludesEach {
        /// Whether one of the values is enough.
        any: bool,
    },
    /// `present(places)` (`typed` false) and `well_typed(places)`: about
    /// evidence fields, not values.
    Place {
        /// `well_typed`.
        typed: bool,
    },
    /// A function of its receiver and `args` more arguments.
    Function {
        /// What the evaluator runs.
        func: Builtin,
        /// Arguments after the receiver.
        args: usize,
    },
    /// `days`, `hours`, `seconds`: the whole units in a duration, or a
    /// duration of that many units.
    Unit {
        /// Of a duration: an integer.
        of_duration: Builtin,
        /// Of an integer: a duration.
        of_int: Builtin,
    },
    /// `now()`: the evaluation clock.
    Clock,
}

/// The part of `docs/stdlib.md` that documents a built-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Lists, maps and the fields of evidence.
    Collections,
    /// Strings.
    Text,
    /// Times and durations.
    Time,
    /// Versions, digests, networks, permissions and secrets.
    Security,
}

impl Section {
    /// Its heading in `docs/stdlib.md`.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Collections => "Collections",
            Section::Text => "Text",
            Section::Time => "Time",
            Section::Security => "Security helpers",
        }
    }
}

/// One built-in.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinDef {
    /// Its name, as a method and as a function.
    pub name: &'static str,
    /// How it is called.
    pub form: Form,
    /// Where `docs/stdlib.md` documents it.
    pub section: Section,
    /// Its signature, as the documentation opens its section.
    pub signature: &'static str,
    /// What its receiver (first argument) must be, for error messages.
    pub receiver: &'static str,
    /// For each argument (the receiver first), what a string literal there
    /// must be; checked before anything runs.
    pub literals: &'static [Option<LiteralKind>],
    /// Whether a record that declares `elements FIELD` answers it with
    /// that list (`secrets.all(vaulted)`).
    pub collection: bool,
}

const fn def(
    name: &'static str,
    form: Form,
    section: Section,
    signature: &'static str,
    receiver: &'static str,
) -> BuiltinDef {
    BuiltinDef {
        name,
        form,
        section,
        signature,
        receiver,
        literals: &[],
        collection: false,
    }
}

const fn collection(d: BuiltinDef) -> BuiltinDef {
    BuiltinDef {
        collection: true,
        ..d
    }
}

const fn literals(d: BuiltinDef, literals: &'static [Option<LiteralKind>]) -> BuiltinDef {
    BuiltinDef { literals, ..d }
}

const fn func(func: Builtin, args: usize) -> Form {
    Form::Function { func, args }
}

use Section::{Collections, Security, Text, Time};

const LIST: &str = "a list";
const STRING: &str = "a string";
const SCALARS: &str = "a list of scalars (not records, maps or lists)";
const ORDERED: &str = "a list of numbers, strings, times or durations";
const COMPARABLE: &str = "a list of values that can be compared";

/// Every built-in, in the order of `docs/stdlib.md`.
pub const TABLE: &[BuiltinDef] = &[
    collection(def(
        "all",
        Form::Quantifier(QuantKind::All),
        Collections,
        "xs.all(p) -> bool",
        LIST,
    )),
    collection(def(
        "any",
        Form::Quantifier(QuantKind::Any),
        Collections,
        "xs.any(p) -> bool",
        LIST,
    )),
    collection(def(
        "none",
        Form::Quantifier(QuantKind::None),
        Collections,
        "xs.none(p) -> bool",
        LIST,
    )),
    collection(def(
        "count",
        Form::Quantifier(QuantKind::Count),
        Collections,
        "xs.count(p) -> int",
        LIST,
    )),
    collection(def(
        "filter",
        Form::Quantifier(QuantKind::Filter),
        Collections,
        "xs.filter(p) -> [T]",
        LIST,
    )),
    collection(def(
        "map",
        Form::Quantifier(QuantKind::Map),
        Collections,
        "xs.map(f) -> [U]",
        LIST,
    )),
    collection(def(
        "flat_map",
        Form::FlatMap,
        Collections,
        "xs.flat_map(f) -> [U]",
        LIST,
    )),
    collection(def(
        "group_by",
        Form::Quantifier(QuantKind::GroupBy),
        Collections,
        "xs.group_by(f) -> map<[T]>",
        LIST,
    )),
    collection(def(
        "includes",
        Form::Includes,
        Collections,
        "xs.includes(a, b, …) -> bool",
        LIST,
    )),
    collection(def(
        "includes_all",
        Form::IncludesEach { any: false },
        Collections,
        "xs.includes_all(ys: [T]) -> bool",
        LIST,
    )),
    collection(def(
        "includes_any",
        Form::IncludesEach { any: true },
        Collections,
        "xs.includes_any(ys: [T]) -> bool",
        LIST,
    )),
    collection(def(
        "len",
        func(Builtin::Len, 0),
        Collections,
        "xs.len() -> int",
        "a list, a map or a string",
    )),
    collection(def(
        "is_empty",
        func(Builtin::IsEmpty, 0),
        Collections,
        "xs.is_empty() -> bool",
        "a list, a map or a string",
    )),
    collection(def(
        "first",
        func(Builtin::First, 0),
        Collections,
        "xs.first() -> T?",
        LIST,
    )),
    collection(def(
        "contains",
        func(Builtin::Contains, 1),
        Collections,
        "s.contains(t: string) -> bool",
        "a string or a list",
    )),
    collection(def(
        "flatten",
        func(Builtin::Flatten, 0),
        Collections,
        "xss.flatten() -> [T]",
        "a list of lists",
    )),
    collection(def(
        "unique",
        func(Builtin::Unique, 0),
        Collections,
        "xs.unique() -> [S]",
        COMPARABLE,
    )),
    collection(def(
        "distinct_count",
        func(Builtin::DistinctCount, 0),
        Collections,
        "xs.distinct_count() -> int",
        COMPARABLE,
    )),
    collection(def(
        "sort",
        func(Builtin::Sort, 0),
        Collections,
        "xs.sort() -> [O]",
        ORDERED,
    )),
    collection(def(
        "min",
        func(Builtin::Min, 0),
        Collections,
        "xs.min() -> O?",
        ORDERED,
    )),
    collection(def(
        "max",
        func(Builtin::Max, 0),
        Collections,
        "xs.max() -> O?",
        ORDERED,
    )),
    collection(def(
        "sum",
        func(Builtin::Sum, 0),
        Collections,
        "xs.sum()",
        "a list of numbers or durations",
    )),
    collection(def(
        "union",
        func(Builtin::Union, 1),
        Collections,
        "xs.union(ys: [S]) -> [S]",
        SCALARS,
    )),
    collection(def(
        "intersect",
        func(Builtin::Intersect, 1),
        Collections,
        "xs.intersect(ys: [S]) -> [S]",
        SCALARS,
    )),
    collection(def(
        "difference",
        func(Builtin::Difference, 1),
        Collections,
        "xs.difference(ys: [S]) -> [S]",
        SCALARS,
    )),
    def(
        "keys",
        func(Builtin::Keys, 0),
        Collections,
        "m.keys() -> [string]",
        "a map",
    ),
    def(
        "values",
        func(Builtin::Values, 0),
        Collections,
        "m.values() -> [T]",
        "a map",
    ),
    def(
        "present",
        Form::Place { typed: false },
        Collections,
        "present(a.b, c, …) -> bool",
        "an evidence field",
    ),
    def(
        "well_typed",
        Form::Place { typed: true },
        Collections,
        "well_typed(a.b, c, …) -> bool",
        "an evidence field",
    ),
    def(
        "lower",
        func(Builtin::Lower, 0),
        Text,
        "s.lower() -> string",
        STRING,
    ),
    def(
        "upper",
        func(Builtin::Upper, 0),
        Text,
        "s.upper() -> string",
        STRING,
    ),
    def(
        "trim",
        func(Builtin::Trim, 0),
        Text,
        "s.trim() -> string",
        STRING,
    ),
    def(
        "split",
        func(Builtin::Split, 1),
        Text,
        "s.split(sep: string) -> [string]",
        STRING,
    ),
    def(
        "base64_decode",
        func(Builtin::Base64Decode, 0),
        Text,
        "s.base64_decode() -> string",
        STRING,
    ),
    def(
        "starts_with",
        func(Builtin::StartsWith, 1),
        Text,
        "s.starts_with(t: string) -> bool",
        STRING,
    ),
    def(
        "ends_with",
        func(Builtin::EndsWith, 1),
        Text,
        "s.ends_with(t: string) -> bool",
        STRING,
    ),
    literals(
        def(
            "matches",
            func(Builtin::Matches, 1),
            Text,
            "s.matches(pattern: string) -> bool",
            STRING,
        ),
        &[None, Some(LiteralKind::Regex)],
    ),
    literals(
        def(
            "glob",
            func(Builtin::Glob, 1),
            Text,
            "s.glob(pattern: string) -> bool",
            STRING,
        ),
        &[None, Some(LiteralKind::Glob)],
    ),
    def(
        "string",
        func(Builtin::ToString, 0),
        Text,
        "string(x) -> string",
        "an enum value, a number, a boolean, a time or a duration",
    ),
    def(
        "now",
        Form::Clock,
        Time,
        "now() -> time",
        "nothing (`now()` takes no arguments)",
    ),
    def(
        "age",
        func(Builtin::Age, 0),
        Time,
        "age(t: time) -> duration",
        "a time",
    ),
    literals(
        def(
            "parse_time",
            func(Builtin::ParseTime, 0),
            Time,
            "parse_time(s: string) -> time",
            STRING,
        ),
        &[Some(LiteralKind::Timestamp)],
    ),
    def(
        "days",
        Form::Unit {
            of_duration: Builtin::Days,
            of_int: Builtin::DaysToDuration,
        },
        Time,
        "d.days() -> int",
        "a duration or an integer",
    ),
    def(
        "hours",
        Form::Unit {
            of_duration: Builtin::Hours,
            of_int: Builtin::HoursToDuration,
        },
        Time,
        "d.hours() -> int",
        "a duration or an integer",
    ),
    def(
        "seconds",
        Form::Unit {
            of_duration: Builtin::Seconds,
            of_int: Builtin::SecondsToDuration,
        },
        Time,
        "d.seconds() -> int",
        "a duration or an integer",
    ),
    literals(
        def(
            "semver_cmp",
            func(Builtin::SemverCmp, 1),
            Security,
            "semver_cmp(a: string, b: string) -> int",
            "a version string",
        ),
        &[Some(LiteralKind::Version), Some(LiteralKind::Version)],
    ),
    literals(
        def(
            "semver_satisfies",
            func(Builtin::SemverSatisfies, 1),
            Security,
            "semver_satisfies(v: string, req: string) -> bool",
            "a version string",
        ),
        &[Some(LiteralKind::Version), Some(LiteralKind::VersionReq)],
    ),
    def(
        "is_digest",
        func(Builtin::IsDigest, 0),
        Security,
        "is_digest(s: string) -> bool",
        STRING,
    ),
    literals(
        def(
            "cidr_contains",
            func(Builtin::CidrContains, 1),
            Security,
            "cidr_contains(net: string, ip: string) -> bool",
            "a network string such as `10.0.0.0/8`",
        ),
        &[Some(LiteralKind::Network), Some(LiteralKind::Network)],
    ),
    def(
        "is_wildcard",
        func(Builtin::IsWildcard, 0),
        Security,
        "is_wildcard(s: string) -> bool",
        STRING,
    ),
    def(
        "looks_like_secret",
        func(Builtin::LooksLikeSecret, 0),
        Security,
        "looks_like_secret(s: string) -> bool",
        STRING,
    ),
];

/// The built-in named `name`.
pub fn lookup(name: &str) -> Option<&'static BuiltinDef> {
    TABLE.iter().find(|d| d.name == name)
}

/// The entry that runs `func`.
pub fn of(func: Builtin) -> Option<&'static BuiltinDef> {
    TABLE.iter().find(|d| match d.form {
        Form::Function { func: f, .. } => f == func,
        Form::Unit {
            of_duration,
            of_int,
        } => of_duration == func || of_int == func,
        Form::Clock => func == Builtin::Now,
        _ => false,
    })
}

/// Every built-in name, in the order of [`TABLE`].
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|d| d.name)
}

/// Why `name` cannot name a function of the embedding program, if it
/// cannot: it is a built-in's, or a function's of a standard module (a
/// host function of that name would change what policies that call it
/// mean).
///
/// ```
/// use gate_lang::builtins::taken;
/// assert!(taken("days").unwrap().contains("built-in"));
/// assert!(taken("rotated_within").unwrap().contains("std."));
/// assert_eq!(taken("approved_vendor"), None);
/// ```
pub fn taken(name: &str) -> Option<String> {
    if lookup(name).is_some() {
        return Some(format!("`{name}` is a built-in function"));
    }
    let modules: Vec<String> = std_functions()
        .iter()
        .filter(|(f, _)| f == name)
        .map(|(_, module)| format!("`{module}`"))
        .collect();
    match modules.as_slice() {
        [] => None,
        [one] => Some(format!("`{name}` is a function of {one}")),
        [rest @ .., last] => Some(format!(
            "`{name}` is a function of {} and {last}",
            rest.join(", ")
        )),
    }
}

/// Every `def` of the standard modules, with its module.
fn std_functions() -> &'static [(String, &'static str)] {
    static DEFS: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    DEFS.get_or_init(|| {
        let mut out = Vec::new();
        for (module, text) in gate_stdlib::MODULES {
            let (file, _) = crate::parser::parse_file(crate::span::SourceId(0), text);
            for item in &file.items {
                if let crate::ast::Item::Def(d) = item {
                    out.push((d.name.name.clone(), *module));
                }
            }
        }
        out
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_function_is_taken() {
        let defs = std_functions();
        assert!(defs.len() > 20, "{defs:?}");
        for (name, module) in defs {
            assert!(taken(name).unwrap().contains(module), "{name}");
        }
    }

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for d in TABLE {
            assert!(seen.insert(d.name), "{} twice", d.name);
            assert!(d.signature.contains(d.name), "{}: {}", d.name, d.signature);
        }
    }

    /// Every function the evaluator runs has exactly one entry, so its
    /// name, arity and receiver come from one place.
    #[test]
    fn every_builtin_has_one_entry() {
        use Builtin::*;
        let all = [
            Len,
            IsEmpty,
            Unique,
            Min,
            Max,
            Sum,
            First,
            Contains,
            StartsWith,
            EndsWith,
            Lower,
            Upper,
            Keys,
            Values,
            Days,
            Hours,
            Seconds,
            DaysToDuration,
            HoursToDuration,
            SecondsToDuration,
            ToString,
            Trim,
            Split,
            Matches,
            Glob,
            Now,
            ParseTime,
            Age,
            Sort,
            DistinctCount,
            Union,
            Intersect,
            Difference,
            SemverCmp,
            SemverSatisfies,
            IsDigest,
            CidrContains,
            IsWildcard,
            LooksLikeSecret,
            Flatten,
            Base64Decode,
        ];
        for b in all {
            // Exhaustive: a new variant must be added to `all` above.
            match b {
                Len | IsEmpty | Unique | Min | Max | Sum | First | Contains | StartsWith
                | EndsWith | Lower | Upper | Keys | Values | Days | Hours | Seconds
                | DaysToDuration | HoursToDuration | SecondsToDuration | ToString | Trim
                | Split | Matches | Glob | Now | ParseTime | Age | Sort | DistinctCount | Union
                | Intersect | Difference | SemverCmp | SemverSatisfies | IsDigest
                | CidrContains | IsWildcard | LooksLikeSecret | Flatten | Base64Decode => {}
            }
            let n = TABLE
                .iter()
                .filter(|d| of(b).is_some_and(|o| o.name == d.name))
                .count();
            assert_eq!(n, 1, "{b:?}");
        }
    }
}
