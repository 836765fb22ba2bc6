//! Strict JSON: serde_json's parser driven by our own visitor.
//!
//! The visitor builds a [`Value`] while refusing duplicate object keys and nesting deeper
//! than `max_depth`. It recurses once per nesting level; the depth check stops it at
//! `max_depth`, and serde_json's own recursion limit (127 levels) stops it for larger limits.
//! Errors found by the visitor are stored in `Ctx::error` and returned to serde_json as a
//! custom error, so serde_json attaches the line/column where it stopped.
//!
//! Numbers (serde_json is built with `arbitrary_precision`): serde_json hands integers that
//! fit `u64`/`i64` to `visit_u64`/`visit_i64`. Every other number (any number with a fraction
//! or exponent, `-0`, and integers beyond 64 bits) arrives as a one-entry map whose key is
//! serde_json's private number token and whose value is the number's text. We decide:
//!
//! - a fraction/exponent number must be finite as `f64`, else `NonFiniteNumber` (`1e400`),
//!   and must not underflow to zero from non-zero digits, else `NumberUnderflow` (`1e-400`);
//!   a finite one keeps serde_json's text of it, exactly as serde_json's own `Value` would
//!   (all digits kept, `1.50` stays `1.50`; the exponent is written `e+3`/`e-3`), so
//!   `as_f64` works and nothing is rounded away;
//! - `-0` becomes the integer `0`;
//! - an integer beyond `i64`/`u64` (`18446744073709551616`) is `NumberOutOfRange`: we refuse
//!   it rather than keep a number that `as_i64`/`as_u64` cannot read and `as_f64` rounds.
//!
//! A real object key equal to the private token (`{"$serde_json::private::Number": "1"}`)
//! stays an ordinary key: serde_json passes the token as a `&'static str`, whereas a real
//! key is either borrowed from our input or (with escapes) not borrowed at all, so we tell
//! them apart by where the key's bytes live.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{LoadError, LoadErrorKind, LoadLimits, Parsed};

/// serde_json's private map key that marks a number in `arbitrary_precision` mode.
pub(super) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// serde_json refuses the 128th nested array/object: at most 127 levels.
const SERDE_JSON_DEPTH: usize = 127;

pub(super) fn parse(text: &str, limits: &LoadLimits) -> Result<Parsed, LoadError> {
    let ctx = Ctx {
        input_start: text.as_ptr().addr(),
        input_end: text.as_ptr().addr().saturating_add(text.len()),
        max_depth: limits.max_depth,
        error: Cell::new(None),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let result = ValueSeed {
        ctx: &ctx,
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    match result {
        Ok(value) => Ok(Parsed {
            value,
            bool_words: Default::default(),
        }),
        Err(err) => {
            let kind = ctx
                .error
                .take()
                .unwrap_or_else(|| classify(&err, limits.max_depth));
            if err.line() == 0 {
                Err(LoadError::new(kind))
            } else {
                Err(LoadError::at(kind, err.line(), err.column().max(1)))
            }
        }
    }
}

/// Maps an error raised by serde_json itself (not by our visitor).
fn classify(err: &serde_json::Error, max_depth: usize) -> LoadErrorKind {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    if message == "recursion limit exceeded" {
        return LoadErrorKind::TooDeep {
            limit: max_depth.min(SERDE_JSON_DEPTH),
        };
    }
    LoadError::syntax(message)
}

struct Ctx {
    input_start: usize,
    input_end: usize,
    max_depth: usize,
    /// The error our visitor found, if any (serde_json only carries its text).
    error: Cell<Option<LoadErrorKind>>,
}

impl Ctx {
    fn fail<E: de::Error>(&self, kind: LoadErrorKind) -> E {
        let err = E::custom(&kind);
        self.error.set(Some(kind));
        err
    }

    /// Whether `s` lies inside the input text (a key borrowed from the document).
    fn in_input(&self, s: &str) -> bool {
        let start = s.as_ptr().addr();
        start >= self.input_start && start.saturating_add(s.len()) <= self.input_end
    }
}

/// Deserializes one JSON value whose enclosing container is at `depth` (0 for the root).
struct ValueSeed<'c> {
    ctx: &'c Ctx,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl ValueSeed<'_> {
    fn enter<E: de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth.saturating_add(1);
        if depth > self.ctx.max_depth {
            Err(self.ctx.fail(LoadErrorKind::TooDeep {
                limit: self.ctx.max_depth,
            }))
        } else {
            Ok(depth)
        }
    }

    fn number<E: de::Error>(&self, text: String) -> Result<Value, E> {
        number_value(text).map_err(|kind| self.ctx.fail(kind))
    }
}

/// The value of a number given as text by serde_json (see the module documentation), or
/// why it is refused.
pub(super) fn number_value(text: String) -> Result<Value, LoadErrorKind> {
    let is_float = text.contains(['.', 'e', 'E']);
    if is_float {
        let value = f64::from_str(&text).ok();
        if !value.is_some_and(f64::is_finite) {
            return Err(LoadErrorKind::NonFiniteNumber { text });
        }
        if value == Some(0.0) && super::mantissa_is_nonzero(&text) {
            return Err(LoadErrorKind::NumberUnderflow { text });
        }
    } else if text == "-0" {
        return Ok(Value::from(0_i64));
    } else if let Ok(n) = i64::from_str(&text) {
        return Ok(Value::from(n));
    } else if let Ok(n) = u64::from_str(&text) {
        return Ok(Value::from(n));
    } else {
        return Err(LoadErrorKind::NumberOutOfRange { text });
    }
    match Number::from_str(&text) {
        Ok(n) => Ok(Value::Number(n)),
        Err(err) => Err(LoadError::syntax(format!(
            "invalid number {}: {err}",
            super::quote(&text)
        ))),
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // Not reached with `arbitrary_precision`; kept for completeness.
        match Number::from_f64(v) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(self.ctx.fail(LoadErrorKind::NonFiniteNumber {
                text: v.to_string(),
            })),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(ValueSeed {
            ctx: self.ctx,
            depth,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let first = access.next_key_seed(KeySeed { ctx: self.ctx })?;
        if let Some(Key::NumberToken) = first {
            let text = access.next_value_seed(NumberTextSeed)?;
            return self.number(text);
        }
        let depth = self.enter()?;
        let mut map = Map::new();
        let mut next = first;
        while let Some(key) = next {
            let key = match key {
                Key::Name(name) => name,
                Key::NumberToken => NUMBER_TOKEN.to_owned(),
            };
            if map.contains_key(&key) {
                return Err(self.ctx.fail(LoadErrorKind::DuplicateKey { key }));
            }
            let value = access.next_value_seed(ValueSeed {
                ctx: self.ctx,
                depth,
            })?;
            map.insert(key, value);
            next = access.next_key_seed(KeySeed { ctx: self.ctx })?;
        }
        Ok(Value::Object(map))
    }
}

enum Key {
    Name(String),
    /// serde_json's number marker (see the module documentation).
    NumberToken,
}

struct KeySeed<'c> {
    ctx: &'c Ctx,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key, E> {
        if v == NUMBER_TOKEN && !self.ctx.in_input(v) {
            Ok(Key::NumberToken)
        } else {
            Ok(Key::Name(v.to_owned()))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key::Name(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(Key::Name(v))
    }
}

/// The text of a number from serde_json's number marker map.
pub(super) struct NumberTextSeed;

impl<'de> DeserializeSeed<'de> for NumberTextSeed {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl<'de> Visitor<'de> for NumberTextSeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the text of a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
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
    fn floats_keep_their_text() {
        let value = j("[1.50, 1e-300, 2.5E3]");
        // serde_json keeps the digits; it writes the exponent as `e`, with a sign.
        assert_eq!(value.to_string(), "[1.50,1e-300,2.5e+3]");
        assert_eq!(value[0].as_f64(), Some(1.5));
        assert_eq!(value[1].as_f64(), Some(1e-300));
        assert_eq!(value[2].as_f64(), Some(2500.0));
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
