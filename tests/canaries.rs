//! Canaries: `canaries/corpus/evidence.json` plants credentials under every
//! name class redaction knows (`tokens`, `passwords`, `api_keys`,
//! `ssh_key`, `private_key_pem`, `SECRET_KEY_BASE`, `auth`, `bearer`,
//! `jwt`, `dsn`, `webhook_url`, `connection_string`, `client_secret`,
//! `Raw`/`RawV2`/`raw` of scanner findings, environment variables such as
//! `GITHUB_TOKEN`, an `@sensitive` private key of 3,500 characters) and
//! under an ordinary name in every value class (private key blocks, a JWT,
//! AWS, GitHub, Slack, Stripe and Google keys, a password in a URL, a
//! high-entropy token). `canaries/canaries.gate` shows each of them, and
//! values computed from them, through failing rules.
//!
//! Every output of every command that reads them — `gate check` in every
//! format, the record file, `gate repl`, `gate diff`, `gate test`, `gate
//! schema infer`, and the errors of evidence that cannot be read — is
//! grepped for any part of a canary.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::gate;
use std::path::{Path, PathBuf};

const GATE: &str = "canaries/canaries.gate";
const EVIDENCE: &str = "canaries/corpus/evidence.json";
const NOW: &str = "2026-06-01T00:00:00Z";
const FORMATS: &[&str] = &["human", "json", "sarif", "junit", "markdown", "github"];

/// What no output may contain (compared without regard to case): the word
/// every word-made canary carries, and parts of the canaries that are
/// caught by their value alone.
const CANARIES: &[&str] = &[
    "kanari",
    "Qk7xZr2LmW9vKf3TnB7yHc1MdP4sJg",
    "Ab3Qz9Ab3Qz9",
    "b3BlbnNzaC1rZXktdjE",
    "eyJzdWIiOiJrYW5hcmkifQ",
    "AKIAK",
    "ghp_",
    "xoxb-",
    "sk_live_",
    "AIzaSy",
];

fn scratch(name: &str) -> PathBuf {
    gate_tests::scratch("canaries", name)
}

/// Fails, naming the output, if any canary appears in it.
fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for c in CANARIES {
        if let Some(at) = lower.find(&c.to_lowercase()) {
            let from = at.saturating_sub(120);
            let shown: String = text.chars().skip(from).take(240).collect();
            panic!("{what}: canary {c:?} leaked:\n…{shown}…");
        }
    }
}

fn check_clean(what: &str, args: &[&str]) -> gate_tests::Run {
    let run = gate(args, "");
    assert_clean(&format!("{what} (stdout)"), &run.stdout);
    assert_clean(&format!("{what} (stderr)"), &run.stderr);
    run
}

fn str_args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn every_format_of_check_is_clean() {
    let dir = scratch("check");
    for format in FORMATS {
        for verbose in [false, true] {
            let record = dir.join(format!("{format}-{verbose}.json"));
            let mut args: Vec<String> = [
                "--color", "never", "check", GATE, "-e", EVIDENCE, "--now", NOW, "-f", format,
                "--record",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            args.push(record.display().to_string());
            if verbose {
                args.push("-v".into());
            }
            let what = format!("check -f {format} (verbose: {verbose})");
            let run = check_clean(&what, &str_args(&args));
            assert_eq!(
                run.code, 1,
                "{what}: the canaries fail their rules\n{}",
                run.stderr
            );
            // Redaction hides values, not the failures: every rule fails,
            // and says so.
            let record_text = std::fs::read_to_string(&record).unwrap();
            assert_clean(&format!("{what} (record)"), &record_text);
            let decision: serde_json::Value = serde_json::from_str(&record_text).unwrap();
            assert_eq!(decision["counts"]["fail"], 5, "{what}");
            assert!(record_text.contains("<redacted>"), "{what}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The private key marked `@sensitive` is longer than what is shown of a
/// value: it is masked before it is cut, so not even its start appears.
#[test]
fn a_long_key_is_masked_before_it_is_cut() {
    let run = gate(
        &["check", GATE, "-e", EVIDENCE, "--now", NOW, "-f", "json"],
        "",
    );
    let d: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let bots = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "bots")
        .unwrap();
    let material = bots["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "/bots/0/signing_material")
        .unwrap();
    assert_eq!(material["actual"], "<redacted>", "{material}");
    assert_ne!(material["actual_truncated"], true, "{material}");
    assert!(!run.stdout.contains("BEGIN RSA"), "{}", run.stdout);
}

#[test]
fn the_repl_is_clean() {
    let script = "\
tokens
passwords.map(p => p.upper())
api_keys.first()
config
config.SECRET_KEY_BASE.lower()
env
env.values()
env.keys().map(k => env[k] ?? \"\")
bots
bots.map(b => b.client_secret + b.ssh_key)
bots.map(b => b.signing_material)
bot_texts
findings
findings.map(f => f.Raw.split(\"-\"))
leaks
notes
notes.map(n => n.upper())
notes.filter(n => looks_like_secret(n))
bots.group_by(b => b.client_secret)
tokens.len() + passwords.first()
:explain lists
:explain bots
:explain scanners
:explain environment
:explain values
:rules
:schema
";
    let run = gate(
        &[
            "repl", GATE, "-e", EVIDENCE, "--now", NOW, "--color", "never",
        ],
        script,
    );
    assert_clean("repl (stdout)", &run.stdout);
    assert_clean("repl (stderr)", &run.stderr);
    assert!(run.stdout.contains("<redacted>"), "{}", run.stdout);
}

#[test]
fn diff_is_clean() {
    let dir = scratch("diff");
    // The same gate, every requirement holding: replaying the canaries
    // through both flips every rule, and each flip is shown with its
    // failures.
    let source = std::fs::read_to_string(GATE).unwrap();
    let old = dir.join("old.gate");
    std::fs::write(&old, source.replace("require ", "require true or ")).unwrap();
    let old = old.display().to_string();
    for format in ["human", "json"] {
        let run = check_clean(
            &format!("diff -f {format}"),
            &[
                "--color",
                "never",
                "diff",
                &old,
                GATE,
                "--corpus",
                "canaries/corpus",
                "--now",
                NOW,
                "-f",
                format,
            ],
        );
        assert_eq!(run.code, 1, "diff -f {format}: rules flip\n{}", run.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn policy_tests_are_clean() {
    for format in ["human", "json"] {
        let run = check_clean(
            &format!("test -f {format}"),
            &[
                "--color",
                "never",
                "test",
                "canaries/canaries.test.yaml",
                "-f",
                format,
            ],
        );
        assert_eq!(
            run.code, 1,
            "test -f {format}: the test fails\n{}",
            run.stdout
        );
        if format == "human" {
            assert!(run.stdout.contains("<redacted>"), "{}", run.stdout);
        }
    }
}

#[test]
fn schema_infer_is_clean_and_marks_credentials() {
    let run = check_clean("schema infer", &["schema", "infer", EVIDENCE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for field in [
        "tokens",
        "passwords",
        "api_keys",
        "SECRET_KEY_BASE",
        "GITHUB_TOKEN",
        "DB_PASSWORD",
        "ssh_key",
        "private_key_pem",
        "auth",
        "bearer",
        "jwt",
        "dsn",
        "webhook_url",
        "connection_string",
        "client_secret",
        "Raw",
        "RawV2",
        "raw",
    ] {
        let marked = run.stdout.lines().any(|l| {
            let l = l.trim();
            l.starts_with("@sensitive")
                && (l.contains(&format!(" {field}:")) || l.contains(&format!("\"{field}\"")))
        });
        assert!(marked, "{field} is not marked @sensitive:\n{}", run.stdout);
    }
    for plain in ["name:", "description:", "region:", "LOG_LEVEL"] {
        let marked = run
            .stdout
            .lines()
            .any(|l| l.trim().starts_with("@sensitive") && l.contains(plain));
        assert!(!marked, "{plain} is marked @sensitive:\n{}", run.stdout);
    }
}

/// Evidence that cannot be read, or read only in part: the errors say
/// where and why, never what the value was.
#[test]
fn evidence_errors_are_clean() {
    let dir = scratch("errors");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(EVIDENCE).unwrap()).unwrap();
    // Canaries where the schema wants something else.
    doc["config"]["SECRET_KEY_BASE"] = serde_json::json!(12345);
    doc["config"]["region"] = serde_json::json!(["aws AKIAKANARIAWS1234567"]);
    doc["bots"][0]["description"] = serde_json::json!({"url": "postgres://a:kanariurlpw@h/x"});
    doc["findings"][0]["Verified"] = serde_json::json!("ghp_kanarighpAbCdEfGhIjKlMnOpQrStUvWxYz0");
    doc["tokens"] = serde_json::json!([17, "kanari-token-two"]);
    let mismatch = dir.join("mismatch.json");
    std::fs::write(&mismatch, doc.to_string()).unwrap();
    let broken_json = dir.join("broken.json");
    std::fs::write(
        &broken_json,
        "{\"tokens\": [\"kanari-broken\"], \"notes\": [\"AKIAKANARIAWS1234567\"],, }\n",
    )
    .unwrap();
    let broken_yaml = dir.join("broken.yaml");
    std::fs::write(
        &broken_yaml,
        "tokens:\n  - kanari-broken\nnotes: [\"aws AKIAKANARIAWS1234567\"\n",
    )
    .unwrap();
    let duplicate = dir.join("duplicate.json");
    std::fs::write(
        &duplicate,
        "{\"passwords\": [\"kanari-dup\"], \"passwords\": [\"kanari-dup-again\"]}\n",
    )
    .unwrap();
    for file in [&mismatch, &broken_json, &broken_yaml, &duplicate] {
        let file = file.display().to_string();
        for format in FORMATS {
            let what = format!("check {file} -f {format}");
            let run = check_clean(
                &what,
                &[
                    "--color", "never", "check", GATE, "-e", &file, "--now", NOW, "-f", format,
                ],
            );
            assert_ne!(run.code, 0, "{what}");
        }
        check_clean(&format!("schema infer {file}"), &["schema", "infer", &file]);
        check_clean(
            &format!("repl {file}"),
            &["repl", GATE, "-e", &file, "--now", NOW],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A record that was altered (or written by something else) to hold
/// credentials: `verify-record` lists the differences without them.
#[test]
fn verify_record_is_clean() {
    let dir = scratch("verify");
    let record = dir.join("record.json");
    let record_arg = record.display().to_string();
    let run = gate(
        &[
            "check",
            GATE,
            "-e",
            EVIDENCE,
            "--now",
            NOW,
            "--record",
            &record_arg,
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    let failure = &mut doc["rules"][0]["failures"][0];
    failure["message"] = serde_json::json!("leaked AKIAKANARIAWS1234567");
    failure["actual"] = serde_json::json!("ghp_kanarighpAbCdEfGhIjKlMnOpQrStUvWxYz0");
    std::fs::write(&record, doc.to_string()).unwrap();
    let run = check_clean(
        "verify-record",
        &[
            "verify-record",
            &record_arg,
            "--policy",
            GATE,
            "--evidence",
            EVIDENCE,
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("DIFFERENCE"), "{}", run.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_canaries_are_where_the_test_expects_them() {
    // The evidence holds every canary: a test that greps for them proves
    // something only if they are there to be found.
    let text = std::fs::read_to_string(EVIDENCE).unwrap();
    for c in CANARIES {
        assert!(
            text.to_lowercase().contains(&c.to_lowercase()),
            "{c} is not in {EVIDENCE}"
        );
    }
    assert!(Path::new(GATE).exists());
    let key_len = serde_json::from_str::<serde_json::Value>(&text).unwrap()["bots"][0]
        ["signing_material"]
        .as_str()
        .unwrap()
        .chars()
        .count();
    assert!(key_len > 3_000, "{key_len}");
}
