//! Helpers shared by the end-to-end tests: running the `gate` command in
//! process and comparing output with golden files.

use std::path::{Path, PathBuf};

/// What one run of `gate` produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The run as a golden-file text.
    pub fn transcript(&self) -> String {
        let mut s = format!("exit: {}\n", self.code);
        if !self.stdout.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&self.stdout);
            if !self.stdout.ends_with('\n') {
                s.push('\n');
            }
        }
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&self.stderr);
            if !self.stderr.ends_with('\n') {
                s.push('\n');
            }
        }
        s
    }
}

/// Runs `gate ARGS` in process with `stdin` as input.
pub fn gate(args: &[&str], stdin: &str) -> Run {
    gate_with(args, stdin, |_| {})
}

/// [`gate`] with the streams set up by `setup` first (terminals, the
/// colour environment, environment variables).
pub fn gate_with(args: &[&str], stdin: &str, setup: impl FnOnce(&mut gate_cli::Io)) -> Run {
    let mut io = gate_cli::Io::memory(stdin);
    setup(&mut io);
    let mut argv = vec!["gate"];
    argv.extend_from_slice(args);
    let code = gate_cli::run(argv, &mut io) as i32;
    Run {
        code,
        stdout: io.stdout_text(),
        stderr: io.stderr_text(),
    }
}

/// The result of rule `id` in a decision record (`null` when there is none).
pub fn rule<'r>(record: &'r serde_json::Value, id: &str) -> &'r serde_json::Value {
    record["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|r| r["id"] == id))
        .unwrap_or(&serde_json::Value::Null)
}

/// An empty folder of its own for the files one test writes:
/// `gate-{prefix}-{pid}-{name}` in the system's temporary folder.
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gate-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Every file under `dir` (recursively) with extension `ext`, sorted,
/// skipping folders named `lib` (modules imported by the cases).
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "lib") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compares `actual` with the golden file `path`; with `GATE_BLESS=1` in the
/// environment, writes it instead. Returns a diff on mismatch.
pub fn golden(path: &Path, actual: &str) -> Result<(), String> {
    let actual = &without_commit(actual);
    if std::env::var_os("GATE_BLESS").is_some() {
        return std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()));
    }
    let mut expected = std::fs::read_to_string(path).unwrap_or_default();
    if gate_eval::decision::Engine::this().commit.is_none() {
        // Built without a commit to name: the goldens' placeholders go.
        expected = expected
            .replace(",\n    \"commit\": \"<commit>\"", "")
            .replace(" (<commit>)", "");
    }
    if expected == *actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual.as_str());
    Err(format!(
        "{} differs (run with GATE_BLESS=1 to accept):\n{}",
        path.display(),
        diff.unified_diff()
            .context_radius(3)
            .header("expected", "actual")
    ))
}

/// `text` with the commit gate was built from (in `gate --version` and in
/// records' `engine`) replaced by `<commit>`, so that golden files do not
/// change with every commit.
pub fn without_commit(text: &str) -> String {
    match gate_eval::decision::Engine::this().commit {
        Some(commit) => text.replace(&commit, "<commit>"),
        None => text.to_string(),
    }
}

/// The Python that has the reference implementations (in-toto,
/// securesystemslib, model-signing, in-toto-attestation): `.ci/run`
/// installs them in a virtual environment and names its interpreter in
/// `GATE_REFERENCE_PYTHON`. Without it these tests say so and stop, unless
/// `GATE_REQUIRE_REFERENCE_TOOLS` is set (as `.ci/run` sets it), when its
/// absence is a failure.
#[allow(clippy::panic)]
pub fn reference_python() -> Option<PathBuf> {
    match std::env::var_os("GATE_REFERENCE_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var_os("GATE_REQUIRE_REFERENCE_TOOLS").is_some() => {
            panic!("GATE_REFERENCE_PYTHON is not set, and the reference tools are required")
        }
        None => {
            eprintln!("skipped: GATE_REFERENCE_PYTHON is not set (`.ci/run` sets it)");
            None
        }
    }
}

/// Runs `program args…` in `dir`, which must succeed; its standard output.
#[allow(clippy::panic)]
pub fn run_tool(dir: &Path, program: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?}: {}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
