//! JSON Lines (also called NDJSON): one JSON document per line, as secret
//! scanners (TruffleHog, Gitleaks `--report-format jsonl`), audit logs and
//! SLSA provenance generators write them. The file is the list of its
//! documents, in order.
//!
//! Each line is read by the strict JSON reader (`json.rs`) with the same
//! limits; positions in errors are the file's (line `n`, the column in that
//! line). Lines holding only whitespace are skipped, as the NDJSON
//! specification allows; a file with no document at all is a `Syntax` error.

use serde_json::Value;

use super::{json, LoadError, LoadErrorKind, LoadLimits, Parsed};

/// The lines of `text` that hold something, with their 1-based numbers.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| (n.saturating_add(1), line))
}

/// Reads the line `line` (number `n`) as one JSON document.
pub(crate) fn document(n: usize, line: &str, limits: &LoadLimits) -> Result<Value, LoadError> {
    json::parse(line, limits)
        .map(|parsed| parsed.value)
        .map_err(|e| LoadError {
            kind: e.kind,
            line: Some(n),
            column: e.column,
        })
}

pub(super) fn parse(text: &str, limits: &LoadLimits) -> Result<Parsed, LoadError> {
    let mut values = Vec::new();
    let mut documents = Vec::new();
    for (n, line) in lines(text) {
        if values.len() >= limits.max_list {
            return Err(LoadError::new(LoadErrorKind::ListTooLong {
                pointer: String::new(),
                length: lines(text).count(),
                limit: limits.max_list,
            }));
        }
        values.push(document(n, line, limits)?);
        documents.push(n);
    }
    if values.is_empty() {
        return Err(LoadError::new(LoadError::syntax(
            "no document: a JSON Lines file has one JSON document on each line",
        )));
    }
    Ok(Parsed {
        value: Value::Array(values),
        bool_words: Default::default(),
        documents,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Result<Parsed, LoadError> {
        parse(text, &LoadLimits::default())
    }

    #[test]
    fn each_line_is_a_document() {
        let p = read("{\"a\": 1}\n\n  \n[2]\r\n\"x\"").unwrap();
        assert_eq!(p.value, json!([{"a": 1}, [2], "x"]));
        assert_eq!(p.documents, vec![1, 4, 5]);
    }

    #[test]
    fn errors_are_at_the_line_of_the_file() {
        let e = read("{\"a\": 1}\n{\"a\": 1, \"a\": 2}\n").unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::DuplicateKey { key: "a".into() });
        assert_eq!(e.line, Some(2));
        // A document over two lines is not JSON Lines.
        let e = read("{\"a\":\n 1}\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(matches!(
            read(" \n\n").unwrap_err().kind,
            LoadErrorKind::Syntax { .. }
        ));
    }

    #[test]
    fn limits_hold_for_every_line_and_for_the_list() {
        let limits = LoadLimits::default().max_list(2).max_depth(2);
        let e = parse("1\n2\n3\n", &limits).unwrap_err();
        assert_eq!(
            e.kind,
            LoadErrorKind::ListTooLong {
                pointer: String::new(),
                length: 3,
                limit: 2
            }
        );
        let e = parse("1\n[[[1]]]\n", &limits).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::TooDeep { limit: 2 });
        assert_eq!(e.line, Some(2));
    }
}
