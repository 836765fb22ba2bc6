//! Every operation is metered: work proportional to the size of its input
//! is charged to the step budget, so a policy over large evidence ends
//! with E0606 (the step budget) instead of running for seconds and then
//! deciding. Each case is quadratic (or worse) in a list of 20,000
//! elements and runs under `--max-steps 1000000`; with the work uncharged
//! each would take seconds and then pass.

// Test code: panicking on a broken expectation is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gate_tests::gate;
use std::fmt::Write as _;

const N: usize = 20_000;

/// Evidence with two lists of `N` distinct names and `N` records.
fn evidence(dir: &std::path::Path) -> std::path::PathBuf {
    let mut names = String::new();
    let mut records = String::new();
    for i in 0..N {
        if i > 0 {
            names.push(',');
            records.push(',');
        }
        write!(names, "\"name-{i:05}\"").unwrap();
        write!(
            records,
            "{{\"id\": \"name-{i:05}\", \"team\": \"t{}\"}}",
            i % 7
        )
        .unwrap();
    }
    let doc = format!(
        "{{\"refs\": [{names}], \"names\": [{names}], \"items\": [{records}], \"word\": \"ab\"}}"
    );
    let path = dir.join("evidence.json");
    std::fs::write(&path, doc).unwrap();
    path
}

const HEAD: &str = "gate metering {}\n\
    record Item { id: string, team: string, key id }\n\
    evidence { refs: [string], names: [string], items: [Item], word: string }\n";

#[test]
fn quadratic_work_ends_with_the_step_budget() {
    let dir = std::env::temp_dir().join(format!("gate-metering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let evidence = evidence(&dir);
    let cases = [
        ("in", "refs.all(x => x in names)"),
        ("includes", "refs.all(x => names.includes(x))"),
        ("includes-keyed", "refs.all(x => items.includes(x))"),
        ("includes_all", "refs.all(x => names.includes_all(refs))"),
        (
            "intersect",
            "refs.all(x => names.intersect(refs).len() > 0)",
        ),
        ("union", "refs.all(x => names.union(refs).len() > 0)"),
        (
            "difference",
            "refs.all(x => names.difference(refs).is_empty())",
        ),
        ("unique", "refs.all(x => names.unique().len() > 0)"),
        ("sort", "refs.all(x => names.sort().len() > 0)"),
        (
            "distinct_count",
            "refs.all(x => names.distinct_count() > 0)",
        ),
        (
            "group_by",
            "refs.all(x => items.group_by(i => i.team).len() > 0)",
        ),
        ("equality", "refs.all(x => names == refs)"),
        ("list-concat", "refs.all(x => (names + refs).len() > 0)"),
        (
            "string-building",
            "refs.all(x => (x + names.map(n => n).sort()[0]).len() > 0)",
        ),
        (
            "regex-compile",
            "refs.all(x => x.matches(\"^(\" + x + \"|[a-z]{1,30}){1,20}$\") or true)",
        ),
        (
            "keys",
            "refs.all(x => items.group_by(i => i.id).keys().len() > 0)",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, expr) in cases {
        let policy = dir.join(format!("{name}.gate"));
        std::fs::write(&policy, format!("{HEAD}rule r {{ require {expr} }}\n")).unwrap();
        let run = gate(
            &[
                "check",
                policy.to_str().unwrap(),
                "--evidence",
                evidence.to_str().unwrap(),
                "--max-steps",
                "1000000",
                "--format",
                "json",
                "--now",
                "2026-05-04T09:00:00Z",
            ],
            "",
        );
        let record: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
        let codes: Vec<&str> = record["rules"][0]["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["code"].as_str()).collect())
            .unwrap_or_default();
        if run.code != 2 || record["outcome"] != "error" || !codes.contains(&"E0606") {
            wrong.push(format!(
                "{name}: exit {}, outcome {}, codes {codes:?}\n{}",
                run.code, record["outcome"], run.stderr
            ));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Inputs that never end — a link to `/dev/zero`, a FIFO fed forever —
/// are read up to the limit plus one byte and refused with E0703 (E0505
/// for a policy), never read into memory whole.
#[cfg(unix)]
#[test]
fn endless_inputs_are_refused_at_the_limit() {
    let dir = std::env::temp_dir().join(format!("gate-endless-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("p.gate");
    std::fs::write(
        &policy,
        "gate p {}\nevidence { x: int }\nrule r { require x > 0 }\n",
    )
    .unwrap();
    let zero = dir.join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let zero_policy = dir.join("zero.gate");
    std::os::unix::fs::symlink("/dev/zero", &zero_policy).unwrap();
    let fifo = dir.join("fifo.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let fifo_ok = made.is_ok_and(|s| s.success());
    if fifo_ok {
        // A writer that never stops (until the reader goes away).
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write as _;
            if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) {
                let chunk = [b' '; 4096];
                while f.write_all(&chunk).is_ok() {}
            }
        });
    }
    let p = policy.to_str().unwrap();
    let z = zero.to_str().unwrap();
    let zp = zero_policy.to_str().unwrap();
    let fi = fifo.to_str().unwrap();
    let now = "2026-05-04T09:00:00Z";
    let mut cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "evidence",
            vec!["check", p, "--evidence", z, "--max-evidence-size", "65536"],
            "E0703",
        ),
        (
            "evidence-default-limit",
            vec!["check", p, "--evidence", z],
            "E0703",
        ),
        (
            "waivers",
            vec!["check", p, "--evidence", "-", "--waivers", z],
            "E0703",
        ),
        ("policy", vec!["check", zp, "--evidence", "-"], "E0505"),
    ];
    if fifo_ok {
        cases.push((
            "fifo",
            vec![
                "check",
                p,
                "--evidence",
                fi,
                "--evidence-format",
                "json",
                "--max-evidence-size",
                "100000",
            ],
            "E0703",
        ));
    }
    let mut wrong = Vec::new();
    for (name, mut args, code) in cases {
        args.extend(["--now", now]);
        let run = gate(&args, "{\"x\": 1}");
        if run.code != 2 || !run.stderr.contains(code) {
            wrong.push(format!("{name}: exit {}\n{}", run.code, run.stderr));
        }
    }
    // Standard input over the limit.
    let big = format!("{{\"x\": 1, \"pad\": \"{}\"}}", "a".repeat(10_000));
    let run = gate(
        &[
            "check",
            p,
            "--evidence",
            "-",
            "--max-evidence-size",
            "1000",
            "--now",
            now,
        ],
        &big,
    );
    if run.code != 2 || !run.stderr.contains("E0703") {
        wrong.push(format!("stdin: exit {}\n{}", run.code, run.stderr));
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
