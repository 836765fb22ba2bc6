//! Uses only the public API of `gate-eval`, as an embedding program would:
//! if this stops compiling, embedders break.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{
    decision::WaiverStatus, time, Decision, Error, Evidence, Format, HostType, HostValue, Limits,
    LoadLimits, Options, Outcome, Policy, RuleOutcome, Waiver,
};

const GATE: &str = r#"
gate bot { title "Bot gate" }
record Tool { name: string, destructive: bool, approval: bool, key name }
evidence { tools: [Tool], registry: string }
rule approval "Destructive tools need approval" {
  require tools.all(not destructive or approval) else "tool {name} can act without approval"
}
rule registry "Trusted registry" { require trusted(registry) }
"#;

fn policy() -> Policy {
    Policy::builder()
        .host_function(
            "trusted",
            &[HostType::String],
            HostType::Bool,
            |a| match a {
                [HostValue::String(s)] => Ok(HostValue::Bool(s.starts_with("ghcr.io/acme"))),
                _ => Err("bad arguments".into()),
            },
        )
        .compile_source("bot.gate", GATE)
        .unwrap()
}

#[test]
fn the_whole_flow() {
    let policy = policy();
    assert_eq!(policy.name(), "bot");
    assert_eq!(policy.rules().len(), 2);
    assert!(policy.digest().digest.starts_with("sha256:"));

    let mut b = Evidence::builder();
    b.limits(LoadLimits::default());
    b.add_bytes(
        Some("tools"),
        "tools.yaml",
        Format::Yaml,
        b"- {name: refund, destructive: true, approval: false}\n",
    )
    .unwrap();
    b.add_value(
        Some("registry"),
        "bot",
        serde_json::json!("ghcr.io/acme/bot"),
    )
    .unwrap();
    let evidence = b.build().unwrap();

    let now = time::timestamp(time::parse_timestamp("2026-05-04T09:00:00Z").unwrap());
    let options = Options::default().at(now).limits(Limits::default()).waiver(
        Waiver::new(
            "approval",
            "u-1",
            "SEC-1",
            "supervised pilot",
            now + gate_eval::jiff::SignedDuration::from_hours(24),
        )
        .element("refund")
        .source("bot"),
    );
    policy
        .validate_waivers(&options.waivers, &evidence)
        .unwrap();
    let d: Decision = policy.evaluate(&evidence, &options);
    assert_eq!(d.outcome, Outcome::Warn);
    assert_eq!(d.rules[0].outcome, RuleOutcome::Waived);
    assert_eq!(d.rules[1].outcome, RuleOutcome::Pass);
    assert_eq!(d.waivers[0].status, WaiverStatus::Applied);
    assert!(d.to_json().contains("gate-decision/v1"));
}

#[test]
fn errors_have_codes() {
    let e = Evidence::from_json_str("bad.json", "{").unwrap_err();
    assert_eq!(e.code(), "E0702");
    let e: Error = Policy::builder()
        .compile_source("x.gate", "gate x {}\nrule r { require nope }")
        .unwrap_err();
    assert_eq!(e.code(), "E0001");
}

#[test]
fn policies_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Evidence>();
    assert_send_sync::<Decision>();
}

/// `Options` built once at start-up serve every later decision: the
/// deadline counts from the start of each evaluation.
#[test]
fn options_built_once_outlive_their_deadline() {
    let policy = Policy::from_source(
        "g.gate",
        "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n",
    )
    .unwrap();
    let evidence = Evidence::from_json_str("e.json", r#"{"ok": true}"#).unwrap();
    let options = Options::default()
        .limits(Limits::default().deadline(std::time::Duration::from_millis(100)));
    assert!(policy.evaluate(&evidence, &options).permits());
    std::thread::sleep(std::time::Duration::from_millis(250));
    let d = policy.evaluate(&evidence, &options);
    assert!(d.permits(), "{}", d.to_json());
}

/// Every code of `gate_eval::Code` is in the table of `docs/errors.md`.
#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string("../docs/errors.md").unwrap();
    for code in gate_eval::Code::all() {
        assert!(
            doc.contains(&format!("| {code} |")),
            "{code} ({code:?}) is not in docs/errors.md"
        );
    }
}
