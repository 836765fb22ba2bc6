//! `gate test`.

use crate::cli::TestArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate test`.
pub fn run(args: TestArgs, out: &Output, io: &mut Io) -> Exit {
    let _ = args;
    render::tool_error(out, io, "E0002", "`gate test` is being written");
    Exit::Error
}
