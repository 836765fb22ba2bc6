//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  the gate passed, or passed with warnings
  1  the gate failed: a `block` rule did not hold
  2  the gate could not decide: an error in the policy, the evidence or the
     command line, or a `block` rule that could not be evaluated (fail closed)";

/// Policy-as-code for release and production-readiness gates.
#[derive(Debug, Parser)]
#[command(name = "gate", version, about, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    /// When to use colours: `auto` uses them on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always (NO_COLOR still wins).
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a gate over evidence and print the decision.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  gate completions bash > /etc/bash_completion.d/gate")]
    Completions(CompletionsArgs),
}

const CHECK_EXAMPLES: &str = "\
Examples:
  gate check examples/release.gate --evidence examples/evidence/release-fail.json
  gate check release.gate --evidence evidence.json --format json > decision.json
  collect-evidence | gate check release.gate --evidence -

Exit codes:
  0  pass or warn    1  fail    2  error (policy, evidence, usage, or a block rule that errored)";

/// Output formats of `gate check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rule by rule, failures with source excerpts and evidence paths.
    Human,
    /// The decision record as JSON.
    Json,
}

/// `gate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The gate to evaluate (a `.gate` file).
    pub policy: PathBuf,

    /// The evidence document (JSON); `-` reads standard input.
    #[arg(long, short = 'e', value_name = "FILE")]
    pub evidence: PathBuf,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Show passing and not-applicable rules, notes and every kept failure
    /// (human format).
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Most failures kept per rule in the decision (all are counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_failures: usize,

    /// Evaluation step budget per rule; a rule that needs more is an error
    /// (E0606), never a pass.
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    pub max_steps: u64,
}

/// `gate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
