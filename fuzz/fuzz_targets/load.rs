//! Evidence loaders (JSON, YAML, TOML): any bytes must load or give an
//! error, never panic, and the limits must hold.
//!
//! Input: byte 0 picks the format (bits 0–1: JSON, YAML, TOML, JSON) and,
//! with bit 7 set, small limits from bytes 1 and 2 (depth `b1 % 80`, size
//! `b2 * 64` bytes); the rest is the document.
#![no_main]

use gate_eval::load::{parse, Format, LoadErrorKind, LoadLimits};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let format = match head & 3 {
        1 => Format::Yaml,
        2 => Format::Toml,
        3 => Format::JsonLines,
        _ => Format::Json,
    };
    let (limits, doc) = if head & 0x80 != 0 {
        let byte = |i: usize| usize::from(rest.get(i).copied().unwrap_or(0));
        let limits = LoadLimits::default()
            .max_depth(byte(0) % 80)
            .max_bytes(byte(1) * 64)
            .max_string(byte(2) * 2)
            .max_list(byte(2) % 40);
        (limits, rest.get(3..).unwrap_or_default())
    } else {
        (LoadLimits::default(), rest)
    };

    match parse(format, doc, &limits) {
        Ok(parsed) => {
            assert!(doc.len() <= limits.max_bytes);
            // The limits hold for each document of a stream, whose list is
            // one level more.
            let stream = usize::from(!parsed.documents.is_empty());
            let max_depth = limits.max_depth + stream;
            let depth = gate_fuzz::depth(&parsed.value);
            assert!(
                depth <= max_depth,
                "depth {depth} over the limit {}",
                limits.max_depth
            );
            let (string, list) = gate_fuzz::widest(&parsed.value);
            assert!(
                string <= limits.max_string,
                "string of {string} bytes over the limit"
            );
            assert!(
                list <= limits.max_list,
                "list of {list} entries over the limit"
            );
            if format != Format::Yaml {
                assert!(parsed.bool_words.is_empty());
            }
            if let serde_json::Value::Array(items) = &parsed.value {
                if stream == 1 {
                    assert_eq!(items.len(), parsed.documents.len());
                    assert!(parsed.documents.windows(2).all(|w| w[0] < w[1]));
                }
            }
            for pointer in &parsed.bool_words {
                let v = parsed.value.pointer(pointer);
                assert!(
                    v.is_some_and(Value::is_string),
                    "bool word pointer {pointer:?} does not name a string"
                );
            }
            // Every loaded value is plain JSON: written as JSON and loaded
            // again it is the same value.
            let text = match serde_json::to_string(&parsed.value) {
                Ok(t) => t,
                Err(e) => panic!("a loaded value does not serialise: {e}"),
            };
            let relimits = LoadLimits::default()
                .max_depth(max_depth)
                .max_bytes(usize::MAX)
                .max_string(usize::MAX)
                .max_list(usize::MAX);
            match parse(Format::Json, text.as_bytes(), &relimits) {
                Ok(again) => assert!(
                    gate_fuzz::same_value(&again.value, &parsed.value),
                    "JSON round trip changed the value:\n{text}"
                ),
                Err(e) => panic!("the loaded value written as JSON does not load: {e}\n{text}"),
            }
            // Differential: what the strict JSON loader accepts, serde_json accepts.
            if format == Format::Json {
                let text = std::str::from_utf8(doc).unwrap_or_default();
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                if let Err(e) = serde_json::from_str::<Value>(text) {
                    panic!("the JSON loader accepted what serde_json refuses: {e}");
                }
            }
        }
        Err(e) => {
            match e.kind {
                LoadErrorKind::TooLarge { size, limit } => {
                    assert_eq!(limit, limits.max_bytes);
                    assert!(size > limit);
                }
                LoadErrorKind::TooDeep { limit } => assert!(limit <= limits.max_depth),
                LoadErrorKind::InvalidUtf8 { offset } => {
                    assert!(offset <= doc.len() && std::str::from_utf8(doc).is_err());
                }
                _ => {}
            }
            let _ = e.to_string();
        }
    }
});
