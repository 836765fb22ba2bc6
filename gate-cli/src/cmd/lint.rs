//! `gate lint`.

use crate::cli::LintArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate lint`.
pub fn run(args: LintArgs, out: &Output, io: &mut Io) -> Exit {
    let _ = args;
    render::tool_error(out, io, "E0002", "`gate lint` is being written");
    Exit::Error
}
