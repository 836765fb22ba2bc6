//! The CI integrations, run as CI runs them, with the `gate` binary this
//! package builds:
//!
//! - the GitHub Action (`action.yml`): each step run as the runner runs a
//!   composite action's steps: its `env` with the `${{ }}` expressions
//!   resolved, in a temporary folder holding the runner's files
//!   (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`), each step's
//!   outputs read back from its `GITHUB_OUTPUT` file as the runner reads
//!   them. GitHub's own runner, and `act` (a Go program that needs Docker),
//!   cannot run here; the `upload-sarif` step talks to GitHub's API, so
//!   the test checks the file it would upload instead. The install step
//!   runs with the `gate` input (the binary under test): without it, it
//!   runs `cargo install --path gate-cli`, which `cargo install` itself
//!   is tested for, and which would build again what the test has;
//! - the pre-commit hooks (`.pre-commit-hooks.yaml`), run by the real
//!   `pre-commit` from PyPI in a temporary git repository.
//!
//! Both need the Python environment `.ci/run` makes (`GATE_REFERENCE_PYTHON`:
//! PyYAML reads `action.yml`, pre-commit runs the hooks). Without it the
//! tests say so and pass, unless `GATE_REQUIRE_REFERENCE_TOOLS` is set (as
//! in CI), when they fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the Action's folder).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The gate binary under test.
fn gate_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gate"))
}

/// The reference environment's python, or `None` (and why) when the tests
/// may go without it.
fn python() -> Option<PathBuf> {
    match std::env::var_os("GATE_REFERENCE_PYTHON") {
        Some(p) if Path::new(&p).exists() => Some(PathBuf::from(p)),
        _ if std::env::var_os("GATE_REQUIRE_REFERENCE_TOOLS").is_some() => {
            panic!("GATE_REFERENCE_PYTHON does not name the reference tools' python (bash .ci/run makes it)")
        }
        _ => {
            eprintln!("skipped: GATE_REFERENCE_PYTHON is not set (bash .ci/run sets it)");
            None
        }
    }
}

/// An empty temporary folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gate-integrations-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first YAML block of section `heading` of docs/ci.md, as JSON.
fn doc_yaml(python: &Path, heading: &str) -> Value {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let head = format!("\n## {heading}\n");
    let section = &doc[doc
        .find(&head)
        .unwrap_or_else(|| panic!("docs/ci.md has no {head:?}"))..];
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + section[start..].find("\n```").unwrap();
    yaml(python, &section[start..end])
}

/// YAML text as JSON, read by PyYAML.
fn yaml(python: &Path, text: &str) -> Value {
    let mut child = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---------------------------------------------------------------- Action

/// `action.yml` as JSON, read by PyYAML.
fn action(python: &Path) -> Value {
    yaml(
        python,
        &std::fs::read_to_string(root().join("action.yml")).unwrap(),
    )
}

/// What one run of the Action did.
#[derive(Debug, Default)]
struct ActionRun {
    /// Each step's id (or its place), exit code and standard output.
    steps: Vec<(String, Option<i32>, String)>,
    /// Each step's outputs.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// The job summary.
    summary: String,
    /// Whether the job failed (a step exited non-zero).
    failed: bool,
}

/// Runs the Action's steps with `inputs` (the rest at their defaults), in
/// `work` (the repository's checkout: the job's working folder).
fn run_action(action: &Value, inputs: &[(&str, &str)], work: &Path) -> ActionRun {
    let temp = work.join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let summary = temp.join("step_summary.md");
    std::fs::write(&summary, "").unwrap();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_object().unwrap() {
        if let Some(d) = spec["default"].as_str() {
            values.insert(name.clone(), d.to_string());
        }
    }
    for (k, v) in inputs {
        assert!(
            action["inputs"].get(*k).is_some(),
            "the Action has no input `{k}`"
        );
        values.insert((*k).to_string(), (*v).to_string());
    }
    for (name, spec) in action["inputs"].as_object().unwrap() {
        if spec["required"] == true {
            assert!(values.contains_key(name), "input `{name}` is required");
        }
    }
    let mut run = ActionRun::default();
    assert_eq!(action["runs"]["using"], "composite");
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let id = step["id"]
            .as_str()
            .map_or_else(|| format!("#{i}"), str::to_string);
        let ctx = Context {
            inputs: &values,
            steps: &run.outputs,
            action_path: &root(),
            failed: run.failed,
        };
        let when = step["if"].as_str().unwrap_or("success()");
        if !ctx.condition(when) {
            run.steps.push((id, None, String::new()));
            continue;
        }
        if let Some(uses) = step["uses"].as_str() {
            // Cannot run here (GitHub's API): check what it would be given.
            assert!(
                uses.starts_with("github/codeql-action/upload-sarif@"),
                "{uses}"
            );
            let file = ctx.expand(step["with"]["sarif_file"].as_str().unwrap());
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("upload-sarif would get `{file}`: {e}"));
            let log: serde_sarif::sarif::Sarif = serde_json::from_str(&text).unwrap();
            assert_eq!(log.runs.len(), 1);
            run.steps
                .push((id, Some(0), format!("would upload {file}")));
            continue;
        }
        assert_eq!(step["shell"], "bash", "step {id} runs in bash");
        let script = step["run"].as_str().unwrap();
        assert!(
            !script.contains("${{"),
            "step {id} splices an expression into its script; inputs go through `env`"
        );
        let output = temp.join(format!("output-{i}"));
        std::fs::write(&output, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["-e", "-c", script]).current_dir(work);
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                cmd.env(k, ctx.expand(v.as_str().unwrap()));
            }
        }
        cmd.env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_TEMP", &temp);
        let out = cmd.output().unwrap();
        let code = out.status.code();
        if code != Some(0) {
            run.failed = true;
        }
        let text = std::fs::read_to_string(&output).unwrap();
        run.outputs.insert(id.clone(), parse_outputs(&text));
        run.steps.push((
            id,
            code,
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        ));
    }
    run.summary = std::fs::read_to_string(&summary).unwrap();
    run
}

/// A `GITHUB_OUTPUT` file as the runner reads it: `name=value` lines and
/// `name<<DELIMITER` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        } else if !line.is_empty() {
            panic!("not an output line: {line:?}");
        }
    }
    out
}

/// The expression context of a step: the subset of GitHub's expressions
/// the Action uses (anything else fails the test, so the Action cannot use
/// what is not checked here).
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    steps: &'a BTreeMap<String, BTreeMap<String, String>>,
    action_path: &'a Path,
    failed: bool,
}

impl Context<'_> {
    /// `text` with every `${{ … }}` replaced by its value.
    fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("an unclosed expression") + start;
            out.push_str(&self.value(rest[start + 3..end].trim()));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn value(&self, expr: &str) -> String {
        if let Some(name) = expr.strip_prefix("inputs.") {
            return self.inputs.get(name).cloned().unwrap_or_default();
        }
        if expr == "github.action_path" {
            return self.action_path.display().to_string();
        }
        if let Some(rest) = expr.strip_prefix("steps.") {
            let (step, output) = rest.split_once(".outputs.").expect(expr);
            return self
                .steps
                .get(step)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default();
        }
        if let Some(text) = expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
            return text.to_string();
        }
        panic!("an expression the Action may not use: {expr}");
    }

    /// An `if:` condition: `&&` of `always()`, `success()`, `failure()`,
    /// `A == B` and `A != B`.
    fn condition(&self, text: &str) -> bool {
        let text = text.trim();
        let text = text
            .strip_prefix("${{")
            .and_then(|t| t.strip_suffix("}}"))
            .unwrap_or(text);
        let mut always = false;
        let mut status = !self.failed;
        let mut all = true;
        for part in text.split("&&").map(str::trim) {
            match part {
                "always()" => always = true,
                "success()" => status = !self.failed,
                "failure()" => status = self.failed,
                _ => {
                    let (a, b, equal) = if let Some((a, b)) = part.split_once("==") {
                        (a, b, true)
                    } else if let Some((a, b)) = part.split_once("!=") {
                        (a, b, false)
                    } else {
                        panic!("a condition the Action may not use: {part}")
                    };
                    let same = self.value(a.trim()) == self.value(b.trim());
                    all &= same == equal;
                }
            }
        }
        (always || status) && all
    }
}

/// The Action's steps over real evidence: the decision's outputs, the
/// annotations, the job summary, the SARIF report, and the verdict.
#[test]
fn the_action_runs_with_the_runner_files() {
    let Some(python) = python() else { return };
    let action = action(&python);
    let work = scratch("action");
    // The job's checkout: the example gate and its evidence.
    let examples = root().join("examples");
    copy_dir(&examples, &work.join("examples"));
    let gate = gate_bin();
    let gate = gate.to_str().unwrap();

    // A failing release: the job fails with 1.
    let run = run_action(
        &action,
        &[
            ("policy", "examples/release.gate"),
            ("evidence", "examples/evidence/release-fail.json\n"),
            ("args", "--now\n2026-05-04T09:30:00Z"),
            ("gate", gate),
        ],
        &work,
    );
    let check = &run.outputs["check"];
    assert_eq!(check["outcome"], "fail", "{run:#?}");
    assert_eq!(check["exit-code"], "1");
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(&check["record"]).unwrap()).unwrap();
    assert_eq!(record["outcome"], "fail");
    assert_eq!(record["evaluated_at"], "2026-05-04T09:30:00Z");
    let (_, code, stdout) = run.steps.iter().find(|s| s.0 == "check").unwrap();
    assert_eq!(
        *code,
        Some(0),
        "the check step reports; the verdict step fails"
    );
    assert!(
        stdout.contains("::error file=examples/evidence/release-fail.json,line="),
        "annotations point at the evidence: {stdout}"
    );
    assert!(
        run.summary.contains("## ❌ gate release"),
        "{}",
        run.summary
    );
    assert!(run.steps.iter().any(|s| s.2.starts_with("would upload")));
    let verdict = run.steps.iter().find(|s| s.0 == "verdict").unwrap();
    assert_eq!(verdict.1, Some(1));
    assert!(run.failed);

    // A passing release: every step passes.
    let run = run_action(
        &action,
        &[
            ("policy", "examples/release.gate"),
            ("evidence", "examples/evidence/release-pass.json"),
            ("args", "--now\n2026-05-04T09:30:00Z"),
            ("gate", gate),
            ("sarif", "false"),
        ],
        &work,
    );
    assert_eq!(run.outputs["check"]["outcome"], "pass", "{run:#?}");
    assert_eq!(run.outputs["check"]["exit-code"], "0");
    assert!(!run.failed, "{run:#?}");
    assert!(run.steps.iter().all(|s| !s.2.starts_with("would upload")));
    assert!(
        run.summary.contains("## ✅ gate release"),
        "{}",
        run.summary
    );

    // A gate that does not exist: no decision, the job fails with 2.
    let run = run_action(
        &action,
        &[
            ("policy", "examples/no-such.gate"),
            ("evidence", "examples/evidence/release-pass.json"),
            ("gate", gate),
        ],
        &work,
    );
    assert_eq!(run.outputs["check"]["outcome"], "error", "{run:#?}");
    assert_eq!(run.outputs["check"]["exit-code"], "2");
    assert_eq!(run.steps.last().unwrap().1, Some(2));

    // `fail: false` reports a failure without failing the job.
    let run = run_action(
        &action,
        &[
            ("policy", "examples/release.gate"),
            ("evidence", "examples/evidence/release-fail.json"),
            ("gate", gate),
            ("fail", "false"),
            ("sarif", "false"),
        ],
        &work,
    );
    assert_eq!(run.outputs["check"]["exit-code"], "1");
    assert!(!run.failed, "{run:#?}");

    // A `gate` input that is not a command fails the install step, and
    // nothing is checked.
    let run = run_action(
        &action,
        &[
            ("policy", "examples/release.gate"),
            ("evidence", "examples/evidence/release-pass.json"),
            ("gate", "/no/such/gate"),
        ],
        &work,
    );
    assert_eq!(run.steps[0].1, Some(2), "{run:#?}");
    assert_eq!(run.steps[1].1, None, "the check step does not run");
    assert_eq!(
        run.steps.last().unwrap().1,
        Some(2),
        "no exit code is an error"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// The workflow of docs/ci.md gives the Action only inputs it has, and
/// every required one; the outputs it reads exist.
#[test]
fn the_documented_workflow_fits_the_action() {
    let Some(python) = python() else { return };
    let action = action(&python);
    let workflow = doc_yaml(&python, "GitHub Actions");
    let steps = workflow["jobs"]["gate"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.contains("/gate@")))
        .expect("the workflow uses the Action");
    let given = step["with"].as_object().unwrap();
    for key in given.keys() {
        assert!(
            action["inputs"].get(key).is_some(),
            "the Action has no input `{key}`"
        );
    }
    for (name, spec) in action["inputs"].as_object().unwrap() {
        if spec["required"] == true {
            assert!(
                given.contains_key(name),
                "the workflow does not give `{name}`"
            );
        }
    }
    let text = serde_json::to_string(&workflow).unwrap();
    for output in text.split("steps.gate.outputs.").skip(1) {
        let name: String = output
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            action["outputs"].get(&name).is_some(),
            "the Action has no output `{name}`"
        );
    }
    assert_eq!(
        workflow["permissions"]["security-events"], "write",
        "the SARIF upload needs it"
    );
}

/// The GitLab job of docs/ci.md, its script run as GitLab's shell runner
/// runs it (each line with `bash -e`) in a checkout: the reports GitLab
/// reads are written, and are what GitLab reads.
#[test]
fn the_documented_gitlab_job_writes_its_reports() {
    let Some(python) = python() else { return };
    let job = doc_yaml(&python, "GitLab CI");
    let job = &job["gate"];
    let work = scratch("gitlab");
    copy_dir(&root().join("examples"), &work.join("examples"));
    let path = format!(
        "{}:{}",
        gate_bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script: Vec<String> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    let run = |script: &[String]| -> i32 {
        let mut code = 0;
        for line in script {
            let out = Command::new("bash")
                .args(["-e", "-c", line])
                .current_dir(&work)
                .env("PATH", &path)
                .output()
                .unwrap();
            code = out.status.code().unwrap();
            if code != 0 {
                break;
            }
        }
        code
    };
    assert_eq!(run(&script), 0);
    let reports = &job["artifacts"]["reports"];
    let quality = work.join(reports["codequality"].as_str().unwrap());
    let junit = work.join(reports["junit"].as_str().unwrap());
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&quality).unwrap()).unwrap();
    assert_eq!(
        issues,
        Value::Array(Vec::new()),
        "a passing gate has no issues"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, 34, "a test case per rule");
    for kept in job["artifacts"]["paths"].as_array().unwrap() {
        assert!(work.join(kept.as_str().unwrap()).is_file(), "{kept}");
    }
    assert_eq!(job["artifacts"]["when"], "always");

    // The same job over failing evidence: the job fails, the reports say why.
    let failing: Vec<String> = script
        .iter()
        .map(|l| l.replace("release-pass.json", "release-fail.json"))
        .collect();
    assert_eq!(run(&failing), 1);
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&quality).unwrap()).unwrap();
    let issues = issues.as_array().unwrap();
    assert!(!issues.is_empty());
    let mut prints = std::collections::BTreeSet::new();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key}: {issue}");
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().unwrap()));
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(
            work.join(issue["location"]["path"].as_str().unwrap())
                .is_file(),
            "{issue}"
        );
        assert!(
            prints.insert(issue["fingerprint"].as_str().unwrap().to_string()),
            "fingerprints are unique"
        );
    }
    // Evidence in the checkout: the issues are in the evidence file, where
    // the merge request that changed it shows them.
    assert!(issues.iter().any(
        |i| i["location"]["path"] == "examples/evidence/release-fail.json"
            && i["location"]["lines"]["begin"].as_u64().unwrap() > 1
    ));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("failure")));
    let _ = std::fs::remove_dir_all(&work);
}

/// Evidence given as an input is an argument, never shell: a value with
/// `$(…)` and quotes reaches gate as it is.
#[test]
fn action_inputs_are_not_shell() {
    let Some(python) = python() else { return };
    let action = action(&python);
    let work = scratch("action-inputs");
    let marker = work.join("pwned");
    let evil = format!(
        "x.json\"; touch {} #$(touch {})",
        marker.display(),
        marker.display()
    );
    let run = run_action(
        &action,
        &[
            ("policy", "release.gate"),
            ("evidence", &evil),
            ("gate", gate_bin().to_str().unwrap()),
            ("sarif", "false"),
        ],
        &work,
    );
    assert!(!marker.exists(), "an input ran as shell");
    assert_eq!(run.outputs["check"]["exit-code"], "2", "{run:#?}");
    let _ = std::fs::remove_dir_all(&work);
}

// ------------------------------------------------------------- pre-commit

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "gate tests")
        .env("GIT_AUTHOR_EMAIL", "tests@gate.invalid")
        .env("GIT_COMMITTER_NAME", "gate tests")
        .env("GIT_COMMITTER_EMAIL", "tests@gate.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const FORMATTED: &str = "\
gate demo {
  title \"Demo\"
}

evidence {
  secrets: [Secret]
}

record Secret {
  name: string
  vaulted: bool
}

rule S01 \"Secrets are vaulted\" {
  controls \"OWASP-NHI:NHI2\"
  require not secrets.is_empty() else \"no secrets were reported\"
  require secrets.all(vaulted) else \"secret {name} is not vaulted\"
}
";

const TESTS: &str = "\
tests:
  - name: vaulted secrets pass
    input: {secrets: [{name: db, vaulted: true}]}
    expect: {decision: pass}
  - name: an unvaulted secret fails
    input: {secrets: [{name: db, vaulted: false}]}
    expect: {decision: fail, rules: {S01: fail}}
";

/// The hooks of `.pre-commit-hooks.yaml`, run by pre-commit in a git
/// repository: they pass on a formatted, linted, tested gate, and each
/// fails on what it is there to catch.
#[test]
fn pre_commit_runs_the_hooks() {
    let Some(python) = python() else { return };
    let pre_commit = python.with_file_name("pre-commit");
    assert!(
        pre_commit.exists(),
        "pre-commit is not installed beside {}",
        python.display()
    );
    let dir = scratch("pre-commit");
    // The hook repository: this repository's hooks file, committed.
    let hooks = dir.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = git(&hooks, &["rev-parse", "HEAD"]);
    // The project that uses them.
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    git(&project, &["init", "-q"]);
    // The configuration of docs/ci.md, with this hook repository.
    let mut config = doc_yaml(&python, "pre-commit");
    config["repos"][0]["repo"] = Value::String(hooks.display().to_string());
    config["repos"][0]["rev"] = Value::String(rev);
    let ids: Vec<&str> = config["repos"][0]["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gate-fmt", "gate-lint", "gate-test"]);
    // JSON is YAML: pre-commit reads it as it is.
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        serde_json::to_string_pretty(&config).unwrap(),
    )
    .unwrap();
    std::fs::write(project.join("demo.gate"), FORMATTED).unwrap();
    std::fs::write(project.join("demo.test.yaml"), TESTS).unwrap();
    git(&project, &["add", "."]);
    let path = format!(
        "{}:{}",
        gate_bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |project: &Path| {
        let out = Command::new(&pre_commit)
            .args(["run", "--all-files", "--color", "never"])
            .current_dir(project)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", dir.join("cache"))
            .env("HOME", &dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, text) = run(&project);
    assert_eq!(code, Some(0), "{text}");
    for hook in ["gate fmt --check", "gate lint", "gate test"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(hook) && l.ends_with("Passed")),
            "{hook} did not pass:\n{text}"
        );
    }

    // Not formatted: gate-fmt fails, with the diff.
    std::fs::write(
        project.join("demo.gate"),
        FORMATTED.replace("  require", "require"),
    )
    .unwrap();
    git(&project, &["add", "."]);
    let (code, text) = run(&project);
    assert_eq!(code, Some(1), "{text}");
    assert!(failed(&text, "gate fmt --check"), "{text}");
    assert!(
        text.contains("-require not secrets") || text.contains("+  require"),
        "{text}"
    );

    // A lint error: a rule that requires nothing new (constant condition).
    std::fs::write(
        project.join("demo.gate"),
        FORMATTED.replace(
            "  require secrets.all(vaulted) else \"secret {name} is not vaulted\"\n",
            "  require secrets.all(vaulted) else \"secret {name} is not vaulted\"\n  require true\n",
        ),
    )
    .unwrap();
    git(&project, &["add", "."]);
    let (code, text) = run(&project);
    assert_eq!(code, Some(1), "{text}");
    assert!(failed(&text, "gate lint"), "{text}");

    // A test that fails: gate-test fails.
    std::fs::write(project.join("demo.gate"), FORMATTED).unwrap();
    std::fs::write(
        project.join("demo.test.yaml"),
        TESTS.replace("expect: {decision: pass}", "expect: {decision: fail}"),
    )
    .unwrap();
    git(&project, &["add", "."]);
    let (code, text) = run(&project);
    assert_eq!(code, Some(1), "{text}");
    assert!(failed(&text, "gate test"), "{text}");
    assert!(!failed(&text, "gate lint"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether pre-commit reports hook `name` as failed.
fn failed(text: &str, name: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with(name) && l.ends_with("Failed"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
