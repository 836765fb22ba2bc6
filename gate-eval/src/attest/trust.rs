//! What an attestation must be signed by to count: public keys, and for
//! keyless Sigstore signatures a trusted root with the certificate identity
//! and OIDC issuer expected. Nothing is trusted that is not configured.

use super::{PublicKey, TrustError};
use crate::load::{self, Format, LoadLimits};
use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::Verifier;
use std::path::Path;
use std::sync::Arc;

/// The signers whose attestations are evidence.
///
/// ```
/// use gate_eval::attest::{Identity, Trust};
/// let trust = Trust::new();
/// assert!(trust.is_empty());
/// let pattern = Identity::pattern(r"https://github\.com/acme/.*").unwrap();
/// assert!(pattern.matches("https://github.com/acme/build.yml@refs/heads/main"));
/// assert!(!pattern.matches("https://github.com/acme-evil/x"));
/// assert!(Identity::pattern("(").is_err());
/// ```
#[derive(Clone, Default)]
pub struct Trust {
    pub(crate) keys: Vec<NamedKey>,
    pub(crate) sigstore: Vec<SigstoreSigner>,
}

/// A trusted public key and the name records give it.
#[derive(Clone)]
pub(crate) struct NamedKey {
    pub(crate) name: String,
    pub(crate) key: PublicKey,
    /// For Sigstore bundles signed with this key: the root whose
    /// transparency log keys their log entries are checked against.
    pub(crate) root: Option<Arc<Root>>,
}

/// A trusted root, ready to verify with.
pub(crate) struct Root {
    pub(crate) verifier: Verifier,
}

/// A keyless signer: who (certificate identity), vouched for by whom (OIDC
/// issuer), under which trusted root.
#[derive(Clone)]
pub(crate) struct SigstoreSigner {
    pub(crate) name: String,
    pub(crate) root: Arc<Root>,
    pub(crate) identity: Identity,
    pub(crate) issuer: String,
}

/// The certificate identity (subject alternative name) a keyless signature
/// must carry: exactly this text, or text matching a whole pattern.
#[derive(Clone, Debug)]
pub enum Identity {
    /// The identity is exactly this text.
    Exact(String),
    /// The whole identity matches this regular expression (it is anchored
    /// at both ends, so `https://github\.com/acme/.*` does not match
    /// `https://evil.example/?https://github.com/acme/`).
    Pattern(regex::Regex),
}

impl Identity {
    /// An identity pattern: a regular expression the whole identity must
    /// match.
    pub fn pattern(pattern: &str) -> Result<Identity, TrustError> {
        regex::Regex::new(&format!("^(?:{pattern})$"))
            .map(Identity::Pattern)
            .map_err(|e| TrustError::new(format!("invalid identity pattern: {e}")))
    }

    /// Whether `identity` is this one.
    pub fn matches(&self, identity: &str) -> bool {
        match self {
            Identity::Exact(text) => text == identity,
            Identity::Pattern(re) => re.is_match(identity),
        }
    }

    fn describe(&self) -> String {
        match self {
            Identity::Exact(text) => format!("`{text}`"),
            Identity::Pattern(re) => {
                let shown = re.as_str();
                let inner = shown
                    .strip_prefix("^(?:")
                    .and_then(|s| s.strip_suffix(")$"))
                    .unwrap_or(shown);
                format!("one matching `{inner}`")
            }
        }
    }
}

impl SigstoreSigner {
    pub(crate) fn describe_identity(&self) -> String {
        self.identity.describe()
    }
}

impl Trust {
    /// Trusts nothing yet.
    pub fn new() -> Trust {
        Trust::default()
    }

    /// Whether nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.sigstore.is_empty()
    }

    /// Also trusts DSSE envelopes signed with `key`, named `name` in records.
    pub fn key(mut self, name: &str, key: PublicKey) -> Trust {
        self.keys.push(NamedKey {
            name: name.to_owned(),
            key,
            root: None,
        });
        self
    }

    /// Also trusts Sigstore bundles signed with `key`, whose transparency
    /// log entries are checked against `trusted_root` (the text of a
    /// `trusted_root.json`).
    pub fn key_with_root(
        mut self,
        name: &str,
        key: PublicKey,
        trusted_root: &str,
    ) -> Result<Trust, TrustError> {
        let root = read_root(trusted_root)?;
        self.keys.push(NamedKey {
            name: name.to_owned(),
            key,
            root: Some(root),
        });
        Ok(self)
    }

    /// Also trusts keyless Sigstore bundles whose certificate chains to
    /// `trusted_root` (the text of a `trusted_root.json`), names `identity`
    /// and was issued on a token from the OIDC `issuer`; their log entries
    /// are checked against the root's transparency log keys.
    pub fn sigstore(
        mut self,
        name: &str,
        trusted_root: &str,
        identity: Identity,
        issuer: &str,
    ) -> Result<Trust, TrustError> {
        let root = read_root(trusted_root)?;
        self.sigstore.push(SigstoreSigner {
            name: name.to_owned(),
            root,
            identity,
            issuer: issuer.to_owned(),
        });
        Ok(self)
    }

    /// Reads a trust configuration file (YAML or JSON); the key and trusted
    /// root files it names are relative to its folder.
    ///
    /// ```yaml
    /// keys:
    ///   - name: release-builder
    ///     file: keys/builder.pub          # PEM, or a securesystemslib JSON key
    ///     scheme: rsassa-pss-sha256       # optional
    /// sigstore:
    ///   - name: github-release-workflow
    ///     trusted_root: trusted_root.json
    ///     identity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main
    ///     # or: identity_pattern: https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*
    ///     issuer: https://token.actions.githubusercontent.com
    /// ```
    pub fn from_file(path: &Path) -> Result<Trust, TrustError> {
        let shown = path.display().to_string();
        let bytes = read_bounded(path)?;
        let base = path.parent().unwrap_or(Path::new(""));
        Trust::from_config(&bytes, base)
            .map_err(|e| e.about(&format!("trust configuration `{shown}`")))
    }

    /// [`Trust::from_file`] for the configuration's text, with files relative
    /// to `base`.
    pub fn from_config(bytes: &[u8], base: &Path) -> Result<Trust, TrustError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct KeyEntry {
            name: String,
            file: String,
            #[serde(default)]
            scheme: Option<String>,
            #[serde(default)]
            trusted_root: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct SigstoreEntry {
            name: String,
            trusted_root: String,
            #[serde(default)]
            identity: Option<String>,
            #[serde(default)]
            identity_pattern: Option<String>,
            issuer: String,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Config {
            #[serde(default)]
            keys: Vec<KeyEntry>,
            #[serde(default)]
            sigstore: Vec<SigstoreEntry>,
        }
        let parsed = load::parse(Format::Yaml, bytes, &LoadLimits::default())
            .map_err(|e| TrustError::new(e.to_string()))?;
        let config: Config =
            serde_json::from_value(parsed.value).map_err(|e| TrustError::new(e.to_string()))?;
        let read = |file: &str| read_bounded(&base.join(file));
        let read_text = |file: &str| -> Result<String, TrustError> {
            String::from_utf8(read(file)?)
                .map_err(|_| TrustError::new(format!("`{file}` is not UTF-8 text")))
        };
        let mut trust = Trust::new();
        let mut names = std::collections::BTreeSet::new();
        let mut unique = |name: &str| -> Result<(), TrustError> {
            if name.is_empty() || !names.insert(name.to_owned()) {
                return Err(TrustError::new(format!(
                    "every entry needs a name of its own (`{name}` is empty or used twice)"
                )));
            }
            Ok(())
        };
        for k in config.keys {
            unique(&k.name)?;
            let about = format!("key `{}`", k.name);
            let bytes = read(&k.file).map_err(|e| e.clone().about(&about))?;
            let key = match &k.scheme {
                None => PublicKey::read(&bytes),
                Some(scheme) => std::str::from_utf8(&bytes)
                    .map_err(|_| TrustError::new("a key file must be text"))
                    .and_then(|text| PublicKey::from_pem(text.trim(), Some(scheme))),
            }
            .map_err(|e| e.about(&format!("{about} (`{}`)", k.file)))?;
            trust = match &k.trusted_root {
                None => trust.key(&k.name, key),
                Some(root) => {
                    let text = read_text(root).map_err(|e| e.about(&about))?;
                    trust
                        .key_with_root(&k.name, key, &text)
                        .map_err(|e| e.about(&format!("{about} (`{root}`)")))?
                }
            };
        }
        for s in config.sigstore {
            unique(&s.name)?;
            let about = format!("sigstore entry `{}`", s.name);
            let identity = match (&s.identity, &s.identity_pattern) {
                (Some(exact), None) => Identity::Exact(exact.clone()),
                (None, Some(pattern)) => Identity::pattern(pattern).map_err(|e| e.about(&about))?,
                _ => {
                    return Err(TrustError::new(
                        "give exactly one of `identity` (exact) and `identity_pattern`",
                    )
                    .about(&about))
                }
            };
            if s.issuer.is_empty() {
                return Err(TrustError::new("`issuer` is empty").about(&about));
            }
            let text = read_text(&s.trusted_root).map_err(|e| e.about(&about))?;
            trust = trust
                .sigstore(&s.name, &text, identity, &s.issuer)
                .map_err(|e| e.about(&format!("{about} (`{}`)", s.trusted_root)))?;
        }
        if trust.is_empty() {
            return Err(TrustError::new(
                "it trusts nothing: list `keys` or `sigstore` signers",
            ));
        }
        Ok(trust)
    }
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trust")
            .field(
                "keys",
                &self.keys.iter().map(|k| &k.name).collect::<Vec<_>>(),
            )
            .field(
                "sigstore",
                &self.sigstore.iter().map(|s| &s.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Largest trust configuration, key or trusted root file read: 4 MiB
/// (Sigstore's public-good trusted root is about 7 KiB).
const MAX_TRUST_FILE: u64 = 4 << 20;

/// Reads a file of at most [`MAX_TRUST_FILE`] bytes.
fn read_bounded(path: &Path) -> Result<Vec<u8>, TrustError> {
    use std::io::Read as _;
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| TrustError::new(format!("cannot read `{shown}`: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_TRUST_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| TrustError::new(format!("cannot read `{shown}`: {e}")))?;
    if bytes.len() as u64 > MAX_TRUST_FILE {
        return Err(TrustError::new(format!(
            "`{shown}` is larger than {MAX_TRUST_FILE} bytes"
        )));
    }
    Ok(bytes)
}

/// Reads a `trusted_root.json` and prepares a verifier for it.
fn read_root(text: &str) -> Result<Arc<Root>, TrustError> {
    let root = TrustedRoot::from_json(text)
        .map_err(|e| TrustError::new(format!("not a Sigstore trusted root: {e}")))?;
    let verifier = Verifier::new(&root)
        .map_err(|e| TrustError::new(format!("unusable Sigstore trusted root: {e}")))?;
    Ok(Arc::new(Root { verifier }))
}
