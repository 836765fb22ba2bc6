//! `gate completions SHELL`.

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::Exit;
use crate::io::Io;
use clap::CommandFactory;

/// Prints the completion script for a shell.
pub fn run(args: CompletionsArgs, io: &mut Io) -> Exit {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "gate", &mut buf);
    io.out(&String::from_utf8_lossy(&buf));
    Exit::Pass
}
