//! Reading an attestation file: each envelope in it (a DSSE envelope, or a
//! Sigstore bundle holding one) is verified against the [`Trust`], and only
//! then is its payload read as an in-toto Statement.

use super::statement::{self, PAYLOAD_TYPE};
use super::trust::{NamedKey, SigstoreSigner};
use super::Trust;
use crate::decision::{AttestationMeta, Signer, SubjectMeta};
use crate::load::{self, Format, LoadError, LoadLimits};
use serde_json::{Map, Value};
use sha2::Digest as _;
use sigstore_verify::types::{
    Artifact, ArtifactDigest, Bundle, DigestBytes, HashAlgorithm, SignatureContent,
    VerificationMaterialContent,
};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy};

/// An attestation file, read.
pub(crate) struct Read {
    /// A list with one element per envelope.
    pub(crate) value: Value,
    /// The elements that failed verification: index and why.
    pub(crate) failed: Vec<(usize, String)>,
    /// What the record says of each envelope.
    pub(crate) metas: Vec<AttestationMeta>,
}

/// Reads every envelope of an attestation file: one JSON document (a DSSE
/// envelope or a Sigstore bundle) or JSON Lines of them. A file that is not
/// JSON is an error; an envelope that does not verify is an element that
/// cannot be read.
pub(crate) fn read(
    bytes: &[u8],
    source: &str,
    trust: &Trust,
    limits: &LoadLimits,
) -> Result<Read, LoadError> {
    let text = load::prepare(bytes, limits)?;
    let documents: Vec<(&str, Value)> = match load::parse(Format::Json, text.as_bytes(), limits) {
        Ok(parsed) => vec![(text, parsed.value)],
        // JSON Lines: one envelope per non-empty line.
        Err(whole) if text.trim_end().contains('\n') => {
            let mut out = Vec::new();
            for (n, line) in load::lines::lines(text) {
                let value = load::lines::document(n, line, limits).map_err(|e| LoadError {
                    kind: LoadError::syntax(format!("line {n} is not a JSON envelope: {}", e.kind)),
                    ..e
                })?;
                out.push((line, value));
            }
            if out.is_empty() {
                return Err(whole);
            }
            out
        }
        Err(e) => return Err(e),
    };
    if documents.len() > limits.max_list {
        return Err(LoadError::new(crate::load::LoadErrorKind::ListTooLong {
            pointer: String::new(),
            length: documents.len(),
            limit: limits.max_list,
        }));
    }
    let mut read = Read {
        value: Value::Array(Vec::with_capacity(documents.len())),
        failed: Vec::new(),
        metas: Vec::with_capacity(documents.len()),
    };
    for (index, (raw, document)) in documents.into_iter().enumerate() {
        let digest = crate::sha256_hex(raw.as_bytes());
        let envelope = serde_json::json!({"source": source, "index": index, "digest": digest});
        let (element, meta) = match verify(raw, &document, trust, limits) {
            Ok((statement, signer)) => {
                let meta = AttestationMeta {
                    index,
                    digest,
                    verified: true,
                    reason: None,
                    predicate_type: statement
                        .get("predicateType")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    subjects: subjects(&statement),
                    signer: Some(signer.clone()),
                };
                let mut element = statement;
                element.insert("signer".into(), signer_value(&signer));
                element.insert("envelope".into(), envelope);
                (Value::Object(element), meta)
            }
            Err(reason) => {
                read.failed.push((index, reason.clone()));
                let element = serde_json::json!({"error": reason, "envelope": envelope});
                let meta = AttestationMeta {
                    index,
                    digest,
                    verified: false,
                    reason: Some(reason),
                    predicate_type: None,
                    subjects: Vec::new(),
                    signer: None,
                };
                (element, meta)
            }
        };
        if let Value::Array(list) = &mut read.value {
            list.push(element);
        }
        read.metas.push(meta);
    }
    Ok(read)
}

/// The subjects of a statement, for the record.
fn subjects(statement: &Map<String, Value>) -> Vec<SubjectMeta> {
    let list = statement.get("subject").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .map(|s| SubjectMeta {
            name: s.get("name").and_then(Value::as_str).map(str::to_owned),
            digest: s
                .get("digest")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect(),
        })
        .collect()
}

/// The `signer` field a policy reads: every key present, `null` where the
/// kind of signature has none.
fn signer_value(s: &Signer) -> Value {
    serde_json::json!({
        "kind": s.kind,
        "name": s.name,
        "keyid": s.keyid,
        "identity": s.identity,
        "issuer": s.issuer,
        "signed_at": s.signed_at,
    })
}

/// The signer of a signature verified with the configured key `k`.
fn key_signer(k: &NamedKey, signed_at: Option<String>) -> Signer {
    Signer {
        kind: "key".into(),
        name: k.name.clone(),
        keyid: Some(k.key.fingerprint()),
        identity: None,
        issuer: None,
        signed_at,
    }
}

/// Verifies one envelope and decodes its statement.
fn verify(
    raw: &str,
    document: &Value,
    trust: &Trust,
    limits: &LoadLimits,
) -> Result<(Map<String, Value>, Signer), String> {
    if is_sigstore_bundle(document) {
        return match verify_bundle(raw, trust, limits, None)? {
            (Some(statement), signer) => Ok((statement, signer)),
            // A bundle of no file signs no statement (refused before).
            (None, _) => Err("the bundle signs a file, not an attestation".into()),
        };
    }
    if crate::sign::is_envelope(document) {
        return verify_dsse(document, trust, limits);
    }
    Err("not a DSSE envelope (`payloadType`, `payload`, `signatures`) or a Sigstore bundle (`mediaType`)".into())
}

/// Whether a document says it is a Sigstore bundle.
pub(crate) fn is_sigstore_bundle(document: &Value) -> bool {
    document
        .get("mediaType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
}

/// Verifies a signature of the file whose bytes are `file` against the
/// trust: a DSSE envelope, or a Sigstore bundle that holds one or signs
/// the file itself (a message signature, as `sigstore sign` and `cosign
/// sign-blob` write). Returns the signed statement, when there is one,
/// for the caller to check that it is of this file and says what it must;
/// a message signature is checked against the file here and has none.
pub(crate) fn verify_file_signature(
    raw: &str,
    trust: &Trust,
    limits: &LoadLimits,
    file: &[u8],
) -> Result<(Option<Map<String, Value>>, Signer), String> {
    let document = load::parse(Format::Json, raw.as_bytes(), limits)
        .map_err(|e| format!("it is not JSON: {}", e.kind))?
        .value;
    if is_sigstore_bundle(&document) {
        return verify_bundle(raw, trust, limits, Some(file));
    }
    if crate::sign::is_envelope(&document) {
        return verify_dsse(&document, trust, limits).map(|(s, signer)| (Some(s), signer));
    }
    Err("it is not a DSSE envelope (`payloadType`, `payload`, `signatures`) or a Sigstore bundle (`mediaType`)".into())
}

/// A DSSE envelope: some signature must verify with a trusted key.
fn verify_dsse(
    document: &Value,
    trust: &Trust,
    limits: &LoadLimits,
) -> Result<(Map<String, Value>, Signer), String> {
    let envelope: crate::sign::Envelope = serde_json::from_value(document.clone())
        .map_err(|e| format!("malformed DSSE envelope: {e}"))?;
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(format!(
            "the payload type is `{}`, not an in-toto statement (`{PAYLOAD_TYPE}`)",
            envelope.payload_type
        ));
    }
    if envelope.signatures.is_empty() {
        return Err("the envelope has no signatures".into());
    }
    let payload = crate::sign::decode_base64(&envelope.payload, || "payload".into())
        .map_err(|e| e.to_string())?;
    let message = crate::sign::pae(&envelope.payload_type, &payload);
    let mut signer = None;
    'found: for (i, signature) in envelope.signatures.iter().enumerate() {
        let sig = crate::sign::decode_base64(&signature.sig, || format!("signatures[{i}].sig"))
            .map_err(|e| e.to_string())?;
        if let Some(k) = trust.keys.iter().find(|k| k.key.verifies(&message, &sig)) {
            signer = Some(key_signer(k, None));
            break 'found;
        }
    }
    let Some(signer) = signer else {
        let keyless = document
            .get("signatures")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|s| s.get("cert").is_some()));
        let n = envelope.signatures.len();
        let none = if n == 1 {
            "its signature does not verify with a trusted key".to_string()
        } else {
            format!("none of its {n} signatures verifies with a trusted key")
        };
        return Err(if keyless {
            format!("{none}; it is signed with a certificate, which cannot be checked offline without its transparency-log entry: verify the Sigstore bundle (`.sigstore.json`, `.intoto.sigstore`) instead")
        } else if trust.keys.is_empty() {
            "it is a DSSE envelope, but no keys are trusted (`keys:` in the trust configuration)"
                .into()
        } else {
            let names: Vec<String> = trust.keys.iter().map(|k| format!("`{}`", k.name)).collect();
            format!("{none} ({})", names.join(", "))
        });
    };
    let statement = statement::decode(&payload, limits)?;
    Ok((statement, signer))
}

/// A Sigstore bundle: verified by `sigstore-verify` against a trusted root
/// (certificate chain, transparency log inclusion proof or signed entry
/// timestamp, signature), then matched against a configured signer.
///
/// `file` is the file a signature is of, when it is known: a DSSE
/// statement must then name its digest, and a message signature is
/// verified over it. Without one, a statement stands for its own first
/// subject (the policy decides which artefact it must be), and a message
/// signature cannot be checked.
fn verify_bundle(
    raw: &str,
    trust: &Trust,
    limits: &LoadLimits,
    file: Option<&[u8]>,
) -> Result<(Option<Map<String, Value>>, Signer), String> {
    let bundle = Bundle::from_json(raw).map_err(|e| format!("malformed Sigstore bundle: {e}"))?;
    // What was signed: the artefact sigstore-verify checks the bundle
    // against, and the message and signature a key alone verifies.
    let (statement, artifact, message, signature): (_, Artifact<'_>, Vec<u8>, &[u8]) = match &bundle
        .content
    {
        SignatureContent::DsseEnvelope(envelope) => {
            if envelope.payload_type != PAYLOAD_TYPE {
                return Err(format!(
                    "the payload type is `{}`, not an in-toto statement (`{PAYLOAD_TYPE}`)",
                    envelope.payload_type
                ));
            }
            let statement = statement::decode(envelope.payload.as_bytes(), limits)?;
            let digest = match file {
                Some(file) => ArtifactDigest::new(
                    HashAlgorithm::Sha2256,
                    DigestBytes::new(sha2::Sha256::digest(file).to_vec()),
                )
                .map_err(|e| e.to_string())?,
                None => subject_digest(&statement)?,
            };
            let message = crate::sign::pae(&envelope.payload_type, envelope.payload.as_bytes());
            (
                Some(statement),
                Artifact::Digest(digest),
                message,
                envelope.signature.sig.as_bytes(),
            )
        }
        SignatureContent::MessageSignature(signed) => {
            let Some(file) = file else {
                return Err("the bundle signs a file (a message signature), not an attestation: give the attestation's bundle".into());
            };
            (
                None,
                Artifact::Blob(file),
                file.to_vec(),
                signed.signature.as_bytes(),
            )
        }
        #[allow(unreachable_patterns)]
        _ => return Err("the bundle holds neither a DSSE envelope nor a message signature".into()),
    };

    if let VerificationMaterialContent::PublicKey(_) = &bundle.verification_material.content {
        if trust.keys.is_empty() {
            return Err("the bundle is signed with a key, but no keys are trusted (`keys:` in the trust configuration)".into());
        }
        let mut last = String::new();
        for k in &trust.keys {
            let Some(root) = &k.root else {
                // No transparency log configured for this key: the key is
                // the trust, as for a DSSE envelope (model-signing's and
                // cosign's offline key signatures carry no log entry).
                if k.key.verifies(&message, signature) {
                    return Ok((statement, key_signer(k, None)));
                }
                last = format!("key `{}`: the signature does not verify", k.name);
                continue;
            };
            let policy = PublicKeyVerificationPolicy::new(k.key.der().clone());
            match root.verifier.verify(artifact.clone(), &bundle, &policy) {
                Ok(result) => {
                    let signed_at = result.verified_timestamps().first().map(|t| t.to_string());
                    return Ok((statement, key_signer(k, signed_at)));
                }
                Err(e) => last = format!("key `{}`: {e}", k.name),
            }
        }
        return Err(format!("no trusted key verifies the bundle ({last})"));
    }

    if trust.sigstore.is_empty() {
        return Err("it is a keyless Sigstore bundle, but no Sigstore signers are trusted (`sigstore:` in the trust configuration)".into());
    }
    let mut reasons = Vec::new();
    for s in &trust.sigstore {
        match verify_keyless(&bundle, artifact.clone(), s) {
            Ok(signer) => return Ok((statement, signer)),
            Err(e) => reasons.push(format!("`{}`: {e}", s.name)),
        }
    }
    Err(format!(
        "not signed by a trusted signer ({})",
        reasons.join("; ")
    ))
}

/// The artefact a statement stands for when no file is given: its first
/// sha256 (or sha512) subject digest.
fn subject_digest(statement: &Map<String, Value>) -> Result<ArtifactDigest, String> {
    let (alg, hex) = statement::first_digest(statement)
        .ok_or("the statement has no sha256 or sha512 subject digest")?;
    let bytes = super::keys::decode_hex(hex)
        .ok_or_else(|| format!("subject digest `{alg}:{hex}` is not hex"))?;
    let algorithm = if alg == "sha256" {
        HashAlgorithm::Sha2256
    } else {
        HashAlgorithm::Sha2512
    };
    ArtifactDigest::new(algorithm, DigestBytes::new(bytes))
        .map_err(|e| format!("subject digest `{alg}:{hex}`: {e}"))
}

/// One keyless signer's check of a bundle.
fn verify_keyless(
    bundle: &Bundle,
    artifact: Artifact<'_>,
    s: &SigstoreSigner,
) -> Result<Signer, String> {
    let mut policy = VerificationPolicy::any_identity().require_issuer(s.issuer.clone());
    if let super::Identity::Exact(identity) = &s.identity {
        policy = policy.require_identity(identity.clone());
    }
    let result = s
        .root
        .verifier
        .verify(artifact, bundle, &policy)
        .map_err(|e| e.to_string())?;
    let identity = result.identity().map(|i| i.as_str().to_owned());
    match &identity {
        Some(id) if s.identity.matches(id) => {}
        found => {
            return Err(format!(
                "identity mismatch: expected {}, got {}",
                s.describe_identity(),
                found
                    .as_deref()
                    .map_or("none".to_string(), |f| format!("`{f}`"))
            ))
        }
    }
    let signed_at = result
        .integrated_time()
        .or_else(|| result.verified_timestamps().first().copied())
        .map(|t| t.to_string());
    Ok(Signer {
        kind: "sigstore".into(),
        name: s.name.clone(),
        keyid: None,
        identity,
        issuer: result.issuer().map(str::to_owned),
        signed_at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! Signatures of files, with real Sigstore bundles from
    //! sigstore-conformance (tests/attestations/README.md): keyless and
    //! key-signed message signatures of `a.txt`, and a keyless DSSE
    //! statement of it.
    use super::*;
    use std::path::PathBuf;

    const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    fn assets() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/attestations")
    }

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(assets().join(name)).unwrap()
    }

    fn trust(config: &str) -> Trust {
        Trust::from_config(config.as_bytes(), &assets()).unwrap()
    }

    fn keyless(identity: &str) -> Trust {
        trust(&format!(
            "sigstore:\n  - name: beacon\n    trusted_root: sigstore-public-good.trusted_root.json\n    identity: {identity}\n    issuer: https://token.actions.githubusercontent.com\n"
        ))
    }

    fn verify(
        bundle: &str,
        trust: &Trust,
        file: &[u8],
    ) -> Result<(Option<Map<String, Value>>, Signer), String> {
        let raw = String::from_utf8(read(bundle)).unwrap();
        verify_file_signature(&raw, trust, &LoadLimits::default(), file)
    }

    #[test]
    fn a_keyless_message_signature_is_of_its_file_only() {
        let a = read("sigstore-conformance/a.txt");
        let bundle = "sigstore-conformance/happy-path-v0.3.sigstore.json";
        let (statement, signer) = verify(bundle, &keyless(BEACON), &a).unwrap();
        assert!(statement.is_none());
        assert_eq!(signer.kind, "sigstore");
        assert_eq!(signer.identity.as_deref(), Some(BEACON));
        assert!(signer.signed_at.is_some());
        // Another file; another identity.
        let mut other = a.clone();
        other.push(b'\n');
        assert!(verify(bundle, &keyless(BEACON), &other).is_err());
        let e = verify(bundle, &keyless("https://github.com/acme/x"), &a).unwrap_err();
        assert!(e.contains("not signed by a trusted signer"), "{e}");
        // As an attestation (no file), a message signature is refused.
        let raw = String::from_utf8(read(bundle)).unwrap();
        let e = verify_bundle(&raw, &keyless(BEACON), &LoadLimits::default(), None).unwrap_err();
        assert!(e.contains("signs a file"), "{e}");
    }

    #[test]
    fn a_key_signed_message_signature_verifies_with_its_key() {
        let a = read("sigstore-conformance/a.txt");
        let bundle = "sigstore-conformance/managed-key-happy-path.sigstore.json";
        // With its transparency log entry checked against the root.
        let logged = trust("keys:\n  - name: managed\n    file: sigstore-conformance/managed-key-happy-path.pub\n    trusted_root: sigstore-public-good.trusted_root.json\n");
        let (statement, signer) = verify(bundle, &logged, &a).unwrap();
        assert!(statement.is_none());
        assert_eq!(
            (signer.kind.as_str(), signer.name.as_str()),
            ("key", "managed")
        );
        assert!(signer.signed_at.is_some(), "{signer:?}");
        // The key alone.
        let key = trust(
            "keys:\n  - name: managed\n    file: sigstore-conformance/managed-key-happy-path.pub\n",
        );
        let (_, signer) = verify(bundle, &key, &a).unwrap();
        assert_eq!(signer.signed_at, None);
        assert!(verify(bundle, &key, b"another file").is_err());
        assert!(verify(bundle, &logged, b"another file").is_err());
        // Another key.
        let (_, public) = crate::sign::generate_pem_pair().unwrap();
        let other = Trust::new().key(
            "other",
            super::super::PublicKey::read(public.as_bytes()).unwrap(),
        );
        let e = verify(bundle, &other, &a).unwrap_err();
        assert!(e.contains("no trusted key verifies"), "{e}");
    }

    #[test]
    fn a_keyless_statement_must_name_the_file() {
        let a = read("sigstore-conformance/a.txt");
        let bundle = "sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json";
        let (statement, signer) = verify(bundle, &keyless(BEACON), &a).unwrap();
        assert!(statement.unwrap().contains_key("predicate"));
        assert_eq!(signer.identity.as_deref(), Some(BEACON));
        assert!(verify(bundle, &keyless(BEACON), b"another file").is_err());
    }

    #[test]
    fn what_is_not_a_signature_is_refused() {
        let t = keyless(BEACON);
        for raw in [
            "",
            "[]",
            "{}",
            r#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
        ] {
            assert!(
                verify_file_signature(raw, &t, &LoadLimits::default(), b"x").is_err(),
                "{raw}"
            );
        }
    }
}
