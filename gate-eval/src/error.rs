//! Errors of the evaluator crate: a policy that does not compile, or
//! evidence that cannot be read. (Problems *inside* evidence that parses are
//! not errors of this kind: they are [`Issue`](crate::evidence::Issue)s and
//! make the rules that read them fail closed.)

use gate_lang::CompileError;
use std::fmt;

/// What went wrong before a decision could be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The policy has errors.
    Policy(CompileError),
    /// An evidence document could not be read.
    EvidenceIo {
        /// The document's name.
        source: String,
        /// Why.
        message: String,
    },
    /// An evidence document is not valid JSON.
    EvidenceSyntax {
        /// The document's name.
        source: String,
        /// The parser's message.
        message: String,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Policy(_) => "E0001",
            Error::EvidenceIo { .. } => "E0701",
            Error::EvidenceSyntax { .. } => "E0702",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Policy(e) => e.fmt(f),
            Error::EvidenceIo { source, message } => {
                write!(f, "cannot read evidence `{source}`: {message}")
            }
            Error::EvidenceSyntax {
                source,
                message,
                line,
                column,
            } => write!(
                f,
                "evidence `{source}` is not valid JSON ({line}:{column}): {message}"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<CompileError> for Error {
    fn from(e: CompileError) -> Self {
        Error::Policy(e)
    }
}
