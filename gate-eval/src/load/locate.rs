//! Where a JSON pointer's value is in a document's text: the line and
//! column a reviewer opens, for the reports that point at evidence files
//! (SARIF, GitHub annotations, GitLab Code Quality).
//!
//! The document is read again with the parsers that loaded it (jiter for
//! JSON and JSON Lines, saphyr-parser's events for YAML), so positions are
//! those of the same reading. TOML has no locator: its parser gives
//! positions only while deserialising, not for a pointer.
//!
//! A pointer's segments are unescaped (`~1` is `/`, `~0` is `~`); in a
//! stream (JSON Lines, YAML of several documents) the first segment is the
//! document's place, as the loaders number them.

use super::Format;
use jiter::{Jiter, Peek};
use saphyr_parser::{Event, Parser};

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// The position of the value at `pointer` in `text`, a document of
/// `format`; `None` when the pointer does not lead to a value there, the
/// text does not parse, or the format has no locator.
///
/// ```
/// use gate_eval::load::{locate, Format, Position};
/// let text = b"{\n  \"secrets\": [\n    {\"name\": \"db\", \"vaulted\": false}\n  ]\n}\n";
/// assert_eq!(
///     locate(text, Format::Json, "/secrets/0/vaulted"),
///     Some(Position { line: 3, column: 31 })
/// );
/// let yaml = b"secrets:\n  - name: db\n    vaulted: false\n";
/// assert_eq!(
///     locate(yaml, Format::Yaml, "/secrets/0/vaulted"),
///     Some(Position { line: 3, column: 14 })
/// );
/// ```
pub fn locate(text: &[u8], format: Format, pointer: &str) -> Option<Position> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let segments = segments(pointer)?;
    match format {
        Format::Json => json(text, &segments),
        Format::JsonLines => {
            let (first, rest) = segments.split_first()?;
            json_line(text, Document::Index(first.parse().ok()?), rest)
        }
        Format::Yaml => yaml(std::str::from_utf8(text).ok()?, None, &segments),
        Format::Toml | Format::Attestation => None,
    }
}

/// [`locate`] in one document of a stream (JSON Lines, YAML documents
/// between `---`): the one that starts on `line`, as element sources name
/// them (`file:line`); `pointer` is inside that document.
///
/// ```
/// use gate_eval::load::{locate_in, Format, Position};
/// let text = b"kind: A\n---\nkind: B\nrules:\n  - verbs: [\"*\"]\n";
/// assert_eq!(
///     locate_in(text, Format::Yaml, 2, "/rules/0/verbs/0"),
///     Some(Position { line: 5, column: 13 })
/// );
/// ```
pub fn locate_in(text: &[u8], format: Format, line: usize, pointer: &str) -> Option<Position> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let segments = segments(pointer)?;
    match format {
        Format::JsonLines => json_line(text, Document::Line(line), &segments),
        Format::Yaml => yaml(std::str::from_utf8(text).ok()?, Some(line), &segments),
        Format::Json | Format::Toml | Format::Attestation => None,
    }
}

/// Which document of a stream.
#[derive(Clone, Copy)]
enum Document {
    /// Its place among the documents.
    Index(usize),
    /// The line it is on.
    Line(usize),
}

/// The unescaped segments of a JSON pointer (`""` is the root).
fn segments(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// A JSON document's value at `segments`.
fn json(text: &[u8], segments: &[String]) -> Option<Position> {
    let mut jiter = Jiter::new(text);
    let mut peek = jiter.peek().ok()?;
    for segment in segments {
        match peek {
            Peek::Object => {
                let mut key = jiter.known_object().ok()?;
                loop {
                    let k = key?;
                    if k == segment {
                        break;
                    }
                    jiter.next_skip().ok()?;
                    key = jiter.next_key().ok()?;
                }
                peek = jiter.peek().ok()?;
            }
            Peek::Array => {
                let index: usize = segment.parse().ok()?;
                let mut element = jiter.known_array().ok()?;
                for _ in 0..index {
                    jiter.known_skip(element?).ok()?;
                    element = jiter.array_step().ok()?;
                }
                peek = element?;
            }
            _ => return None,
        }
    }
    let (line, column) = super::line_col(text, jiter.current_index());
    Some(Position { line, column })
}

/// A document of JSON Lines (blank lines are not documents).
fn json_line(text: &[u8], document: Document, segments: &[String]) -> Option<Position> {
    let mut seen = 0;
    for (n, line) in text.split(|b| *b == b'\n').enumerate() {
        if !line.iter().any(|b| !b.is_ascii_whitespace()) {
            continue;
        }
        let this = match document {
            Document::Index(i) => seen == i,
            Document::Line(l) => n + 1 == l,
        };
        if this {
            let position = json(line, segments)?;
            return Some(Position {
                line: n + 1,
                column: position.column,
            });
        }
        seen += 1;
    }
    None
}

/// What the YAML walk has open: a mapping (waiting for a key, or for the
/// value of the key read) or a sequence (with the next element's index).
enum Open {
    Map { key: Option<String> },
    Seq { next: usize },
}

/// A YAML document's (or stream's) node at `segments`, by its events: in
/// the document starting on `line`, or, without one, from the stream's
/// value (in a stream of several documents the first segment is the
/// document's place, the empty ones not numbered, as the loader reads it).
fn yaml(text: &str, line: Option<usize>, segments: &[String]) -> Option<Position> {
    let mut documents = 0usize;
    if line.is_none() {
        for item in Parser::new_from_str(text) {
            if let (Event::DocumentStart(_), _) = item.ok()? {
                documents += 1;
            }
        }
    }
    let (wanted, segments) = match line {
        Some(l) => (Document::Line(l), segments),
        None if documents > 1 => {
            let (first, rest) = segments.split_first()?;
            (Document::Index(first.parse::<usize>().ok()?), rest)
        }
        None => (Document::Index(0), segments),
    };
    let mut document_line = 0usize;
    let mut numbered = 0usize;
    let mut in_wanted = false;
    let mut path: Vec<String> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.ok()?;
        let start = Position {
            line: span.start.line(),
            column: span.start.col() + 1,
        };
        let opens = match &event {
            Event::DocumentStart(_) => {
                document_line = span.start.line();
                continue;
            }
            Event::SequenceStart(..) => Some(Open::Seq { next: 0 }),
            Event::MappingStart(..) => Some(Open::Map { key: None }),
            Event::Scalar(..) | Event::Alias(..) => None,
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                if !stack.is_empty() {
                    path.pop();
                }
                continue;
            }
            Event::StreamEnd => break,
            _ => continue,
        };
        let place = match stack.last_mut() {
            None => {
                if documents > 1 && is_null(&event) {
                    in_wanted = false;
                    continue;
                }
                in_wanted = match wanted {
                    Document::Index(i) => numbered == i,
                    Document::Line(l) => document_line == l,
                };
                numbered += 1;
                None
            }
            Some(Open::Map { key: key @ None }) => {
                // A key: a scalar's text; below a complex key nothing can
                // be addressed.
                let Event::Scalar(text, ..) = &event else {
                    return None;
                };
                *key = Some(text.to_string());
                continue;
            }
            Some(Open::Map { key }) => key.take(),
            Some(Open::Seq { next }) => {
                *next += 1;
                Some((*next - 1).to_string())
            }
        };
        if let Some(p) = place {
            path.push(p);
        }
        if in_wanted && path.as_slice() == segments {
            return Some(start);
        }
        match opens {
            Some(open) => stack.push(open),
            None => {
                if !stack.is_empty() {
                    path.pop();
                }
            }
        }
    }
    None
}

/// Whether an event is a plain untagged scalar the core schema reads as
/// null (an empty document between `---` separators).
fn is_null(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Scalar(text, saphyr_parser::ScalarStyle::Plain, _, None)
            if matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn json_values_by_pointer() {
        let text = br#"{"a": {"b/c": [1, {"d~e": "x"}]}, "z": null}"#;
        assert_eq!(locate(text, Format::Json, ""), at(1, 1));
        assert_eq!(locate(text, Format::Json, "/a"), at(1, 7));
        assert_eq!(locate(text, Format::Json, "/a/b~1c/1/d~0e"), at(1, 27));
        assert_eq!(locate(text, Format::Json, "/z"), at(1, 40));
        assert_eq!(locate(text, Format::Json, "/a/b~1c/2"), None);
        assert_eq!(locate(text, Format::Json, "/nope"), None);
        assert_eq!(locate(text, Format::Json, "/z/deeper"), None);
        assert_eq!(locate(b"{broken", Format::Json, "/a"), None);
        assert_eq!(locate(text, Format::Toml, "/a"), None);
    }

    #[test]
    fn json_lines_count_documents_not_blank_lines() {
        let text = b"{\"a\": 1}\n\n{\"a\": 2, \"b\": true}\n";
        assert_eq!(locate(text, Format::JsonLines, "/0/a"), at(1, 7));
        assert_eq!(locate(text, Format::JsonLines, "/1/b"), at(3, 15));
        assert_eq!(locate(text, Format::JsonLines, "/2"), None);
    }

    #[test]
    fn yaml_nodes_by_pointer() {
        let text = "a:\n  list:\n    - x\n    - k: v\n      m: [1, 2]\nb: true\n";
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/b"), at(6, 4));
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/a/list/0"), at(3, 7));
        assert_eq!(
            locate(text.as_bytes(), Format::Yaml, "/a/list/1/k"),
            at(4, 10)
        );
        assert_eq!(
            locate(text.as_bytes(), Format::Yaml, "/a/list/1/m/1"),
            at(5, 14)
        );
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/a/list/2"), None);
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/c"), None);
    }

    #[test]
    fn documents_of_streams_by_their_line() {
        let text = b"{\"a\": 1}\n\n{\"a\": 2, \"b\": true}\n";
        assert_eq!(locate_in(text, Format::JsonLines, 3, "/b"), at(3, 15));
        assert_eq!(locate_in(text, Format::JsonLines, 2, "/b"), None);
        let yaml = "---\nkind: A\n---\nkind: B\nspec:\n  x: 1\n";
        assert_eq!(
            locate_in(yaml.as_bytes(), Format::Yaml, 3, "/spec/x"),
            at(6, 6)
        );
        assert_eq!(
            locate_in(yaml.as_bytes(), Format::Yaml, 1, "/kind"),
            at(2, 7)
        );
        assert_eq!(locate_in(yaml.as_bytes(), Format::Yaml, 1, "/spec"), None);
    }

    #[test]
    fn yaml_streams_start_with_the_document() {
        let text = "---\nkind: A\n---\n---\nkind: B\nspec:\n  x: 1\n";
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/1/spec/x"), at(7, 6));
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/0/kind"), at(2, 7));
        assert_eq!(locate(text.as_bytes(), Format::Yaml, "/kind"), None);
    }
}
