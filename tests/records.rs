//! Evidence formats, decision records, signing, waivers, redaction, limits
//! and the embedding API.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, Format, HostType, HostValue, Options, Policy, RuleOutcome};
use gate_tests::gate;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-05-04T09:00:00Z";

fn tmp(name: &str) -> PathBuf {
    gate_tests::scratch("records", name)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const GATE: &str = r#"gate release { title "Release" }
enum Role { security, owner, ops }
enum State { approved, pending }
record Approval { role: Role, state: State, approver: string, key role when state == approved }
record Secret { name: string, vaulted: bool, store: string, secret_value: string?, key name }
evidence { secrets: [Secret], approvals: [Approval], pager_enabled: bool? }
rule secrets-vaulted "Secrets vaulted" {
  require secrets.all(vaulted) else "secret {name} ({secret_value ?? \"none\"}) is not vaulted"
}
rule approvals "Approvals given" {
  require approvals.includes(security, owner, ops)
}
"#;

const EVIDENCE_JSON: &str = r#"{
  "secrets": [
    {"name": "STRIPE_API_KEY", "vaulted": false, "store": "source_code", "secret_value": "sk_live_51Hvery_secret"},
    {"name": "DB_PASSWORD", "vaulted": true, "store": "vault", "secret_value": "hunter2"}
  ],
  "approvals": [
    {"role": "security", "state": "approved", "approver": "u-1"},
    {"role": "owner", "state": "approved", "approver": "u-2"},
    {"role": "ops", "state": "approved", "approver": "u-3"}
  ]
}"#;

const EVIDENCE_YAML: &str = r#"secrets:
  - name: STRIPE_API_KEY
    vaulted: false
    store: source_code
    secret_value: sk_live_51Hvery_secret
  - name: DB_PASSWORD
    vaulted: true
    store: vault
    secret_value: hunter2
approvals:
  - {role: security, state: approved, approver: u-1}
  - {role: owner, state: approved, approver: u-2}
  - {role: ops, state: approved, approver: u-3}
"#;

const EVIDENCE_TOML: &str = r#"[[secrets]]
name = "STRIPE_API_KEY"
vaulted = false
store = "source_code"
secret_value = "sk_live_51Hvery_secret"

[[secrets]]
name = "DB_PASSWORD"
vaulted = true
store = "vault"
secret_value = "hunter2"

[[approvals]]
role = "security"
state = "approved"
approver = "u-1"

[[approvals]]
role = "owner"
state = "approved"
approver = "u-2"

[[approvals]]
role = "ops"
state = "approved"
approver = "u-3"
"#;

fn record(args: &[&str]) -> (i32, Value, String) {
    let run = gate(args, "");
    let v = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, v, run.stderr)
}

#[test]
fn every_format_gives_the_same_decision() {
    let dir = tmp("formats");
    let g = write(&dir, "release.gate", GATE);
    let mut rules = Vec::new();
    for (name, text) in [
        ("e.json", EVIDENCE_JSON),
        ("e.yaml", EVIDENCE_YAML),
        ("e.toml", EVIDENCE_TOML),
    ] {
        let e = write(&dir, name, text);
        let (code, rec, err) = record(&["check", &g, "-e", &e, "--format", "json", "--now", NOW]);
        assert_eq!(code, 1, "{name}: {err}");
        rules.push(rec["rules"].clone());
        assert_eq!(
            rec["evidence"][0]["format"],
            name.rsplit('.').next().unwrap()
        );
    }
    assert_eq!(rules[0], rules[1]);
    assert_eq!(rules[0], rules[2]);
}

#[test]
fn documents_merge_under_names_and_conflicts_name_both() {
    let dir = tmp("merge");
    let g = write(&dir, "release.gate", GATE);
    let secrets = write(
        &dir,
        "vault-export.json",
        &serde_json::to_string(&json!([
            {"name": "A", "vaulted": true, "store": "vault"}
        ]))
        .unwrap(),
    );
    let approvals = write(&dir, "reviews.yaml", "- {role: security, state: approved, approver: u-1}\n- {role: owner, state: approved, approver: u-2}\n- {role: ops, state: pending, approver: u-3}\n");
    let (code, rec, err) = record(&[
        "check",
        &g,
        "--evidence",
        &format!("secrets={secrets}"),
        "--evidence",
        &format!("approvals={approvals}"),
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rec["rules"][0]["outcome"], "pass");
    assert_eq!(rec["rules"][1]["outcome"], "fail");
    assert_eq!(rec["evidence"][0]["mount"], "secrets");
    assert_eq!(rec["evidence"][1]["mount"], "approvals");

    // The same key from two documents.
    let whole = write(&dir, "whole.json", EVIDENCE_JSON);
    let run = gate(
        &[
            "check",
            &g,
            "--evidence",
            &whole,
            "--evidence",
            &format!("secrets={secrets}"),
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0705"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&whole) && run.stderr.contains(&format!("secrets={secrets}")),
        "{}",
        run.stderr
    );
}

#[test]
fn duplicate_keys_and_yaml_hazards_are_errors() {
    let dir = tmp("hazards");
    let g = write(&dir, "release.gate", GATE);
    let dup = write(
        &dir,
        "dup.json",
        r#"{"secrets": [], "secrets": [], "approvals": []}"#,
    );
    let run = gate(&["check", &g, "-e", &dup], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("E0702") && run.stderr.contains("secrets"),
        "{}",
        run.stderr
    );
    let alias = write(
        &dir,
        "alias.yaml",
        "a: &x [1, 2]\nb: *x\nsecrets: []\napprovals: []\n",
    );
    let run = gate(&["check", &g, "-e", &alias], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("alias"), "{}", run.stderr);
    let dupy = write(
        &dir,
        "dup.yaml",
        "secrets: []\nsecrets: []\napprovals: []\n",
    );
    assert_eq!(gate(&["check", &g, "-e", &dupy], "").code, 2);
}

#[test]
fn norway_needs_the_schema_and_an_opt_in() {
    let dir = tmp("norway");
    let g = write(&dir, "release.gate", GATE);
    let e = write(
        &dir,
        "e.yaml",
        "secrets: []\napprovals: []\npager_enabled: no\n",
    );
    let (_, rec, _) = record(&["check", &g, "-e", &e, "--format", "json", "--now", NOW]);
    let issue = &rec["evidence_issues"][0];
    assert_eq!(issue["path"], "/pager_enabled");
    assert!(
        issue["found"]
            .as_str()
            .unwrap()
            .contains("YAML 1.1 boolean"),
        "{issue}"
    );
    let (_, rec, _) = record(&[
        "check",
        &g,
        "-e",
        &e,
        "--format",
        "json",
        "--now",
        NOW,
        "--yaml-bool-words",
    ]);
    assert_eq!(rec["evidence_issues"], json!([]));
}

#[test]
fn records_are_deterministic_apart_from_time() {
    let dir = tmp("determinism");
    let g = write(&dir, "release.gate", GATE);
    let e = write(&dir, "e.json", EVIDENCE_JSON);
    let a = gate(
        &["check", &g, "-e", &e, "--format", "json", "--now", NOW],
        "",
    )
    .stdout;
    let b = gate(
        &["check", &g, "-e", &e, "--format", "json", "--now", NOW],
        "",
    )
    .stdout;
    assert_eq!(a, b);
    let c = gate(
        &[
            "check",
            &g,
            "-e",
            &e,
            "--format",
            "json",
            "--now",
            "2026-05-05T09:00:00Z",
        ],
        "",
    )
    .stdout;
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("evaluated_at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&a), strip(&c));
    assert_ne!(a, c);
}

#[test]
fn sensitive_values_never_appear_in_any_output() {
    let dir = tmp("redaction");
    let g = write(&dir, "release.gate", GATE);
    let e = write(&dir, "e.json", EVIDENCE_JSON);
    let mut outputs = Vec::new();
    for format in ["human", "json"] {
        let run = gate(
            &[
                "check",
                &g,
                "-e",
                &e,
                "--format",
                format,
                "--verbose",
                "--now",
                NOW,
            ],
            "",
        );
        outputs.push(run.stdout + &run.stderr);
    }
    // A mistyped secret value is reported without its value.
    let bad = write(
        &dir,
        "bad.json",
        r#"{"secrets": [{"name": "X", "vaulted": true, "store": "s", "secret_value": 31337313373}], "approvals": []}"#,
    );
    let run = gate(
        &["check", &g, "-e", &bad, "--format", "json", "--now", NOW],
        "",
    );
    outputs.push(run.stdout.clone());
    for out in &outputs {
        assert!(!out.contains("sk_live_51Hvery_secret"), "{out}");
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains("31337313373"), "{out}");
    }
    assert!(outputs[0].contains("<redacted>"), "{}", outputs[0]);
    assert!(outputs[1].contains("<redacted>"), "{}", outputs[1]);
}

#[test]
fn signed_records_verify_and_tampering_is_caught() {
    let dir = tmp("signing");
    let g = write(&dir, "release.gate", GATE);
    let e = write(&dir, "e.json", EVIDENCE_JSON);
    let prefix = dir.join("k").display().to_string();
    assert_eq!(gate(&["keygen", "--out", &prefix], "").code, 0);
    let key = format!("{prefix}.key");
    let public = format!("{prefix}.pub");
    let rec = dir.join("record.dsse.json").display().to_string();
    let run = gate(
        &[
            "check", &g, "-e", &e, "--format", "json", "--sign", &key, "--record", &rec, "--now",
            NOW,
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);

    let verify = |record: &str, key: Option<&str>| {
        let mut args = vec!["verify-record", record, "--policy", &g, "--evidence", &e];
        if let Some(k) = key {
            args.extend(["--key", k]);
        }
        gate(&args, "")
    };
    let ok = verify(&rec, Some(&public));
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("record: verified"), "{}", ok.stdout);

    let envelope: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;

    // A tampered record: the outcome changed to pass, signature kept.
    let payload = b64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let tampered = String::from_utf8(payload).unwrap().replacen(
        "\"outcome\": \"fail\"",
        "\"outcome\": \"pass\"",
        1,
    );
    let mut env2 = envelope.clone();
    env2["payload"] = Value::String(b64.encode(tampered.as_bytes()));
    let p2 = write(&dir, "tampered-record.json", &env2.to_string());
    let r = verify(&p2, Some(&public));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("REJECTED"), "{}", r.stdout);

    // A tampered signature.
    let mut env3 = envelope.clone();
    let mut sig = b64
        .decode(env3["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    sig[0] ^= 1;
    env3["signatures"][0]["sig"] = Value::String(b64.encode(&sig));
    let p3 = write(&dir, "tampered-sig.json", &env3.to_string());
    assert_eq!(verify(&p3, Some(&public)).code, 1);

    // A stripped signature: an envelope with none, or the bare record.
    let mut env4 = envelope.clone();
    env4["signatures"] = json!([]);
    let p4 = write(&dir, "stripped.json", &env4.to_string());
    let r = verify(&p4, Some(&public));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("REJECTED"), "{}", r.stdout);
    let bare =
        String::from_utf8(b64.decode(envelope["payload"].as_str().unwrap()).unwrap()).unwrap();
    let p5 = write(&dir, "bare.json", &bare);
    assert_eq!(
        verify(&p5, Some(&public)).code,
        1,
        "an unsigned record is rejected when a key is expected"
    );
    // A signed record without a key is not accepted as unsigned.
    assert_eq!(verify(&rec, None).code, 2);

    // A valid signed FAIL envelope with a forged top-level outcome beside
    // it (`jq .outcome` would read pass): refused, whatever the field.
    for (field, value) in [
        ("outcome", json!("pass")),
        ("record", json!({})),
        ("x", json!(1)),
    ] {
        let mut forged = envelope.clone();
        forged[field] = value;
        let p = write(&dir, &format!("forged-{field}.json"), &forged.to_string());
        let r = verify(&p, Some(&public));
        assert_eq!(r.code, 1, "{field}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("REJECTED") && r.stdout.contains(&format!("`{field}`")),
            "{}",
            r.stdout
        );
        assert!(!r.stdout.contains("record: verified"), "{}", r.stdout);
    }
    // The same inside a signature.
    let mut forged = envelope.clone();
    forged["signatures"][0]["outcome"] = json!("pass");
    let p = write(&dir, "forged-signature-field.json", &forged.to_string());
    let r = verify(&p, Some(&public));
    assert_eq!(r.code, 1, "{}", r.stdout);
    // Duplicate keys in the envelope, and in the signed record itself.
    let text = envelope.to_string();
    let duplicated = text.replacen('{', "{\"payloadType\":\"x\",", 1);
    let p = write(&dir, "duplicate-envelope.json", &duplicated);
    let r = verify(&p, Some(&public));
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("duplicate key"), "{}", r.stderr);
    let signing = std::fs::read_to_string(&key).unwrap();
    let signing = gate_eval::sign::signing_key_from_pem(&signing).unwrap();
    let payload =
        String::from_utf8(b64.decode(envelope["payload"].as_str().unwrap()).unwrap()).unwrap();
    let doubled = payload.replacen('{', "{\n  \"outcome\": \"pass\",", 1);
    let resigned =
        gate_eval::sign::sign(doubled.as_bytes(), gate_eval::sign::PAYLOAD_TYPE, &signing);
    let p = write(
        &dir,
        "duplicate-payload.json",
        &serde_json::to_string(&resigned).unwrap(),
    );
    let r = verify(&p, Some(&public));
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("duplicate key"), "{}", r.stderr);
    // What was verified is printed: the signer, the policy and evidence
    // digests and the outcome.
    let digest = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).unwrap().to_string();
    let record: Value = serde_json::from_str(&payload).unwrap();
    let summary = ok.stdout.lines().last().unwrap_or("").to_string();
    for part in [
        digest(&record, "/policy/digest"),
        digest(&record, "/evidence/0/digest"),
        "outcome fail".to_string(),
        gate_eval::sign::key_id(&signing.verifying_key()),
    ] {
        assert!(summary.contains(&part), "{part} in {summary}");
    }

    // The bare record verifies as unsigned when no key is asked for...
    assert_eq!(verify(&p5, None).code, 0);
    // ...but not against changed evidence.
    let e2 = write(
        &dir,
        "e2.json",
        &EVIDENCE_JSON.replace("\"vaulted\": false", "\"vaulted\": true"),
    );
    let r = gate(
        &["verify-record", &p5, "--policy", &g, "--evidence", &e2],
        "",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("DIFFERS") && r.stdout.contains("/outcome"),
        "{}",
        r.stdout
    );
}

#[test]
fn waivers_cover_elements_expire_and_warn_when_unmatched() {
    let dir = tmp("waivers");
    let g = write(&dir, "release.gate", GATE);
    let e = write(&dir, "e.json", EVIDENCE_JSON);
    let waivers = write(
        &dir,
        "waivers.yaml",
        "waivers:\n  - rule: secrets-vaulted\n    element: STRIPE_API_KEY\n    approved_by: u-20011\n    ticket: SEC-4521\n    reason: moving to Vault\n    expires: 2026-06-30T00:00:00Z\n  - rule: approvals\n    approved_by: u-1\n    ticket: SEC-1\n    reason: nothing to waive\n    expires: 2026-06-30T00:00:00Z\n",
    );
    let (code, rec, err) = record(&[
        "check",
        &g,
        "-e",
        &e,
        "--waivers",
        &waivers,
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rec["outcome"], "warn");
    assert_eq!(rec["rules"][0]["outcome"], "waived");
    // Waivers are numbered in one canonical order (by rule first), whatever
    // order the file gives them in.
    assert_eq!(rec["waivers"][0]["rule"], "approvals");
    assert_eq!(rec["waivers"][0]["status"], "unmatched");
    assert_eq!(rec["waivers"][1]["rule"], "secrets-vaulted");
    assert_eq!(rec["waivers"][1]["status"], "applied");
    assert_eq!(rec["rules"][0]["failures"][0]["waived_by"], 1);
    assert!(rec["warnings"][0]
        .as_str()
        .unwrap()
        .contains("matched no failure"));

    // Expired: the waiver covers nothing and fails its rule.
    let (code, rec, _) = record(&[
        "check",
        &g,
        "-e",
        &e,
        "--waivers",
        &waivers,
        "--format",
        "json",
        "--now",
        "2026-07-01T00:00:00Z",
    ]);
    assert_eq!(code, 1);
    assert_eq!(rec["rules"][0]["outcome"], "fail");
    assert_eq!(rec["waivers"][0]["status"], "expired");
    assert!(rec["rules"][0]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("expired")));

    // A waiver of another element does not cover this one.
    let other = write(&dir, "other.yaml", "waivers:\n  - rule: secrets-vaulted\n    element: DB_PASSWORD\n    approved_by: u\n    ticket: T\n    reason: r\n    expires: 2026-06-30T00:00:00Z\n");
    let (code, rec, _) = record(&[
        "check",
        &g,
        "-e",
        &e,
        "--waivers",
        &other,
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(code, 1);
    assert_eq!(rec["rules"][0]["outcome"], "fail");

    // An unknown rule or element is an error.
    let unknown = write(&dir, "unknown.yaml", "waivers:\n  - rule: secrets-vaultd\n    approved_by: u\n    ticket: T\n    reason: r\n    expires: 2026-06-30T00:00:00Z\n");
    let run = gate(&["check", &g, "-e", &e, "--waivers", &unknown], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("E0802") && run.stderr.contains("secrets-vaulted"),
        "{}",
        run.stderr
    );
    let missing = write(&dir, "missing.yaml", "waivers:\n  - rule: secrets-vaulted\n    element: /secrets/7\n    approved_by: u\n    ticket: T\n    reason: r\n    expires: 2026-06-30T00:00:00Z\n");
    let run = gate(&["check", &g, "-e", &e, "--waivers", &missing], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0803"), "{}", run.stderr);
}

#[test]
fn waivers_in_the_policy() {
    let src = format!(
        "{GATE}\nwaive secrets-vaulted {{\n  element \"/secrets/0\"\n  approved_by \"u-20011\"\n  ticket \"SEC-9\"\n  reason \"rotation in progress\"\n  expires 2026-06-30T00:00:00Z\n}}\n"
    );
    let policy = Policy::from_source("w.gate", &src).unwrap();
    let evidence = Evidence::from_json_str("e.json", EVIDENCE_JSON).unwrap();
    let d = policy.evaluate(&evidence, &Options::default().at(NOW.parse().unwrap()));
    assert_eq!(
        d.rule("secrets-vaulted").unwrap().outcome,
        RuleOutcome::Waived
    );
    assert_eq!(d.waivers[0].source, "policy");
}

#[test]
fn limits_are_errors_not_hangs_or_passes() {
    // An evidence document nested deeper than the limit.
    let dir = tmp("limits");
    let g = write(&dir, "release.gate", GATE);
    let deep = format!(
        "{{\"secrets\": [], \"approvals\": [], \"x\": {}1{}}}",
        "[".repeat(10),
        "]".repeat(10)
    );
    let e = write(&dir, "deep.json", &deep);
    let run = gate(&["check", &g, "-e", &e, "--max-evidence-depth", "10"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0704"), "{}", run.stderr);
    assert_eq!(
        gate(
            &[
                "check",
                &g,
                "-e",
                &e,
                "--max-evidence-depth",
                "12",
                "--now",
                NOW
            ],
            ""
        )
        .code,
        1
    );

    // A step budget breach.
    let e = write(&dir, "e.json", EVIDENCE_JSON);
    let (code, rec, _) = record(&[
        "check",
        &g,
        "-e",
        &e,
        "--max-steps",
        "5",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(code, 2);
    assert_eq!(rec["rules"][0]["errors"][0]["code"], "E0606");
}

#[test]
fn host_functions_are_typed_and_fail_closed() {
    let policy = Policy::builder()
        .host_function("approved_vendor", &[HostType::String], HostType::Bool, |args| match args {
            [HostValue::String(v)] if v == "broken" => Err("the vendor registry is unreachable".into()),
            [HostValue::String(v)] => Ok(HostValue::Bool(v.starts_with("acme"))),
            _ => Err("expected one string".into()),
        })
        .compile_source(
            "v.gate",
            "gate vendors {}\nevidence { vendors: [string] }\nrule approved { require vendors.all(v => approved_vendor(v)) }",
        )
        .unwrap();
    let eval =
        |v: Value| policy.evaluate(&Evidence::from_value("e", v).unwrap(), &Options::default());
    assert_eq!(
        eval(json!({"vendors": ["acme-pay"]})).outcome.as_str(),
        "pass"
    );
    assert_eq!(eval(json!({"vendors": ["evil"]})).outcome.as_str(), "fail");
    let d = eval(json!({"vendors": ["acme-pay", "broken"]}));
    assert_eq!(d.outcome.as_str(), "error");
    assert_eq!(d.rules[0].errors[0].code, "E0608");
    assert!(d.rules[0].errors[0].message.contains("unreachable"));

    // The checker knows the signature.
    let bad = Policy::builder()
        .host_function(
            "approved_vendor",
            &[HostType::String],
            HostType::Bool,
            |_| Ok(HostValue::Bool(true)),
        )
        .compile_source(
            "v.gate",
            "gate v {}\nevidence { n: int }\nrule r { require approved_vendor(n) }",
        );
    assert!(matches!(bad, Err(gate_eval::Error::Policy(_))));
}

#[test]
fn one_policy_from_eight_threads() {
    let policy = Policy::from_file(Path::new("../examples/release.gate")).unwrap();
    let docs: Vec<Value> = [
        "01-release-clean-pass.json",
        "02-release-secret-leaked-in-code.json",
        "05-release-missing-ops-approval.json",
        "11-release-missing-evidence-sections.json",
    ]
    .iter()
    .map(|n| {
        serde_json::from_str(&std::fs::read_to_string(Path::new("fixtures").join(n)).unwrap())
            .unwrap()
    })
    .collect();
    let now = gate_lang::time::parse_timestamp(NOW).unwrap();
    let decide = move |p: &Policy, v: &Value| {
        let e = Evidence::from_value("e", v.clone()).unwrap();
        p.evaluate(&e, &Options::default().at(gate_eval::time::timestamp(now)))
            .to_json()
    };
    let expected: Vec<String> = docs.iter().map(|d| decide(&policy, d)).collect();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let p = policy.clone();
            let docs = docs.clone();
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| (i + t) % docs.len())
                    .map(|i| (i, decide(&p, &docs[i])))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        for (i, got) in h.join().unwrap() {
            assert_eq!(got, expected[i]);
        }
    }
}

#[test]
fn evidence_from_rust_values() {
    #[derive(serde::Serialize)]
    struct Secret {
        name: String,
        vaulted: bool,
        store: String,
    }
    #[derive(serde::Serialize)]
    struct Release {
        secrets: Vec<Secret>,
        approvals: Vec<Value>,
    }
    let policy = Policy::from_source("r.gate", GATE).unwrap();
    let e = Evidence::from_serialize(
        "deploy-bot",
        &Release {
            secrets: vec![Secret {
                name: "A".into(),
                vaulted: true,
                store: "vault".into(),
            }],
            approvals: vec![],
        },
    )
    .unwrap();
    let d = policy.evaluate(&e, &Options::default());
    assert_eq!(d.rules[0].outcome, RuleOutcome::Pass);
    assert_eq!(d.evidence[0].format, "value");
    let _ = Format::Json;
}

#[test]
fn records_match_their_json_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("../docs/decision-record.schema.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for out in gate_tests::files(Path::new("corpus/eval"), "out") {
        let text = std::fs::read_to_string(&out).unwrap();
        let Some(json) = text.split("--- stdout\n").nth(1) else {
            continue;
        };
        let json = json.split("--- stderr\n").next().unwrap();
        // The goldens name the engine's commit `<commit>`; a record names a
        // real one.
        let json = json.replace("<commit>", &"0123456789abcdef".repeat(3)[..40]);
        let record: Value = serde_json::from_str(&json).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&record)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", out.display());
        checked += 1;
    }
    assert!(checked > 40, "{checked}");
    // A signed-and-waived record validates too.
    let dir = tmp("schema");
    let g = write(&dir, "release.gate", GATE);
    let e = write(&dir, "e.json", EVIDENCE_JSON);
    let w = write(&dir, "w.yaml", "waivers:\n  - rule: secrets-vaulted\n    approved_by: u\n    ticket: T\n    reason: r\n    expires: 2026-06-30T00:00:00Z\n");
    let (_, rec, _) = record(&[
        "check",
        &g,
        "-e",
        &e,
        "--waivers",
        &w,
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert!(
        validator.is_valid(&rec),
        "{:?}",
        validator
            .iter_errors(&rec)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
}

/// A record made with waivers verifies from another folder: the waiver
/// file's name is compared by position, like the policy's and the
/// evidence's, not as the text the command was given.
#[test]
fn records_with_waivers_verify_from_another_folder() {
    let dir = tmp("waivers-elsewhere");
    let rec = dir.join("record.json").display().to_string();
    let run = gate(
        &[
            "check",
            "../examples/release.gate",
            "-e",
            "../examples/evidence/release-fail.json",
            "--waivers",
            "../examples/evidence/release-waivers.yaml",
            "--record",
            &rec,
            "--now",
            NOW,
        ],
        "",
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    assert!(!record["waivers"].as_array().unwrap().is_empty());
    // The same files, named from another folder.
    let here = std::env::current_dir().unwrap();
    let elsewhere = |p: &str| here.join(p).canonicalize().unwrap().display().to_string();
    let (g, e, w) = (
        elsewhere("../examples/release.gate"),
        elsewhere("../examples/evidence/release-fail.json"),
        elsewhere("../examples/evidence/release-waivers.yaml"),
    );
    let r = gate(
        &[
            "verify-record",
            &rec,
            "--policy",
            &g,
            "--evidence",
            &e,
            "--waivers",
            &w,
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("record: verified"), "{}", r.stdout);
}

/// A record names the policy's files relative to the gate's folder, so the
/// same gate gives the same record whether it was named relative to the
/// current folder or absolute; what people read names them as given.
#[test]
fn records_name_policy_files_relative_to_the_gate() {
    let here = std::env::current_dir().unwrap();
    let absolute = here
        .join("../examples/production-readiness.gate")
        .canonicalize()
        .unwrap()
        .display()
        .to_string();
    let evidence = "../examples/evidence/08-prodready-pilot-no-oncall-no-drill.json";
    let run = |gate_path: &str, format: &str| {
        gate(
            &[
                "check", gate_path, "-e", evidence, "--now", NOW, "-f", format,
            ],
            "",
        )
    };
    let relative = run("../examples/production-readiness.gate", "json");
    let from_root = run(&absolute, "json");
    let a: Value = serde_json::from_str(&relative.stdout).unwrap();
    let b: Value = serde_json::from_str(&from_root.stdout).unwrap();
    let names: Vec<&str> = a["policy"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["production-readiness.gate", "lib/evidence.gate"]);
    assert_eq!(a["policy"], b["policy"]);
    assert_eq!(a["rules"], b["rules"]);
    let files: std::collections::BTreeSet<&str> = a["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["span"]["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.contains("..") && !f.starts_with('/')),
        "{files:?}"
    );
    // People and tools are pointed at the file as it was given.
    let human = run(&absolute, "human").stdout;
    assert!(human.contains(&format!("{absolute}:")), "{human}");
    let github = run("../examples/production-readiness.gate", "github").stdout;
    assert!(
        github.contains("file=../examples/production-readiness.gate,"),
        "{github}"
    );
}

/// Records read back: every decision the fixtures give, with failures,
/// errors, notes, waivers and evidence issues, is read back equal by
/// `Decision::from_json`; the committed example records too. A record with
/// anything added, or a field of the wrong type, is refused.
#[test]
fn records_read_back_strictly() {
    let policy = Policy::from_file(Path::new("../examples/release.gate")).unwrap();
    let mut read = 0;
    for entry in std::fs::read_dir("fixtures").unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let Ok(evidence) = Evidence::from_json_str(
            &path.display().to_string(),
            &std::fs::read_to_string(&path).unwrap(),
        ) else {
            continue;
        };
        let d = policy.evaluate(&evidence, &Options::default().at(NOW.parse().unwrap()));
        let back = gate_eval::Decision::from_json(d.to_json().as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back, d, "{}", path.display());
        read += 1;
    }
    assert!(read >= 10, "{read} fixtures");
    for entry in std::fs::read_dir("../examples/records").unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        if text.contains("\"payloadType\"") {
            continue;
        }
        let d = gate_eval::Decision::from_json(text.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
        assert_eq!(d.to_json(), text, "{}", entry.path().display());
    }
    let text = std::fs::read_to_string("../examples/records/quickstart-pass.json").unwrap();
    for forged in [
        text.replacen("\"outcome\": \"pass\"", "\"outcome\": \"passed\"", 1),
        text.replacen('{', "{\"approved\": true,", 1),
        text.replacen("\"counts\": {", "\"counts\": {\"extra\": 1,", 1),
        text.replacen(
            "\"record_version\": \"gate-decision/v1\"",
            "\"record_version\": \"v0\"",
            1,
        ),
    ] {
        assert_ne!(forged, text);
        assert!(
            gate_eval::Decision::from_json(forged.as_bytes()).is_err(),
            "{forged}"
        );
    }
}
