//! Policy bundles end to end: built from a folder, signed, pinned by digest
//! and signer, run by `gate check`, named in the record, replayed by
//! `gate verify-record`; and every way a bundle is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};

const GATE: &str = "gate demo {\n  title \"Demo\"\n}\n\nimport \"lib/types.gate\" as t\n\nevidence {\n  secrets: [t.Secret]\n}\n\nrule S01 \"Secrets are vaulted\" {\n  controls \"OWASP-NHI:NHI2\"\n  require not secrets.is_empty() else \"no secrets were reported\"\n  require secrets.all(vaulted) else \"secret {name} is not vaulted\"\n}\n";
const MODULE: &str = "module types\n\nrecord Secret {\n  name: string\n  vaulted: bool\n}\n";

/// A policy folder: a gate, a module, a test file and its evidence.
fn folder(dir: &Path) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("lib")).unwrap();
    std::fs::write(src.join("demo.gate"), GATE).unwrap();
    std::fs::write(src.join("lib/types.gate"), MODULE).unwrap();
    std::fs::write(
        src.join("pass.json"),
        r#"{"secrets": [{"name": "db", "vaulted": true}]}"#,
    )
    .unwrap();
    std::fs::write(
        src.join("demo.test.yaml"),
        "tests:\n  - name: passes\n    evidence: pass.json\n    expect: {decision: pass}\n",
    )
    .unwrap();
    src
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_bundle_is_built_signed_pinned_run_and_recorded() {
    let dir = scratch("bundles", "flow");
    let src = folder(&dir);
    let bundle = dir.join("demo.bundle");
    let run = gate(
        &[
            "bundle",
            "build",
            s(&src),
            "-o",
            s(&bundle),
            "--version",
            "1.0.0",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("bundle demo 1.0.0: gate demo.gate, 4 files\n"),
        "{}",
        run.stdout
    );
    let bytes = std::fs::read(&bundle).unwrap();
    let digest = gate_eval::sha256_hex(&bytes);
    assert!(run.stdout.contains(&format!("digest: {digest}")));
    // The same folder makes the same bytes.
    let again = dir.join("again.bundle");
    gate(
        &[
            "bundle",
            "build",
            s(&src),
            "-o",
            s(&again),
            "--version",
            "1.0.0",
        ],
        "",
    );
    assert_eq!(std::fs::read(&again).unwrap(), bytes);

    let keys = dir.join("k");
    assert_eq!(gate(&["keygen", "--out", s(&keys)], "").code, 0);
    let (key, public) = (dir.join("k.key"), dir.join("k.pub"));
    let run = gate(&["bundle", "sign", s(&bundle), "--key", s(&key)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.join("demo.bundle.sig").is_file());

    // Run, pinned by digest and signer: the record names the bundle.
    let evidence = src.join("pass.json");
    let record = dir.join("record.json");
    let run = gate(
        &[
            "check",
            s(&bundle),
            "--require-digest",
            &digest,
            "--require-signer",
            s(&public),
            "-e",
            s(&evidence),
            "--record",
            s(&record),
            "--now",
            "2026-05-04T09:00:00Z",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(r["policy"]["bundle"]["digest"], digest.as_str());
    assert_eq!(r["policy"]["bundle"]["name"], "demo");
    assert_eq!(r["policy"]["bundle"]["version"], "1.0.0");
    let keyid = r["policy"]["bundle"]["signer"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(keyid.starts_with("sha256:"));
    let names: Vec<&str> = r["policy"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demo.gate", "lib/types.gate"]);
    // The same sources from the folder: the same policy digest.
    let plain: Value = serde_json::from_str(
        &gate(
            &[
                "check",
                s(&src.join("demo.gate")),
                "-e",
                s(&evidence),
                "--format",
                "json",
                "--now",
                "2026-05-04T09:00:00Z",
            ],
            "",
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(plain["policy"]["digest"], r["policy"]["digest"]);
    assert!(plain["policy"].get("bundle").is_none());

    // verify-record with the bundle and the same requirement reproduces it;
    // with the folder's gate it does not (the record names the bundle).
    let ok = gate(
        &[
            "verify-record",
            s(&record),
            "--policy",
            s(&bundle),
            "--require-signer",
            s(&public),
            "-e",
            s(&evidence),
        ],
        "",
    );
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    let other = gate(
        &[
            "verify-record",
            s(&record),
            "--policy",
            s(&src.join("demo.gate")),
            "-e",
            s(&evidence),
        ],
        "",
    );
    assert_eq!(other.code, 1, "{}", other.stdout);
    assert!(other.stdout.contains("/policy/bundle"), "{}", other.stdout);

    // verify lists the files, and checks the signer.
    let run = gate(
        &[
            "bundle",
            "verify",
            s(&bundle),
            "--require-signer",
            s(&public),
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("  sha256:") && run.stdout.contains("lib/types.gate"));
    assert!(run
        .stdout
        .contains(&format!("signature: verified, key {keyid}")));
    assert!(run.stdout.ends_with("bundle: VERIFIED\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bundle_that_is_not_the_required_one_is_never_run() {
    let dir = scratch("bundles", "refused");
    let src = folder(&dir);
    let bundle = dir.join("demo.bundle");
    assert_eq!(
        gate(&["bundle", "build", s(&src), "-o", s(&bundle)], "").code,
        0
    );
    let evidence = src.join("pass.json");
    gate(&["keygen", "--out", s(&dir.join("a"))], "");
    gate(&["keygen", "--out", s(&dir.join("b"))], "");
    let check = |extra: &[&str]| {
        let mut args = vec!["check", s(&bundle), "-e", s(&evidence), "--format", "json"];
        args.extend_from_slice(extra);
        gate(&args, "")
    };
    let zeros = format!("sha256:{}", "0".repeat(64));
    for (extra, why) in [
        (vec!["--require-digest", zeros.as_str()], "not the required"),
        (
            vec!["--require-signer", s(&dir.join("a.pub"))],
            "cannot be read",
        ),
    ] {
        let run = check(&extra);
        assert_eq!(run.code, 2, "{why}");
        assert!(
            run.stderr.contains("error[E0906]") && run.stderr.contains(why),
            "{}",
            run.stderr
        );
        // The machine report still says so: an undecided record.
        let r: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(r["outcome"], "error");
        assert_eq!(r["errors"][0]["code"], "E0906");
    }
    // Signed by b, b's signature required of a: refused.
    gate(
        &["bundle", "sign", s(&bundle), "--key", s(&dir.join("b.key"))],
        "",
    );
    let run = check(&["--require-signer", s(&dir.join("a.pub"))]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not verify"), "{}", run.stderr);
    assert_eq!(
        check(&[
            "--require-signer",
            s(&dir.join("a.pub")),
            "--require-signer",
            s(&dir.join("b.pub"))
        ])
        .code,
        0
    );
    // The signature of another bundle does not do.
    let other = dir.join("other.bundle");
    gate(
        &[
            "bundle",
            "build",
            s(&src),
            "-o",
            s(&other),
            "--version",
            "2",
        ],
        "",
    );
    let run = gate(
        &[
            "bundle",
            "verify",
            s(&other),
            "--require-signer",
            s(&dir.join("b.pub")),
            "--bundle-signature",
            s(&dir.join("demo.bundle.sig")),
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("another bundle"), "{}", run.stderr);
    // Requirements on a plain gate are an error, not ignored.
    let run = gate(
        &[
            "check",
            s(&src.join("demo.gate")),
            "-e",
            s(&evidence),
            "--require-digest",
            &zeros,
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("hold a bundle"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tampered_bundle_is_not_a_bundle() {
    let dir = scratch("bundles", "tampered");
    let src = folder(&dir);
    let bundle = dir.join("demo.bundle");
    gate(&["bundle", "build", s(&src), "-o", s(&bundle)], "");
    let bytes = std::fs::read(&bundle).unwrap();
    // One byte of the gate's text changed (the size stays).
    let at = bytes.windows(11).position(|w| w == b"not vaulted").unwrap();
    let mut changed = bytes.clone();
    changed[at] = b'N';
    let tampered = dir.join("tampered.bundle");
    std::fs::write(&tampered, &changed).unwrap();
    let run = gate(
        &["check", s(&tampered), "-e", s(&src.join("pass.json"))],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("error[E0905]") && run.stderr.contains("has digest"),
        "{}",
        run.stderr
    );
    let run = gate(&["bundle", "verify", s(&tampered)], "");
    assert_eq!(run.code, 2);
    // Cut short.
    std::fs::write(&tampered, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(gate(&["bundle", "verify", s(&tampered)], "").code, 2);
    // Not an archive.
    std::fs::write(&tampered, GATE).unwrap();
    let run = gate(&["bundle", "verify", s(&tampered)], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0905"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn build_refuses_a_folder_it_cannot_bundle_whole() {
    let dir = scratch("bundles", "build");
    let src = folder(&dir);
    // An import from outside the folder.
    std::fs::write(dir.join("outside.gate"), MODULE).unwrap();
    std::fs::write(
        src.join("demo.gate"),
        GATE.replace("lib/types.gate", "../outside.gate"),
    )
    .unwrap();
    let run = gate(
        &["bundle", "build", s(&src), "-o", s(&dir.join("x.bundle"))],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(!dir.join("x.bundle").exists());
    // Two gates at the top: which one is the bundle's must be said.
    std::fs::write(src.join("demo.gate"), GATE).unwrap();
    std::fs::write(
        src.join("other.gate"),
        GATE.replace("gate demo", "gate other"),
    )
    .unwrap();
    let run = gate(
        &["bundle", "build", s(&src), "-o", s(&dir.join("x.bundle"))],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`demo.gate`, `other.gate`"),
        "{}",
        run.stderr
    );
    let run = gate(
        &[
            "bundle",
            "build",
            s(&src),
            "--gate",
            "other.gate",
            "-o",
            s(&dir.join("x.bundle")),
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("bundle other: gate other.gate"),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}
