//! TOML, parsed by the `toml` crate into a `toml::Table`, then converted with an explicit
//! stack.
//!
//! Decisions:
//!
//! - The `toml` crate parses the text (its own nesting limits keep its recursion shallow:
//!   80 inline array/table levels, key paths under 80 parts). Its errors become `Syntax`
//!   with the line/column of its span, except: duplicate keys/tables → `DuplicateKey` (the
//!   key as written, one pair of quotes removed); an integer beyond `i64` →
//!   `NumberOutOfRange`; a float literal overflowing `f64` (`1e400`) → `NonFiniteNumber`;
//!   its recursion limits → `TooDeep` (limit reported: `max_depth`, or 79 if lower, which
//!   the refused document certainly exceeds).
//! - TOML integers are `i64`, so every accepted integer fits. Floats keep the digits
//!   written: the document is also read as `toml::de::DeTable`, which has their text.
//! - `inf`, `nan` (with signs) parse in TOML but are refused as `NonFiniteNumber`, with the
//!   text `inf`/`-inf`/`nan` and no position (the `toml::Table` has no spans).
//! - Datetimes become strings in RFC 3339 as the `toml` crate displays them:
//!   `1979-05-27T07:32:00Z`, `1979-05-27T00:32:00.999999-07:00`, local `1979-05-27T07:32:00`,
//!   `1979-05-27`, `07:32:00`; a space separator is shown as `T`. One change: TOML 1.1 lets
//!   seconds be left out (`07:32`); we add `:00`, since RFC 3339 requires seconds.
//! - Tables become objects (keys sorted, as `serde_json::Map` keeps them unless the
//!   `preserve_order` feature is on), arrays become arrays.

use std::collections::BTreeSet;

use serde_json::{Map, Number, Value};

use super::{line_col, LoadError, LoadErrorKind, LoadLimits, Parsed};

/// A depth that any document refused by the `toml` crate's recursion limits exceeds.
const TOML_DEPTH: usize = 79;

pub(super) fn parse(text: &str, limits: &LoadLimits) -> Result<Parsed, LoadError> {
    let table: ::toml::Table =
        ::toml::from_str(text).map_err(|err| map_error(&err, text, limits))?;
    // The same document as written, for the digits of its floats (the
    // `toml::Table` has them only as `f64`).
    let raw = ::toml::de::DeTable::parse(text)
        .ok()
        .map(|t| ::toml::de::DeValue::Table(t.into_inner()));
    let value = convert(table, raw.as_ref(), limits.max_depth).map_err(LoadError::new)?;
    Ok(Parsed {
        value,
        bool_words: BTreeSet::new(),
        documents: Vec::new(),
    })
}

fn map_error(err: &::toml::de::Error, text: &str, limits: &LoadLimits) -> LoadError {
    let message = err.message().trim_end_matches('.');
    let span = err.span();
    let snippet = span
        .clone()
        .and_then(|range| text.get(range))
        .unwrap_or_default()
        .to_owned();
    // The `toml` crate's messages for integers beyond `i64` (tests pin them down).
    let out_of_range = message.starts_with("invalid type: integer")
        || message.contains("integer number overflowed")
        || message.contains("value was too large")
        || message.contains("value was too small");
    let kind = if out_of_range {
        LoadErrorKind::NumberOutOfRange { text: snippet }
    } else if message.contains("number overflowed") {
        LoadErrorKind::NonFiniteNumber { text: snippet }
    } else if message.contains("recursion") {
        LoadErrorKind::TooDeep {
            limit: limits.max_depth.min(TOML_DEPTH),
        }
    } else if message == "duplicate key" {
        LoadErrorKind::DuplicateKey {
            key: unquote(&snippet).to_owned(),
        }
    } else {
        LoadError::syntax(message)
    };
    match span {
        Some(range) => {
            let (line, column) = line_col(text.as_bytes(), range.start);
            LoadError::at(kind, line, column)
        }
        None => LoadError::new(kind),
    }
}

fn unquote(key: &str) -> &str {
    ['"', '\'']
        .iter()
        .find_map(|&q| key.strip_prefix(q).and_then(|k| k.strip_suffix(q)))
        .unwrap_or(key)
}

/// The document as written, where a frame's values are.
type Raw<'r, 'i> = Option<&'r ::toml::de::DeValue<'i>>;

enum Frame<'r, 'i> {
    Table {
        map: Map<String, Value>,
        rest: <::toml::Table as IntoIterator>::IntoIter,
        /// The key of the child array/table being converted.
        pending: Option<String>,
        raw: Raw<'r, 'i>,
    },
    Array {
        items: Vec<Value>,
        rest: std::vec::IntoIter<::toml::Value>,
        raw: Raw<'r, 'i>,
    },
}

impl<'r, 'i> Frame<'r, 'i> {
    fn table(table: ::toml::Table, raw: Raw<'r, 'i>) -> Self {
        Frame::Table {
            map: Map::new(),
            rest: table.into_iter(),
            pending: None,
            raw,
        }
    }

    fn array(array: Vec<::toml::Value>, raw: Raw<'r, 'i>) -> Self {
        Frame::Array {
            items: Vec::with_capacity(array.len()),
            rest: array.into_iter(),
            raw,
        }
    }

    /// The next child, and where it is written.
    fn next(&mut self) -> Option<(Option<String>, ::toml::Value, Raw<'r, 'i>)> {
        match self {
            Frame::Table { rest, raw, .. } => rest.next().map(|(key, value)| {
                let at = raw.and_then(|r| r.get(key.as_str())).map(|s| s.get_ref());
                (Some(key), value, at)
            }),
            Frame::Array { rest, raw, items } => {
                let at = raw.and_then(|r| r.get(items.len())).map(|s| s.get_ref());
                rest.next().map(|value| (None, value, at))
            }
        }
    }

    /// Adds a finished child, under `key` for a table.
    fn put(&mut self, key: Option<String>, value: Value) {
        match self {
            Frame::Table { map, .. } => {
                if let Some(key) = key {
                    map.insert(key, value);
                }
            }
            Frame::Array { items, .. } => items.push(value),
        }
    }

    fn finish(self) -> Value {
        match self {
            Frame::Table { map, .. } => Value::Object(map),
            Frame::Array { items, .. } => Value::Array(items),
        }
    }
}

fn convert(
    root: ::toml::Table,
    raw: Raw<'_, '_>,
    max_depth: usize,
) -> Result<Value, LoadErrorKind> {
    let too_deep = LoadErrorKind::TooDeep { limit: max_depth };
    if max_depth < 1 {
        return Err(too_deep);
    }
    let mut stack = vec![Frame::table(root, raw)];
    loop {
        let depth = stack.len();
        let Some(top) = stack.last_mut() else {
            return Err(LoadError::syntax("empty conversion stack"));
        };
        match top.next() {
            Some((key, ::toml::Value::Table(table), at)) => {
                if depth >= max_depth {
                    return Err(too_deep);
                }
                set_pending(top, key);
                stack.push(Frame::table(table, at));
            }
            Some((key, ::toml::Value::Array(array), at)) => {
                if depth >= max_depth {
                    return Err(too_deep);
                }
                set_pending(top, key);
                stack.push(Frame::array(array, at));
            }
            Some((key, scalar, at)) => {
                let value = match exact_float(&scalar, at) {
                    Some(decided) => decided?,
                    None => convert_scalar(scalar)?,
                };
                top.put(key, value);
            }
            None => {
                let Some(done) = stack.pop() else {
                    return Err(LoadError::syntax("empty conversion stack"));
                };
                let value = done.finish();
                match stack.last_mut() {
                    None => return Ok(value),
                    Some(parent) => {
                        let key = match parent {
                            Frame::Table { pending, .. } => pending.take(),
                            Frame::Array { .. } => None,
                        };
                        parent.put(key, value);
                    }
                }
            }
        }
    }
}

/// A float decided from its text as written (`1_000.5`, `+1e3`), as JSON
/// decides a number it reads (so `0.79999999999999999999`, which a float
/// would read as `0.8`, is refused); `None` for anything else, or a float
/// whose `f64` is not finite (refused by [`convert_scalar`]).
fn exact_float(value: &::toml::Value, raw: Raw<'_, '_>) -> Option<Result<Value, LoadErrorKind>> {
    let (::toml::Value::Float(f), Some(::toml::de::DeValue::Float(written))) = (value, raw) else {
        return None;
    };
    if !f.is_finite() {
        return None;
    }
    let text: String = written.as_str().chars().filter(|c| *c != '_').collect();
    let text = text.strip_prefix('+').unwrap_or(&text);
    Some(super::json::number_value(text))
}

fn set_pending(frame: &mut Frame<'_, '_>, key: Option<String>) {
    if let Frame::Table { pending, .. } = frame {
        *pending = key;
    }
}

fn convert_scalar(value: ::toml::Value) -> Result<Value, LoadErrorKind> {
    Ok(match value {
        ::toml::Value::String(s) => Value::String(s),
        ::toml::Value::Integer(i) => Value::from(i),
        ::toml::Value::Boolean(b) => Value::Bool(b),
        ::toml::Value::Float(f) => match Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => {
                let text = if f.is_nan() {
                    "nan"
                } else if f.is_sign_negative() {
                    "-inf"
                } else {
                    "inf"
                };
                return Err(LoadErrorKind::NonFiniteNumber {
                    text: text.to_owned(),
                });
            }
        },
        ::toml::Value::Datetime(mut datetime) => {
            if let Some(time) = datetime.time.as_mut() {
                time.second.get_or_insert(0);
            }
            Value::String(datetime.to_string())
        }
        // Containers are handled by `convert`; keep them empty if ever reached.
        ::toml::Value::Array(_) => Value::Array(Vec::new()),
        ::toml::Value::Table(_) => Value::Object(Map::new()),
    })
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

    fn t(text: &str) -> Value {
        ok(Format::Toml, text).value
    }

    fn e(text: &str) -> LoadError {
        err(Format::Toml, text)
    }

    #[test]
    fn evidence_document() {
        let text = r#"
# change approval evidence
kind = "approval"
change = "CHG-1042"
emergency = false

[[approvers]]
name = "alice"
role = "owner"
approved = true
at = 2024-05-01T10:00:00Z

[[approvers]]
name = "bob"
role = "security"
approved = false

[secrets]
rotated = 3
max_age_days = 0x5A
score = 0.75
vault = 'kv/prod'
paths = ["a", "b"]
owner = { team = "sre", pager = "no" }
"#;
        let parsed = ok(Format::Toml, text);
        assert_eq!(
            parsed.value,
            json!({
                "kind": "approval",
                "change": "CHG-1042",
                "emergency": false,
                "approvers": [
                    {"name": "alice", "role": "owner", "approved": true, "at": "2024-05-01T10:00:00Z"},
                    {"name": "bob", "role": "security", "approved": false}
                ],
                "secrets": {
                    "rotated": 3, "max_age_days": 90, "score": 0.75, "vault": "kv/prod",
                    "paths": ["a", "b"], "owner": {"team": "sre", "pager": "no"}
                }
            })
        );
        assert!(parsed.bool_words.is_empty());
    }

    #[test]
    fn empty_document_is_empty_table() {
        assert_eq!(t(""), json!({}));
        assert_eq!(t("# nothing\n"), json!({}));
    }

    #[test]
    fn datetimes() {
        let value = t(r#"
odt1 = 1979-05-27T07:32:00Z
odt2 = 1979-05-27T00:32:00-07:00
odt3 = 1979-05-27T00:32:00.999999-07:00
odt4 = 1979-05-27 07:32:00Z
odt5 = 1979-05-27T07:32Z
ldt1 = 1979-05-27T07:32:00
ldt2 = 1979-05-27T00:32:00.5
ld1 = 1979-05-27
lt1 = 07:32:00
lt2 = 00:32:00.999999
lt3 = 07:32
"#);
        assert_eq!(
            value,
            json!({
                "odt1": "1979-05-27T07:32:00Z",
                "odt2": "1979-05-27T00:32:00-07:00",
                "odt3": "1979-05-27T00:32:00.999999-07:00",
                "odt4": "1979-05-27T07:32:00Z",
                "odt5": "1979-05-27T07:32:00Z",
                "ldt1": "1979-05-27T07:32:00",
                "ldt2": "1979-05-27T00:32:00.5",
                "ld1": "1979-05-27",
                "lt1": "07:32:00",
                "lt2": "00:32:00.999999",
                "lt3": "07:32:00"
            })
        );
    }

    #[test]
    fn numbers() {
        let value = t(
            "a = 9223372036854775807\nb = -9223372036854775808\nc = 1_000\nd = 0o17\ne = 6.5e-1\nf = -0.0\n",
        );
        assert_eq!(value["a"].as_i64(), Some(i64::MAX));
        assert_eq!(value["b"].as_i64(), Some(i64::MIN));
        assert_eq!(value["c"], json!(1000));
        assert_eq!(value["d"], json!(15));
        assert_eq!(value["e"].as_f64(), Some(0.65));
        assert_eq!(value["f"].as_f64(), Some(0.0));
    }

    #[test]
    fn non_finite_numbers() {
        for (text, shown) in [
            ("x = nan", "nan"),
            ("x = +nan", "nan"),
            ("x = -nan", "nan"),
            ("x = inf", "inf"),
            ("x = +inf", "inf"),
            ("x = -inf", "-inf"),
            ("x = [1.0, inf]", "inf"),
        ] {
            let err = e(text);
            assert_eq!(
                err.kind,
                LoadErrorKind::NonFiniteNumber { text: shown.into() },
                "{text}"
            );
        }
        let err = e("a = 1\nx = 1e400\n");
        assert_eq!(
            err.kind,
            LoadErrorKind::NonFiniteNumber {
                text: "1e400".into()
            }
        );
        assert_eq!((err.line, err.column), (Some(2), Some(5)));
        // `.nan` / `.inf` are not TOML at all.
        for text in ["x = .nan", "x = .inf"] {
            assert!(matches!(e(text).kind, LoadErrorKind::Syntax { .. }));
        }
    }

    #[test]
    fn integers_out_of_range() {
        for text in [
            "18446744073709551616",
            "-9223372036854775809",
            "9223372036854775808",
            "18446744073709551615",
            "0xFFFFFFFFFFFFFFFFFF",
            "0x8000000000000000",
            "0o7777777777777777777777777",
            "123456789012345678901234567890123456789012345",
        ] {
            let err = e(&format!("n = {text}"));
            assert_eq!(
                err.kind,
                LoadErrorKind::NumberOutOfRange { text: text.into() },
                "{text}"
            );
            assert_eq!((err.line, err.column), (Some(1), Some(5)));
        }
        let err = e("a = 1\nb = [1, {c = 9223372036854775808}]\n");
        assert_eq!(
            err.kind,
            LoadErrorKind::NumberOutOfRange {
                text: "9223372036854775808".into()
            }
        );
        assert_eq!((err.line, err.column), (Some(2), Some(14)));
    }

    #[test]
    fn duplicate_keys() {
        let err = e("a = 1\nb = 2\na = 3\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "a".into() });
        assert_eq!((err.line, err.column), (Some(3), Some(1)));
        let err = e("\"q k\" = 1\n'q k' = 2\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "q k".into() });
        let err = e("[t]\nx = 1\n[t]\ny = 2\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "t".into() });
        assert_eq!((err.line, err.column), (Some(3), Some(2)));
        let err = e("a.b = 1\na = 2\n");
        assert_eq!(err.kind, LoadErrorKind::DuplicateKey { key: "a".into() });
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = e("a = 1\nb = \nc = 3\n");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        assert_eq!(err.line, Some(2));
        assert!(err.column.is_some());
        let err = e("a = \"unterminated\n");
        assert!(matches!(err.kind, LoadErrorKind::Syntax { .. }));
        assert_eq!(err.line, Some(1));
        assert!(err.to_string().starts_with("syntax error: "));
        assert!(err.to_string().contains(" at line 1, column "));
    }

    fn inline_nested(arrays: usize) -> String {
        format!("x = {}1{}", "[".repeat(arrays), "]".repeat(arrays))
    }

    #[test]
    fn depth_limit() {
        let l = limits(1 << 20, 64);
        // Root table (1) + 63 arrays = depth 64.
        assert!(parse(Format::Toml, inline_nested(63).as_bytes(), &l).is_ok());
        let err = parse(Format::Toml, inline_nested(64).as_bytes(), &l).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
        // Dotted keys nest tables: a.b.c... with 63 parts = 63 tables + root.
        let keys = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(".")
        };
        assert!(parse(Format::Toml, format!("{} = 1", keys(64)).as_bytes(), &l).is_ok());
        let err = parse(Format::Toml, format!("{} = 1", keys(65)).as_bytes(), &l).unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
        let header = format!("[{}]\nv = 1\n", keys(63));
        assert!(parse(Format::Toml, header.as_bytes(), &l).is_ok());
        let header = format!("[{}]\nv = [1]\n", keys(63));
        assert!(parse(Format::Toml, header.as_bytes(), &l).is_err());
    }

    #[test]
    fn toml_recursion_limit_maps_to_too_deep() {
        let err = parse(
            Format::Toml,
            inline_nested(10_000).as_bytes(),
            &limits(1 << 20, 64),
        )
        .unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: 64 });
        assert!(err.line.is_some());
        let err = parse(
            Format::Toml,
            inline_nested(10_000).as_bytes(),
            &limits(1 << 20, 1000),
        )
        .unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: TOML_DEPTH });
        let keys = (0..10_000)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".");
        let err = parse(
            Format::Toml,
            format!("{keys} = 1").as_bytes(),
            &limits(1 << 20, 1000),
        )
        .unwrap_err();
        assert_eq!(err.kind, LoadErrorKind::TooDeep { limit: TOML_DEPTH });
    }

    #[test]
    fn deep_but_allowed_by_toml() {
        // 80 inline levels is within the toml crate's limit and our raised limit.
        let value = parse(
            Format::Toml,
            inline_nested(80).as_bytes(),
            &limits(1 << 20, 200),
        )
        .unwrap()
        .value;
        let mut v = &value["x"];
        let mut n = 0;
        while let Some(inner) = v.get(0) {
            v = inner;
            n += 1;
        }
        assert_eq!((n, v), (80, &json!(1)));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod stack_tests {
    use super::super::{parse, Format, LoadErrorKind, LoadLimits};

    /// Header path, dotted key and inline nesting all near the `toml` crate's limits, on a
    /// thread with Rust's default 2 MiB spawned-thread stack: parsing, converting and dropping
    /// must not overflow it. (The `toml` crate itself needs roughly 1 MiB here in a debug
    /// build, far less in release.)
    #[test]
    fn worst_case_nesting_on_small_stack() {
        let keys = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(".")
        };
        let text = format!(
            "[{}]\n{} = {}1{}\n",
            keys(78),
            keys(78),
            "[".repeat(80),
            "]".repeat(80)
        );
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let high = LoadLimits {
                    max_bytes: 1 << 20,
                    max_depth: 1000,
                    ..LoadLimits::default()
                };
                let parsed = parse(Format::Toml, text.as_bytes(), &high).unwrap();
                drop(parsed);
                let low = LoadLimits::default();
                parse(Format::Toml, text.as_bytes(), &low).unwrap_err().kind
            })
            .unwrap();
        assert_eq!(handle.join().unwrap(), LoadErrorKind::TooDeep { limit: 64 });
    }
}
