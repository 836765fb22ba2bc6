//! What one `--evidence` argument says, and the files it names.
//!
//! `[NAME=|NAME+=]PATH[:FORMAT]`:
//!
//! * `PATH` alone merges the document's top-level keys at the root;
//!   `NAME=PATH` mounts it under `NAME`; `NAME+=PATH` adds its documents
//!   to the list `NAME` (a list however many documents it has; repeat to
//!   add more files).
//! * `PATH` is a file, `-` (standard input), a folder (every file in it
//!   and its subfolders whose format its name tells, hidden folders
//!   skipped) or a glob (`mcp/*.json`, `rendered/**/*.yaml`; quote it so
//!   the shell leaves it alone). A folder or a glob under a name is a list
//!   of the documents of its files, in the order of their paths; without a
//!   name each file is merged at the root.
//! * `:FORMAT` (`json`, `jsonl`, `yaml`, `toml`, `attestation`) reads the
//!   file in that format whatever its name says (`tools=x.snap:json`).
//!
//! A path that exists as written is taken as written, so files whose names
//! hold `=` or `:` can still be named.

use gate_eval::Format;
use std::path::{Path, PathBuf};

/// One `--evidence` argument, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec<'a> {
    /// The name it is mounted under.
    pub name: Option<&'a str>,
    /// `NAME+=`: its documents are elements of the list `NAME`.
    pub append: bool,
    /// The file, folder or glob, or `-`.
    pub path: &'a str,
    /// The format given after a colon.
    pub format: Option<Format>,
}

/// Where the documents of a [`Spec`] are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Files {
    /// Standard input.
    Stdin,
    /// One file.
    One(PathBuf),
    /// The files of a folder or a glob, in order.
    Set(Vec<PathBuf>),
}

impl<'a> Spec<'a> {
    /// Parses `spec`, whose paths are relative to the folder `base`.
    pub fn parse(base: &Path, spec: &'a str) -> Spec<'a> {
        let plain = |path| Spec {
            name: None,
            append: false,
            path,
            format: None,
        };
        if spec == "-" || base.join(spec).exists() {
            return plain(spec);
        }
        let mut out = match spec.split_once('=') {
            Some((name, path)) => {
                let (name, append) = match name.strip_suffix('+') {
                    Some(name) => (name, true),
                    None => (name, false),
                };
                if is_name(name) {
                    Spec {
                        name: Some(name),
                        append,
                        path,
                        format: None,
                    }
                } else {
                    plain(spec)
                }
            }
            None => plain(spec),
        };
        if out.path != "-" && base.join(out.path).exists() {
            return out;
        }
        if let Some((path, format)) = out.path.rsplit_once(':') {
            if let Some(format) = Format::from_name(format).filter(|_| !path.is_empty()) {
                out.path = path;
                out.format = Some(format);
            }
        }
        out
    }

    /// The same argument with its path relative to `base` instead (as a
    /// test file's folder names them).
    pub fn rebased(&self, base: &Path) -> String {
        let mut out = String::new();
        if let Some(name) = self.name {
            out.push_str(name);
            out.push_str(if self.append { "+=" } else { "=" });
        }
        if self.path == "-" {
            out.push('-');
        } else {
            out.push_str(&crate::files::normalize(&base.join(self.path)).to_string_lossy());
        }
        if let Some(format) = self.format {
            out.push(':');
            out.push_str(format.as_str());
        }
        out
    }

    /// The files it names, relative to `base`. A folder or glob that
    /// names no evidence file is an error, as is a path that does not
    /// exist.
    pub fn files(&self, base: &Path, format_given: bool) -> Result<Files, String> {
        if self.path == "-" {
            return Ok(Files::Stdin);
        }
        let path = base.join(self.path);
        if is_glob(self.path) {
            let found = glob(base, self.path)?;
            if found.is_empty() {
                return Err(format!("no file matches `{}`", self.path));
            }
            return Ok(Files::Set(found));
        }
        if path.is_dir() {
            let any = format_given || self.format.is_some();
            let found = crate::files::walk(
                &path,
                &|p| any || Format::from_extension(p).is_some(),
                crate::files::Skip::Hidden,
            );
            // Evidence in a folder that cannot be read would be missing.
            if let Some(problem) = found.problems().into_iter().next() {
                return Err(problem);
            }
            let found = found.files;
            if found.is_empty() {
                return Err(format!(
                    "the folder `{}` holds no evidence file (`.json`, `.jsonl`, `.yaml`, `.toml`, attestations)",
                    path.display()
                ));
            }
            return Ok(Files::Set(found));
        }
        Ok(Files::One(path))
    }
}

/// A mount name: letters, digits, `_` and `-`.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether a path is a glob pattern.
fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// The files under `base` matching the glob `pattern` (`*` and `?` stay
/// within one folder, `**` crosses folders), in the order of their paths.
fn glob(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    // The folders before the first one with a pattern in it.
    let literal: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
        .collect();
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{pattern}` is not a glob: {}", e.kind()))?
        .compile_matcher();
    let root = base.join(&literal);
    if !root.is_dir() {
        return Ok(Vec::new());
    }
    let found = crate::files::walk(
        &root,
        &|p| p.strip_prefix(base).is_ok_and(|rel| matcher.is_match(rel)),
        crate::files::Skip::Hidden,
    );
    match found.problems().into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(found.files),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn spec(s: &str) -> Spec<'_> {
        Spec::parse(Path::new(""), s)
    }

    #[test]
    fn names_lists_and_formats() {
        let s = spec("secrets=vault.json");
        assert_eq!(
            (s.name, s.append, s.path, s.format),
            (Some("secrets"), false, "vault.json", None)
        );
        let s = spec("tools+=mcp/x.snap:json");
        assert_eq!(
            (s.name, s.append, s.path, s.format),
            (Some("tools"), true, "mcp/x.snap", Some(Format::Json))
        );
        assert_eq!(spec("-:yaml").format, Some(Format::Yaml));
        assert_eq!(spec("-").path, "-");
        // Not a name: the whole is a path; not a format: part of the path.
        assert_eq!(spec("a/b=c.json").name, None);
        let s = spec("report.json:v2");
        assert_eq!((s.path, s.format), ("report.json:v2", None));
        assert_eq!(spec("=x.json").name, None);
        assert_eq!(spec(":json").format, None);
    }

    #[test]
    fn rebasing_keeps_the_argument() {
        let base = Path::new("tests/cases");
        assert_eq!(
            spec("tools+=../mcp/*.json:json").rebased(base),
            "tools+=tests/mcp/*.json:json"
        );
        assert_eq!(spec("e.yaml").rebased(base), "tests/cases/e.yaml");
    }

    #[test]
    fn folders_and_globs_are_sets_in_order() {
        let dir = std::env::temp_dir().join(format!("gate-spec-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("mcp/sub")).unwrap();
        std::fs::create_dir_all(dir.join("mcp/.hidden")).unwrap();
        for f in [
            "mcp/b.json",
            "mcp/a.json",
            "mcp/sub/c.yaml",
            "mcp/notes.txt",
            "mcp/.hidden/d.json",
        ] {
            std::fs::write(dir.join(f), "{}").unwrap();
        }
        let rel = |files: Files| match files {
            Files::Set(v) => v
                .into_iter()
                .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let folder = Spec::parse(&dir, "tools=mcp").files(&dir, false).unwrap();
        assert_eq!(rel(folder), ["mcp/a.json", "mcp/b.json", "mcp/sub/c.yaml"]);
        let glob = Spec::parse(&dir, "tools=mcp/*.json")
            .files(&dir, false)
            .unwrap();
        assert_eq!(rel(glob), ["mcp/a.json", "mcp/b.json"]);
        let deep = Spec::parse(&dir, "tools=mcp/**/*.yaml")
            .files(&dir, false)
            .unwrap();
        assert_eq!(rel(deep), ["mcp/sub/c.yaml"]);
        // With a format, every file of the folder is read in it.
        let all = Spec::parse(&dir, "tools=mcp/sub:json")
            .files(&dir, false)
            .unwrap();
        assert_eq!(rel(all), ["mcp/sub/c.yaml"]);
        let none = Spec::parse(&dir, "tools=mcp/*.toml")
            .files(&dir, false)
            .unwrap_err();
        assert!(none.contains("no file matches"), "{none}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
