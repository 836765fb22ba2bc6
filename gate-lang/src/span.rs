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
    line_starts: Arc<[u32]>,
    /// The text as diagnostics show it (see [`SourceFile::excerpt`]).
    shown: Arc<str>,
    /// Whether a `\r` not followed by `\n` is in the text (a line break to
    /// miette, not to the line index).
    lone_cr: bool,
}

impl SourceFile {
    /// Creates a source file and indexes its line starts.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0u32];
        let mut lone_cr = false;
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\n' => line_starts.push(clamp_u32(i + 1)),
                b'\r' => lone_cr |= bytes.get(i + 1) != Some(&b'\n'),
                _ => {}
            }
        }
        let hazardous = text
            .chars()
            .any(|c| crate::lexer::is_bidi_control(c) || crate::lexer::is_forbidden_control(c));
        let shown = if hazardous {
            Arc::from(crate::error::displayable_source(&text))
        } else {
            text.clone()
        };
        let name = name.into();
        SourceFile {
            record_name: name.clone(),
            name,
            text,
            line_starts: line_starts.into(),
            shown,
            lone_cr,
        }
    }

    /// The zero-based line of a byte offset and the offset that line
    /// starts at.
    pub fn line_of(&self, offset: u32) -> (usize, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let (line, start) = self.line_of(offset);
        let col = self
            .text
            .get(start as usize..offset as usize)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (clamp_u32(line + 1), clamp_u32(col + 1))
    }

    /// The file as miette shows it in a diagnostic: named, with bidi and
    /// control characters replaced (byte offsets kept, see
    /// [`crate::error::displayable_source`]), read around a span from the
    /// line index rather than from the file's start — so a thousand
    /// findings in a large file cost a thousand excerpts, not a thousand
    /// scans of the file.
    ///
    /// ```
    /// use miette::SourceCode;
    /// let f = gate_lang::span::SourceFile::new("g.gate", "a\nb\nc\nd\n");
    /// let e = f.excerpt();
    /// let c = e.read_span(&(6, 1).into(), 1, 0).unwrap();
    /// assert_eq!(std::str::from_utf8(c.data()).unwrap(), "c\nd");
    /// assert_eq!((c.line(), c.name()), (2, Some("g.gate")));
    /// ```
    pub fn excerpt(&self) -> Excerpt {
        Excerpt {
            name: self.name.clone(),
            text: self.shown.clone(),
            line_starts: self.line_starts.clone(),
            lone_cr: self.lone_cr,
        }
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

/// A source file as a diagnostic shows it: see [`SourceFile::excerpt`].
#[derive(Clone, Debug)]
pub struct Excerpt {
    name: String,
    text: Arc<str>,
    line_starts: Arc<[u32]>,
    lone_cr: bool,
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette reads from the first line it shows: the span's, less the
        // lines of context before it. With a lone `\r` (a line break to
        // miette only) the lines differ, and it reads the whole text.
        let first = if self.lone_cr {
            0
        } else {
            let offset = clamp_u32(span.offset());
            let line = match self.line_starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            };
            line.saturating_sub(context_lines_before)
        };
        let base = self.line_starts.get(first).copied().unwrap_or(0) as usize;
        let window = self
            .text
            .as_bytes()
            .get(base..)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let shifted =
            miette::SourceSpan::new(span.offset().saturating_sub(base).into(), span.len());
        let c = window.read_span(&shifted, context_lines_before, context_lines_after)?;
        let data = c.data();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            data,
            miette::SourceSpan::new((c.span().offset() + base).into(), c.span().len()),
            c.line() + first,
            c.column(),
            c.line_count() + first,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// An excerpt reads what miette reads from the whole text.
        #[test]
        fn excerpts_read_what_miette_reads_from_the_whole_text(
            text in "[a-c\n\r\t é\u{202e}]{0,60}",
            start in 0usize..70,
            len in 0usize..20,
            before in 0usize..4,
            after in 0usize..4,
        ) {
            use miette::SourceCode;
            let f = SourceFile::new("g.gate", text.as_str());
            let shown = crate::error::displayable_source(&text);
            let span: miette::SourceSpan = (start, len).into();
            let want = shown.as_str().read_span(&span, before, after);
            let excerpt = f.excerpt();
            let got = excerpt.read_span(&span, before, after);
            match (want, got) {
                (Ok(w), Ok(g)) => {
                    proptest::prop_assert_eq!(w.data(), g.data());
                    proptest::prop_assert_eq!(w.span(), g.span());
                    proptest::prop_assert_eq!(
                        (w.line(), w.column(), w.line_count()),
                        (g.line(), g.column(), g.line_count())
                    );
                    proptest::prop_assert_eq!(g.name(), Some("g.gate"));
                }
                (Err(_), Err(_)) => {}
                (w, g) => proptest::prop_assert!(false, "{:?} / {:?}", w.is_ok(), g.is_ok()),
            };
        }
    }

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
