//! Policy bundles in OCI registries: `gate bundle push|pull` and
//! `--policy oci://…@sha256:…`, over the OCI distribution API (the
//! `oci-client` crate).
//!
//! A bundle is stored as an OCI artifact: an image manifest whose
//! `artifactType` is [`ARTIFACT_TYPE`], with the empty config, the bundle
//! as its first layer ([`gate_eval::bundle::MEDIA_TYPE`]) and, when it has
//! one, its signature as a second layer ([`SIGNATURE_MEDIA_TYPE`] for a
//! DSSE envelope, [`SIGSTORE_MEDIA_TYPE`] for a Sigstore bundle). What is
//! pulled is checked here whatever the registry says:
//! the manifest against the digest of the reference, each layer against
//! its descriptor, sizes against the bundle limits.
//!
//! Credentials are the ones `docker login`, `oras login` or `crane auth
//! login` keep: `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`),
//! with its credential helpers. A registry on loopback is spoken to over
//! plain HTTP (as Docker does); any other over HTTPS, with the system's
//! certificate roots.

use crate::io::Io;
use gate_eval::Error;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::manifest::{OciDescriptor, OciImageManifest, OCI_IMAGE_MEDIA_TYPE};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The `artifactType` of a gate bundle's manifest.
pub const ARTIFACT_TYPE: &str = "application/vnd.gate.bundle.v1";
/// The media type of a bundle's signature layer (a DSSE envelope).
pub const SIGNATURE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
/// The media type of a signature layer that is a Sigstore bundle (as
/// cosign stores them in registries).
pub const SIGSTORE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The media type of a signature's layer: a Sigstore bundle says it is
/// one (`mediaType`); anything else is a DSSE envelope.
fn signature_media_type(signature: &[u8]) -> &'static str {
    let media = serde_json::from_slice::<serde_json::Value>(signature).ok();
    let media = media.as_ref().and_then(|v| v.get("mediaType")?.as_str());
    if media.is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle")) {
        SIGSTORE_MEDIA_TYPE
    } else {
        SIGNATURE_MEDIA_TYPE
    }
}
/// The OCI empty descriptor's media type, and its content `{}`.
const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
const EMPTY: &[u8] = b"{}";
/// The most a manifest or signature may hold.
const MAX_SMALL: usize = 1 << 20;
/// How long one push or pull may take in all.
const DEADLINE: Duration = Duration::from_secs(120);
/// The annotation naming a layer's file (as ORAS does).
const TITLE: &str = "org.opencontainers.image.title";

/// The prefix of a policy that is a registry reference.
pub const SCHEME: &str = "oci://";

/// A reference to a bundle in a registry, as the user wrote it and parsed.
#[derive(Clone, Debug)]
pub struct Target {
    /// `oci://` and the reference, as given.
    pub text: String,
    reference: Reference,
}

impl Target {
    /// Parses `oci://host[:port]/repository[:tag][@sha256:…]` (the
    /// `oci://` is optional where only a reference can be meant).
    pub fn parse(text: &str) -> Result<Target, Error> {
        let bare = text.strip_prefix(SCHEME).unwrap_or(text);
        let fail = |message: String| Error::Registry {
            reference: text.to_string(),
            message,
        };
        if bare.is_empty() {
            return Err(fail("no reference after `oci://`".into()));
        }
        let reference: Reference = bare.parse().map_err(|e| {
            fail(format!(
                "not an OCI reference (`host[:port]/repository[:tag][@sha256:…]`): {e}"
            ))
        })?;
        if let Some(d) = reference.digest() {
            if !is_sha256(d) {
                return Err(fail(format!(
                    "`{d}` is not a digest `sha256:` and 64 lowercase hex digits"
                )));
            }
        }
        Ok(Target {
            text: format!("{SCHEME}{bare}"),
            reference,
        })
    }

    /// The manifest digest the reference is pinned by, if it is.
    pub fn digest(&self) -> Option<&str> {
        self.reference.digest()
    }

    /// The reference pinned by `digest`: `oci://host/repository@digest`.
    pub fn pinned(&self, digest: &str) -> String {
        format!(
            "{SCHEME}{}/{}@{digest}",
            self.reference.registry(),
            self.reference.repository()
        )
    }

    fn registry(&self) -> &str {
        self.reference.resolve_registry()
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::Registry {
            reference: self.text.clone(),
            message: message.into(),
        }
    }
}

/// Whether a policy argument names a registry reference.
pub fn is_reference(text: &str) -> bool {
    text.starts_with(SCHEME)
}

fn is_sha256(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// A bundle pulled from a registry, checked against its manifest.
#[derive(Debug)]
pub struct Pulled {
    /// The bundle's bytes.
    pub bundle: Vec<u8>,
    /// Its signature (a DSSE envelope), when the artifact has one.
    pub signature: Option<Vec<u8>>,
    /// The reference pinned by that digest.
    pub pinned: String,
}

/// Pushes a bundle (and its signature) to `target`, tagged as the
/// reference says (`latest` when it names no tag). Returns the digest of
/// the manifest.
pub fn push(
    io: &Io,
    target: &Target,
    bundle: &[u8],
    signature: Option<&[u8]>,
    annotations: BTreeMap<String, String>,
    file_name: &str,
) -> Result<String, Error> {
    if target.digest().is_some() {
        return Err(target.error(
            "a push names a tag, not a digest: the digest is the manifest's, known once it is made",
        ));
    }
    let layer = |media_type: &str, data: &[u8], title: String| OciDescriptor {
        media_type: media_type.to_string(),
        digest: gate_eval::sha256_hex(data),
        size: i64::try_from(data.len()).unwrap_or(i64::MAX),
        urls: None,
        annotations: Some(BTreeMap::from([(TITLE.to_string(), title)])),
        artifact_type: None,
    };
    let mut layers = vec![layer(
        gate_eval::bundle::MEDIA_TYPE,
        bundle,
        file_name.to_string(),
    )];
    if let Some(sig) = signature {
        layers.push(layer(
            signature_media_type(sig),
            sig,
            format!("{file_name}.sig"),
        ));
    }
    let manifest = OciImageManifest {
        schema_version: 2,
        media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
        config: OciDescriptor {
            media_type: EMPTY_MEDIA_TYPE.to_string(),
            digest: gate_eval::sha256_hex(EMPTY),
            size: 2,
            urls: None,
            annotations: None,
            artifact_type: None,
        },
        layers,
        subject: None,
        artifact_type: Some(ARTIFACT_TYPE.to_string()),
        annotations: (!annotations.is_empty()).then_some(annotations),
    };
    let body = serde_json::to_vec(&manifest).map_err(|e| target.error(e.to_string()))?;
    let digest = gate_eval::sha256_hex(&body);
    // The blobs and the digests their descriptors already hold.
    let blobs: Vec<(&[u8], String)> = std::iter::once(EMPTY)
        .chain(std::iter::once(bundle))
        .chain(signature)
        .zip(std::iter::once(&manifest.config).chain(&manifest.layers))
        .map(|(data, d)| (data, d.digest.clone()))
        .collect();
    let (client, auth) = connect(io, target)?;
    run(target, async {
        client.store_auth_if_needed(target.registry(), &auth).await;
        for (data, digest) in &blobs {
            if !client.blob_exists(&target.reference, digest).await? {
                client
                    .push_blob(&target.reference, data.to_vec(), digest)
                    .await?;
            }
        }
        let content_type = OCI_IMAGE_MEDIA_TYPE
            .parse()
            .map_err(|_| oci_client::errors::OciDistributionError::GenericError(None))?;
        client
            .push_manifest_raw(&target.reference, body, content_type)
            .await?;
        Ok(())
    })?;
    Ok(digest)
}

/// Pulls the bundle `target` names, checking the manifest against the
/// reference's digest (when it has one), each layer against its
/// descriptor, and that the artifact is a gate bundle.
pub fn pull(io: &Io, target: &Target) -> Result<Pulled, Error> {
    let (client, auth) = connect(io, target)?;
    let (body, bundle, signature) = run(target, async {
        let (body, _) = client
            .pull_manifest_raw(&target.reference, &auth, &[OCI_IMAGE_MEDIA_TYPE])
            .await?;
        let manifest = match manifest_layers(&body) {
            Ok(m) => m,
            Err(message) => return Ok(Err(message)),
        };
        let bundle = fetch(&client, &target.reference, &manifest.0).await?;
        let signature = match &manifest.1 {
            Some(d) => Some(fetch(&client, &target.reference, d).await?),
            None => None,
        };
        Ok(Ok((body, bundle, signature)))
    })?
    .map_err(|message| target.error(message))?;
    // What pins the bundle: checked here, whatever the client did.
    let manifest_digest = gate_eval::sha256_hex(&body);
    if let Some(want) = target.digest() {
        if want != manifest_digest {
            return Err(target.error(format!(
                "the registry sent a manifest whose digest is {manifest_digest}, not {want}"
            )));
        }
    }
    Ok(Pulled {
        bundle,
        signature,
        pinned: target.pinned(&manifest_digest),
    })
}

/// The bundle layer and the signature layer of a manifest.
fn manifest_layers(body: &[u8]) -> Result<(OciDescriptor, Option<OciDescriptor>), String> {
    if body.len() > MAX_SMALL {
        return Err(format!("its manifest is larger than {MAX_SMALL} bytes"));
    }
    let manifest: OciImageManifest = serde_json::from_slice(body)
        .map_err(|e| format!("its manifest is not an OCI image manifest: {e}"))?;
    let is_bundle = |d: &&OciDescriptor| d.media_type == gate_eval::bundle::MEDIA_TYPE;
    let bundles: Vec<&OciDescriptor> = manifest.layers.iter().filter(is_bundle).collect();
    let signatures: Vec<&OciDescriptor> = manifest
        .layers
        .iter()
        .filter(|d| [SIGNATURE_MEDIA_TYPE, SIGSTORE_MEDIA_TYPE].contains(&d.media_type.as_str()))
        .collect();
    let [bundle] = bundles.as_slice() else {
        let found = manifest
            .artifact_type
            .as_deref()
            .map(|t| format!(" (its artifact type is `{t}`)"))
            .unwrap_or_default();
        return Err(format!(
            "it is not a gate bundle: a gate bundle's manifest has one layer of type `{}`, this one has {}{found}",
            gate_eval::bundle::MEDIA_TYPE,
            bundles.len()
        ));
    };
    if signatures.len() > 1 {
        return Err(format!(
            "its manifest has {} signature layers: a gate bundle has at most one",
            signatures.len()
        ));
    }
    for (d, most) in [(*bundle, gate_eval::bundle::MAX_SIZE)]
        .into_iter()
        .chain(signatures.first().map(|s| (*s, MAX_SMALL)))
    {
        if !is_sha256(&d.digest) {
            return Err(format!(
                "a layer's digest `{}` is not `sha256:` and 64 lowercase hex digits",
                d.digest
            ));
        }
        if usize::try_from(d.size).map_or(true, |s| s > most) {
            return Err(format!(
                "its `{}` layer is {} bytes: at most {most} are read",
                d.media_type, d.size
            ));
        }
    }
    Ok(((*bundle).clone(), signatures.first().map(|s| (*s).clone())))
}

/// A layer's bytes, at most its descriptor's size, checked against its
/// digest.
async fn fetch(
    client: &Client,
    reference: &Reference,
    layer: &OciDescriptor,
) -> Result<Vec<u8>, oci_client::errors::OciDistributionError> {
    let mut out = Bounded {
        bytes: Vec::new(),
        limit: usize::try_from(layer.size).unwrap_or(0),
    };
    client.pull_blob(reference, layer, &mut out).await?;
    if out.bytes.len() != out.limit || gate_eval::sha256_hex(&out.bytes) != layer.digest {
        return Err(
            oci_client::errors::OciDistributionError::SpecViolationError(format!(
                "the blob sent for {} is not the one its descriptor names",
                layer.digest
            )),
        );
    }
    Ok(out.bytes)
}

/// A buffer that refuses more than `limit` bytes: a registry cannot make
/// gate hold more than the descriptor said.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl tokio::io::AsyncWrite for Bounded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.bytes.len() + buf.len() > self.limit {
            return Poll::Ready(Err(std::io::Error::other(
                "the registry sent more bytes than the layer's descriptor says",
            )));
        }
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A client for the target's registry and the credentials to use there.
fn connect(io: &Io, target: &Target) -> Result<(Client, RegistryAuth), Error> {
    let registry = target.registry().to_string();
    let protocol = if is_loopback(&registry) {
        ClientProtocol::Http
    } else {
        ClientProtocol::Https
    };
    let config = ClientConfig {
        protocol,
        connect_timeout: Some(Duration::from_secs(10)),
        read_timeout: Some(Duration::from_secs(30)),
        user_agent: concat!("gate/", env!("CARGO_PKG_VERSION")),
        // An image index is not a bundle: refused, not resolved.
        platform_resolver: None,
        max_concurrent_download: 1,
        max_concurrent_upload: 1,
        ..ClientConfig::default()
    };
    let auth = credentials(io, &registry).map_err(|m| target.error(m))?;
    Ok((Client::new(config), auth))
}

/// Whether a registry host is this machine (`localhost`, `127.0.0.0/8`,
/// `[::1]`), with or without a port.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => registry.split(':').next().unwrap_or(registry),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The credentials for `registry` in the Docker configuration, or none.
fn credentials(io: &Io, registry: &str) -> Result<RegistryAuth, String> {
    let dir = io
        .var("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            io.var("HOME")
                .map(|h| std::path::Path::new(&h).join(".docker"))
        });
    let Some(path) = dir.map(|d| d.join("config.json")) else {
        return Ok(RegistryAuth::Anonymous);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RegistryAuth::Anonymous),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    use docker_credential::{CredentialRetrievalError as E, DockerCredential};
    match docker_credential::get_credential_from_reader(std::io::BufReader::new(file), registry) {
        Ok(DockerCredential::UsernamePassword(user, password)) => {
            Ok(RegistryAuth::Basic(user, password))
        }
        Ok(DockerCredential::IdentityToken(_)) => Err(format!(
            "`{}` keeps an identity token for `{registry}`, which gate cannot use: log in with a user name and password or token",
            path.display()
        )),
        Err(E::NoCredentialConfigured) => Ok(RegistryAuth::Anonymous),
        Err(e) => Err(format!(
            "the credentials for `{registry}` in `{}` cannot be used: {e}",
            path.display()
        )),
    }
}

/// Runs a registry exchange to its end, or to the deadline.
fn run<T>(
    target: &Target,
    work: impl std::future::Future<Output = Result<T, oci_client::errors::OciDistributionError>>,
) -> Result<T, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| target.error(format!("cannot start the network runtime: {e}")))?;
    runtime.block_on(async {
        match tokio::time::timeout(DEADLINE, work).await {
            Ok(Ok(t)) => Ok(t),
            Ok(Err(e)) => Err(target.error(describe(target, &e))),
            Err(_) => Err(target.error(format!(
                "the registry did not finish answering within {} seconds",
                DEADLINE.as_secs()
            ))),
        }
    })
}

/// What went wrong, in words a user can act on.
fn describe(target: &Target, e: &oci_client::errors::OciDistributionError) -> String {
    use oci_client::errors::OciDistributionError as E;
    let registry = target.registry();
    match e {
        E::RequestError(r) if r.is_connect() => {
            format!("cannot connect to the registry `{registry}`: {}", chain(r))
        }
        E::RequestError(r)
            if r.status()
                .is_some_and(|c| c.as_u16() == 401 || c.as_u16() == 403) =>
        {
            refused(registry)
        }
        E::RequestError(r) if r.is_timeout() => {
            format!("the registry `{registry}` did not answer in time")
        }
        E::RequestError(r) => format!("the request to `{registry}` failed: {}", chain(r)),
        E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => refused(registry),
        E::RegistryError { envelope, .. } => {
            let said: Vec<String> = envelope
                .errors
                .iter()
                .map(|e| {
                    use oci_client::errors::OciErrorCode as C;
                    let hint = match e.code {
                        C::ManifestUnknown => " (no such tag or digest in this repository)",
                        C::NameUnknown => " (no such repository)",
                        C::Unauthorized | C::Denied => {
                            " (log in with `docker login`; gate reads `$DOCKER_CONFIG/config.json`)"
                        }
                        _ => "",
                    };
                    format!("{}{hint}", e.message)
                })
                .collect();
            format!("the registry `{registry}` says: {}", said.join("; "))
        }
        E::ServerError { code, message, .. } => {
            let message = message.trim();
            let message: String = message.chars().take(200).collect();
            format!("the registry `{registry}` answers HTTP {code}: {message}")
        }
        E::ImageManifestNotFoundError(_) => "no such tag or digest in this repository".to_string(),
        E::DigestError(d) => format!("what the registry sent is not what its digest names: {d}"),
        other => other.to_string(),
    }
}

/// The registry refuses the credentials given, or asks for some.
fn refused(registry: &str) -> String {
    format!(
        "`{registry}` refuses the credentials (or asks for some): log in with `docker login {registry}` (gate reads `$DOCKER_CONFIG/config.json`)"
    )
}

/// An error and its causes, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let t = Target::parse("oci://127.0.0.1:5000/policies/release:v1").unwrap();
        assert_eq!(t.registry(), "127.0.0.1:5000");
        assert_eq!(t.digest(), None);
        let d = format!("sha256:{}", "a".repeat(64));
        let t = Target::parse(&format!("oci://localhost:5000/p/r@{d}")).unwrap();
        assert_eq!(t.digest(), Some(d.as_str()));
        assert_eq!(t.pinned(&d), format!("oci://localhost:5000/p/r@{d}"));
        assert!(Target::parse("oci://").is_err());
        assert!(Target::parse("oci://h/r@sha256:abc").is_err());
        assert!(Target::parse("oci://h/R@@").is_err());
    }

    #[test]
    fn signature_layers_say_what_they_hold() {
        let sigstore = br#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}"#;
        assert_eq!(signature_media_type(sigstore), SIGSTORE_MEDIA_TYPE);
        let old = br#"{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1"}"#;
        assert_eq!(signature_media_type(old), SIGSTORE_MEDIA_TYPE);
        let dsse =
            br#"{"payloadType": "application/vnd.in-toto+json", "payload": "", "signatures": []}"#;
        assert_eq!(signature_media_type(dsse), SIGNATURE_MEDIA_TYPE);
        assert_eq!(signature_media_type(b"not json"), SIGNATURE_MEDIA_TYPE);
    }

    #[test]
    fn loopback() {
        for r in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
            "LOCALHOST",
        ] {
            assert!(is_loopback(r), "{r}");
        }
        for r in [
            "registry.example",
            "10.0.0.1:5000",
            "localhost.example.com",
            "[::2]:80",
        ] {
            assert!(!is_loopback(r), "{r}");
        }
    }

    #[test]
    fn manifests_that_are_not_bundles() {
        let layer = |t: &str, size: i64| serde_json::json!({"mediaType": t, "digest": format!("sha256:{}", "b".repeat(64)), "size": size});
        let manifest = |layers: Vec<serde_json::Value>| {
            serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "mediaType": OCI_IMAGE_MEDIA_TYPE,
                "config": layer(EMPTY_MEDIA_TYPE, 2),
                "layers": layers,
            }))
            .unwrap()
        };
        let bundle = gate_eval::bundle::MEDIA_TYPE;
        assert!(manifest_layers(&manifest(vec![layer(bundle, 10)])).is_ok());
        let e = manifest_layers(&manifest(vec![layer(
            "application/vnd.oci.image.layer.v1.tar",
            10,
        )]))
        .unwrap_err();
        assert!(e.contains("not a gate bundle"), "{e}");
        let e = manifest_layers(&manifest(vec![layer(bundle, 10), layer(bundle, 10)])).unwrap_err();
        assert!(e.contains("has 2"), "{e}");
        let e = manifest_layers(&manifest(vec![layer(bundle, 1 << 40)])).unwrap_err();
        assert!(e.contains("at most"), "{e}");
        let e = manifest_layers(&manifest(vec![layer(bundle, -1)])).unwrap_err();
        assert!(e.contains("at most"), "{e}");
        let e = manifest_layers(&manifest(vec![
            layer(bundle, 10),
            layer(SIGNATURE_MEDIA_TYPE, 10),
            layer(SIGNATURE_MEDIA_TYPE, 10),
        ]))
        .unwrap_err();
        assert!(e.contains("signature layers"), "{e}");
        assert!(manifest_layers(b"[]").is_err());
    }
}
