//! Errors of the evaluator crate: a policy that does not compile, evidence
//! or waivers that cannot be read, records that cannot be verified.
//! (Problems *inside* evidence that parses are not errors of this kind: they
//! are [`Issue`](crate::Issue)s and make the rules that read them fail
//! closed.)
//!
//! Every variant has a stable code, listed in `docs/errors.md`.

use crate::load::LoadError;
use crate::Code;
use gate_lang::CompileError;
use std::fmt;

/// What went wrong before a decision could be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The policy has errors.
    Policy(CompileError),
    /// A file cannot be read.
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// An evidence (or waiver) document cannot be parsed: syntax, duplicate
    /// keys, YAML aliases, limits.
    EvidenceLoad {
        /// The document.
        source: String,
        /// What is wrong.
        error: LoadError,
    },
    /// Two evidence documents provide the same top-level key.
    EvidenceConflict {
        /// The key.
        key: String,
        /// The document that provided it first.
        first: String,
        /// The one that provided it again.
        second: String,
    },
    /// A document merged at the root is not an object.
    EvidenceNotObject {
        /// The document.
        source: String,
        /// What it is.
        found: String,
    },
    /// A Rust value could not be turned into evidence.
    EvidenceSerialize {
        /// The name given to it.
        source: String,
        /// Why.
        message: String,
    },
    /// The evidence format cannot be told from the file name.
    UnknownFormat {
        /// The file.
        source: String,
    },
    /// A waiver file is malformed.
    Waiver {
        /// The file.
        source: String,
        /// What is wrong.
        message: String,
    },
    /// A waiver names a rule the gate does not have.
    WaiverUnknownRule {
        /// Where the waiver is.
        source: String,
        /// The rule named.
        rule: String,
        /// A close match.
        suggestion: Option<String>,
    },
    /// A waiver names an element (a JSON pointer) that is not in the evidence.
    WaiverUnknownElement {
        /// Where the waiver is.
        source: String,
        /// Its rule.
        rule: String,
        /// The pointer.
        element: String,
    },
    /// A host function was registered twice, or with the name of a
    /// built-in or of a standard module function.
    HostFunction {
        /// The name.
        name: String,
        /// Why it is refused.
        message: String,
    },
    /// A signing key or signature problem.
    Sign(crate::sign::SignError),
    /// A trust configuration, key or trusted root cannot be used.
    Trust(crate::attest::TrustError),
    /// A policy bundle is not a valid bundle (E0905).
    Bundle {
        /// What is wrong.
        message: String,
    },
    /// A policy bundle is not the one the command requires: another
    /// digest, or no signature by a required signer (E0906).
    BundleRefused {
        /// Why.
        message: String,
    },
    /// A policy bundle cannot be pushed to or pulled from an OCI registry:
    /// not reachable, credentials refused, no such tag or digest, or an
    /// artifact that is not a gate bundle (E0907).
    Registry {
        /// The reference, `oci://host/repository[:tag|@digest]`.
        reference: String,
        /// What went wrong.
        message: String,
    },
    /// A decision record is not what it should be.
    Record {
        /// The record file.
        source: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> Code {
        match self {
            Error::Policy(_) => Code::Policy,
            Error::Io { .. } => Code::Io,
            Error::EvidenceLoad { error, .. } => match error.kind {
                crate::load::LoadErrorKind::TooLarge { .. } => Code::TooLarge,
                crate::load::LoadErrorKind::TooDeep { .. } => Code::TooDeep,
                crate::load::LoadErrorKind::StringTooLong { .. } => Code::StringTooLong,
                crate::load::LoadErrorKind::ListTooLong { .. } => Code::ListTooLong,
                crate::load::LoadErrorKind::Unverifiable { .. } => Code::Unverifiable,
                _ => Code::Parse,
            },
            Error::EvidenceConflict { .. } => Code::Conflict,
            Error::EvidenceNotObject { .. } => Code::NotObject,
            Error::EvidenceSerialize { .. } => Code::Serialize,
            Error::UnknownFormat { .. } => Code::UnknownFormat,
            Error::Waiver { .. } => Code::Waiver,
            Error::WaiverUnknownRule { .. } => Code::WaiverUnknownRule,
            Error::WaiverUnknownElement { .. } => Code::WaiverUnknownElement,
            Error::HostFunction { .. } => Code::HostRefused,
            Error::Sign(_) => Code::Sign,
            Error::Trust(_) => Code::Trust,
            Error::Record { .. } => Code::Record,
            Error::Bundle { .. } => Code::Bundle,
            Error::BundleRefused { .. } => Code::BundleRefused,
            Error::Registry { .. } => Code::Registry,
        }
    }

    /// Advice on how to fix it, if there is any.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::EvidenceLoad { error, .. } => match error.kind {
                crate::load::LoadErrorKind::Alias => {
                    Some("write the values out: YAML aliases are refused because they can expand exponentially".into())
                }
                crate::load::LoadErrorKind::TooLarge { .. } => Some("raise the limit with `--max-evidence-size`".into()),
                crate::load::LoadErrorKind::TooDeep { .. } => Some("raise the limit with `--max-evidence-depth`".into()),
                crate::load::LoadErrorKind::StringTooLong { .. } => Some("raise the limit with `--max-evidence-string`".into()),
                crate::load::LoadErrorKind::ListTooLong { .. } => Some("raise the limit with `--max-evidence-list`".into()),
                _ => None,
            },
            Error::EvidenceConflict { key, .. } => Some(format!(
                "mount one of the documents under a name (`--evidence NAME=FILE`) or remove `{key}` from one of them"
            )),
            Error::UnknownFormat { .. } => Some("name the format with `--evidence-format json|yaml|toml`".into()),
            Error::WaiverUnknownRule { suggestion, .. } => suggestion.as_ref().map(|s| format!("did you mean `{s}`?")),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Policy(e) => e.fmt(f),
            Error::Io { path, message } => write!(f, "cannot read `{path}`: {message}"),
            Error::EvidenceLoad { source, error } => write!(f, "cannot read `{source}`: {error}"),
            Error::EvidenceConflict { key, first, second } => {
                write!(f, "evidence key `{key}` comes from both `{first}` and `{second}`")
            }
            Error::EvidenceNotObject { source, found } => {
                write!(f, "evidence `{source}` is {found}, not an object, so it cannot be merged at the root: mount it under a name (`--evidence NAME={source}`)")
            }
            Error::EvidenceSerialize { source, message } => write!(f, "cannot turn `{source}` into evidence: {message}"),
            Error::UnknownFormat { source } => write!(f, "cannot tell the format of `{source}` from its name: give it after a colon (`{source}:json`, `:jsonl`, `:yaml`, `:toml`) or with `--evidence-format`"),
            Error::Waiver { source, message } => write!(f, "invalid waivers in `{source}`: {message}"),
            Error::WaiverUnknownRule { source, rule, .. } => {
                write!(f, "a waiver in `{source}` names rule `{rule}`, which the gate does not have")
            }
            Error::WaiverUnknownElement { source, rule, element } => write!(
                f,
                "a waiver of `{rule}` in `{source}` names element `{element}`, which is not in the evidence"
            ),
            Error::HostFunction { name, message } => write!(f, "host function `{name}`: {message}"),
            Error::Sign(e) => e.fmt(f),
            Error::Trust(e) => e.fmt(f),
            Error::Record { source, message } => write!(f, "decision record `{source}`: {message}"),
            Error::Bundle { message } => write!(f, "not a valid policy bundle: {message}"),
            Error::BundleRefused { message } => {
                write!(f, "the policy bundle is refused: {message}")
            }
            Error::Registry { reference, message } => write!(f, "registry, `{reference}`: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<CompileError> for Error {
    fn from(e: CompileError) -> Self {
        Error::Policy(e)
    }
}

impl From<crate::attest::TrustError> for Error {
    fn from(e: crate::attest::TrustError) -> Self {
        Error::Trust(e)
    }
}

impl From<crate::sign::SignError> for Error {
    fn from(e: crate::sign::SignError) -> Self {
        Error::Sign(e)
    }
}
