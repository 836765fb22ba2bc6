//! Strict JSON, read with jiter (a JSON reader that gives each number's text as written).
//!
//! The reader builds a [`Value`] while refusing duplicate object keys and nesting deeper
//! than `max_depth` (and never deeper than [`MAX_NESTING`], so that reading recurses a
//! bounded number of times whatever the limits say). Errors have the line and column where
//! the reader stopped.
//!
//! Numbers are decided from their text, by [`number_value`] (the one rule the JSON, YAML and
//! TOML loaders share):
//!
//! - an integer must fit `i64` or `u64`, else `NumberOutOfRange`
//!   (`18446744073709551616`): refused rather than kept as a number that rounds; `-0` is `0`;
//! - a number with a fraction or exponent must be finite as `f64`, else `NonFiniteNumber`
//!   (`1e400`), must not underflow to zero from non-zero digits, else `NumberUnderflow`
//!   (`1e-400`), and must be a shortest text of its `f64`, else `NumberTooPrecise`
//!   (`0.79999999999999999999`, which a float would read as `0.8`). Every number a JSON
//!   tool writes from a float passes; one with more digits than a float holds is refused
//!   rather than rounded.
//!
//! So every number kept is one that [`serde_json::Number`] holds exactly, and the value is
//! the same whether or not another crate turns on serde_json's `arbitrary_precision`.

use std::str::FromStr;

use jiter::{Jiter, JiterError, JiterErrorType, JsonErrorType, Peek};
use serde_json::{Map, Number, Value};

use super::{LoadError, LoadErrorKind, LoadLimits, Parsed};

/// The deepest nesting read, whatever the limits say (serde_json's own limit, which the
/// loaders have always had).
pub(super) const MAX_NESTING: usize = 127;

pub(super) fn parse(text: &str, limits: &LoadLimits) -> Result<Parsed, LoadError> {
    let mut reader = Reader {
        jiter: Jiter::new(text.as_bytes()),
        max_depth: limits.max_depth,
    };
    let value = reader.document().map_err(|e| lines_hint(text, limits, e))?;
    Ok(Parsed {
        value,
        bool_words: Default::default(),
        documents: Vec::new(),
    })
}

/// "Trailing characters" on line 2 or later of a text whose first line is
/// a whole JSON document: it is most likely JSON Lines, so say so.
fn lines_hint(text: &str, limits: &LoadLimits, e: LoadError) -> LoadError {
    let trailing =
        matches!(&e.kind, LoadErrorKind::Syntax { message } if message == "trailing characters");
    if !trailing || e.line.is_none_or(|l| l < 2) {
        return e;
    }
    let first = text.lines().next().unwrap_or_default();
    let mut reader = Reader {
        jiter: Jiter::new(first.as_bytes()),
        max_depth: limits.max_depth,
    };
    if reader.document().is_err() {
        return e;
    }
    LoadError {
        kind: LoadError::syntax(
            "trailing characters: this looks like JSON Lines (one document per line); name the file `.jsonl` or give its format (`FILE:jsonl`, `--evidence-format jsonl`)",
        ),
        ..e
    }
}

struct Reader<'j> {
    jiter: Jiter<'j>,
    max_depth: usize,
}

/// Why reading stopped: jiter's error, or one of ours at a byte offset.
enum Stop {
    Syntax(JiterError),
    Refused(LoadErrorKind, usize),
}

impl From<JiterError> for Stop {
    fn from(e: JiterError) -> Self {
        Stop::Syntax(e)
    }
}

impl Reader<'_> {
    fn document(&mut self) -> Result<Value, LoadError> {
        let read = self
            .jiter
            .peek()
            .map_err(Stop::from)
            .and_then(|peek| self.value(peek, 0))
            .and_then(|value| self.jiter.finish().map(|()| value).map_err(Stop::from));
        read.map_err(|stop| {
            let (kind, index) = match stop {
                Stop::Syntax(e) => (syntax(&e), e.index),
                Stop::Refused(kind, index) => (kind, index),
            };
            let at = self.jiter.error_position(index);
            LoadError::at(kind, at.line, at.column.max(1))
        })
    }

    /// The depth one level below `depth`, or why not.
    fn enter(&self, depth: usize) -> Result<usize, Stop> {
        deeper(depth, self.max_depth).map_err(|limit| {
            Stop::Refused(LoadErrorKind::TooDeep { limit }, self.jiter.current_index())
        })
    }

    /// One value whose container is at `depth` (0 for the root).
    fn value(&mut self, peek: Peek, depth: usize) -> Result<Value, Stop> {
        match peek {
            Peek::Null => {
                self.jiter.known_null()?;
                Ok(Value::Null)
            }
            Peek::True | Peek::False => Ok(Value::Bool(self.jiter.known_bool(peek)?)),
            Peek::String => Ok(Value::String(self.jiter.known_str()?.to_owned())),
            Peek::Array => {
                let depth = self.enter(depth)?;
                let mut items = Vec::new();
                let mut next = self.jiter.known_array()?;
                while let Some(peek) = next {
                    items.push(self.value(peek, depth)?);
                    next = self.jiter.array_step()?;
                }
                Ok(Value::Array(items))
            }
            Peek::Object => {
                let depth = self.enter(depth)?;
                let mut map = Map::new();
                let mut key = self.jiter.known_object()?.map(str::to_owned);
                while let Some(k) = key {
                    if map.contains_key(&k) {
                        let at = self.jiter.current_index();
                        return Err(Stop::Refused(LoadErrorKind::DuplicateKey { key: k }, at));
                    }
                    let peek = self.jiter.peek()?;
                    let value = self.value(peek, depth)?;
                    map.insert(k, value);
                    key = self.jiter.next_key()?.map(str::to_owned);
                }
                Ok(Value::Object(map))
            }
            _ => {
                let start = self.jiter.current_index();
                let text = number_text(&mut self.jiter, peek)?;
                number_value(text).map_err(|kind| Stop::Refused(kind, start))
            }
        }
    }
}

/// The depth one level below `depth` (0 for the root), or the limit it goes over: the
/// caller's `max_depth`, and never more than [`MAX_NESTING`].
pub(super) fn deeper(depth: usize, max_depth: usize) -> Result<usize, usize> {
    let depth = depth.saturating_add(1);
    let limit = max_depth.min(MAX_NESTING);
    if depth > limit {
        Err(limit)
    } else {
        Ok(depth)
    }
}

/// The text of the number at `peek`, as written (checked against JSON's grammar).
pub(super) fn number_text<'j>(jiter: &mut Jiter<'j>, peek: Peek) -> Result<&'j str, JiterError> {
    let start = jiter.current_index();
    jiter.known_skip(peek)?;
    // A number's text is ASCII.
    Ok(std::str::from_utf8(jiter.slice_to_current(start)).unwrap_or(""))
}

/// What a jiter error is called in a load error.
fn syntax(e: &JiterError) -> LoadErrorKind {
    match &e.error_type {
        JiterErrorType::JsonError(JsonErrorType::RecursionLimitExceeded) => {
            LoadErrorKind::TooDeep { limit: MAX_NESTING }
        }
        JiterErrorType::JsonError(kind) => LoadError::syntax(kind.to_string()),
        other => LoadError::syntax(other.to_string()),
    }
}

/// The value of a number given as text (see the module documentation), or why it is
/// refused.
pub(super) fn number_value(text: &str) -> Result<Value, LoadErrorKind> {
    let owned = || text.to_owned();
    let is_float = text.contains(['.', 'e', 'E']);
    if !is_float {
        if text == "-0" {
            return Ok(Value::from(0_i64));
        } else if let Ok(n) = i64::from_str(text) {
            return Ok(Value::from(n));
        } else if let Ok(n) = u64::from_str(text) {
            return Ok(Value::from(n));
        }
        return Err(LoadErrorKind::NumberOutOfRange { text: owned() });
    }
    let Some(value) = f64::from_str(text).ok().filter(|v| v.is_finite()) else {
        return Err(LoadErrorKind::NonFiniteNumber { text: owned() });
    };
    if value == 0.0 && super::mantissa_is_nonzero(text) {
        return Err(LoadErrorKind::NumberUnderflow { text: owned() });
    }
    if !exactly_a_float(text, value) {
        return Err(LoadErrorKind::NumberTooPrecise { text: owned() });
    }
    match Number::from_f64(value) {
        Some(n) => Ok(Value::Number(n)),
        None => Err(LoadErrorKind::NonFiniteNumber { text: owned() }),
    }
}

/// Whether the float `value` read from `text` shows as the number written: the text is a
/// shortest text of that float (`1.50` is `1.5`, `0.1` is `0.1`, as every JSON tool writes
/// it). A float halfway between two shortest texts has both (`…297.62` and `…297.63`).
fn exactly_a_float(text: &str, value: f64) -> bool {
    let written = significant_digits(text);
    // At most 15 significant digits always come back from a normal float as written
    // (DBL_DIG): no formatting needed for the numbers evidence holds.
    if written <= 15 && (value == 0.0 || value.abs() >= f64::MIN_POSITIVE) {
        return true;
    }
    // The text rounds to `value`, so it is a shortest text of it exactly when it has no
    // more significant digits than the shortest text Rust writes.
    written <= significant_digits(&format!("{value:e}"))
}

/// The significant digits of a decimal number's text: from the first non-zero digit of its
/// mantissa to the last one (`0.0150e3` has two).
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    let (mut first, mut last) = (None, 0_usize);
    for (i, b) in mantissa.bytes().filter(u8::is_ascii_digit).enumerate() {
        if b != b'0' {
            first.get_or_insert(i);
            last = i;
        }
    }
    first.map_or(0, |f| last - f + 1)
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
    use serde_json::json;

    fn j(text: &str) -> serde_json::Value {
        ok(Format::Json, text).value
    }

    fn e(text: &str) -> super::LoadError {
        err(Format::Json, text)
    }

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    fn nested_objects(depth: usize) -> String {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    }

    #[test]
    fn evidence_document() {
        let text = r#"{
  "kind": "approval",
  "change": "CHG-1042",
  "approvers": [
    {"name": "alice", "role": "owner", "approved": true, "at": "2024-05-01T10:00:00Z"},
    {"name": "bob", "role": "security", "approved": false, "comment": null}
  ],
  "secrets": {"rotated": 3, "max_age_days": 90, "score": 0.75},
  "tags": []
}"#;
        let parsed = ok(Format::Json, text);
        assert_eq!(
            parsed.value,
            json!({
                "kind": "approval",
                "change": "CHG-1042",
                "approvers": [
                    {"name": "alice", "role": "owner", "approved": true, "at": "2024-05-01T10:00:00Z"},
                    {"name": "bob", "role": "security", "approved": false, "comment": null}
                ],
                "secrets": {"rotated": 3, "max_age_days": 90, "score": 0.75},
                "tags": []
            })
        );
        assert!(parsed.bool_words.is_empty());
        assert_eq!(parsed.value["secrets"]["score"].as_f64(), Some(0.75));
        assert_eq!(parsed.value["secrets"]["rotated"].as_u64(), Some(3));
    }

    #[test]
    fn scalars_at_root() {
        assert_eq!(j("null"), json!(null));
        assert_eq!(j(" true "), json!(true));
        assert_eq!(j("\"x\""), json!("x"));
        assert_eq!(j("-5"), json!(-5));
    }

    #[test]
    fn duplicate_key_with_position() {
        let err = e("{\n  \"a\": 1,\n  \"a\": 2\n}");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "a".into() });
        assert_eq!(err.line, Some(3));
        assert!(err.column.is_some());
        assert!(err
            .to_string()
            .starts_with("duplicate key `a` at line 3, column"));
    }

    #[test]
    fn nested_duplicate_key() {
        let err = e(r#"{"x": [{"k": 1, "j": 2, "k": 3}]}"#);
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "k".into() });
    }

    #[test]
    fn escaped_duplicate_key() {
        let err = e(r#"{"a": 1, "\u0061": 2}"#);
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "a".into() });
    }

    #[test]
    fn same_key_in_sibling_objects_is_fine() {
        assert_eq!(j(r#"[{"a": 1}, {"a": 2}]"#), json!([{"a": 1}, {"a": 2}]));
    }

    #[test]
    fn integers_in_range() {
        assert_eq!(j("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(j("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(j("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(j("-0"), json!(0));
        assert_eq!(j("-0").as_i64(), Some(0));
    }

    #[test]
    fn integer_beyond_u64_is_out_of_range() {
        let err = e("{\"n\": 18446744073709551616}");
        assert_eq!(
            err.kind,
            LoadErrorKind::NumberOutOfRange {
                text: "18446744073709551616".into()
            }
        );
        assert_eq!(err.line, Some(1));
        assert!(err.column.is_some());
        let err = e("[-9223372036854775809]");
        assert_eq!(
            err.kind,
            LoadErrorKind::NumberOutOfRange {
                text: "-9223372036854775809".into()
            }
        );
    }

    #[test]
    fn huge_float_is_non_finite() {
        let err = e("{\"x\": 1e400}");
        assert!(matches!(err.kind, LoadErrorKind::NonFiniteNumber { .. }));
        assert!(err.line.is_some());
        let err = e("[-1.5E+999]");
        assert!(matches!(err.kind, LoadErrorKind::NonFiniteNumber { .. }));
    }

    #[test]
    fn nan_and_infinity_are_syntax_errors() {
        // JSON has no NaN/Infinity literals: serde_json refuses them as syntax.
        for text in [
            "NaN",
            "[Infinity]",
            "{\"a\": -Infinity}",
            "[.nan]",
            "[.inf]",
        ] {
            let err = e(text);
            assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }), "{text}");
            assert!(err.line.is_some());
        }
    }

    #[test]
    fn floats_are_the_numbers_written() {
        let value = j("[1.50, 1e-300, 2.5E3, 0.1, 0.30000000000000004, 1e21]");
        assert_eq!(
            value.to_string(),
            "[1.5,1e-300,2500.0,0.1,0.30000000000000004,1e+21]"
        );
        assert_eq!(value[0].as_f64(), Some(1.5));
        assert_eq!(value[1].as_f64(), Some(1e-300));
        assert_eq!(value[2].as_f64(), Some(2500.0));
    }

    #[test]
    fn floats_with_more_digits_than_a_float_holds_are_refused() {
        for text in [
            "0.79999999999999999999",
            "0.80000000000000000000001",
            "0.30000000000000001",
            "123456789012345678.5",
        ] {
            let err = e(&format!("{{\"score\": {text}}}"));
            assert_eq!(
                err.kind,
                LoadErrorKind::NumberTooPrecise { text: text.into() },
                "{text}"
            );
            assert_eq!((err.line, err.column), (Some(1), Some(11)), "{text}");
            assert!(err
                .to_string()
                .contains("more digits than a 64-bit float holds"));
        }
        // Up to 15 significant digits, subnormals and a float's shortest text pass.
        for text in [
            "123456789012345.0",
            "1.23456789012345e300",
            "5e-324",
            "0.30000000000000004",
        ] {
            assert_eq!(j(text).as_f64(), text.parse::<f64>().ok(), "{text}");
        }
        // A float halfway between two shortest texts has both: 267697504408297.625
        // is written `…62` by serde_json (ryu) and Python, `…63` by Rust's `{:e}`.
        for text in ["267697504408297.62", "267697504408297.63"] {
            assert_eq!(j(text).as_f64(), Some(267_697_504_408_297.62), "{text}");
        }
        assert_eq!(
            e("267697504408297.625").kind,
            LoadErrorKind::NumberTooPrecise {
                text: "267697504408297.625".into()
            }
        );
        // Trailing zeros and exponents do not make a number imprecise.
        assert_eq!(j("0.800000000000000000000").as_f64(), Some(0.8));
        assert_eq!(j("8000e-4").as_f64(), Some(0.8));
    }

    #[test]
    fn number_token_key_stays_a_key() {
        let text = r#"{"$serde_json::private::Number": "12"}"#;
        let value = j(text);
        assert_eq!(value, json!({"$serde_json::private::Number": "12"}));
        let escaped = r#"{"\u0024serde_json::private::Number": 5}"#;
        assert_eq!(j(escaped), json!({"$serde_json::private::Number": 5}));
        let err = e(r#"{"$serde_json::private::Number": 1, "$serde_json::private::Number": 2}"#);
        assert!(matches!(err.kind, LoadErrorKind::DuplicateKey { .. }));
    }

    #[test]
    fn trailing_garbage_is_syntax() {
        let err = e("{\"a\": 1} x");
        assert_eq!(
            err.kind,
            LoadErrorKind::Syntax {
                message: "trailing characters".into()
            }
        );
        assert_eq!((err.line, err.column), (Some(1), Some(10)));
        assert_eq!(
            err.to_string(),
            "syntax error: trailing characters at line 1, column 10"
        );
        let err = e("{} {}");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
    }

    #[test]
    fn strictness() {
        for text in [
            "",
            "{",
            "{\"a\": 1,}",
            "[1,]",
            "{'a': 1}",
            "{a: 1}",
            "// c\n{}",
            "[01]",
            "\"\t\"",
        ] {
            let err = e(text);
            assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }), "{text:?}");
        }
        assert_eq!(e("").line, Some(1));
    }

    #[test]
    fn syntax_error_position() {
        let err = e("{\n  \"a\": 1,\n  \"b\" 2\n}");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        assert_eq!((err.line, err.column), (Some(3), Some(7)));
    }

    #[test]
    fn depth_limit_arrays() {
        assert!(parse(Format::Json, nested(64).as_bytes(), &limits(1 << 20, 64)).is_ok());
        let err = parse(Format::Json, nested(65).as_bytes(), &limits(1 << 20, 64)).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
        assert_eq!(err.line, Some(1));
        assert!(err.column.unwrap() >= 65);
    }

    #[test]
    fn depth_limit_objects() {
        let ok64 = parse(
            Format::Json,
            nested_objects(64).as_bytes(),
            &limits(1 << 20, 64),
        );
        assert!(ok64.is_ok());
        let err = parse(
            Format::Json,
            nested_objects(65).as_bytes(),
            &limits(1 << 20, 64),
        )
        .unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
    }

    #[test]
    fn depth_beyond_serde_json_limit() {
        let big = limits(1 << 22, 1000);
        assert!(parse(Format::Json, nested(127).as_bytes(), &big).is_ok());
        let err = parse(Format::Json, nested(128).as_bytes(), &big).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 127 });
        // A hostile, very deep document fails fast without overflowing the stack.
        let err = parse(Format::Json, nested(1_000_000).as_bytes(), &big).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 127 });
        let err = parse(
            Format::Json,
            nested(1_000_000).as_bytes(),
            &limits(1 << 22, 64),
        )
        .unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
    }

    #[test]
    fn strings_with_escapes() {
        assert_eq!(
            j(r#"["a\"b", "\u00e9", "x\/y"]"#),
            json!(["a\"b", "é", "x/y"])
        );
    }
}
