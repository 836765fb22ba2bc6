//! The `gate` command.

mod cli;
mod cmd;
mod exit;
mod render;

use clap::Parser;
use exit::Exit;

fn main() {
    // A panic must never look like a pass: report it and exit with 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("gate: internal error: {info}");
        eprintln!("gate: this is a bug; the gate did not pass");
    }));
    let code = match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => Exit::Error,
    };
    std::process::exit(code as i32);
}

fn run() -> Exit {
    let args = cli::Cli::parse();
    let out = render::Output::new(args.color);
    match args.command {
        cli::Command::Check(a) => cmd::check::run(a, &out),
        cli::Command::Completions(a) => cmd::completions::run(a),
    }
}
