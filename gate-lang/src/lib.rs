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
pub mod builtins;
pub mod check;
pub mod error;
pub mod format;
pub mod ir;
pub mod lexer;
pub mod lint;
pub mod loader;
pub mod num;
pub mod parser;
pub mod span;
pub mod time;
pub mod types;

pub use check::CompileError;
pub use error::{Error, ErrorKind, Severity};
pub use ir::{HostSig, Program};
pub use loader::{FileSystem, LoadOptions, MemFs, RealFs};
pub use span::{SourceId, SourceMap, Span};

use std::path::Path;

/// How to compile: limits on the sources, and the functions the embedding
/// program provides.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Limits and the policy root.
    pub load: LoadOptions,
    /// Host functions policies may call.
    pub host: Vec<HostSig>,
}

/// Loads, parses and checks the gate at `path` and its imports.
pub fn compile_file(path: &Path) -> Result<Program, CompileError> {
    compile_file_with(path, &RealFs, CompileOptions::default())
}

/// Loads and checks a `module` file on its own (its imports, types, `let`s
/// and `def`s), for tools such as the linter.
pub fn compile_module_file(path: &Path, options: CompileOptions) -> Result<Program, CompileError> {
    compile_module_file_with(path, &RealFs, options)
}

/// [`compile_module_file`] reading from a file system of your choice (an
/// editor's unsaved buffers over the disk).
pub fn compile_module_file_with(
    path: &Path,
    fs: &dyn FileSystem,
    options: CompileOptions,
) -> Result<Program, CompileError> {
    check::check_entry(
        loader::load_file(path, fs, options.load),
        options.host,
        true,
    )
}

/// [`compile_file`] with a file system and options of your choice.
pub fn compile_file_with(
    path: &Path,
    fs: &dyn FileSystem,
    options: CompileOptions,
) -> Result<Program, CompileError> {
    check::check(loader::load_file(path, fs, options.load), options.host)
}

/// Parses and checks a gate given as text (imports of `std.…` modules only).
pub fn compile_source(name: &str, text: &str) -> Result<Program, CompileError> {
    compile_source_with(name, text, CompileOptions::default())
}

/// [`compile_source`] with options.
pub fn compile_source_with(
    name: &str,
    text: &str,
    options: CompileOptions,
) -> Result<Program, CompileError> {
    check::check(
        loader::load_source(name, text, None, &MemFs::new(), options.load),
        options.host,
    )
}
