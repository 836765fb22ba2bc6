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
    /// Verify a decision record: its signature, its digests, and that the
    /// policy and evidence reproduce it.
    #[command(name = "verify-record", after_help = VERIFY_EXAMPLES)]
    VerifyRecord(VerifyArgs),
    /// Create an ed25519 key pair for signing decision records.
    #[command(
        after_help = "Example:\n  gate keygen --out release-signing\n  # writes release-signing.key (keep it secret) and release-signing.pub"
    )]
    Keygen(KeygenArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  gate completions bash > /etc/bash_completion.d/gate")]
    Completions(CompletionsArgs),
}

const CHECK_EXAMPLES: &str = "\
Examples:
  gate check examples/release.gate --evidence examples/evidence/release-fail.json
  gate check release.gate --evidence evidence.json --format json > decision.json
  gate check release.gate --evidence secrets=vault-export.json --evidence approvals=reviews.yaml
  gate check release.gate --evidence evidence.yaml --waivers waivers.yaml --now 2026-05-04T09:00:00Z
  gate check release.gate --evidence evidence.json --format json --sign release-signing.key > record.dsse.json
  collect-evidence | gate check release.gate --evidence - --evidence-format yaml

Exit codes:
  0  pass or warn    1  fail    2  error (policy, evidence, usage, or a block rule that errored)";

const VERIFY_EXAMPLES: &str = "\
Examples:
  gate verify-record record.dsse.json --key release-signing.pub --policy release.gate --evidence evidence.json
  gate verify-record record.json --policy release.gate --evidence secrets=vault.json --evidence approvals=reviews.yaml

Exit codes:
  0  the record is authentic and reproduces    1  it does not (the differences are listed)    2  error";

/// Output formats of `gate check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rule by rule, failures with source excerpts and evidence paths.
    Human,
    /// The decision record as JSON.
    Json,
}

/// Evidence formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvidenceFormat {
    /// JSON (duplicate keys are an error).
    Json,
    /// YAML 1.2 (no aliases, duplicate keys are an error).
    Yaml,
    /// TOML.
    Toml,
}

/// Where evidence comes from and how to read it.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// An evidence document: `FILE`, or `NAME=FILE` to mount it under the key
    /// NAME. Repeat to merge several. `-` reads standard input.
    #[arg(long, short = 'e', value_name = "[NAME=]FILE", required = true)]
    pub evidence: Vec<String>,

    /// The format of the evidence; by default told from each file's
    /// extension (standard input: JSON).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub evidence_format: Option<EvidenceFormat>,

    /// Read YAML 1.1 boolean words (yes, no, on, off, y, n) as booleans where
    /// the gate's schema expects a bool. Off by default: `no` is text.
    #[arg(long)]
    pub yaml_bool_words: bool,

    /// Largest accepted evidence document, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 << 20)]
    pub max_evidence_size: usize,

    /// Deepest accepted nesting of evidence documents.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_evidence_depth: usize,

    /// A waiver file (JSON, YAML or TOML); repeat for several.
    #[arg(long, value_name = "FILE")]
    pub waivers: Vec<PathBuf>,
}

/// `gate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The gate to evaluate (a `.gate` file).
    pub policy: PathBuf,

    /// Evidence.
    #[command(flatten)]
    pub input: EvidenceArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Show passing and not-applicable rules, notes and every kept failure
    /// (human format).
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// The time of the decision (RFC 3339), for waiver expiry and the record;
    /// the system clock by default. Fix it to reproduce a record.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Also write the decision record (JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Sign the decision record with this ed25519 private key (PKCS#8 PEM):
    /// the record is written as a DSSE envelope. Needs `--format json` or
    /// `--record`.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,

    /// Most failures kept per rule in the decision (all are counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_failures: usize,

    /// Evaluation step budget per rule; a rule that needs more is an error
    /// (E0606), never a pass.
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    pub max_steps: u64,

    /// Stop evaluating after this long (e.g. `30s`, `2m`); rules not finished
    /// are errors (E0607).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
}

/// `gate verify-record`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The decision record: a DSSE envelope (`gate check --sign`) or plain JSON.
    pub record: PathBuf,

    /// The public key (SPKI PEM) the record must be signed with. Required for
    /// a signed record; a record that is not signed is rejected when a key is given.
    #[arg(long, value_name = "PUB")]
    pub key: Option<PathBuf>,

    /// The gate the record was made with.
    #[arg(long, value_name = "POLICY")]
    pub policy: PathBuf,

    /// Evidence.
    #[command(flatten)]
    pub input: EvidenceArgs,
}

/// `gate keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Path prefix: writes PREFIX.key (private) and PREFIX.pub (public).
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

/// `gate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
