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
    builder.limits(LoadLimits {
        max_bytes: args.max_evidence_size,
        max_depth: args.max_evidence_depth,
        max_string: args.max_evidence_string,
        max_list: args.max_evidence_list,
    });
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
            let text = io.read_stdin().map_err(|e| Error::Io {
                path: "<stdin>".into(),
                message: e.to_string(),
            })?;
            let fmt = args.evidence_format.map(format).unwrap_or(Format::Json);
            ("<stdin>".to_string(), text.into_bytes(), fmt)
        } else {
            let path = base.join(file);
            let file = path.to_str().unwrap_or(file);
            let bytes = read_file(&path)?;
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
        let bytes = read_file(path)?;
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

/// Reads a whole file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        },
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
            crate::render::tool_error(out, io, other.code(), &message);
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
