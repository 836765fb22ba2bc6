//! `gate repl`, driven through a pipe as scripts use it.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, golden};
use std::path::Path;

const GATE: &str = "../examples/release.gate";
const FAIL: &str = "../examples/evidence/release-fail.json";

fn repl(script: &str) -> gate_tests::Run {
    gate(
        &[
            "repl",
            GATE,
            "-e",
            FAIL,
            "--now",
            "2026-05-04T09:00:00Z",
            "--color",
            "never",
        ],
        script,
    )
}

/// A whole session: values with types, `let`, multi-line input, commands,
/// and errors rendered as `gate check` renders them.
#[test]
fn a_session_through_a_pipe() {
    let script = "\
# a comment is ignored
secrets.items.count(not vaulted)
secrets.items.filter(not vaulted).map(name)
let roles = approvals.map(role)
roles.len() * 2
approvals.all(
    state == approved
    and approver.id != \"\")
evaluated_at - provenance.build_finished_at
:type ownership.system_owner
:explain S02
:rules
secrets.all(vaultd)
approvals[7]
:explan S02
:explain S2
:quit
secrets.items.len()
";
    let run = repl(script);
    golden(Path::new("repl/session.out"), &run.transcript()).unwrap();
    assert_eq!(run.code, 2, "inputs failed, so the exit code is 2");
    assert!(run
        .stdout
        .starts_with("1 : int\n[\"STRIPE_API_KEY\"] : [string]\n"));
    assert!(run.stdout.contains("roles : [evidence.Role]\n6 : int\n"));
    // `:quit` stops reading.
    assert_eq!(run.stdout.matches(" : int\n").count(), 2);
}

#[test]
fn a_clean_script_exits_0() {
    let run = repl("secrets.items.len()\n:schema\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("evidence {\n  schema_version: string\n"));
    assert!(run.stdout.contains("\nrecord evidence.Approval {\n"));
    assert!(run.stdout.contains("  key role when state == approved\n"));
    assert!(run.stdout.contains("\nenum evidence.Role { "));
}

#[test]
fn credentials_are_redacted() {
    let run = gate(
        &["repl", "formats/mixed.gate", "-e", "formats/mixed.json"],
        "tokens.map(api_token)\ntokens.first()\ntokens.map(name)\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("supersecret"), "{}", run.stdout);
    assert!(run.stdout.contains("<redacted>"), "{}", run.stdout);
    assert!(run.stdout.contains("[\"deploy\"]"), "{}", run.stdout);
}

#[test]
fn without_evidence_values_that_need_it_are_errors() {
    let run = gate(&["repl", GATE], "1 + 2\nsecrets.items.len()\n");
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "3 : int\n");
    assert!(run.stderr.contains("error[E0601]"), "{}", run.stderr);
}

#[test]
fn reload_reads_the_files_again() {
    let dir = std::env::temp_dir().join(format!("gate-repl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("g.gate");
    let evidence = dir.join("e.json");
    std::fs::write(
        &policy,
        "gate g {}\nevidence { n: int }\nlet LIMIT = 3\nrule r { require n <= LIMIT }\n",
    )
    .unwrap();
    std::fs::write(&evidence, "{\"n\": 5}").unwrap();
    // `:reload` reads both files again and keeps working.
    let args = [
        "repl",
        policy.to_str().unwrap(),
        "-e",
        evidence.to_str().unwrap(),
    ];
    let run = gate(&args, "LIMIT\n:reload\nn\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("3 : int\nloaded "), "{}", run.stdout);
    assert!(run.stdout.ends_with("5 : int\n"), "{}", run.stdout);
    std::fs::write(&policy, "gate g {}\nevidence { n: int }\nlet LIMIT = 3 +\n").unwrap();
    let run = gate(&args, "LIMIT\n");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E01"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn completion_offers_names_fields_and_commands() {
    let mut io = gate_cli::Io::memory("");
    let args = gate_cli::cli::ReplArgs {
        policy: GATE.into(),
        evidence: vec![FAIL.into()],
        evidence_format: None,
        now: None,
    };
    let out = gate_cli::render::Output::new(gate_cli::cli::ColorChoice::Never, &io);
    let session = gate_cli::cmd::repl::Session::load(&args, out, &mut io).unwrap();
    let c = |before: &str| gate_cli::cmd::repl::completions(&session, before);
    assert!(c("secr").contains(&"secrets".to_string()));
    assert!(c("MAX_APP").contains(&"MAX_APPROVAL_AGE".to_string()));
    assert_eq!(c("ownership.system_owner.st"), ["status"]);
    assert!(c("approvals.fil").contains(&"filter".to_string()));
    assert!(c("approvals.all(sta").contains(&"state".to_string()));
    assert!(c(":ex").contains(&":explain".to_string()));
    assert_eq!(c(":explain S0"), ["S01", "S02", "S03", "S04", "S05"]);
    assert!(c("nonexistent.fo").is_empty());
}
