//! Public keys that attestations are verified with: PEM SubjectPublicKeyInfo
//! (what `cosign generate-key-pair`, `openssl pkey -pubout` and
//! securesystemslib's crypto signers write) and securesystemslib's JSON key
//! form (`{"keytype": ..., "scheme": ..., "keyval": {"public": ...}}`, as
//! in-toto and python-tuf keep keys).

use super::TrustError;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use sigstore_verify::crypto::{KeyAlgorithm, SigningScheme, VerificationKey};
use sigstore_verify::types::{DerPublicKey, SignatureBytes};

/// A public key an attestation may be signed with.
///
/// ```
/// use gate_eval::attest::PublicKey;
/// let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
/// let key = PublicKey::read(pem.as_bytes()).unwrap();
/// assert_eq!(key.algorithm(), "ed25519");
/// assert!(PublicKey::read(b"not a key").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct PublicKey {
    /// The key as DER SubjectPublicKeyInfo.
    der: DerPublicKey,
    /// The schemes a signature by this key may use: one, or for an RSA key
    /// given without a scheme, PSS and PKCS#1 v1.5 over SHA-256.
    schemes: Vec<SigningScheme>,
    /// The algorithm's name (`ed25519`, `ecdsa-p256`, `ecdsa-p384`, `rsa`).
    algorithm: &'static str,
}

impl PublicKey {
    /// Reads a key file: PEM `PUBLIC KEY` or a securesystemslib JSON key.
    /// A private key is refused.
    pub fn read(bytes: &[u8]) -> Result<PublicKey, TrustError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| TrustError::new("a key file must be text (PEM or JSON)"))?
            .trim_start_matches('\u{feff}')
            .trim();
        if text.starts_with('{') {
            return PublicKey::from_securesystemslib(text);
        }
        PublicKey::from_pem(text, None)
    }

    /// Reads a PEM `PUBLIC KEY`, with the securesystemslib scheme name
    /// `scheme` when one is given.
    pub fn from_pem(text: &str, scheme: Option<&str>) -> Result<PublicKey, TrustError> {
        if text.contains("PRIVATE KEY-----") {
            return Err(TrustError::new(
                "this is a private key: give the public key (`openssl pkey -pubout`, `cosign public-key`)",
            ));
        }
        let der = DerPublicKey::from_pem(text).map_err(|e| {
            TrustError::new(format!("not a PEM public key (`BEGIN PUBLIC KEY`): {e}"))
        })?;
        PublicKey::from_der(der, scheme)
    }

    /// Reads a securesystemslib JSON key (`keytype`, `scheme`,
    /// `keyval.public`): ed25519 keys in hex, ECDSA and RSA keys in PEM.
    fn from_securesystemslib(text: &str) -> Result<PublicKey, TrustError> {
        #[derive(serde::Deserialize)]
        struct KeyVal {
            public: String,
        }
        #[derive(serde::Deserialize)]
        struct Key {
            keytype: String,
            scheme: String,
            keyval: KeyVal,
        }
        let key: Key = serde_json::from_str(text).map_err(|e| {
            TrustError::new(format!(
                "not a securesystemslib key (`keytype`, `scheme`, `keyval.public`): {e}"
            ))
        })?;
        if key.keytype == "ed25519" {
            let raw = decode_hex(&key.keyval.public)
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| TrustError::new("an ed25519 `keyval.public` is 64 hex digits"))?;
            let der = ed25519_dalek::VerifyingKey::from_bytes(&raw)
                .and_then(|k| {
                    k.to_public_key_der()
                        .map_err(|_| ed25519_dalek::SignatureError::new())
                })
                .map_err(|_| TrustError::new("not a valid ed25519 public key"))?;
            return PublicKey::from_der(
                DerPublicKey::new(der.as_bytes().to_vec()),
                Some(&key.scheme),
            );
        }
        PublicKey::from_pem(key.keyval.public.trim(), Some(&key.scheme))
    }

    fn from_der(der: DerPublicKey, scheme: Option<&str>) -> Result<PublicKey, TrustError> {
        let algorithm = KeyAlgorithm::from_spki(&der)
            .map_err(|e| TrustError::new(format!("unsupported public key: {e}")))?;
        let (name, schemes) = match algorithm {
            KeyAlgorithm::Ed25519 => ("ed25519", vec![SigningScheme::Ed25519]),
            KeyAlgorithm::EcdsaP256 => ("ecdsa-p256", vec![SigningScheme::EcdsaP256Sha256]),
            KeyAlgorithm::EcdsaP384 => ("ecdsa-p384", vec![SigningScheme::EcdsaP384Sha384]),
            KeyAlgorithm::Rsa => (
                "rsa",
                vec![SigningScheme::RsaPssSha256, SigningScheme::RsaPkcs1Sha256],
            ),
            other => {
                return Err(TrustError::new(format!(
                    "unsupported key algorithm {other:?} (ed25519, ECDSA P-256/P-384 and RSA are)"
                )))
            }
        };
        let schemes = match scheme {
            None => schemes,
            Some(s) => {
                let chosen = scheme_named(s)
                    .ok_or_else(|| TrustError::new(format!("unknown signature scheme `{s}`")))?;
                if chosen.key_algorithm() != algorithm {
                    return Err(TrustError::new(format!(
                        "scheme `{s}` is not for a {name} key"
                    )));
                }
                vec![chosen]
            }
        };
        // The key must be usable: checked once here, not at the first signature.
        for s in &schemes {
            VerificationKey::from_spki_with_scheme(&der, *s)
                .map_err(|e| TrustError::new(format!("unusable public key: {e}")))?;
        }
        Ok(PublicKey {
            der,
            schemes,
            algorithm: name,
        })
    }

    /// The key's algorithm: `ed25519`, `ecdsa-p256`, `ecdsa-p384` or `rsa`.
    pub fn algorithm(&self) -> &'static str {
        self.algorithm
    }

    /// The key as DER SubjectPublicKeyInfo.
    pub(crate) fn der(&self) -> &DerPublicKey {
        &self.der
    }

    /// `sha256:` and the hex SHA-256 of the key's DER SubjectPublicKeyInfo:
    /// how records name the key (the envelope's own `keyid` is not signed).
    pub fn fingerprint(&self) -> String {
        crate::sha256_hex(self.der.as_bytes())
    }

    /// Whether `signature` over `message` verifies with this key.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let signature = SignatureBytes::from_bytes(signature);
        self.schemes.iter().any(|scheme| {
            VerificationKey::from_spki_with_scheme(&self.der, *scheme)
                .is_ok_and(|key| key.verify(message, &signature).is_ok())
        })
    }
}

/// The signing scheme a securesystemslib (or cosign) scheme name stands for.
fn scheme_named(name: &str) -> Option<SigningScheme> {
    Some(match name {
        "ed25519" => SigningScheme::Ed25519,
        "ecdsa-sha2-nistp256" | "ecdsa-p256" => SigningScheme::EcdsaP256Sha256,
        "ecdsa-sha2-nistp384" | "ecdsa-p384" => SigningScheme::EcdsaP384Sha384,
        "rsassa-pss-sha256" => SigningScheme::RsaPssSha256,
        "rsassa-pss-sha384" => SigningScheme::RsaPssSha384,
        "rsassa-pss-sha512" => SigningScheme::RsaPssSha512,
        "rsa-pkcs1v15-sha256" => SigningScheme::RsaPkcs1Sha256,
        "rsa-pkcs1v15-sha384" => SigningScheme::RsaPkcs1Sha384,
        "rsa-pkcs1v15-sha512" => SigningScheme::RsaPkcs1Sha512,
        _ => return None,
    })
}

/// Lower- or upper-case hex to bytes.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [a, b] => Some(u8::try_from(digit(*a)? * 16 + digit(*b)?).ok()?),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ED25519_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";

    #[test]
    fn pem_and_json_forms_are_the_same_key() {
        let pem = PublicKey::read(ED25519_PEM.as_bytes()).unwrap();
        let hex = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";
        let json = format!(
            r#"{{"keytype": "ed25519", "scheme": "ed25519", "keyval": {{"public": "{hex}"}}}}"#
        );
        let from_json = PublicKey::read(json.as_bytes()).unwrap();
        assert_eq!(pem.fingerprint(), from_json.fingerprint());
    }

    #[test]
    fn private_keys_and_wrong_schemes_are_refused() {
        let private =
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        let e = PublicKey::read(private.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("private key"), "{e}");
        let e = PublicKey::from_pem(ED25519_PEM, Some("rsassa-pss-sha256")).unwrap_err();
        assert!(e.to_string().contains("not for a ed25519 key"), "{e}");
        let e = PublicKey::from_pem(ED25519_PEM, Some("md5")).unwrap_err();
        assert!(e.to_string().contains("unknown signature scheme"), "{e}");
    }

    #[test]
    fn hex() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
