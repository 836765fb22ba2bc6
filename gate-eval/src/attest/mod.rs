//! Signed attestations as evidence: DSSE envelopes, JSON Lines of them and
//! Sigstore bundles, verified offline against a configured [`Trust`] before
//! anything reads them, and decoded into the in-toto Statements they sign.
//!
//! An attestation file is mounted under a name (`-e provenance=build.intoto.jsonl`)
//! and that name holds a list, one element per envelope, each the statement
//! (`_type`, `subject`, `predicateType`, `predicate`) with who signed it
//! (`signer`) and where it came from (`envelope`). An envelope that fails
//! verification is an element too, but one that cannot be read: a rule that
//! reads it (or the list it is in) is an error naming the envelope and why,
//! never a pass. See `docs/attestations.md`.
//!
//! ```
//! use gate_eval::attest::{PublicKey, Trust};
//! use gate_eval::{EvidenceBuilder, Format, Options, Policy};
//!
//! let policy = Policy::from_source("g.gate", "gate g {}\n\
//!     record Att { predicateType: string }\n\
//!     evidence { provenance: [Att] }\n\
//!     rule r { require provenance.any(predicateType == \"https://slsa.dev/provenance/v1\") }\n").unwrap();
//! let key = PublicKey::read(b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n").unwrap();
//! let mut b = EvidenceBuilder::for_policy(&policy);
//! b.trust(Trust::new().key("builder", key));
//! // An envelope whose signature is not the builder's: never evidence.
//! let forged = br#"{"payloadType": "application/vnd.in-toto+json", "payload": "e30=", "signatures": [{"sig": "AAAA"}]}"#;
//! b.add_bytes(Some("provenance"), "build.intoto.json", Format::Attestation, forged).unwrap();
//! let decision = policy.evaluate(&b.build().unwrap(), &Options::default());
//! assert_eq!(decision.outcome.as_str(), "error");
//! assert!(!decision.evidence[0].attestations[0].verified);
//! ```

//! Reading attestations needs the `attest` feature (on by default), which
//! brings in the Sigstore verification stack; writing and verifying gate's
//! own VSAs ([`vsa`]) does not.

#[cfg(feature = "attest")]
mod envelope;
#[cfg(feature = "attest")]
mod keys;
#[cfg(feature = "attest")]
mod statement;
#[cfg(feature = "attest")]
mod trust;
pub mod vsa;

#[cfg(feature = "attest")]
pub use keys::PublicKey;
#[cfg(feature = "attest")]
pub use trust::{Identity, Trust};

#[cfg(feature = "attest")]
pub(crate) use envelope::{read, verify_file_signature};

/// Why a trust configuration, a key or a trusted root cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustError {
    message: String,
}

#[cfg_attr(not(feature = "attest"), allow(dead_code))]
impl TrustError {
    pub(crate) fn new(message: impl Into<String>) -> TrustError {
        TrustError {
            message: message.into(),
        }
    }

    /// The same error, said of `what` (a file, an entry of the configuration).
    pub(crate) fn about(self, what: &str) -> TrustError {
        TrustError::new(format!("{what}: {}", self.message))
    }
}

impl std::fmt::Display for TrustError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TrustError {}
