//! YAML, read with the YAML 1.2 core schema from saphyr-parser's event stream.
//!
//! The value is built with an explicit stack of open sequences/mappings, so nothing here
//! recurses. Decisions:
//!
//! - A stream of one document is that document; `---` alone is `null`. An empty stream
//!   (nothing, or only comments) is a `Syntax` error "empty document". A stream of several
//!   documents (`---` between them: rendered Helm charts, kustomize output) is the list of
//!   its documents, in order, without the empty (null) ones that `---` separators leave;
//!   [`Parsed::documents`] has the line each one starts on, and `bool_words` pointers
//!   start with the document's place in that list.
//! - Aliases (`*x`) are refused (`Alias`), as soon as the first one is seen, so
//!   "billion laughs" input fails at once. An alias to an undefined anchor is also `Alias`.
//!   Anchors alone are ignored. Merge keys (`<<: *base`) therefore fail too.
//! - Mapping keys must be scalars (`ComplexKey`) and become their text as written (after
//!   YAML unquoting): `1: a` has the key `"1"`, `~: a` the key `"~"`, `"1": b` duplicates
//!   `1: a`. Duplicate keys are refused (`DuplicateKey`). Keys are never listed in
//!   `bool_words`.
//! - Plain scalars resolve with the YAML 1.2 core schema: null (`~ null Null NULL`, empty),
//!   bool (`true True TRUE false False FALSE`), int (`[-+]?[0-9]+`, `0o[0-7]+`,
//!   `0x[0-9a-fA-F]+`; beyond `i64`/`u64` is `NumberOutOfRange`), float
//!   (`[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, must be finite as `f64`, so
//!   `1e400` is `NonFiniteNumber`), and anything else is a string. Note YAML 1.2, not 1.1:
//!   `010` is 10 (not 8), `1_000` and `1:20` are strings, a `%YAML 1.1` directive changes
//!   nothing.
//! - `.inf`, `.nan` and their signed forms in ANY letter case (`.iNf`, `-.NaN`) are refused
//!   as `NonFiniteNumber`, more broadly than the spec's three spellings, so that no reader
//!   can take them for infinities.
//! - Floats are decided from their text as JSON numbers are (`json.rs`): `.5` becomes `0.5`,
//!   `!!float 1` becomes `1.0`, and one with more digits than a float holds
//!   (`0.79999999999999999999`) is refused as `NumberTooPrecise` rather than rounded.
//!   Integers keep their exact value.
//! - YAML 1.1 boolean words (`y n yes no on off`, any letter case) stay strings and their
//!   JSON pointer is recorded in `bool_words`, but only for plain untagged scalars: quoted,
//!   block and `!!str` scalars are strings by the author's choice and are not listed.
//! - Quoted and block scalars are always strings.
//! - Tags: only the core schema tags are accepted, however written (`!!str`,
//!   `!<tag:yaml.org,2002:str>`, or via a `%TAG` directive). `!!str` forces a string;
//!   `!!int`, `!!float`, `!!bool`, `!!null` force that type and the text must be valid for
//!   it in the core schema, else `Syntax`. In particular `!!bool yes` is a `Syntax` error:
//!   YAML 1.2 booleans are only true/false, and we will not guess. `!!seq`/`!!map` are
//!   accepted on sequences/mappings; a core tag on the wrong kind of node (`!!str [a]`,
//!   `!!seq x`) is `Syntax`. Every other tag, including the non-specific `!` and local tags
//!   (`!foo`), `!!binary`, `!!timestamp`, `!!set`, `!!omap`, is `UnsupportedTag`. A tagged
//!   key is checked the same way but still becomes its text.
//! - Positions are the start of the offending event (1-based line and column).
//! - `bool_words` pointers are built only for the words found; should their total length
//!   exceed `max_bytes` (possible only with hostile, very long keys), loading stops with
//!   `TooLarge`.

use std::collections::BTreeSet;
use std::str::FromStr;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Value};

use super::{push_pointer_segment, quote, LoadError, LoadErrorKind, LoadLimits, Parsed};

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// saphyr-parser's scanner refuses more nested flow collections than this. It scans ahead
/// of the events, so this can fire before our own depth check does.
const SCANNER_FLOW_DEPTH: usize = 255;

pub(super) fn parse(text: &str, limits: &LoadLimits) -> Result<Parsed, LoadError> {
    let mut builder = Builder {
        limits,
        stack: Vec::new(),
        root: None,
        documents: Vec::new(),
        line: 1,
        bool_words: BTreeSet::new(),
        pointer_bytes: 0,
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|err| scan_error(err, limits.max_depth))?;
        if matches!(event, Event::DocumentStart(_)) {
            builder.line = span.start.line();
        }
        match builder.event(event) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => break,
            Err(kind) => return Err(at(kind, span)),
        }
    }
    if !builder.stack.is_empty() {
        return Err(LoadError::new(LoadError::syntax("unexpected end of input")));
    }
    builder.end_document();
    let mut documents = builder.documents;
    if documents.len() == 1 {
        if let Some(only) = documents.pop() {
            return Ok(Parsed {
                value: only.value,
                bool_words: only.bool_words,
                documents: Vec::new(),
            });
        }
    }
    if documents.is_empty() {
        return Err(LoadError::new(LoadError::syntax("empty document")));
    }
    // A stream: its documents, without the empty ones.
    let mut values = Vec::with_capacity(documents.len());
    let mut lines = Vec::with_capacity(documents.len());
    let mut bool_words = BTreeSet::new();
    for doc in documents.into_iter().filter(|d| !d.value.is_null()) {
        let mut prefix = String::new();
        push_pointer_segment(&mut prefix, &values.len().to_string());
        bool_words.extend(doc.bool_words.into_iter().map(|w| format!("{prefix}{w}")));
        values.push(doc.value);
        lines.push(doc.line);
    }
    Ok(Parsed {
        value: Value::Array(values),
        bool_words,
        documents: lines,
    })
}

/// One document of the stream, read.
struct Document {
    value: Value,
    /// The line it starts on (1-based).
    line: usize,
    bool_words: BTreeSet<String>,
}

fn at(kind: LoadErrorKind, span: Span) -> LoadError {
    LoadError::at(kind, span.start.line(), span.start.col().saturating_add(1))
}

fn scan_error(err: ScanError, max_depth: usize) -> LoadError {
    let info = err.info();
    let kind = if info.contains("unknown anchor") {
        LoadErrorKind::Alias
    } else if info.contains("recursion limit") {
        // The scanner allows at most 255 nested flow collections.
        LoadErrorKind::TooDeep {
            limit: max_depth.min(SCANNER_FLOW_DEPTH),
        }
    } else {
        LoadError::syntax(info.trim_end_matches('.'))
    };
    LoadError::at(
        kind,
        err.marker().line(),
        err.marker().col().saturating_add(1),
    )
}

enum Frame {
    Seq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        /// The key whose value is being read; `None` while waiting for a key.
        key: Option<String>,
    },
}

enum Flow {
    Continue,
    Stop,
}

struct Builder<'l> {
    limits: &'l LoadLimits,
    stack: Vec<Frame>,
    /// The value of the document being read.
    root: Option<Value>,
    /// The documents read so far.
    documents: Vec<Document>,
    /// The line the document being read starts on.
    line: usize,
    /// The boolean words of the document being read.
    bool_words: BTreeSet<String>,
    pointer_bytes: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>) -> Result<Flow, LoadErrorKind> {
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            Event::DocumentEnd => self.end_document(),
            Event::StreamEnd => return Ok(Flow::Stop),
            Event::Alias(_) => return Err(LoadErrorKind::Alias),
            Event::Scalar(text, style, _anchor, tag) => {
                self.scalar(&text, style, tag.as_deref())?;
            }
            Event::SequenceStart(_anchor, tag) => {
                check_collection_tag(tag.as_deref(), CoreTag::Seq, "sequence")?;
                self.open(Frame::Seq(Vec::new()))?;
            }
            Event::MappingStart(_anchor, tag) => {
                check_collection_tag(tag.as_deref(), CoreTag::Map, "mapping")?;
                self.open(Frame::Map {
                    map: Map::new(),
                    key: None,
                })?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match self.stack.pop() {
                    Some(Frame::Seq(items)) => Value::Array(items),
                    Some(Frame::Map { map, .. }) => Value::Object(map),
                    None => return Err(LoadError::syntax("unbalanced end of collection")),
                };
                self.attach(value)?;
            }
        }
        Ok(Flow::Continue)
    }

    /// Keeps the document just read (if any) and starts the next.
    fn end_document(&mut self) {
        if let Some(value) = self.root.take() {
            self.documents.push(Document {
                value,
                line: self.line,
                bool_words: std::mem::take(&mut self.bool_words),
            });
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
    ) -> Result<(), LoadErrorKind> {
        if let Some(Frame::Map {
            map,
            key: key @ None,
        }) = self.stack.last_mut()
        {
            if tag.is_some() {
                // Validate the tag (and the text against it); the key stays its text.
                resolve(text, style, tag)?;
            }
            if map.contains_key(text) {
                return Err(LoadErrorKind::DuplicateKey {
                    key: text.to_owned(),
                });
            }
            *key = Some(text.to_owned());
            return Ok(());
        }
        let (value, bool_word) = resolve(text, style, tag)?;
        if bool_word {
            self.record_bool_word()?;
        }
        self.attach(value)
    }

    fn open(&mut self, frame: Frame) -> Result<(), LoadErrorKind> {
        if self.expecting_key() {
            return Err(LoadErrorKind::ComplexKey);
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(LoadErrorKind::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn attach(&mut self, value: Value) -> Result<(), LoadErrorKind> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return Err(LoadError::syntax("more than one value in the document"));
                }
                self.root = Some(value);
            }
            Some(Frame::Seq(items)) => items.push(value),
            Some(Frame::Map { map, key }) => match key.take() {
                Some(key) => {
                    map.insert(key, value);
                }
                None => return Err(LoadErrorKind::ComplexKey),
            },
        }
        Ok(())
    }

    /// Records the pointer of the scalar about to be attached at the top of the stack.
    fn record_bool_word(&mut self) -> Result<(), LoadErrorKind> {
        let mut pointer = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq(items) => push_pointer_segment(&mut pointer, &items.len().to_string()),
                Frame::Map { key: Some(key), .. } => push_pointer_segment(&mut pointer, key),
                Frame::Map { key: None, .. } => {}
            }
        }
        self.pointer_bytes = self.pointer_bytes.saturating_add(pointer.len());
        if self.pointer_bytes > self.limits.max_bytes {
            return Err(LoadErrorKind::TooLarge {
                size: self.pointer_bytes,
                limit: self.limits.max_bytes,
            });
        }
        self.bool_words.insert(pointer);
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CoreTag {
    Str,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
}

impl CoreTag {
    fn name(self) -> &'static str {
        match self {
            CoreTag::Str => "!!str",
            CoreTag::Int => "!!int",
            CoreTag::Float => "!!float",
            CoreTag::Bool => "!!bool",
            CoreTag::Null => "!!null",
            CoreTag::Seq => "!!seq",
            CoreTag::Map => "!!map",
        }
    }
}

/// The tag as a reader would write it: `!!name`, `!local`, `!`, `!<uri>` or a full URI.
fn tag_text(tag: &Tag) -> String {
    let full = format!("{}{}", tag.handle, tag.suffix);
    if let Some(name) = full.strip_prefix(CORE_PREFIX) {
        format!("!!{name}")
    } else if tag.handle.is_empty() && tag.suffix == "!" {
        "!".to_owned()
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else if tag.handle.is_empty() {
        format!("!<{}>", tag.suffix)
    } else {
        full
    }
}

fn core_tag(tag: &Tag) -> Result<CoreTag, LoadErrorKind> {
    let full = format!("{}{}", tag.handle, tag.suffix);
    let core = match full.strip_prefix(CORE_PREFIX) {
        Some("str") => Some(CoreTag::Str),
        Some("int") => Some(CoreTag::Int),
        Some("float") => Some(CoreTag::Float),
        Some("bool") => Some(CoreTag::Bool),
        Some("null") => Some(CoreTag::Null),
        Some("seq") => Some(CoreTag::Seq),
        Some("map") => Some(CoreTag::Map),
        _ => None,
    };
    core.ok_or_else(|| LoadErrorKind::UnsupportedTag { tag: tag_text(tag) })
}

fn check_collection_tag(
    tag: Option<&Tag>,
    expected: CoreTag,
    what: &str,
) -> Result<(), LoadErrorKind> {
    let Some(tag) = tag else {
        return Ok(());
    };
    let core = core_tag(tag)?;
    if core == expected {
        Ok(())
    } else {
        Err(LoadError::syntax(format!(
            "tag {} cannot be applied to a {what}",
            quote(core.name())
        )))
    }
}

/// Resolves a scalar to a value; the flag says whether it is a YAML 1.1 boolean word.
fn resolve(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<(Value, bool), LoadErrorKind> {
    let Some(tag) = tag else {
        return if style == ScalarStyle::Plain {
            resolve_plain(text)
        } else {
            Ok((Value::String(text.to_owned()), false))
        };
    };
    let core = core_tag(tag)?;
    let invalid = || {
        LoadError::syntax(format!(
            "{} is not a valid {} value",
            quote(text),
            quote(core.name())
        ))
    };
    let value = match core {
        CoreTag::Str => Value::String(text.to_owned()),
        CoreTag::Null if is_null(text) => Value::Null,
        CoreTag::Bool => Value::Bool(parse_bool(text).ok_or_else(invalid)?),
        CoreTag::Int => parse_int(text)?.ok_or_else(invalid)?,
        CoreTag::Float => parse_float(text)?.ok_or_else(invalid)?,
        CoreTag::Null => return Err(invalid()),
        CoreTag::Seq | CoreTag::Map => {
            return Err(LoadError::syntax(format!(
                "tag {} cannot be applied to a scalar",
                quote(core.name())
            )));
        }
    };
    Ok((value, false))
}

fn resolve_plain(text: &str) -> Result<(Value, bool), LoadErrorKind> {
    if is_null(text) {
        return Ok((Value::Null, false));
    }
    if let Some(b) = parse_bool(text) {
        return Ok((Value::Bool(b), false));
    }
    if let Some(n) = parse_int(text)? {
        return Ok((n, false));
    }
    if let Some(f) = parse_float(text)? {
        return Ok((f, false));
    }
    Ok((Value::String(text.to_owned()), is_bool_word(text)))
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// YAML 1.1 booleans that YAML 1.2 reads as strings (true/false forms excluded).
fn is_bool_word(text: &str) -> bool {
    ["y", "n", "yes", "no", "on", "off"]
        .iter()
        .any(|word| text.eq_ignore_ascii_case(word))
}

fn out_of_range(text: &str) -> LoadErrorKind {
    LoadErrorKind::NumberOutOfRange {
        text: text.to_owned(),
    }
}

/// Core schema integers; `Ok(None)` when `text` is not an integer.
fn parse_int(text: &str) -> Result<Option<Value>, LoadErrorKind> {
    if let Some(digits) = text.strip_prefix("0o") {
        return parse_radix(text, digits, 8);
    }
    if let Some(digits) = text.strip_prefix("0x") {
        return parse_radix(text, digits, 16);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    if let Ok(n) = i64::from_str(text) {
        return Ok(Some(Value::from(n)));
    }
    match u64::from_str(unsigned) {
        Ok(n) if !text.starts_with('-') => Ok(Some(Value::from(n))),
        _ => Err(out_of_range(text)),
    }
}

fn parse_radix(text: &str, digits: &str, radix: u32) -> Result<Option<Value>, LoadErrorKind> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Ok(None);
    }
    match u64::from_str_radix(digits, radix) {
        Ok(n) => Ok(Some(Value::from(n))),
        Err(_) => Err(out_of_range(text)),
    }
}

/// Core schema floats; `Ok(None)` when `text` is not a float. Non-finite values, written as
/// `.inf`/`.nan` or overflowing `f64`, are errors.
fn parse_float(text: &str) -> Result<Option<Value>, LoadErrorKind> {
    let non_finite = || LoadErrorKind::NonFiniteNumber {
        text: text.to_owned(),
    };
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return Err(non_finite());
    }
    if !is_float_syntax(text) {
        return Ok(None);
    }
    // Decided as JSON decides a number it reads (finite, not underflowing, no
    // more digits than a float holds), then shown as written in errors.
    super::json::number_value(&json_number(text))
        .map(Some)
        .map_err(|kind| match kind {
            LoadErrorKind::NonFiniteNumber { .. } => non_finite(),
            LoadErrorKind::NumberUnderflow { .. } => LoadErrorKind::NumberUnderflow {
                text: text.to_owned(),
            },
            LoadErrorKind::NumberTooPrecise { .. } => LoadErrorKind::NumberTooPrecise {
                text: text.to_owned(),
            },
            other => other,
        })
}

/// A YAML float (`+1.5`, `.5`, `5.`, `5.e3`) as JSON number text.
fn json_number(text: &str) -> String {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let (sign, digits) = match unsigned.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", unsigned),
    };
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => digits.split_at(i),
        None => (digits, ""),
    };
    let mut m = String::new();
    if mantissa.starts_with('.') {
        m.push('0');
    }
    m.push_str(mantissa);
    if m.ends_with('.') {
        m.push('0');
    }
    // `!!float 1` is the float 1.0, not the integer 1.
    if !m.contains('.') && exponent.is_empty() {
        m.push_str(".0");
    }
    format!("{sign}{m}{exponent}")
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float_syntax(text: &str) -> bool {
    let is_digit = |c: char| c.is_ascii_digit();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let after_int = unsigned.trim_start_matches(is_digit);
    let has_int = after_int.len() < unsigned.len();
    let (has_frac, after_frac) = match after_int.strip_prefix('.') {
        Some(frac) => {
            let rest = frac.trim_start_matches(is_digit);
            (rest.len() < frac.len(), rest)
        }
        None => (false, after_int),
    };
    if !has_int && !has_frac {
        return false;
    }
    if after_frac.is_empty() {
        return true;
    }
    let Some(exponent) = after_frac.strip_prefix(['e', 'E']) else {
        return false;
    };
    let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::super::tests::{err, limits, ok};
    use super::super::{parse, Format, LoadErrorKind};
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    fn y(text: &str) -> Value {
        ok(Format::Yaml, text).value
    }

    fn e(text: &str) -> LoadError {
        err(Format::Yaml, text)
    }

    fn words(text: &str) -> Vec<String> {
        ok(Format::Yaml, text).bool_words.into_iter().collect()
    }

    #[test]
    fn evidence_document() {
        let text = "\
# change approval evidence
kind: approval
change: CHG-1042
approvers:
  - name: alice
    role: owner
    approved: true
    at: 2024-05-01T10:00:00Z
  - name: bob
    role: security
    approved: false
    comment: ~
secrets:
  rotated: 3
  max_age_days: 0x5A
  score: 0.75
  vault: 'kv/prod'
notes: |
  rotated after incident
  see ticket
country: no
";
        let parsed = ok(Format::Yaml, text);
        assert_eq!(
            parsed.value,
            json!({
                "kind": "approval",
                "change": "CHG-1042",
                "approvers": [
                    {"name": "alice", "role": "owner", "approved": true, "at": "2024-05-01T10:00:00Z"},
                    {"name": "bob", "role": "security", "approved": false, "comment": null}
                ],
                "secrets": {"rotated": 3, "max_age_days": 90, "score": 0.75, "vault": "kv/prod"},
                "notes": "rotated after incident\nsee ticket\n",
                "country": "no"
            })
        );
        assert_eq!(
            parsed.bool_words.into_iter().collect::<Vec<_>>(),
            ["/country"]
        );
    }

    #[test]
    fn norway_problem() {
        let parsed = ok(Format::Yaml, "country: no\nflag: Yes\nswitch: off\n");
        assert_eq!(
            parsed.value,
            json!({"country": "no", "flag": "Yes", "switch": "off"})
        );
        assert_eq!(
            parsed.bool_words.into_iter().collect::<Vec<_>>(),
            ["/country", "/flag", "/switch"]
        );
    }

    #[test]
    fn bool_words_all_spellings() {
        for word in [
            "y", "Y", "n", "N", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "on", "On", "ON",
            "off", "Off", "OFF", "oFF",
        ] {
            let parsed = ok(Format::Yaml, &format!("v: {word}"));
            assert_eq!(parsed.value, json!({"v": word}));
            assert_eq!(words(&format!("v: {word}")), ["/v"], "{word}");
        }
        for not_word in [
            "yess", "nope", "true", "false", "True", "1", "o", "ye", "onn",
        ] {
            assert!(words(&format!("v: {not_word}")).is_empty(), "{not_word}");
        }
    }

    #[test]
    fn bool_words_in_lists_and_nested_maps() {
        let text = "\
flags: [yes, 'no', on, ok]
nested:
  deeper:
    - a: Off
    - [x, N]
a/b: {c~d: y}
list:
  - no
  - \"no\"
  - !!str no
  - >-
    no
";
        assert_eq!(
            words(text),
            [
                "/a~1b/c~0d",
                "/flags/0",
                "/flags/2",
                "/list/0",
                "/nested/deeper/0/a",
                "/nested/deeper/1/1",
            ]
        );
        let value = y(text);
        assert_eq!(value["list"], json!(["no", "no", "no", "no"]));
        assert_eq!(value["flags"], json!(["yes", "no", "on", "ok"]));
    }

    #[test]
    fn bool_word_at_root_and_not_for_keys() {
        let parsed = ok(Format::Yaml, "yes");
        assert_eq!(parsed.value, json!("yes"));
        assert_eq!(parsed.bool_words.into_iter().collect::<Vec<_>>(), [""]);
        let parsed = ok(Format::Yaml, "on: push\nno: 1");
        assert_eq!(parsed.value, json!({"on": "push", "no": 1}));
        assert!(parsed.bool_words.is_empty());
    }

    #[test]
    fn quoted_no_is_not_listed() {
        let parsed = ok(Format::Yaml, "a: \"no\"\nb: 'yes'\nc: |\n  on\n");
        assert_eq!(parsed.value, json!({"a": "no", "b": "yes", "c": "on\n"}));
        assert!(parsed.bool_words.is_empty());
    }

    #[test]
    fn tagged_bool_word_is_refused() {
        // `!!bool yes`: YAML 1.2 booleans are only true/false; we refuse rather than guess.
        let err = e("a: !!bool yes");
        assert_eq!(
            err.kind,
            LoadErrorKind::Syntax {
                message: "`yes` is not a valid `!!bool` value".into()
            }
        );
        assert_eq!((err.line, err.column), (Some(1), Some(4)));
        assert_eq!(
            y("a: !!bool true\nb: !!bool 'False'"),
            json!({"a": true, "b": false})
        );
    }

    #[test]
    fn core_schema_plain_scalars() {
        let text = "\
nulls: [~, null, Null, NULL, ]
empty:
bools: [true, True, TRUE, false, False, FALSE]
ints: [0, -1, +7, 010, 0o17, 0x1f, 0xFF, 9223372036854775807, 18446744073709551615, -9223372036854775808]
floats: [1.5, -.5, +2., 1e3, 2.5E-1, .5e+2, 0.0]
strings: [nULL, tRUE, 0X1F, 0o8, 0x, 1_000, '1', 1:20, +0x1, 1e, ., 0b11, inf, NaN]
";
        let value = y(text);
        assert_eq!(value["nulls"], json!([null, null, null, null]));
        assert_eq!(value["empty"], json!(null));
        assert_eq!(
            value["bools"],
            json!([true, true, true, false, false, false])
        );
        assert_eq!(
            value["ints"],
            json!([0, -1, 7, 10, 15, 31, 255, i64::MAX, u64::MAX, i64::MIN])
        );
        let floats: Vec<f64> = value["floats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(floats, [1.5, -0.5, 2.0, 1000.0, 0.25, 50.0, 0.0]);
        assert_eq!(
            value["strings"],
            json!([
                "nULL", "tRUE", "0X1F", "0o8", "0x", "1_000", "1", "1:20", "+0x1", "1e", ".",
                "0b11", "inf", "NaN"
            ])
        );
        assert!(value["ints"][0].is_i64());
        assert!(value["floats"][6].is_f64());
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        let value = y("a: '1'\nb: \"true\"\nc: |\n  null\nd: >\n  12\ne: \"\"\n");
        assert_eq!(
            value,
            json!({"a": "1", "b": "true", "c": "null\n", "d": "12\n", "e": ""})
        );
    }

    #[test]
    fn non_finite_numbers() {
        for text in [
            ".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.INF", ".Inf", ".iNf", "-.nan", "1e400",
            "-1.0e999",
        ] {
            let err = e(&format!("x: {text}"));
            assert_eq!(
                err.kind,
                LoadErrorKind::NonFiniteNumber { text: text.into() }
            );
            assert_eq!((err.line, err.column), (Some(1), Some(4)));
        }
        let err = e("x: !!float .inf");
        assert!(matches!(err.kind, LoadErrorKind::NonFiniteNumber { .. }));
        // Quoted: just a string.
        assert_eq!(y("x: '.nan'"), json!({"x": ".nan"}));
        assert_eq!(y("x: !!str .inf"), json!({"x": ".inf"}));
        // Too small for `f64`: refused rather than read as 0.
        let err = e("x: 1e-400");
        assert!(matches!(err.kind, LoadErrorKind::NumberUnderflow { .. }));
    }

    #[test]
    fn integers_out_of_range() {
        for text in [
            "18446744073709551616",
            "-9223372036854775809",
            "0x10000000000000000",
            "0o2000000000000000000000",
            "+99999999999999999999999",
        ] {
            let err = e(&format!("- {text}"));
            assert_eq!(
                err.kind,
                LoadErrorKind::NumberOutOfRange { text: text.into() }
            );
            assert_eq!((err.line, err.column), (Some(1), Some(3)));
        }
        assert_eq!(y("- 0xFFFFFFFFFFFFFFFF"), json!([u64::MAX]));
        assert_eq!(
            y("- '18446744073709551616'"),
            json!(["18446744073709551616"])
        );
    }

    #[test]
    fn duplicate_keys() {
        let err = e("a: 1\nb: 2\na: 3\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "a".into() });
        assert_eq!((err.line, err.column), (Some(3), Some(1)));
        let err = e("x:\n  - {k: 1, k: 2}\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "k".into() });
        assert_eq!(err.line, Some(2));
        let err = e("1: a\n\"1\": b\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "1".into() });
    }

    #[test]
    fn keys_are_text() {
        assert_eq!(
            y("1: a\n~: b\ntrue: c\n'q': d\n!!int 7: e\n? f\n: g\n"),
            json!({"1": "a", "~": "b", "true": "c", "q": "d", "7": "e", "f": "g"})
        );
        let err = e("!!int x: 1");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        let err = e("!foo x: 1");
        assert_eq!(
            err.kind,
            LoadErrorKind::UnsupportedTag { tag: "!foo".into() }
        );
    }

    #[test]
    fn complex_keys() {
        for text in ["? [a, b]\n: 1\n", "{[a]: 1}", "? {a: 1}\n: 2\n", "[a]: 1"] {
            let err = e(text);
            assert_eq!(err.kind, LoadErrorKind::ComplexKey, "{text}");
            assert!(err.line.is_some());
        }
    }

    #[test]
    fn aliases_are_refused() {
        let err = e("a: &x 1\nb: *x\n");
        assert_eq!(err.kind, LoadErrorKind::Alias);
        assert_eq!((err.line, err.column), (Some(2), Some(4)));
        assert_eq!(e("a: *undefined").kind, LoadErrorKind::Alias);
        assert_eq!(
            e("base: &b {x: 1}\nc:\n  <<: *b\n").kind,
            LoadErrorKind::Alias
        );
    }

    #[test]
    fn anchors_alone_are_fine() {
        assert_eq!(
            y("a: &x 1\nb: &y [1, 2]\nc: &z {d: e}\n"),
            json!({"a": 1, "b": [1, 2], "c": {"d": "e"}})
        );
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*l{}", i - 1); 9].join(", ");
            text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        }
        let start = Instant::now();
        let err = e(&text);
        assert_eq!(err.kind, LoadErrorKind::Alias);
        assert_eq!((err.line, err.column), (Some(2), Some(10)));
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_stream_of_documents_is_their_list() {
        let p = ok(Format::Yaml, "a: 1\n---\nb: 2\n");
        assert_eq!(p.value, json!([{"a": 1}, {"b": 2}]));
        assert_eq!(p.documents, vec![1, 2]);
        assert_eq!(y("--- 1\n--- 2\n"), json!([1, 2]));
        assert_eq!(y("a: 1\n...\n---\nb: 2\n"), json!([{"a": 1}, {"b": 2}]));
        // The empty documents separators leave (Helm templates that render
        // nothing) are not elements.
        let p = ok(
            Format::Yaml,
            "---\n# Source: a.yaml\nkind: A\n---\n# Source: empty.yaml\n---\nkind: B\n---\n",
        );
        assert_eq!(p.value, json!([{"kind": "A"}, {"kind": "B"}]));
        assert_eq!(p.documents, vec![1, 6]);
        // Boolean words are pointed at within their document's element.
        assert_eq!(words("a: yes\n---\n- on\n"), vec!["/0/a", "/1/0"]);
        // One explicit document, with or without an end marker, is the document.
        let p = ok(Format::Yaml, "---\na: 1\n...\n");
        assert_eq!(p.value, json!({"a": 1}));
        assert!(p.documents.is_empty());
        // An error in a later document is at its line.
        let err = e("a: 1\n---\nb: *x\n");
        assert_eq!(err.kind, LoadErrorKind::Alias);
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn empty_document() {
        for text in ["", "# only a comment\n", "\n\n"] {
            let err = e(text);
            assert_eq!(
                err.kind,
                LoadErrorKind::Syntax {
                    message: "empty document".into()
                },
                "{text:?}"
            );
        }
        assert_eq!(y("---\n"), json!(null));
        assert_eq!(y("~"), json!(null));
    }

    #[test]
    fn core_tags() {
        let value = y("\
s: !!str 12
i: !!int '12'
f: !!float 1
f2: !!float \"2.5\"
b: !!bool \"true\"
n: !!null ''
q: !!seq [1]
m: !!map {a: 1}
v: !<tag:yaml.org,2002:int> 3
h: !!int 0x10
");
        assert_eq!(
            value,
            json!({"s": "12", "i": 12, "f": 1.0, "f2": 2.5, "b": true, "n": null,
                   "q": [1], "m": {"a": 1}, "v": 3, "h": 16})
        );
        assert_eq!(value["f"].to_string(), "1.0");
    }

    #[test]
    fn tag_directive_to_core_schema() {
        let text = "%TAG !e! tag:yaml.org,2002:\n---\na: !e!str 1\n";
        assert_eq!(y(text), json!({"a": "1"}));
        let text = "%TAG !! tag:example.com,2000:\n---\na: !!str 1\n";
        assert_eq!(
            e(text).kind,
            LoadErrorKind::UnsupportedTag {
                tag: "tag:example.com,2000:str".into()
            }
        );
    }

    #[test]
    fn tagged_text_must_match() {
        for text in [
            "a: !!int 1.5",
            "a: !!int abc",
            "a: !!float 0x1",
            "a: !!float abc",
            "a: !!null 0",
            "a: !!bool 1",
            "a: !!seq x",
            "a: !!map x",
            "a: !!str [x]",
            "a: !!map [x]",
            "a: !!seq {x: 1}",
            "a: !!int {x: 1}",
        ] {
            let err = e(text);
            assert!(
                matches!(err.kind, LoadErrorKind::Syntax { .. }),
                "{text}: {err}"
            );
            assert_eq!((err.line, err.column), (Some(1), Some(4)), "{text}");
        }
        assert_eq!(
            e("a: !!int 99999999999999999999").kind,
            LoadErrorKind::NumberOutOfRange {
                text: "99999999999999999999".into()
            }
        );
    }

    #[test]
    fn unsupported_tags() {
        let cases = [
            ("a: !!binary aGVsbG8=", "!!binary"),
            ("a: !!timestamp 2001-12-14", "!!timestamp"),
            ("a: !!set {x: }", "!!set"),
            ("a: !!omap [x: 1]", "!!omap"),
            ("a: !foo x", "!foo"),
            ("a: ! x", "!"),
            (
                "a: !<tag:example.com,2000:x> x",
                "!<tag:example.com,2000:x>",
            ),
            ("a: !<tag:yaml.org,2002:python/object> x", "!!python/object"),
            ("- !custom [1]", "!custom"),
        ];
        for (text, tag) in cases {
            let err = e(text);
            assert_eq!(
                err.kind,
                LoadErrorKind::UnsupportedTag { tag: tag.into() },
                "{text}"
            );
            assert!(err.line.is_some());
        }
    }

    #[test]
    fn scan_errors_have_positions() {
        let err = e("a:\n\tb: 1\n");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        assert_eq!(err.line, Some(2));
        assert!(err.column.is_some());
        let err = e("a: [1, 2\nb: 3\n");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        assert!(err.line.is_some());
        let err = e("a: 'unterminated\n");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        assert!(err.to_string().contains(" at line "));
    }

    fn flow_nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    fn block_nested(depth: usize) -> String {
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&"  ".repeat(level));
            text.push_str("k:\n");
        }
        text.push_str(&"  ".repeat(depth));
        text.push_str("v: 1\n");
        text
    }

    #[test]
    fn depth_limit() {
        let l = limits(1 << 20, 64);
        assert!(parse(Format::Yaml, flow_nested(64).as_bytes(), &l).is_ok());
        let err = parse(Format::Yaml, flow_nested(65).as_bytes(), &l).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
        assert_eq!((err.line, err.column), (Some(1), Some(65)));
        // block_nested(n) has n + 1 mappings.
        assert!(parse(Format::Yaml, block_nested(63).as_bytes(), &l).is_ok());
        let err = parse(Format::Yaml, block_nested(64).as_bytes(), &l).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
    }

    #[test]
    fn very_deep_input_fails_fast() {
        let text = flow_nested(1_000_000);
        let err = parse(Format::Yaml, text.as_bytes(), &limits(1 << 22, 64)).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
        assert!(err.line.is_some());
        let err = parse(Format::Yaml, text.as_bytes(), &limits(1 << 22, 1000)).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 255 });
        let text = block_nested(1000);
        let err = parse(Format::Yaml, text.as_bytes(), &limits(1 << 22, 64)).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
    }

    #[test]
    fn bool_word_pointer_budget() {
        // 200 pointers of ~104 bytes under a 100-byte key: far more than the input's size.
        let text = format!("{}:\n{}", "k".repeat(100), "  - no\n".repeat(200));
        let parsed = parse(Format::Yaml, text.as_bytes(), &limits(1 << 20, 64)).unwrap();
        assert_eq!(parsed.bool_words.len(), 200);
        let err = parse(Format::Yaml, text.as_bytes(), &limits(text.len(), 64)).unwrap_err();
        assert!(matches!(
            err.kind,
            LoadErrorKind::TooLarge { limit, .. } if limit == text.len()
        ));
    }

    #[test]
    fn float_syntax() {
        for ok_text in ["1", "1.", ".5", "-1.5e3", "+1E-2", "1.e5", "0001.5"] {
            assert!(is_float_syntax(ok_text), "{ok_text}");
        }
        for bad in [
            "", ".", "-", "e5", ".e5", "1e", "1e+", "1.5.5", "1x", "--1", "1 ",
        ] {
            assert!(!is_float_syntax(bad), "{bad}");
        }
    }
}
