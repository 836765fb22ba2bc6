//! `gate repl`.

use crate::cli::ReplArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate repl`.
pub fn run(args: ReplArgs, out: &Output, io: &mut Io) -> Exit {
    let _ = args;
    render::tool_error(out, io, "E0002", "`gate repl` is being written");
    Exit::Error
}
