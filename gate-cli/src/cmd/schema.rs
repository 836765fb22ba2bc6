//! `gate schema …`: `gate schema infer SAMPLE…` writes an evidence schema
//! (an `evidence { … }` block and the records it needs) inferred from
//! sample documents.

pub mod infer;

use crate::cli::{EvidenceArgs, SchemaCommand, SchemaInferArgs};
use crate::cmd::input;
use crate::cmd::spec::{Files, Spec};
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::Error;

/// Runs `gate schema …`.
pub fn run(command: SchemaCommand, out: &Output, io: &mut Io) -> Exit {
    match command {
        SchemaCommand::Infer(args) => run_infer(&args, out, io),
    }
}

/// One sample: a name for reports and the evidence specs that make it.
struct Sample {
    name: String,
    specs: Vec<String>,
}

/// The samples the arguments name: each positional one (one per file of an
/// unnamed folder or glob), then every `-e` together.
fn samples(args: &SchemaInferArgs) -> Result<Vec<Sample>, Error> {
    let base = std::path::Path::new("");
    let mut out = Vec::new();
    for spec in &args.samples {
        let parsed = Spec::parse(base, spec);
        match parsed.files(base, args.evidence_format.is_some()) {
            Ok(Files::Set(paths)) if parsed.name.is_none() => {
                for p in paths {
                    let mut one = p.display().to_string();
                    if let Some(f) = parsed.format {
                        one.push(':');
                        one.push_str(f.as_str());
                    }
                    out.push(Sample {
                        name: p.display().to_string(),
                        specs: vec![one],
                    });
                }
            }
            Ok(_) => out.push(Sample {
                name: parsed.path.to_string(),
                specs: vec![spec.clone()],
            }),
            Err(message) => {
                return Err(Error::Io {
                    path: parsed.path.to_string(),
                    message,
                })
            }
        }
    }
    if !args.evidence.is_empty() {
        out.push(Sample {
            name: args.evidence.join(" "),
            specs: args.evidence.clone(),
        });
    }
    Ok(out)
}

fn run_infer(args: &SchemaInferArgs, out: &Output, io: &mut Io) -> Exit {
    if args.samples.is_empty() && args.evidence.is_empty() {
        render::tool_error(
            out,
            io,
            "E0002",
            "no samples: name sample documents (`gate schema infer past/*.json`) or evidence (`-e NAME=FILE`)",
        );
        return Exit::Error;
    }
    let samples = match samples(args) {
        Ok(s) => s,
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    let mut root = infer::Seen::default();
    let mut names = Vec::new();
    let mut many: Vec<infer::Many> = args
        .many
        .iter()
        .map(|path| infer::Many {
            path: path.clone(),
            why: "named with `--many`".into(),
        })
        .collect();
    for (i, sample) in samples.iter().enumerate() {
        let read = input::read(
            &EvidenceArgs::defaults(sample.specs.clone(), args.evidence_format),
            io,
        )
        .map(|input| input.evidence.as_json().clone());
        match read {
            Ok(value) if value.is_object() => {
                for m in infer::known_many(&value) {
                    if !many.iter().any(|n| n.path == m.path) {
                        many.push(m);
                    }
                }
                root.observe(&value, i, "");
            }
            Ok(value) => {
                let found = json_kind(&value);
                render::tool_error(
                    out,
                    io,
                    "E0940",
                    &format!(
                        "sample `{}` is {found}, not an object: an evidence document is an object of named sections; mount it under a name (`NAME={}`)",
                        sample.name, sample.name
                    ),
                );
                return Exit::Error;
            }
            Err(e) => {
                input::report(out, io, &e);
                return Exit::Error;
            }
        }
        names.push(sample.name.clone());
    }
    let schema = infer::infer(&root, &names, &many);
    for p in &schema.problems {
        warning(out, io, &format!("{}: {}", p.place, p.message));
    }
    io.out(&schema.render());
    Exit::Pass
}

/// Prints a warning to standard error.
fn warning(out: &Output, io: &mut Io, message: &str) {
    use owo_colors::OwoColorize;
    let head = if out.color_err {
        "warning:".yellow().bold().to_string()
    } else {
        "warning:".to_string()
    };
    io.err(&format!("{head} {message}\n"));
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a bool",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}
