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
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    stack.push(path);
                }
            } else if wanted(&path) {
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

/// Whether a path is a `.gate` file.
pub fn is_gate_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gate")
}
