//! Records the commit this engine was built from, for `Engine::this()`
//! (decision records) and `gate --version`: `GATE_COMMIT`, the full hash
//! of the checkout's `HEAD`, set only when this crate is built from a git
//! checkout of its own workspace (not when it is vendored into another
//! repository, nor from a crates.io package, nor without git).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=GATE_COMMIT");
    if let Ok(commit) = std::env::var("GATE_COMMIT") {
        // Set by a packager who builds from a source archive.
        println!("cargo::rustc-env=GATE_COMMIT={commit}");
        return;
    }
    let Ok(dir) = std::env::var("CARGO_MANIFEST_DIR") else {
        return;
    };
    let Some(workspace) = Path::new(&dir).parent() else {
        return;
    };
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(workspace)
            .args(args)
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
    };
    let Some(top) = git(&["rev-parse", "--show-toplevel"]) else {
        return;
    };
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), workspace) {
        return;
    }
    let Some(commit) = git(&["rev-parse", "HEAD"]) else {
        return;
    };
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return;
    }
    // A new commit, a checkout or a rebase moves HEAD or the ref it names.
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let git_dir = Path::new(&git_dir);
        println!("cargo::rerun-if-changed={}", git_dir.join("HEAD").display());
        if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!(
                "cargo::rerun-if-changed={}",
                git_dir.join(head_ref).display()
            );
        }
        println!(
            "cargo::rerun-if-changed={}",
            git_dir.join("packed-refs").display()
        );
    }
    println!("cargo::rustc-env=GATE_COMMIT={commit}");
}
