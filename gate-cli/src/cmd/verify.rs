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
use gate_eval::{sign, Options, Policy};
use serde_json::Value;
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
    let outer = match gate_eval::load::parse(
        gate_eval::Format::Json,
        &bytes,
        &gate_eval::LoadLimits::default(),
    ) {
        Ok(p) => p.value,
        Err(error) => {
            input::report(
                out,
                io,
                &gate_eval::Error::EvidenceLoad {
                    source: record_name,
                    error,
                },
            );
            return Exit::Error;
        }
    };
    let mut report = String::new();
    let mut ok = true;
    let mut signer = None;

    // 1. The signature.
    let record_bytes: Vec<u8> = if sign::is_envelope(&outer) {
        let Some(key_path) = &args.key else {
            render::tool_error(
                out,
                io,
                "E0903",
                &format!("`{record_name}` is signed: give the signer's public key with `--key` to verify it"),
            );
            return Exit::Error;
        };
        let key = match input::read_file(key_path).and_then(|b| {
            sign::verifying_key_from_pem(&String::from_utf8_lossy(&b))
                .map_err(gate_eval::Error::Sign)
        }) {
            Ok(k) => k,
            Err(e) => {
                input::report(out, io, &e);
                return Exit::Error;
            }
        };
        let envelope: sign::Envelope = match serde_json::from_value(outer.clone()) {
            Ok(e) => e,
            Err(e) => {
                render::tool_error(
                    out,
                    io,
                    "E0903",
                    &format!("`{record_name}` is not a valid envelope: {e}"),
                );
                return Exit::Error;
            }
        };
        match sign::check_fields(&outer).and_then(|()| sign::verify(&envelope, &key)) {
            Ok(payload) => {
                let _ = writeln!(report, "signature: valid (key {})", sign::key_id(&key));
                signer = Some(sign::key_id(&key));
                payload
            }
            Err(e) => {
                let _ = writeln!(report, "signature: REJECTED: {e}");
                io.out(&report);
                io.out("record: not verified\n");
                return Exit::Fail;
            }
        }
    } else {
        if args.key.is_some() {
            let _ = writeln!(
                report,
                "signature: REJECTED: the record is not signed, but a key was given"
            );
            io.out(&report);
            io.out("record: not verified\n");
            return Exit::Fail;
        }
        let _ = writeln!(report, "signature: none (the record is not signed)");
        bytes
    };
    // Read as strictly as the envelope: a duplicate key would let two
    // readers see two records.
    let recorded: Value = match gate_eval::load::parse(
        gate_eval::Format::Json,
        &record_bytes,
        &gate_eval::LoadLimits::default(),
    ) {
        Ok(p) => p.value,
        Err(e) => {
            render::tool_error(
                out,
                io,
                "E0903",
                &format!("`{record_name}` does not hold a decision record: {e}"),
            );
            return Exit::Error;
        }
    };
    if recorded.get("record_version").and_then(Value::as_str)
        != Some(gate_eval::decision::RECORD_VERSION)
    {
        render::tool_error(
            out,
            io,
            "E0903",
            &format!(
                "`{record_name}` is not a `{}` decision record",
                gate_eval::decision::RECORD_VERSION
            ),
        );
        return Exit::Error;
    }
    let now = recorded
        .get("evaluated_at")
        .and_then(Value::as_str)
        .and_then(|t| gate_lang::time::parse_timestamp(t).ok());

    // 2. Recompute.
    let policy = match Policy::from_file(&args.policy) {
        Ok(p) => p,
        Err(e) => {
            io.err(&e.render(out.color_err, out.width));
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
        waivers: data.waivers,
        yaml_bool_words: args.input.yaml_bool_words,
        ..Options::default()
    };
    let decision = policy.evaluate(&data.evidence, &options);
    let mut fresh = match serde_json::to_value(&decision) {
        Ok(v) => v,
        Err(e) => {
            render::tool_error(out, io, "E0901", &e.to_string());
            return Exit::Error;
        }
    };
    rename_sources(&recorded, &mut fresh);

    // 3. Digests.
    let recorded_policy = recorded
        .pointer("/policy/digest")
        .cloned()
        .unwrap_or(Value::Null);
    let fresh_policy = fresh
        .pointer("/policy/digest")
        .cloned()
        .unwrap_or(Value::Null);
    if recorded_policy == fresh_policy {
        let _ = writeln!(
            report,
            "policy: digest matches ({})",
            as_text(&fresh_policy)
        );
    } else {
        ok = false;
        let _ = writeln!(
            report,
            "policy: DIGEST DIFFERS: recorded {}, now {}",
            as_text(&recorded_policy),
            as_text(&fresh_policy)
        );
    }
    let recorded_docs = recorded
        .get("evidence")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let fresh_docs = fresh
        .get("evidence")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let label = |d: &Value| match d.get("mount").and_then(Value::as_str) {
        Some(m) => format!(
            "{m}={}",
            d.get("source").and_then(Value::as_str).unwrap_or("")
        ),
        None => d
            .get("source")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    };
    if recorded_docs.len() != fresh_docs.len() {
        ok = false;
        let _ = writeln!(
            report,
            "evidence: the record has {} document(s), {} were given",
            recorded_docs.len(),
            fresh_docs.len()
        );
    }
    for (r, f) in recorded_docs.iter().zip(fresh_docs.iter()) {
        let (rd, fd) = (r.get("digest"), f.get("digest"));
        if rd == fd && r.get("mount") == f.get("mount") {
            let _ = writeln!(
                report,
                "evidence: {} digest matches ({})",
                label(f),
                fd.map(as_text).unwrap_or_default()
            );
        } else {
            ok = false;
            let _ = writeln!(
                report,
                "evidence: {} DIFFERS from recorded {} (digest {} vs {})",
                label(f),
                label(r),
                rd.map(as_text).unwrap_or_default(),
                fd.map(as_text).unwrap_or_default()
            );
        }
    }

    // 4. The decision.
    let mut diffs = Vec::new();
    diff("", &recorded, &fresh, &mut diffs);
    if diffs.is_empty() {
        let _ = writeln!(
            report,
            "decision: reproduces ({})",
            decision.outcome.as_str()
        );
    } else {
        ok = false;
        let _ = writeln!(
            report,
            "decision: {} DIFFERENCE(S) from the record:",
            diffs.len()
        );
        for (path, was, now) in diffs.iter().take(SHOWN_DIFFERENCES) {
            // A record written elsewhere may hold what gate would mask.
            let mut line = format!("  {path}: recorded {was}, now {now}");
            gate_eval::redact::mask_detected(&mut line);
            let _ = writeln!(report, "{line}");
        }
        if diffs.len() > SHOWN_DIFFERENCES {
            let _ = writeln!(report, "  … and {} more", diffs.len() - SHOWN_DIFFERENCES);
        }
    }
    if ok {
        // What was verified, in one line, for the reader to compare with
        // what they read.
        let evidence: Vec<String> = fresh_docs
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d.get("digest").map(as_text).unwrap_or_default(),
                    label(d)
                )
            })
            .collect();
        let _ = writeln!(
            report,
            "record: verified: outcome {}, policy {}, evidence {}, {}",
            decision.outcome.as_str(),
            as_text(&fresh_policy),
            evidence.join(", "),
            match &signer {
                Some(k) => format!("signed by key {k}"),
                None => "not signed".to_string(),
            }
        );
    } else {
        let _ = writeln!(report, "record: NOT VERIFIED");
    }
    io.out(&report);
    if ok {
        Exit::Pass
    } else {
        Exit::Fail
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "nothing".into(),
        other => {
            let s = other.to_string();
            if s.chars().count() > 80 {
                format!("{}…", s.chars().take(80).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// File names depend on where a command runs; the digests and positions do
/// not. Gives the fresh record the recorded names, position by position.
fn rename_sources(recorded: &Value, fresh: &mut Value) {
    let names = |v: &Value, list: &str, field: &str| -> Vec<String> {
        v.pointer(list)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| {
                        x.get(field)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let pairs: Vec<(String, String)> = names(fresh, "/policy/sources", "name")
        .into_iter()
        .zip(names(recorded, "/policy/sources", "name"))
        .collect();
    let evidence: Vec<(String, String)> = names(fresh, "/evidence", "source")
        .into_iter()
        .zip(names(recorded, "/evidence", "source"))
        .collect();
    let mut stack = vec![fresh];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if let Value::String(s) = child {
                        let table = if k == "source" { &evidence } else { &pairs };
                        if k == "file" || k == "name" || k == "source" {
                            if let Some((_, old)) = table.iter().find(|(new, _)| new == s) {
                                *s = old.clone();
                            }
                        }
                    } else {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Every place where two JSON values differ, as (pointer, recorded, fresh).
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                match y.get(k) {
                    Some(vb) => diff(&p, va, vb, out),
                    None => out.push((p, as_text(va), "nothing".into())),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                    out.push((p, "nothing".into(), as_text(vb)));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y.iter()).enumerate() {
                diff(&format!("{path}/{i}"), va, vb, out);
            }
            if x.len() != y.len() {
                out.push((
                    format!("{path} (length)"),
                    x.len().to_string(),
                    y.len().to_string(),
                ));
            }
        }
        _ => {
            if a != b {
                out.push((
                    if path.is_empty() {
                        "/".into()
                    } else {
                        path.to_string()
                    },
                    as_text(a),
                    as_text(b),
                ));
            }
        }
    }
}
