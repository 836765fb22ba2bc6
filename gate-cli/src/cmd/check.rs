//! `gate check POLICY --evidence FILE…`.

use crate::cli::{CheckArgs, Format};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::{Options, Outcome, Policy};

/// Evaluates the gate and prints the decision.
pub fn run(args: CheckArgs, out: &Output, io: &mut Io) -> Exit {
    if args.sign.is_some() && args.format != Format::Json && args.record.is_none() {
        render::tool_error(
            out,
            io,
            "E0002",
            "`--sign` signs the decision record: use it with `--format json` or `--record FILE`",
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
            return Exit::Error;
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
            return Exit::Error;
        }
    };
    if let Err(e) = policy.validate_waivers(&data.waivers, &data.evidence) {
        input::report(out, io, &e);
        return Exit::Error;
    }
    let options = Options {
        now,
        limits: gate_eval::Limits {
            max_failures: args.max_failures,
            max_steps: args.max_steps,
            deadline,
        },
        waivers: data.waivers,
        yaml_bool_words: args.input.yaml_bool_words,
    };
    let decision = policy.evaluate(&data.evidence, &options);
    let mut record = decision.to_json();
    if let Some(key_path) = &args.sign {
        let signed = input::read_file(key_path)
            .and_then(|bytes| {
                gate_eval::sign::signing_key_from_pem(&String::from_utf8_lossy(&bytes))
                    .map_err(gate_eval::Error::Sign)
            })
            .map(|key| {
                gate_eval::sign::sign(record.as_bytes(), gate_eval::sign::PAYLOAD_TYPE, &key)
            });
        match signed {
            Ok(envelope) => match serde_json::to_string_pretty(&envelope) {
                Ok(s) => record = format!("{s}\n"),
                Err(e) => {
                    render::tool_error(
                        out,
                        io,
                        "E0901",
                        &format!("cannot write the envelope: {e}"),
                    );
                    return Exit::Error;
                }
            },
            Err(e) => {
                input::report(out, io, &e);
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
    match args.format {
        Format::Json => io.out(&record),
        Format::Human => {
            let names: Vec<String> = data_names(&decision);
            io.out(&render::human::decision(
                &decision,
                &policy,
                &names.join(", "),
                out,
                args.verbose,
            ));
        }
        Format::Sarif => match render::sarif::decision(&decision, &policy) {
            Ok(text) => io.out(&text),
            Err(e) => {
                render::tool_error(out, io, "E0901", &format!("cannot write SARIF: {e}"));
                return Exit::Error;
            }
        },
        Format::Junit => match render::junit::decision(&decision) {
            Ok(text) => io.out(&text),
            Err(e) => {
                render::tool_error(out, io, "E0901", &format!("cannot write JUnit XML: {e}"));
                return Exit::Error;
            }
        },
        Format::Markdown => io.out(&render::markdown::decision(&decision)),
        Format::Github => io.out(&render::github::decision(&decision)),
    }
    match decision.outcome {
        Outcome::Pass | Outcome::Warn => Exit::Pass,
        Outcome::Fail => Exit::Fail,
        Outcome::Error => Exit::Error,
    }
}

fn data_names(d: &gate_eval::Decision) -> Vec<String> {
    d.evidence
        .iter()
        .map(|e| match &e.mount {
            Some(m) => format!("{m}={}", e.source),
            None => e.source.clone(),
        })
        .collect()
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
