//! `gate bundle build|sign|verify`, and opening a policy that is a bundle
//! for the commands that take one (`check`, `verify-record`, `controls`).
//!
//! A policy path whose name ends in `.bundle` is a bundle: it is read and
//! checked ([`gate_eval::bundle::Bundle::read`]), held to `--require-digest`
//! and `--require-signer`, and its gate compiled from the bundle alone.
//! The signature is the file beside it, `BUNDLE.sig`, unless
//! `--bundle-signature` names another.

use crate::cli::{BundleBuildArgs, BundleCommand, BundleSignArgs, BundleVerifyArgs, Requirements};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::bundle::{self, Bundle};
use gate_eval::{Error, Policy, PolicyBuilder};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Runs `gate bundle …`.
pub fn run(command: BundleCommand, out: &Output, io: &mut Io) -> Exit {
    match command {
        BundleCommand::Build(a) => build(a, out, io),
        BundleCommand::Sign(a) => sign(a, out, io),
        BundleCommand::Verify(a) => verify(a, out, io),
    }
}

/// Whether a policy path names a bundle.
pub fn is_bundle(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".bundle"))
}

/// The signature file of a bundle: `--bundle-signature`, else `BUNDLE.sig`.
fn signature_path(bundle: &Path, given: Option<&Path>) -> PathBuf {
    match given {
        Some(p) => p.to_path_buf(),
        None => {
            let mut name = bundle.as_os_str().to_owned();
            name.push(".sig");
            PathBuf::from(name)
        }
    }
}

/// Reads a bundle and holds it to the requirements: its digest, and a
/// signature by one of the required signers. Returns it with the key id
/// of the signer that was checked.
pub fn open(path: &Path, req: &Requirements) -> Result<(Bundle, Option<String>), Error> {
    let bytes = input::read_bounded(path, bundle::MAX_SIZE)?;
    let bundle = Bundle::read(&bytes).map_err(|e| in_file(path, e))?;
    if let Some(digest) = &req.require_digest {
        bundle
            .require_digest(digest)
            .map_err(|e| in_file(path, e))?;
    }
    if req.require_signer.is_empty() {
        return Ok((bundle, None));
    }
    let mut keys = Vec::new();
    for key in &req.require_signer {
        let pem = input::read_file(key)?;
        keys.push(
            gate_eval::sign::verifying_key_from_pem(&String::from_utf8_lossy(&pem))
                .map_err(Error::Sign)?,
        );
    }
    let sig_path = signature_path(path, req.bundle_signature.as_deref());
    let sig_bytes = input::read_file(&sig_path).map_err(|e| match e {
        Error::Io { message, .. } => Error::BundleRefused {
            message: format!(
                "a signer is required, and its signature `{}` cannot be read: {message}",
                sig_path.display()
            ),
        },
        other => other,
    })?;
    let envelope = gate_eval::load::parse(
        gate_eval::Format::Json,
        &sig_bytes,
        &gate_eval::LoadLimits::default(),
    )
    .map_err(|e| Error::BundleRefused {
        message: format!("the signature `{}` is not JSON: {e}", sig_path.display()),
    })?
    .value;
    let signer = bundle
        .verify_signature(&envelope, &keys)
        .map_err(|e| in_file(path, e))?;
    Ok((bundle, Some(signer)))
}

/// A bundle error naming the bundle's file.
fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::Bundle { message } => Error::Bundle {
            message: format!("`{}`: {message}", path.display()),
        },
        Error::BundleRefused { message } => Error::BundleRefused {
            message: format!("`{}`: {message}", path.display()),
        },
        other => other,
    }
}

/// Compiles a policy: a `.gate` file with its imports, or a bundle's gate
/// held to `req`. Requirements given for a `.gate` file are an error: they
/// would be checked against nothing.
pub fn compile(path: &Path, builder: PolicyBuilder, req: &Requirements) -> Result<Policy, Error> {
    if is_bundle(path) {
        let (bundle, signer) = open(path, req)?;
        return bundle.policy_signed_by(builder, signer);
    }
    if req.require_digest.is_some() || !req.require_signer.is_empty() {
        return Err(Error::BundleRefused {
            message: format!(
                "`--require-digest` and `--require-signer` hold a bundle (`*.bundle`), and `{}` is not one",
                path.display()
            ),
        });
    }
    builder.compile_file(path)
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
    let signed = open(&args.bundle, &Requirements::default()).and_then(|(bundle, _)| {
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
    match open(&args.bundle, &args.require) {
        Ok((bundle, signer)) => {
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
            for f in &m.files {
                text.push_str(&format!("  {}  {}\n", f.digest, f.path));
            }
            match signer {
                Some(k) => text.push_str(&format!("signature: verified, key {k}\n")),
                None => text.push_str("signature: not checked (no `--require-signer`)\n"),
            }
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
