//! The gate policy language: lexer, parser, AST, type checker and IR.
//!
//! Source text goes through [`lexer`] and [`parser`] into an [`ast`]; the
//! [`check`] pass resolves names and types and lowers it into the [`ir`]
//! that the evaluator (crate `gate-eval`) runs.
//!
//! ```
//! let src = r#"
//! gate demo { title "Demo" }
//! record Secret { name: string, vaulted: bool }
//! evidence { secrets: [Secret] }
//! rule vaulted { require secrets.all(vaulted) }
//! "#;
//! let program = gate_lang::compile_source("demo.gate", src).unwrap();
//! assert_eq!(program.rules.len(), 1);
//! ```

pub mod ast;
pub mod check;
pub mod error;
pub mod ir;
pub mod lexer;
pub mod loader;
pub mod parser;
pub mod span;
pub mod time;
pub mod types;

pub use check::CompileError;
pub use error::{Error, ErrorKind, Severity};
pub use ir::Program;
pub use loader::{FileSystem, LoadOptions, MemFs, RealFs};
pub use span::{SourceId, SourceMap, Span};

use std::path::Path;

/// Loads, parses and checks the gate at `path` and its imports.
pub fn compile_file(path: &Path) -> Result<Program, CompileError> {
    compile_file_with(path, &RealFs, LoadOptions::default())
}

/// [`compile_file`] with a file system and limits of your choice.
pub fn compile_file_with(
    path: &Path,
    fs: &dyn FileSystem,
    options: LoadOptions,
) -> Result<Program, CompileError> {
    check::check(loader::load_file(path, fs, options))
}

/// Parses and checks a gate given as text (imports of `std.…` modules only).
pub fn compile_source(name: &str, text: &str) -> Result<Program, CompileError> {
    check::check(loader::load_source(
        name,
        text,
        None,
        &MemFs::new(),
        LoadOptions::default(),
    ))
}
