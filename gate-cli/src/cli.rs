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
    /// When to use colours: `auto` uses them on a terminal, unless NO_COLOR
    /// is set or TERM is `dumb` (CLICOLOR_FORCE or FORCE_COLOR force them);
    /// `always` and `never` win over the environment.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print nothing on standard output (errors still go to standard
    /// error; files named by `--output` and `--record` are still written):
    /// the exit code is the answer.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, by the environment's conventions.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a gate over evidence and print the decision.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(Box<CheckArgs>),
    /// Verify a decision record: its signature, its digests, and that the
    /// policy and evidence reproduce it.
    #[command(name = "verify-record", after_help = VERIFY_EXAMPLES)]
    VerifyRecord(VerifyArgs),
    /// Format `.gate` files canonically (comments kept).
    #[command(after_help = FMT_EXAMPLES)]
    Fmt(FmtArgs),
    /// Check policies for likely mistakes, with named, documented rules.
    #[command(after_help = LINT_EXAMPLES)]
    Lint(LintArgs),
    /// Run policy tests (`*.test.yaml` beside the policies).
    #[command(after_help = TEST_EXAMPLES)]
    Test(TestArgs),
    /// Explore a gate and its evidence interactively (or from a pipe).
    #[command(after_help = REPL_EXAMPLES)]
    Repl(ReplArgs),
    /// Show which controls the rules cover, and how they fared in a decision.
    #[command(after_help = CONTROLS_EXAMPLES)]
    Controls(ControlsArgs),
    /// Work with evidence schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Replay past evidence through two versions of a gate and list what flips.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Pack, sign and verify policy bundles: a gate, its modules and tests
    /// in one archive pinned by one digest.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Run the language server (LSP over standard input and output), for
    /// editors.
    #[command(after_help = LSP_HELP)]
    Lsp,
    /// Create an ed25519 key pair for signing decision records.
    #[command(
        after_help = "Example:\n  gate keygen --out release-signing\n  # writes release-signing.key (keep it secret) and release-signing.pub\n\nExit codes:\n  0  the key pair was written\n  2  it could not be (a file exists already, or cannot be written)"
    )]
    Keygen(KeygenArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  gate completions bash > /etc/bash_completion.d/gate\n\nExit codes:\n  0  the script was written\n  2  usage error"
    )]
    Completions(CompletionsArgs),
}

const LSP_HELP: &str = "\
Editors start it themselves (docs/editors.md):
  VS Code: the extension in editors/vscode starts `gate lsp`
  Neovim:  vim.lsp.start({ name = 'gate', cmd = { 'gate', 'lsp' } })

It answers diagnostics (compile errors, lint findings), hover, go to
definition, completion, quick fixes, symbols and formatting, for `.gate` files; the lint
configuration is the nearest gate-lint.toml above each file.

Exit codes:
  0  the client asked it to exit
  2  the connection failed";

const CHECK_EXAMPLES: &str = "\
Examples:
  gate check examples/release.gate -e examples/evidence/release-fail.json
  gate check release.gate -e evidence.json --format json > decision.json
  gate check release.gate -e secrets=vault.json -e approvals=reviews.yaml
  gate check release.gate -e evidence.yaml --waivers waivers.yaml
  gate check release.gate -e evidence.json -o json=record.json -o sarif=gate.sarif
  gate check release.gate -e evidence.json --sign signing.key --record record.dsse.json
  gate check release.gate -e evidence.json --format github   # in GitHub Actions
  collect-evidence | gate check release.gate -e - --evidence-format yaml
  gate check agents.gate -e 'tools=mcp/*.json' -e findings=trufflehog.jsonl
  gate check oci://registry.example/policies/release@sha256:… \\
    --require-signer signing.pub -e evidence.json
  helm template chart/ | gate check k8s.gate -e 'manifests+=-:yaml'

Exit codes:
  0  pass or warn
  1  fail: a block rule did not hold
  2  error: the policy, the evidence or the command line, or a block rule
     that could not be evaluated (fail closed)";

const VERIFY_EXAMPLES: &str = "\
Examples:
  gate verify-record record.dsse.json --key signing.pub --policy release.gate \\
    --evidence evidence.json
  gate verify-record record.json --policy release.gate \\
    --evidence secrets=vault.json --evidence approvals=reviews.yaml

Exit codes:
  0  the record is authentic and reproduces
  1  it does not (the differences are listed)
  2  error: the record, the key, the policy or the evidence cannot be read";

/// Output formats of `gate check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rule by rule, failures with source excerpts and evidence paths.
    Human,
    /// The decision record as JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML: one test case per rule, for CI test reports.
    Junit,
    /// A Markdown summary, for a merge-request comment.
    Markdown,
    /// GitHub Actions workflow commands (annotations); inside Actions, the
    /// Markdown summary is also appended to `$GITHUB_STEP_SUMMARY`.
    Github,
    /// A GitLab Code Quality report (`artifacts:reports:codequality`).
    #[value(alias = "gitlab")]
    Codequality,
}

/// `--output FORMAT=FILE`: a report in FORMAT written to FILE.
pub fn output_spec<F: ValueEnum>(text: &str) -> Result<(F, PathBuf), String> {
    let (format, file) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=FILE (say `sarif=gate.sarif`)"))?;
    let format = F::from_str(format, true).map_err(|_| {
        let names: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!("`{format}` is not a format: one of {}", names.join(", "))
    })?;
    if file.is_empty() {
        return Err(format!("`{text}` names no file"));
    }
    Ok((format, PathBuf::from(file)))
}

const FMT_EXAMPLES: &str = "\
Examples:
  gate fmt                      # format every .gate file under this folder
  gate fmt examples/release.gate
  gate fmt --check              # exit 1 and show a diff if a file is not formatted
  gate fmt - < release.gate     # format standard input to standard output

Exit codes:
  0  formatted (or, with --check, already formatted)
  1  --check found unformatted files
  2  error: a file cannot be read or does not parse";

const LINT_EXAMPLES: &str = "\
Examples:
  gate lint examples/
  gate lint release.gate --format json
  gate lint --explain vacuous-all
  gate lint release.bundle --require-signer signing.pub
  # in a policy, silence one finding with a reason:
  #   # lint: allow(rule-without-message) the title says it all

Exit codes:
  0  no error-level findings
  1  error-level findings, or a bundle is not the one required
  2  the linter could not run: a file does not compile or cannot be read";

const TEST_EXAMPLES: &str = "\
Examples:
  gate test                      # every *.test.yaml under this folder
  gate test examples/ --coverage
  gate test release.test.yaml --format json
  gate test release.bundle          # a bundle's tests against its own gate

Exit codes:
  0  every test passed
  1  a test failed, or a bundle is not the one required (digest, signer)
  2  a test file or policy has errors, or a case could not run";

const REPL_EXAMPLES: &str = "\
Examples:
  gate repl examples/release.gate --evidence examples/evidence/release-fail.json
  echo 'secrets.items.count(not vaulted)' | gate repl examples/release.gate -e evidence.json

Commands inside the REPL:
  EXPR              evaluate an expression and show its type
  :explain RULE     explain a rule's outcome
  :rules            list the rules and their outcomes
  :schema           show the evidence schema
  :reload           read the policy and the evidence again
  :help, :quit

Exit codes:
  0  the session ended (from a pipe: every line was evaluated)
  2  the policy or the evidence cannot be read, or (from a pipe) a line
     had an error";

const CONTROLS_EXAMPLES: &str = "\
Examples:
  gate controls examples/*.gate
  gate controls examples/release.gate --record decision.json --format json

Exit codes:
  0  the coverage was written
  2  a gate does not compile, or the record cannot be read";

const DIFF_EXAMPLES: &str = "\
Examples:
  gate diff release-v1.gate release-v2.gate --corpus evidence-archive/
  gate diff old.gate new.gate --corpus past/ --format json

Exit codes:
  0  nothing flips
  1  a decision or a rule outcome flips
  2  error: a gate does not compile, or a document cannot be read";

/// Evidence formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvidenceFormat {
    /// JSON (duplicate keys are an error).
    Json,
    /// JSON Lines (NDJSON): one JSON document per line, read as their list.
    #[value(alias = "ndjson")]
    Jsonl,
    /// YAML 1.2 (no aliases, duplicate keys are an error); a stream of
    /// several documents is their list.
    Yaml,
    /// TOML.
    Toml,
    /// Signed attestations: a DSSE envelope, JSON Lines of them, or a
    /// Sigstore bundle (needs `--trust`).
    Attestation,
}

/// Where evidence comes from and how to read it.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Evidence: `FILE` merges its keys at the root, `NAME=FILE` mounts it
    /// under NAME, `NAME+=FILE` adds its documents to the list NAME. FILE
    /// may be `-` (standard input), a folder or a quoted glob (`'mcp/*.json'`):
    /// under a name, the list of their documents. `FILE:FORMAT` gives the
    /// format (`x.snap:json`). Repeat to merge several.
    #[arg(
        long,
        short = 'e',
        value_name = "[NAME=|NAME+=]FILE[:FORMAT]",
        required = true
    )]
    pub evidence: Vec<String>,

    /// The format of every evidence file given without `:FORMAT`; by
    /// default told from each file's name (standard input: JSON).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub evidence_format: Option<EvidenceFormat>,

    /// Read YAML 1.1 boolean words (yes, no, on, off, y, n) as booleans where
    /// the gate's schema expects a bool. Off by default: `no` is text.
    #[arg(long)]
    pub yaml_bool_words: bool,

    /// Largest accepted evidence document, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = MAX_EVIDENCE_SIZE)]
    pub max_evidence_size: usize,

    /// Deepest accepted nesting of evidence documents.
    #[arg(long, value_name = "N", default_value_t = MAX_EVIDENCE_DEPTH)]
    pub max_evidence_depth: usize,

    /// Longest accepted string (value or key) in evidence, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = MAX_EVIDENCE_STRING)]
    pub max_evidence_string: usize,

    /// Most elements accepted in one evidence list (or entries in one object).
    #[arg(long, value_name = "N", default_value_t = MAX_EVIDENCE_LIST)]
    pub max_evidence_list: usize,

    /// A waiver file (JSON, YAML or TOML); repeat for several.
    #[arg(long, value_name = "FILE")]
    pub waivers: Vec<PathBuf>,

    /// A trust configuration (YAML): the keys and Sigstore identities whose
    /// signed attestations (`.intoto.json`, `.intoto.jsonl`, `.dsse.json`,
    /// `.sigstore.json`, `.sigstore`, `.bundle`, `.link`) are evidence. See
    /// docs/attestations.md.
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
}

impl EvidenceArgs {
    /// The evidence `specs` in `format`, with every other option at its
    /// default (for commands that read evidence without these options).
    pub fn defaults(specs: Vec<String>, format: Option<EvidenceFormat>) -> EvidenceArgs {
        EvidenceArgs {
            evidence: specs,
            evidence_format: format,
            yaml_bool_words: false,
            max_evidence_size: MAX_EVIDENCE_SIZE,
            max_evidence_depth: MAX_EVIDENCE_DEPTH,
            max_evidence_string: MAX_EVIDENCE_STRING,
            max_evidence_list: MAX_EVIDENCE_LIST,
            waivers: Vec::new(),
            trust: None,
        }
    }
}

/// The default of `--max-evidence-size`.
const MAX_EVIDENCE_SIZE: usize = 32 << 20;
/// The default of `--max-evidence-depth`.
const MAX_EVIDENCE_DEPTH: usize = 64;
/// The default of `--max-evidence-string`.
const MAX_EVIDENCE_STRING: usize = 1 << 20;
/// The default of `--max-evidence-list`.
const MAX_EVIDENCE_LIST: usize = 1_000_000;

/// `gate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The gate to evaluate: a `.gate` file, or a policy bundle
    /// (`*.bundle`, `gate bundle build`).
    pub policy: PathBuf,

    /// Evidence.
    #[command(flatten)]
    pub input: EvidenceArgs,

    /// What a bundle must be.
    #[command(flatten)]
    pub require: Requirements,

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

    /// Also write the report in FORMAT to FILE (repeat for several: one
    /// run writes the record, SARIF, JUnit and a summary at once). `json` is
    /// the decision record, signed with `--sign`.
    #[arg(long, short = 'o', value_name = "FORMAT=FILE", value_parser = output_spec::<Format>)]
    pub output: Vec<(Format, PathBuf)>,

    /// Also write the decision record (JSON) to FILE: the same as
    /// `--output json=FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Sign the decision record with this ed25519 private key (PKCS#8 PEM):
    /// the record is written as a DSSE envelope. Needs `--format json` or
    /// `--record`.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,

    /// Also write the decision as a signed SLSA Verification Summary
    /// Attestation to FILE: two DSSE envelopes of in-toto Statements (the
    /// VSA, and the decision record beside it), one per line. Needs `--sign`.
    #[arg(long, value_name = "FILE")]
    pub attest: Option<PathBuf>,

    /// The VSA's subject, `NAME=ALGORITHM:HEX`; by default the evidence's
    /// `artefact.name` and `artefact.digest`.
    #[arg(long, value_name = "NAME=DIGEST", requires = "attest")]
    pub subject: Option<String>,

    /// The VSA's `resourceUri`; by default the evidence's
    /// `artefact.reference`.
    #[arg(long, value_name = "URI", requires = "attest")]
    pub resource_uri: Option<String>,

    /// The VSA's `verifier.id`: your organisation's URI for this verifier.
    #[arg(long, value_name = "URI", requires = "attest")]
    pub verifier_id: Option<String>,

    /// A level a passing decision verifies, for the VSA's `verifiedLevels`
    /// (repeat for several); `GATE_<GATE NAME>` by default.
    #[arg(long, value_name = "LEVEL", requires = "attest")]
    pub verified_level: Vec<String>,

    /// Most failures kept per rule in the decision (all are counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_failures: usize,

    /// Evaluation step budget per rule; a rule that needs more is an error
    /// (E0606), never a pass.
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    pub max_steps: u64,

    /// Largest accepted policy or module file, in bytes (E0505).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_policy_size: usize,

    /// Deepest accepted nesting of expressions and types in the policy
    /// (E0506).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_policy_depth: usize,

    /// Stop evaluating after this long (e.g. `30s`, `2m`, or `none`); rules
    /// not finished are errors (E0607).
    #[arg(long, value_name = "DURATION", default_value = "1m")]
    pub timeout: String,
}

/// `gate fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or folders to format; every `.gate` under the current folder
    /// when none are given. `-` formats standard input to standard output.
    pub paths: Vec<PathBuf>,

    /// Do not write: exit 1 and show a diff if a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// Output formats of `gate diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Human,
    /// Stable JSON for machines.
    Json,
}

/// Output formats of `gate lint` and `gate test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ResultFormat {
    /// For people.
    Human,
    /// Stable JSON for machines.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// `gate lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to lint; every `.gate` under the current folder when
    /// none are given.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ResultFormat::Human)]
    pub format: ResultFormat,

    /// Also write the report in FORMAT to FILE (repeatable).
    #[arg(long, short = 'o', value_name = "FORMAT=FILE", value_parser = output_spec::<ResultFormat>)]
    pub output: Vec<(ResultFormat, PathBuf)>,

    /// Set a rule's severity: `RULE=error|warning|off` (repeatable).
    #[arg(long = "rule", value_name = "RULE=LEVEL")]
    pub rules: Vec<String>,

    /// Read rule severities from this file (`gate-lint.toml` under the
    /// current folder is read when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print a rule's documentation and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,

    /// What a bundle among the paths must be.
    #[command(flatten)]
    pub require: Requirements,
}

/// `gate test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files (`*.test.yaml`) or folders; every test file under the
    /// current folder when none are given.
    pub paths: Vec<PathBuf>,

    /// Report which rules, requirements and `and`/`or` branches the tests
    /// exercised.
    #[arg(long)]
    pub coverage: bool,

    /// What a bundle among the paths must be (its tests are run against
    /// its own gate).
    #[command(flatten)]
    pub require: Requirements,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ResultFormat::Human)]
    pub format: ResultFormat,

    /// Also write the report in FORMAT to FILE (repeatable).
    #[arg(long, short = 'o', value_name = "FORMAT=FILE", value_parser = output_spec::<ResultFormat>)]
    pub output: Vec<(ResultFormat, PathBuf)>,
}

/// `gate repl`.
#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The gate to load.
    pub policy: PathBuf,

    /// Evidence (optional: expressions that read it need it).
    #[arg(long, short = 'e', value_name = "[NAME=]FILE")]
    pub evidence: Vec<String>,

    /// The format of the evidence (by default from the file extension).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub evidence_format: Option<EvidenceFormat>,

    /// The clock (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

/// `gate controls`.
#[derive(Debug, Args)]
pub struct ControlsArgs {
    /// The gates: `.gate` files or policy bundles (`*.bundle`).
    #[arg(required = true)]
    pub policies: Vec<PathBuf>,

    /// What a bundle must be.
    #[command(flatten)]
    pub require: Requirements,

    /// A decision record (`gate check --format json`) whose outcomes to show.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ControlsFormat::Markdown)]
    pub format: ControlsFormat,
}

/// Output formats of `gate controls`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ControlsFormat {
    /// A Markdown table.
    Markdown,
    /// JSON.
    Json,
}

/// `gate schema …`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Write an evidence schema inferred from sample documents.
    #[command(
        after_help = "Examples:\n  gate schema infer past/*.json > schema.gate\n  gate schema infer -e 'tools=mcp/*.json' -e findings=scan.jsonl\n  gate schema infer policy.snap:json --many Condition\n\nExit codes:\n  0  the schema was written\n  2  a sample cannot be read"
    )]
    Infer(SchemaInferArgs),
}

/// `gate schema infer`.
#[derive(Debug, Args)]
pub struct SchemaInferArgs {
    /// Sample evidence documents, each a sample, written as `--evidence`
    /// is (`NAME=FILE`, `FILE:FORMAT`); an unnamed folder or glob is one
    /// sample per file.
    pub samples: Vec<String>,

    /// Evidence as `gate check` takes it: every `-e` together is one more
    /// sample, read exactly as `gate check` would read it.
    #[arg(long, short = 'e', value_name = "[NAME=|NAME+=]FILE[:FORMAT]")]
    pub evidence: Vec<String>,

    /// The format of every sample given without `:FORMAT`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub evidence_format: Option<EvidenceFormat>,

    /// A field that is a value or a list of values (`many<T>`) whatever the
    /// samples show: its name (`Action`) or the names leading to it
    /// (`Statement.Action`). Repeat for several. Fields of known formats
    /// (AWS IAM policy documents) are found without it.
    #[arg(long, value_name = "FIELD")]
    pub many: Vec<String>,
}

/// `gate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The gate as it is.
    pub old: PathBuf,
    /// The gate as it would be.
    pub new: PathBuf,

    /// A folder of past evidence documents (JSON, YAML, TOML).
    #[arg(long, value_name = "DIR")]
    pub corpus: PathBuf,

    /// The clock for both evaluations (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// `gate verify-record`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The decision record: a DSSE envelope (`gate check --sign`), a VSA
    /// (`gate check --attest`) or plain JSON.
    pub record: PathBuf,

    /// The public key (SPKI PEM) the record must be signed with. Required for
    /// a signed record; a record that is not signed is rejected when a key is given.
    #[arg(long, value_name = "PUB")]
    pub key: Option<PathBuf>,

    /// The gate the record was made with: a `.gate` file or a bundle.
    #[arg(long, value_name = "POLICY")]
    pub policy: PathBuf,

    /// What a bundle must be.
    #[command(flatten)]
    pub require: Requirements,

    /// Evidence.
    #[command(flatten)]
    pub input: EvidenceArgs,
}

/// What a command requires of a policy bundle (a POLICY whose name ends
/// in `.bundle`).
#[derive(Clone, Debug, Default, Args)]
pub struct Requirements {
    /// Refuse the bundle unless its digest (the SHA-256 of the file, as
    /// `sha256sum` prints it) is this one: `sha256:HEX` or `HEX`.
    #[arg(long, value_name = "DIGEST")]
    pub require_digest: Option<String>,

    /// Refuse the bundle unless it is signed by this key (ed25519 SPKI
    /// PEM, as `gate keygen` writes it); repeat for several, any of which
    /// may have signed it.
    #[arg(long, value_name = "PUB")]
    pub require_signer: Vec<PathBuf>,

    /// Refuse the bundle unless its signature verifies against this trust
    /// configuration (YAML, as `--trust` reads for attestations): a DSSE
    /// envelope or a Sigstore bundle by one of its keys or keyless
    /// identities.
    #[arg(long, value_name = "FILE", conflicts_with = "require_signer")]
    pub bundle_trust: Option<PathBuf>,

    /// The bundle's signature (`gate bundle sign`, a Sigstore bundle);
    /// `BUNDLE.sig` by default, else `BUNDLE.sigstore.json`.
    #[arg(long, value_name = "FILE")]
    pub bundle_signature: Option<PathBuf>,
}

/// `gate bundle …`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Pack a folder's gate, modules, tests and their data into a bundle.
    #[command(after_help = BUNDLE_BUILD_HELP, disable_version_flag = true)]
    Build(BundleBuildArgs),
    /// Sign a bundle with an ed25519 key (`gate keygen`).
    #[command(after_help = BUNDLE_SIGN_HELP)]
    Sign(BundleSignArgs),
    /// Check a bundle: every file against its manifest, and the digest and
    /// signer required.
    #[command(after_help = BUNDLE_VERIFY_HELP)]
    Verify(BundleVerifyArgs),
    /// Push a bundle (and its signature) to an OCI registry.
    #[command(after_help = BUNDLE_PUSH_HELP)]
    Push(BundlePushArgs),
    /// Pull a bundle (and its signature) from an OCI registry, checked
    /// against the digest it is pinned by and the requirements.
    #[command(after_help = BUNDLE_PULL_HELP)]
    Pull(BundlePullArgs),
}

const BUNDLE_PUSH_HELP: &str = "\
Examples:
  gate bundle push release.bundle oci://registry.example/policies/release:1.4.0
  gate bundle push release.bundle oci://localhost:5000/policies/release \\
    --signature release.bundle.sig

The artifact's manifest digest is printed, and the reference pinned by it
(`oci://…@sha256:…`), which `gate check` takes as its POLICY. Credentials
come from $DOCKER_CONFIG/config.json (`docker login`); a registry on
loopback is spoken to over plain HTTP, any other over HTTPS.

Exit codes:
  0  pushed
  2  the bundle or its signature is not valid or cannot be read, or the
     registry cannot be reached or refuses it";

const BUNDLE_PULL_HELP: &str = "\
Examples:
  gate bundle pull oci://registry.example/policies/release:1.4.0 -o release.bundle
  gate bundle pull oci://registry.example/policies/release@sha256:… \\
    --require-signer signing.pub -o release.bundle

Writes the bundle, and its signature beside it (BUNDLE.sig) when the
artifact has one; prints the reference pinned by digest.

Exit codes:
  0  pulled, and it meets every requirement
  1  it is not the one required (digest, signer): nothing is written
  2  it cannot be pulled (unreachable registry, no such tag or digest,
     credentials refused) or is not a valid bundle";

const BUNDLE_BUILD_HELP: &str = "\
Examples:
  gate bundle build policies/release -o release.bundle --version 1.4.0
  gate bundle build . --gate release.gate -o release.bundle

Exit codes:
  0  the bundle was written (its digest is printed)
  2  the folder has no single gate, the gate does not compile from the
     folder alone, or a file cannot be read or written";

const BUNDLE_SIGN_HELP: &str = "\
Example:
  gate bundle sign release.bundle --key signing.key   # writes release.bundle.sig

Exit codes:
  0  the signature was written
  2  the bundle is not valid, or the key cannot be read";

const BUNDLE_VERIFY_HELP: &str = "\
Examples:
  gate bundle verify release.bundle
  gate bundle verify release.bundle --require-signer signing.pub \\
    --require-digest sha256:…
  gate check release.bundle --require-signer signing.pub -e evidence.json
  # signed with Sigstore (release.bundle.sigstore.json beside it):
  gate bundle verify release.bundle --bundle-trust policy-trust.yaml

Exit codes:
  0  the bundle is valid and meets every requirement
  1  it is valid but not the one required (digest, signer)
  2  it is not a valid bundle, or cannot be read";

/// `gate bundle build`.
#[derive(Debug, Args)]
pub struct BundleBuildArgs {
    /// The folder: every `.gate` file, test file and evidence or waiver
    /// document under it (hidden folders and `target/` left out).
    pub dir: PathBuf,

    /// The bundle to write.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "gate.bundle")]
    pub output: PathBuf,

    /// The gate, relative to the folder; by default its only gate at the
    /// top.
    #[arg(long, value_name = "FILE")]
    pub gate: Option<PathBuf>,

    /// The bundle's name; by default the gate's.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// The bundle's version.
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
}

/// `gate bundle sign`.
#[derive(Debug, Args)]
pub struct BundleSignArgs {
    /// The bundle.
    pub bundle: PathBuf,

    /// The ed25519 private key (PKCS#8 PEM, `gate keygen`).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    /// Where to write the signature; `BUNDLE.sig` by default.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `gate bundle push`.
#[derive(Debug, Args)]
pub struct BundlePushArgs {
    /// The bundle.
    pub bundle: PathBuf,

    /// Where to: `oci://HOST[:PORT]/REPOSITORY[:TAG]` (tag `latest` when
    /// none is given).
    #[arg(value_name = "REFERENCE")]
    pub reference: String,

    /// The signature to push with it; `BUNDLE.sig` when that file exists.
    #[arg(long, value_name = "FILE")]
    pub signature: Option<PathBuf>,
}

/// `gate bundle pull`.
#[derive(Debug, Args)]
pub struct BundlePullArgs {
    /// What to pull: `oci://HOST[:PORT]/REPOSITORY[:TAG|@sha256:DIGEST]`.
    #[arg(value_name = "REFERENCE")]
    pub reference: String,

    /// The bundle to write (its signature is written beside it, `.sig`).
    #[arg(long, short = 'o', value_name = "FILE", default_value = "gate.bundle")]
    pub output: PathBuf,

    /// What it must be.
    #[command(flatten)]
    pub require: Requirements,
}

/// `gate bundle verify`.
#[derive(Debug, Args)]
pub struct BundleVerifyArgs {
    /// The bundle: a file, or `oci://…@sha256:…`.
    pub bundle: PathBuf,

    /// What it must be.
    #[command(flatten)]
    pub require: Requirements,
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        // clap's own checks of every subcommand (unique names, …), which
        // otherwise run only when a subcommand is first used.
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
