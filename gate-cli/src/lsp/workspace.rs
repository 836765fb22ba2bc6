//! The documents the editor has open, the file system the compiler reads
//! through (open documents as the editor has them, everything else from
//! disk), and what compiling each open document found.

use super::text::LineIndex;
use gate_lang::lint::Finding;
use gate_lang::{CompileError, FileSystem, Program};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its text as the editor has it.
    pub text: String,
    /// The editor's version of it.
    pub version: i32,
    /// Its line starts.
    pub index: LineIndex,
}

impl Document {
    /// A document of `text`.
    pub fn new(text: String, version: i32) -> Document {
        let index = LineIndex::new(&text);
        Document {
            text,
            version,
            index,
        }
    }
}

/// What compiling a document as an entry found.
pub struct Analysis {
    /// The program, when it compiles.
    pub program: Option<Program>,
    /// Its errors (and warnings), when it does not.
    pub failed: Option<CompileError>,
    /// Lint findings, when it compiles.
    pub findings: Vec<Finding>,
    /// The lint configuration could not be read: why.
    pub config_error: Option<(PathBuf, String)>,
}

/// The open documents, by path.
#[derive(Default)]
pub struct Workspace {
    docs: BTreeMap<PathBuf, Document>,
    /// The runs of the tests beside each gate, kept while their files are
    /// unchanged (for `untested-when`).
    runs: crate::cmd::lint::TestRuns,
}

/// The path a document is known by: its canonical path where the file
/// exists, else the path as given.
pub fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| crate::files::normalize(path))
}

impl Workspace {
    /// Opens (or replaces) a document.
    pub fn open(&mut self, path: &Path, doc: Document) {
        self.docs.insert(key(path), doc);
    }

    /// Closes a document.
    pub fn close(&mut self, path: &Path) {
        self.docs.remove(&key(path));
    }

    /// An open document.
    pub fn get(&self, path: &Path) -> Option<&Document> {
        self.docs.get(&key(path))
    }

    /// The open documents' paths.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.docs.keys().cloned().collect()
    }

    /// Compiles the document `path` as the linter does (with the host
    /// functions of its lint configuration).
    pub fn compile(&self, path: &Path) -> Result<Program, CompileError> {
        let (config, _) = config_of(path);
        crate::cmd::lint::compile_in(&key(path), self, &config.host)
    }

    /// Compiles the open document `path` as the linter does, and lints it.
    pub fn analyse(&self, path: &Path) -> Analysis {
        let (config, config_error) = config_of(path);
        let key = key(path);
        match crate::cmd::lint::compile_in(&key, self, &config.host) {
            Ok(program) => {
                let findings = crate::cmd::lint::findings(
                    &key,
                    &program,
                    &config.lint,
                    Vec::new(),
                    None,
                    &self.runs,
                );
                Analysis {
                    program: Some(program),
                    failed: None,
                    findings,
                    config_error,
                }
            }
            Err(e) => Analysis {
                program: None,
                failed: Some(e),
                findings: Vec::new(),
                config_error,
            },
        }
    }
}

/// The lint configuration of a document (its `gate-lint.toml`, else the
/// defaults), and why the file could not be used if it could not.
fn config_of(path: &Path) -> (crate::cmd::lint::LintConfig, Option<(PathBuf, String)>) {
    match nearest_config(path) {
        Some(file) => match crate::cmd::lint::config_file(&file) {
            Ok(c) => (c, None),
            Err(e) => (Default::default(), Some((file, e))),
        },
        None => (Default::default(), None),
    }
}

/// The `gate-lint.toml` of a document: in its folder or the nearest one
/// above it.
fn nearest_config(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .map(|d| d.join(crate::cmd::lint::CONFIG_FILE))
        .find(|p| p.is_file())
}

impl FileSystem for Workspace {
    fn read(&self, path: &Path) -> io::Result<String> {
        match self.docs.get(&key(path)) {
            Some(doc) => Ok(doc.text.clone()),
            None => gate_lang::RealFs.read(path),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match gate_lang::RealFs.canonicalize(path) {
            Ok(p) => Ok(p),
            // A document the editor has that is not saved yet.
            Err(e) => {
                let k = key(path);
                if self.docs.contains_key(&k) {
                    Ok(k)
                } else {
                    Err(e)
                }
            }
        }
    }

    fn read_bytes(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        match self.docs.get(&key(path)) {
            Some(doc) => Ok(doc
                .text
                .as_bytes()
                .iter()
                .take(limit + 1)
                .copied()
                .collect()),
            None => gate_lang::RealFs.read_bytes(path, limit),
        }
    }
}
