//! Source files and the spans that point into them.
//!
//! A [`Span`] is a small `Copy` value: a byte range plus the [`SourceId`] of
//! the file it belongs to. Spans are metadata: two AST nodes that differ only
//! in their spans compare equal, so a tree can be compared with the tree of a
//! reformatted file.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Identifies one source file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub source: SourceId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// Creates a span from a byte range in `source`.
    pub fn new(source: SourceId, range: Range<usize>) -> Self {
        Span {
            source,
            start: clamp_u32(range.start),
            end: clamp_u32(range.end),
        }
    }

    /// The byte range of the span.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The span as a miette span (byte offset and length).
    pub fn to_miette(self) -> miette::SourceSpan {
        miette::SourceSpan::new(miette::SourceOffset::from(self.start as usize), self.len())
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Spans never take part in equality: trees are equal when they say the same.
impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.source.0, self.start, self.end)
    }
}

/// One loaded source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics: the path as it was given (or a standard
    /// module's dotted name, `std.secrets`).
    pub name: String,
    /// The name decision records use: the path relative to the folder of the
    /// gate that was loaded, with `/` separators (`lib/common.gate`), so a
    /// record does not depend on where the gate was run from. The same as
    /// `name` for standard modules and sources given as text.
    pub record_name: String,
    /// The whole text.
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Creates a source file and indexes its line starts.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(clamp_u32(i + 1));
            }
        }
        let name = name.into();
        SourceFile {
            record_name: name.clone(),
            name,
            text,
            line_starts,
        }
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start as usize..offset as usize)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (clamp_u32(line + 1), clamp_u32(col + 1))
    }

    /// The source text a span covers, or `""` if it is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// All source files of one compilation: the policy and what it imports.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        let id = SourceId(clamp_u32(self.files.len()));
        self.files.push(SourceFile::new(name, text));
        id
    }

    /// Adds a file whose name in decision records differs from the name
    /// shown (see [`SourceFile::record_name`]) and returns its id.
    pub fn add_recorded(
        &mut self,
        name: impl Into<String>,
        record_name: impl Into<String>,
        text: impl Into<Arc<str>>,
    ) -> SourceId {
        let id = self.add(name, text);
        if let Some(f) = self.files.last_mut() {
            f.record_name = record_name.into();
        }
        id
    }

    /// The name shown for a file named `record_name` in a decision record
    /// (`record_name` itself when no file of this map has it).
    pub fn shown_name<'a>(&'a self, record_name: &'a str) -> &'a str {
        self.files
            .iter()
            .find(|f| f.record_name == record_name)
            .map_or(record_name, |f| f.name.as_str())
    }

    /// The file with the given id.
    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(clamp_u32(i)), f))
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.source).map(|f| f.slice(span)).unwrap_or("")
    }

    /// A location record for a span: file name as shown, byte range, line
    /// and column.
    pub fn locate(&self, span: Span) -> Location {
        self.locate_named(span, |f| &f.name)
    }

    /// [`SourceMap::locate`] with the file's name in decision records
    /// ([`SourceFile::record_name`]).
    pub fn locate_for_record(&self, span: Span) -> Location {
        self.locate_named(span, |f| &f.record_name)
    }

    fn locate_named(&self, span: Span, name: impl Fn(&SourceFile) -> &String) -> Location {
        match self.get(span.source) {
            Some(f) => {
                let (line, column) = f.line_col(span.start);
                let (end_line, end_column) = f.line_col(span.end);
                Location {
                    file: name(f).clone(),
                    start: span.start,
                    end: span.end,
                    line,
                    column,
                    end_line,
                    end_column,
                }
            }
            None => Location {
                file: String::new(),
                start: span.start,
                end: span.end,
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            },
        }
    }
}

/// A span resolved to a file name, line and column, for output formats.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// File name as given when the file was loaded.
    pub file: String,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// One-based line of the start.
    pub line: u32,
    /// One-based column (in characters) of the start.
    pub column: u32,
    /// One-based line of the end.
    pub end_line: u32,
    /// One-based column of the end.
    pub end_column: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a.gate", "ab\ncé d\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'é' is two bytes: the space after it is the third character.
        assert_eq!(f.line_col(6), (2, 3));
    }

    #[test]
    fn spans_are_ignored_by_equality() {
        let a = Span::new(SourceId(0), 0..3);
        let b = Span::new(SourceId(1), 5..9);
        assert_eq!(a, b);
        assert_eq!(a.to(Span::new(SourceId(0), 7..9)).range(), 0..9);
    }
}
