//! Decisions as attestations: an SLSA Verification Summary Attestation
//! (VSA v1) about the artefact, with gate's full decision record beside it,
//! each an in-toto Statement v1 in a DSSE envelope signed with the
//! record-signing key, written as two lines of JSON (`.intoto.jsonl`).
//!
//! Why two statements rather than one: a VSA's predicate has a fixed shape
//! that VSA consumers (slsa-verifier, in-toto-attestation's VSA model,
//! Conforma) read strictly, so the record cannot ride inside it; and a
//! consumer that knows only VSAs must be able to take the first line
//! without understanding the second. The second statement has the same
//! subject and its own predicate type ([`RECORD_PREDICATE_TYPE`]), whose
//! predicate is the decision record exactly as `gate check --format json`
//! writes it; `gate verify-record` checks that the two agree (result,
//! policy digest, inputs, time) and replays the record.
//!
//! ```
//! use gate_eval::attest::vsa::{self, VsaOptions};
//! use gate_eval::{Evidence, Options, Policy};
//! let policy = Policy::from_source("release.gate",
//!     "gate release {}\nevidence { ok: bool }\nrule r { require ok }\n").unwrap();
//! let evidence = Evidence::from_json_str("e.json", r#"{"ok": true}"#).unwrap();
//! let decision = policy.evaluate(&evidence, &Options::default());
//! let options = VsaOptions::new("app.tar", &format!("sha256:{}", "ab".repeat(32)), "pkg:generic/app@1.0");
//! let (summary, record) = vsa::statements(&decision, &options).unwrap();
//! assert_eq!(summary["predicate"]["verificationResult"], "PASSED");
//! assert_eq!(summary["predicate"]["verifiedLevels"][0], "GATE_RELEASE");
//! assert_eq!(record["predicate"]["outcome"], "pass");
//! ```

use crate::decision::Decision;
use crate::sign::{self, SigningKey, VerifyingKey};
use crate::Error;
use serde_json::{json, Map, Value};

/// The predicate type of an SLSA Verification Summary Attestation v1.
pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";

/// The predicate type of the statement that carries a gate decision record
/// (a URN: it names the record format, `gate-decision/v1`, not a place).
pub const RECORD_PREDICATE_TYPE: &str = "urn:gate:decision-record:v1";

/// The verifier id written when none is set: set your organisation's own
/// (`--verifier-id`), as the VSA specification asks.
pub const DEFAULT_VERIFIER_ID: &str = "urn:gate:verifier";

/// The DSSE payload type of an in-toto Statement.
pub const STATEMENT_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// What a VSA says beyond the decision: which artefact, which verifier.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VsaOptions {
    /// The artefact's name (the subject's `name`).
    pub subject_name: String,
    /// The artefact's digest, `ALGORITHM:HEX` (`sha256:…`).
    pub subject_digest: String,
    /// The artefact's URI (`resourceUri`): a package URL, an image reference.
    pub resource_uri: String,
    /// The verifier's id (`verifier.id`).
    pub verifier_id: String,
    /// The levels verified when the decision passes; `FAILED` otherwise.
    /// Empty: `GATE_<GATE NAME>`.
    pub verified_levels: Vec<String>,
    /// The policy's URI (`policy.uri`); the gate's record name when unset.
    pub policy_uri: Option<String>,
}

impl VsaOptions {
    /// Options for the artefact `name` with `digest` (`sha256:…`) at
    /// `resource_uri`, with the default verifier id and levels.
    pub fn new(name: &str, digest: &str, resource_uri: &str) -> VsaOptions {
        VsaOptions {
            subject_name: name.to_owned(),
            subject_digest: digest.to_owned(),
            resource_uri: resource_uri.to_owned(),
            verifier_id: DEFAULT_VERIFIER_ID.to_owned(),
            verified_levels: Vec::new(),
            policy_uri: None,
        }
    }

    /// Sets the verifier id.
    pub fn verifier_id(mut self, id: &str) -> VsaOptions {
        self.verifier_id = id.to_owned();
        self
    }

    /// Sets the levels a passing decision verifies.
    pub fn verified_levels(mut self, levels: Vec<String>) -> VsaOptions {
        self.verified_levels = levels;
        self
    }

    /// Sets the policy's URI.
    pub fn policy_uri(mut self, uri: &str) -> VsaOptions {
        self.policy_uri = Some(uri.to_owned());
        self
    }
}

/// `ALGORITHM:HEX` as an in-toto digest map.
fn digest_map(text: &str, what: &str) -> Result<Value, Error> {
    let bad = || Error::Record {
        source: what.to_owned(),
        message: format!("`{text}` is not a digest written `ALGORITHM:HEX` (`sha256:…`)"),
    };
    let (alg, hex) = text.split_once(':').ok_or_else(bad)?;
    let good = !alg.is_empty()
        && alg
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !hex.is_empty()
        && hex.len() % 2 == 0
        && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !good {
        return Err(bad());
    }
    Ok(json!({ alg: hex.to_ascii_lowercase() }))
}

/// The default level of a passing decision of the gate `name`.
fn gate_level(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("GATE_{upper}")
}

/// What the decision was made on, as the VSA's `inputAttestations`: every
/// evidence document, and each envelope of an attestation file in its
/// stead, by digest.
fn input_attestations(decision: &Decision) -> Result<Vec<Value>, Error> {
    let mut inputs = Vec::new();
    for doc in &decision.evidence {
        if doc.attestations.is_empty() {
            inputs.push(json!({"uri": doc.source, "digest": digest_map(&doc.digest, "evidence")?}));
        }
        for a in &doc.attestations {
            inputs.push(json!({
                "uri": format!("{}#{}", doc.source, a.index),
                "digest": digest_map(&a.digest, "an attestation")?,
            }));
        }
    }
    Ok(inputs)
}

/// The two statements of a decision: the VSA and the record's statement.
pub fn statements(decision: &Decision, options: &VsaOptions) -> Result<(Value, Value), Error> {
    let subject = json!([{
        "name": options.subject_name,
        "digest": digest_map(&options.subject_digest, "the VSA subject")?,
    }]);
    let passed = decision.permits_with_warnings();
    let levels: Vec<String> = if !passed {
        vec!["FAILED".to_owned()]
    } else if options.verified_levels.is_empty() {
        vec![gate_level(&decision.gate.name)]
    } else {
        options.verified_levels.clone()
    };
    if let Some(bad) = levels.iter().find(|l| passed && l.as_str() == "FAILED") {
        return Err(Error::Record {
            source: "the VSA".into(),
            message: format!("a passing decision cannot verify the level `{bad}`"),
        });
    }
    let inputs = input_attestations(decision)?;
    let policy_uri = options.policy_uri.clone().unwrap_or_else(|| {
        decision
            .policy
            .sources
            .first()
            .map_or_else(|| decision.gate.name.clone(), |s| s.name.clone())
    });
    let summary = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": VSA_PREDICATE_TYPE,
        "predicate": {
            "verifier": {
                "id": options.verifier_id,
                "version": { decision.engine.name.clone(): decision.engine.version },
            },
            "timeVerified": decision.evaluated_at,
            "resourceUri": options.resource_uri,
            "policy": {
                "uri": policy_uri,
                "digest": digest_map(&decision.policy.digest, "the policy")?,
            },
            "inputAttestations": inputs,
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            "verifiedLevels": levels,
            "slsaVersion": "1.0",
        },
    });
    let record = serde_json::to_value(decision).map_err(|e| Error::Record {
        source: "the decision".into(),
        message: e.to_string(),
    })?;
    let carried = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": RECORD_PREDICATE_TYPE,
        "predicate": record,
    });
    Ok((summary, carried))
}

/// The two statements signed with `key`, as two lines of JSON (each a DSSE
/// envelope), ending with a newline.
pub fn write(decision: &Decision, options: &VsaOptions, key: &SigningKey) -> Result<String, Error> {
    let (summary, record) = statements(decision, options)?;
    let mut out = String::new();
    for statement in [summary, record] {
        let payload = serde_json::to_vec(&statement).map_err(|e| Error::Record {
            source: "the VSA".into(),
            message: e.to_string(),
        })?;
        let envelope = sign::sign(&payload, STATEMENT_PAYLOAD_TYPE, key);
        let line = serde_json::to_string(&envelope).map_err(|e| Error::Record {
            source: "the VSA".into(),
            message: e.to_string(),
        })?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Whether `bytes` look like what [`write`] writes: JSON Lines whose first
/// line is a DSSE envelope of an in-toto Statement.
pub fn looks_like_vsa(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    serde_json::from_str::<Value>(first).is_ok_and(|v| {
        sign::is_envelope(&v)
            && v.get("payloadType").and_then(Value::as_str) == Some(STATEMENT_PAYLOAD_TYPE)
    })
}

/// A VSA file, its signatures verified.
pub(crate) struct Read {
    /// The VSA statement.
    pub(crate) summary: Map<String, Value>,
    /// The decision record carried beside it, as JSON bytes.
    pub(crate) record: Vec<u8>,
}

/// Reads what [`write`] writes, verifying both envelopes with `key`.
/// Anything else — another number of lines, a field the signature does not
/// cover, another payload or predicate type, subjects that differ — is
/// refused with why.
pub(crate) fn read(bytes: &[u8], key: &VerifyingKey) -> Result<Read, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_string())?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let [first, second] = lines.as_slice() else {
        return Err(format!(
            "a VSA file has two lines (the VSA and the decision record's statement), not {}",
            lines.len()
        ));
    };
    let mut statements = Vec::new();
    for (n, line) in [first, second].into_iter().enumerate() {
        let value = crate::load::parse(
            crate::Format::Json,
            line.as_bytes(),
            &crate::LoadLimits::default(),
        )
        .map_err(|e| format!("line {} is not strict JSON: {e}", n + 1))?
        .value;
        sign::check_fields(&value).map_err(|e| format!("line {}: {e}", n + 1))?;
        let envelope: sign::Envelope = serde_json::from_value(value)
            .map_err(|e| format!("line {} is not a DSSE envelope: {e}", n + 1))?;
        let payload = sign::verify_as(&envelope, key, STATEMENT_PAYLOAD_TYPE)
            .map_err(|e| format!("line {}: {e}", n + 1))?;
        let statement =
            crate::load::parse(crate::Format::Json, &payload, &crate::LoadLimits::default())
                .map_err(|e| format!("line {}: the payload is not strict JSON: {e}", n + 1))?
                .value;
        let Value::Object(statement) = statement else {
            return Err(format!("line {}: the payload is not a statement", n + 1));
        };
        statements.push(statement);
    }
    let record_statement = statements.pop().unwrap_or_default();
    let summary = statements.pop().unwrap_or_default();
    let kind = |s: &Map<String, Value>| {
        s.get("predicateType")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if kind(&summary).as_deref() != Some(VSA_PREDICATE_TYPE) {
        return Err(format!(
            "line 1 is not a VSA (`predicateType` `{VSA_PREDICATE_TYPE}`)"
        ));
    }
    if kind(&record_statement).as_deref() != Some(RECORD_PREDICATE_TYPE) {
        return Err(format!(
            "line 2 does not carry a decision record (`predicateType` `{RECORD_PREDICATE_TYPE}`)"
        ));
    }
    if summary.get("subject") != record_statement.get("subject") {
        return Err("the VSA and the decision record are about different subjects".into());
    }
    let record = record_statement
        .get("predicate")
        .map(|p| serde_json::to_vec(p).unwrap_or_default())
        .ok_or("line 2 has no decision record")?;
    Ok(Read { summary, record })
}

/// Where the VSA says something the record (or the decision made again)
/// does not: pointer, what the VSA says, what it should say.
pub(crate) fn disagreements(
    summary: &Map<String, Value>,
    decision: &Decision,
) -> Vec<(String, String, String)> {
    let predicate = summary.get("predicate").cloned().unwrap_or_default();
    let passed = decision.permits_with_warnings();
    let mut wanted = vec![
        (
            "/verificationResult",
            json!(if passed { "PASSED" } else { "FAILED" }),
        ),
        ("/timeVerified", json!(decision.evaluated_at)),
    ];
    if let Ok(policy) = digest_map(&decision.policy.digest, "the policy") {
        wanted.push(("/policy/digest", policy));
    }
    if !passed {
        wanted.push(("/verifiedLevels", json!(["FAILED"])));
    }
    let mut out: Vec<(String, String, String)> = wanted
        .into_iter()
        .filter_map(|(pointer, want)| {
            let found = predicate.pointer(pointer).cloned().unwrap_or(Value::Null);
            (found != want).then(|| {
                (
                    format!("/vsa/predicate{pointer}"),
                    found.to_string(),
                    want.to_string(),
                )
            })
        })
        .collect();
    let digests = |list: &[Value]| -> Vec<Value> {
        list.iter()
            .map(|i| i.get("digest").cloned().unwrap_or_default())
            .collect()
    };
    let inputs = digests(&input_attestations(decision).unwrap_or_default());
    let found = predicate
        .get("inputAttestations")
        .and_then(Value::as_array)
        .map(|a| digests(a))
        .unwrap_or_default();
    if found != inputs {
        out.push((
            "/vsa/predicate/inputAttestations".into(),
            Value::from(found).to_string(),
            Value::from(inputs).to_string(),
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_checked() {
        assert_eq!(
            digest_map("sha256:AB", "x").unwrap(),
            json!({"sha256": "ab"})
        );
        for bad in ["ab", "sha256:", ":ab", "sha256:xyz", "SHA256:ab"] {
            assert!(digest_map(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn levels() {
        assert_eq!(gate_level("release"), "GATE_RELEASE");
        assert_eq!(gate_level("prod-ready.v2"), "GATE_PROD_READY_V2");
    }
}
