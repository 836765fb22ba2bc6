//! Every Rust example of `docs/embedding.md`, compiled and run against the
//! public API of `gate-eval` alone, each with the few lines it assumes
//! around it; `every_example_of_the_doc_is_here` checks that each example
//! of the page appears in this file exactly as it is written there.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

use gate_eval::{Evidence, Format, HostType, HostValue, Limits, LoadLimits, Options, Policy};
use std::sync::Arc;
use std::time::Duration;

type R = Result<(), Box<dyn std::error::Error>>;

/// The examples name files from the repository's root.
fn at_root() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(root).unwrap();
}

fn release_fail() -> Vec<u8> {
    std::fs::read("examples/evidence/release-fail.json").unwrap()
}

/// `release_fail()` as evidence.
fn release_fail_evidence() -> Result<Evidence, Box<dyn std::error::Error>> {
    Ok(Evidence::from_json_str(
        "release-fail.json",
        &String::from_utf8(release_fail())?,
    )?)
}

#[test]
fn compile_once() -> R {
    at_root();
    let policy = {
        use gate_eval::{HostType, HostValue, Policy};

        let policy = Policy::builder()
            .host_function(
                "trusted_registry",
                &[HostType::String],
                HostType::Bool,
                |args| match args {
                    [HostValue::String(r)] => Ok(HostValue::Bool(r.starts_with("ghcr.io/acme/"))),
                    _ => Err("expected one string".into()),
                },
            )
            .compile_file("examples/deploy-bot.gate".as_ref())?;
        policy
    };
    assert_eq!(policy.name(), "deploy-bot");
    Ok(())
}

#[test]
fn compile_errors() {
    match Policy::builder().compile_source("broken.gate", "gate g {}\nrule r { require nope }\n") {
        Ok(policy) => println!("{} rules", policy.rules().len()),
        Err(gate_eval::Error::Policy(compile)) => {
            eprint!("{}", compile.render(false, 100)); // as `gate check` prints it
            for d in &compile.errors {
                let at = compile.sources.locate(d.span);
                eprintln!("{}:{}:{}: {} {}", at.file, at.line, at.column, d.code(), d);
            }
        }
        Err(other) => eprintln!("{} {other}", other.code()), // a host function refused (E0804), …
    }
    let Err(gate_eval::Error::Policy(compile)) =
        Policy::builder().compile_source("broken.gate", "gate g {}\nrule r { require nope }\n")
    else {
        panic!("the policy compiled");
    };
    assert_eq!(compile.sources.locate(compile.errors[0].span).line, 2);
    assert!(compile.render(false, 100).contains("nope"));
}

#[test]
fn host_functions_with_a_context() -> R {
    struct Tenant {
        allowed: Vec<String>,
    }
    let tenant = Tenant {
        allowed: vec!["ghcr.io".into()],
    };
    let tenant_gate = "gate t {}\nevidence { registry: string }\n\
                       rule r { require tenant_allows(registry) }\n"
        .to_string();
    let policy = Policy::builder()
        .host_function_with_context(
            "tenant_allows",
            &[HostType::String],
            HostType::Bool,
            |args, context| {
                let tenant = context
                    .and_then(|c| c.downcast_ref::<Tenant>())
                    .ok_or("no tenant given")?;
                match args {
                    [HostValue::String(r)] => Ok(HostValue::Bool(tenant.allowed.contains(r))),
                    _ => Err("expected one string".into()),
                }
            },
        )
        .compile_source("tenant.gate", &tenant_gate)?;
    let options = Options::default().context(Arc::new(tenant));
    let evidence = Evidence::from_json_str("e.json", r#"{"registry": "ghcr.io"}"#)?;
    assert!(policy.evaluate(&evidence, &options).permits());
    Ok(())
}

#[test]
// The example shows three ways to build evidence, each shadowing the last.
#[allow(unused_variables)]
fn evidence() -> R {
    #[derive(serde::Serialize)]
    struct Request {
        artefact: String,
    }
    let text = r#"{"approved": true}"#.to_string();
    let vault = br#"{"items": []}"#.to_vec();
    let reviews = b"- role: security\n".to_vec();
    let request = Request {
        artefact: "ghcr.io/acme/bot".into(),
    };
    {
        use gate_eval::{Evidence, Format};

        // One JSON document:
        let evidence = Evidence::from_json_str("request-4521.json", &text)?;

        // Several systems' exports, mounted under names:
        let mut b = Evidence::builder();
        b.add_bytes(Some("secrets"), "vault-export.json", Format::Json, &vault)?;
        b.add_bytes(Some("approvals"), "reviews.yaml", Format::Yaml, &reviews)?;
        let evidence = b.build()?;

        // Your own Rust values:
        let evidence = Evidence::from_serialize("deploy-bot", &request)?;
        assert_eq!(evidence.as_json()["artefact"], "ghcr.io/acme/bot");
    }
    Ok(())
}

#[test]
fn evidence_read_for_a_policy() -> R {
    at_root();
    let policy = Policy::from_file("examples/release.gate".as_ref())?;
    let options = Options::default().at("2026-05-04T09:00:00Z".parse()?);
    let bytes = release_fail();
    let mut b = policy.evidence_builder();
    b.limits(LoadLimits::default());
    b.add_owned_bytes(None, "release.json", Format::Json, bytes)?; // no copy of `bytes`
    let evidence = b.build()?;
    let decision = policy.evaluate(&evidence, &options);
    assert!(!decision.permits());
    Ok(())
}

#[test]
fn signed_attestations() -> R {
    at_root();
    let release = std::fs::read("examples/evidence/release-pass.json")?;
    let provenance = std::fs::read("examples/attest/payments-api.intoto.json")?;
    let evidence = {
        use gate_eval::attest::Trust;

        let trust = Trust::from_file("examples/attest/trust.yaml".as_ref())?;
        let mut b = Evidence::builder();
        b.trust(trust);
        b.add_bytes(None, "release.json", Format::Json, &release)?;
        b.add_bytes(
            Some("build_provenance"),
            "payments-api.intoto.json",
            Format::Attestation,
            &provenance,
        )?;
        let evidence = b.build()?;
        let attestation = &evidence.documents()[1].attestations[0];
        assert!(attestation.verified);
        evidence
    };
    let policy = Policy::from_file("examples/release-attested.gate".as_ref())?;
    let options = Options::default().at("2026-05-04T09:00:00Z".parse()?);
    assert!(policy.evaluate(&evidence, &options).permits());
    Ok(())
}

#[test]
fn evaluate() -> R {
    at_root();
    let policy = Policy::from_file("examples/release.gate".as_ref())?;
    let evidence = release_fail_evidence()?;
    {
        use gate_eval::jiff::SignedDuration;
        use gate_eval::{Limits, Options, Waiver};
        use std::time::Duration;

        let at: gate_eval::jiff::Timestamp = "2026-05-04T09:00:00Z".parse()?;
        let options = Options::default()
            .at(at) // omit for the system clock; set it to replay a decision
            .limits(
                Limits::default()
                    .max_steps(50_000_000) // per rule
                    .deadline(Duration::from_secs(5)) // per evaluation, from its start
                    .max_failures(100),
            )
            .waiver(
                // besides those in the policy; checked by `evaluate`
                Waiver::new(
                    "S02",
                    "u-20011",
                    "SEC-4521",
                    "moving the key to Vault",
                    at + SignedDuration::from_hours(24 * 30),
                )
                .element("STRIPE_API_KEY"),
            );
        let decision = policy.evaluate(&evidence, &options);
        assert_eq!(decision.waivers.len(), 1);
        assert!(decision.errors.is_empty(), "{}", decision.to_json());
    }
    Ok(())
}

#[test]
fn read_sign_and_verify() -> R {
    at_root();
    let policy = Policy::from_file("examples/release.gate".as_ref())?;
    let evidence = release_fail_evidence()?;
    let options = Options::default().at("2026-05-04T09:00:00Z".parse()?);
    let decision = policy.evaluate(&evidence, &options);
    let promoted = std::cell::Cell::new(false);
    let promote = || promoted.set(true);
    let refuse = || promoted.set(false);
    if decision.permits() {
        promote();
    } else {
        refuse();
    }
    for rule in &decision.rules {
        for f in &rule.failures {
            println!(
                "{}: {} (at {:?}, found {}, expected {})",
                rule.id, f.message, f.path, f.actual, f.expected
            );
        }
    }
    let record: String = decision.to_json(); // keep it for the auditors
    assert!(!promoted.get());

    let (pem, public_pem) = gate_eval::sign::generate_pem_pair()?;
    let public_key = gate_eval::sign::verifying_key_from_pem(&public_pem)?;
    let key = gate_eval::sign::signing_key_from_pem(&pem)?;
    let envelope = gate_eval::sign::sign(record.as_bytes(), gate_eval::sign::PAYLOAD_TYPE, &key);

    let bytes = serde_json::to_vec(&envelope)?;
    let check =
        gate_eval::verify::verify_record(&bytes, Some(&public_key), &policy, &evidence, &options)?;
    if !check.verified() {
        for d in &check.differences {
            eprintln!("{}: recorded {}, now {}", d.pointer, d.recorded, d.now);
        }
    }
    assert!(check.verified());
    Ok(())
}

fn decide(
    policy: &Policy,
    evidence_json: &[u8],
    key: &gate_eval::sign::SigningKey,
) -> Result<(bool, gate_eval::sign::Envelope), gate_eval::Error> {
    let mut b = policy.evidence_builder();
    b.limits(LoadLimits::default().max_bytes(8 << 20).max_depth(32));
    b.add_bytes(None, "request.json", Format::Json, evidence_json)?;
    let evidence = b.build()?;
    let options = Options::default().limits(
        Limits::default()
            .max_steps(5_000_000)
            .deadline(Duration::from_secs(2)),
    );
    let decision = policy.evaluate(&evidence, &options);
    let record = decision.to_json();
    let envelope = gate_eval::sign::sign(record.as_bytes(), gate_eval::sign::PAYLOAD_TYPE, key);
    Ok((decision.permits(), envelope))
}

#[test]
fn production_checklist() -> R {
    at_root();
    let policy = Policy::from_file("examples/release.gate".as_ref())?;
    let (pem, _) = gate_eval::sign::generate_pem_pair()?;
    let key = gate_eval::sign::signing_key_from_pem(&pem)?;
    let (permits, envelope) = decide(&policy, &release_fail(), &key)?;
    assert!(!permits);
    assert_eq!(envelope.payload_type, gate_eval::sign::PAYLOAD_TYPE);
    Ok(())
}

/// Code with its layout left out: no whitespace, and no comma before a
/// closing bracket (what `rustfmt` may change).
fn tokens(code: &str) -> String {
    let mut out: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for close in [")", "]", "}"] {
        out = out.replace(&format!(",{close}"), close);
    }
    out
}

#[test]
fn every_example_of_the_doc_is_here() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/embedding.md"))
        .unwrap();
    let here = tokens(include_str!("embedding_doc.rs"));
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```rust") => current = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => blocks.extend(current.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(blocks.len() >= 10, "{} examples", blocks.len());
    for block in &blocks {
        assert!(
            here.contains(&tokens(block)),
            "this example of docs/embedding.md is not in tests/embedding_doc.rs:\n{block}"
        );
    }
}
