//! Reading evidence documents and waiver files named on the command line.

use crate::cli::{EvidenceArgs, EvidenceFormat};
use crate::io::Io;
use gate_eval::{Error, Evidence, EvidenceBuilder, Format, LoadLimits, Policy, Waiver};
use std::path::Path;

/// Evidence and waivers, read.
pub struct Input {
    /// The merged evidence.
    pub evidence: Evidence,
    /// Waivers from `--waivers` files.
    pub waivers: Vec<Waiver>,
}

fn format(f: EvidenceFormat) -> Format {
    match f {
        EvidenceFormat::Json => Format::Json,
        EvidenceFormat::Yaml => Format::Yaml,
        EvidenceFormat::Toml => Format::Toml,
        EvidenceFormat::Attestation => Format::Attestation,
    }
}

/// Splits `NAME=FILE`; a spec that names an existing file, or whose part
/// before `=` is not a plain name, is a file.
#[cfg(test)]
fn mount(spec: &str) -> (Option<&str>, &str) {
    mount_in(Path::new(""), spec)
}

/// [`mount`] for a spec whose file is relative to the folder `base`.
pub fn mount_in<'a>(base: &Path, spec: &'a str) -> (Option<&'a str>, &'a str) {
    if spec == "-" || base.join(spec).exists() {
        return (None, spec);
    }
    match spec.split_once('=') {
        Some((name, file))
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            (Some(name), file)
        }
        _ => (None, spec),
    }
}

/// Reads every `--evidence` and `--waivers` file.
pub fn read(args: &EvidenceArgs, io: &mut Io) -> Result<Input, Error> {
    read_in(Path::new(""), args, &[], io)
}

/// [`read`] for evidence that `policies` evaluate: a single JSON document is
/// read straight into the form they evaluate (the same evidence, faster).
pub fn read_for(args: &EvidenceArgs, policies: &[&Policy], io: &mut Io) -> Result<Input, Error> {
    read_in(Path::new(""), args, policies, io)
}

/// A builder for evidence that `policies` evaluate (see [`read_for`]); with
/// no policies, or for several documents, an ordinary one.
pub fn builder(policies: &[&Policy], documents: usize) -> EvidenceBuilder {
    let mut builder = Evidence::builder();
    if documents == 1 {
        for p in policies {
            builder.also_for(p);
        }
    }
    builder
}

/// [`read_for`] with the evidence and waiver files relative to the folder
/// `base` (as a test file names them).
pub fn read_in(
    base: &Path,
    args: &EvidenceArgs,
    policies: &[&Policy],
    io: &mut Io,
) -> Result<Input, Error> {
    let mut builder = builder(policies, args.evidence.len());
    builder.limits(
        LoadLimits::default()
            .max_bytes(args.max_evidence_size)
            .max_depth(args.max_evidence_depth)
            .max_string(args.max_evidence_string)
            .max_list(args.max_evidence_list),
    );
    if let Some(trust) = &args.trust {
        builder.trust(gate_eval::attest::Trust::from_file(&base.join(trust))?);
    }
    let mut stdin_used = false;
    for spec in &args.evidence {
        let (name, file) = mount_in(base, spec);
        let (source, bytes, fmt) = if file == "-" {
            if stdin_used {
                return Err(Error::Io {
                    path: "<stdin>".into(),
                    message: "standard input can be read only once".into(),
                });
            }
            stdin_used = true;
            let bytes = read_stdin_bounded(io, args.max_evidence_size)?;
            let fmt = args.evidence_format.map(format).unwrap_or(Format::Json);
            ("<stdin>".to_string(), bytes, fmt)
        } else {
            let path = base.join(file);
            let file = path.to_str().unwrap_or(file);
            let bytes = read_bounded(&path, args.max_evidence_size)?;
            let fmt = match args.evidence_format {
                Some(f) => format(f),
                None => {
                    Format::from_extension(Path::new(file)).ok_or_else(|| Error::UnknownFormat {
                        source: file.to_string(),
                    })?
                }
            };
            (file.to_string(), bytes, fmt)
        };
        builder.add_owned_bytes(name, &source, fmt, bytes)?;
    }
    let evidence = builder.build()?;
    let mut waivers = Vec::new();
    for path in &args.waivers {
        let path = &base.join(path);
        let bytes = read_bounded(path, args.max_evidence_size)?;
        let fmt = Format::from_extension(path).ok_or_else(|| Error::UnknownFormat {
            source: path.display().to_string(),
        })?;
        waivers.extend(gate_eval::waiver::parse_waivers(
            &path.display().to_string(),
            fmt,
            &bytes,
        )?);
    }
    Ok(Input { evidence, waivers })
}

/// Largest file read where no option sets a limit (records, keys, policy
/// lists): the default evidence limit.
pub const DEFAULT_MAX_FILE: usize = 32 * 1024 * 1024;

/// Reads a file of at most [`DEFAULT_MAX_FILE`] bytes (see [`read_bounded`]).
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    read_bounded(path, DEFAULT_MAX_FILE)
}

/// Reads a file, stopping after `limit + 1` bytes: a larger file — or a
/// link to `/dev/zero`, a device, a FIFO that never ends — is refused with
/// E0703 having read at most that much, never held in memory whole.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, Error> {
    let io_error = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::IsADirectory => "a folder, not a file".to_string(),
            _ => e.to_string(),
        },
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(io_error(std::io::Error::from(
            std::io::ErrorKind::IsADirectory,
        )));
    }
    bounded(file, limit, &path.display().to_string()).map_err(|e| match e {
        Bounded::Io(e) => io_error(e),
        Bounded::TooLarge(err) => err,
    })
}

enum Bounded {
    Io(std::io::Error),
    TooLarge(Error),
}

/// Reads at most `limit + 1` bytes of `reader`; more than `limit` is E0703.
fn bounded(reader: impl std::io::Read, limit: usize, source: &str) -> Result<Vec<u8>, Bounded> {
    crate::io::read_at_most(reader, limit)
        .map_err(Bounded::Io)?
        .ok_or_else(|| Bounded::TooLarge(too_large(source, limit)))
}

/// E0703 for `source`, over `limit` bytes.
fn too_large(source: &str, limit: usize) -> Error {
    Error::EvidenceLoad {
        source: source.to_string(),
        error: gate_eval::load::LoadError {
            kind: gate_eval::load::LoadErrorKind::TooLarge {
                size: limit.saturating_add(1),
                limit,
            },
            line: None,
            column: None,
        },
    }
}

/// Standard input, at most `limit` bytes (E0703 beyond).
pub fn read_stdin_bounded(io: &mut Io, limit: usize) -> Result<Vec<u8>, Error> {
    let stdin_error = |e: std::io::Error| Error::Io {
        path: "<stdin>".into(),
        message: e.to_string(),
    };
    bounded(io.stdin_reader(), limit, "<stdin>").map_err(|e| match e {
        Bounded::Io(e) => stdin_error(e),
        Bounded::TooLarge(err) => err,
    })
}

/// The instant given with `--now`, if any; an error (E0002, reported) when
/// it is not an RFC 3339 timestamp.
pub fn now_arg(
    now: Option<&str>,
    out: &crate::render::Output,
    io: &mut Io,
) -> Result<Option<i128>, crate::exit::Exit> {
    now.map(gate_lang::time::parse_timestamp)
        .transpose()
        .map_err(|e| {
            crate::render::tool_error(
                out,
                io,
                "E0002",
                &format!("`--now` is not an RFC 3339 timestamp: {e}"),
            );
            crate::exit::Exit::Error
        })
}

/// Prints an error of the evaluator crate to standard error.
pub fn report(out: &crate::render::Output, io: &mut Io, e: &Error) {
    match e {
        Error::Policy(c) => io.err(&c.render(out.color_err, out.width)),
        other => {
            let mut message = other.to_string();
            if let Some(help) = other.help() {
                message.push_str(&format!("\n  help: {help}"));
            }
            crate::render::tool_error(out, io, other.code().as_str(), &message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mount;

    #[test]
    fn mounts() {
        assert_eq!(mount("secrets=vault.json"), (Some("secrets"), "vault.json"));
        assert_eq!(mount("evidence.json"), (None, "evidence.json"));
        assert_eq!(mount("-"), (None, "-"));
        assert_eq!(mount("a/b=c.json"), (None, "a/b=c.json"));
    }
}
