//! Verifying a decision record: what `gate verify-record` does, for a
//! program that keeps and checks records itself.
//!
//! A record is verified only if every check holds: its signature (a signed
//! record needs the signer's key; an envelope without a valid signature by
//! that key is rejected, never read as unsigned; with a key, an unsigned
//! record is rejected), the policy digest, the digest of every evidence
//! document, and a re-evaluation at the record's time that gives the same
//! record. The record and its envelope are read strictly: a duplicate key
//! anywhere, or a field of the envelope that its signature does not cover,
//! is refused.
//!
//! ```
//! use gate_eval::{Evidence, Options, Policy, verify};
//! let policy = Policy::from_source("g.gate",
//!     "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n").unwrap();
//! let evidence = Evidence::from_json_str("e.json", r#"{"ok": false}"#).unwrap();
//! let options = Options::default().at(gate_eval::jiff::Timestamp::UNIX_EPOCH);
//! let record = policy.evaluate(&evidence, &options).to_json();
//!
//! let check = verify::verify_record(record.as_bytes(), None, &policy, &evidence, &options).unwrap();
//! assert!(check.verified());
//! assert_eq!(check.outcome.as_str(), "fail");
//!
//! // A record whose outcome was edited does not verify.
//! let forged = record.replacen("\"outcome\": \"fail\"", "\"outcome\": \"pass\"", 1);
//! let check = verify::verify_record(forged.as_bytes(), None, &policy, &evidence, &options).unwrap();
//! assert!(!check.verified());
//! assert_eq!(check.differences[0].pointer, "/outcome");
//! ```

use crate::decision::{Outcome, RECORD_VERSION};
use crate::sign::{self, VerifyingKey};
use crate::{Error, Evidence, Options, Policy};
use serde_json::Value;

/// What the signature check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Signed, and a signature by the given key verifies; its key id.
    Valid(String),
    /// Not signed, and no key was required.
    Unsigned,
    /// Not accepted: why (no valid signature by the key, a field the
    /// signature does not cover, an unsigned record where a key was given).
    Rejected(String),
}

/// How one digest compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestCheck {
    /// What the record names: the policy (`None`) or an evidence document
    /// (`mount=source` or `source`).
    pub what: Option<String>,
    /// What the given document is called now.
    pub given: Option<String>,
    /// The digest in the record.
    pub recorded: String,
    /// The digest of what was given.
    pub actual: String,
}

impl DigestCheck {
    /// Whether the digests (and mounts) agree.
    pub fn matches(&self) -> bool {
        self.recorded == self.actual && self.what == self.given
    }
}

/// One place where the record and the decision made again differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The JSON pointer of the place (`/outcome`, `/rules/0/failures`).
    pub pointer: String,
    /// What the record has there (shortened for display).
    pub recorded: String,
    /// What the decision made again has there.
    pub now: String,
}

/// Everything verifying a record found.
#[derive(Clone, Debug)]
#[must_use = "a verification must be acted on: check `verified()`"]
pub struct Verification {
    /// The signature.
    pub signature: SignatureCheck,
    /// The policy digest: recorded and of the given policy.
    pub policy: DigestCheck,
    /// Every evidence document, position by position.
    pub evidence: Vec<DigestCheck>,
    /// How many documents the record names, and how many were given, when
    /// they differ.
    pub evidence_count: Option<(usize, usize)>,
    /// Where the decision made again differs from the record.
    pub differences: Vec<Difference>,
    /// The outcome of the decision made again.
    pub outcome: Outcome,
}

impl Verification {
    /// Whether the record is verified: the signature is valid (or the
    /// record is unsigned and no key was required), every digest matches
    /// and the decision is reproduced exactly.
    pub fn verified(&self) -> bool {
        !matches!(self.signature, SignatureCheck::Rejected(_))
            && self.policy.matches()
            && self.evidence_count.is_none()
            && self.evidence.iter().all(DigestCheck::matches)
            && self.differences.is_empty()
    }
}

/// Verifies the record (or DSSE envelope) `bytes` against `policy` and
/// `evidence`, evaluated again with `options` at the record's time.
/// `key` is the signer's public key: a signed record needs it, and given
/// one, an unsigned record is rejected.
///
/// `Err` is for what cannot be checked at all: bytes that are not strict
/// JSON, not a `gate-decision/v1` record, or a signed record without a key.
/// Everything else — a rejected signature included — is in the
/// [`Verification`], whose [`Verification::verified`] says whether to trust
/// the record.
pub fn verify_record(
    bytes: &[u8],
    key: Option<&VerifyingKey>,
    policy: &Policy,
    evidence: &Evidence,
    options: &Options,
) -> Result<Verification, Error> {
    let bad = record_error;
    if crate::attest::vsa::looks_like_vsa(bytes) {
        let Some(key) = key else {
            return Err(bad(
                "it is a signed VSA: give the signer's public key to verify it".into(),
            ));
        };
        return match crate::attest::vsa::read(bytes, key) {
            Ok(read) => replay(
                SignatureCheck::Valid(sign::key_id(key)),
                &read.record,
                Some(&read.summary),
                policy,
                evidence,
                options,
            ),
            Err(why) => Ok(rejected(why, policy)),
        };
    }
    let outer = strict_json(bytes).map_err(|e| bad(format!("it is not strict JSON: {e}")))?;
    let (signature, record_bytes) = if sign::is_envelope(&outer) {
        let Some(key) = key else {
            return Err(bad(
                "it is signed: give the signer's public key to verify it".into(),
            ));
        };
        let envelope: sign::Envelope = serde_json::from_value(outer.clone())
            .map_err(|e| bad(format!("it is not a valid envelope: {e}")))?;
        match sign::check_fields(&outer).and_then(|()| sign::verify(&envelope, key)) {
            Ok(payload) => (SignatureCheck::Valid(sign::key_id(key)), payload),
            Err(e) => return Ok(rejected(e.to_string(), policy)),
        }
    } else if key.is_some() {
        return Ok(rejected(
            "the record is not signed, but a key was given".into(),
            policy,
        ));
    } else {
        (SignatureCheck::Unsigned, bytes.to_vec())
    };
    replay(signature, &record_bytes, None, policy, evidence, options)
}

/// Evaluates again and compares with the record `record_bytes` (and with
/// the VSA `summary` made of it, if there is one).
fn replay(
    signature: SignatureCheck,
    record_bytes: &[u8],
    summary: Option<&serde_json::Map<String, Value>>,
    policy: &Policy,
    evidence: &Evidence,
    options: &Options,
) -> Result<Verification, Error> {
    let bad = record_error;
    let recorded = strict_json(record_bytes)
        .map_err(|e| bad(format!("it does not hold a decision record: {e}")))?;
    if recorded.get("record_version").and_then(Value::as_str) != Some(RECORD_VERSION) {
        return Err(bad(format!(
            "it is not a `{RECORD_VERSION}` decision record"
        )));
    }
    let now = recorded
        .get("evaluated_at")
        .and_then(Value::as_str)
        .and_then(|t| gate_lang::time::parse_timestamp(t).ok())
        .map(crate::time::timestamp);
    let again = Options {
        now,
        ..options.clone()
    };
    let decision = policy.evaluate(evidence, &again);
    let mut fresh = serde_json::to_value(&decision).map_err(|e| Error::Record {
        source: "the decision".into(),
        message: e.to_string(),
    })?;
    rename_sources(&recorded, &mut fresh);

    let text = |v: Option<&Value>| v.map(as_text).unwrap_or_else(|| "nothing".into());
    let policy_check = DigestCheck {
        what: None,
        given: None,
        recorded: text(recorded.pointer("/policy/digest")),
        actual: text(fresh.pointer("/policy/digest")),
    };
    let docs = |v: &Value| {
        v.get("evidence")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (recorded_docs, fresh_docs) = (docs(&recorded), docs(&fresh));
    let evidence_count = (recorded_docs.len() != fresh_docs.len())
        .then_some((recorded_docs.len(), fresh_docs.len()));
    let evidence_checks = recorded_docs
        .iter()
        .zip(fresh_docs.iter())
        .map(|(r, f)| DigestCheck {
            what: Some(label(r)),
            given: Some(label(f)),
            recorded: text(r.get("digest")),
            actual: text(f.get("digest")),
        })
        .collect();
    // The engine that made the record is not part of the decision: a
    // record made by one build of gate verifies with another that decides
    // the same (a newer gate checks an older record).
    let without_engine = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("engine");
        }
        v
    };
    let mut differences = Vec::new();
    diff(
        "",
        &without_engine(&recorded),
        &without_engine(&fresh),
        &mut differences,
    );
    if let Some(summary) = summary {
        differences.extend(
            crate::attest::vsa::disagreements(summary, &decision)
                .into_iter()
                .map(|(pointer, recorded, now)| Difference {
                    pointer,
                    recorded,
                    now,
                }),
        );
    }
    Ok(Verification {
        signature,
        policy: policy_check,
        evidence: evidence_checks,
        evidence_count,
        differences,
        outcome: decision.outcome,
    })
}

/// What cannot be checked about the record at all.
fn record_error(message: String) -> Error {
    Error::Record {
        source: "the record".into(),
        message,
    }
}

/// A verification that stopped at a rejected signature.
fn rejected(why: String, policy: &Policy) -> Verification {
    let digest = policy.digest().digest;
    Verification {
        signature: SignatureCheck::Rejected(why),
        policy: DigestCheck {
            what: None,
            given: None,
            recorded: "nothing".into(),
            actual: digest,
        },
        evidence: Vec::new(),
        evidence_count: None,
        differences: Vec::new(),
        outcome: Outcome::Error,
    }
}

/// Parses JSON as evidence is parsed: duplicate keys are an error, so that
/// no two readers can see two different records.
fn strict_json(bytes: &[u8]) -> Result<Value, crate::load::LoadError> {
    crate::load::parse(crate::Format::Json, bytes, &crate::LoadLimits::default()).map(|p| p.value)
}

/// An evidence document as a record names it: `mount=source` or `source`.
fn label(d: &Value) -> String {
    let source = d.get("source").and_then(Value::as_str).unwrap_or("");
    match d.get("mount").and_then(Value::as_str) {
        Some(m) => format!("{m}={source}"),
        None => source.to_string(),
    }
}

/// A value for a report: strings as they are, the rest as JSON, shortened.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "nothing".into(),
        other => {
            let s = other.to_string();
            if s.chars().count() > 80 {
                format!("{}…", s.chars().take(80).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// File names depend on where a program runs; digests and positions do
/// not. Gives the fresh record the recorded names — of policy sources, of
/// evidence documents and of waiver files — position by position.
fn rename_sources(recorded: &Value, fresh: &mut Value) {
    let names = |v: &Value, list: &str, field: &str| -> Vec<String> {
        v.pointer(list)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| {
                        x.get(field)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let pairs = |list: &str, field: &str| -> Vec<(String, String)> {
        names(fresh, list, field)
            .into_iter()
            .zip(names(recorded, list, field))
            .collect()
    };
    let policy_names = pairs("/policy/sources", "name");
    let evidence_names = pairs("/evidence", "source");
    let waiver_sources = pairs("/waivers", "source");
    // Waivers: their `source` is a waiver file's name (or "policy").
    if let Some(waivers) = fresh.get_mut("waivers").and_then(Value::as_array_mut) {
        for (w, (_, old)) in waivers.iter_mut().zip(waiver_sources.iter()) {
            if let Some(s) = w.get_mut("source") {
                *s = Value::String(old.clone());
            }
        }
    }
    let mut stack: Vec<(&mut Value, bool)> = vec![(fresh, false)];
    while let Some((v, in_waivers)) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if let Value::String(s) = child {
                        let table = match k.as_str() {
                            "source" if in_waivers => continue,
                            "source" => &evidence_names,
                            "file" | "name" => &policy_names,
                            _ => continue,
                        };
                        if let Some((_, old)) = table.iter().find(|(new, _)| new == s) {
                            *s = old.clone();
                        }
                    } else {
                        let waivers = in_waivers || k == "waivers";
                        stack.push((child, waivers));
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut().map(|i| (i, in_waivers))),
            _ => {}
        }
    }
}

/// Every place where two JSON values differ.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<Difference>) {
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = format!("{path}/{}", escape(k));
                match y.get(k) {
                    Some(vb) => diff(&p, va, vb, out),
                    None => out.push(Difference {
                        pointer: p,
                        recorded: as_text(va),
                        now: "nothing".into(),
                    }),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(Difference {
                        pointer: format!("{path}/{}", escape(k)),
                        recorded: "nothing".into(),
                        now: as_text(vb),
                    });
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y.iter()).enumerate() {
                diff(&format!("{path}/{i}"), va, vb, out);
            }
            if x.len() != y.len() {
                out.push(Difference {
                    pointer: format!("{path} (length)"),
                    recorded: x.len().to_string(),
                    now: y.len().to_string(),
                });
            }
        }
        _ => {
            if a != b {
                let pointer = if path.is_empty() {
                    "/".into()
                } else {
                    path.to_string()
                };
                out.push(Difference {
                    pointer,
                    recorded: as_text(a),
                    now: as_text(b),
                });
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn setup() -> (Policy, Evidence, Options, String) {
        let policy = Policy::from_source(
            "g.gate",
            "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n",
        )
        .unwrap();
        let evidence = Evidence::from_json_str("e.json", r#"{"ok": false}"#).unwrap();
        let options = Options::default().at(jiff::Timestamp::UNIX_EPOCH);
        let record = policy.evaluate(&evidence, &options).to_json();
        (policy, evidence, options, record)
    }

    #[test]
    fn signed_records_need_the_key_and_nothing_beside_the_signature() {
        let (policy, evidence, options, record) = setup();
        let (private, public) = sign::generate_pem_pair().unwrap();
        let key = sign::signing_key_from_pem(&private).unwrap();
        let public = sign::verifying_key_from_pem(&public).unwrap();
        let envelope = sign::sign(record.as_bytes(), sign::PAYLOAD_TYPE, &key);
        let text = serde_json::to_string(&envelope).unwrap();
        let ok =
            verify_record(text.as_bytes(), Some(&public), &policy, &evidence, &options).unwrap();
        assert!(ok.verified(), "{ok:?}");
        assert!(matches!(ok.signature, SignatureCheck::Valid(_)));
        // Without the key: cannot be checked at all.
        assert!(verify_record(text.as_bytes(), None, &policy, &evidence, &options).is_err());
        // A forged outcome beside the signed payload.
        let mut forged: Value = serde_json::from_str(&text).unwrap();
        forged["outcome"] = Value::String("pass".into());
        let forged = forged.to_string();
        let check = verify_record(
            forged.as_bytes(),
            Some(&public),
            &policy,
            &evidence,
            &options,
        )
        .unwrap();
        assert!(!check.verified());
        assert!(matches!(check.signature, SignatureCheck::Rejected(_)));
        // An unsigned record where a key is required.
        let check = verify_record(
            record.as_bytes(),
            Some(&public),
            &policy,
            &evidence,
            &options,
        )
        .unwrap();
        assert!(!check.verified());
    }

    #[test]
    fn duplicate_keys_and_other_evidence_are_refused() {
        let (policy, evidence, options, record) = setup();
        let dup = record.replacen('{', "{\"outcome\": \"pass\",", 1);
        assert!(verify_record(dup.as_bytes(), None, &policy, &evidence, &options).is_err());
        let other = Evidence::from_json_str("e.json", r#"{"ok": true}"#).unwrap();
        let check = verify_record(record.as_bytes(), None, &policy, &other, &options).unwrap();
        assert!(!check.verified());
        assert!(!check.evidence[0].matches());
        assert!(!check.differences.is_empty());
    }
}
