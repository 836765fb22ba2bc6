//! Policy bundles: a gate, its modules, its tests and their data in one
//! archive, with a manifest that names every file's digest, so that the
//! exact policy a pipeline ran can be pinned by one digest, signed, and
//! shipped to many repositories.
//!
//! A bundle is a POSIX tar archive (`application/vnd.gate.bundle.v1.tar`)
//! whose first entry is the manifest, `gate-bundle.json`:
//!
//! ```json
//! {
//!   "bundle_version": "gate-bundle/v1",
//!   "name": "release",
//!   "version": "1.4.0",
//!   "gate": "release.gate",
//!   "files": [{"path": "lib/evidence.gate", "digest": "sha256:…", "size": 1234}, …]
//! }
//! ```
//!
//! and whose other entries are exactly the files it lists, in the order of
//! their paths. [`build`] writes them the same way every time (no times,
//! owners or modes of the machine that built it), so the same files make
//! the same bytes, and the **bundle digest** is the SHA-256 of the archive's
//! bytes: what `sha256sum` prints, and what a registry names the blob.
//!
//! [`Bundle::read`] trusts nothing in the archive. It refuses, with
//! [`Error::Bundle`] (E0905): anything but regular files; paths that are
//! absolute, climb out (`..`), have empty or `.` parts, backslashes or
//! control characters; a file twice; a manifest that is not first, not
//! strict JSON, of another version, or that lists a file the archive does
//! not hold or holds a file it does not list; a file whose size or digest
//! is not the manifest's; a gate that is not one of the files; more than
//! [`MAX_FILES`] files or [`MAX_SIZE`] bytes.
//!
//! A bundle is signed with the same ed25519 keys as decision records: the
//! signature ([`Bundle::sign`]) is a DSSE envelope of an in-toto Statement
//! whose subject is the bundle (its name and digest) and whose predicate
//! type is [`SIGNATURE_PREDICATE_TYPE`], checked with
//! [`Bundle::verify_signature`]. [`Bundle::verify_trusted`] checks a
//! signature against an attestation trust configuration instead: gate's
//! envelope by a trusted key, or a Sigstore bundle (keyless or with a
//! key) of the bundle file or of a statement naming it.
//!
//! ```
//! use gate_eval::bundle::{self, Bundle};
//! use std::collections::BTreeMap;
//! let mut files = BTreeMap::new();
//! files.insert("demo.gate".to_string(), b"gate demo { title \"Demo\" }\nevidence { ok: bool }\nrule r \"R\" {\n  controls \"OWASP-NHI:NHI2\"\n  require ok else \"not ok\"\n}\n".to_vec());
//! let bytes = bundle::build("demo", Some("1.0.0"), "demo.gate", &files).unwrap();
//! let bundle = Bundle::read(&bytes).unwrap();
//! assert_eq!(bundle.digest(), gate_eval::sha256_hex(&bytes));
//! let policy = bundle.policy(gate_eval::Policy::builder()).unwrap();
//! assert_eq!(policy.name(), "demo");
//! assert_eq!(policy.digest().bundle.unwrap().digest, bundle.digest());
//! ```

use crate::decision::BundleMeta;
use crate::sign::{Envelope, SigningKey, VerifyingKey};
#[cfg(feature = "attest")]
use crate::{attest::Trust, decision::Signer};
use crate::{Error, Policy, PolicyBuilder};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The manifest's name in the archive.
pub const MANIFEST: &str = "gate-bundle.json";
/// The manifest's `bundle_version`.
pub const BUNDLE_VERSION: &str = "gate-bundle/v1";
/// The media type of a bundle (an OCI layer, a download).
pub const MEDIA_TYPE: &str = "application/vnd.gate.bundle.v1.tar";
/// The predicate type of a bundle's signature statement.
pub const SIGNATURE_PREDICATE_TYPE: &str = "urn:gate:policy-bundle:v1";
/// The predicate types a statement signed by a trusted signer may have to
/// count as the bundle's signature ([`Bundle::verify_trusted`]): gate's own,
/// and SLSA provenance (what `sigstore attest` and GitHub's artifact
/// attestations make of a file a workflow built).
#[cfg(feature = "attest")]
const TRUSTED_PREDICATE_TYPES: &[&str] = &[
    SIGNATURE_PREDICATE_TYPE,
    "https://slsa.dev/provenance/v1",
    "https://slsa.dev/provenance/v0.2",
];
/// The most files a bundle may hold.
pub const MAX_FILES: usize = 10_000;
/// The largest bundle, in bytes.
pub const MAX_SIZE: usize = 64 << 20;

/// The manifest of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`BUNDLE_VERSION`].
    pub bundle_version: String,
    /// The bundle's name (by default its gate's).
    pub name: String,
    /// Its version, if it was given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The path of the gate the bundle decides with.
    pub gate: String,
    /// Every file but the manifest, in the order of their paths.
    pub files: Vec<BundleFile>,
}

/// A file of a bundle, as its manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleFile {
    /// Its path in the bundle (`/`-separated, relative).
    pub path: String,
    /// `sha256:` and the hex digest of its bytes.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A bundle that was read and checked ([`Bundle::read`]).
#[derive(Clone, Debug)]
pub struct Bundle {
    manifest: Manifest,
    files: BTreeMap<String, Vec<u8>>,
    digest: String,
    /// The archive's bytes, for signatures made over the file itself.
    #[cfg_attr(not(feature = "attest"), allow(dead_code))]
    bytes: std::sync::Arc<[u8]>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Bundle {
        message: message.into(),
    }
}

/// Writes a bundle of `files` (path → bytes; the manifest is made here)
/// whose gate is `gate`. The same arguments always give the same bytes.
pub fn build(
    name: &str,
    version: Option<&str>,
    gate: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Vec<u8>, Error> {
    if name.trim().is_empty() {
        return Err(invalid("a bundle needs a name"));
    }
    if !files.contains_key(gate) {
        return Err(invalid(format!(
            "the gate `{gate}` is not one of the bundle's files"
        )));
    }
    if files.len() > MAX_FILES {
        return Err(invalid(format!("more than {MAX_FILES} files")));
    }
    for path in files.keys() {
        check_path(path)?;
        if path == MANIFEST {
            return Err(invalid(format!("a file may not be named `{MANIFEST}`")));
        }
    }
    let manifest = Manifest {
        bundle_version: BUNDLE_VERSION.into(),
        name: name.into(),
        version: version.map(str::to_owned),
        gate: gate.into(),
        files: files
            .iter()
            .map(|(path, bytes)| BundleFile {
                path: path.clone(),
                digest: crate::sha256_hex(bytes),
                size: bytes.len() as u64,
            })
            .collect(),
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| invalid(e.to_string()))?;
    manifest_bytes.push(b'\n');
    let mut archive = tar::Builder::new(Vec::new());
    archive.mode(tar::HeaderMode::Deterministic);
    let mut append = |path: &str, bytes: &[u8]| -> Result<(), Error> {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        archive
            .append_data(&mut header, path, bytes)
            .map_err(|e| invalid(format!("cannot write `{path}`: {e}")))
    };
    append(MANIFEST, &manifest_bytes)?;
    for (path, bytes) in files {
        append(path, bytes)?;
    }
    let bytes = archive
        .into_inner()
        .map_err(|e| invalid(format!("cannot write the archive: {e}")))?;
    if bytes.len() > MAX_SIZE {
        return Err(invalid(format!("the bundle is over {MAX_SIZE} bytes")));
    }
    Ok(bytes)
}

/// A path as a bundle may hold it.
fn check_path(path: &str) -> Result<(), Error> {
    let bad = |why: &str| invalid(format!("`{}` {why}", path.escape_debug()));
    if path.is_empty() || path.len() > 4096 {
        return Err(bad("is not a file name a bundle may hold"));
    }
    if path.starts_with('/') || Path::new(path).is_absolute() {
        return Err(bad("is an absolute path"));
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return Err(bad("holds a backslash or a control character"));
    }
    for part in path.split('/') {
        match part {
            "" | "." => return Err(bad("has an empty or `.` part")),
            ".." => return Err(bad("climbs out of the bundle (`..`)")),
            _ => {}
        }
    }
    Ok(())
}

impl Bundle {
    /// Reads a bundle's bytes and checks them (see the module's
    /// documentation for everything that is refused).
    pub fn read(bytes: &[u8]) -> Result<Bundle, Error> {
        if bytes.len() > MAX_SIZE {
            return Err(invalid(format!("the bundle is over {MAX_SIZE} bytes")));
        }
        let mut archive = tar::Archive::new(bytes);
        let entries = archive
            .entries()
            .map_err(|e| invalid(format!("not a bundle (a tar archive): {e}")))?;
        let mut manifest_bytes: Option<Vec<u8>> = None;
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (index, entry) in entries.enumerate() {
            let mut entry =
                entry.map_err(|e| invalid(format!("not a bundle (a tar archive): {e}")))?;
            if index > MAX_FILES {
                return Err(invalid(format!("more than {MAX_FILES} files")));
            }
            let kind = entry.header().entry_type();
            let path = String::from_utf8(entry.path_bytes().into_owned())
                .map_err(|_| invalid("a file name is not UTF-8"))?;
            if kind != tar::EntryType::Regular {
                return Err(invalid(format!(
                    "`{}` is not a regular file: a bundle holds only files",
                    path.escape_debug()
                )));
            }
            check_path(&path)?;
            let size = entry.size();
            if size > MAX_SIZE as u64 {
                return Err(invalid(format!("`{path}` is over {MAX_SIZE} bytes")));
            }
            let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            entry
                .read_to_end(&mut data)
                .map_err(|e| invalid(format!("cannot read `{path}`: {e}")))?;
            if index == 0 {
                if path != MANIFEST {
                    return Err(invalid(format!(
                        "the first file is `{path}`, not the manifest `{MANIFEST}`"
                    )));
                }
                manifest_bytes = Some(data);
                continue;
            }
            if path == MANIFEST {
                return Err(invalid(format!("`{MANIFEST}` is there twice")));
            }
            if files.insert(path.clone(), data).is_some() {
                return Err(invalid(format!("`{path}` is there twice")));
            }
        }
        let manifest_bytes =
            manifest_bytes.ok_or_else(|| invalid("an empty archive: no manifest"))?;
        let value = crate::load::parse(
            crate::Format::Json,
            &manifest_bytes,
            &crate::LoadLimits::default(),
        )
        .map_err(|e| invalid(format!("the manifest is not valid JSON: {e}")))?
        .value;
        let manifest: Manifest = serde_json::from_value(value).map_err(|e| {
            invalid(format!(
                "the manifest is not a `{BUNDLE_VERSION}` manifest: {e}"
            ))
        })?;
        if manifest.bundle_version != BUNDLE_VERSION {
            return Err(invalid(format!(
                "the manifest's version is `{}`, not `{BUNDLE_VERSION}`",
                manifest.bundle_version
            )));
        }
        let mut listed = std::collections::BTreeSet::new();
        for f in &manifest.files {
            check_path(&f.path)?;
            if !listed.insert(f.path.as_str()) {
                return Err(invalid(format!("the manifest lists `{}` twice", f.path)));
            }
            let data = files.get(&f.path).ok_or_else(|| {
                invalid(format!(
                    "the manifest lists `{}`, which the bundle does not hold",
                    f.path
                ))
            })?;
            if data.len() as u64 != f.size {
                return Err(invalid(format!(
                    "`{}` is {} bytes, the manifest says {}",
                    f.path,
                    data.len(),
                    f.size
                )));
            }
            let digest = crate::sha256_hex(data);
            if digest != f.digest {
                return Err(invalid(format!(
                    "`{}` has digest {digest}, the manifest says {}",
                    f.path, f.digest
                )));
            }
        }
        if let Some(extra) = files.keys().find(|p| !listed.contains(p.as_str())) {
            return Err(invalid(format!(
                "`{extra}` is in the bundle but not in its manifest"
            )));
        }
        if !files.contains_key(&manifest.gate) {
            return Err(invalid(format!(
                "the manifest's gate `{}` is not one of its files",
                manifest.gate
            )));
        }
        Ok(Bundle {
            manifest,
            files,
            digest: crate::sha256_hex(bytes),
            bytes: bytes.into(),
        })
    }

    /// `sha256:` and the hex SHA-256 of the archive's bytes.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every file but the manifest, by path.
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }

    /// The bundle as a record names it, with the key id of the signer that
    /// was checked, if any.
    pub fn meta(&self, signer: Option<String>) -> BundleMeta {
        BundleMeta {
            digest: self.digest.clone(),
            name: self.manifest.name.clone(),
            version: self.manifest.version.clone(),
            signer,
            signed_by: None,
            source: None,
        }
    }

    /// Compiles the bundle's gate with `builder` (its limits and host
    /// functions), reading imports from the bundle only. The policy's
    /// record names the bundle ([`crate::decision::PolicyMeta::bundle`]).
    pub fn policy(&self, builder: PolicyBuilder) -> Result<Policy, Error> {
        self.policy_with(builder, self.meta(None))
    }

    /// [`Bundle::policy`] recorded as `meta`: a bundle whose signature was
    /// checked names its signer, one pulled from a registry its source.
    pub fn policy_with(&self, builder: PolicyBuilder, meta: BundleMeta) -> Result<Policy, Error> {
        let mut fs = crate::MemFs::new();
        for (path, bytes) in &self.files {
            if path.ends_with(".gate") {
                let text = String::from_utf8(bytes.clone())
                    .map_err(|_| invalid(format!("`{path}` is not UTF-8 text")))?;
                fs.insert(path.as_str(), text);
            }
        }
        let mut policy = builder.compile_file_in(Path::new(&self.manifest.gate), &fs)?;
        policy.bundle = Some(std::sync::Arc::new(meta));
        // The digest names the bundle: made afresh.
        policy.digest = std::sync::Arc::default();
        Ok(policy)
    }

    /// The statement a signature of the bundle covers.
    fn statement(&self) -> Value {
        json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{
                "name": self.manifest.name,
                "digest": {"sha256": self.digest.trim_start_matches("sha256:")},
            }],
            "predicateType": SIGNATURE_PREDICATE_TYPE,
            "predicate": {
                "bundle_version": BUNDLE_VERSION,
                "name": self.manifest.name,
                "version": self.manifest.version,
                "gate": self.manifest.gate,
            },
        })
    }

    /// Signs the bundle: a DSSE envelope of an in-toto Statement whose
    /// subject is the bundle's name and digest.
    pub fn sign(&self, key: &SigningKey) -> Result<Envelope, Error> {
        let payload = serde_json::to_vec(&self.statement()).map_err(|e| invalid(e.to_string()))?;
        Ok(crate::sign::sign(
            &payload,
            crate::attest::vsa::STATEMENT_PAYLOAD_TYPE,
            key,
        ))
    }

    /// Checks a signature of the bundle (an envelope [`Bundle::sign`]
    /// wrote) by any of `keys`: it must verify with one of them, be a
    /// statement of [`SIGNATURE_PREDICATE_TYPE`], and name this bundle's
    /// digest among its subjects. Returns the key id that signed it.
    pub fn verify_signature(
        &self,
        envelope: &Value,
        keys: &[VerifyingKey],
    ) -> Result<String, Error> {
        let refused = |message: String| Error::BundleRefused { message };
        crate::sign::check_fields(envelope).map_err(|e| refused(format!("the signature: {e}")))?;
        let envelope: Envelope = serde_json::from_value(envelope.clone())
            .map_err(|e| refused(format!("the signature is not a DSSE envelope: {e}")))?;
        let mut reasons = Vec::new();
        for key in keys {
            match crate::sign::verify_as(&envelope, key, crate::attest::vsa::STATEMENT_PAYLOAD_TYPE)
            {
                Ok(payload) => {
                    let statement = crate::load::parse(
                        crate::Format::Json,
                        &payload,
                        &crate::LoadLimits::default(),
                    )
                    .map_err(|e| refused(format!("the signed statement is not JSON: {e}")))?
                    .value;
                    self.names_this(&statement, &[SIGNATURE_PREDICATE_TYPE])?;
                    return Ok(crate::sign::key_id(key));
                }
                Err(e) => reasons.push(e.to_string()),
            }
        }
        Err(refused(if keys.is_empty() {
            "no key to check the signature with".into()
        } else {
            format!(
                "the signature does not verify with a required key: {}",
                reasons.join("; ")
            )
        }))
    }

    /// Checks a signature of the bundle against a trust configuration, as
    /// attestations are checked ([`crate::attest::Trust`]): a DSSE envelope
    /// ([`Bundle::sign`]) verified by a trusted key, or a Sigstore bundle
    /// verified by a trusted key or keyless signer — one that signs the
    /// bundle file itself (`sigstore sign`, `cosign sign-blob`), or holds
    /// an in-toto statement of it whose predicate type is
    /// [`SIGNATURE_PREDICATE_TYPE`] (`cosign attest-blob --type`) or SLSA
    /// provenance (`sigstore attest`, GitHub artifact attestations), with
    /// the bundle's digest among its subjects. Returns who signed it.
    ///
    /// ```
    /// use gate_eval::attest::{PublicKey, Trust};
    /// use gate_eval::bundle::{self, Bundle};
    /// let files = [("g.gate".to_string(), b"gate g {}\n".to_vec())].into();
    /// let bundle = Bundle::read(&bundle::build("g", None, "g.gate", &files).unwrap()).unwrap();
    /// let (private, public) = gate_eval::sign::generate_pem_pair().unwrap();
    /// let key = gate_eval::sign::signing_key_from_pem(&private).unwrap();
    /// let signature = serde_json::to_vec(&bundle.sign(&key).unwrap()).unwrap();
    /// let trust = Trust::new().key("policy-team", PublicKey::read(public.as_bytes()).unwrap());
    /// let signer = bundle.verify_trusted(&signature, &trust).unwrap();
    /// assert_eq!(signer.name, "policy-team");
    /// // Trusting someone else: refused.
    /// let (_, other) = gate_eval::sign::generate_pem_pair().unwrap();
    /// let other = Trust::new().key("other", PublicKey::read(other.as_bytes()).unwrap());
    /// assert!(bundle.verify_trusted(&signature, &other).is_err());
    /// ```
    #[cfg(feature = "attest")]
    pub fn verify_trusted(&self, signature: &[u8], trust: &Trust) -> Result<Signer, Error> {
        let refused = |message: String| Error::BundleRefused { message };
        if trust.is_empty() {
            return Err(refused("the trust configuration trusts no one".into()));
        }
        let text = std::str::from_utf8(signature)
            .map_err(|_| refused("the signature is not UTF-8 JSON".into()))?;
        let (statement, signer) = crate::attest::verify_file_signature(
            text,
            trust,
            &crate::LoadLimits::default(),
            &self.bytes,
        )
        .map_err(|e| refused(format!("the signature does not verify: {e}")))?;
        if let Some(statement) = statement {
            self.names_this(&Value::Object(statement), TRUSTED_PREDICATE_TYPES)?;
        }
        Ok(signer)
    }

    /// Checks that a signed statement is of this bundle: a predicate type
    /// of `types`, and this bundle's digest among its subjects' (every
    /// subject names a sha256 digest).
    fn names_this(&self, statement: &Value, types: &[&str]) -> Result<(), Error> {
        let refused = |message: String| Error::BundleRefused { message };
        let predicate = statement.get("predicateType").and_then(Value::as_str);
        if !predicate.is_some_and(|p| types.contains(&p)) {
            let wanted: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
            return Err(refused(format!(
                "the signature is not of a bundle: its predicate type is {}, not {}",
                predicate.map_or("missing".to_string(), |p| format!("`{p}`")),
                wanted.join(" or ")
            )));
        }
        let subjects = statement.get("subject").and_then(Value::as_array);
        let signed: Vec<&str> = subjects
            .into_iter()
            .flatten()
            .filter_map(|s| s.pointer("/digest/sha256").and_then(Value::as_str))
            .collect();
        let ours = self.digest.trim_start_matches("sha256:");
        if !signed.contains(&ours) {
            return Err(refused(format!(
                "the signature is of another bundle ({}), not of this one ({})",
                if signed.is_empty() {
                    "no sha256 subject".to_string()
                } else {
                    format!("sha256:{}", signed.join(", sha256:"))
                },
                self.digest
            )));
        }
        Ok(())
    }

    /// Checks what a command requires of the bundle: its digest is
    /// `digest`, if given (`sha256:HEX`, or the bare hex).
    pub fn require_digest(&self, digest: &str) -> Result<(), Error> {
        let want = digest.trim();
        let want = if want.starts_with("sha256:") {
            want.to_ascii_lowercase()
        } else {
            format!("sha256:{}", want.to_ascii_lowercase())
        };
        if want != self.digest {
            return Err(Error::BundleRefused {
                message: format!("its digest is {}, not the required {want}", self.digest),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const GATE: &str = "gate demo { title \"Demo\" }\nimport \"lib/types.gate\" as t\nevidence { ok: bool }\nrule r \"R\" {\n  controls \"OWASP-NHI:NHI2\"\n  require ok else \"not ok\"\n}\n";

    fn files() -> BTreeMap<String, Vec<u8>> {
        let mut f = BTreeMap::new();
        f.insert("demo.gate".to_string(), GATE.as_bytes().to_vec());
        f.insert(
            "lib/types.gate".to_string(),
            b"module types\nlet LIMIT = 3\n".to_vec(),
        );
        f.insert("demo.test.yaml".to_string(), b"tests: []\n".to_vec());
        f
    }

    /// A raw tar archive of `entries`, for archives `build` never writes.
    fn raw(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut a = tar::Builder::new(Vec::new());
        for (path, data, kind) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            // Paths `append_data` would refuse go in the header as bytes.
            let name = &mut h.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            a.append(&h, *data).unwrap();
        }
        a.into_inner().unwrap()
    }

    fn manifest_of(files: &[(&str, &[u8])], gate: &str) -> Vec<u8> {
        let m = Manifest {
            bundle_version: BUNDLE_VERSION.into(),
            name: "demo".into(),
            version: None,
            gate: gate.into(),
            files: files
                .iter()
                .map(|(p, d)| BundleFile {
                    path: (*p).into(),
                    digest: crate::sha256_hex(d),
                    size: d.len() as u64,
                })
                .collect(),
        };
        serde_json::to_vec(&m).unwrap()
    }

    fn message(e: Error) -> String {
        e.to_string()
    }

    #[test]
    fn builds_the_same_bytes_and_reads_them_back() {
        let a = build("demo", Some("1.2.0"), "demo.gate", &files()).unwrap();
        let b = build("demo", Some("1.2.0"), "demo.gate", &files()).unwrap();
        assert_eq!(a, b);
        let bundle = Bundle::read(&a).unwrap();
        assert_eq!(bundle.manifest().files.len(), 3);
        assert_eq!(bundle.manifest().version.as_deref(), Some("1.2.0"));
        let policy = bundle.policy(Policy::builder()).unwrap();
        let meta = policy.digest();
        assert_eq!(meta.sources.len(), 2, "the gate and its import");
        assert_eq!(meta.bundle.unwrap().digest, bundle.digest());
        // Another version is another bundle.
        let c = build("demo", Some("1.2.1"), "demo.gate", &files()).unwrap();
        assert_ne!(Bundle::read(&c).unwrap().digest(), bundle.digest());
    }

    #[test]
    fn refuses_what_a_bundle_may_not_hold() {
        let gate = GATE.as_bytes();
        let ok = manifest_of(&[("demo.gate", gate)], "demo.gate");
        let reg = tar::EntryType::Regular;
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (raw(&[("demo.gate", gate, reg)]), "not the manifest"),
            (raw(&[(MANIFEST, &ok, reg), ("demo.gate", gate, reg), ("demo.gate", gate, reg)]), "twice"),
            (raw(&[(MANIFEST, &ok, reg), ("demo.gate", gate, reg), ("x.gate", gate, reg)]), "not in its manifest"),
            (raw(&[(MANIFEST, &ok, reg)]), "does not hold"),
            (raw(&[(MANIFEST, &ok, reg), ("demo.gate", b"gate evil {}", reg)]), "bytes, the manifest says"),
            (raw(&[(MANIFEST, &ok, reg), ("../demo.gate", gate, reg)]), "climbs out"),
            (raw(&[(MANIFEST, &ok, reg), ("/etc/demo.gate", gate, reg)]), "absolute"),
            (raw(&[(MANIFEST, &ok, reg), ("demo.gate", gate, tar::EntryType::Symlink)]), "not a regular file"),
            (raw(&[(MANIFEST, &ok, reg), ("lib", b"", tar::EntryType::Directory)]), "not a regular file"),
            (raw(&[(MANIFEST, b"{\"bundle_version\": 1", reg)]), "not valid JSON"),
            (raw(&[(MANIFEST, &manifest_of(&[("demo.gate", gate)], "other.gate"), reg), ("demo.gate", gate, reg)]), "is not one of its files"),
            (b"not a tar archive at all, just text that goes on for a while ..........................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................".to_vec(), "not a bundle"),
            (Vec::new(), "no manifest"),
        ];
        for (bytes, why) in cases {
            let e = message(Bundle::read(&bytes).expect_err(why));
            assert!(e.contains(why), "{why}: {e}");
        }
        // The same file, its bytes changed under the same size.
        let mut changed = build("demo", None, "demo.gate", &files()).unwrap();
        let at = changed.windows(6).position(|w| w == b"not ok").unwrap();
        changed[at] = b'N';
        let e = message(Bundle::read(&changed).unwrap_err());
        assert!(
            e.contains("has digest") || e.contains("not a bundle"),
            "{e}"
        );
    }

    #[test]
    fn a_duplicate_manifest_key_is_refused() {
        let gate = GATE.as_bytes();
        let text = String::from_utf8(manifest_of(&[("demo.gate", gate)], "demo.gate")).unwrap();
        let twice = text.replacen("{", "{\"name\": \"other\", ", 1);
        let bytes = raw(&[
            (MANIFEST, twice.as_bytes(), tar::EntryType::Regular),
            ("demo.gate", gate, tar::EntryType::Regular),
        ]);
        assert!(message(Bundle::read(&bytes).unwrap_err()).contains("not valid JSON"));
    }

    #[test]
    fn signatures_name_the_bundle_and_the_key() {
        let (private, public) = crate::sign::generate_pem_pair().unwrap();
        let key = crate::sign::signing_key_from_pem(&private).unwrap();
        let pubkey = crate::sign::verifying_key_from_pem(&public).unwrap();
        let (_, other_public) = crate::sign::generate_pem_pair().unwrap();
        let other = crate::sign::verifying_key_from_pem(&other_public).unwrap();
        let bundle = Bundle::read(&build("demo", None, "demo.gate", &files()).unwrap()).unwrap();
        let sig = serde_json::to_value(bundle.sign(&key).unwrap()).unwrap();
        assert_eq!(
            bundle.verify_signature(&sig, &[other, pubkey]).unwrap(),
            crate::sign::key_id(&pubkey)
        );
        assert!(
            message(bundle.verify_signature(&sig, &[other]).unwrap_err())
                .contains("does not verify")
        );
        // The signature of one bundle is not one of another.
        let another =
            Bundle::read(&build("demo", Some("2"), "demo.gate", &files()).unwrap()).unwrap();
        assert!(
            message(another.verify_signature(&sig, &[pubkey]).unwrap_err())
                .contains("another bundle")
        );
        // A field beside the signed payload is refused.
        let mut forged = sig.clone();
        forged["digest"] = json!("sha256:00");
        assert!(bundle.verify_signature(&forged, &[pubkey]).is_err());
    }

    #[test]
    fn digests_are_required_exactly() {
        let bundle = Bundle::read(&build("demo", None, "demo.gate", &files()).unwrap()).unwrap();
        let hex = bundle.digest().trim_start_matches("sha256:").to_string();
        assert!(bundle.require_digest(bundle.digest()).is_ok());
        assert!(bundle.require_digest(&hex.to_uppercase()).is_ok());
        let e = message(
            bundle
                .require_digest(&format!("sha256:{}", "0".repeat(64)))
                .unwrap_err(),
        );
        assert!(e.contains("not the required"), "{e}");
    }
}
