//! `gate check POLICY --evidence FILE…`.

use crate::cli::{CheckArgs, Format};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::{Options, Outcome, Policy};

/// Evaluates the gate and prints the decision.
pub fn run(args: CheckArgs, out: &Output, io: &mut Io) -> Exit {
    if args.sign.is_some()
        && args.format != Format::Json
        && args.record.is_none()
        && args.attest.is_none()
    {
        render::tool_error(
            out,
            io,
            "E0002",
            "`--sign` signs the decision record: use it with `--format json`, `--record FILE` or `--attest FILE`",
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
    let policy = match Policy::builder()
        .max_policy_size(args.max_policy_size)
        .max_policy_depth(args.max_policy_depth)
        .compile_file(&args.policy)
    {
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
    if let (Some(key), true) = (&key, args.format == Format::Json || args.record.is_some()) {
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
    if let Some(path) = &args.record {
        if let Err(e) = std::fs::write(path, &record) {
            render::tool_error(
                out,
                io,
                "E0901",
                &format!("cannot write `{}`: {e}", path.display()),
            );
            return Exit::Error;
        }
    }
    // The record names the policy's files relative to the gate's folder;
    // what people and tools read names them as they were given.
    let decision = render::as_shown(&decision, &policy);
    if args.format == Format::Human {
        let names: Vec<String> = data_names(&decision);
        io.out(&render::human::decision(
            &decision,
            &policy,
            &names.join(", "),
            out,
            args.verbose,
        ));
    } else if let Err(exit) =
        machine_report(args.format, &decision, Some(&policy), &record, out, io)
    {
        return exit;
    }
    match decision.outcome {
        Outcome::Pass | Outcome::Warn => Exit::Pass,
        Outcome::Fail => Exit::Fail,
        Outcome::Error => Exit::Error,
    }
}

/// Writes a decision in a machine format (`record` is its JSON).
/// `policy` is `None` for a decision that could not be made.
fn machine_report(
    format: Format,
    decision: &gate_eval::Decision,
    policy: Option<&Policy>,
    record: &str,
    out: &Output,
    io: &mut Io,
) -> Result<(), Exit> {
    let text = match format {
        Format::Json | Format::Human => Ok(record.to_string()),
        Format::Sarif => render::sarif::decision(decision, policy)
            .map_err(|e| format!("cannot write SARIF: {e}")),
        Format::Junit => {
            render::junit::decision(decision).map_err(|e| format!("cannot write JUnit XML: {e}"))
        }
        Format::Markdown => Ok(render::markdown::decision(decision)),
        Format::Github => Ok(render::github::decision(decision)),
    };
    match text {
        Ok(text) => {
            io.out(&text);
            Ok(())
        }
        Err(message) => {
            render::tool_error(out, io, "E0901", &message);
            Err(Exit::Error)
        }
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
    if args.format == Format::Human {
        return Exit::Error;
    }
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
    // The report is written whatever happens; the exit code says it was not
    // a decision.
    let _ = machine_report(args.format, &decision, None, &record, out, io);
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
