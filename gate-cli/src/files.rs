//! Finding the files a command works on: the paths given, folders searched
//! recursively in a stable order, by one walker (walkdir) for every command
//! (`lint`, `fmt`, `test`, evidence folders and globs, `diff --corpus`).
//!
//! Links to files are files; links to folders are not followed, so a link
//! to a folder above (`loop/self -> loop`) is not walked again and again. A
//! folder that cannot be read is not skipped in silence: it is in
//! [`Walk::unreadable`], and the commands report it as an error (E0701).

use std::path::{Path, PathBuf};

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The files wanted, sorted.
    pub files: Vec<PathBuf>,
    /// The folders (or entries) that could not be read, and why.
    pub unreadable: Vec<(PathBuf, String)>,
}

impl Walk {
    /// The problems as one message each: `cannot read `DIR`: why`.
    pub fn problems(&self) -> Vec<String> {
        self.unreadable
            .iter()
            .map(|(p, why)| format!("cannot read `{}`: {why}", p.display()))
            .collect()
    }
}

/// Which folders a walk leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Hidden folders and `target/` (a build folder in a source tree).
    SourceTree,
    /// Hidden folders only (in a folder of evidence, `target/` may be
    /// anything).
    Hidden,
}

/// Every file under `paths` (files as given, folders searched) for which
/// `wanted` holds; the current folder when `paths` is empty. A path that
/// does not exist is an error.
pub fn find(paths: &[PathBuf], wanted: &dyn Fn(&Path) -> bool) -> Result<Walk, String> {
    let default = [PathBuf::from(".")];
    let roots: &[PathBuf] = if paths.is_empty() { &default } else { paths };
    let mut out = Walk::default();
    for root in roots {
        if root.is_file() {
            out.files.push(root.clone());
            continue;
        }
        if !root.is_dir() {
            return Err(format!("`{}`: no such file or folder", root.display()));
        }
        std::fs::read_dir(root).map_err(|e| format!("cannot read `{}`: {e}", root.display()))?;
        let found = walk(root, wanted, Skip::SourceTree);
        out.files.extend(found.files);
        out.unreadable.extend(found.unreadable);
    }
    out.files.dedup();
    Ok(out)
}

/// Every file under `dir` (recursively, leaving out the folders `skip`
/// names) for which `wanted` holds, sorted, and what could not be read.
pub fn walk(dir: &Path, wanted: &dyn Fn(&Path) -> bool, skip: Skip) -> Walk {
    let left_out = |name: &str| {
        name.starts_with('.') && name != "." && name != ".."
            || skip == Skip::SourceTree && name == "target"
    };
    let mut out = Walk::default();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !e.file_type().is_dir() || !left_out(&e.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().unwrap_or(dir).to_path_buf();
                let why = e
                    .io_error()
                    .map(|io| io.to_string())
                    .unwrap_or_else(|| e.to_string());
                out.unreadable.push((clean(&at), why));
                continue;
            }
        };
        let kind = entry.file_type();
        let path = entry.path();
        let file = kind.is_file() || kind.is_symlink() && path.is_file();
        if file && wanted(path) {
            out.files.push(clean(path));
        }
    }
    out.files.sort();
    out
}

/// `./a/b.gate` → `a/b.gate`, so names read as the user would write them.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// A path with `.` and `a/..` taken out, without looking at the file
/// system: `tests/a/../b.gate` is `tests/b.gate`.
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Whether a path is a `.gate` file.
pub fn is_gate_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gate")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(
            normalize(Path::new("a/b/../c.gate")),
            PathBuf::from("a/c.gate")
        );
        assert_eq!(normalize(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(
            normalize(Path::new("../a/../../b")),
            PathBuf::from("../../b")
        );
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
    }

    #[cfg(unix)]
    #[test]
    fn links_to_folders_are_not_followed() {
        let dir = std::env::temp_dir().join(format!("gate-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/x.gate"), "").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("a/x.gate"), dir.join("y.gate")).unwrap();
        std::fs::create_dir_all(dir.join("target")).unwrap();
        std::fs::write(dir.join("target/z.gate"), "").unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        std::fs::write(dir.join(".hidden/z.gate"), "").unwrap();
        let found = walk(&dir, &is_gate_file, Skip::SourceTree);
        assert!(found.unreadable.is_empty());
        let names: Vec<_> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().to_path_buf())
            .collect();
        assert_eq!(names, [PathBuf::from("a/x.gate"), PathBuf::from("y.gate")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
