//! Signed attestations as evidence, verified offline: real Sigstore bundles
//! made by other tools (tests/attestations/README.md), tampered copies of
//! them, and DSSE envelopes signed with configured keys.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use gate_tests::{gate, reference_python, run_tool};
use serde_json::Value;
use std::path::{Path, PathBuf};

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB: &str = "https://token.actions.githubusercontent.com";
const A_TXT: &str = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
const HELLO: &str = "sha256:2892146b063a94cb4a4318c0e98d38af12dcf2b1e29237486b58463b59607bbd";
const AA_BUILDER: &str =
    "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
const GENERIC_MAIN: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/heads/main";

fn here(rel: &str) -> String {
    std::fs::canonicalize(rel).unwrap().display().to_string()
}

fn dir(name: &str) -> PathBuf {
    gate_tests::scratch("attestations", name)
}

/// A gate requiring SLSA provenance for `digest` from `builders`, in three
/// requires so that each failure says which part did not hold.
fn provenance_gate(dir: &Path, digest: &str, builders: &[&str]) -> String {
    let list: Vec<String> = builders.iter().map(|b| format!("\"{b}\"")).collect();
    let text = format!(
        r#"gate attested {{ title "Attested" }}
import std.attest
evidence {{ provenance: [attest.Provenance] }}
let DIGEST = "{digest}"
let BUILDERS = [{}]
rule provenance "Provenance from a trusted builder for exactly this artefact" {{
  require provenance.any(p => attest.provenance_about(p, DIGEST))
    else "no verified attestation is about {{DIGEST}}"
  require provenance.filter(p => attest.provenance_about(p, DIGEST)).any(p => attest.is_slsa_provenance(p))
    else "no attestation about {{DIGEST}} is SLSA provenance"
  require provenance.filter(p => attest.provenance_about(p, DIGEST)).any(p => attest.built_by(p, BUILDERS))
    else "the provenance of {{DIGEST}} is not from a trusted builder"
}}
"#,
        list.join(", ")
    );
    let path = dir.join("attested.gate");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A trust configuration with one keyless signer.
fn keyless_trust(dir: &Path, root: &str, identity: &str) -> String {
    let text = format!(
        "sigstore:\n  - name: signer\n    trusted_root: {}\n    {identity}\n    issuer: {GITHUB}\n",
        here(root)
    );
    let path = dir.join("trust.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn check(gate_file: &str, trust: &str, evidence: &str) -> (i32, Value) {
    let spec = format!("provenance={evidence}");
    let run = gate(
        &[
            "check", gate_file, "--trust", trust, "-e", &spec, "--format", "json",
        ],
        "",
    );
    let record: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.transcript()));
    (run.code, record)
}

fn rule_messages(record: &Value) -> String {
    record["rules"][0].to_string()
}

#[test]
fn a_real_keyless_bundle_is_verified_and_recorded() {
    let d = dir("keyless");
    let g = provenance_gate(&d, A_TXT, &[AA_BUILDER]);
    let t = keyless_trust(
        &d,
        "attestations/sigstore-public-good.trusted_root.json",
        &format!("identity: {BEACON}"),
    );
    let bundle = "attestations/sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json";
    let (code, record) = check(&g, &t, bundle);
    assert_eq!(record["outcome"], "pass", "{record:#}");
    assert_eq!(code, 0);
    let att = &record["evidence"][0]["attestations"][0];
    assert_eq!(record["evidence"][0]["format"], "attestation");
    assert_eq!(att["verified"], true);
    assert_eq!(att["predicate_type"], "https://slsa.dev/provenance/v1");
    assert_eq!(att["subjects"][0]["name"], "a.txt");
    assert_eq!(att["signer"]["kind"], "sigstore");
    assert_eq!(att["signer"]["identity"], BEACON);
    assert_eq!(att["signer"]["issuer"], GITHUB);
    assert!(att["signer"]["signed_at"]
        .as_str()
        .unwrap()
        .starts_with("20"));
    let bytes = std::fs::read(bundle).unwrap();
    assert_eq!(att["digest"], gate_eval::sha256_hex(&bytes));
}

#[test]
fn an_identity_pattern_must_match_the_whole_identity() {
    let d = dir("pattern");
    let g = provenance_gate(&d, A_TXT, &[AA_BUILDER]);
    let bundle = "attestations/sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json";
    let root = "attestations/sigstore-public-good.trusted_root.json";
    let t = keyless_trust(
        &d,
        root,
        r"identity_pattern: 'https://github\.com/sigstore-conformance/.*'",
    );
    assert_eq!(check(&g, &t, bundle).1["outcome"], "pass");
    // Found inside the identity, but not the whole of it: refused.
    let t = keyless_trust(&d, root, r"identity_pattern: 'sigstore-conformance'");
    let (code, record) = check(&g, &t, bundle);
    assert_eq!((code, record["outcome"].as_str()), (2, Some("error")));
    assert!(
        rule_messages(&record).contains("identity mismatch"),
        "{record:#}"
    );
}

#[test]
fn another_identity_or_issuer_is_not_trusted() {
    let d = dir("identity");
    let g = provenance_gate(&d, A_TXT, &[AA_BUILDER]);
    let bundle = "attestations/sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json";
    let root = "attestations/sigstore-public-good.trusted_root.json";
    let other = BEACON.replace("refs/heads/main", "refs/heads/attacker");
    let t = keyless_trust(&d, root, &format!("identity: {other}"));
    let (code, record) = check(&g, &t, bundle);
    assert_eq!(code, 2);
    let rule = rule_messages(&record);
    assert!(rule.contains("E0617"), "{rule}");
    assert!(rule.contains("identity mismatch"), "{rule}");
    assert!(rule.contains("/provenance/0"), "{rule}");
    let att = &record["evidence"][0]["attestations"][0];
    assert_eq!(att["verified"], false);
    assert!(att["reason"]
        .as_str()
        .unwrap()
        .contains("identity mismatch"));
    assert!(att.get("signer").is_none());

    let t = keyless_trust(&d, root, &format!("identity: {BEACON}"));
    let text = std::fs::read_to_string(&t)
        .unwrap()
        .replace(GITHUB, "https://accounts.google.com");
    std::fs::write(&t, text).unwrap();
    let (code, record) = check(&g, &t, bundle);
    assert_eq!(code, 2);
    assert!(rule_messages(&record).contains("issuer"), "{record:#}");
}

#[test]
fn bundles_that_fail_verification_are_never_evidence() {
    let d = dir("fail");
    let root = "attestations/sigstore-public-good.trusted_root.json";
    for (bundle, own_root, why) in [
        (
            "sigstore-conformance/dsse-invalid-sig_fail.sigstore.json",
            None,
            "signature",
        ),
        (
            "sigstore-conformance/dsse-mismatch-envelope_fail.sigstore.json",
            None,
            "mismatch",
        ),
        (
            "sigstore-conformance/intoto-expired-certificate_fail.sigstore.json",
            Some("sigstore-conformance/intoto-expired-certificate_fail.trusted_root.json"),
            "certificate",
        ),
        (
            "slsa-verifier/mismatch-tlog.intoto.sigstore",
            None,
            "certificate",
        ),
        (
            "slsa-verifier/invalid-dsse-sig.intoto.sigstore",
            None,
            "base64",
        ),
    ] {
        let g = provenance_gate(&d, A_TXT, &[AA_BUILDER]);
        let r = own_root
            .map(|r| format!("attestations/{r}"))
            .unwrap_or(root.to_string());
        let t = keyless_trust(&d, &r, r"identity_pattern: '.*'");
        let (code, record) = check(&g, &t, &format!("attestations/{bundle}"));
        assert_eq!(
            (code, record["outcome"].as_str()),
            (2, Some("error")),
            "{bundle}: {record:#}"
        );
        let att = &record["evidence"][0]["attestations"][0];
        assert_eq!(att["verified"], false, "{bundle}");
        let reason = att["reason"].as_str().unwrap();
        assert!(reason.contains(why), "{bundle}: {reason}");
        assert!(
            rule_messages(&record).contains("failed verification"),
            "{bundle}"
        );
    }
}

#[test]
fn a_rekor_v2_bundle_verifies_with_its_own_trusted_root() {
    let d = dir("rekor2");
    let g = provenance_gate(&d, A_TXT, &[AA_BUILDER]);
    let t = keyless_trust(
        &d,
        "attestations/sigstore-conformance/rekor2-dsse-happy-path.trusted_root.json",
        r"identity_pattern: 'https://github\.com/sigstore-conformance/.*'",
    );
    let bundle = "attestations/sigstore-conformance/rekor2-dsse-happy-path.sigstore.json";
    let (_, record) = check(&g, &t, bundle);
    assert_eq!(
        record["evidence"][0]["attestations"][0]["verified"], true,
        "{record:#}"
    );
    // The public-good root did not sign it.
    let t = keyless_trust(
        &d,
        "attestations/sigstore-public-good.trusted_root.json",
        r"identity_pattern: '.*'",
    );
    assert_eq!(check(&g, &t, bundle).1["outcome"], "error");
}

#[test]
fn slsa_github_generator_provenance_is_read_by_std_attest() {
    let d = dir("slsa");
    let root = "attestations/sigstore-public-good.trusted_root.json";
    let t = keyless_trust(
        &d,
        root,
        r"identity_pattern: 'https://github\.com/slsa-framework/slsa-github-generator/\.github/workflows/.*'",
    );
    let bundle = "attestations/slsa-verifier/valid-v0.3.intoto.sigstore";
    let g = provenance_gate(&d, HELLO, &[GENERIC_MAIN]);
    let (code, record) = check(&g, &t, bundle);
    assert_eq!(
        (code, record["outcome"].as_str()),
        (0, Some("pass")),
        "{record:#}"
    );
    assert_eq!(
        record["evidence"][0]["attestations"][0]["predicate_type"],
        "https://slsa.dev/provenance/v0.2"
    );
    // Another artefact: the subject does not hold, and the failure says so.
    let g = provenance_gate(&d, A_TXT, &[GENERIC_MAIN]);
    let (code, record) = check(&g, &t, bundle);
    assert_eq!(code, 1);
    assert!(
        rule_messages(&record).contains("no verified attestation is about"),
        "{record:#}"
    );
    // Another builder: the predicate does not hold.
    let g = provenance_gate(
        &d,
        HELLO,
        &[&GENERIC_MAIN.replace("heads/main", "tags/v2.0.0")],
    );
    let (code, record) = check(&g, &t, bundle);
    assert_eq!(code, 1);
    assert!(
        rule_messages(&record).contains("not from a trusted builder"),
        "{record:#}"
    );
    // Signed by a workflow of another repository: not trusted at all.
    let other = "attestations/slsa-verifier/attestation.intoto.sigstore";
    assert_eq!(check(&g, &t, other).1["outcome"], "error");
}

/// Base64 of a bundle's DSSE payload, changed by `change`.
fn tamper_payload(bundle: &Value, change: impl Fn(&mut Value)) -> Value {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut bundle = bundle.clone();
    let payload = engine
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let mut statement: Value = serde_json::from_slice(&payload).unwrap();
    change(&mut statement);
    let text = serde_json::to_vec(&statement).unwrap();
    bundle["dsseEnvelope"]["payload"] = Value::String(engine.encode(text));
    bundle
}

#[test]
fn tampered_copies_of_a_real_bundle_are_refused() {
    let d = dir("tamper");
    let root = "attestations/sigstore-public-good.trusted_root.json";
    let t = keyless_trust(&d, root, &format!("identity: {BEACON}"));
    let g = provenance_gate(&d, A_TXT, &[AA_BUILDER]);
    let original: Value = serde_json::from_str(
        &std::fs::read_to_string(
            "attestations/sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json",
        )
        .unwrap(),
    )
    .unwrap();
    let mut signature = original.clone();
    let sig = signature["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = if sig.starts_with('M') { "N" } else { "M" };
    signature["dsseEnvelope"]["signatures"][0]["sig"] =
        Value::String(format!("{flipped}{}", &sig[1..]));
    let subject = tamper_payload(&original, |s| {
        s["subject"][0]["digest"]["sha256"] = Value::String("00".repeat(32));
    });
    let predicate = tamper_payload(&original, |s| {
        s["predicate"]["runDetails"]["builder"]["id"] =
            Value::String("https://evil.example".into());
    });
    for (name, bundle) in [
        ("signature", signature),
        ("subject", subject),
        ("predicate", predicate),
    ] {
        let path = d.join(format!("{name}.sigstore.json"));
        std::fs::write(&path, serde_json::to_string(&bundle).unwrap()).unwrap();
        let (code, record) = check(&g, &t, &path.display().to_string());
        assert_eq!(code, 2, "{name}: {record:#}");
        let att = &record["evidence"][0]["attestations"][0];
        assert_eq!(att["verified"], false, "{name}");
        assert!(
            att.get("subjects").is_none(),
            "{name}: nothing of it is recorded as fact"
        );
    }
}

#[test]
fn attestations_need_a_trust_configuration_and_a_name() {
    let d = dir("refused");
    let g = provenance_gate(&d, A_TXT, &["x"]);
    let bundle = "attestations/sigstore-conformance/happy-path-intoto-in-dsse-v3.sigstore.json";
    let spec = format!("provenance={bundle}");
    let run = gate(&["check", &g, "-e", &spec], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("E0712") && run.stderr.contains("--trust"),
        "{}",
        run.transcript()
    );
    let t = keyless_trust(
        &d,
        "attestations/sigstore-public-good.trusted_root.json",
        "identity: x",
    );
    let run = gate(&["check", &g, "--trust", &t, "-e", bundle], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("mounted under a name"),
        "{}",
        run.transcript()
    );
    // A trust configuration that trusts nothing, or names a missing file.
    std::fs::write(d.join("empty.yaml"), "keys: []\n").unwrap();
    let run = gate(
        &[
            "check",
            &g,
            "--trust",
            &d.join("empty.yaml").display().to_string(),
            "-e",
            &spec,
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("E0904") && run.stderr.contains("trusts nothing"),
        "{}",
        run.transcript()
    );
    std::fs::write(
        d.join("missing.yaml"),
        "keys:\n  - name: k\n    file: nope.pub\n",
    )
    .unwrap();
    let run = gate(
        &[
            "check",
            &g,
            "--trust",
            &d.join("missing.yaml").display().to_string(),
            "-e",
            &spec,
        ],
        "",
    );
    assert!(run.stderr.contains("nope.pub"), "{}", run.transcript());
}

/// A DSSE envelope of `statement` signed with gate's ed25519 signer.
fn signed(statement: &Value, key: &gate_eval::sign::SigningKey) -> String {
    let payload = serde_json::to_vec(statement).unwrap();
    let envelope = gate_eval::sign::sign(&payload, "application/vnd.in-toto+json", key);
    serde_json::to_string(&envelope).unwrap()
}

#[test]
fn dsse_envelopes_are_verified_with_configured_keys() {
    let d = dir("keys");
    let (private, public) = gate_eval::sign::generate_pem_pair().unwrap();
    let (other_private, _) = gate_eval::sign::generate_pem_pair().unwrap();
    let key = gate_eval::sign::signing_key_from_pem(&private).unwrap();
    let other = gate_eval::sign::signing_key_from_pem(&other_private).unwrap();
    std::fs::write(d.join("builder.pub"), &public).unwrap();
    std::fs::write(
        d.join("trust.yaml"),
        "keys:\n  - name: builder\n    file: builder.pub\n",
    )
    .unwrap();
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar", "digest": {"sha256": &A_TXT[7..]}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {"buildType": "https://example.com/build/v1"},
            "runDetails": {"builder": {"id": "https://ci.example.com/builder"}}
        }
    });
    // JSON Lines: a good envelope, then one signed by an untrusted key.
    let good = signed(&statement, &key);
    let bad = signed(&statement, &other);
    std::fs::write(d.join("one.intoto.jsonl"), format!("{good}\n")).unwrap();
    std::fs::write(d.join("two.intoto.jsonl"), format!("{good}\n\n{bad}\n")).unwrap();
    let g = provenance_gate(&d, A_TXT, &["https://ci.example.com/builder"]);
    let t = d.join("trust.yaml").display().to_string();
    let (code, record) = check(&g, &t, &d.join("one.intoto.jsonl").display().to_string());
    assert_eq!(code, 0, "{record:#}");
    let signer = &record["evidence"][0]["attestations"][0]["signer"];
    assert_eq!(signer["kind"], "key");
    assert_eq!(signer["name"], "builder");
    assert!(signer["keyid"].as_str().unwrap().starts_with("sha256:"));
    // One bad envelope in the list: the rule reading the list is an error.
    let (code, record) = check(&g, &t, &d.join("two.intoto.jsonl").display().to_string());
    assert_eq!(code, 2, "{record:#}");
    let atts = &record["evidence"][0]["attestations"];
    assert_eq!(
        (atts[0]["verified"].clone(), atts[1]["verified"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    assert_eq!(atts[1]["index"], 1);
    assert!(
        rule_messages(&record).contains("/provenance/1"),
        "{record:#}"
    );
    // A payload that is not a statement, though signed by the trusted key.
    let layout = serde_json::json!({"_type": "layout", "steps": []});
    std::fs::write(d.join("layout.dsse.json"), signed(&layout, &key)).unwrap();
    let (code, record) = check(&g, &t, &d.join("layout.dsse.json").display().to_string());
    assert_eq!(code, 2);
    let reason = record["evidence"][0]["attestations"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("not an in-toto Statement"), "{reason}");
}

fn reference_script() -> String {
    here("attestations/reference.py")
}

/// The record of `gate check` over one attestation file.
fn record_of(g: &str, trust: &Path, spec: &str, extra: &[&str]) -> (i32, Value) {
    let trust = trust.display().to_string();
    let mut args = vec![
        "check", g, "--trust", &trust, "-e", spec, "--format", "json",
    ];
    args.extend_from_slice(extra);
    let run = gate(&args, "");
    let record: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.transcript()));
    (run.code, record)
}

#[test]
fn securesystemslib_envelopes_verify_with_every_kind_of_key() {
    let Some(python) = reference_python() else {
        return;
    };
    let d = dir("securesystemslib");
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar", "digest": {"sha256": &A_TXT[7..]}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {"buildType": "https://example.com/build/v1"},
            "runDetails": {"builder": {"id": "https://ci.example.com/builder"}}
        }
    });
    std::fs::write(d.join("statement.json"), statement.to_string()).unwrap();
    run_tool(&d, &python, &[&reference_script(), "keys", "k"]);
    run_tool(
        &d,
        &python,
        &[&reference_script(), "sign", "k", "statement.json"],
    );
    let g = provenance_gate(&d, A_TXT, &["https://ci.example.com/builder"]);
    let algorithms = ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa"];
    let mut config = String::from("keys:\n");
    for a in algorithms {
        config.push_str(&format!("  - name: {a}\n    file: k/{a}.pub\n"));
    }
    config.push_str("  - name: ed25519-json\n    file: k/ed25519.json\n");
    let trust = d.join("trust.yaml");
    std::fs::write(&trust, &config).unwrap();
    for a in algorithms {
        let spec = format!(
            "provenance={}",
            d.join(format!("k/{a}.intoto.json")).display()
        );
        let (code, record) = record_of(&g, &trust, &spec, &[]);
        assert_eq!(code, 0, "{a}: {record:#}");
        let signer = &record["evidence"][0]["attestations"][0]["signer"];
        // The ed25519 key is listed twice (PEM and securesystemslib JSON):
        // the first entry that verifies names the signer.
        assert_eq!(signer["name"], a, "{a}");
    }
    let spec = format!("provenance={}", d.join("k/all.intoto.jsonl").display());
    let (code, record) = record_of(&g, &trust, &spec, &[]);
    assert_eq!(code, 0, "{record:#}");
    assert_eq!(
        record["evidence"][0]["attestations"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Tampered copies and a wrong key, for each kind of key.
    let engine = base64::engine::general_purpose::STANDARD;
    for a in algorithms {
        let original: Value = serde_json::from_str(
            &std::fs::read_to_string(d.join(format!("k/{a}.intoto.json"))).unwrap(),
        )
        .unwrap();
        let payload = engine
            .decode(original["payload"].as_str().unwrap())
            .unwrap();
        let mut byte = payload.clone();
        let at = byte.iter().position(|b| *b == b'a').unwrap();
        byte[at] = b'b';
        let mut subject: Value = serde_json::from_slice(&payload).unwrap();
        subject["subject"][0]["digest"]["sha256"] = Value::String("11".repeat(32));
        let sig = engine
            .decode(original["signatures"][0]["sig"].as_str().unwrap())
            .unwrap();
        let mut flipped = sig.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let copies = [
            (
                "payload byte",
                engine.encode(&byte),
                original["signatures"][0]["sig"].clone(),
            ),
            (
                "subject digest",
                engine.encode(serde_json::to_vec(&subject).unwrap()),
                original["signatures"][0]["sig"].clone(),
            ),
            (
                "signature",
                original["payload"].as_str().unwrap().to_string(),
                Value::String(engine.encode(&flipped)),
            ),
        ];
        for (what, payload, sig) in copies {
            let mut copy = original.clone();
            copy["payload"] = Value::String(payload);
            copy["signatures"][0]["sig"] = sig;
            let path = d.join(format!("tampered-{a}.intoto.json"));
            std::fs::write(&path, copy.to_string()).unwrap();
            let (code, record) =
                record_of(&g, &trust, &format!("provenance={}", path.display()), &[]);
            assert_eq!(code, 2, "{a}, {what}: {record:#}");
            let reason = record["evidence"][0]["attestations"][0]["reason"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(
                reason.contains("does not verify with a trusted key"),
                "{a}, {what}: {reason}"
            );
        }
        // The right envelope, but only another key is trusted.
        let other = if a == "rsa" { "ed25519" } else { "rsa" };
        let only_other = d.join("other.yaml");
        std::fs::write(
            &only_other,
            format!("keys:\n  - name: {other}\n    file: k/{other}.pub\n"),
        )
        .unwrap();
        let spec = format!(
            "provenance={}",
            d.join(format!("k/{a}.intoto.json")).display()
        );
        let (code, record) = record_of(&g, &only_other, &spec, &[]);
        assert_eq!(code, 2, "{a} with only {other} trusted: {record:#}");
    }
}

#[test]
fn in_toto_run_links_are_read_as_the_link_predicate() {
    let Some(python) = reference_python() else {
        return;
    };
    let d = dir("in-toto-run");
    run_tool(&d, &python, &[&reference_script(), "keys", "k"]);
    std::fs::write(d.join("app.tar"), "the artefact\n").unwrap();
    std::fs::write(d.join("src.c"), "int main(void) { return 0; }\n").unwrap();
    let in_toto_run = python.with_file_name("in-toto-run");
    run_tool(
        &d,
        &in_toto_run,
        &[
            "-n",
            "build",
            "--use-dsse",
            "--signing-key",
            "k/ecdsa-p256.key",
            "-m",
            "src.c",
            "-p",
            "app.tar",
            "--",
            "true",
        ],
    );
    let link = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "link"))
        .unwrap();
    let digest = gate_eval::sha256_hex(b"the artefact\n");
    let text = format!(
        r#"gate linked {{ title "Built by the build step" }}
import std.attest
evidence {{ links: [attest.Attestation] }}
rule built {{
  require links.any(l => attest.about(l, "{digest}") and l.predicateType == "https://in-toto.io/attestation/link/v0.3")
    else "no link of the build step produced the artefact"
}}
"#
    );
    std::fs::write(d.join("linked.gate"), text).unwrap();
    let g = d.join("linked.gate").display().to_string();
    let trust = d.join("trust.yaml");
    std::fs::write(
        &trust,
        "keys:\n  - name: build-step\n    file: k/ecdsa-p256.pub\n",
    )
    .unwrap();
    let (code, record) = record_of(&g, &trust, &format!("links={}", link.display()), &[]);
    assert_eq!(code, 0, "{record:#}");
    let att = &record["evidence"][0]["attestations"][0];
    assert_eq!(att["subjects"][0]["name"], "app.tar");
    assert_eq!(att["signer"]["name"], "build-step");
    // Signed by a key that is not trusted.
    std::fs::write(&trust, "keys:\n  - name: someone\n    file: k/rsa.pub\n").unwrap();
    let (code, _) = record_of(&g, &trust, &format!("links={}", link.display()), &[]);
    assert_eq!(code, 2);
}

#[test]
fn model_signing_bundles_verify_with_the_key() {
    let Some(python) = reference_python() else {
        return;
    };
    let d = dir("model-signing");
    run_tool(&d, &python, &[&reference_script(), "keys", "k"]);
    std::fs::create_dir_all(d.join("model")).unwrap();
    std::fs::write(d.join("model/weights.bin"), [0u8, 1, 2, 3, 4, 5, 6, 7]).unwrap();
    std::fs::write(d.join("model/config.json"), r#"{"layers": 2}"#).unwrap();
    let model_signing = python.with_file_name("model_signing");
    run_tool(
        &d,
        &model_signing,
        &[
            "sign",
            "key",
            "model",
            "--private_key",
            "k/ecdsa-p256.key",
            "--signature",
            "model.sig",
        ],
    );
    let text = r#"gate model_release { title "Model release" }
import std.attest
evidence { model: [attest.Attestation] }
rule signed {
  require model.any(m => m.predicateType == "https://model_signing/signature/v1.0" and attest.signed_by(m.signer, "ml-release"))
    else "the model is not signed by the ML release key"
}
"#;
    std::fs::write(d.join("model.gate"), text).unwrap();
    let g = d.join("model.gate").display().to_string();
    let trust = d.join("trust.yaml");
    std::fs::write(
        &trust,
        "keys:\n  - name: ml-release\n    file: k/ecdsa-p256.pub\n",
    )
    .unwrap();
    let spec = format!("model={}", d.join("model.sig").display());
    let format = ["--evidence-format", "attestation"];
    let (code, record) = record_of(&g, &trust, &spec, &format);
    assert_eq!(code, 0, "{record:#}");
    assert_eq!(
        record["evidence"][0]["attestations"][0]["subjects"][0]["name"],
        "model"
    );
    // Another key; and a changed payload.
    std::fs::write(
        &trust,
        "keys:\n  - name: ml-release\n    file: k/ecdsa-p384.pub\n",
    )
    .unwrap();
    assert_eq!(record_of(&g, &trust, &spec, &format).0, 2);
    std::fs::write(
        &trust,
        "keys:\n  - name: ml-release\n    file: k/ecdsa-p256.pub\n",
    )
    .unwrap();
    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("model.sig")).unwrap()).unwrap();
    let bundle = tamper_payload(&bundle, |s| {
        s["subject"][0]["digest"]["sha256"] = Value::String("22".repeat(32));
    });
    std::fs::write(d.join("tampered.sig"), bundle.to_string()).unwrap();
    let spec = format!("model={}", d.join("tampered.sig").display());
    let (code, record) = record_of(&g, &trust, &spec, &format);
    assert_eq!(code, 2, "{record:#}");
}

#[test]
fn gate_vsas_verify_with_securesystemslib_and_in_toto_attestation() {
    let Some(python) = reference_python() else {
        return;
    };
    let d = dir("vsa-reference");
    let key = d.join("vsa").display().to_string();
    let run = gate(&["keygen", "--out", &key], "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    for (evidence, result) in [
        ("release-pass.json", "PASSED"),
        ("release-fail.json", "FAILED"),
    ] {
        let vsa = d
            .join(format!("{result}.intoto.jsonl"))
            .display()
            .to_string();
        let e = here(&format!("../examples/evidence/{evidence}"));
        let run = gate(
            &[
                "check",
                &here("../examples/release.gate"),
                "-e",
                &e,
                "--now",
                "2026-05-04T09:00:00Z",
                "--sign",
                &format!("{key}.key"),
                "--attest",
                &vsa,
                "--verifier-id",
                "https://gate.acme.example/ci",
            ],
            "",
        );
        assert!(run.code < 2, "{}", run.transcript());
        let out = run_tool(
            &d,
            &python,
            &[
                &reference_script(),
                "verify-vsa",
                &vsa,
                &format!("{key}.pub"),
            ],
        );
        assert!(out.contains(&format!("VSA verified: {result}")), "{out}");
    }
}

/// A VSA of the passing release, and the key pair that signed it.
fn release_vsa(d: &Path) -> (String, String, String) {
    let key = d.join("vsa").display().to_string();
    let run = gate(&["keygen", "--out", &key], "");
    assert_eq!(run.code, 0, "{}", run.transcript());
    let vsa = d.join("release.intoto.jsonl").display().to_string();
    let run = gate(
        &[
            "check",
            "../examples/release.gate",
            "-e",
            "../examples/evidence/release-pass.json",
            "--now",
            "2026-05-04T09:00:00Z",
            "--sign",
            &format!("{key}.key"),
            "--attest",
            &vsa,
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    (vsa, format!("{key}.key"), format!("{key}.pub"))
}

fn verify_vsa(vsa: &str, public: &str, evidence: &str) -> gate_tests::Run {
    gate(
        &[
            "verify-record",
            vsa,
            "--key",
            public,
            "--policy",
            "../examples/release.gate",
            "-e",
            evidence,
        ],
        "",
    )
}

/// The statements of a VSA file, decoded.
fn vsa_statements(path: &str) -> Vec<Value> {
    let engine = base64::engine::general_purpose::STANDARD;
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let envelope: Value = serde_json::from_str(l).unwrap();
            serde_json::from_slice(
                &engine
                    .decode(envelope["payload"].as_str().unwrap())
                    .unwrap(),
            )
            .unwrap()
        })
        .collect()
}

#[test]
fn a_vsa_says_what_the_decision_says() {
    let d = dir("vsa");
    let (vsa, _, public) = release_vsa(&d);
    let statements = vsa_statements(&vsa);
    assert_eq!(statements.len(), 2);
    let (summary, record) = (&statements[0], &statements[1]);
    assert_eq!(summary["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        summary["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(summary["subject"][0]["name"], "payments-api");
    assert_eq!(
        summary["subject"][0]["digest"]["sha256"],
        "f597460022bc37a10df220eb98410d89f0df64824ee222ce5fb2c1037ec7b255"
    );
    let p = &summary["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(p["verifiedLevels"], serde_json::json!(["GATE_RELEASE"]));
    assert_eq!(p["timeVerified"], "2026-05-04T09:00:00Z");
    assert_eq!(p["slsaVersion"], "1.0");
    assert_eq!(p["resourceUri"], "ghcr.io/acme/payments-api@sha256:f597460022bc37a10df220eb98410d89f0df64824ee222ce5fb2c1037ec7b255");
    assert_eq!(p["policy"]["uri"], "release.gate");
    assert_eq!(
        format!(
            "sha256:{}",
            p["policy"]["digest"]["sha256"].as_str().unwrap()
        ),
        record["predicate"]["policy"]["digest"].as_str().unwrap()
    );
    let bytes = std::fs::read("../examples/evidence/release-pass.json").unwrap();
    assert_eq!(
        format!(
            "sha256:{}",
            p["inputAttestations"][0]["digest"]["sha256"]
                .as_str()
                .unwrap()
        ),
        gate_eval::sha256_hex(&bytes)
    );
    assert_eq!(
        record["predicateType"],
        gate_eval::attest::vsa::RECORD_PREDICATE_TYPE
    );
    assert_eq!(record["subject"], summary["subject"]);
    assert_eq!(record["predicate"]["outcome"], "pass");
    let run = verify_vsa(&vsa, &public, "../examples/evidence/release-pass.json");
    assert_eq!(run.code, 0, "{}", run.transcript());
}

#[test]
fn a_changed_or_reassembled_vsa_does_not_verify() {
    let d = dir("vsa-forged");
    let (vsa, private, public) = release_vsa(&d);
    let key =
        gate_eval::sign::signing_key_from_pem(&std::fs::read_to_string(&private).unwrap()).unwrap();
    let statements = vsa_statements(&vsa);
    let write = |name: &str, statements: &[Value]| -> String {
        let path = d.join(name);
        let text: String = statements
            .iter()
            .map(|s| {
                let payload = serde_json::to_vec(s).unwrap();
                let e = gate_eval::sign::sign(&payload, "application/vnd.in-toto+json", &key);
                format!("{}\n", serde_json::to_string(&e).unwrap())
            })
            .collect();
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let evidence = "../examples/evidence/release-pass.json";
    // Edited and signed again with the signing key: it disagrees with the record.
    let mut edited = statements.clone();
    edited[0]["predicate"]["verifiedLevels"] = serde_json::json!(["FAILED"]);
    edited[0]["predicate"]["timeVerified"] = Value::String("2027-01-01T00:00:00Z".into());
    let run = verify_vsa(&write("edited.jsonl", &edited), &public, evidence);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("/vsa/predicate/timeVerified"),
        "{}",
        run.transcript()
    );
    // The record of another subject beside it.
    let mut other = statements.clone();
    other[1]["subject"][0]["digest"]["sha256"] = Value::String("00".repeat(32));
    let run = verify_vsa(&write("other.jsonl", &other), &public, evidence);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.transcript().contains("different subjects"),
        "{}",
        run.transcript()
    );
    // The lines swapped; one line only.
    let swapped = [statements[1].clone(), statements[0].clone()];
    let run = verify_vsa(&write("swapped.jsonl", &swapped), &public, evidence);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let run = verify_vsa(&write("one.jsonl", &statements[..1]), &public, evidence);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.transcript().contains("two lines"),
        "{}",
        run.transcript()
    );
    // A byte of the original changed; another key.
    let text = std::fs::read_to_string(&vsa).unwrap();
    let tampered = d.join("tampered.jsonl");
    let at = text.find("\"payload\":\"").unwrap() + 20;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&tampered, bytes).unwrap();
    let run = verify_vsa(&tampered.display().to_string(), &public, evidence);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let (_, other_public) = {
        let k = d.join("other").display().to_string();
        assert_eq!(gate(&["keygen", "--out", &k], "").code, 0);
        ((), format!("{k}.pub"))
    };
    let run = verify_vsa(&vsa, &other_public, evidence);
    assert_eq!(run.code, 1, "{}", run.transcript());
    // Without a key it cannot be checked at all.
    let run = gate(
        &[
            "verify-record",
            &vsa,
            "--policy",
            "../examples/release.gate",
            "-e",
            evidence,
        ],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
}

#[test]
fn a_vsa_needs_a_key_and_an_artefact() {
    let d = dir("vsa-usage");
    let vsa = d.join("x.jsonl").display().to_string();
    let run = gate(
        &[
            "check",
            "../examples/release.gate",
            "-e",
            "../examples/evidence/release-pass.json",
            "--attest",
            &vsa,
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--sign"), "{}", run.transcript());
    let key = d.join("k").display().to_string();
    assert_eq!(gate(&["keygen", "--out", &key], "").code, 0);
    std::fs::write(d.join("e.json"), r#"{"ok": true}"#).unwrap();
    std::fs::write(
        d.join("g.gate"),
        "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n",
    )
    .unwrap();
    let g = d.join("g.gate").display().to_string();
    let e = d.join("e.json").display().to_string();
    let sign = format!("{key}.key");
    let run = gate(
        &["check", &g, "-e", &e, "--sign", &sign, "--attest", &vsa],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--subject"), "{}", run.transcript());
    let digest = format!("app=sha256:{}", "ab".repeat(32));
    let run = gate(
        &[
            "check",
            &g,
            "-e",
            &e,
            "--sign",
            &sign,
            "--attest",
            &vsa,
            "--subject",
            &digest,
            "--resource-uri",
            "pkg:generic/app@1",
            "--verified-level",
            "ACME_RELEASE_READY",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let statements = vsa_statements(&vsa);
    assert_eq!(
        statements[0]["predicate"]["verifiedLevels"],
        serde_json::json!(["ACME_RELEASE_READY"])
    );
    assert_eq!(
        statements[0]["predicate"]["verifier"]["id"],
        gate_eval::attest::vsa::DEFAULT_VERIFIER_ID
    );
    let run = gate(
        &[
            "check",
            &g,
            "-e",
            &e,
            "--sign",
            &sign,
            "--attest",
            &vsa,
            "--subject",
            "app=nothex",
            "--resource-uri",
            "x",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("ALGORITHM:HEX"), "{}", run.transcript());
}

#[test]
fn bundles_of_every_version_are_verified() {
    let d = dir("versions");
    let conformance = "attestations/sigstore-conformance";
    let beacon = format!("identity: {BEACON}");
    // v0.1 (slsa-verifier), v0.2 and v0.3 (sigstore-conformance).
    let cases = [
        (
            "attestations/slsa-verifier/attestation.intoto.sigstore".to_string(),
            "attestations/sigstore-public-good.trusted_root.json".to_string(),
            "identity: https://github.com/laurentsimon/slsa-delegator/.github/workflows/delegator_generic_slsa3.yml@refs/heads/main".to_string(),
            "sha256:2e38b952523576057f5ca8cf6d179ad6b66f6d0221b9a0eb621caf3507773c71",
            None,
        ),
        (
            format!("{conformance}/intoto-with-custom-trust-root.sigstore.json"),
            format!("{conformance}/intoto-with-custom-trust-root.trusted_root.json"),
            beacon.clone(),
            "sha256:330a043220fa13e01d68a7db39c89e12b0c4c3b6a0346fe624b0903f1303b5b2",
            None,
        ),
        (
            format!("{conformance}/intoto-missing-inclusion-proof_fail.sigstore.json"),
            format!("{conformance}/intoto-missing-inclusion-proof_fail.trusted_root.json"),
            beacon.clone(),
            A_TXT,
            Some("inclusion proof"),
        ),
        (
            format!("{conformance}/intoto-log-entry-mismatch_fail.sigstore.json"),
            format!("{conformance}/intoto-log-entry-mismatch_fail.trusted_root.json"),
            beacon,
            A_TXT,
            Some("log entry"),
        ),
    ];
    for (bundle, root, identity, digest, failure) in cases {
        let t = keyless_trust(&d, &root, &identity);
        let text = format!(
            "gate g {{}}\nimport std.attest\nevidence {{ provenance: [attest.Attestation] }}\nrule r {{ require provenance.any(p => attest.about(p, \"{digest}\")) }}\n"
        );
        let g = d.join("about.gate");
        std::fs::write(&g, text).unwrap();
        let (code, record) = check(&g.display().to_string(), &t, &bundle);
        let att = &record["evidence"][0]["attestations"][0];
        match failure {
            None => assert_eq!(
                (code, att["verified"].clone()),
                (0, Value::Bool(true)),
                "{bundle}: {record:#}"
            ),
            Some(why) => {
                assert_eq!(code, 2, "{bundle}: {record:#}");
                assert!(
                    att["reason"].as_str().unwrap().contains(why),
                    "{bundle}: {att}"
                );
            }
        }
    }
}
