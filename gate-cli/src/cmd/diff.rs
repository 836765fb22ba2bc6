//! `gate diff`.

use crate::cli::DiffArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate diff`.
pub fn run(args: DiffArgs, out: &Output, io: &mut Io) -> Exit {
    let _ = args;
    render::tool_error(out, io, "E0002", "`gate diff` is being written");
    Exit::Error
}
