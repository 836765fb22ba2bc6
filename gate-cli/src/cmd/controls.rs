//! `gate controls`.

use crate::cli::ControlsArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate controls`.
pub fn run(args: ControlsArgs, out: &Output, io: &mut Io) -> Exit {
    let _ = args;
    render::tool_error(out, io, "E0002", "`gate controls` is being written");
    Exit::Error
}
