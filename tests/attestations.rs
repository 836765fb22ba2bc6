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
use gate_tests::gate;
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
    let link = serde_json::json!({"_type": "link", "name": "build"});
    std::fs::write(d.join("link.dsse.json"), signed(&link, &key)).unwrap();
    let (code, record) = check(&g, &t, &d.join("link.dsse.json").display().to_string());
    assert_eq!(code, 2);
    let reason = record["evidence"][0]["attestations"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("not an in-toto Statement"), "{reason}");
}
