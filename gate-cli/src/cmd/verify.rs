//! `gate verify-record RECORD [--key PUB] --policy POLICY --evidence FILE…`.
//!
//! A record is accepted only if every check holds: the signature (a signed
//! record needs `--key`; an envelope without a valid signature by that key
//! is rejected, never treated as unsigned), the policy digest, the digest of
//! every evidence document, and a re-evaluation at the record's time that
//! gives the same record.

use crate::cli::VerifyArgs;
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::verify::{self, SignatureCheck};
use gate_eval::{sign, Options, Policy};
use std::fmt::Write;

/// Most differences listed.
const SHOWN_DIFFERENCES: usize = 40;

/// Verifies a record and reports every difference.
pub fn run(args: VerifyArgs, out: &Output, io: &mut Io) -> Exit {
    let record_name = args.record.display().to_string();
    let bytes = match input::read_file(&args.record) {
        Ok(b) => b,
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    let key = match &args.key {
        None => None,
        Some(path) => match input::read_file(path).and_then(|b| {
            sign::verifying_key_from_pem(&String::from_utf8_lossy(&b))
                .map_err(gate_eval::Error::Sign)
        }) {
            Ok(k) => Some(k),
            Err(e) => {
                input::report(out, io, &e);
                return Exit::Error;
            }
        },
    };
    let policy =
        match crate::cmd::bundle::compile(&args.policy, Policy::builder(), &args.require, io) {
            Ok(p) => p,
            Err(e) => {
                input::report(out, io, &e);
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
    let options = Options::default()
        .waivers(data.waivers)
        .yaml_bool_words(args.input.yaml_bool_words);
    let check = match verify::verify_record(&bytes, key.as_ref(), &policy, &data.evidence, &options)
    {
        Ok(c) => c,
        Err(gate_eval::Error::Record { message, .. }) => {
            let hint = if key.is_none() && message.starts_with("it is signed") {
                " (with `--key`)"
            } else {
                ""
            };
            render::tool_error(
                out,
                io,
                "E0903",
                &format!("`{record_name}`: {message}{hint}"),
            );
            return Exit::Error;
        }
        Err(e) => {
            input::report(out, io, &e);
            return Exit::Error;
        }
    };
    io.out(&report(&check));
    if check.verified() {
        Exit::Pass
    } else {
        Exit::Fail
    }
}

/// What was checked, one line each, and a last line that names what was
/// verified, for the reader to compare with what they read.
fn report(check: &verify::Verification) -> String {
    let mut report = String::new();
    match &check.signature {
        SignatureCheck::Valid(k) => {
            let _ = writeln!(report, "signature: valid (key {k})");
        }
        SignatureCheck::Unsigned => {
            let _ = writeln!(report, "signature: none (the record is not signed)");
        }
        SignatureCheck::Rejected(why) => {
            let _ = writeln!(report, "signature: REJECTED: {why}");
            report.push_str("record: not verified\n");
            return report;
        }
    }
    if check.policy.matches() {
        let _ = writeln!(report, "policy: digest matches ({})", check.policy.actual);
    } else {
        let _ = writeln!(
            report,
            "policy: DIGEST DIFFERS: recorded {}, now {}",
            check.policy.recorded, check.policy.actual
        );
    }
    if let Some((recorded, given)) = check.evidence_count {
        let _ = writeln!(
            report,
            "evidence: the record has {}, {given} {} given",
            crate::render::count(recorded, "document"),
            if given == 1 { "was" } else { "were" }
        );
    }
    for d in &check.evidence {
        let given = d.given.as_deref().unwrap_or("");
        if d.matches() {
            let _ = writeln!(report, "evidence: {given} digest matches ({})", d.actual);
        } else {
            let _ = writeln!(
                report,
                "evidence: {given} DIFFERS from recorded {} (digest {} vs {})",
                d.what.as_deref().unwrap_or(""),
                d.recorded,
                d.actual
            );
        }
    }
    if check.differences.is_empty() {
        let _ = writeln!(report, "decision: reproduces ({})", check.outcome.as_str());
    } else {
        let _ = writeln!(
            report,
            "decision: {} DIFFERENCE(S) from the record:",
            check.differences.len()
        );
        for d in check.differences.iter().take(SHOWN_DIFFERENCES) {
            // A record written elsewhere may hold what gate would mask.
            let mut line = format!("  {}: recorded {}, now {}", d.pointer, d.recorded, d.now);
            gate_eval::redact::mask_detected(&mut line);
            let _ = writeln!(report, "{line}");
        }
        if check.differences.len() > SHOWN_DIFFERENCES {
            let _ = writeln!(
                report,
                "  … and {} more",
                check.differences.len() - SHOWN_DIFFERENCES
            );
        }
    }
    if check.verified() {
        let evidence: Vec<String> = check
            .evidence
            .iter()
            .map(|d| format!("{} {}", d.actual, d.given.as_deref().unwrap_or("")))
            .collect();
        let signer = match &check.signature {
            SignatureCheck::Valid(k) => format!("signed by key {k}"),
            _ => "not signed".to_string(),
        };
        let _ = writeln!(
            report,
            "record: verified: outcome {}, policy {}, evidence {}, {signer}",
            check.outcome.as_str(),
            check.policy.actual,
            evidence.join(", ")
        );
    } else {
        let _ = writeln!(report, "record: NOT VERIFIED");
    }
    report
}
