//! Loading a gate and the modules it imports.
//!
//! Imports are resolved depth first: `std.NAME` from the embedded standard
//! library, `"path.gate"` relative to the importing file and never outside
//! the policy root. A cycle is an error naming every module in it. Modules
//! come out dependencies first, the entry last.

use crate::ast::{self, Header, ImportTarget, Item};
use crate::error::{Error, ErrorKind};
use crate::parser::{parse_file_with, ParseOptions};
use crate::span::{SourceMap, Span};
use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Limits applied while loading sources.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Largest accepted policy or module file, in bytes (default 1 MiB).
    pub max_source_size: usize,
    /// Deepest accepted expression nesting (default 64).
    pub max_depth: usize,
    /// Folder imports must stay inside; the entry file's folder when `None`.
    pub root: Option<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_source_size: 1 << 20,
            max_depth: 64,
            root: None,
        }
    }
}

/// Where source files come from: the real file system, or memory (tests and
/// embedders that keep policies in a database).
pub trait FileSystem {
    /// Reads a file as UTF-8.
    fn read(&self, path: &Path) -> io::Result<String>;
    /// Resolves `..`, `.` and links.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// Reads a file's bytes, stopping after `limit + 1` of them: more than
    /// `limit` bytes means the file is over the size limit, and a larger
    /// file is never held in memory whole. By default, [`FileSystem::read`].
    fn read_bytes(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        let _ = limit;
        self.read(path).map(String::into_bytes)
    }
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        String::from_utf8(bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            )
        })
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn read_bytes(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        let mut bytes = Vec::new();
        let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        file.take(most).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// Files held in memory, keyed by path.
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, String>,
}

impl MemFs {
    /// An empty file system.
    pub fn new() -> Self {
        MemFs::default()
    }

    /// Adds a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(&path.into()), text.into());
        self
    }
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = normalize(path);
        if self.files.contains_key(&p) {
            Ok(p)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }
}

/// Resolves `.` and `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The name an import binds: its alias, or the last part of its target.
pub fn import_alias(import: &ast::Import) -> String {
    if let Some(a) = &import.alias {
        return a.name.clone();
    }
    match &import.target {
        ImportTarget::Module(path) => path.last().map(|p| p.name.clone()).unwrap_or_default(),
        ImportTarget::Path(lit) => Path::new(&lit.value)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default(),
    }
}

/// An I/O error in words that do not depend on the platform's wording.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::InvalidData => e.to_string(),
        _ => e.to_string(),
    }
}

/// An import after resolution.
#[derive(Clone, Debug)]
pub struct ResolvedImport {
    /// The name the module is bound to.
    pub alias: String,
    /// Index of the module in [`Loaded::modules`].
    pub module: usize,
    /// The import statement.
    pub span: Span,
}

/// One parsed source file.
#[derive(Clone, Debug)]
pub struct Module {
    /// The name shown to users: `std.secrets` or the file path.
    pub name: String,
    /// The parsed file.
    pub ast: Rc<ast::File>,
    /// Its imports, resolved.
    pub imports: Vec<ResolvedImport>,
    /// Names of imports that failed (already reported): uses of them add no
    /// further errors.
    pub failed_imports: Vec<String>,
}

/// A gate with all its modules.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Modules, dependencies first; the entry is last.
    pub modules: Vec<Module>,
    /// Every source text, for diagnostics.
    pub sources: SourceMap,
    /// Errors found while loading and parsing.
    pub errors: Vec<Error>,
}

impl Loaded {
    /// Index of the entry module (the gate).
    pub fn entry(&self) -> Option<usize> {
        self.modules.len().checked_sub(1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Std(String),
    File(PathBuf),
    Inline(String),
}

struct State<'f> {
    fs: &'f dyn FileSystem,
    options: LoadOptions,
    root: Option<PathBuf>,
    /// The root as shown to users (relative, as the entry was named).
    root_display: String,
    /// The folder source names in decision records are relative to: the
    /// loaded gate's folder (canonical), or the base of a gate given as text.
    record_base: Option<PathBuf>,
    loaded: Loaded,
    done: BTreeMap<Key, usize>,
    in_progress: Vec<(Key, String)>,
}

/// Loads the gate at `path` and everything it imports.
pub fn load_file(path: &Path, fs: &dyn FileSystem, options: LoadOptions) -> Loaded {
    let canonical = fs.canonicalize(path);
    let root = options
        .root
        .clone()
        .and_then(|r| fs.canonicalize(&r).ok())
        .or_else(|| {
            canonical
                .as_ref()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
        });
    let root_display = match path.parent().map(|p| p.display().to_string()) {
        Some(p) if !p.is_empty() => p,
        _ => ".".to_string(),
    };
    let record_base = canonical
        .as_ref()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let mut state = State {
        fs,
        options,
        root,
        root_display,
        record_base,
        loaded: Loaded::default(),
        done: BTreeMap::new(),
        in_progress: Vec::new(),
    };
    let name = path.display().to_string();
    let limit = state.options.max_source_size;
    match canonical.and_then(|p| fs.read_bytes(&p, limit).map(|t| (p, t))) {
        Ok((p, bytes)) => {
            if let Some(text) = state.text_of(&name, bytes, Span::default()) {
                let recorded = state.record_name(&p, &name);
                state.load(Key::File(p), name, recorded, text, Span::default());
            }
        }
        Err(e) => {
            state.loaded.errors.push(Error::new(
                ErrorKind::ImportNotFound {
                    target: name,
                    reason: e.to_string(),
                },
                Span::default(),
            ));
        }
    }
    state.loaded
}

/// Loads a gate given as text. `name` is shown in diagnostics; file imports
/// are resolved relative to `base` (and may not leave it).
pub fn load_source(
    name: &str,
    text: &str,
    base: Option<&Path>,
    fs: &dyn FileSystem,
    options: LoadOptions,
) -> Loaded {
    let root = options
        .root
        .clone()
        .or_else(|| base.map(Path::to_path_buf))
        .map(|r| fs.canonicalize(&r).unwrap_or_else(|_| normalize(&r)));
    let mut state = State {
        fs,
        options,
        root: root.clone(),
        root_display: base
            .map(|b| b.display().to_string())
            .unwrap_or_else(|| ".".into()),
        record_base: base.map(|b| fs.canonicalize(b).unwrap_or_else(|_| normalize(b))),
        loaded: Loaded::default(),
        done: BTreeMap::new(),
        in_progress: Vec::new(),
    };
    // Imports resolve against `base` (the root may be a folder above it).
    let key = match state.record_base.clone().or(root) {
        Some(r) => Key::File(r.join("<inline>")),
        None => Key::Inline(name.to_string()),
    };
    state.load(
        key,
        name.to_string(),
        name.to_string(),
        text.to_string(),
        Span::default(),
    );
    state.loaded
}

impl State<'_> {
    /// The name of the file at `path` (canonical) in decision records: the
    /// path relative to [`State::record_base`] with `/` separators (`..` for
    /// a file above it), or `shown` when there is no base.
    fn record_name(&self, path: &Path, shown: &str) -> String {
        let Some(base) = &self.record_base else {
            return shown.to_string();
        };
        let common = base
            .components()
            .zip(path.components())
            .take_while(|(a, b)| a == b)
            .count();
        let up = base.components().count().saturating_sub(common);
        let mut parts: Vec<String> = vec!["..".to_string(); up];
        parts.extend(
            path.components()
                .skip(common)
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        );
        if parts.is_empty() {
            return shown.to_string();
        }
        parts.join("/")
    }

    /// A source file's bytes as text: not over the size limit, and UTF-8
    /// (errors are recorded; `None` then).
    fn text_of(&mut self, name: &str, bytes: Vec<u8>, at: Span) -> Option<String> {
        if bytes.len() > self.options.max_source_size {
            self.loaded.errors.push(Error::new(
                ErrorKind::SourceTooLarge {
                    name: name.to_string(),
                    size: bytes.len(),
                    limit: self.options.max_source_size,
                },
                at,
            ));
            return None;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let valid = e.as_bytes().get(..offset).unwrap_or_default();
                let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let column =
                    1 + String::from_utf8_lossy(valid.get(line_start..).unwrap_or_default())
                        .chars()
                        .count();
                self.loaded.errors.push(Error::new(
                    ErrorKind::InvalidUtf8 {
                        name: name.to_string(),
                        offset,
                        line,
                        column,
                    },
                    at,
                ));
                None
            }
        }
    }

    fn load(
        &mut self,
        key: Key,
        name: String,
        record_name: String,
        text: String,
        at: Span,
    ) -> Option<usize> {
        if let Some(&i) = self.done.get(&key) {
            return Some(i);
        }
        if let Some(pos) = self.in_progress.iter().position(|(k, _)| *k == key) {
            let mut cycle: Vec<String> = self
                .in_progress
                .iter()
                .skip(pos)
                .map(|(_, n)| n.clone())
                .collect();
            cycle.push(name);
            self.loaded
                .errors
                .push(Error::new(ErrorKind::ImportCycle { cycle }, at));
            return None;
        }
        if text.len() > self.options.max_source_size {
            self.loaded.errors.push(Error::new(
                ErrorKind::SourceTooLarge {
                    name,
                    size: text.len(),
                    limit: self.options.max_source_size,
                },
                at,
            ));
            return None;
        }
        let bom = text.starts_with('\u{feff}');
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        let source = self
            .loaded
            .sources
            .add_recorded(name.clone(), record_name, text.as_str());
        if bom {
            // Accepted (editors on Windows write it), but said: the file's
            // digest in decision records is of the text without it.
            self.loaded.errors.push(
                Error::new(
                    ErrorKind::ByteOrderMark { name: name.clone() },
                    Span::new(source, 0..0),
                )
                .warning(),
            );
        }
        let (file, errors) = parse_file_with(
            source,
            &text,
            ParseOptions {
                max_depth: self.options.max_depth,
            },
        );
        self.loaded.errors.extend(errors);
        self.in_progress.push((key.clone(), name.clone()));
        let mut imports = Vec::new();
        let mut failed_imports = Vec::new();
        for item in &file.items {
            let Item::Import(import) = item else { continue };
            match self.import(&key, import) {
                Some(resolved) => imports.push(resolved),
                None => failed_imports.push(import_alias(import)),
            }
        }
        self.in_progress.pop();
        let index = self.loaded.modules.len();
        self.loaded.modules.push(Module {
            name,
            ast: Rc::new(file),
            imports,
            failed_imports,
        });
        self.done.insert(key, index);
        Some(index)
    }

    fn import(&mut self, from: &Key, import: &ast::Import) -> Option<ResolvedImport> {
        let (key, name, record_name, text, default_alias) = match &import.target {
            ImportTarget::Module(path) => {
                let dotted = path
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let alias = path.last().map(|p| p.name.clone()).unwrap_or_default();
                match gate_stdlib::module(&dotted) {
                    Some(text) => (
                        Key::Std(dotted.clone()),
                        dotted.clone(),
                        dotted,
                        text.to_string(),
                        alias,
                    ),
                    None => {
                        let known: Vec<String> = gate_stdlib::MODULES
                            .iter()
                            .map(|(n, _)| n.to_string())
                            .collect();
                        let reason = if dotted.starts_with("std.") {
                            format!(
                                "the standard modules are {}",
                                crate::error::join_and(&known)
                            )
                        } else {
                            "import a file with a string, e.g. `import \"lib/common.gate\" as common`".to_string()
                        };
                        self.loaded.errors.push(Error::new(
                            ErrorKind::ImportNotFound {
                                target: dotted,
                                reason,
                            },
                            import.span,
                        ));
                        return None;
                    }
                }
            }
            ImportTarget::Path(lit) => {
                let base = match from {
                    Key::File(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
                    Key::Std(_) | Key::Inline(_) => {
                        self.loaded.errors.push(Error::new(
                            ErrorKind::ImportNotFound {
                                target: lit.value.clone(),
                                reason: "file imports need a policy loaded from a file".into(),
                            },
                            import.span,
                        ));
                        return None;
                    }
                };
                let joined = normalize(&base.join(&lit.value));
                // Shown to users relative to the importing file, as they named it.
                let importer = self
                    .in_progress
                    .last()
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                let display = normalize(
                    &Path::new(&importer)
                        .parent()
                        .unwrap_or(Path::new(""))
                        .join(&lit.value),
                )
                .display()
                .to_string();
                // Outside the root as written: refused before the file
                // system is asked, so that no error tells whether a file
                // outside the root exists.
                if let Some(root) = &self.root {
                    if !joined.starts_with(root) {
                        self.loaded.errors.push(Error::new(
                            ErrorKind::ImportOutsideRoot {
                                target: lit.value.clone(),
                                root: self.root_display.clone(),
                            },
                            lit.span,
                        ));
                        return None;
                    }
                }
                let canonical = match self.fs.canonicalize(&joined) {
                    Ok(p) => p,
                    Err(e) => {
                        self.loaded.errors.push(Error::new(
                            ErrorKind::ImportNotFound {
                                target: lit.value.clone(),
                                reason: format!("{display}: {}", io_reason(&e)),
                            },
                            lit.span,
                        ));
                        return None;
                    }
                };
                if let Some(root) = &self.root {
                    if !canonical.starts_with(root) {
                        self.loaded.errors.push(Error::new(
                            ErrorKind::ImportOutsideRoot {
                                target: lit.value.clone(),
                                root: self.root_display.clone(),
                            },
                            lit.span,
                        ));
                        return None;
                    }
                }
                let bytes = self.fs.read_bytes(&canonical, self.options.max_source_size);
                let text = match bytes {
                    Ok(bytes) => self.text_of(&display, bytes, lit.span)?,
                    Err(e) => {
                        self.loaded.errors.push(Error::new(
                            ErrorKind::ImportNotFound {
                                target: lit.value.clone(),
                                reason: format!("{display}: {}", io_reason(&e)),
                            },
                            lit.span,
                        ));
                        return None;
                    }
                };
                let stem = canonical
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let recorded = self.record_name(&canonical, &display);
                (Key::File(canonical), display, recorded, text, stem)
            }
        };
        let index = self.load(key, name.clone(), record_name, text, import.span)?;
        if let Some(Header::Gate(_)) = self
            .loaded
            .modules
            .get(index)
            .and_then(|m| m.ast.header.as_ref())
        {
            self.loaded.errors.push(Error::new(
                ErrorKind::ImportNotModule { target: name },
                import.span,
            ));
            return None;
        }
        let alias = import
            .alias
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or(default_alias);
        Some(ResolvedImport {
            alias,
            module: index,
            span: import.span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs(files: &[(&str, &str)]) -> MemFs {
        let mut fs = MemFs::new();
        for (p, t) in files {
            fs.insert(*p, *t);
        }
        fs
    }

    #[test]
    fn cycles_are_reported() {
        let fs = fs(&[
            ("/p/main.gate", "gate g {}\nimport \"a.gate\""),
            ("/p/a.gate", "module a\nimport \"b.gate\""),
            ("/p/b.gate", "module b\nimport \"a.gate\""),
        ]);
        let loaded = load_file(Path::new("/p/main.gate"), &fs, LoadOptions::default());
        let codes: Vec<_> = loaded.errors.iter().map(Error::code).collect();
        assert_eq!(codes, ["E0502"]);
        assert!(
            matches!(&*loaded.errors[0].kind, ErrorKind::ImportCycle { cycle } if cycle == &["/p/a.gate", "/p/b.gate", "/p/a.gate"])
        );
    }

    #[test]
    fn record_names_are_relative_to_the_gates_folder() {
        let main =
            "gate g {}\nimport \"lib/a.gate\"\nimport \"../shared/b.gate\"\nimport std.secrets";
        let fs = fs(&[
            ("/repo/gates/lib/a.gate", "module a"),
            ("/repo/shared/b.gate", "module b"),
        ]);
        let options = LoadOptions {
            root: Some(PathBuf::from("/repo")),
            ..LoadOptions::default()
        };
        let base = Path::new("/repo/gates");
        let loaded = load_source("/repo/gates/main.gate", main, Some(base), &fs, options);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let names: Vec<(&str, &str)> = loaded
            .sources
            .files()
            .take(4)
            .map(|(_, f)| (f.name.as_str(), f.record_name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("/repo/gates/main.gate", "/repo/gates/main.gate"),
                ("/repo/gates/lib/a.gate", "lib/a.gate"),
                ("/repo/shared/b.gate", "../shared/b.gate"),
                ("std.secrets", "std.secrets"),
            ]
        );
        assert_eq!(
            loaded.sources.shown_name("lib/a.gate"),
            "/repo/gates/lib/a.gate"
        );
    }

    #[test]
    fn imports_stay_inside_the_root() {
        let fs = fs(&[
            ("/p/main.gate", "gate g {}\nimport \"../x.gate\""),
            ("/x.gate", "module x"),
        ]);
        let loaded = load_file(Path::new("/p/main.gate"), &fs, LoadOptions::default());
        assert_eq!(loaded.errors[0].code(), "E0503");
    }

    #[test]
    fn dependencies_come_first() {
        let fs = fs(&[
            (
                "/p/main.gate",
                "gate g {}\nimport \"lib/a.gate\"\nimport \"lib/b.gate\"",
            ),
            ("/p/lib/a.gate", "module a\nimport \"b.gate\""),
            ("/p/lib/b.gate", "module b"),
        ]);
        let loaded = load_file(Path::new("/p/main.gate"), &fs, LoadOptions::default());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let names: Vec<_> = loaded.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["/p/lib/b.gate", "/p/lib/a.gate", "/p/main.gate"]);
        assert_eq!(loaded.modules[2].imports.len(), 2);
        assert_eq!(loaded.modules[2].imports[1].module, 0);
    }

    #[test]
    fn gates_cannot_be_imported() {
        let fs = fs(&[
            ("/p/main.gate", "gate g {}\nimport \"other.gate\""),
            ("/p/other.gate", "gate o {}"),
        ]);
        let loaded = load_file(Path::new("/p/main.gate"), &fs, LoadOptions::default());
        assert_eq!(loaded.errors[0].code(), "E0504");
    }

    #[test]
    fn size_limit() {
        let big = format!("gate g {{}}\n{}", "# x\n".repeat(100));
        let fs = fs(&[("/p/main.gate", &big)]);
        let loaded = load_file(
            Path::new("/p/main.gate"),
            &fs,
            LoadOptions {
                max_source_size: 100,
                ..LoadOptions::default()
            },
        );
        assert_eq!(loaded.errors[0].code(), "E0505");
    }
}
