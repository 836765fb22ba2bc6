//! Reading evidence documents and waiver files named on the command line.

use crate::cli::{EvidenceArgs, EvidenceFormat};
use crate::cmd::spec::{Files, Spec};
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
        EvidenceFormat::Jsonl => Format::JsonLines,
        EvidenceFormat::Yaml => Format::Yaml,
        EvidenceFormat::Toml => Format::Toml,
        EvidenceFormat::Attestation => Format::Attestation,
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
    // Every file first: evidence of one JSON document is read faster.
    let mut items = Vec::new();
    for spec in &args.evidence {
        let spec = Spec::parse(base, spec);
        let files = spec
            .files(base, args.evidence_format.is_some())
            .map_err(|message| Error::Io {
                path: spec.path.to_string(),
                message,
            })?;
        match files {
            Files::Set(paths) => {
                if paths.len() > args.max_evidence_list {
                    return Err(Error::Io {
                        path: spec.path.to_string(),
                        message: format!(
                            "names {} files, over the limit of {} (`--max-evidence-list`)",
                            paths.len(),
                            args.max_evidence_list
                        ),
                    });
                }
                // Under a name, a list of the files' documents.
                let list = spec.name.is_some();
                items.extend(paths.into_iter().map(|p| (spec.clone(), list, Some(p))));
            }
            Files::One(path) => items.push((spec.clone(), spec.append, Some(path))),
            Files::Stdin => items.push((spec.clone(), spec.append, None)),
        }
    }
    let mut builder = builder(policies, items.len());
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
    for (spec, list, path) in items {
        let given = spec.format.or(args.evidence_format.map(format));
        let (source, bytes, fmt) = match path {
            None => {
                if stdin_used {
                    return Err(Error::Io {
                        path: "<stdin>".into(),
                        message: "standard input can be read only once".into(),
                    });
                }
                stdin_used = true;
                let bytes = read_stdin_bounded(io, args.max_evidence_size)?;
                ("<stdin>".to_string(), bytes, given)
            }
            Some(path) => {
                let bytes = read_bounded(&path, args.max_evidence_size)?;
                let fmt =
                    match given {
                        Some(f) => Some(f),
                        None => Some(Format::from_extension(&path).ok_or_else(|| {
                            Error::UnknownFormat {
                                source: path.display().to_string(),
                            }
                        })?),
                    };
                (path.display().to_string(), bytes, fmt)
            }
        };
        // Standard input in no format given is read as JSON, with a hint
        // when it is not.
        let added = match (spec.name, list) {
            (Some(name), true) => {
                builder.add_to_list(name, &source, fmt.unwrap_or(Format::Json), &bytes)
            }
            (name, _) => builder.add_owned_bytes(name, &source, fmt.unwrap_or(Format::Json), bytes),
        };
        if let Err(e) = added {
            return Err(if fmt.is_none() { stdin_hint(e) } else { e });
        }
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

/// A syntax error in standard input read as JSON because no format was
/// given, with the way to give one.
fn stdin_hint(e: Error) -> Error {
    match e {
        Error::EvidenceLoad { source, mut error } => {
            if let gate_eval::load::LoadErrorKind::Syntax { message } = &mut error.kind {
                message.push_str(
                    " (standard input is read as JSON when no format is given: give one with `-:yaml`, `-:jsonl`, `-:toml` or `--evidence-format`)",
                );
            }
            Error::EvidenceLoad { source, error }
        }
        other => other,
    }
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
        Error::Policy(c) => report_compile(out, io, c),
        other => {
            let mut message = other.to_string();
            if let Some(help) = other.help() {
                message.push_str(&format!("\n  help: {help}"));
            }
            crate::render::tool_error(out, io, other.code().as_str(), &message);
        }
    }
}

/// Prints a policy's compile errors to standard error.
pub fn report_compile(out: &crate::render::Output, io: &mut Io, c: &gate_lang::CompileError) {
    match missing_gate(c) {
        // A gate that cannot be read at all is reported as a missing
        // evidence file is: one line, the same shape.
        Some((target, reason)) => crate::render::tool_error(
            out,
            io,
            "E0501",
            &format!("cannot read `{target}`: {}", lower_first(&reason)),
        ),
        None => io.err(&c.render(out.color_err, out.width)),
    }
}

/// A gate file that cannot be read, as [`report_compile`] prints it (for
/// the commands that read the gate's text themselves).
pub fn unreadable_gate(path: &Path, e: &std::io::Error) -> String {
    format!(
        "error[E0501]: cannot read `{}`: {}\n",
        path.display(),
        lower_first(&e.to_string())
    )
}

/// The gate file itself could not be read (nothing of the policy was
/// loaded): its name and why.
fn missing_gate(c: &gate_lang::CompileError) -> Option<(String, String)> {
    if c.sources.files().next().is_some() {
        return None;
    }
    match c.errors.as_slice() {
        [only] => match &*only.kind {
            gate_lang::error::ErrorKind::ImportNotFound { target, reason } => {
                Some((target.clone(), reason.clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// `No such file or directory (os error 2)` → `no such file or directory (os error 2)`.
fn lower_first(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
