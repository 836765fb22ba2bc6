//! Safe loading of evidence documents (JSON, YAML, TOML) into [`serde_json::Value`].
//!
//! Every format goes through the same gate in [`parse`]:
//!
//! 1. the input size is checked against [`LoadLimits::max_bytes`] before anything else;
//! 2. the bytes must be UTF-8 (a leading UTF-8 byte order mark is skipped);
//! 3. the format-specific parser builds the value, refusing nesting deeper than
//!    [`LoadLimits::max_depth`] (the root array/object/table is depth 1).
//!
//! None of the code here recurses to a depth the input controls: YAML and TOML values are
//! built with explicit stacks; JSON is read by a recursive reader over jiter whose recursion
//! is cut off by the depth check (and never goes beyond 127 levels, whatever the limit).
//!
//! Format-specific decisions are documented in `json.rs`, `yaml.rs` and `toml.rs`.

pub(crate) mod decode;
mod json;
pub(crate) mod lines;
mod locate;
mod toml;
pub(crate) mod typed;
mod yaml;

pub use locate::{locate, locate_in, Position};

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A document format that [`parse`] understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Strict JSON (RFC 8259), no duplicate keys.
    Json,
    /// JSON Lines (NDJSON): one JSON document per line; the list of them.
    JsonLines,
    /// YAML 1.2, core schema, no aliases: one document, or a stream of
    /// several (`---`), which is the list of its documents.
    Yaml,
    /// TOML (as accepted by the `toml` crate, TOML 1.1).
    Toml,
    /// Signed attestations: a DSSE envelope, JSON Lines of them, or a
    /// Sigstore bundle, verified against a trust configuration
    /// ([`EvidenceBuilder::trust`](crate::EvidenceBuilder::trust)) before
    /// they are read; [`parse`] never reads them.
    Attestation,
}

/// File name endings of attestation files, compared in lower case.
const ATTESTATION_SUFFIXES: [&str; 7] = [
    ".intoto.json",
    ".intoto.jsonl",
    ".dsse.json",
    ".sigstore.json",
    ".sigstore",
    ".bundle",
    ".link",
];

impl Format {
    /// The format named by a file's name, in any case: `.json`, `.jsonl`,
    /// `.ndjson`, `.yaml`, `.yml`, `.toml`; attestations by `.intoto.json`, `.intoto.jsonl`,
    /// `.dsse.json`, `.sigstore.json`, `.sigstore`, `.bundle` and `.link`
    /// (an in-toto link signed in DSSE, as `in-toto-run --use-dsse` writes).
    ///
    /// ```
    /// use gate_eval::Format;
    /// use std::path::Path;
    /// assert_eq!(Format::from_extension(Path::new("build.intoto.jsonl")), Some(Format::Attestation));
    /// assert_eq!(Format::from_extension(Path::new("release.JSON")), Some(Format::Json));
    /// assert_eq!(Format::from_extension(Path::new("findings.ndjson")), Some(Format::JsonLines));
    /// ```
    pub fn from_extension(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if ATTESTATION_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            return Some(Format::Attestation);
        }
        let ext = path.extension()?.to_str()?;
        Format::from_name(&ext.to_ascii_lowercase())
    }

    /// The format with this name: `json`, `jsonl` (or `ndjson`), `yaml`
    /// (or `yml`), `toml` or `attestation` (lower case only).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "attestation" => Some(Format::Attestation),
            _ => None,
        }
    }

    /// The canonical name: `json`, `jsonl`, `yaml`, `toml` or `attestation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Yaml => "yaml",
            Format::Toml => "toml",
            Format::Attestation => "attestation",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Limits applied while loading a document. Start from
/// [`LoadLimits::default`]:
///
/// ```
/// let limits = gate_eval::LoadLimits::default().max_bytes(1 << 20).max_depth(32);
/// assert_eq!(limits.max_depth, 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadLimits {
    /// Largest accepted input, in bytes (checked before anything else, BOM included).
    pub max_bytes: usize,
    /// Deepest accepted nesting of arrays/objects; the root container is depth 1, scalars
    /// do not count. A document that is a bare scalar has depth 0.
    pub max_depth: usize,
    /// Longest accepted string (a value or an object key), in bytes of UTF-8.
    pub max_string: usize,
    /// Most elements accepted in one array (or entries in one object).
    pub max_list: usize,
}

impl LoadLimits {
    /// Sets the largest accepted input, in bytes.
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Sets the deepest accepted nesting.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Sets the longest accepted string, in bytes.
    pub fn max_string(mut self, bytes: usize) -> Self {
        self.max_string = bytes;
        self
    }

    /// Sets the most elements of one array or entries of one object.
    pub fn max_list(mut self, elements: usize) -> Self {
        self.max_list = elements;
        self
    }

    /// Default longest string: 1 MiB.
    pub const DEFAULT_MAX_STRING: usize = 1 << 20;
    /// Default most elements of an array or entries of an object: one million.
    pub const DEFAULT_MAX_LIST: usize = 1_000_000;
}

impl Default for LoadLimits {
    /// 32 MiB, 64 levels, strings up to 1 MiB, lists up to a million elements.
    fn default() -> Self {
        LoadLimits {
            max_bytes: 32 * 1024 * 1024,
            max_depth: 64,
            max_string: LoadLimits::DEFAULT_MAX_STRING,
            max_list: LoadLimits::DEFAULT_MAX_LIST,
        }
    }
}

/// A successfully parsed document.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The document's content.
    pub value: serde_json::Value,
    /// JSON pointers (RFC 6901, e.g. "/a/b/0") of YAML plain scalars that YAML 1.1 read as
    /// booleans (yes/no/on/off/y/n in any case; true/false forms are NOT included) but
    /// YAML 1.2 reads as strings. They are kept as strings; the caller may convert them.
    ///
    /// Only values are listed, never mapping keys (keys are always strings). A bare scalar
    /// document is listed as the empty pointer `""`. Always empty for JSON and TOML.
    pub bool_words: BTreeSet<String>,
    /// For a stream (JSON Lines, or YAML with several documents), whose value is the list
    /// of its documents: the 1-based line each document starts on. Empty otherwise.
    pub documents: Vec<usize>,
}

/// Why a document could not be loaded, with the 1-based position where it is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// What went wrong.
    pub kind: LoadErrorKind,
    /// 1-based line, when the underlying parser reports one.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the underlying parser reports one.
    pub column: Option<usize>,
}

/// The kinds of [`LoadError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The input is larger than [`LoadLimits::max_bytes`]. Also used (with `size` = the
    /// bytes needed) when the YAML `bool_words` pointers alone would exceed that budget.
    TooLarge {
        /// Bytes found (or needed).
        size: usize,
        /// [`LoadLimits::max_bytes`].
        limit: usize,
    },
    /// Nesting deeper than `limit`.
    TooDeep {
        /// The caller's `max_depth`, or the underlying parser's own hard limit when that is
        /// lower and fired first (127 for JSON, 255 flow levels for YAML, 79 for TOML).
        limit: usize,
    },
    /// The underlying parser refused the text, or a tagged YAML scalar does not fit its tag.
    Syntax {
        /// The parser's message, without position.
        message: String,
    },
    /// A key appears twice in one object/mapping/table.
    DuplicateKey {
        /// The key (for TOML, as written, one pair of quotes removed).
        key: String,
    },
    /// YAML aliases (`*x`) are refused: they can expand exponentially.
    Alias,
    /// YAML tags other than the core `!!str !!int !!float !!bool !!null !!seq !!map`.
    UnsupportedTag {
        /// The tag written short (`!!binary`, `!local`, `!`, `!<uri>`) or as a full URI.
        tag: String,
    },
    /// NaN, infinities, or a finite literal too large for `f64` (`1e400`).
    NonFiniteNumber {
        /// The number's text (TOML `inf`/`nan` are shown as `inf`, `-inf`, `nan`).
        text: String,
    },
    /// An integer beyond `i64`/`u64`.
    NumberOutOfRange {
        /// The integer's text.
        text: String,
    },
    /// A YAML mapping or sequence used as a mapping key.
    ComplexKey,
    /// The input is not UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte in the input (a BOM counts).
        offset: usize,
    },
    /// A string (value or key) longer than [`LoadLimits::max_string`].
    StringTooLong {
        /// JSON pointer of the value (of the object, for a key).
        pointer: String,
        /// Its length in bytes.
        length: usize,
        /// [`LoadLimits::max_string`].
        limit: usize,
    },
    /// An array or object with more elements than [`LoadLimits::max_list`].
    ListTooLong {
        /// JSON pointer of the array or object.
        pointer: String,
        /// How many elements it has.
        length: usize,
        /// [`LoadLimits::max_list`].
        limit: usize,
    },
    /// A number written with a non-zero digit that is too small for `f64` and would be
    /// read as zero (`1e-400`).
    NumberUnderflow {
        /// The number's text.
        text: String,
    },
    /// A number with more digits than a 64-bit float holds, which would be read as
    /// another number (`0.79999999999999999999` as `0.8`).
    NumberTooPrecise {
        /// The number's text.
        text: String,
    },
    /// Signed attestations cannot be read here: without a trust
    /// configuration, at the root of the evidence, or by [`parse`].
    Unverifiable {
        /// Why, and what to do.
        message: String,
    },
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind) -> Self {
        LoadError {
            kind,
            line: None,
            column: None,
        }
    }

    pub(crate) fn at(kind: LoadErrorKind, line: usize, column: usize) -> Self {
        LoadError {
            kind,
            line: Some(line),
            column: Some(column),
        }
    }

    pub(crate) fn syntax(message: impl Into<String>) -> LoadErrorKind {
        LoadErrorKind::Syntax {
            message: message.into(),
        }
    }
}

/// Longest piece of user text quoted in an error message, in characters.
const QUOTE_LIMIT: usize = 80;

/// User text for an error message: in backticks, control characters escaped, truncated.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::from("`");
    for (count, c) in text.chars().enumerate() {
        if count >= QUOTE_LIMIT {
            out.push('…');
            break;
        }
        if gate_lang::lexer::is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

impl fmt::Display for LoadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadErrorKind::TooLarge { size, limit } if *size > limit.saturating_add(1) => {
                write!(f, "input too large: {size} bytes, limit is {limit} bytes")
            }
            // Reading stopped one byte past the limit: the size is unknown.
            LoadErrorKind::TooLarge { limit, .. } => {
                write!(f, "input too large: more than the limit of {limit} bytes")
            }
            LoadErrorKind::TooDeep { limit } => {
                write!(f, "nesting too deep: more than {limit} levels")
            }
            LoadErrorKind::Syntax { message } => write!(f, "syntax error: {message}"),
            LoadErrorKind::DuplicateKey { key } => write!(f, "duplicate key {}", quote(key)),
            LoadErrorKind::Alias => {
                f.write_str("yaml aliases are not allowed (they can expand exponentially)")
            }
            LoadErrorKind::UnsupportedTag { tag } => {
                write!(f, "unsupported yaml tag {}", quote(tag))
            }
            LoadErrorKind::NonFiniteNumber { text } => {
                write!(f, "number {} is not finite", quote(text))
            }
            LoadErrorKind::NumberOutOfRange { text } => {
                write!(f, "integer {} is out of the 64-bit range", quote(text))
            }
            LoadErrorKind::ComplexKey => {
                f.write_str("mapping key must be a scalar, not a mapping or sequence")
            }
            LoadErrorKind::InvalidUtf8 { offset } => {
                write!(f, "input is not valid utf-8 at byte offset {offset}")
            }
            LoadErrorKind::StringTooLong {
                pointer,
                length,
                limit,
            } => write!(
                f,
                "string at {} is {length} bytes long, over the limit of {limit} bytes",
                shown_pointer(pointer)
            ),
            LoadErrorKind::ListTooLong {
                pointer,
                length,
                limit,
            } => write!(
                f,
                "list at {} has {length} elements, over the limit of {limit}",
                shown_pointer(pointer)
            ),
            LoadErrorKind::NumberUnderflow { text } => write!(
                f,
                "number {} is too small to be represented (it would be read as 0)",
                quote(text)
            ),
            LoadErrorKind::NumberTooPrecise { text } => write!(
                f,
                "number {} has more digits than a 64-bit float holds (it would be read as {})",
                quote(text),
                f64::from_str(text)
                    .map_or_else(|_| "another number".to_string(), |v| v.to_string())
            ),
            LoadErrorKind::Unverifiable { message } => f.write_str(message),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " at line {line}, column {column}"),
            (Some(line), None) => write!(f, " at line {line}"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for LoadError {}

const BOM: &str = "\u{feff}";

/// A JSON pointer for a message: quoted, `/` for the root.
fn shown_pointer(pointer: &str) -> String {
    if pointer.is_empty() {
        quote("/")
    } else {
        quote(pointer)
    }
}

/// A container being walked by [`check_sizes`].
enum Walk<'v> {
    Array(std::iter::Enumerate<std::slice::Iter<'v, serde_json::Value>>),
    Object(serde_json::map::Iter<'v>),
}

/// Checks every string and list of `value` against [`LoadLimits::max_string`] and
/// [`LoadLimits::max_list`], without recursion.
pub(crate) fn check_sizes(value: &serde_json::Value, limits: &LoadLimits) -> Result<(), LoadError> {
    use serde_json::Value;
    // The containers being walked, each with the pointer segment that leads to it.
    let mut stack: Vec<(Walk<'_>, String)> = Vec::new();
    let pointer = |stack: &[(Walk<'_>, String)], last: Option<&str>| {
        let mut p = String::new();
        for (_, segment) in stack.iter().skip(1) {
            push_pointer_segment(&mut p, segment);
        }
        if let Some(last) = last {
            push_pointer_segment(&mut p, last);
        }
        p
    };
    let mut next: Option<(&Value, String)> = Some((value, String::new()));
    loop {
        if let Some((v, segment)) = next.take() {
            match v {
                Value::String(text) if text.len() > limits.max_string => {
                    let at = if stack.is_empty() {
                        String::new()
                    } else {
                        pointer(&stack, Some(&segment))
                    };
                    return Err(LoadError::new(LoadErrorKind::StringTooLong {
                        pointer: at,
                        length: text.len(),
                        limit: limits.max_string,
                    }));
                }
                Value::Array(_) | Value::Object(_) if container_len(v) > limits.max_list => {
                    let at = if stack.is_empty() {
                        String::new()
                    } else {
                        pointer(&stack, Some(&segment))
                    };
                    return Err(LoadError::new(LoadErrorKind::ListTooLong {
                        pointer: at,
                        length: container_len(v),
                        limit: limits.max_list,
                    }));
                }
                Value::Array(items) => stack.push((Walk::Array(items.iter().enumerate()), segment)),
                Value::Object(map) => stack.push((Walk::Object(map.iter()), segment)),
                _ => {}
            }
        }
        let Some((walk, _)) = stack.last_mut() else {
            return Ok(());
        };
        match walk {
            Walk::Array(items) => match items.next() {
                Some((i, item)) => next = Some((item, i.to_string())),
                None => {
                    stack.pop();
                }
            },
            Walk::Object(entries) => match entries.next() {
                Some((key, item)) => {
                    if key.len() > limits.max_string {
                        return Err(LoadError::new(LoadErrorKind::StringTooLong {
                            pointer: pointer(&stack, None),
                            length: key.len(),
                            limit: limits.max_string,
                        }));
                    }
                    next = Some((item, key.clone()));
                }
                None => {
                    stack.pop();
                }
            },
        }
    }
}

/// Elements of an array, entries of an object, 0 for a scalar.
fn container_len(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(items) => items.len(),
        serde_json::Value::Object(map) => map.len(),
        _ => 0,
    }
}

/// Parses `bytes` as a document in `format`.
///
/// Checks, in order: size (`TooLarge`), UTF-8 (`InvalidUtf8`, offset into `bytes`), then the
/// format's own rules. A leading UTF-8 BOM is ignored; reported columns on the first line do
/// not count it.
pub fn parse(format: Format, bytes: &[u8], limits: &LoadLimits) -> Result<Parsed, LoadError> {
    let text = prepare(bytes, limits)?;
    let parsed = match format {
        Format::Json => json::parse(text, limits),
        Format::JsonLines => lines::parse(text, limits),
        Format::Yaml => yaml::parse(text, limits),
        Format::Toml => toml::parse(text, limits),
        Format::Attestation => {
            return Err(LoadError::new(LoadErrorKind::Unverifiable {
                message: "signed attestations are verified before they are read, so they are read as evidence with a trust configuration, never as plain documents".into(),
            }))
        }
    }?;
    check_sizes(&parsed.value, limits)?;
    Ok(parsed)
}

/// The checks every format shares: size first, then UTF-8; the text without its BOM.
pub(crate) fn prepare<'b>(bytes: &'b [u8], limits: &LoadLimits) -> Result<&'b str, LoadError> {
    if bytes.len() > limits.max_bytes {
        return Err(LoadError::new(LoadErrorKind::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        }));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.valid_up_to();
            let prefix = bytes.get(..offset).unwrap_or_default();
            let skip = if prefix.starts_with(BOM.as_bytes()) {
                BOM.len()
            } else {
                0
            };
            let rest = prefix.get(skip..).unwrap_or_default();
            let (line, column) = line_col(rest, rest.len());
            return Err(LoadError::at(
                LoadErrorKind::InvalidUtf8 { offset },
                line,
                column,
            ));
        }
    };
    Ok(text.strip_prefix(BOM).unwrap_or(text))
}

/// Whether a decimal number's digits before its exponent include a non-zero digit: such a
/// number read as `0.0` has underflowed.
pub(crate) fn mantissa_is_nonzero(text: &str) -> bool {
    text.split(['e', 'E'])
        .next()
        .unwrap_or_default()
        .chars()
        .any(|c| matches!(c, '1'..='9'))
}

/// 1-based line and column (in characters) of byte `offset` in `text`. Works on any byte
/// offset, even one inside a character or past the end (clamped).
pub(crate) fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let prefix = text.get(..offset).unwrap_or(text);
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    let line = 1 + prefix.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + prefix
        .get(line_start..)
        .unwrap_or_default()
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    (line, column)
}

/// Appends one RFC 6901 reference token (`/` then the escaped segment) to `pointer`.
pub(crate) fn push_pointer_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            _ => pointer.push(c),
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn ok(format: Format, text: &str) -> Parsed {
        match parse(format, text.as_bytes(), &LoadLimits::default()) {
            Ok(parsed) => parsed,
            Err(err) => panic!("{format} should parse, got: {err}\n{text}"),
        }
    }

    pub(crate) fn err(format: Format, text: &str) -> LoadError {
        match parse(format, text.as_bytes(), &LoadLimits::default()) {
            Ok(parsed) => panic!("{format} should fail, got: {:?}\n{text}", parsed.value),
            Err(err) => err,
        }
    }

    pub(crate) fn limits(max_bytes: usize, max_depth: usize) -> LoadLimits {
        LoadLimits {
            max_bytes,
            max_depth,
            ..LoadLimits::default()
        }
    }

    const ALL: [Format; 3] = [Format::Json, Format::Yaml, Format::Toml];

    #[test]
    fn format_from_extension() {
        assert_eq!(
            Format::from_extension(Path::new("a/b.json")),
            Some(Format::Json)
        );
        assert_eq!(
            Format::from_extension(Path::new("b.YAML")),
            Some(Format::Yaml)
        );
        assert_eq!(
            Format::from_extension(Path::new("b.Yml")),
            Some(Format::Yaml)
        );
        assert_eq!(
            Format::from_extension(Path::new("x.tar.TOML")),
            Some(Format::Toml)
        );
        assert_eq!(Format::from_extension(Path::new("b.txt")), None);
        assert_eq!(Format::from_extension(Path::new("json")), None);
        assert_eq!(Format::from_extension(Path::new(".json")), None);
        assert_eq!(Format::from_extension(Path::new("b.")), None);
    }

    #[test]
    fn format_names() {
        assert_eq!(Format::from_name("json"), Some(Format::Json));
        assert_eq!(Format::from_name("yaml"), Some(Format::Yaml));
        assert_eq!(Format::from_name("yml"), Some(Format::Yaml));
        assert_eq!(Format::from_name("toml"), Some(Format::Toml));
        assert_eq!(Format::from_name("JSON"), None);
        assert_eq!(Format::from_name(""), None);
        for format in ALL {
            assert_eq!(Format::from_name(format.as_str()), Some(format));
        }
        assert_eq!(Format::Yaml.as_str(), "yaml");
    }

    #[test]
    fn default_limits() {
        let limits = LoadLimits::default();
        assert_eq!(limits.max_bytes, 33_554_432);
        assert_eq!(limits.max_depth, 64);
    }

    #[test]
    fn too_large_is_checked_first() {
        // Invalid UTF-8 *and* too large: size wins.
        let bytes = [0xff_u8; 11];
        for format in ALL {
            let err = parse(format, &bytes, &limits(10, 64)).unwrap_err();
            assert_eq!(
                err.kind,
                LoadErrorKind::TooLarge {
                    size: 11,
                    limit: 10
                }
            );
            assert_eq!(err.line, None);
            assert_eq!(
                err.to_string(),
                "input too large: more than the limit of 10 bytes"
            );
        }
    }

    #[test]
    fn exactly_max_bytes_is_accepted() {
        let docs = [
            (Format::Json, "{\"a\": 1}"),
            (Format::Yaml, "a: 1"),
            (Format::Toml, "a = 1"),
        ];
        for (format, text) in docs {
            let parsed = parse(format, text.as_bytes(), &limits(text.len(), 64)).unwrap();
            assert_eq!(parsed.value, serde_json::json!({"a": 1}));
            let err = parse(format, text.as_bytes(), &limits(text.len() - 1, 64)).unwrap_err();
            assert!(matches!(err.kind, LoadErrorKind::TooLarge { .. }));
        }
    }

    #[test]
    fn invalid_utf8_reports_offset_and_position() {
        let bytes = b"{\"a\": \"x\",\n \"b\": \"\xc3\x28\"}";
        for format in ALL {
            let err = parse(format, bytes, &LoadLimits::default()).unwrap_err();
            assert_eq!(err.kind, LoadErrorKind::InvalidUtf8 { offset: 18 });
            assert_eq!((err.line, err.column), (Some(2), Some(8)));
            assert_eq!(
                err.to_string(),
                "input is not valid utf-8 at byte offset 18 at line 2, column 8"
            );
        }
    }

    #[test]
    fn invalid_utf8_after_bom() {
        let mut bytes = BOM.as_bytes().to_vec();
        bytes.extend_from_slice(b"ab\xff");
        let err = parse(Format::Yaml, &bytes, &LoadLimits::default()).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::InvalidUtf8 { offset: 5 });
        assert_eq!((err.line, err.column), (Some(1), Some(3)));
    }

    #[test]
    fn bom_is_ignored() {
        let docs = [
            (Format::Json, "\u{feff}{\"a\": 1}"),
            (Format::Yaml, "\u{feff}a: 1\n"),
            (Format::Toml, "\u{feff}a = 1\n"),
        ];
        for (format, text) in docs {
            assert_eq!(ok(format, text).value, serde_json::json!({"a": 1}));
        }
    }

    #[test]
    fn only_one_bom_is_ignored() {
        // A second BOM is content (and a syntax error for JSON).
        let err = err(Format::Json, "\u{feff}\u{feff}{}");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col(b"", 0), (1, 1));
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\né".as_bytes(), 5), (2, 2));
        assert_eq!(line_col(b"ab", 99), (1, 3));
    }

    #[test]
    fn pointer_escaping() {
        let mut p = String::new();
        push_pointer_segment(&mut p, "a/b~c");
        push_pointer_segment(&mut p, "");
        push_pointer_segment(&mut p, "~1");
        assert_eq!(p, "/a~1b~0c//~01");
    }

    #[test]
    fn display_formats() {
        let e = LoadError::at(
            LoadErrorKind::DuplicateKey {
                key: "a\nb".to_string(),
            },
            3,
            7,
        );
        assert_eq!(e.to_string(), "duplicate key `a\\nb` at line 3, column 7");
        let e = LoadError {
            kind: LoadErrorKind::Alias,
            line: Some(2),
            column: None,
        };
        assert_eq!(
            e.to_string(),
            "yaml aliases are not allowed (they can expand exponentially) at line 2"
        );
        let long = "x".repeat(200);
        let e = LoadError::new(LoadErrorKind::UnsupportedTag { tag: long });
        let shown = e.to_string();
        assert!(shown.starts_with("unsupported yaml tag `xxx"));
        assert!(shown.ends_with("x…`"));
        assert!(shown.chars().count() < 120);
        let kinds = [
            LoadErrorKind::TooLarge { size: 2, limit: 1 },
            LoadErrorKind::TooDeep { limit: 1 },
            LoadErrorKind::Syntax {
                message: "m".into(),
            },
            LoadErrorKind::DuplicateKey { key: "k".into() },
            LoadErrorKind::Alias,
            LoadErrorKind::UnsupportedTag { tag: "!x".into() },
            LoadErrorKind::NonFiniteNumber {
                text: "1e400".into(),
            },
            LoadErrorKind::NumberOutOfRange { text: "1".into() },
            LoadErrorKind::ComplexKey,
            LoadErrorKind::InvalidUtf8 { offset: 1 },
            LoadErrorKind::StringTooLong {
                pointer: "/a".into(),
                length: 2,
                limit: 1,
            },
            LoadErrorKind::ListTooLong {
                pointer: String::new(),
                length: 2,
                limit: 1,
            },
            LoadErrorKind::NumberUnderflow {
                text: "1e-400".into(),
            },
        ];
        for kind in kinds {
            let text = LoadError::new(kind).to_string();
            let first = text.chars().next().unwrap();
            assert!(first.is_lowercase(), "{text}");
            assert!(!text.ends_with('.'), "{text}");
        }
        let boxed: Box<dyn std::error::Error> = Box::new(LoadError::new(LoadErrorKind::Alias));
        assert!(boxed.to_string().contains("alias"));
    }

    #[test]
    fn long_strings_and_lists_are_refused() {
        let small = LoadLimits {
            max_string: 3,
            max_list: 2,
            ..LoadLimits::default()
        };
        let cases = [
            (Format::Json, r#"{"a": {"b": "long"}}"#, "/a/b", 4),
            (Format::Yaml, "a:\n  - x\n  - abcd\n", "/a/1", 4),
            (Format::Toml, "[a]\n\"k/~\" = \"abcde\"\n", "/a/k~1~0", 5),
            (Format::Json, r#""long""#, "", 4),
        ];
        for (format, text, at, len) in cases {
            let err = parse(format, text.as_bytes(), &small).unwrap_err();
            assert_eq!(
                err.kind,
                LoadErrorKind::StringTooLong {
                    pointer: at.into(),
                    length: len,
                    limit: 3
                },
                "{format} {text}"
            );
        }
        let err = parse(Format::Json, br#"{"long": 1}"#, &small).unwrap_err();
        assert!(
            matches!(err.kind, LoadErrorKind::StringTooLong { ref pointer, length: 4, .. } if pointer.is_empty())
        );
        let err = parse(Format::Json, br#"{"a": [[1, 2, 3]]}"#, &small).unwrap_err();
        assert_eq!(
            err.kind,
            LoadErrorKind::ListTooLong {
                pointer: "/a/0".into(),
                length: 3,
                limit: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "list at `/a/0` has 3 elements, over the limit of 2"
        );
        let err = parse(Format::Yaml, b"{a: 1, b: 2, c: 3}", &small).unwrap_err();
        assert!(matches!(
            err.kind,
            LoadErrorKind::ListTooLong { length: 3, .. }
        ));
        // At the limits exactly: accepted.
        parse(Format::Json, br#"{"a": ["abc", "xyz"]}"#, &small).unwrap();
    }

    #[test]
    fn underflowing_numbers_are_refused() {
        for (format, text) in [
            (Format::Json, "[1e-400]"),
            (Format::Json, "[-0.5E-999]"),
            (Format::Yaml, "- 1e-400\n"),
        ] {
            let err = err(format, text);
            assert!(
                matches!(err.kind, LoadErrorKind::NumberUnderflow { .. }),
                "{text}: {err}"
            );
        }
        for text in ["[0.0e-400]", "[0e5]", "[-0.0]"] {
            ok(Format::Json, text);
        }
    }

    #[test]
    fn too_deep_root_with_zero_depth() {
        let docs = [
            (Format::Json, "[]"),
            (Format::Yaml, "[]"),
            (Format::Toml, ""),
        ];
        for (format, text) in docs {
            let err = parse(format, text.as_bytes(), &limits(100, 0)).unwrap_err();
            assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 0 }, "{format}");
        }
        // Bare scalars have depth 0.
        assert_eq!(
            parse(Format::Json, b"1", &limits(100, 0)).unwrap().value,
            serde_json::json!(1)
        );
        assert_eq!(
            parse(Format::Yaml, b"x", &limits(100, 0)).unwrap().value,
            serde_json::json!("x")
        );
    }
}
