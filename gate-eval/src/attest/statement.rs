//! The in-toto Statement a verified envelope signs (v0.1 and v1, and an
//! in-toto Link read as the link predicate): checked for its shape before
//! a policy sees it.

use crate::load::{self, Format, LoadLimits};
use serde_json::{Map, Value};

/// The DSSE payload type of an in-toto Statement.
pub(crate) const PAYLOAD_TYPE: &str = super::vsa::STATEMENT_PAYLOAD_TYPE;

/// The statement types read.
pub(crate) const STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v1",
    "https://in-toto.io/Statement/v0.1",
];

/// Reads the signed payload as an in-toto Statement: `_type` one of
/// [`STATEMENT_TYPES`], a non-empty `subject` list whose elements each have
/// a non-empty `digest` map of strings, a `predicateType` and, if present,
/// an object `predicate`. Fields are kept as they are.
pub(crate) fn decode(payload: &[u8], limits: &LoadLimits) -> Result<Map<String, Value>, String> {
    let parsed = load::parse(Format::Json, payload, limits)
        .map_err(|e| format!("the signed payload is not JSON: {e}"))?;
    let Value::Object(statement) = parsed.value else {
        return Err("the signed payload is not a JSON object".into());
    };
    match statement.get("_type").and_then(Value::as_str) {
        Some(t) if STATEMENT_TYPES.contains(&t) => {}
        Some("link") => return from_link(statement),
        Some(t) => {
            return Err(format!(
                "the signed payload is not an in-toto Statement (`_type` is `{t}`)"
            ))
        }
        None => return Err("the signed payload has no `_type`: not an in-toto Statement".into()),
    }
    let Some(Value::Array(subjects)) = statement.get("subject") else {
        return Err("the statement has no `subject` list".into());
    };
    if subjects.is_empty() {
        return Err("the statement's `subject` list is empty".into());
    }
    for (i, subject) in subjects.iter().enumerate() {
        let digest = subject.get("digest").and_then(Value::as_object);
        let good = digest.is_some_and(|d| !d.is_empty() && d.values().all(Value::is_string));
        if !good {
            return Err(format!(
                "subject {i} of the statement has no `digest` map of strings"
            ));
        }
    }
    if !statement.get("predicateType").is_some_and(Value::is_string) {
        return Err("the statement has no `predicateType`".into());
    }
    if statement.get("predicate").is_some_and(|p| !p.is_object()) {
        return Err("the statement's `predicate` is not an object".into());
    }
    Ok(statement)
}

/// The predicate type in-toto gives a Link read as an attestation.
pub(crate) const LINK_PREDICATE_TYPE: &str = "https://in-toto.io/attestation/link/v0.3";

/// An in-toto Link (what `in-toto-run --use-dsse` signs), as the in-toto
/// Attestation Framework defines it as an attestation: its products are
/// the subjects, and the predicate ([`LINK_PREDICATE_TYPE`]) has the
/// step's `name`, `command`, `materials` (a list of `{name, digest}`),
/// `byproducts` and `environment`. `_type` stays `link`, as signed.
fn from_link(link: Map<String, Value>) -> Result<Map<String, Value>, String> {
    let artifacts = |field: &str| -> Result<Vec<Value>, String> {
        let Some(map) = link.get(field) else {
            return Ok(Vec::new());
        };
        let map = map
            .as_object()
            .ok_or_else(|| format!("the link's `{field}` is not an object"))?;
        map.iter()
            .map(|(name, digest)| {
                let good = digest
                    .as_object()
                    .is_some_and(|d| !d.is_empty() && d.values().all(Value::is_string));
                if good {
                    Ok(serde_json::json!({"name": name, "digest": digest}))
                } else {
                    Err(format!(
                        "`{field}` entry `{name}` of the link has no digest map"
                    ))
                }
            })
            .collect()
    };
    let subject = artifacts("products")?;
    if subject.is_empty() {
        return Err("the link records no products, so it is about nothing".into());
    }
    let materials = artifacts("materials")?;
    let mut predicate = Map::new();
    for field in ["name", "command", "byproducts", "environment"] {
        if let Some(v) = link.get(field) {
            predicate.insert(field.into(), v.clone());
        }
    }
    predicate.insert("materials".into(), Value::Array(materials));
    let mut out = Map::new();
    out.insert("_type".into(), Value::String("link".into()));
    out.insert("subject".into(), Value::Array(subject));
    out.insert("predicateType".into(), LINK_PREDICATE_TYPE.into());
    out.insert("predicate".into(), Value::Object(predicate));
    Ok(out)
}

/// The first subject digest by an algorithm Sigstore can bind to (sha256,
/// then sha512), as (algorithm, hex).
pub(crate) fn first_digest(statement: &Map<String, Value>) -> Option<(&'static str, &str)> {
    let subjects = statement.get("subject")?.as_array()?;
    ["sha256", "sha512"].into_iter().find_map(|alg| {
        subjects
            .iter()
            .find_map(|s| s.get("digest")?.get(alg)?.as_str())
            .map(|hex| (alg, hex))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Map<String, Value>, String> {
        decode(text.as_bytes(), &LoadLimits::default())
    }

    #[test]
    fn statements_are_checked() {
        let ok = r#"{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "a", "digest": {"sha256": "ab"}}], "predicateType": "p", "predicate": {}}"#;
        assert!(check(ok).is_ok());
        let v01 = ok.replace("v1\"", "v0.1\"");
        assert!(check(&v01).is_ok());
        for (text, why) in [
            (
                ok.replace("Statement/v1", "Statement/v9"),
                "not an in-toto Statement",
            ),
            (ok.replace(r#"{"sha256": "ab"}"#, "{}"), "no `digest`"),
            (
                ok.replace(r#""predicate": {}"#, r#""predicate": 1"#),
                "not an object",
            ),
            (
                ok.replace(r#"[{"name": "a", "digest": {"sha256": "ab"}}]"#, "[]"),
                "empty",
            ),
            ("[1]".to_string(), "not a JSON object"),
            (r#"{"_type": 1}"#.to_string(), "not an in-toto Statement"),
        ] {
            let e = check(&text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn links_are_read_as_the_link_predicate() {
        let link = r#"{"_type": "link", "name": "build", "command": ["make"],
            "materials": {"src.c": {"sha256": "aa"}}, "products": {"app": {"sha256": "bb"}},
            "byproducts": {"return-value": 0}, "environment": {}}"#;
        let s = check(link).unwrap();
        assert_eq!(s["_type"], "link");
        assert_eq!(s["predicateType"], LINK_PREDICATE_TYPE);
        assert_eq!(s["subject"][0]["name"], "app");
        assert_eq!(s["predicate"]["materials"][0]["digest"]["sha256"], "aa");
        assert_eq!(s["predicate"]["command"][0], "make");
        let none = r#"{"_type": "link", "name": "build", "products": {}}"#;
        assert!(check(none).unwrap_err().contains("no products"));
        let bad = r#"{"_type": "link", "products": {"app": "bb"}}"#;
        assert!(check(bad).unwrap_err().contains("no digest map"));
    }

    #[test]
    fn duplicate_keys_in_the_payload_are_refused() {
        let dup = r#"{"_type": "https://in-toto.io/Statement/v1", "_type": "x"}"#;
        assert!(check(dup).unwrap_err().contains("not JSON"));
    }
}
