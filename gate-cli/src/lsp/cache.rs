//! Files the server writes for the editor to open: the sources of the
//! `std` modules and the pages that explain diagnostic codes, which are in
//! the binary and nowhere on disk. They go under the user's cache folder
//! (`$XDG_CACHE_HOME/gate/VERSION/`, else `~/.cache/gate/VERSION/`, else
//! the temporary folder), read-only, written whole and then moved into
//! place, and only when they are not there already as they should be.

use std::path::PathBuf;

/// The file `name` of the folder `kind` with the text `text`: its path,
/// written if it had to be; `None` when it cannot be written.
pub fn file(kind: &str, name: &str, text: &str) -> Option<PathBuf> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !s.starts_with('.')
    };
    if !plain(kind) || !plain(name) {
        return None;
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join("gate").join(env!("CARGO_PKG_VERSION")).join(kind);
    let path = dir.join(name);
    // The texts are the binary's own: one checked or written in this
    // process is not read again (a diagnostic's link is made on each edit).
    static SEEN: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> =
        std::sync::Mutex::new(None);
    let seen = |p: &PathBuf| {
        SEEN.lock()
            .ok()
            .is_some_and(|s| s.as_ref().is_some_and(|s| s.contains(p)))
    };
    if seen(&path) && path.is_file() {
        return Some(super::workspace::key(&path));
    }
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(&dir).ok()?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).ok()?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).ok()?;
        let mut perms = tmp.as_file().metadata().ok()?.permissions();
        perms.set_readonly(true);
        tmp.as_file().set_permissions(perms).ok()?;
        tmp.persist(&path).ok()?;
    }
    if let Ok(mut s) = SEEN.lock() {
        s.get_or_insert_with(Default::default).insert(path.clone());
    }
    Some(super::workspace::key(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_written() {
        assert!(file("std", "../x.gate", "").is_none());
        assert!(file("..", "x.gate", "").is_none());
        assert!(file("std", ".hidden", "").is_none());
        assert!(file("std", "", "").is_none());
    }
}
