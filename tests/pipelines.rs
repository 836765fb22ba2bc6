//! What CI reads from gate: several reports from one run (`--output`),
//! GitHub's annotation limits and step files, GitLab Code Quality, SARIF
//! and JUnit from `gate lint` and `gate test`, and the conventions of the
//! command line (colour, `--quiet`, `--version`, exit codes in every help,
//! plurals, the folder walk). The Action, the GitLab job and the
//! pre-commit hooks themselves run in gate-cli/tests/integrations.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use crate::formats::sarif_validator;
use gate_tests::{gate, gate_with, scratch};
use serde_json::Value;

const FAIL: [&str; 6] = [
    "check",
    "../examples/release.gate",
    "-e",
    "../examples/evidence/release-fail.json",
    "--now",
    "2026-05-04T09:30:00Z",
];

#[test]
fn one_run_writes_every_report() {
    let dir = scratch("pipelines", "outputs");
    let file = |n: &str| dir.join(n).display().to_string();
    let mut args: Vec<String> = FAIL.iter().map(|s| s.to_string()).collect();
    for (format, name) in [
        ("json", "record.json"),
        ("sarif", "gate.sarif"),
        ("junit", "gate.xml"),
        ("markdown", "summary.md"),
        ("codequality", "quality.json"),
        ("human", "report.txt"),
    ] {
        args.push("--output".into());
        args.push(format!("{format}={}", file(name)));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = gate(&argv, "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Standard output still has the --format report (human).
    assert!(run.stdout.contains("decision: FAIL"));
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
    let record: Value = serde_json::from_str(&read("record.json")).unwrap();
    assert_eq!(record["outcome"], "fail");
    // Each file is what `--format` writes on its own.
    for (format, name) in [
        ("sarif", "gate.sarif"),
        ("junit", "gate.xml"),
        ("markdown", "summary.md"),
        ("codequality", "quality.json"),
    ] {
        let mut one: Vec<&str> = FAIL.to_vec();
        one.extend(["--format", format]);
        assert_eq!(gate(&one, "").stdout, read(name), "{format}");
    }
    assert!(sarif_validator().is_valid(&serde_json::from_str(&read("gate.sarif")).unwrap()));
    let human = read("report.txt");
    assert!(
        human.contains("decision: FAIL") && !human.contains('\u{1b}'),
        "no colour in files"
    );

    // A report that cannot be written: the others are, and the run exits 2.
    let run = gate(
        &[
            &FAIL[..],
            &[
                "-o",
                "json=/no/such/dir/r.json",
                "-o",
                &format!("sarif={}", file("again.sarif")),
            ],
        ]
        .concat(),
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error[E0901]: cannot write `/no/such/dir/r.json`"),
        "{}",
        run.stderr
    );
    assert!(dir.join("again.sarif").is_file());

    // A wrong spec is a usage error naming the formats.
    let run = gate(&[&FAIL[..], &["-o", "pdf=x.pdf"]].concat(), "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`pdf` is not a format"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_policy_that_does_not_compile_still_writes_its_reports() {
    let dir = scratch("pipelines", "undecided");
    let record = dir.join("r.json").display().to_string();
    let quality = dir.join("q.json").display().to_string();
    let run = gate(
        &[
            "check",
            "no-such.gate",
            "-e",
            "../examples/evidence/release-pass.json",
            "-o",
            &format!("json={record}"),
            "-o",
            &format!("codequality={quality}"),
        ],
        "",
    );
    assert_eq!(run.code, 2);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(r["outcome"], "error");
    let q: Value = serde_json::from_str(&std::fs::read_to_string(&quality).unwrap()).unwrap();
    assert_eq!(q[0]["severity"], "blocker");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn github_annotations_keep_to_the_limits_and_write_the_step_files() {
    let dir = scratch("pipelines", "github");
    let summary = dir.join("summary.md");
    let outputs = dir.join("output");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let mut args = FAIL.to_vec();
    args.extend(["--format", "github"]);
    let run = gate_with(&args, "", |io| {
        io.set_var("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
        io.set_var("GITHUB_OUTPUT", outputs.to_str().unwrap());
    });
    assert_eq!(run.code, 1);
    let count = |kind: &str| {
        run.stdout
            .lines()
            .filter(|l| l.starts_with(&format!("::{kind} ")))
            .count()
    };
    assert!(
        count("error") <= 10 && count("warning") <= 10 && count("notice") <= 10,
        "{}",
        run.stdout
    );
    let record: Value =
        serde_json::from_str(&gate(&[&FAIL[..], &["--format", "json"]].concat(), "").stdout)
            .unwrap();
    let failing: Vec<&str> = record["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let total: usize = record["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["failures"].as_array().unwrap().len())
        .sum();
    if total > 10 {
        assert!(
            run.stdout.contains("more annotations not shown"),
            "{}",
            run.stdout
        );
    }
    // The first failure of every failing rule is shown before a second of any.
    for id in &failing {
        assert!(
            run.stdout.contains(&format!("title={id} ")),
            "{id} is not annotated:\n{}",
            run.stdout
        );
    }
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("earlier step\n## ❌ gate release"),
        "appended, not replaced"
    );
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "outcome=fail\n");

    // Outside Actions nothing is written anywhere.
    let run = gate(&args, "");
    assert_eq!(run.code, 1);
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "outcome=fail\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_and_test_write_sarif_and_junit() {
    let validator = sarif_validator();
    for args in [
        vec!["lint", "lint/vacuous-all/bad.gate", "--format", "sarif"],
        vec![
            "test",
            "../examples/quickstart.test.yaml",
            "--format",
            "sarif",
        ],
        vec!["test", "policy-tests", "--format", "sarif"],
    ] {
        let run = gate(&args, "");
        let log: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", run.stdout));
        assert!(validator.is_valid(&log), "{args:?}");
        assert!(log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .is_some_and(|r| !r.is_empty()));
    }
    let run = gate(
        &["lint", "lint/vacuous-all/bad.gate", "--format", "sarif"],
        "",
    );
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "vacuous-all");
    assert_eq!(result["level"], "warning");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "lint/vacuous-all/bad.gate"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );

    // A lint error fails its file's test case; a file that does not compile
    // errors.
    let dir = scratch("pipelines", "lint-junit");
    std::fs::write(dir.join("broken.gate"), "gate x {").unwrap();
    let broken = dir.join("broken.gate").display().to_string();
    let run = gate(
        &[
            "lint",
            "lint/constant-condition/bad.gate",
            &broken,
            "--format",
            "junit",
        ],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = roxmltree::Document::parse(&run.stdout).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    assert!(
        cases[0].children().any(|c| c.has_tag_name("failure")),
        "{}",
        run.stdout
    );
    assert!(
        cases[1].children().any(|c| c.has_tag_name("error")),
        "{}",
        run.stdout
    );
    let run = gate(&["lint", &broken, "--format", "sarif"], "");
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert!(log["runs"][0]["results"][0]["ruleId"]
        .as_str()
        .unwrap()
        .starts_with('E'));

    // Test reports: a suite per file, a case per case, failures as failures.
    let tests = dir.join("t.test.yaml");
    std::fs::write(
        &tests,
        "policy: ../../../examples/quickstart.gate\ntests:\n  - name: passes\n    evidence: ../../../examples/evidence/release-pass.json\n    expect: {decision: pass}\n  - name: wrongly expected\n    evidence: ../../../examples/evidence/release-pass.json\n    expect: {decision: fail}\n",
    )
    .unwrap();
    let policy = std::fs::canonicalize("../examples/quickstart.gate").unwrap();
    let evidence = std::fs::canonicalize("../examples/evidence/release-pass.json").unwrap();
    let text = std::fs::read_to_string(&tests)
        .unwrap()
        .replace(
            "../../../examples/quickstart.gate",
            policy.to_str().unwrap(),
        )
        .replace(
            "../../../examples/evidence/release-pass.json",
            evidence.to_str().unwrap(),
        );
    std::fs::write(&tests, text).unwrap();
    let junit = dir.join("t.xml");
    let run = gate(
        &[
            "test",
            tests.to_str().unwrap(),
            "--format",
            "sarif",
            "-o",
            &format!("junit={}", junit.display()),
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "test-failed");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    assert!(!cases[0].children().any(|c| c.is_element()));
    assert!(cases[1].children().any(|c| c.has_tag_name("failure")));
    assert_eq!(cases[1].attribute("line"), Some("6"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn colour_follows_the_flags_then_the_environment() {
    use gate_cli::io::ColorEnv;
    let args = [
        "check",
        "../examples/release.gate",
        "-e",
        "../examples/evidence/release-fail.json",
    ];
    let coloured = |run: &gate_tests::Run| run.stdout.contains('\u{1b}');
    let term = ColorEnv {
        term_color: true,
        ..ColorEnv::default()
    };
    let on_terminal = |env: ColorEnv, extra: &[&str]| {
        gate_with(&[&args[..], extra].concat(), "", |io| {
            io.stdout_tty = true;
            io.colors = env;
        })
    };
    assert!(coloured(&on_terminal(term, &[])));
    assert!(
        !coloured(&on_terminal(
            ColorEnv {
                no_color: true,
                ..term
            },
            &[]
        )),
        "NO_COLOR"
    );
    assert!(
        !coloured(&on_terminal(ColorEnv::default(), &[])),
        "TERM=dumb"
    );
    assert!(
        !coloured(&on_terminal(
            ColorEnv {
                clicolor_off: true,
                ..term
            },
            &[]
        )),
        "CLICOLOR=0"
    );
    // Flags win over the environment.
    assert!(coloured(&on_terminal(
        ColorEnv {
            no_color: true,
            ..term
        },
        &["--color", "always"]
    )));
    assert!(!coloured(&on_terminal(term, &["--color", "never"])));
    // CLICOLOR_FORCE / FORCE_COLOR colour a pipe.
    let piped = gate_with(&args, "", |io| {
        io.colors = ColorEnv {
            force: true,
            ..ColorEnv::default()
        }
    });
    assert!(coloured(&piped));
    assert!(!coloured(&gate(&args, "")), "a pipe has no colour");
}

#[test]
fn quiet_prints_nothing_but_keeps_the_exit_code_and_the_files() {
    let dir = scratch("pipelines", "quiet");
    let record = dir.join("r.json");
    let run = gate(
        &[
            &FAIL[..],
            &["--quiet", "--record", record.to_str().unwrap()],
        ]
        .concat(),
        "",
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(record.is_file());
    let run = gate(&["-q", "check", "no-such.gate", "-e", "x.json"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no-such.gate"),
        "errors still go to standard error"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn version_and_records_name_the_commit() {
    let run = gate(&["--version"], "");
    let engine = gate_eval::decision::Engine::this();
    assert_eq!(run.stdout, format!("gate {}\n", gate_cli::version()));
    let record: Value =
        serde_json::from_str(&gate(&[&FAIL[..], &["--format", "json"]].concat(), "").stdout)
            .unwrap();
    match engine.commit {
        Some(commit) => {
            assert!(run.stdout.contains(&commit));
            assert_eq!(record["engine"]["commit"], commit.as_str());
        }
        // Built outside a git checkout (a source archive): nothing to name.
        None => assert!(record["engine"].get("commit").is_none()),
    }
}

#[test]
fn every_command_documents_its_exit_codes() {
    let top = gate(&["--help"], "");
    let commands: Vec<String> = top
        .stdout
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|w| w != "help")
        .collect();
    assert!(commands.len() >= 11, "{commands:?}");
    // Groups of commands: each of theirs.
    let mut each: Vec<Vec<&str>> = Vec::new();
    for c in &commands {
        match c.as_str() {
            "schema" => each.push(vec!["schema", "infer"]),
            "bundle" => {
                for sub in ["build", "sign", "verify"] {
                    each.push(vec!["bundle", sub]);
                }
            }
            other => each.push(vec![other]),
        }
    }
    for args in each {
        let c = args.join(" ");
        let args: Vec<&str> = args.into_iter().chain(["--help"]).collect();
        let help = gate(&args, "").stdout;
        assert!(
            help.contains("Exit codes:"),
            "`gate {c} --help` has no exit codes:\n{help}"
        );
        // No example is broken over two lines by the help's wrapping (the
        // examples fit in 100 columns, where clap wraps).
        let examples = help.split("Example").nth(1).unwrap_or("");
        for line in examples.lines() {
            assert!(
                line.chars().count() <= 100,
                "`gate {c} --help`: a line over 100 columns: {line}"
            );
        }
    }
}

#[test]
fn one_error_style_for_missing_files() {
    let policy = gate(
        &[
            "check",
            "no-such.gate",
            "-e",
            "../examples/evidence/release-pass.json",
        ],
        "",
    );
    let evidence = gate(
        &["check", "../examples/release.gate", "-e", "no-such.json"],
        "",
    );
    assert_eq!((policy.code, evidence.code), (2, 2));
    let head = |s: &str| s.lines().next().unwrap_or("").to_string();
    let (p, e) = (head(&policy.stderr), head(&evidence.stderr));
    // Both: `error[CODE]: cannot read `FILE`: No such file or directory …`
    for (line, file) in [(&p, "no-such.gate"), (&e, "no-such.json")] {
        assert!(
            line.starts_with("error[E") || line.contains("× cannot read"),
            "{line}"
        );
        assert!(line.contains(&format!("`{file}`")), "{line}");
    }
    let shape = |l: &str| l.split_once("]:").map(|(c, _)| c.len()).is_some();
    assert_eq!(shape(&p), shape(&e), "\n{p}\n{e}");
}

#[test]
fn summaries_use_plurals() {
    let one = gate(
        &[
            "check",
            "../examples/quickstart.gate",
            "-e",
            "../examples/evidence/release-fail.json",
        ],
        "",
    );
    assert!(one.stdout.contains("— 1 rule: "), "{}", one.stdout);
    assert!(!one.stdout.contains("(s)"), "{}", one.stdout);
    assert!(one.stdout.contains("0 errors"), "{}", one.stdout);
}

#[cfg(unix)]
#[test]
fn folders_are_walked_once_and_unreadable_ones_are_errors() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("pipelines", "walk");
    let lp = dir.join("loop");
    std::fs::create_dir_all(&lp).unwrap();
    std::fs::write(lp.join("a.gate"), "gate a { title \"A\" }\nevidence { x: bool }\nrule r \"R\" {\n  controls \"OWASP-NHI:NHI2\"\n  require x else \"no\"\n}\n").unwrap();
    std::os::unix::fs::symlink(&lp, lp.join("self")).unwrap();
    let run = gate(&["lint", lp.to_str().unwrap()], "");
    assert!(
        run.stdout.ends_with("in 1 file\n"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let run = gate(&["fmt", "--check", lp.to_str().unwrap()], "");
    assert_eq!(run.code, 0, "{}", run.stderr);

    // A folder that cannot be read. As root every folder can be read: then
    // there is nothing to check here.
    let locked = lp.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(locked.join("b.gate"), "").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_err() {
        let run = gate(&["lint", lp.to_str().unwrap()], "");
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
        let run = gate(&["fmt", "--check", lp.to_str().unwrap()], "");
        assert_eq!(run.code, 2, "{}", run.stderr);
    } else {
        eprintln!("skipped the unreadable folder: running as root");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_explain_shows_the_examples_itself() {
    let run = gate(&["lint", "--explain", "vacuous-all"], "");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("Fails:") && run.stdout.contains("Passes:"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("docs/lint.md#"),
        "no link into a clone"
    );
}
