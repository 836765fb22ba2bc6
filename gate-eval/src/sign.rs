//! Signing and verifying decision records in DSSE envelopes with ed25519.
//!
//! [DSSE] (in-toto's Dead Simple Signing Envelope) wraps an arbitrary byte
//! payload together with its type and one or more signatures. Each signature
//! is computed over the pre-authentication encoding ([`pae`]) of the payload
//! type and the payload bytes, so neither can be swapped without breaking the
//! signature.
//!
//! Keys are exchanged as PEM: private keys as PKCS#8 (`BEGIN PRIVATE KEY`) and
//! public keys as SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`), the formats that
//! `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write.
//!
//! [DSSE]: https://github.com/secure-systems-lab/dsse

use base64::engine::general_purpose::STANDARD;
use base64::engine::Engine as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::der::zeroize::{Zeroize as _, Zeroizing};
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::Signer as _;
/// The ed25519 keys records are signed and verified with (from
/// `ed25519-dalek`): read them with [`signing_key_from_pem`] and
/// [`verifying_key_from_pem`].
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// The DSSE payload type of a gate decision record.
pub const PAYLOAD_TYPE: &str = "application/vnd.gate.decision+json";

/// A DSSE envelope in its standard JSON form.
///
/// Serializes as `{"payload": ..., "payloadType": ..., "signatures": [...]}`.
/// Deserializing ignores unknown fields, as the DSSE spec asks of a parser;
/// a verifier of records should first refuse them with [`check_fields`], so
/// that no reader of the file can take a field beside the signed payload
/// (an `"outcome"`, say) for part of what was signed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The payload bytes in base64. [`sign`] writes the standard alphabet with
    /// padding; [`verify`] also accepts the URL-safe alphabet and missing
    /// padding, as the DSSE spec allows either.
    pub payload: String,
    /// The type of the payload, covered by the signatures (see [`PAYLOAD_TYPE`]).
    pub payload_type: String,
    /// The signatures over `pae(payload_type, payload)`.
    pub signatures: Vec<Signature>,
}

/// One signature of a DSSE envelope.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    /// The id of the signing key (see [`key_id`]). Not covered by the
    /// signature. Optional in DSSE: a missing `keyid` reads as empty.
    #[serde(default)]
    pub keyid: String,
    /// The 64-byte ed25519 signature in base64.
    pub sig: String,
}

/// Why verifying an envelope, or reading or generating a key, failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// A key could not be read, or is not the kind of key expected.
    #[error("bad key: {message}")]
    BadKey {
        /// What is wrong with the key.
        message: String,
    },
    /// A base64 field of the envelope does not decode.
    #[error("envelope field `{field}` is not valid base64")]
    BadBase64 {
        /// The field, such as `payload` or `signatures[0].sig`.
        field: String,
    },
    /// The envelope carries a payload type other than the expected one.
    #[error("payload type `{found}` is not the expected `{expected}`")]
    WrongPayloadType {
        /// The payload type of the envelope.
        found: String,
        /// The payload type that was expected.
        expected: String,
    },
    /// The envelope has no signatures at all.
    #[error("envelope has no signatures")]
    Unsigned,
    /// No signature of the envelope names the verifying key.
    #[error("no signature made with key `{keyid}`; envelope is signed by {}", describe_keyids(.found))]
    KeyNotUsed {
        /// The key id of the verifying key.
        keyid: String,
        /// The key ids of the signatures present, in envelope order.
        found: Vec<String>,
    },
    /// A signature names the verifying key but does not verify.
    #[error("signature by key `{keyid}` does not verify")]
    BadSignature {
        /// The key id of the verifying key.
        keyid: String,
    },
    /// The envelope, or one of its signatures, has a field DSSE does not
    /// define (see [`check_fields`]).
    #[error("envelope has a field that is not signed: `{field}` (only `payload`, `payloadType` and `signatures`, and `keyid` and `sig` in a signature, are allowed)")]
    UnknownField {
        /// Where: `outcome`, or `signatures[0].outcome`.
        field: String,
    },
    /// The operating system could not supply randomness.
    #[error("cannot generate a random key seed: {message}")]
    Random {
        /// The error reported by the random source.
        message: String,
    },
}

/// Formats the key ids of a [`SignError::KeyNotUsed`] for its message.
fn describe_keyids(found: &[String]) -> String {
    if found.is_empty() {
        return "no key".to_owned();
    }
    found
        .iter()
        .map(|keyid| format!("`{keyid}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decodes base64 in the standard or the URL-safe alphabet (not a mix),
/// padding optional ([`crate::load::decode::base64`]).
pub(crate) fn decode_base64(
    text: &str,
    field: impl FnOnce() -> String,
) -> Result<Vec<u8>, SignError> {
    crate::load::decode::base64(text).ok_or_else(|| SignError::BadBase64 { field: field() })
}

/// DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body (LEN as ASCII decimal).
///
/// `LEN` is the length in bytes, so a multi-byte UTF-8 payload type counts
/// each of its bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let header = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    let mut out = Vec::with_capacity(header.len() + payload.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// A key id: "sha256:" + lowercase hex of SHA-256 over the raw 32-byte public key.
pub fn key_id(key: &VerifyingKey) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(key.as_bytes());
    let mut out = String::with_capacity("sha256:".len() + 2 * digest.len());
    out.push_str("sha256:");
    for byte in digest {
        for nibble in [byte >> 4, byte & 0x0f] {
            if let Some(&digit) = HEX.get(usize::from(nibble)) {
                out.push(char::from(digit));
            }
        }
    }
    out
}

/// Signs `payload` (the exact bytes of a decision record) with `payload_type`.
///
/// The envelope holds one signature, whose `keyid` is [`key_id`] of the
/// public half of `key`. The payload is written in standard base64 with
/// padding. Any `payload_type` may be signed, but [`verify`] only accepts
/// [`PAYLOAD_TYPE`].
///
/// # Example
///
/// ```
/// use gate_eval::sign::{PAYLOAD_TYPE, generate_pem_pair, sign, signing_key_from_pem, verify, verifying_key_from_pem};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (private_pem, public_pem) = generate_pem_pair()?;
/// let signing_key = signing_key_from_pem(&private_pem)?;
/// let verifying_key = verifying_key_from_pem(&public_pem)?;
///
/// let record = br#"{"decision":"allow"}"#;
/// let envelope = sign(record, PAYLOAD_TYPE, &signing_key);
/// assert_eq!(envelope.signatures.len(), 1);
///
/// let json = serde_json::to_string(&envelope)?;
/// let envelope = serde_json::from_str(&json)?;
/// assert_eq!(verify(&envelope, &verifying_key)?, record);
/// # Ok(())
/// # }
/// ```
pub fn sign(payload: &[u8], payload_type: &str, key: &SigningKey) -> Envelope {
    let signature = key.sign(&pae(payload_type, payload));
    Envelope {
        payload: STANDARD.encode(payload),
        payload_type: payload_type.to_owned(),
        signatures: vec![Signature {
            keyid: key_id(&key.verifying_key()),
            sig: STANDARD.encode(signature.to_bytes()),
        }],
    }
}

/// Verifies every rule below and returns the payload bytes.
///
/// In order:
///
/// 1. the payload type must be [`PAYLOAD_TYPE`], else
///    [`SignError::WrongPayloadType`];
/// 2. there must be at least one signature, else [`SignError::Unsigned`];
/// 3. the payload must be base64, else [`SignError::BadBase64`];
/// 4. at least one signature must carry `keyid == key_id(key)`, else
///    [`SignError::KeyNotUsed`] (signatures by other keys are ignored, never
///    checked);
/// 5. **every** signature carrying that keyid must be valid base64
///    ([`SignError::BadBase64`]) and must pass [`VerifyingKey::verify_strict`]
///    over `pae(payloadType, payload)`, else [`SignError::BadSignature`]; a
///    failing signature is never excused by another one with the same keyid.
///
/// The returned bytes are the ones the signature covers; use them rather than
/// decoding `envelope.payload` again. They are not checked to be JSON.
///
/// # Example
///
/// ```
/// use gate_eval::sign::{PAYLOAD_TYPE, SignError, generate_pem_pair, sign, signing_key_from_pem, verify, verifying_key_from_pem};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (private_pem, public_pem) = generate_pem_pair()?;
/// let signing_key = signing_key_from_pem(&private_pem)?;
/// let verifying_key = verifying_key_from_pem(&public_pem)?;
///
/// let mut envelope = sign(br#"{"decision":"deny"}"#, PAYLOAD_TYPE, &signing_key);
/// assert_eq!(verify(&envelope, &verifying_key)?, br#"{"decision":"deny"}"#);
///
/// envelope.signatures.clear();
/// assert!(matches!(verify(&envelope, &verifying_key), Err(SignError::Unsigned)));
/// # Ok(())
/// # }
/// ```
pub fn verify(envelope: &Envelope, key: &VerifyingKey) -> Result<Vec<u8>, SignError> {
    verify_as(envelope, key, PAYLOAD_TYPE)
}

/// [`verify`] for an envelope of the payload type `payload_type` (an
/// in-toto Statement's, say) rather than a decision record's.
pub fn verify_as(
    envelope: &Envelope,
    key: &VerifyingKey,
    payload_type: &str,
) -> Result<Vec<u8>, SignError> {
    if envelope.payload_type != payload_type {
        return Err(SignError::WrongPayloadType {
            found: envelope.payload_type.clone(),
            expected: payload_type.to_owned(),
        });
    }
    if envelope.signatures.is_empty() {
        return Err(SignError::Unsigned);
    }
    let payload = decode_base64(&envelope.payload, || "payload".to_owned())?;
    let keyid = key_id(key);
    let message = pae(&envelope.payload_type, &payload);

    let mut used = false;
    for (index, signature) in envelope.signatures.iter().enumerate() {
        if signature.keyid != keyid {
            continue;
        }
        used = true;
        let raw = decode_base64(&signature.sig, || format!("signatures[{index}].sig"))?;
        let bad = || SignError::BadSignature {
            keyid: keyid.clone(),
        };
        let signature = ed25519_dalek::Signature::from_slice(&raw).map_err(|_| bad())?;
        key.verify_strict(&message, &signature).map_err(|_| bad())?;
    }
    if !used {
        return Err(SignError::KeyNotUsed {
            keyid,
            found: envelope
                .signatures
                .iter()
                .map(|signature| signature.keyid.clone())
                .collect(),
        });
    }
    Ok(payload)
}

/// The PEM label of a PKCS#8 private key.
const PRIVATE_PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
/// The PEM label of a SubjectPublicKeyInfo public key.
const PUBLIC_PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";

/// Reads a private key: PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", as `openssl genpkey -algorithm ed25519` writes).
///
/// Surrounding whitespace is ignored. Encrypted PKCS#8
/// (`BEGIN ENCRYPTED PRIVATE KEY`) is not supported.
pub fn signing_key_from_pem(pem: &str) -> Result<SigningKey, SignError> {
    let pem = pem.trim();
    if pem.starts_with(PUBLIC_PEM_BEGIN) {
        return Err(SignError::BadKey {
            message: "expected a private key, found a public key".to_owned(),
        });
    }
    SigningKey::from_pkcs8_pem(pem).map_err(|error| SignError::BadKey {
        message: format!("not an ed25519 private key in PKCS#8 PEM: {error}"),
    })
}

/// Reads a public key: SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----", as `openssl pkey -pubout` writes).
///
/// Surrounding whitespace is ignored. A private key is refused with
/// [`SignError::BadKey`] rather than having its public half derived.
pub fn verifying_key_from_pem(pem: &str) -> Result<VerifyingKey, SignError> {
    let pem = pem.trim();
    if pem.starts_with(PRIVATE_PEM_BEGIN) {
        return Err(SignError::BadKey {
            message: "expected a public key, found a private key".to_owned(),
        });
    }
    VerifyingKey::from_public_key_pem(pem).map_err(|error| SignError::BadKey {
        message: format!("not an ed25519 public key in SubjectPublicKeyInfo PEM: {error}"),
    })
}

/// A new key pair as (private PKCS#8 PEM, public SPKI PEM).
///
/// The seed comes from the operating system (`getrandom`). Both PEMs use `\n`
/// line endings and end with a newline. The private key is written as PKCS#8
/// v1 (seed only, no embedded public key), byte-for-byte the layout of
/// `openssl genpkey -algorithm ed25519`, because OpenSSL before 3.5 cannot
/// read the v2 form that `ed25519-dalek` writes by default.
///
/// The private PEM is secret: the returned `String` is not wiped on drop, so
/// write it out and drop it soon.
pub fn generate_pem_pair() -> Result<(String, String), SignError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|error| SignError::Random {
        message: error.to_string(),
    })?;
    let key = SigningKey::from_bytes(&seed);
    let private_pem = private_key_pem(&key)?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|error| SignError::BadKey {
            message: format!("cannot encode public key: {error}"),
        })?;
    Ok((String::clone(&private_pem), public_pem))
}

/// Encodes `key` as PKCS#8 v1 PEM (without the optional public key).
fn private_key_pem(key: &SigningKey) -> Result<Zeroizing<String>, SignError> {
    let mut keypair = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    };
    let pem = keypair.to_pkcs8_pem(LineEnding::LF);
    keypair.secret_key.zeroize();
    pem.map_err(|error| SignError::BadKey {
        message: format!("cannot encode private key: {error}"),
    })
}

/// Refuses an envelope that carries anything besides `payload`,
/// `payloadType` and `signatures`, or a signature with anything besides
/// `keyid` and `sig`: nothing but the payload is signed, so a reader must
/// not be shown anything else.
///
/// ```
/// use gate_eval::sign::{check_fields, SignError};
/// let ok = serde_json::json!({"payload": "", "payloadType": "t", "signatures": [{"keyid": "k", "sig": ""}]});
/// assert!(check_fields(&ok).is_ok());
/// let forged = serde_json::json!({"payload": "", "payloadType": "t", "signatures": [], "outcome": "pass"});
/// assert!(matches!(check_fields(&forged), Err(SignError::UnknownField { field }) if field == "outcome"));
/// ```
pub fn check_fields(value: &serde_json::Value) -> Result<(), SignError> {
    let unknown = |field: String| Err(SignError::UnknownField { field });
    let Some(object) = value.as_object() else {
        return Ok(());
    };
    if let Some(key) = object
        .keys()
        .find(|k| !["payload", "payloadType", "signatures"].contains(&k.as_str()))
    {
        return unknown(key.clone());
    }
    let signatures = object.get("signatures").and_then(|s| s.as_array());
    for (i, signature) in signatures.into_iter().flatten().enumerate() {
        if let Some(key) = signature
            .as_object()
            .and_then(|o| o.keys().find(|k| !["keyid", "sig"].contains(&k.as_str())))
        {
            return unknown(format!("signatures[{i}].{key}"));
        }
    }
    Ok(())
}

/// Whether a JSON value looks like a DSSE envelope (has "payload", "payloadType" and "signatures").
///
/// Only the presence of the three keys in an object is checked, not their
/// types, so a malformed envelope is still routed to envelope handling and
/// fails there loudly instead of passing for an unsigned document.
pub fn is_envelope(value: &serde_json::Value) -> bool {
    value.as_object().is_some_and(|object| {
        ["payload", "payloadType", "signatures"]
            .iter()
            .all(|field| object.contains_key(*field))
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
    use super::*;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    const RECORD: &[u8] = br#"{"decision":"allow","rule":"r1"}"#;

    fn pair() -> (SigningKey, VerifyingKey) {
        let (private_pem, public_pem) = generate_pem_pair().unwrap();
        (
            signing_key_from_pem(&private_pem).unwrap(),
            verifying_key_from_pem(&public_pem).unwrap(),
        )
    }

    fn flip_first_byte(text: &str) -> String {
        let mut bytes = STANDARD.decode(text).unwrap();
        bytes[0] ^= 0x01;
        STANDARD.encode(bytes)
    }

    #[test]
    fn round_trip() {
        let (signing, verifying) = pair();
        let envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        assert_eq!(envelope.payload_type, PAYLOAD_TYPE);
        assert_eq!(envelope.signatures.len(), 1);
        assert_eq!(envelope.signatures[0].keyid, key_id(&verifying));
        assert_eq!(verify(&envelope, &verifying).unwrap(), RECORD);
    }

    #[test]
    fn round_trip_through_json() {
        let (signing, verifying) = pair();
        let envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        let value = serde_json::to_value(&envelope).unwrap();
        assert!(is_envelope(&value));
        assert_eq!(value["payloadType"], PAYLOAD_TYPE);
        assert!(value["signatures"][0]["keyid"].is_string());
        assert!(value["signatures"][0]["sig"].is_string());
        let back: Envelope = serde_json::from_value(value).unwrap();
        assert_eq!(back, envelope);
        assert_eq!(verify(&back, &verifying).unwrap(), RECORD);
    }

    #[test]
    fn pae_matches_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
        // Lengths are in bytes, not characters.
        assert_eq!(pae("é", b"x"), "DSSEv1 2 é 1 x".as_bytes());
    }

    #[test]
    fn key_id_format() {
        let (_, verifying) = pair();
        let id = key_id(&verifying);
        let hex = id.strip_prefix("sha256:").unwrap();
        assert_eq!(hex.len(), 64);
        let lowercase_hex = hex.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
        assert!(lowercase_hex);
        // SHA-256 of 32 zero bytes is a known value.
        let zero = VerifyingKey::from_bytes(&[0u8; 32]).unwrap();
        assert_eq!(
            key_id(&zero),
            "sha256:66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
    }

    #[test]
    fn tampered_payload_is_bad_signature() {
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.payload = flip_first_byte(&envelope.payload);
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadSignature { keyid }) if keyid == key_id(&verifying)
        ));
    }

    #[test]
    fn tampered_signature_is_bad_signature() {
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.signatures[0].sig = flip_first_byte(&envelope.signatures[0].sig);
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadSignature { .. })
        ));
    }

    #[test]
    fn short_signature_is_bad_signature() {
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.signatures[0].sig = STANDARD.encode([0u8; 63]);
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadSignature { .. })
        ));
    }

    #[test]
    fn stripped_signatures_are_unsigned() {
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.signatures.clear();
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::Unsigned)
        ));
    }

    #[test]
    fn wrong_key_is_key_not_used() {
        let (signing, _) = pair();
        let (_, other) = pair();
        let envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        match verify(&envelope, &other) {
            Err(SignError::KeyNotUsed { keyid, found }) => {
                assert_eq!(keyid, key_id(&other));
                assert_eq!(found, vec![key_id(&signing.verifying_key())]);
            }
            other => panic!("expected KeyNotUsed, got {other:?}"),
        }
    }

    #[test]
    fn signature_under_wrong_keyid_is_key_not_used() {
        // A valid signature relabelled with another keyid is not looked at.
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.signatures[0].keyid = String::new();
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::KeyNotUsed { .. })
        ));
    }

    #[test]
    fn wrong_payload_type() {
        let (signing, verifying) = pair();
        let envelope = sign(RECORD, "application/json", &signing);
        match verify(&envelope, &verifying) {
            Err(SignError::WrongPayloadType { found, expected }) => {
                assert_eq!(found, "application/json");
                assert_eq!(expected, PAYLOAD_TYPE);
            }
            other => panic!("expected WrongPayloadType, got {other:?}"),
        }
    }

    #[test]
    fn relabelled_payload_type_is_caught() {
        // Changing the type after signing must not pass, even to the right type.
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, "application/json", &signing);
        envelope.payload_type = PAYLOAD_TYPE.to_owned();
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadSignature { .. })
        ));
    }

    #[test]
    fn bad_base64() {
        let (signing, verifying) = pair();
        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.payload = "not base64!".to_owned();
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadBase64 { field }) if field == "payload"
        ));

        let mut envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        envelope.signatures[0].sig = "***".to_owned();
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadBase64 { field }) if field == "signatures[0].sig"
        ));
    }

    #[test]
    fn url_safe_unpadded_base64_is_accepted() {
        let (signing, verifying) = pair();
        let payload = [0xfbu8, 0xff, 0xfe, 0x7b];
        let mut envelope = sign(&payload, PAYLOAD_TYPE, &signing);
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        envelope.payload = url_safe.encode(payload);
        envelope.signatures[0].sig =
            url_safe.encode(STANDARD.decode(&envelope.signatures[0].sig).unwrap());
        assert!(envelope.payload.contains('-') || envelope.payload.contains('_'));
        assert_eq!(verify(&envelope, &verifying).unwrap(), payload);
    }

    #[test]
    fn bad_signature_does_not_fall_through() {
        let (signing, verifying) = pair();
        let good = sign(RECORD, PAYLOAD_TYPE, &signing);
        let mut envelope = good.clone();
        let mut bad = good.signatures[0].clone();
        bad.sig = flip_first_byte(&bad.sig);
        // Bad first, then good: still rejected.
        envelope.signatures = vec![bad.clone(), good.signatures[0].clone()];
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadSignature { .. })
        ));
        // Good first, then bad: still rejected.
        envelope.signatures = vec![good.signatures[0].clone(), bad];
        assert!(matches!(
            verify(&envelope, &verifying),
            Err(SignError::BadSignature { .. })
        ));
    }

    #[test]
    fn other_signers_are_ignored() {
        let (signing, verifying) = pair();
        let (other, _) = pair();
        let mine = sign(RECORD, PAYLOAD_TYPE, &signing);
        let theirs = sign(RECORD, PAYLOAD_TYPE, &other);
        let mut garbage = theirs.signatures[0].clone();
        garbage.sig = "***".to_owned();
        let envelope = Envelope {
            signatures: vec![
                garbage,
                theirs.signatures[0].clone(),
                mine.signatures[0].clone(),
            ],
            ..mine
        };
        assert_eq!(verify(&envelope, &verifying).unwrap(), RECORD);
    }

    #[test]
    fn missing_keyid_reads_as_empty() {
        let envelope: Envelope = serde_json::from_str(
            r#"{"payload":"","payloadType":"t","signatures":[{"sig":""}],"extra":1}"#,
        )
        .unwrap();
        assert_eq!(envelope.signatures[0].keyid, "");
    }

    #[test]
    fn pem_round_trip() {
        let (private_pem, public_pem) = generate_pem_pair().unwrap();
        assert!(private_pem.starts_with(PRIVATE_PEM_BEGIN));
        assert!(public_pem.starts_with(PUBLIC_PEM_BEGIN));
        let signing = signing_key_from_pem(&private_pem).unwrap();
        let verifying = verifying_key_from_pem(&public_pem).unwrap();
        assert_eq!(signing.verifying_key(), verifying);
        // PKCS#8 v1 as openssl writes it: SEQUENCE of 46 bytes, version 0.
        assert!(private_pem.contains("\nMC4CAQAwBQYDK2VwBCIEI"));
        assert_eq!(private_key_pem(&signing).unwrap().as_str(), private_pem);
        // The v2 form (with public key) that ed25519-dalek writes is read too.
        let v2 = signing.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert_ne!(v2.as_str(), private_pem);
        assert_eq!(signing_key_from_pem(&v2).unwrap(), signing);
        let public_again = verifying.to_public_key_pem(LineEnding::LF).unwrap();
        assert_eq!(public_again, public_pem);
        let (other_private, _) = generate_pem_pair().unwrap();
        assert_ne!(other_private, private_pem);
    }

    /// Runs `openssl` with `args`, feeding `input`; `None` if it cannot run.
    fn openssl(args: &[&str], input: &str) -> Option<String> {
        let mut child = match Command::new("openssl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(_) => return None,
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        if !output.status.success() {
            return None;
        }
        Some(String::from_utf8(output.stdout).unwrap())
    }

    #[test]
    fn reads_keys_written_by_openssl() {
        // Skipped when openssl is missing or has no ed25519 support.
        let Some(private_pem) = openssl(&["genpkey", "-algorithm", "ed25519"], "") else {
            return;
        };
        let public_pem = openssl(&["pkey", "-pubout"], &private_pem).expect("openssl pkey");
        let signing = signing_key_from_pem(&private_pem).unwrap();
        let verifying = verifying_key_from_pem(&public_pem).unwrap();
        assert_eq!(signing.verifying_key(), verifying);
        let envelope = sign(RECORD, PAYLOAD_TYPE, &signing);
        assert_eq!(verify(&envelope, &verifying).unwrap(), RECORD);

        // And openssl reads ours.
        let (ours_private, ours_public) = generate_pem_pair().unwrap();
        let derived = openssl(&["pkey", "-pubout"], &ours_private).expect("openssl pkey");
        assert_eq!(derived, ours_public);
    }

    #[test]
    fn garbage_pem_is_bad_key() {
        for garbage in [
            "",
            "hello",
            "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            assert!(matches!(
                signing_key_from_pem(garbage),
                Err(SignError::BadKey { .. })
            ));
            assert!(matches!(
                verifying_key_from_pem(garbage),
                Err(SignError::BadKey { .. })
            ));
        }
    }

    #[test]
    fn private_key_where_public_expected_is_bad_key() {
        let (private_pem, public_pem) = generate_pem_pair().unwrap();
        match verifying_key_from_pem(&private_pem) {
            Err(error @ SignError::BadKey { .. }) => {
                assert_eq!(
                    error.to_string(),
                    "bad key: expected a public key, found a private key"
                );
            }
            other => panic!("expected BadKey, got {other:?}"),
        }
        assert!(matches!(
            signing_key_from_pem(&public_pem),
            Err(SignError::BadKey { .. })
        ));
    }

    #[test]
    fn is_envelope_checks_keys() {
        assert!(is_envelope(&serde_json::json!({
            "payload": "", "payloadType": "", "signatures": []
        })));
        assert!(!is_envelope(&serde_json::json!({
            "payload": "", "payloadType": ""
        })));
        assert!(!is_envelope(&serde_json::json!({"decision": "allow"})));
        assert!(!is_envelope(&serde_json::json!(["payload"])));
    }

    #[test]
    fn error_messages() {
        let error = SignError::KeyNotUsed {
            keyid: "sha256:aa".to_owned(),
            found: vec!["sha256:bb".to_owned(), String::new()],
        };
        assert_eq!(
            error.to_string(),
            "no signature made with key `sha256:aa`; envelope is signed by `sha256:bb`, ``"
        );
        assert_eq!(
            SignError::BadBase64 {
                field: "payload".to_owned()
            }
            .to_string(),
            "envelope field `payload` is not valid base64"
        );
    }
}
