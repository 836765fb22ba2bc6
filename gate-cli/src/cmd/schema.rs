//! `gate schema …`.

use crate::cli::SchemaCommand;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};

/// Runs `gate schema …`.
pub fn run(command: SchemaCommand, out: &Output, io: &mut Io) -> Exit {
    let _ = command;
    render::tool_error(out, io, "E0002", "`gate schema` is being written");
    Exit::Error
}
