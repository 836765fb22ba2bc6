//! `gate check POLICY --evidence FILE…`.

use crate::cli::{CheckArgs, Format};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::{Options, Outcome, Policy};

/// Evaluates the gate and prints the decision.
pub fn run(args: CheckArgs, out: &Output, io: &mut Io) -> Exit {
    if args.sign.is_some() && !writes_record(&args) && args.attest.is_none() {
        render::tool_error(
            out,
            io,
            "E0002",
            "`--sign` signs the decision record: use it with `--format json`, `--output json=FILE`, `--record FILE` or `--attest FILE`",
        );
        return Exit::Error;
    }
    if args.attest.is_some() && args.sign.is_none() {
        render::tool_error(
            out,
            io,
            "E0002",
            "`--attest` writes a signed VSA: give the signing key with `--sign KEY`",
        );
        return Exit::Error;
    }
    let builder = Policy::builder()
        .max_policy_size(args.max_policy_size)
        .max_policy_depth(args.max_policy_depth);
    let policy = match crate::cmd::bundle::compile(&args.policy, builder, &args.require, io) {
        Ok(p) => p,
        Err(e) => {
            input::report(out, io, &e);
            return undecided(&args, None, &e, out, io);
        }
    };
    if !policy.warnings().is_empty() {
        io.err(&gate_lang::error::render(
            policy.warnings(),
            policy.sources(),
            out.color_err,
            out.width,
        ));
    }
    let now = match input::now_arg(args.now.as_deref(), out, io) {
        Ok(n) => n,
        Err(exit) => return exit,
    };
    let deadline = match timeout(&args.timeout) {
        Ok(d) => d,
        Err(()) => {
            render::tool_error(
                out,
                io,
                "E0002",
                "`--timeout` is not a duration such as `30s` or `2m`, or `none`",
            );
            return Exit::Error;
        }
    };
    let data = match input::read_for(&args.input, &[&policy], io) {
        Ok(d) => d,
        Err(e) => {
            input::report(out, io, &e);
            return undecided(&args, Some(&policy), &e, out, io);
        }
    };
    if let Err(e) = policy.validate_waivers(&data.waivers, &data.evidence) {
        input::report(out, io, &e);
        return undecided(&args, Some(&policy), &e, out, io);
    }
    let mut limits = gate_eval::Limits::default()
        .max_failures(args.max_failures)
        .max_steps(args.max_steps);
    limits.deadline = deadline;
    let mut options = Options::default()
        .limits(limits)
        .waivers(data.waivers)
        .yaml_bool_words(args.input.yaml_bool_words);
    options.now = now.map(gate_eval::time::timestamp);
    let decision = policy.evaluate(&data.evidence, &options);
    let mut record = decision.to_json();
    let key = match args.sign.as_deref().map(signing_key).transpose() {
        Ok(k) => k,
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    if let (Some(path), Some(key)) = (&args.attest, &key) {
        let text = match vsa_options(&args, data.evidence.as_json())
            .and_then(|o| gate_eval::attest::vsa::write(&decision, &o, key))
        {
            Ok(text) => text,
            Err(e) => {
                render::tool_error(out, io, "E0002", &e.to_string());
                return Exit::Error;
            }
        };
        if let Err(e) = std::fs::write(path, text) {
            let message = format!("cannot write `{}`: {e}", path.display());
            render::tool_error(out, io, "E0901", &message);
            return Exit::Error;
        }
    }
    if let (Some(key), true) = (&key, writes_record(&args)) {
        let envelope = gate_eval::sign::sign(record.as_bytes(), gate_eval::sign::PAYLOAD_TYPE, key);
        match serde_json::to_string_pretty(&envelope) {
            Ok(s) => record = format!("{s}\n"),
            Err(e) => {
                let message = format!("cannot write the envelope: {e}");
                render::tool_error(out, io, "E0901", &message);
                return Exit::Error;
            }
        }
    }
    // The record names the policy's files relative to the gate's folder;
    // what people and tools read names them as they were given.
    let decision = render::as_shown(&decision, &policy);
    let names: Vec<String> = data_names(&decision);
    let shown = Shown {
        decision: &decision,
        policy: Some(&policy),
        record: &record,
        evidence_names: &names.join(", "),
        verbose: args.verbose,
    };
    if let Err(exit) = write_reports(&args, &shown, true, out, io) {
        return exit;
    }
    match decision.outcome {
        Outcome::Pass | Outcome::Warn => Exit::Pass,
        Outcome::Fail => Exit::Fail,
        Outcome::Error => Exit::Error,
    }
}

/// Whether the run writes the decision record (which `--sign` signs).
fn writes_record(args: &CheckArgs) -> bool {
    args.format == Format::Json
        || args.record.is_some()
        || args.output.iter().any(|(f, _)| *f == Format::Json)
}

/// A decision as the reports show it.
struct Shown<'a> {
    decision: &'a gate_eval::Decision,
    /// `None` for a decision that could not be made.
    policy: Option<&'a Policy>,
    /// The record's JSON (a DSSE envelope when signed).
    record: &'a str,
    /// The evidence, named for the human format's heading.
    evidence_names: &'a str,
    verbose: bool,
}

/// Every report the run asks for: `--format` on standard output (when
/// `to_stdout`), each `--output` and `--record` to its file, and, with a
/// `github` report inside GitHub Actions, the Markdown summary appended to
/// `$GITHUB_STEP_SUMMARY` and the `outcome` step output to
/// `$GITHUB_OUTPUT`. Every report is written even when one fails;
/// a report that cannot be written makes the run exit 2.
fn write_reports(
    args: &CheckArgs,
    shown: &Shown<'_>,
    to_stdout: bool,
    out: &Output,
    io: &mut Io,
) -> Result<(), Exit> {
    let locator = render::evidence::Locator::default();
    let files: Vec<(Format, &std::path::Path)> = args
        .output
        .iter()
        .map(|(f, p)| (*f, p.as_path()))
        .chain(args.record.iter().map(|p| (Format::Json, p.as_path())))
        .collect();
    let text = |format: Format, out: &Output| report_text(format, shown, &locator, out);
    let mut failed =
        !render::write_reports(to_stdout.then_some(args.format), &files, &text, out, io);
    let github =
        args.format == Format::Github || args.output.iter().any(|(f, _)| *f == Format::Github);
    if let (true, Some(outputs)) = (github, io.var("GITHUB_OUTPUT")) {
        let line = format!("outcome={}\n", shown.decision.outcome.as_str());
        if let Err(e) = append(std::path::Path::new(&outputs), &line) {
            let message = format!("cannot append to `$GITHUB_OUTPUT` (`{outputs}`): {e}");
            render::tool_error(out, io, "E0901", &message);
            failed = true;
        }
    }
    if let (true, Some(summary)) = (github, io.var("GITHUB_STEP_SUMMARY")) {
        let text = render::markdown::decision(shown.decision);
        if let Err(e) = append(std::path::Path::new(&summary), &text) {
            let message = format!("cannot append to `$GITHUB_STEP_SUMMARY` (`{summary}`): {e}");
            render::tool_error(out, io, "E0901", &message);
            failed = true;
        }
    }
    if failed {
        Err(Exit::Error)
    } else {
        Ok(())
    }
}

/// Appends `text` to a file, creating it if need be (a step summary is
/// shared by the steps of a job: nothing written before is lost).
fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// One report's text.
fn report_text(
    format: Format,
    shown: &Shown<'_>,
    locator: &render::evidence::Locator,
    out: &Output,
) -> Result<String, String> {
    let d = shown.decision;
    match format {
        Format::Human => Ok(match shown.policy {
            Some(policy) => {
                render::human::decision(d, policy, shown.evidence_names, out, shown.verbose)
            }
            None => render::human::undecided(d, out),
        }),
        Format::Json => Ok(shown.record.to_string()),
        Format::Sarif => render::sarif::decision(d, shown.policy, locator)
            .map_err(|e| format!("cannot write SARIF: {e}")),
        Format::Junit => {
            render::junit::decision(d).map_err(|e| format!("cannot write JUnit XML: {e}"))
        }
        Format::Markdown => Ok(render::markdown::decision(d)),
        Format::Github => Ok(render::github::decision(d, locator)),
        Format::Codequality => render::codequality::decision(d, locator)
            .map_err(|e| format!("cannot write the Code Quality report: {e}")),
    }
}

/// When gate cannot decide (the policy does not compile, the evidence or
/// the waivers cannot be read), a machine format still gets a report that
/// says so — a record with outcome `error` and the reasons — so that a
/// fail-closed result reaches the dashboard, not only the log. Exit 2.
fn undecided(
    args: &CheckArgs,
    policy: Option<&Policy>,
    error: &gate_eval::Error,
    out: &Output,
    io: &mut Io,
) -> Exit {
    let now = args
        .now
        .as_deref()
        .and_then(|t| gate_lang::time::parse_timestamp(t).ok())
        .unwrap_or_else(gate_lang::time::now);
    let (gate, meta) = match policy {
        Some(p) => (p.name().to_string(), p.digest()),
        None => {
            // What was read of the policy: its bytes if it can be read at
            // all (within the size limit), else none.
            let regular = std::fs::metadata(&args.policy).is_ok_and(|m| m.is_file());
            let bytes = if regular {
                input::read_bounded(&args.policy, args.max_policy_size).unwrap_or_default()
            } else {
                Vec::new()
            };
            // Named as a record names it: relative to the gate's folder.
            let name = args
                .policy
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| args.policy.display().to_string());
            let stem = args
                .policy
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            (
                stem,
                gate_eval::decision::PolicyMeta::of_sources([(name.as_str(), &bytes[..])]),
            )
        }
    };
    let errors = match error {
        gate_eval::Error::Policy(c) => c
            .errors
            .iter()
            .filter(|d| d.severity == gate_lang::error::Severity::Error)
            .map(|d| {
                let at = c.sources.locate(d.span);
                gate_eval::decision::DecisionError {
                    code: d.code().to_string(),
                    message: format!("{d} ({}:{}:{})", at.file, at.line, at.column),
                }
            })
            .collect(),
        other => vec![gate_eval::decision::DecisionError {
            code: other.code().to_string(),
            message: other.to_string(),
        }],
    };
    let decision =
        gate_eval::Decision::undecided(&gate, meta, gate_eval::time::timestamp(now), errors);
    let record = decision.to_json();
    // The reports are written whatever happens (on standard output only in
    // a machine format: the error is on standard error already); the exit
    // code says it was not a decision.
    let shown = Shown {
        decision: &decision,
        policy: None,
        record: &record,
        evidence_names: "",
        verbose: false,
    };
    let _ = write_reports(args, &shown, args.format != Format::Human, out, io);
    Exit::Error
}

fn data_names(d: &gate_eval::Decision) -> Vec<String> {
    // The files of one list (a folder, a glob, `NAME+=`) are consecutive.
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<&gate_eval::decision::EvidenceMeta> = Vec::new();
    let flush = |run: &mut Vec<&gate_eval::decision::EvidenceMeta>, out: &mut Vec<String>| {
        match run.as_slice() {
            [] => {}
            [one] => out.push(match &one.mount {
                Some(m) => format!("{m}={}", one.source),
                None => one.source.clone(),
            }),
            [first, .., last] => out.push(format!(
                "{}=[{} files: {} … {}]",
                first.mount.as_deref().unwrap_or_default(),
                run.len(),
                first.source,
                last.source
            )),
        }
        run.clear();
    };
    for e in &d.evidence {
        if e.mount.is_none() || run.last().is_some_and(|l| l.mount != e.mount) {
            flush(&mut run, &mut out);
        }
        run.push(e);
        if e.mount.is_none() {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `--timeout`: a duration, or `none` for no deadline.
fn timeout(text: &str) -> Result<Option<std::time::Duration>, ()> {
    if text == "none" {
        return Ok(None);
    }
    let nanos = gate_lang::lexer::parse_duration(text).map_err(drop)?;
    let nanos = u64::try_from(nanos).map_err(drop)?;
    if nanos == 0 {
        return Err(());
    }
    Ok(Some(std::time::Duration::from_nanos(nanos)))
}

/// Reads the record-signing key.
fn signing_key(path: &std::path::Path) -> Result<gate_eval::sign::SigningKey, gate_eval::Error> {
    let bytes = input::read_file(path)?;
    gate_eval::sign::signing_key_from_pem(&String::from_utf8_lossy(&bytes))
        .map_err(gate_eval::Error::Sign)
}

/// What the VSA says of the artefact: from the flags, else from the
/// evidence's `artefact` (as gate-evidence/v1 documents have it).
fn vsa_options(
    args: &CheckArgs,
    evidence: &serde_json::Value,
) -> Result<gate_eval::attest::vsa::VsaOptions, gate_eval::Error> {
    let missing = |what: &str, flag: &str| gate_eval::Error::Record {
        source: "the VSA".into(),
        message: format!("the evidence has no {what}: name it with `{flag}`"),
    };
    let field = |pointer: &str| {
        evidence
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let (name, digest) = match &args.subject {
        Some(spec) => spec
            .split_once('=')
            .map(|(n, d)| (n.to_owned(), d.to_owned()))
            .ok_or_else(|| gate_eval::Error::Record {
                source: "the VSA".into(),
                message: format!("`--subject {spec}` is not `NAME=ALGORITHM:HEX`"),
            })?,
        None => (
            field("/artefact/name")
                .ok_or_else(|| missing("`artefact.name`", "--subject NAME=DIGEST"))?,
            field("/artefact/digest")
                .ok_or_else(|| missing("`artefact.digest`", "--subject NAME=DIGEST"))?,
        ),
    };
    let uri = match &args.resource_uri {
        Some(u) => u.clone(),
        None => field("/artefact/reference")
            .ok_or_else(|| missing("`artefact.reference`", "--resource-uri URI"))?,
    };
    let mut options = gate_eval::attest::vsa::VsaOptions::new(&name, &digest, &uri)
        .verified_levels(args.verified_level.clone());
    if let Some(id) = &args.verifier_id {
        options = options.verifier_id(id);
    }
    Ok(options)
}
