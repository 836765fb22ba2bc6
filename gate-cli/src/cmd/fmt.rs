//! `gate fmt [PATH…] [--check]`: the canonical layout of `.gate` files.

use crate::cli::FmtArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_lang::format::{format_source, FormatError};
use gate_lang::SourceMap;
use std::path::Path;

/// Formats files in place, or with `--check` shows what would change.
pub fn run(args: FmtArgs, out: &Output, io: &mut Io) -> Exit {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            render::tool_error(
                out,
                io,
                "E0002",
                "`-` (standard input) cannot be mixed with other paths",
            );
            return Exit::Error;
        }
        return stdin(args.check, out, io);
    }
    let found = match crate::files::find(&args.paths, &crate::files::is_gate_file) {
        Ok(found) => found,
        Err(message) => {
            render::tool_error(out, io, "E0911", &message);
            return Exit::Error;
        }
    };
    let mut worst = Exit::Pass;
    for problem in found.problems() {
        render::tool_error(out, io, "E0911", &problem);
        worst = Exit::Error;
    }
    for file in &found.files {
        let result = one_file(file, args.check, out, io);
        worst = match (worst, result) {
            (Exit::Error, _) | (_, Exit::Error) => Exit::Error,
            (Exit::Fail, _) | (_, Exit::Fail) => Exit::Fail,
            _ => Exit::Pass,
        };
    }
    worst
}

fn stdin(check: bool, out: &Output, io: &mut Io) -> Exit {
    let text = match io.read_stdin(gate_lang::loader::LoadOptions::default().max_source_size) {
        Ok(t) => t,
        Err(e) => {
            render::tool_error(
                out,
                io,
                "E0911",
                &format!("cannot read standard input: {e}"),
            );
            return Exit::Error;
        }
    };
    match format_text("<stdin>", &text, out, io) {
        Some(formatted) if check => {
            if formatted == text {
                Exit::Pass
            } else {
                io.out(&diff("<stdin>", &text, &formatted, out));
                Exit::Fail
            }
        }
        Some(formatted) => {
            io.out(&formatted);
            Exit::Pass
        }
        None => Exit::Error,
    }
}

fn one_file(path: &Path, check: bool, out: &Output, io: &mut Io) -> Exit {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                render::tool_error(out, io, "E0911", &format!("{name}: not UTF-8 text"));
                return Exit::Error;
            }
        },
        Err(e) => {
            render::tool_error(out, io, "E0911", &format!("cannot read {name}: {e}"));
            return Exit::Error;
        }
    };
    let Some(formatted) = format_text(&name, &text, out, io) else {
        return Exit::Error;
    };
    if formatted == text {
        return Exit::Pass;
    }
    if check {
        io.out(&diff(&name, &text, &formatted, out));
        return Exit::Fail;
    }
    if let Err(e) = std::fs::write(path, &formatted) {
        render::tool_error(out, io, "E0912", &format!("cannot write {name}: {e}"));
        return Exit::Error;
    }
    Exit::Pass
}

/// The formatted text, or `None` after reporting why there is none.
fn format_text(name: &str, text: &str, out: &Output, io: &mut Io) -> Option<String> {
    match format_source(text) {
        Ok(s) => Some(s),
        Err(FormatError::Syntax(errors)) => {
            let mut sources = SourceMap::new();
            sources.add(name, text);
            io.err(&gate_lang::error::render(
                &errors,
                &sources,
                out.color_err,
                out.width,
            ));
            None
        }
        Err(e @ FormatError::Internal(_)) => {
            render::tool_error(
                out,
                io,
                "E0910",
                &format!("{name}: {e}; the file is left as it is"),
            );
            None
        }
    }
}

/// A unified diff from `old` to `new`, coloured when `out.color`.
fn diff(name: &str, old: &str, new: &str, out: &Output) -> String {
    use owo_colors::OwoColorize;
    // A minimal diff of two very different files costs time quadratic in
    // their size: past the deadline the diff is still correct, only longer.
    let text = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(1))
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string();
    if !out.color {
        return text;
    }
    text.lines()
        .map(|l| {
            let coloured = if l.starts_with("+++") || l.starts_with("---") {
                l.bold().to_string()
            } else if l.starts_with('+') {
                l.green().to_string()
            } else if l.starts_with('-') {
                l.red().to_string()
            } else if l.starts_with("@@") {
                l.cyan().to_string()
            } else {
                l.to_string()
            };
            format!("{coloured}\n")
        })
        .collect()
}
