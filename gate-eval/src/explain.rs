//! Explanations: plain data saying why a rule did not pass.
//!
//! The evaluator fills these in; rendering them (terminal, JSON, …) is the
//! caller's business. A [`Failure`] is one predicate that did not hold for
//! one element; an [`EvalError`] is a predicate that could not be evaluated;
//! a [`Note`] is something true that deserves a second look, such as an
//! `all` that holds only because its list is empty.

use gate_lang::span::Location;
use serde::Serialize;

/// The longest string kept whole in a failure's `actual` (in characters);
/// a longer one is cut, and `actual_truncated` says so.
pub const MAX_SHOWN_CHARS: usize = crate::value::MAX_SHOWN_CHARS;

/// The element of a collection a failure is about.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementRef {
    /// JSON pointer of the element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Its position in the list.
    pub index: usize,
    /// Its identifying field (`key` in the schema, or `id`/`name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyRef>,
    /// The file it came from (`file:line` for a document of a stream), for
    /// an element that is a document of its own: one of a folder's files,
    /// of the files added to a list, or of a stream's documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The identifying field of an element.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRef {
    /// The field's name.
    pub field: String,
    /// Its value.
    pub value: serde_json::Value,
}

/// One predicate that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// Which `require` of the rule (0-based).
    pub requirement: usize,
    /// JSON pointer of the evidence the predicate read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value the predicate saw.
    pub actual: serde_json::Value,
    /// Whether `actual` was cut to keep the record small (long lists and
    /// strings, deep nesting).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub actual_truncated: bool,
    /// What was required, e.g. `<= 90d`, `== true`, `one of [hashicorp_vault, …]`.
    pub expected: String,
    /// The failure message: the rule's template, or a generated one.
    pub message: String,
    /// The predicate in the policy source.
    pub span: Location,
    /// The collection element, for failures inside `all`, `none`, ….
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<ElementRef>,
    /// Failures with the same number are the alternatives of one `or`, all of
    /// which failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_of: Option<u32>,
    /// For a failure inside a `def`: the call in the rule that led there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_from: Option<Location>,
    /// The waiver (its `id` in the record's `waivers`) that covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<usize>,
    /// When several predicates explain this element's failure of the
    /// requirement (the conjuncts of an `and`, the alternatives of an
    /// `or`): each of them, the first being the failure's own `path`,
    /// `actual`, `expected` and `span`. Empty for a failure of one
    /// predicate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operands: Vec<Operand>,
}

/// One of several predicates that explain one failure.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operand {
    /// JSON pointer of the evidence the predicate read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value the predicate saw.
    pub actual: serde_json::Value,
    /// Whether `actual` was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub actual_truncated: bool,
    /// What was required.
    pub expected: String,
    /// The generated or templated message of this predicate alone.
    pub message: String,
    /// The predicate in the policy source.
    pub span: Location,
}

impl Failure {
    /// The failure's own predicate as an [`Operand`] (the first of
    /// [`Failure::operands`] when there are several).
    pub fn operand(&self) -> Operand {
        Operand {
            path: self.path.clone(),
            actual: self.actual.clone(),
            actual_truncated: self.actual_truncated,
            expected: self.expected.clone(),
            message: self.message.clone(),
            span: self.span.clone(),
        }
    }

    /// Whether `other` explains the same element's failure of the same
    /// requirement, in the same place of the policy.
    fn same_unit(&self, other: &Failure) -> bool {
        self.element.is_some()
            && self.requirement == other.requirement
            && self.element == other.element
            && self.any_of == other.any_of
            && self.called_from == other.called_from
            && self.waived_by == other.waived_by
            && self.span.file == other.span.file
    }
}

/// One failure per element and requirement: consecutive failures that
/// explain the same element's failure (every true conjunct of an `and`
/// inside `none`, every false one inside `all`) become one, with each
/// predicate among its [`Failure::operands`] and their distinct messages
/// joined.
pub(crate) fn merge_by_element(failures: Vec<Failure>) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::with_capacity(failures.len());
    for f in failures {
        match out.last_mut() {
            Some(last) if last.same_unit(&f) => {
                if last.operands.is_empty() {
                    last.operands.push(last.operand());
                }
                if !last.operands.iter().any(|o| o.message == f.message) {
                    last.message = format!("{}; {}", last.message, f.message);
                }
                last.operands.push(f.operand());
            }
            _ => out.push(f),
        }
    }
    out
}

/// A predicate that could not be evaluated (the rule's outcome is `error`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalError {
    /// Which `require` of the rule (0-based); absent for a `when` or `let`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<usize>,
    /// Stable code, e.g. `E0601`.
    pub code: crate::Code,
    /// What went wrong.
    pub message: String,
    /// JSON pointer of the evidence involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where in the policy.
    pub span: Location,
}

/// Kinds of [`Note`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// An `all` over an empty list: true, but about nothing.
    VacuousTruth,
}

/// Something true that deserves attention.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// What kind of note.
    pub kind: NoteKind,
    /// The text.
    pub message: String,
    /// JSON pointer of the evidence involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where in the policy.
    pub span: Location,
}
