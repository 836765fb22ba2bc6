//! Text inside evidence that holds more evidence: base64, and JSON or YAML
//! documents in a string. One set of rules for every place that decodes
//! (the `@base64`, `@json` and `@yaml` field attributes, the
//! `base64_decode` built-in, DSSE envelopes), each failing with a reason,
//! never with an empty value.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, Engine as _, GeneralPurpose, GeneralPurposeConfig};
use gate_lang::types::Encoding;
use serde_json::Value;

use super::{Format, LoadLimits};

/// Padding optional.
const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
/// The standard alphabet, padding optional.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
/// The URL-safe alphabet, padding optional.
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes base64 in the standard or the URL-safe alphabet (not a mix),
/// padding optional. `None` when `text` is not base64.
pub(crate) fn base64(text: &str) -> Option<Vec<u8>> {
    STANDARD_LENIENT
        .decode(text)
        .or_else(|_| URL_SAFE_LENIENT.decode(text))
        .ok()
}

/// Base64 of UTF-8 text, decoded; the error says which of the two it is
/// not (without showing any of it).
pub(crate) fn base64_text(text: &str) -> Result<String, &'static str> {
    let bytes = base64(text).ok_or("not base64")?;
    String::from_utf8(bytes).map_err(|_| "base64 of bytes that are not UTF-8 text")
}

/// `text` decoded by `encodings` in order: the document it holds, or
/// (base64 only) the text. JSON and YAML are read by the same strict
/// loaders as evidence files, with the default limits. The error is a
/// reason for an evidence issue; `sensitive` keeps the parser's message
/// (which may quote the text) out of it.
pub(crate) fn decode(text: &str, encodings: &[Encoding], sensitive: bool) -> Result<Value, String> {
    let mut current = std::borrow::Cow::Borrowed(text);
    for encoding in encodings {
        let format = match encoding {
            Encoding::Base64 => {
                current = base64_text(&current)?.into();
                continue;
            }
            Encoding::Json => Format::Json,
            Encoding::Yaml => Format::Yaml,
        };
        return super::parse(format, current.as_bytes(), &LoadLimits::default())
            .map(|parsed| parsed.value)
            .map_err(|e| {
                let name = encoding.attribute().to_uppercase();
                if sensitive {
                    format!("not {name}")
                } else {
                    format!("not {name}: {e}")
                }
            });
    }
    Ok(Value::String(current.into_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_in_either_alphabet_with_or_without_padding() {
        assert_eq!(base64_text("aGk/Pz4+").unwrap(), "hi??>>");
        assert_eq!(base64_text("aGk_Pz4-").unwrap(), "hi??>>");
        assert_eq!(base64_text("aGk").unwrap(), "hi");
        assert_eq!(base64_text("aGk=").unwrap(), "hi");
        assert_eq!(base64_text("aGk?"), Err("not base64"));
        // A mix of the two alphabets is neither.
        assert_eq!(base64_text("aGk_Pz4+"), Err("not base64"));
        assert_eq!(
            base64_text("/w=="),
            Err("base64 of bytes that are not UTF-8 text")
        );
    }

    #[test]
    fn documents_are_read_strictly_and_fail_with_a_reason() {
        let v = decode(r#"{"a": [1, 2]}"#, &[Encoding::Json], false).unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 2]}));
        let v = decode("eyJhIjogMX0=", &[Encoding::Base64, Encoding::Json], false).unwrap();
        assert_eq!(v, serde_json::json!({"a": 1}));
        let v = decode("a: [x, y]\n", &[Encoding::Yaml], false).unwrap();
        assert_eq!(v, serde_json::json!({"a": ["x", "y"]}));
        let e = decode(r#"{"a": 1, "a": 2}"#, &[Encoding::Json], false).unwrap_err();
        assert!(e.starts_with("not JSON: duplicate key"), "{e}");
        assert_eq!(
            decode("{", &[Encoding::Json], true).unwrap_err(),
            "not JSON"
        );
        assert_eq!(
            decode("a: *x\n", &[Encoding::Yaml], true).unwrap_err(),
            "not YAML"
        );
        assert_eq!(
            decode("e30", &[Encoding::Base64], false).unwrap(),
            Value::String("{}".into())
        );
        assert_eq!(
            decode("%%", &[Encoding::Base64, Encoding::Json], false).unwrap_err(),
            "not base64"
        );
    }
}
