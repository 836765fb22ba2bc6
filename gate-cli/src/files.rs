//! Finding the files a command works on: the paths given, folders searched
//! recursively (hidden folders and `target/` skipped), in a stable order.

use std::path::{Path, PathBuf};

/// Every file under `paths` (files as given, folders searched) for which
/// `wanted` holds; the current folder when `paths` is empty. A path that
/// does not exist is an error.
pub fn find(paths: &[PathBuf], wanted: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    let default = [PathBuf::from(".")];
    let roots: &[PathBuf] = if paths.is_empty() { &default } else { paths };
    let mut out = Vec::new();
    for root in roots {
        if root.is_file() {
            out.push(root.clone());
            continue;
        }
        if !root.is_dir() {
            return Err(format!("`{}`: no such file or folder", root.display()));
        }
        std::fs::read_dir(root).map_err(|e| format!("cannot read `{}`: {e}", root.display()))?;
        out.extend(walk(root, wanted));
    }
    out.dedup();
    Ok(out)
}

/// Every file under `dir` (recursively, hidden folders and `target/`
/// skipped, unreadable folders too) for which `wanted` holds, sorted.
pub fn walk(dir: &Path, wanted: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    walk_skipping(dir, wanted, &|name| {
        name.starts_with('.') || name == "target"
    })
}

/// [`walk`] skipping only hidden folders (`target/` is a build folder in a
/// source tree, but may be anything in a folder of evidence).
pub fn walk_all(dir: &Path, wanted: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    walk_skipping(dir, wanted, &|name| name.starts_with('.'))
}

/// Every file under `dir` for which `wanted` holds, in folders whose names
/// `skip` does not refuse, sorted. Links to files are files; links to
/// folders are not followed (a link to a folder above would never end).
fn walk_skipping(
    dir: &Path,
    wanted: &dyn Fn(&Path) -> bool,
    skip: &dyn Fn(&str) -> bool,
) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !skip(&name) {
                    stack.push(path);
                }
            } else if (kind.is_file() || kind.is_symlink() && path.is_file()) && wanted(&path) {
                found.push(clean(&path));
            }
        }
    }
    found.sort();
    found
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
        let found = walk(&dir, &is_gate_file);
        let names: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().to_path_buf())
            .collect();
        assert_eq!(names, [PathBuf::from("a/x.gate"), PathBuf::from("y.gate")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
