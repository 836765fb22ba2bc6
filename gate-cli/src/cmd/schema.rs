//! `gate schema …`: `gate schema infer SAMPLE…` writes an evidence schema
//! (an `evidence { … }` block and the records it needs) inferred from
//! sample documents.

pub mod infer;

use crate::cli::{SchemaCommand, SchemaInferArgs};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::{Error, Evidence, Format};

/// Runs `gate schema …`.
pub fn run(command: SchemaCommand, out: &Output, io: &mut Io) -> Exit {
    match command {
        SchemaCommand::Infer(args) => run_infer(&args, out, io),
    }
}

/// Reads one sample the way `gate check` reads evidence.
fn load(path: &std::path::Path) -> Result<serde_json::Value, Error> {
    let bytes = input::read_file(path)?;
    let name = path.display().to_string();
    let fmt = Format::from_extension(path).ok_or_else(|| Error::UnknownFormat {
        source: name.clone(),
    })?;
    let mut b = Evidence::builder();
    b.add_bytes(None, &name, fmt, &bytes)?;
    Ok(b.build()?.as_json().clone())
}

fn run_infer(args: &SchemaInferArgs, out: &Output, io: &mut Io) -> Exit {
    let mut root = infer::Seen::default();
    let mut names = Vec::new();
    for (i, path) in args.samples.iter().enumerate() {
        match load(path) {
            Ok(value) if value.is_object() => root.observe(&value, i, ""),
            Ok(value) => {
                let found = json_kind(&value);
                render::tool_error(
                    out,
                    io,
                    "E0940",
                    &format!(
                        "sample `{}` is {found}, not an object: an evidence document is an object of named sections",
                        path.display()
                    ),
                );
                return Exit::Error;
            }
            Err(e) => {
                input::report(out, io, &e);
                return Exit::Error;
            }
        }
        names.push(path.display().to_string());
    }
    let schema = infer::infer(&root, &names);
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
