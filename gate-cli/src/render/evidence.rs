//! Where a reviewer opens a failure: the evidence file, and the line of the
//! value that failed in it, for the reports that link results to files
//! (SARIF, GitHub annotations, GitLab Code Quality).
//!
//! A failure is shown at its evidence when it has an evidence path, the
//! document it reads is a file inside the current folder (a file the
//! repository holds, so that the result shows up in the diff of the change
//! that made it; evidence written to a temporary folder by an earlier step
//! is not), and the file can be read again. The value's line is found with
//! [`gate_eval::load::locate`]; a value that is missing is shown at the
//! nearest value above it that is there (the object that lacks the field).
//! Otherwise the failure is shown at the predicate in the policy, as before.

use gate_eval::decision::EvidenceMeta;
use gate_eval::explain::ElementRef;
use gate_eval::{Decision, Format};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Component, Path};
use std::rc::Rc;

/// A place in an evidence file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceAt {
    /// The file, relative to the current folder, with `/` separators.
    pub file: String,
    /// The JSON pointer of the value inside that document.
    pub pointer: String,
    /// Its 1-based line and column, when the file's format has a locator.
    pub line: Option<(usize, usize)>,
}

/// Finds evidence places, reading each file once.
#[derive(Default)]
pub struct Locator {
    /// The files read so far (`None`: not a readable file in this folder).
    files: RefCell<BTreeMap<String, Option<Rc<Vec<u8>>>>>,
}

/// Larger evidence files are not read again to find a line.
const MAX_FILE: u64 = 64 << 20;

impl Locator {
    /// A locator that reads nothing: every failure stays at the policy (for
    /// decisions whose evidence is not on disk, and for tests).
    pub fn none() -> Locator {
        Locator::default()
    }

    /// The place of the value at `path` (a pointer into the merged
    /// evidence) of decision `d`; `element` is the collection element the
    /// failure is about, whose source names the file of a document that is
    /// an element of its own.
    pub fn at(&self, d: &Decision, path: &str, element: Option<&ElementRef>) -> Option<EvidenceAt> {
        let (source, document_line, pointer) = origin(d, path, element)?;
        let meta = d.evidence.iter().find(|e| e.source == source)?;
        let file = repository_path(&source)?;
        let bytes = self.read(&source)?;
        let line = Format::from_name(&meta.format).and_then(|format| {
            let mut p = pointer.as_str();
            loop {
                let found = match document_line {
                    Some(l) => gate_eval::load::locate_in(&bytes, format, l, p),
                    None => gate_eval::load::locate(&bytes, format, p),
                };
                if let Some(at) = found {
                    return Some((at.line, at.column));
                }
                if p.is_empty() {
                    return None;
                }
                p = p.get(..p.rfind('/')?)?;
            }
        });
        Some(EvidenceAt {
            file,
            pointer,
            line,
        })
    }

    fn read(&self, source: &str) -> Option<Rc<Vec<u8>>> {
        if let Some(known) = self.files.borrow().get(source) {
            return known.clone();
        }
        let path = Path::new(source);
        let bytes = std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_FILE)
            .and_then(|_| std::fs::read(path).ok())
            .map(Rc::new);
        self.files
            .borrow_mut()
            .insert(source.to_string(), bytes.clone());
        bytes
    }
}

/// The document a pointer into the merged evidence reads: its source, the
/// line its document starts on in a stream, and the pointer inside it.
fn origin(
    d: &Decision,
    path: &str,
    element: Option<&ElementRef>,
) -> Option<(String, Option<usize>, String)> {
    if let Some(e) = element {
        if let (Some(source), Some(at)) = (&e.source, &e.path) {
            let inner = inner_pointer(path, at)?;
            let (file, line) = split_line(source, d);
            return Some((file, line, inner));
        }
    }
    let (source, pointer) = super::evidence_source(d, path)?;
    Some((source, None, pointer))
}

/// `path` below the element at `element`: `/tools/3/name` below `/tools/3`
/// is `/name`.
fn inner_pointer(path: &str, element: &str) -> Option<String> {
    let rest = path.strip_prefix(element)?;
    (rest.is_empty() || rest.starts_with('/')).then(|| rest.to_string())
}

/// An element source `file:line` as the file and the line, when the file
/// is one of the decision's documents (a file whose own name ends in
/// `:digits` stays whole).
fn split_line(source: &str, d: &Decision) -> (String, Option<usize>) {
    let known = |name: &str| d.evidence.iter().any(|e: &EvidenceMeta| e.source == name);
    if known(source) {
        return (source.to_string(), None);
    }
    match source.rsplit_once(':') {
        Some((file, line)) if known(file) => match line.parse() {
            Ok(n) => (file.to_string(), Some(n)),
            Err(_) => (source.to_string(), None),
        },
        _ => (source.to_string(), None),
    }
}

/// A source as a path inside the current folder with `/` separators, or
/// `None` for standard input and files outside it.
fn repository_path(source: &str) -> Option<String> {
    let path = Path::new(source);
    let rel = if path.is_absolute() {
        let cwd = std::env::current_dir().ok()?;
        path.strip_prefix(&cwd).ok()?.to_path_buf()
    } else {
        path.to_path_buf()
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_string()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_pointers() {
        assert_eq!(
            inner_pointer("/tools/3/name", "/tools/3"),
            Some("/name".into())
        );
        assert_eq!(inner_pointer("/tools/3", "/tools/3"), Some(String::new()));
        assert_eq!(inner_pointer("/tools/31/name", "/tools/3"), None);
    }

    #[test]
    fn paths_inside_this_folder_only() {
        assert_eq!(
            repository_path("evidence/a.json"),
            Some("evidence/a.json".into())
        );
        assert_eq!(repository_path("./a.json"), Some("a.json".into()));
        assert_eq!(repository_path("../a.json"), None);
        assert_eq!(repository_path("/tmp/elsewhere/a.json"), None);
        assert_eq!(repository_path("<stdin>"), Some("<stdin>".into()));
    }
}
