//! `gate fmt`.

use crate::cli::FmtArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate fmt`.
pub fn run(args: FmtArgs, out: &Output, io: &mut Io) -> Exit {
    let _ = args;
    render::tool_error(out, io, "E0002", "`gate fmt` is being written");
    Exit::Error
}
