//! Positions and document names as the protocol has them: line and
//! character offsets (in UTF-16 code units unless the client agreed to
//! UTF-8), and `file://` URIs.

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};

/// How the client counts characters in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units: the protocol's default.
    Utf16,
    /// Bytes.
    Utf8,
}

/// The line starts of a text, to turn byte offsets into positions and back.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = floor_char(text, offset.min(self.len));
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        at(line, text.get(start..offset).unwrap_or(""), enc)
    }

    /// The byte offset of a position; a position past the end of its line
    /// is the line's end, past the last line the text's end.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.len;
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(self.len, |next| next - 1);
        let line = text.get(start..end).unwrap_or("");
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        end
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, text: &str, start: usize, end: usize, enc: Encoding) -> Range {
        Range {
            start: self.position(text, start, enc),
            end: self.position(text, end.max(start), enc),
        }
    }
}

/// The position of byte `offset` of a compiled source (clamped to its
/// text), from the line index the source already has.
pub fn position_in(file: &gate_lang::span::SourceFile, offset: u32, enc: Encoding) -> Position {
    let text = &*file.text;
    let offset = floor_char(text, (offset as usize).min(text.len()));
    let (line, start) = file.line_of(u32::try_from(offset).unwrap_or(u32::MAX));
    at(line, text.get(start as usize..offset).unwrap_or(""), enc)
}

/// The position on line `line` after `prefix`, the text of the line before
/// it, counted in the negotiated encoding.
fn at(line: usize, prefix: &str, enc: Encoding) -> Position {
    let character = match enc {
        Encoding::Utf8 => prefix.len(),
        Encoding::Utf16 => prefix.encode_utf16().count(),
    };
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}

/// The nearest char boundary at or before `offset`.
fn floor_char(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The path of a `file://` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    Some(PathBuf::from(decoded.into_owned()))
}

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b']')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    let text = path.to_str()?;
    if !text.starts_with('/') {
        return None;
    }
    let encoded = percent_encoding::utf8_percent_encode(text, PATH).to_string();
    format!("file://{encoded}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "ab\n𝄞é x\n\nlast";
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            for (offset, _) in text.char_indices() {
                let pos = index.position(text, offset, enc);
                assert_eq!(index.offset(text, pos, enc), offset, "{enc:?} {offset}");
            }
        }
        // 𝄞 is two UTF-16 units, four bytes.
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(text, x, Encoding::Utf16),
            Position::new(1, 4)
        );
        assert_eq!(index.position(text, x, Encoding::Utf8), Position::new(1, 7));
        // Past the end of a line: its end; past the last line: the end.
        assert_eq!(index.offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(
            index.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        // Inside a character: its start.
        assert_eq!(index.position(text, 4, Encoding::Utf8), Position::new(1, 0));
    }

    #[test]
    fn uris() {
        let p = Path::new("/tmp/a b/ré#1.gate");
        let uri = path_to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/r%C3%A9%231.gate");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        let remote: Uri = "https://example.com/x.gate".parse().unwrap();
        assert!(uri_to_path(&remote).is_none());
        assert!(path_to_uri(Path::new("relative.gate")).is_none());
    }
}
