//! Code lenses that run a gate's tests: above a gate's header, one lens
//! for each test file beside it that tests it (`release.test.yaml`, or one
//! whose `policy:` names it), which runs that file's cases as `gate test`
//! does (on the files as they are saved) and shows how they ended.

use super::text::Encoding;
use super::workspace::{key, Document};
use crate::cmd::test::run::SuiteResult;
use crate::cmd::test::suite;
use gate_lang::lexer::Token;
use lsp_types::{CodeLens, Command, Position, Range};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The command a lens runs: the test file is its argument.
pub const RUN_TESTS: &str = "gate.runTests";

/// How a test file's last run ended: passed, failed, could not run.
pub type Counts = (usize, usize, usize);

/// The lenses of a gate document; none for a module.
pub fn code_lenses(
    path: &Path,
    doc: &Document,
    enc: Encoding,
    last: &BTreeMap<PathBuf, Counts>,
) -> Vec<CodeLens> {
    let Some(header) = gate_header(&doc.text) else {
        return Vec::new();
    };
    let at = doc.index.range(&doc.text, header, header, enc).start;
    tests_of(path)
        .into_iter()
        .map(|(file, cases)| {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let title = match last.get(&file) {
                Some((passed, 0, 0)) => format!("✓ {passed} passed — run {name} again"),
                Some((passed, failed, errors)) => {
                    let mut parts = vec![format!("{passed} passed")];
                    if *failed > 0 {
                        parts.push(format!("{failed} failed"));
                    }
                    if *errors > 0 {
                        parts.push(format!("{errors} could not run"));
                    }
                    format!("✗ {} — run {name} again", parts.join(", "))
                }
                None => format!("▶ Run {} ({name})", crate::render::count(cases, "test")),
            };
            CodeLens {
                range: Range::new(at, Position::new(at.line, at.character + 4)),
                command: Some(Command {
                    title,
                    command: RUN_TESTS.into(),
                    arguments: Some(vec![json!(file.display().to_string())]),
                }),
                data: None,
            }
        })
        .collect()
}

/// The offset of the `gate` keyword that opens a gate, if the text is one.
pub fn gate_header(text: &str) -> Option<usize> {
    gate_lang::lexer::tokens(text)
        .into_iter()
        .find(|(t, _)| !matches!(t, Ok(Token::Comment(_))))
        .and_then(|(t, r)| matches!(t, Ok(Token::Gate)).then_some(r.start))
}

/// The test files beside the gate `path` that test it, with how many
/// cases each has.
fn tests_of(path: &Path) -> Vec<(PathBuf, usize)> {
    let me = key(path);
    let Some(dir) = me.parent() else {
        return Vec::new();
    };
    let Ok(files) = suite::discover(&[dir.to_path_buf()]) else {
        return Vec::new();
    };
    files
        .into_iter()
        .filter(|f| f.parent() == Some(dir))
        .filter_map(|f| {
            let (policy, cases) = suite::outline(&f)?;
            (key(&policy) == me).then(|| (key(&f), cases))
        })
        .collect()
}

/// Runs the test file a lens names: its counts, and what the command
/// answers (the file, the counts, each case's name, line and status, and
/// why a failed case failed).
pub fn run_tests(arguments: &[Value]) -> Result<(PathBuf, Counts, Value, String), String> {
    let file = arguments
        .first()
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .ok_or_else(|| format!("`{RUN_TESTS}` takes the path of a test file"))?;
    if !suite::is_test_file(&file) || !file.is_file() {
        return Err(format!("`{}` is not a test file", file.display()));
    }
    let file = key(&file);
    let name = file.display().to_string();
    let result = match suite::load_suite(&file) {
        Ok(s) => crate::cmd::test::run::run_suite(&s, false),
        Err(errors) => {
            let first = errors
                .first()
                .map(crate::cmd::test::ci::error_text)
                .unwrap_or_default();
            return Ok((
                file.clone(),
                (0, 0, 1),
                json!({"file": name, "passed": 0, "failed": 0, "errors": 1, "cases": [], "error": first}),
                format!("{name}: the tests cannot run: {first}"),
            ));
        }
    };
    let counts = result.counts();
    let message = summary(&name, &result, counts);
    let cases: Vec<Value> = result
        .cases
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "line": c.line,
                "status": c.status.as_str(),
                "mismatches": c.mismatches.iter().map(crate::cmd::test::report::mismatch_text).collect::<Vec<_>>(),
                "error": c.error.as_ref().map(|(code, m)| format!("{code}: {m}")),
            })
        })
        .collect();
    let (passed, failed, errors) = counts;
    Ok((
        file,
        counts,
        json!({"file": name, "passed": passed, "failed": failed, "errors": errors, "cases": cases}),
        message,
    ))
}

/// One line for the editor: the counts, and the first cases that did not
/// pass.
fn summary(name: &str, result: &SuiteResult, (passed, failed, errors): Counts) -> String {
    let mut text = format!("{name}: {passed} passed, {failed} failed");
    if errors > 0 {
        text.push_str(&format!(", {errors} could not run"));
    }
    let bad: Vec<&str> = result
        .cases
        .iter()
        .filter(|c| c.status != crate::cmd::test::run::CaseStatus::Passed)
        .map(|c| c.name.as_str())
        .take(5)
        .collect();
    if !bad.is_empty() {
        text.push_str(&format!(" ({})", bad.join("; ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_gates_have_lenses() {
        assert_eq!(gate_header("# c\ngate g {}\n"), Some(4));
        assert_eq!(gate_header("module m\n"), None);
        assert_eq!(gate_header(""), None);
        assert!(run_tests(&[]).is_err());
        assert!(run_tests(&[json!("Cargo.toml")]).is_err());
    }
}
