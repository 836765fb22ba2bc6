//! `gate check POLICY --evidence FILE`.

use crate::cli::{CheckArgs, Format};
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::{Outcome, Policy};

/// Evaluates the gate and prints the decision.
pub fn run(args: CheckArgs, out: &Output, io: &mut Io) -> Exit {
    let policy = match Policy::from_file(&args.policy) {
        Ok(p) => p,
        Err(e) => {
            io.err(&e.render(out.color_err, out.width));
            return Exit::Error;
        }
    };
    if !policy.program().warnings.is_empty() {
        io.err(&gate_lang::error::render(
            &policy.program().warnings,
            policy.sources(),
            out.color_err,
            out.width,
        ));
    }
    let (name, text) = match read_evidence(&args.evidence, io) {
        Ok(x) => x,
        Err(message) => {
            render::tool_error(out, io, "E0701", &message);
            return Exit::Error;
        }
    };
    let value = match gate_eval::parse_json(&name, &text) {
        Ok(v) => v,
        Err(e) => {
            render::tool_error(out, io, e.code(), &e.to_string());
            return Exit::Error;
        }
    };
    let limits = gate_eval::Limits {
        max_failures: args.max_failures,
        max_steps: args.max_steps,
        ..gate_eval::Limits::default()
    };
    let decision = policy.evaluate_json_with(&value, &limits);
    match args.format {
        Format::Json => match serde_json::to_string_pretty(&decision) {
            Ok(s) => io.out(&format!("{s}\n")),
            Err(e) => {
                render::tool_error(out, io, "E0901", &format!("cannot write the decision: {e}"));
                return Exit::Error;
            }
        },
        Format::Human => {
            io.out(&render::human::decision(
                &decision,
                &policy,
                &name,
                out,
                args.verbose,
            ));
        }
    }
    match decision.outcome {
        Outcome::Pass | Outcome::Warn => Exit::Pass,
        Outcome::Fail => Exit::Fail,
        Outcome::Error => Exit::Error,
    }
}

fn read_evidence(path: &std::path::Path, io: &mut Io) -> Result<(String, String), String> {
    if path.as_os_str() == "-" {
        let s = io
            .read_stdin()
            .map_err(|e| format!("cannot read evidence from standard input: {e}"))?;
        return Ok(("<stdin>".into(), s));
    }
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read evidence `{name}`: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "evidence `{name}` is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((name, text))
}
