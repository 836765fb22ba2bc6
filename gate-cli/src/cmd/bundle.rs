//! `gate bundle build|sign|verify|push|pull`, and opening a policy that
//! is a bundle for the commands that take one (`check`, `test`, `lint`,
//! `verify-record`, `controls`).
//!
//! A policy path whose name ends in `.bundle` is a bundle file; one that
//! starts with `oci://` is a bundle in a registry ([`crate::registry`]),
//! which these commands take only pinned by the digest of its manifest.
//! Either is read and checked ([`gate_eval::bundle::Bundle::read`]), held
//! to `--require-digest` and `--require-signer` or `--bundle-trust`, and
//! its gate compiled from the bundle alone. The signature is
//! `--bundle-signature` when it is given, else the file beside the bundle
//! (`BUNDLE.sig`, or `BUNDLE.sigstore.json` as `sigstore sign` names it),
//! or the signature layer of the artifact in the registry.

use crate::cli::{
    BundleBuildArgs, BundleCommand, BundlePullArgs, BundlePushArgs, BundleSignArgs,
    BundleVerifyArgs, Requirements,
};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::registry::{self, Target};
use crate::render::{self, Output};
use gate_eval::bundle::{self, Bundle};
use gate_eval::decision::{BundleMeta, Signer};
use gate_eval::{Error, Policy, PolicyBuilder};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Runs `gate bundle …`.
pub fn run(command: BundleCommand, out: &Output, io: &mut Io) -> Exit {
    match command {
        BundleCommand::Build(a) => build(a, out, io),
        BundleCommand::Sign(a) => sign(a, out, io),
        BundleCommand::Verify(a) => verify(a, out, io),
        BundleCommand::Push(a) => push(a, out, io),
        BundleCommand::Pull(a) => pull(a, out, io),
    }
}

/// Whether a policy path names a bundle: a `*.bundle` file or an
/// `oci://` reference.
pub fn is_bundle(path: &Path) -> bool {
    registry::is_reference(&path.to_string_lossy())
        || path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".bundle"))
}

/// The signature file of a bundle: `given`, else `BUNDLE.sig`, else
/// `BUNDLE.sigstore.json` when only that one is there.
fn signature_path(bundle: &Path, given: Option<&Path>) -> PathBuf {
    if let Some(p) = given {
        return p.to_path_buf();
    }
    let beside = |suffix: &str| {
        let mut name = bundle.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let sig = beside(".sig");
    let sigstore = beside(".sigstore.json");
    if !sig.exists() && sigstore.is_file() {
        return sigstore;
    }
    sig
}

/// A bundle that was read, checked and held to what was required.
pub struct Opened {
    /// The bundle.
    pub bundle: Bundle,
    /// Who signed it, if its signature was checked.
    pub signer: Checked,
    /// The pinned reference it was pulled by, for one from a registry.
    pub source: Option<String>,
    /// Its signature as it came, when it came from a registry with one.
    pub signature: Option<Vec<u8>>,
    /// The bundle's bytes.
    pub bytes: Vec<u8>,
}

impl Opened {
    /// How a decision record names it.
    pub fn meta(&self) -> BundleMeta {
        let (key, signed_by) = match &self.signer {
            Checked::Not => (None, None),
            Checked::Key(k) => (Some(k.clone()), None),
            Checked::Trusted(s) => (None, Some(s.clone())),
        };
        BundleMeta {
            source: self.source.clone(),
            signed_by,
            ..self.bundle.meta(key)
        }
    }
}

/// Whether, and by whom, a bundle's signature was checked.
#[derive(Clone, Debug, Default)]
pub enum Checked {
    /// Nothing required a signature.
    #[default]
    Not,
    /// By a key of `--require-signer`: its key id.
    Key(String),
    /// Against the trust configuration of `--bundle-trust`.
    Trusted(Signer),
}

impl Checked {
    /// What `gate bundle verify` and `pull` say of the signature: `present`
    /// whether there is one.
    fn describe(&self, present: bool) -> String {
        match self {
            Checked::Key(k) => format!("verified, key {k}"),
            Checked::Trusted(s) if s.kind == "sigstore" => format!(
                "verified, `{}`: {}, issuer {}{}",
                s.name,
                s.identity.as_deref().unwrap_or("no identity"),
                s.issuer.as_deref().unwrap_or("none"),
                s.signed_at
                    .as_deref()
                    .map(|t| format!(", signed {t}"))
                    .unwrap_or_default()
            ),
            Checked::Trusted(s) => format!(
                "verified, key `{}` ({}){}",
                s.name,
                s.keyid.as_deref().unwrap_or("no key id"),
                s.signed_at
                    .as_deref()
                    .map(|t| format!(", signed {t}"))
                    .unwrap_or_default()
            ),
            Checked::Not if present => {
                "present, not checked (no `--require-signer` or `--bundle-trust`)".into()
            }
            Checked::Not => "not checked (no `--require-signer` or `--bundle-trust`)".into(),
        }
    }
}

/// Where a bundle's signature is.
enum Signature<'a> {
    /// In a file: `--bundle-signature`, or `BUNDLE.sig`.
    File(PathBuf),
    /// In the artifact pulled from a registry (maybe none).
    Pulled(Option<&'a [u8]>),
}

/// Reads a bundle (a file, or a registry reference pinned by digest) and
/// holds it to the requirements: its digest, and a signature by one of the
/// required signers.
pub fn open(path: &Path, req: &Requirements, io: &Io) -> Result<Opened, Error> {
    let text = path.to_string_lossy();
    if registry::is_reference(&text) {
        let target = Target::parse(&text)?;
        if target.digest().is_none() {
            return Err(Error::BundleRefused {
                message: format!(
                    "`{text}` is not pinned by digest, and a tag can be moved to another bundle: \
                     name it as `oci://…@sha256:…` (`gate bundle pull` prints the digest)"
                ),
            });
        }
        return pulled(io, &target, req);
    }
    let bytes = input::read_bounded(path, bundle::MAX_SIZE)?;
    let signature = Signature::File(signature_path(path, req.bundle_signature.as_deref()));
    let (bundle, signer) = held_to(&bytes, &path.display().to_string(), signature, req)?;
    Ok(Opened {
        bundle,
        signer,
        source: None,
        signature: None,
        bytes,
    })
}

/// Pulls the bundle `target` names and holds it to the requirements.
fn pulled(io: &Io, target: &Target, req: &Requirements) -> Result<Opened, Error> {
    let got = registry::pull(io, target)?;
    let signature = match &req.bundle_signature {
        Some(p) => Signature::File(p.clone()),
        None => Signature::Pulled(got.signature.as_deref()),
    };
    let (bundle, signer) = held_to(&got.bundle, &got.pinned, signature, req)?;
    Ok(Opened {
        bundle,
        signer,
        source: Some(got.pinned),
        signature: got.signature,
        bytes: got.bundle,
    })
}

/// Reads a bundle's bytes and holds them to the requirements. Returns it
/// with who signed it, when that was checked.
fn held_to(
    bytes: &[u8],
    label: &str,
    signature: Signature<'_>,
    req: &Requirements,
) -> Result<(Bundle, Checked), Error> {
    let bundle = Bundle::read(bytes).map_err(|e| in_file(label, e))?;
    if let Some(digest) = &req.require_digest {
        bundle
            .require_digest(digest)
            .map_err(|e| in_file(label, e))?;
    }
    if req.require_signer.is_empty() && req.bundle_trust.is_none() {
        return Ok((bundle, Checked::Not));
    }
    let trust = match &req.bundle_trust {
        Some(path) => Some(gate_eval::attest::Trust::from_file(path)?),
        None => None,
    };
    let mut keys = Vec::new();
    for key in &req.require_signer {
        let pem = input::read_file(key)?;
        keys.push(
            gate_eval::sign::verifying_key_from_pem(&String::from_utf8_lossy(&pem))
                .map_err(Error::Sign)?,
        );
    }
    let (sig_bytes, sig_name) = match signature {
        Signature::File(path) => {
            let bytes = input::read_file(&path).map_err(|e| match e {
                Error::Io { message, .. } => Error::BundleRefused {
                    message: format!(
                        "a signer is required, and its signature `{}` cannot be read: {message}",
                        path.display()
                    ),
                },
                other => other,
            })?;
            (bytes, format!("`{}`", path.display()))
        }
        Signature::Pulled(Some(bytes)) => (bytes.to_vec(), "of the artifact".to_string()),
        Signature::Pulled(None) => {
            return Err(Error::BundleRefused {
                message: format!(
                    "`{label}`: a signer is required, and the artifact has no signature \
                     (push it with its `.sig`, or name one with `--bundle-signature`)"
                ),
            })
        }
    };
    if let Some(trust) = trust {
        let signer = bundle
            .verify_trusted(&sig_bytes, &trust)
            .map_err(|e| in_file(label, e))?;
        return Ok((bundle, Checked::Trusted(signer)));
    }
    let envelope = gate_eval::load::parse(
        gate_eval::Format::Json,
        &sig_bytes,
        &gate_eval::LoadLimits::default(),
    )
    .map_err(|e| Error::BundleRefused {
        message: format!("the signature {sig_name} is not JSON: {e}"),
    })?
    .value;
    let signer = bundle
        .verify_signature(&envelope, &keys)
        .map_err(|e| in_file(label, e))?;
    Ok((bundle, Checked::Key(signer)))
}

/// A bundle error naming the bundle.
fn in_file(label: &str, e: Error) -> Error {
    match e {
        Error::Bundle { message } => Error::Bundle {
            message: format!("`{label}`: {message}"),
        },
        Error::BundleRefused { message } => Error::BundleRefused {
            message: format!("`{label}`: {message}"),
        },
        other => other,
    }
}

/// Compiles a policy: a `.gate` file with its imports, or a bundle's gate
/// held to `req`. Requirements given for a `.gate` file are an error: they
/// would be checked against nothing.
pub fn compile(
    path: &Path,
    builder: PolicyBuilder,
    req: &Requirements,
    io: &Io,
) -> Result<Policy, Error> {
    if is_bundle(path) {
        let opened = open(path, req, io)?;
        return opened.bundle.policy_with(builder, opened.meta());
    }
    not_a_bundle(path, req)?;
    builder.compile_file(path)
}

/// Requirements given for what is not a bundle: an error.
fn not_a_bundle(path: &Path, req: &Requirements) -> Result<(), Error> {
    if req.require_digest.is_some() || !req.require_signer.is_empty() || req.bundle_trust.is_some()
    {
        return Err(Error::Bundle {
            message: format!(
                "`--require-digest`, `--require-signer` and `--bundle-trust` hold a bundle (`*.bundle` or `oci://…`), and `{}` is not one",
                path.display()
            ),
        });
    }
    Ok(())
}

/// The bundles among `paths` unpacked, each into a private folder that is
/// shown as the bundle (`release.bundle/release.test.yaml`): for `gate
/// test` and `gate lint`, which read their files from folders. Other
/// paths are kept as they are. The folders go when the result is dropped.
///
/// A bundle that cannot be had is reported: exit 1 when it is not the one
/// required, 2 when it cannot be read.
pub fn unpack(
    paths: &[PathBuf],
    req: &Requirements,
    out: &Output,
    io: &mut Io,
) -> Result<(Vec<PathBuf>, Vec<tempfile::TempDir>), Exit> {
    unpack_all(paths, req, io).map_err(|e| {
        input::report(out, io, &e);
        match e {
            Error::BundleRefused { .. } => Exit::Fail,
            _ => Exit::Error,
        }
    })
}

fn unpack_all(
    paths: &[PathBuf],
    req: &Requirements,
    io: &mut Io,
) -> Result<(Vec<PathBuf>, Vec<tempfile::TempDir>), Error> {
    let mut out = Vec::new();
    let mut dirs = Vec::new();
    for path in paths {
        if !is_bundle(path) {
            not_a_bundle(path, req)?;
            out.push(path.clone());
            continue;
        }
        let opened = open(path, req, io)?;
        let dir = tempfile::Builder::new()
            .prefix("gate-bundle-")
            .tempdir()
            .map_err(|e| Error::Bundle {
                message: format!(
                    "`{}`: cannot make a folder to unpack it into: {e}",
                    path.display()
                ),
            })?;
        for (name, bytes) in opened.bundle.files() {
            // Names are relative and without `..` (Bundle::read holds them
            // to that).
            let file = dir.path().join(name);
            let written = file
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&file, bytes));
            if let Err(e) = written {
                return Err(Error::Bundle {
                    message: format!("`{}`: cannot unpack `{name}`: {e}", path.display()),
                });
            }
        }
        io.show_as(dir.path(), &path.display().to_string());
        out.push(dir.path().to_path_buf());
        dirs.push(dir);
    }
    Ok((out, dirs))
}

/// The unpacked bundle folder `file` is in, if it is in one of `dirs`.
pub fn root_of<'d>(file: &Path, dirs: &'d [tempfile::TempDir]) -> Option<&'d Path> {
    let file = crate::files::normalize(file);
    dirs.iter()
        .map(|d| d.path())
        .find(|d| file.starts_with(crate::files::normalize(d)))
}

/// `gate bundle build DIR`.
fn build(args: BundleBuildArgs, out: &Output, io: &mut Io) -> Exit {
    let fail = |out: &Output, io: &mut Io, code: &str, message: &str| {
        render::tool_error(out, io, code, message);
        Exit::Error
    };
    if !args.dir.is_dir() {
        let message = format!("`{}`: no such folder", args.dir.display());
        return fail(out, io, "E0701", &message);
    }
    let output = args.output.clone();
    let output_abs = std::fs::canonicalize(
        output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )
    .ok()
    .and_then(|d| output.file_name().map(|n| d.join(n)));
    let found = crate::files::walk(&args.dir, &bundled, crate::files::Skip::SourceTree);
    if let Some(problem) = found.problems().into_iter().next() {
        return fail(out, io, "E0701", &problem);
    }
    let mut files = BTreeMap::new();
    for path in &found.files {
        // The bundle being written is not one of its own files.
        if output_abs.is_some() && std::fs::canonicalize(path).ok() == output_abs {
            continue;
        }
        let Ok(rel) = path.strip_prefix(&args.dir) else {
            continue;
        };
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        match input::read_bounded(path, bundle::MAX_SIZE) {
            Ok(bytes) => {
                files.insert(name, bytes);
            }
            Err(e) => {
                input::report(out, io, &e);
                return Exit::Error;
            }
        }
    }
    let gate = match &args.gate {
        Some(g) => g.to_string_lossy().replace('\\', "/"),
        None => match entry_gate(&files) {
            Ok(g) => g,
            Err(message) => return fail(out, io, "E0905", &message),
        },
    };
    if !files.contains_key(&gate) {
        let message = format!("`{gate}` is not a `.gate` file of `{}`", args.dir.display());
        return fail(out, io, "E0905", &message);
    }
    // The gate must compile from the bundle alone, as it will be run (its
    // name is the bundle's unless `--name` gives one).
    let name_guess = args.name.clone().unwrap_or_else(|| "bundle".into());
    let policy = bundle::build(&name_guess, args.version.as_deref(), &gate, &files)
        .and_then(|bytes| Bundle::read(&bytes))
        .and_then(|b| b.policy(Policy::builder()));
    let policy = match policy {
        Ok(p) => p,
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| policy.name().to_string());
    let bytes = match bundle::build(&name, args.version.as_deref(), &gate, &files) {
        Ok(b) => b,
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    if let Err(e) = std::fs::write(&output, &bytes) {
        let message = format!("cannot write `{}`: {e}", output.display());
        return fail(out, io, "E0901", &message);
    }
    let version = args
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    io.out(&format!(
        "bundle {name}{version}: gate {gate}, {}\ndigest: {}\nwritten: {}\n",
        render::count(files.len(), "file"),
        gate_eval::sha256_hex(&bytes),
        output.display()
    ));
    Exit::Pass
}

/// The files a bundle takes from a folder: gates and modules, policy
/// tests, their evidence and waivers, lint configuration.
fn bundled(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".bundle") || name.ends_with(".sig") {
        return false;
    }
    crate::files::is_gate_file(path) || gate_eval::Format::from_extension(path).is_some()
}

/// The gate of a folder: its only `.gate` file at the top that is a gate
/// (not a module).
fn entry_gate(files: &BTreeMap<String, Vec<u8>>) -> Result<String, String> {
    let gates: Vec<&String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".gate") && !p.contains('/'))
        .filter(|(_, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            let (file, _) = gate_lang::parser::parse_file(gate_lang::SourceId(0), &text);
            matches!(file.header, Some(gate_lang::ast::Header::Gate(_)))
        })
        .map(|(p, _)| p)
        .collect();
    match gates.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err("the folder has no gate at its top (a `.gate` file starting with `gate NAME { … }`): name it with `--gate`".into()),
        many => Err(format!(
            "the folder has {} gates at its top ({}): choose one with `--gate`",
            many.len(),
            many.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// `gate bundle sign BUNDLE --key KEY`.
fn sign(args: BundleSignArgs, out: &Output, io: &mut Io) -> Exit {
    let signed = open(&args.bundle, &Requirements::default(), io).and_then(|opened| {
        let bundle = opened.bundle;
        let pem = input::read_file(&args.key)?;
        let key = gate_eval::sign::signing_key_from_pem(&String::from_utf8_lossy(&pem))
            .map_err(Error::Sign)?;
        Ok((bundle.sign(&key)?, bundle))
    });
    let (envelope, bundle) = match signed {
        Ok(s) => s,
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    let path = signature_path(&args.bundle, args.output.as_deref());
    let text = match serde_json::to_string_pretty(&envelope) {
        Ok(t) => t + "\n",
        Err(e) => {
            render::tool_error(out, io, "E0901", &e.to_string());
            return Exit::Error;
        }
    };
    if let Err(e) = std::fs::write(&path, text) {
        let message = format!("cannot write `{}`: {e}", path.display());
        render::tool_error(out, io, "E0901", &message);
        return Exit::Error;
    }
    let keyid = envelope
        .signatures
        .first()
        .map(|s| s.keyid.clone())
        .unwrap_or_default();
    io.out(&format!(
        "signed {} ({}) with key {keyid}\nwritten: {}\n",
        args.bundle.display(),
        bundle.digest(),
        path.display()
    ));
    Exit::Pass
}

/// `gate bundle verify BUNDLE`: 0 it is valid and meets the requirements,
/// 1 it does not meet them, 2 it is not a valid bundle or cannot be read.
fn verify(args: BundleVerifyArgs, out: &Output, io: &mut Io) -> Exit {
    match open(&args.bundle, &args.require, io) {
        Ok(Opened {
            bundle,
            signer,
            source,
            ..
        }) => {
            let m = bundle.manifest();
            let version = m
                .version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            let mut text = format!(
                "bundle {}{version}: gate {}, {}\ndigest: {}\n",
                m.name,
                m.gate,
                render::count(m.files.len(), "file"),
                bundle.digest()
            );
            if let Some(source) = source {
                text.push_str(&format!("pulled: {source}\n"));
            }
            for f in &m.files {
                text.push_str(&format!("  {}  {}\n", f.digest, f.path));
            }
            text.push_str(&format!("signature: {}\n", signer.describe(false)));
            text.push_str("bundle: VERIFIED\n");
            io.out(&text);
            Exit::Pass
        }
        Err(e @ Error::BundleRefused { .. }) => {
            input::report(out, io, &e);
            io.out("bundle: NOT VERIFIED\n");
            Exit::Fail
        }
        Err(e) => {
            input::report(out, io, &e);
            Exit::Error
        }
    }
}

/// `gate bundle push BUNDLE oci://HOST/REPOSITORY[:TAG]`.
fn push(args: BundlePushArgs, out: &Output, io: &mut Io) -> Exit {
    let pushed = (|| {
        let target = Target::parse(&args.reference)?;
        let bytes = input::read_bounded(&args.bundle, bundle::MAX_SIZE)?;
        let label = args.bundle.display().to_string();
        let read = Bundle::read(&bytes).map_err(|e| in_file(&label, e))?;
        let sig_path = signature_path(&args.bundle, args.signature.as_deref());
        // The signature beside the bundle goes with it; one named with
        // `--signature` must be there.
        let signature = if args.signature.is_some() || sig_path.is_file() {
            let sig = input::read_file(&sig_path)?;
            gate_eval::load::parse(
                gate_eval::Format::Json,
                &sig,
                &gate_eval::LoadLimits::default(),
            )
            .map_err(|e| Error::Bundle {
                message: format!(
                    "the signature `{}` is not JSON (a DSSE envelope or a Sigstore bundle): {e}",
                    sig_path.display()
                ),
            })?;
            Some((sig, sig_path))
        } else {
            None
        };
        let m = read.manifest();
        let mut annotations =
            BTreeMap::from([("org.opencontainers.image.title".to_string(), m.name.clone())]);
        if let Some(v) = &m.version {
            annotations.insert("org.opencontainers.image.version".into(), v.clone());
        }
        let file_name = args
            .bundle
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "gate.bundle".into());
        let digest = registry::push(
            io,
            &target,
            &bytes,
            signature.as_ref().map(|(s, _)| s.as_slice()),
            annotations,
            &file_name,
        )?;
        Ok::<_, Error>((target, read, signature.map(|(_, p)| p), digest))
    })();
    match pushed {
        Ok((target, read, signature, digest)) => {
            let m = read.manifest();
            let version = m
                .version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            let signed = match signature {
                Some(p) => format!(", with its signature `{}`", p.display()),
                None => ", unsigned".to_string(),
            };
            io.out(&format!(
                "pushed bundle {}{version} ({}){signed} to {}\ndigest: {digest}\npinned: {}\n",
                m.name,
                read.digest(),
                target.text,
                target.pinned(&digest)
            ));
            Exit::Pass
        }
        Err(e) => {
            input::report(out, io, &e);
            Exit::Error
        }
    }
}

/// `gate bundle pull oci://… -o FILE`: 0 pulled and it meets the
/// requirements, 1 it does not meet them (nothing written), 2 it cannot
/// be pulled or is not a valid bundle.
fn pull(args: BundlePullArgs, out: &Output, io: &mut Io) -> Exit {
    let opened = Target::parse(&args.reference).and_then(|t| pulled(io, &t, &args.require));
    let opened = match opened {
        Ok(o) => o,
        Err(e) => {
            input::report(out, io, &e);
            return match e {
                Error::BundleRefused { .. } => Exit::Fail,
                _ => Exit::Error,
            };
        }
    };
    let sig_path = signature_path(&args.output, None);
    let mut written = vec![args.output.display().to_string()];
    let mut result = std::fs::write(&args.output, &opened.bytes);
    if let Some(sig) = &opened.signature {
        result = result.and_then(|()| std::fs::write(&sig_path, sig));
        written.push(sig_path.display().to_string());
    } else if sig_path.is_file() {
        // A signature left from another bundle is not this one's.
        result = result.and_then(|()| std::fs::remove_file(&sig_path));
    }
    if let Err(e) = result {
        let message = format!("cannot write `{}`: {e}", written.join("`, `"));
        render::tool_error(out, io, "E0901", &message);
        return Exit::Error;
    }
    let m = opened.bundle.manifest();
    let version = m
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let signature = match (&opened.signer, &opened.signature) {
        (Checked::Not, None) => "none".to_string(),
        (checked, present) => checked.describe(present.is_some()),
    };
    io.out(&format!(
        "pulled: {}\nbundle {}{version}: gate {}, {}\ndigest: {}\nsignature: {signature}\nwritten: {}\n",
        opened.source.as_deref().unwrap_or_default(),
        m.name,
        m.gate,
        render::count(m.files.len(), "file"),
        opened.bundle.digest(),
        written.join(", ")
    ));
    Exit::Pass
}
