//! `gate completions SHELL`.

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::Exit;
use clap::CommandFactory;

/// Prints the completion script for a shell.
pub fn run(args: CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "gate", &mut std::io::stdout());
    Exit::Pass
}
