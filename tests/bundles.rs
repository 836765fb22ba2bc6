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
    for required in [
        ["--require-digest", zeros.as_str()],
        ["--bundle-trust", "trust.yaml"],
    ] {
        let gate_file = src.join("demo.gate");
        let mut args = vec!["check", s(&gate_file), "-e", s(&evidence)];
        args.extend_from_slice(&required);
        let run = gate(&args, "");
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("hold a bundle"), "{}", run.stderr);
    }
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

/// A built and signed bundle of [`folder`]: (bundle, public key, digest).
fn built(dir: &Path) -> (PathBuf, PathBuf, String) {
    let src = folder(dir);
    let bundle = dir.join("demo.bundle");
    let run = gate(
        &[
            "bundle",
            "build",
            s(&src),
            "-o",
            s(&bundle),
            "--version",
            "2.0.0",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let keys = dir.join("k");
    assert_eq!(gate(&["keygen", "--out", s(&keys)], "").code, 0);
    let run = gate(
        &["bundle", "sign", s(&bundle), "--key", s(&dir.join("k.key"))],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let digest = gate_eval::sha256_hex(&std::fs::read(&bundle).unwrap());
    (bundle, dir.join("k.pub"), digest)
}

#[test]
fn test_and_lint_take_a_bundle_and_show_its_files_under_its_name() {
    let dir = scratch("bundles", "test-lint");
    let (bundle, public, digest) = built(&dir);
    let run = gate(
        &[
            "test",
            s(&bundle),
            "--require-signer",
            s(&public),
            "--require-digest",
            &digest,
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let shown = format!("{}/demo.test.yaml", bundle.display());
    assert!(run.stdout.contains(&shown), "{}", run.stdout);
    assert!(!run.stdout.contains("gate-bundle-"), "{}", run.stdout);
    // A report written to a file shows the same names.
    let junit = dir.join("tests.xml");
    let run = gate(
        &["test", s(&bundle), "-o", &format!("junit={}", s(&junit))],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(&shown) && !xml.contains("gate-bundle-"),
        "{xml}"
    );

    let run = gate(&["lint", s(&bundle), "--format", "json"], "");
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let text = v.to_string();
    assert!(!text.contains("gate-bundle-"), "{text}");

    // Held to the requirements like `check`: refused, nothing run.
    let other = dir.join("other");
    assert_eq!(gate(&["keygen", "--out", s(&other)], "").code, 0);
    for command in ["test", "lint"] {
        let run = gate(
            &[
                command,
                s(&bundle),
                "--require-signer",
                s(&dir.join("other.pub")),
            ],
            "",
        );
        assert_eq!(run.code, 1, "{command}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("E0906"), "{command}: {}", run.stderr);
        assert!(!run.stdout.contains("passed"), "{command}: {}", run.stdout);
    }
    // Requirements for a folder are an error, not ignored.
    let run = gate(
        &["test", s(&dir.join("src")), "--require-digest", &digest],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is not one"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_policy_from_a_registry_must_be_pinned_by_digest() {
    let dir = scratch("bundles", "unpinned");
    let evidence = dir.join("e.json");
    std::fs::write(&evidence, r#"{"secrets": []}"#).unwrap();
    for policy in [
        "oci://registry.example/policies/release:1.0",
        "oci://registry.example/policies/release",
    ] {
        let run = gate(&["check", policy, "-e", s(&evidence)], "");
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stderr.contains("E0906"), "{}", run.stderr);
        assert!(
            run.stderr.contains("not pinned by digest"),
            "{}",
            run.stderr
        );
    }
    let run = gate(
        &[
            "check",
            "oci://registry.example/p/r@sha256:abc",
            "-e",
            s(&evidence),
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0907"), "{}", run.stderr);
    // A registry that is not there: a clear error, nothing run.
    let zeros = format!("sha256:{}", "0".repeat(64));
    let run = gate(
        &[
            "check",
            &format!("oci://127.0.0.1:9/p/r@{zeros}"),
            "-e",
            s(&evidence),
        ],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("cannot connect to the registry `127.0.0.1:9`"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The registry `.ci/registry` starts (`GATE_TEST_REGISTRY`, with its
/// user and password), or `None` when it is not running here; with
/// `GATE_REQUIRE_REGISTRY=1` (CI) it must be.
struct Registry {
    host: String,
    user: String,
    password: String,
}

fn registry() -> Option<Registry> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    match (
        var("GATE_TEST_REGISTRY"),
        var("GATE_TEST_REGISTRY_USER"),
        var("GATE_TEST_REGISTRY_PASSWORD"),
    ) {
        (Some(host), Some(user), Some(password)) => Some(Registry {
            host,
            user,
            password,
        }),
        _ => {
            assert!(
                var("GATE_REQUIRE_REGISTRY").is_none(),
                "GATE_REQUIRE_REGISTRY is set and GATE_TEST_REGISTRY is not: start one with `.ci/registry start DIR`"
            );
            eprintln!(
                "no registry (GATE_TEST_REGISTRY): `.ci/registry start DIR` starts one; skipped"
            );
            None
        }
    }
}

impl Registry {
    /// A Docker configuration in `dir` with this registry's credentials
    /// (as `docker login` writes it).
    fn login(&self, dir: &Path) -> PathBuf {
        use base64::Engine as _;
        let conf = dir.join("docker");
        std::fs::create_dir_all(&conf).unwrap();
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.user, self.password));
        std::fs::write(
            conf.join("config.json"),
            serde_json::json!({"auths": {self.host.as_str(): {"auth": auth}}}).to_string(),
        )
        .unwrap();
        conf
    }

    /// A repository of its own for one test run.
    fn repo(&self, name: &str) -> String {
        format!(
            "oci://{}/gate-tests/{}-{name}",
            self.host,
            std::process::id()
        )
    }
}

/// `gate ARGS` with `DOCKER_CONFIG` set to `conf`.
fn gate_in(conf: &Path, args: &[&str]) -> gate_tests::Run {
    gate_tests::gate_with(args, "", |io| io.set_var("DOCKER_CONFIG", s(conf)))
}

#[test]
fn a_bundle_goes_through_a_real_registry_pinned_by_digest() {
    let Some(reg) = registry() else { return };
    let dir = scratch("bundles", "registry");
    let (bundle, public, digest) = built(&dir);
    let conf = reg.login(&dir);
    let repo = reg.repo("release");
    let tagged = format!("{repo}:2.0.0");

    let run = gate_in(&conf, &["bundle", "push", s(&bundle), &tagged]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("with its signature"), "{}", run.stdout);
    let pinned = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("pinned: "))
        .unwrap()
        .to_string();
    assert!(pinned.starts_with(&format!("{repo}@sha256:")), "{pinned}");
    // Pushing the same bundle again makes the same manifest.
    let again = gate_in(&conf, &["bundle", "push", s(&bundle), &tagged]);
    assert!(again.stdout.contains(&pinned), "{}", again.stdout);

    // Pulled by tag and by digest: the same bytes, the signature beside.
    for reference in [tagged.as_str(), pinned.as_str()] {
        let out = dir.join("pulled.bundle");
        let run = gate_in(
            &conf,
            &[
                "bundle",
                "pull",
                reference,
                "-o",
                s(&out),
                "--require-signer",
                s(&public),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!("pulled: {pinned}")),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("signature: verified"), "{}", run.stdout);
        assert_eq!(
            std::fs::read(&out).unwrap(),
            std::fs::read(&bundle).unwrap()
        );
        assert_eq!(
            std::fs::read(dir.join("pulled.bundle.sig")).unwrap(),
            std::fs::read(dir.join("demo.bundle.sig")).unwrap()
        );
    }

    // check runs it pinned, held to digest and signer; the record names
    // where it came from.
    let evidence = dir.join("src/pass.json");
    let record = dir.join("record.json");
    let run = gate_in(
        &conf,
        &[
            "check",
            &pinned,
            "--require-digest",
            &digest,
            "--require-signer",
            s(&public),
            "-e",
            s(&evidence),
            "--record",
            s(&record),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(r["policy"]["bundle"]["digest"], digest.as_str());
    assert_eq!(r["policy"]["bundle"]["source"], pinned.as_str());
    assert!(r["policy"]["bundle"]["signer"].is_string());
    // verify-record replays it from the registry.
    let run = gate_in(
        &conf,
        &[
            "verify-record",
            s(&record),
            "--policy",
            &pinned,
            "--require-signer",
            s(&public),
            "-e",
            s(&evidence),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // test and lint take it too; verify names where it was pulled from.
    let run = gate_in(&conf, &["test", &pinned]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("{pinned}/demo.test.yaml")),
        "{}",
        run.stdout
    );
    let run = gate_in(
        &conf,
        &["bundle", "verify", &pinned, "--require-signer", s(&public)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("pulled: {pinned}")),
        "{}",
        run.stdout
    );

    // Another key required: refused, nothing written or run.
    gate(&["keygen", "--out", s(&dir.join("x"))], "");
    let out = dir.join("refused.bundle");
    let run = gate_in(
        &conf,
        &[
            "bundle",
            "pull",
            &pinned,
            "-o",
            s(&out),
            "--require-signer",
            s(&dir.join("x.pub")),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E0906"), "{}", run.stderr);
    assert!(!out.exists());
    let run = gate_in(
        &conf,
        &[
            "check",
            &pinned,
            "--require-digest",
            &format!("sha256:{}", "0".repeat(64)),
            "-e",
            s(&evidence),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("E0906"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_registry_that_cannot_give_the_bundle_stops_the_command() {
    let Some(reg) = registry() else { return };
    let dir = scratch("bundles", "registry-errors");
    let (bundle, _public, _digest) = built(&dir);
    let conf = reg.login(&dir);
    let repo = reg.repo("errors");
    let run = gate_in(
        &conf,
        &["bundle", "push", s(&bundle), &format!("{repo}:v1")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let evidence = dir.join("src/pass.json");
    let zeros = format!("sha256:{}", "0".repeat(64));

    // A digest the repository does not have; a tag it does not have.
    let wrong = format!("{repo}@{zeros}");
    let run = gate_in(&conf, &["check", &wrong, "-e", s(&evidence)]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("error[E0907]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("no such tag or digest"),
        "{}",
        run.stderr
    );
    let out = dir.join("none.bundle");
    let run = gate_in(
        &conf,
        &["bundle", "pull", &format!("{repo}:missing"), "-o", s(&out)],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[E0907]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("no such tag or digest"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    // A repository that is not there.
    let run = gate_in(
        &conf,
        &[
            "bundle",
            "pull",
            &format!(
                "oci://{}/gate-tests/none-{}:v1",
                reg.host,
                std::process::id()
            ),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0907"), "{}", run.stderr);

    // No credentials, or wrong ones: refused by the registry.
    let empty = dir.join("nobody");
    std::fs::create_dir_all(&empty).unwrap();
    let run = gate_in(
        &empty,
        &["bundle", "pull", &format!("{repo}:v1"), "-o", s(&out)],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("refuses the credentials"),
        "{}",
        run.stderr
    );
    let bad = Registry {
        host: reg.host.clone(),
        user: reg.user.clone(),
        password: "not-the-password".into(),
    }
    .login(&dir.join("bad"));
    let run = gate_in(&bad, &["bundle", "push", s(&bundle), &format!("{repo}:v2")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("refuses the credentials"),
        "{}",
        run.stderr
    );

    // An unsigned bundle when a signer is required.
    std::fs::remove_file(dir.join("demo.bundle.sig")).unwrap();
    let run = gate_in(
        &conf,
        &["bundle", "push", s(&bundle), &format!("{repo}:unsigned")],
    );
    assert!(run.stdout.contains("unsigned"), "{}", run.stdout);
    let run = gate_in(
        &conf,
        &[
            "bundle",
            "pull",
            &format!("{repo}:unsigned"),
            "-o",
            s(&out),
            "--require-signer",
            s(&dir.join("k.pub")),
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("has no signature"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The statement a bundle's signature covers, as `gate bundle sign` makes
/// it: predicate type `urn:gate:policy-bundle:v1`, subject the bundle.
fn bundle_statement(predicate_type: &str, digest: &str) -> String {
    serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "demo", "digest": {"sha256": digest.trim_start_matches("sha256:")}}],
        "predicateType": predicate_type,
        "predicate": {"name": "demo", "version": "2.0.0", "gate": "demo.gate"},
    })
    .to_string()
}

/// A Sigstore bundle of `statement` signed with `key` by model-signing's
/// key signer (sigstore-models writes it), at `out`.
fn sigstore_signed(python: &Path, dir: &Path, key: &str, statement: &str, out: &Path) {
    let st = dir.join("statement.json");
    std::fs::write(&st, statement).unwrap();
    gate_tests::run_tool(
        dir,
        python,
        &[
            &format!("{}/attestations/reference.py", env!("CARGO_MANIFEST_DIR")),
            "sigstore-sign",
            key,
            s(&st),
            s(out),
        ],
    );
}

/// A bundle (with gate's signature moved to `gate.sig`) signed by the
/// reference tool with an ECDSA key, beside it as `sigstore sign` names
/// it, and a trust configuration trusting that key as `policy-team`.
/// Returns the bundle, gate's public key, the digest, the Sigstore
/// signature and the trust configuration.
fn sigstore_signed_bundle(
    python: &Path,
    dir: &Path,
) -> (PathBuf, PathBuf, String, PathBuf, PathBuf) {
    let (bundle, gate_public, digest) = built(dir);
    gate_tests::run_tool(
        dir,
        python,
        &[
            &format!("{}/attestations/reference.py", env!("CARGO_MANIFEST_DIR")),
            "keys",
            "k",
        ],
    );
    std::fs::rename(dir.join("demo.bundle.sig"), dir.join("gate.sig")).unwrap();
    let signature = dir.join("demo.bundle.sigstore.json");
    let statement = bundle_statement("urn:gate:policy-bundle:v1", &digest);
    sigstore_signed(python, dir, "k/ecdsa-p256.key", &statement, &signature);
    let trust = dir.join("trust.yaml");
    std::fs::write(
        &trust,
        "keys:\n  - name: policy-team\n    file: k/ecdsa-p256.pub\n",
    )
    .unwrap();
    (bundle, gate_public, digest, signature, trust)
}

#[test]
fn a_bundle_signed_with_sigstore_is_held_to_a_trust_configuration() {
    let Some(python) = gate_tests::reference_python() else {
        return;
    };
    let dir = scratch("bundles", "sigstore");
    let (bundle, gate_public, digest, signature, trust) = sigstore_signed_bundle(&python, &dir);
    let run = gate(
        &["bundle", "verify", s(&bundle), "--bundle-trust", s(&trust)],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("signature: verified, key `policy-team` (sha256:"),
        "{}",
        run.stdout
    );
    let evidence = dir.join("src/pass.json");
    let check = |extra: &[&str]| {
        let mut args = vec!["check", s(&bundle), "-e", s(&evidence), "--format", "json"];
        args.extend_from_slice(extra);
        gate(&args, "")
    };
    let run = check(&["--bundle-trust", s(&trust), "--require-digest", &digest]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    let signed_by = &r["policy"]["bundle"]["signed_by"];
    assert_eq!(signed_by["kind"], "key");
    assert_eq!(signed_by["name"], "policy-team");
    assert!(signed_by["keyid"].as_str().unwrap().starts_with("sha256:"));
    assert!(r["policy"]["bundle"].get("signer").is_none());
    // verify-record replays it with the same requirement.
    let record = dir.join("record.json");
    std::fs::write(&record, &run.stdout).unwrap();
    let replay = gate(
        &[
            "verify-record",
            s(&record),
            "--policy",
            s(&bundle),
            "--bundle-trust",
            s(&trust),
            "-e",
            s(&evidence),
        ],
        "",
    );
    assert_eq!(replay.code, 0, "{}{}", replay.stdout, replay.stderr);

    // Each of these is refused, and the gate never runs.
    let refused = |extra: &[&str], why: &str| {
        let run = check(extra);
        assert_eq!(run.code, 2, "{why}: {}", run.stderr);
        assert!(
            run.stderr.contains("error[E0906]") && run.stderr.contains(why),
            "{why}: {}",
            run.stderr
        );
        let r: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(r["outcome"], "error");
        assert!(r["rules"].as_array().is_none_or(|r| r.is_empty()), "{r:#}");
    };
    // Another key is trusted.
    let other = dir.join("other-trust.yaml");
    std::fs::write(
        &other,
        "keys:\n  - name: someone\n    file: k/ecdsa-p384.pub\n",
    )
    .unwrap();
    refused(&["--bundle-trust", s(&other)], "no trusted key verifies");
    // A keyless signer is trusted, and the bundle is signed with a key.
    let keyless = dir.join("keyless.yaml");
    std::fs::write(
        &keyless,
        format!(
            "sigstore:\n  - name: release\n    trusted_root: {}/attestations/sigstore-public-good.trusted_root.json\n    identity: https://github.com/acme/policies/.github/workflows/release.yml@refs/heads/main\n    issuer: https://token.actions.githubusercontent.com\n",
            env!("CARGO_MANIFEST_DIR")
        ),
    )
    .unwrap();
    refused(&["--bundle-trust", s(&keyless)], "no keys are trusted");
    // A statement of another bundle; one of another kind.
    let forged = dir.join("forged.sigstore.json");
    sigstore_signed(
        &python,
        &dir,
        "k/ecdsa-p256.key",
        &bundle_statement("urn:gate:policy-bundle:v1", &"ab".repeat(32)),
        &forged,
    );
    refused(
        &[
            "--bundle-trust",
            s(&trust),
            "--bundle-signature",
            s(&forged),
        ],
        "another bundle",
    );
    sigstore_signed(
        &python,
        &dir,
        "k/ecdsa-p256.key",
        &bundle_statement("https://slsa.dev/verification_summary/v1", &digest),
        &forged,
    );
    refused(
        &[
            "--bundle-trust",
            s(&trust),
            "--bundle-signature",
            s(&forged),
        ],
        "not of a bundle",
    );
    // A byte of the signed statement changed.
    let mut tampered: Value =
        serde_json::from_str(&std::fs::read_to_string(&signature).unwrap()).unwrap();
    {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let payload = b64
            .decode(tampered["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap();
        let text = String::from_utf8(payload)
            .unwrap()
            .replace("2.0.0", "2.0.1");
        tampered["dsseEnvelope"]["payload"] = Value::String(b64.encode(text));
    }
    std::fs::write(&forged, tampered.to_string()).unwrap();
    refused(
        &[
            "--bundle-trust",
            s(&trust),
            "--bundle-signature",
            s(&forged),
        ],
        "does not verify",
    );
    // gate's own signature checked against the same kind of configuration.
    let gate_trust = dir.join("gate-trust.yaml");
    std::fs::write(
        &gate_trust,
        format!("keys:\n  - name: gate-key\n    file: {}\n", s(&gate_public)),
    )
    .unwrap();
    let run = check(&[
        "--bundle-trust",
        s(&gate_trust),
        "--bundle-signature",
        s(&dir.join("gate.sig")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // One kind of signer requirement at a time.
    let run = check(&[
        "--bundle-trust",
        s(&trust),
        "--require-signer",
        s(&gate_public),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sigstore_signature_goes_through_the_registry_with_its_bundle() {
    let Some(reg) = registry() else { return };
    let Some(python) = gate_tests::reference_python() else {
        return;
    };
    let dir = scratch("bundles", "registry-sigstore");
    let (bundle, _, _, signature, trust) = sigstore_signed_bundle(&python, &dir);
    let conf = reg.login(&dir);
    let tagged = format!("{}:1", reg.repo("sigstore"));
    let run = gate_in(
        &conf,
        &[
            "bundle",
            "push",
            s(&bundle),
            &tagged,
            "--signature",
            s(&signature),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pinned = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("pinned: "))
        .unwrap()
        .to_string();
    let out = dir.join("pulled.bundle");
    let pull = |trust: &Path| {
        gate_in(
            &conf,
            &[
                "bundle",
                "pull",
                &pinned,
                "-o",
                s(&out),
                "--bundle-trust",
                s(trust),
            ],
        )
    };
    let run = pull(&trust);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("signature: verified, key `policy-team`"),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(dir.join("pulled.bundle.sig")).unwrap(),
        std::fs::read(&signature).unwrap()
    );
    let run = gate_in(
        &conf,
        &[
            "check",
            &pinned,
            "--bundle-trust",
            s(&trust),
            "-e",
            s(&dir.join("src/pass.json")),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Another signer trusted: refused, nothing written.
    std::fs::remove_file(&out).unwrap();
    let other = dir.join("other.yaml");
    std::fs::write(&other, "keys:\n  - name: someone\n    file: k/rsa.pub\n").unwrap();
    let run = pull(&other);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E0906"), "{}", run.stderr);
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
