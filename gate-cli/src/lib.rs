//! The `gate` command as a library: [`run`] takes the arguments and the
//! streams, so tests can drive every command in-process.
//!
//! ```
//! use gate_cli::{run, Io};
//! let mut io = Io::memory("");
//! let code = run(["gate", "--version"], &mut io);
//! assert_eq!(code, gate_cli::exit::Exit::Pass);
//! assert!(io.stdout_text().starts_with("gate "));
//! ```

pub mod cli;
pub mod cmd;
pub mod exit;
pub mod files;
pub mod io;
pub mod lsp;
mod registry;
pub mod render;

use clap::{CommandFactory, FromArgMatches};
use exit::Exit;
pub use io::Io;
use std::ffi::OsString;

/// Runs `gate` with `args` (the first is the program name).
pub fn run<I, T>(args: I, io: &mut Io) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = cli::Cli::command()
        .version(version_static())
        .try_get_matches_from(args)
        .and_then(|m| cli::Cli::from_arg_matches(&m));
    let args = match parsed {
        Ok(a) => a,
        Err(e) => {
            let use_stderr = e.use_stderr();
            let text = e.render().to_string();
            io.write(use_stderr, &text);
            return if use_stderr { Exit::Error } else { Exit::Pass };
        }
    };
    io.quiet = args.quiet;
    let out = render::Output::new(args.color, io);
    match args.command {
        cli::Command::Check(a) => cmd::check::run(*a, &out, io),
        cli::Command::VerifyRecord(a) => cmd::verify::run(a, &out, io),
        cli::Command::Fmt(a) => cmd::fmt::run(a, &out, io),
        cli::Command::Lint(a) => cmd::lint::run(a, &out, io),
        cli::Command::Test(a) => cmd::test::run(a, &out, io),
        cli::Command::Repl(a) => cmd::repl::run(a, &out, io),
        cli::Command::Controls(a) => cmd::controls::run(a, &out, io),
        cli::Command::Schema(c) => cmd::schema::run(c, &out, io),
        cli::Command::Diff(a) => cmd::diff::run(a, &out, io),
        cli::Command::Bundle(c) => cmd::bundle::run(c, &out, io),
        cli::Command::Lsp => lsp::run(io),
        cli::Command::Keygen(a) => cmd::keygen::run(a, &out, io),
        cli::Command::Completions(a) => cmd::completions::run(a, io),
    }
}

/// [`version`], made once for clap (which wants a `&'static str`).
fn version_static() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(version)
}

/// `gate --version`'s text: the version and, when known, the commit it was
/// built from (as decision records name it in `engine`).
///
/// ```
/// assert!(gate_cli::version().starts_with(env!("CARGO_PKG_VERSION")));
/// ```
pub fn version() -> String {
    let engine = gate_eval::decision::Engine::this();
    match engine.commit {
        Some(commit) => format!("{} ({commit})", engine.version),
        None => engine.version,
    }
}
