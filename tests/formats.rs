//! `gate check --format sarif|junit|markdown|github`: goldens, and each
//! format read back by a real consumer (the SARIF 2.1.0 JSON schema and
//! serde-sarif's types, a JUnit parser, a CommonMark parser with GitHub's
//! tables, the workflow-command escaping rules), with hostile evidence and
//! credential values that must stay redacted.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::{gate, golden, Run};
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-05-04T10:00:00Z";

/// (name, policy, evidence, exit code).
const CASES: &[(&str, &str, &str, i32)] = &[
    (
        "release-fail",
        "../examples/release.gate",
        "../examples/evidence/release-fail.json",
        1,
    ),
    (
        "release-pass",
        "../examples/release.gate",
        "../examples/evidence/release-pass.json",
        0,
    ),
    ("mixed", "formats/mixed.gate", "formats/mixed.json", 2),
];

/// (format, golden file extension).
const FORMATS: &[(&str, &str)] = &[
    ("sarif", "sarif.json"),
    ("junit", "junit.xml"),
    ("markdown", "md"),
    ("github", "github.txt"),
];

/// Credential values in `formats/mixed.json`.
const SECRETS: &[&str] = &[
    "sk_live_51Hvery_secret",
    "hunter2",
    "s3cr3t-value",
    "ghp_supersecrettokenvalue",
];

fn check(policy: &str, evidence: &str, format: &str) -> Run {
    gate(
        &[
            "check", policy, "-e", evidence, "--now", NOW, "-f", format, "--color", "never",
        ],
        "",
    )
}

fn record(policy: &str, evidence: &str) -> Value {
    serde_json::from_str(&check(policy, evidence, "json").stdout).unwrap()
}

/// A policy file named in a record (relative to the gate's folder) as the
/// formats for people and tools show it: as given on the command line.
fn shown(policy: &str, file: &str) -> String {
    let dir = std::path::Path::new(policy).parent().unwrap();
    dir.join(file).to_string_lossy().into_owned()
}

fn rules(rec: &Value) -> &Vec<Value> {
    rec["rules"].as_array().unwrap()
}

#[test]
fn goldens() {
    let mut errors = Vec::new();
    for (name, policy, evidence, _) in CASES {
        for (format, ext) in FORMATS {
            let run = check(policy, evidence, format);
            assert_eq!(run.stderr, "", "{name} {format}");
            let path = Path::new("formats").join(format!("{name}.{ext}"));
            if let Err(e) = golden(&path, &run.stdout) {
                errors.push(e);
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn exit_codes_do_not_depend_on_the_format() {
    for (name, policy, evidence, code) in CASES {
        for format in ["human", "json", "sarif", "junit", "markdown", "github"] {
            let run = check(policy, evidence, format);
            assert_eq!(run.code, *code, "{name} --format {format}: {}", run.stderr);
        }
    }
}

#[test]
fn credentials_stay_redacted_in_every_format() {
    let (_, policy, evidence, _) = CASES[2];
    let raw = std::fs::read_to_string(evidence).unwrap();
    for s in SECRETS {
        assert!(raw.contains(s), "the evidence holds {s}");
    }
    for format in ["human", "json", "sarif", "junit", "markdown", "github"] {
        let out = check(policy, evidence, format).stdout;
        for s in SECRETS {
            assert!(!out.contains(s), "{format} shows {s}");
        }
        assert!(out.contains("redacted"), "{format} shows no redacted value");
    }
}

// ------------------------------------------------------------------ SARIF

/// A validator for the SARIF 2.1.0 schema (`schemas/README.md` says where it
/// comes from).
pub(crate) fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("schemas/sarif-schema-2.1.0.json").unwrap();
    // The schema's pattern for `run.language` has a stray `]`, which
    // ECMAScript reads as a literal `]` but the validator's regex engine
    // rejects: escape it, which means the same.
    let bad = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(bad), "the schema changed: revisit this fix");
    let text = text.replace(bad, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_is_valid_against_the_schema_and_matches_the_decision() {
    let validator = sarif_validator();
    for (name, policy, evidence, _) in CASES {
        let rec = record(policy, evidence);
        let text = check(policy, evidence, "sarif").stdout;
        let log: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let typed: serde_sarif::sarif::Sarif = serde_json::from_str(&text).unwrap();
        assert_eq!(typed.runs.len(), 1);
        let run = &typed.runs[0];
        assert_eq!(run.tool.driver.name, "gate");
        let descriptors = run.tool.driver.rules.as_ref().unwrap();
        assert_eq!(descriptors.len(), rules(&rec).len(), "{name}");
        for (d, r) in descriptors.iter().zip(rules(&rec)) {
            assert_eq!(d.id, r["id"].as_str().unwrap());
            let level = d.default_configuration.as_ref().unwrap().level.clone();
            let want = match r["severity"].as_str().unwrap() {
                "block" => "error",
                "warn" => "warning",
                _ => "note",
            };
            assert_eq!(level, Some(Value::from(want)), "{name} {}", d.id);
            let tags = d.properties.as_ref().unwrap().tags.clone().unwrap();
            for c in r["controls"].as_array().unwrap() {
                assert!(tags.contains(&c.as_str().unwrap().to_string()));
            }
        }
        // One result per failure and per error, in rule order.
        let mut expected = Vec::new();
        for (i, r) in rules(&rec).iter().enumerate() {
            for f in r["failures"].as_array().unwrap() {
                expected.push((i, f.clone(), false));
            }
            for e in r["errors"].as_array().unwrap() {
                expected.push((i, e.clone(), true));
            }
        }
        let results = run.results.as_ref().unwrap();
        assert_eq!(results.len(), expected.len(), "{name}");
        for (res, (i, item, is_error)) in results.iter().zip(&expected) {
            let r = &rules(&rec)[*i];
            assert_eq!(res.rule_id.as_deref(), r["id"].as_str());
            assert_eq!(res.rule_index, Some(*i as i64));
            let text = res.message.text.clone().unwrap();
            assert!(
                text.contains(item["message"].as_str().unwrap()),
                "{name}: {text}"
            );
            let loc = &res.locations.as_ref().unwrap()[0];
            let phys = loc.physical_location.as_ref().unwrap();
            let uri = phys
                .artifact_location
                .as_ref()
                .unwrap()
                .uri
                .clone()
                .unwrap();
            let policy_uri =
                shown(policy, item["span"]["file"].as_str().unwrap()).replace(' ', "%20");
            let region = phys.region.as_ref().unwrap();
            // A value of evidence inside this folder is the result's place,
            // the predicate its related location; else the predicate is.
            let predicate = if item["path"].is_string() && !evidence.starts_with("..") {
                assert_eq!(uri, *evidence, "{name}");
                assert!(region.start_line.unwrap() >= 1);
                let related = &res.related_locations.as_ref().unwrap()[0];
                let at = related.physical_location.as_ref().unwrap();
                assert_eq!(
                    at.artifact_location.as_ref().unwrap().uri.as_deref(),
                    Some(policy_uri.as_str())
                );
                at.region.as_ref().unwrap()
            } else {
                assert_eq!(uri, policy_uri);
                assert!(res.related_locations.is_none());
                region
            };
            assert_eq!(predicate.start_line, item["span"]["line"].as_i64());
            assert_eq!(predicate.start_column, item["span"]["column"].as_i64());
            assert_eq!(predicate.end_line, item["span"]["end_line"].as_i64());
            assert_eq!(predicate.end_column, item["span"]["end_column"].as_i64());
            if let Some(path) = item["path"].as_str() {
                let logical = &loc.logical_locations.as_ref().unwrap()[0];
                assert_eq!(logical.fully_qualified_name.as_deref(), Some(path));
                let props = &res.properties.as_ref().unwrap().additional_properties;
                assert_eq!(props["evidencePath"], path);
                assert_eq!(props["evidenceSource"], *evidence);
            }
            let level = res.level.map(|l| l.to_string());
            if *is_error {
                assert_eq!(level.as_deref(), Some("error"));
                assert!(res.suppressions.is_none());
            } else if let Some(w) = item["waived_by"].as_u64() {
                let waiver = &rec["waivers"][w as usize];
                let s = &res.suppressions.as_ref().unwrap()[0];
                assert_eq!(s.kind, "external");
                let why = s.justification.clone().unwrap();
                assert!(why.contains(waiver["ticket"].as_str().unwrap()), "{why}");
                assert!(why.contains(waiver["reason"].as_str().unwrap()), "{why}");
            } else {
                assert!(res.suppressions.is_none());
            }
        }
    }
}

#[test]
fn sarif_schema_rejects_a_broken_log() {
    // The validation above can fail: a result without a message is invalid.
    let validator = sarif_validator();
    let (_, policy, evidence, _) = CASES[0];
    let mut log: Value = serde_json::from_str(&check(policy, evidence, "sarif").stdout).unwrap();
    assert!(validator.is_valid(&log));
    log["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&log));
}

// ------------------------------------------------------------------ JUnit

#[test]
fn junit_reads_back_with_a_junit_parser() {
    for (name, policy, evidence, _) in CASES {
        let rec = record(policy, evidence);
        let xml = check(policy, evidence, "junit").stdout;
        let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).unwrap();
        assert_eq!(suites.suites.len(), 1, "{name}");
        let suite = &suites.suites[0];
        let gate_name = rec["gate"]["name"].as_str().unwrap();
        assert_eq!(suite.name, gate_name);
        let counts = &rec["counts"];
        assert_eq!(suite.tests, counts["rules"].as_u64().unwrap());
        assert_eq!(suite.failures, counts["fail"].as_u64().unwrap(), "{name}");
        assert_eq!(suite.errors, counts["error"].as_u64().unwrap(), "{name}");
        assert_eq!(
            suite.skipped,
            counts["not_applicable"].as_u64().unwrap() + counts["waived"].as_u64().unwrap()
        );
        assert_eq!(suite.cases.len(), rules(&rec).len());
        for (case, r) in suite.cases.iter().zip(rules(&rec)) {
            let id = r["id"].as_str().unwrap();
            let title = r["title"].as_str().unwrap();
            assert_eq!(case.original_name, format!("{id} {title}"));
            assert_eq!(case.classname.as_deref(), Some(gate_name));
            use junit_parser::TestStatus as S;
            match (r["outcome"].as_str().unwrap(), &case.status) {
                ("pass", S::Success) => {}
                ("fail", S::Failure(f)) => {
                    let first = r["failures"][0]["message"].as_str().unwrap();
                    let first: String = first
                        .chars()
                        .map(|c| if c.is_control() { ' ' } else { c })
                        .collect();
                    assert!(f.message.starts_with(&first), "{id}: {}", f.message);
                    assert_eq!(f.failure_type, r["severity"].as_str().unwrap());
                    // junit-parser drops entities (`&quot;`, `&lt;`, …) from
                    // text and trims the pieces between them: compare
                    // without those characters and spaces (the exact text
                    // is checked with a second reader below).
                    let text = squeeze(&f.text);
                    for failure in r["failures"].as_array().unwrap() {
                        assert!(
                            text.contains(&squeeze(failure["message"].as_str().unwrap())),
                            "{text}"
                        );
                        assert!(text.contains(&squeeze(&format!(
                            "required: {}",
                            failure["expected"].as_str().unwrap()
                        ))));
                        assert!(text.contains(&squeeze(&format!("found: {}", failure["actual"]))));
                    }
                }
                ("error", S::Error(e)) => {
                    let err = &r["errors"][0];
                    assert_eq!(e.error_type, err["code"].as_str().unwrap());
                    assert!(e.message.contains(err["message"].as_str().unwrap()));
                }
                ("not_applicable", S::Skipped(s)) => {
                    assert!(s.message.starts_with("not applicable"), "{}", s.message);
                }
                ("waived", S::Skipped(s)) => {
                    assert!(s.message.starts_with("waived: "), "{}", s.message);
                    let w = r["failures"][0]["waived_by"].as_u64().unwrap() as usize;
                    let ticket = rec["waivers"][w]["ticket"].as_str().unwrap();
                    assert!(s.message.contains(ticket));
                }
                (outcome, status) => panic!("{name} {id}: {outcome} written as {status:?}"),
            }
        }
    }
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>' | '&' | '\''))
        .collect()
}

#[test]
fn junit_text_is_exact() {
    // A second reader, which keeps entities: the failure text is exactly
    // the explanation, hostile characters included.
    let (_, policy, evidence, _) = CASES[2];
    let rec = record(policy, evidence);
    let xml = check(policy, evidence, "junit").stdout;
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let case = &report.test_suites[0].test_cases[0];
    let quick_junit::TestCaseStatus::NonSuccess { description, .. } = &case.status else {
        panic!("{case:?}")
    };
    let text = description.as_ref().unwrap().as_str();
    let failure = &rec["rules"][0]["failures"][0];
    // XML turns `\r\n` into `\n`.
    let message = failure["message"].as_str().unwrap().replace("\r\n", "\n");
    assert!(text.starts_with(&message), "{text:?}");
    assert!(text.contains("<script>alert(1)</script>"));
}

// --------------------------------------------------------------- Markdown

#[derive(Debug, Default)]
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// The tables of a Markdown text (cell text is the text and code of the
/// cell), and every raw HTML fragment.
fn parse_markdown(text: &str) -> (Vec<Table>, Vec<String>) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut tables = Vec::new();
    let mut html = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_head = false;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Table::default()),
            Event::End(TagEnd::Table) => tables.push(table.take().unwrap()),
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                table.as_mut().unwrap().head = std::mem::take(&mut row);
            }
            Event::End(TagEnd::TableRow) => {
                table.as_mut().unwrap().rows.push(std::mem::take(&mut row))
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.to_string()),
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::Emphasis | Tag::Strong)
                if cell.is_some() =>
            {
                html.push("markup inside a table cell".to_string());
            }
            _ => {}
        }
        let _ = in_head;
    }
    (tables, html)
}

#[test]
fn markdown_tables_hold_and_nothing_is_injected() {
    for (name, policy, evidence, _) in CASES {
        let rec = record(policy, evidence);
        let md = check(policy, evidence, "markdown").stdout;
        let (tables, html) = parse_markdown(&md);
        // Only the folding markup the renderer writes itself.
        for h in &html {
            let h = h.trim();
            assert!(
                h == "<details>"
                    || h == "</details>"
                    || (h.starts_with("<details>\n<summary>") && h.ends_with("</summary>"))
                    || (h.starts_with("<summary>") && h.ends_with("</summary>")),
                "{name}: unexpected HTML {h:?}"
            );
        }
        for t in &tables {
            for r in &t.rows {
                assert_eq!(r.len(), t.head.len(), "{name}: {t:?}");
            }
        }
        let bad: Vec<&Value> = rules(&rec)
            .iter()
            .filter(|r| matches!(r["outcome"].as_str(), Some("fail" | "error")))
            .collect();
        let summary = tables
            .iter()
            .find(|t| t.head.first().map(String::as_str) == Some("Rule") && t.head.len() == 6);
        if bad.is_empty() {
            assert!(summary.is_none(), "{name}");
        } else {
            let summary = summary.unwrap();
            assert_eq!(summary.rows.len(), bad.len(), "{name}");
            for (row, r) in summary.rows.iter().zip(&bad) {
                assert_eq!(row[0], r["id"].as_str().unwrap());
                assert_eq!(row[1], r["title"].as_str().unwrap());
                assert_eq!(row[2], r["severity"].as_str().unwrap());
                let controls: Vec<&str> = r["controls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect();
                assert_eq!(row[4], controls.join(", "));
            }
        }
        // Every kept failure is a row with its message, evidence path,
        // found and required values intact.
        let failure_rows: Vec<&Vec<String>> = tables
            .iter()
            .filter(|t| t.head.first().map(String::as_str) == Some("Failure"))
            .flat_map(|t| t.rows.iter())
            .collect();
        let failures: Vec<&Value> = rules(&rec)
            .iter()
            .filter(|r| matches!(r["outcome"].as_str(), Some("fail" | "error")))
            .chain(rules(&rec).iter().filter(|r| r["outcome"] == "waived"))
            .flat_map(|r| r["failures"].as_array().unwrap().iter().take(10))
            .collect();
        assert_eq!(failure_rows.len(), failures.len(), "{name}");
        for (row, f) in failure_rows.iter().zip(&failures) {
            let message: String = f["message"]
                .as_str()
                .unwrap()
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            assert!(
                row[0].starts_with(&message),
                "{name}: {:?} vs {message:?}",
                row[0]
            );
            // One failure explained by several predicates lists each.
            let operands: Vec<&Value> = match f["operands"].as_array() {
                Some(ops) => ops.iter().collect(),
                None => vec![*f],
            };
            let joined = |of: &dyn Fn(&Value) -> String| {
                operands
                    .iter()
                    .map(|o| of(o))
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            assert_eq!(
                row[2],
                joined(&|o| o["path"].as_str().unwrap_or("").to_string())
            );
            assert_eq!(row[3], joined(&|o| o["actual"].to_string()));
            assert_eq!(
                row[4],
                joined(&|o| o["expected"].as_str().unwrap().to_string())
            );
        }
        let passing = rules(&rec)
            .iter()
            .filter(|r| r["outcome"] == "pass")
            .count();
        if passing > 0 {
            assert!(md.contains(&format!("<summary>Passing rules ({passing})</summary>")));
        }
        let headline = md.lines().next().unwrap();
        let word = rec["outcome"].as_str().unwrap().to_uppercase();
        assert!(headline.ends_with(&format!("**{word}**")), "{headline}");
    }
}

#[test]
fn markdown_hostile_evidence_stays_text() {
    let (_, policy, evidence, _) = CASES[2];
    let md = check(policy, evidence, "markdown").stdout;
    let (tables, _) = parse_markdown(&md);
    let cells: Vec<&String> = tables
        .iter()
        .flat_map(|t| t.rows.iter().flatten())
        .collect();
    // The hostile names arrive as text, whole, in one cell each.
    let name = "STRIPE|KEY`x` <script>alert(1)</script> | injected | row |";
    assert!(
        cells
            .iter()
            .any(|c| c.starts_with(&format!("secret {name} is kept in"))),
        "{cells:#?}"
    );
    assert!(cells.iter().any(
        |c| c.contains("100%,a:b **bold** [link](http://x) @team a\\|b is kept in a\\|b ``` c")
    ));
    // A backslash before a pipe inside a code span in a table.
    assert!(
        cells.iter().any(|c| c.as_str()
            == r#"/secrets/2 (name "100%,a:b **bold** [link](http://x) @team a\\|b")"#),
        "{cells:#?}"
    );
    assert!(cells
        .iter()
        .any(|c| c.contains("(name \"STRIPE|KEY`x` <script>")));
    // No HTML gets through, and no line of the text starts a table row
    // of its own.
    let (_, html) = parse_markdown(&md);
    assert!(html
        .iter()
        .all(|h| !h.contains("script") && !h.contains("<b>") && !h.contains("<i>")));
    assert!(!md.contains("\n| injected"));
}

// ----------------------------------------------------------------- GitHub

#[derive(Debug)]
struct Command {
    kind: String,
    props: Vec<(String, String)>,
    message: String,
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// Parses `::KIND key=value,…::MESSAGE` as the runner does.
fn parse_command(line: &str) -> Option<Command> {
    let rest = line.strip_prefix("::")?;
    let (head, message) = rest.split_once("::")?;
    let (kind, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), unescape(v))
        })
        .collect();
    Some(Command {
        kind: kind.to_string(),
        props,
        message: unescape(message),
    })
}

#[test]
fn github_commands_read_back_per_the_escaping_rules() {
    for (name, policy, evidence, _) in CASES {
        let rec = record(policy, evidence);
        let out = check(policy, evidence, "github").stdout;
        let lines: Vec<&str> = out.lines().collect();
        let commands: Vec<Command> = lines.iter().filter_map(|l| parse_command(l)).collect();
        // Every line but the summary is a command.
        assert_eq!(commands.len(), lines.len() - 1, "{name}:\n{out}");
        let summary = lines.last().unwrap();
        assert!(summary.starts_with(&format!(
            "gate {}: {}",
            rec["gate"]["name"].as_str().unwrap(),
            rec["outcome"].as_str().unwrap().to_uppercase()
        )));
        // Most important first: errors, then warnings, then notices; in a
        // kind, the first of every rule before the second of any.
        let mut expected = Vec::new();
        for r in rules(&rec) {
            let errors = r["errors"].as_array().unwrap();
            for (rank, e) in errors.iter().enumerate() {
                expected.push((0, rank, r, e, "error"));
            }
            for (rank, f) in r["failures"].as_array().unwrap().iter().enumerate() {
                let kind = if f.get("waived_by").is_some() {
                    "notice"
                } else {
                    match r["severity"].as_str().unwrap() {
                        "block" => "error",
                        "warn" => "warning",
                        _ => "notice",
                    }
                };
                let order = ["error", "warning", "notice"]
                    .iter()
                    .position(|k| *k == kind)
                    .unwrap();
                expected.push((order, rank + errors.len(), r, f, kind));
            }
        }
        expected.sort_by_key(|e| (e.0, e.1));
        // GitHub shows ten of each kind; one notice says what was left out.
        let over = (0..3).any(|k| expected.iter().filter(|e| e.0 == k).count() > 10);
        let mut shown_per_kind = [0usize; 3];
        expected.retain(|e| {
            let limit = if over && e.0 == 2 { 9 } else { 10 };
            shown_per_kind[e.0] += 1;
            shown_per_kind[e.0] <= limit
        });
        if over {
            assert!(
                out.contains("more annotations not shown")
                    || out.contains("more annotation not shown"),
                "{name}:\n{out}"
            );
        }
        let located: Vec<&Command> = commands
            .iter()
            .filter(|c| c.props.iter().any(|(k, _)| k == "file"))
            .collect();
        assert_eq!(located.len(), expected.len(), "{name}");
        for (c, (_, _, r, item, kind)) in located.iter().zip(&expected) {
            assert_eq!(c.kind, *kind);
            let prop = |k: &str| {
                c.props
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            };
            let keys: Vec<&str> = c.props.iter().map(|(k, _)| k.as_str()).collect();
            let policy_file = shown(policy, item["span"]["file"].as_str().unwrap());
            // A value of evidence inside this folder is annotated there,
            // naming the rule's place; else the predicate is.
            let in_folder = !evidence.starts_with("..");
            if item["path"].is_string() && in_folder {
                assert_eq!(keys, ["file", "line", "col", "title"], "{name}");
                assert_eq!(prop("file"), *evidence);
                assert!(prop("line").parse::<usize>().unwrap() >= 1);
                assert!(
                    c.message.contains(&format!(
                        "rule: {policy_file}:{}:{}",
                        item["span"]["line"], item["span"]["column"]
                    )),
                    "{name}: {}",
                    c.message
                );
            } else {
                assert_eq!(
                    keys,
                    ["file", "line", "col", "endLine", "endColumn", "title"]
                );
                assert_eq!(prop("file"), policy_file);
                assert_eq!(prop("line"), item["span"]["line"].to_string());
                assert_eq!(prop("col"), item["span"]["column"].to_string());
                assert_eq!(prop("endLine"), item["span"]["end_line"].to_string());
                assert_eq!(prop("endColumn"), item["span"]["end_column"].to_string());
            }
            assert_eq!(
                prop("title"),
                format!(
                    "{} {}",
                    r["id"].as_str().unwrap(),
                    r["title"].as_str().unwrap()
                )
            );
            let message = item["message"].as_str().unwrap();
            assert!(
                c.message.contains(message),
                "{name}: {:?} vs {message:?}",
                c.message
            );
            if let Some(p) = item["path"].as_str() {
                assert!(c.message.contains(&format!("evidence: {p}")));
            }
        }
    }
}

#[test]
fn github_escaping_survives_hostile_text() {
    let (_, policy, evidence, _) = CASES[2];
    let out = check(policy, evidence, "github").stdout;
    // A newline in the evidence cannot start a command of its own.
    assert!(!out.contains("\n::error::fake"));
    let commands: Vec<Command> = out.lines().filter_map(parse_command).collect();
    assert!(commands
        .iter()
        .any(|c| c.message.starts_with("secret STRIPE|KEY`x` <script>alert(1)</script>\n| injected | row | is kept in source_code\r\n::error::fake")));
    assert!(commands
        .iter()
        .any(|c| c.message.starts_with("secret 100%,a:b **bold**")));
    assert!(commands
        .iter()
        .any(|c| c.message.starts_with("no pager: 100% manual, a:b,c")));
    assert!(commands.iter().any(|c| c
        .props
        .iter()
        .any(|(k, v)| k == "title" && v == "vaulted All secrets `vaulted`")));
}

/// When gate cannot decide — the policy does not compile, the evidence
/// cannot be read — every machine format still writes a report that says
/// so, and the exit code is 2: a fail-closed result reaches the dashboard,
/// not only the log.
#[test]
fn undecided_reports_reach_ci() {
    let dir = std::env::temp_dir().join(format!("gate-undecided-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.gate");
    std::fs::write(
        &broken,
        "gate g {\nevidence { x: int }\nrule r { require x > }\n",
    )
    .unwrap();
    let good = dir.join("good.gate");
    std::fs::write(
        &good,
        "gate g {}\nevidence { x: int }\nrule r { require x > 1 }\n",
    )
    .unwrap();
    let bad_json = dir.join("bad.json");
    std::fs::write(&bad_json, "{\"x\": 1,,}").unwrap();
    let ok_json = dir.join("ok.json");
    std::fs::write(&ok_json, "{\"x\": 2}").unwrap();
    let missing = dir.join("missing.json");
    let record_schema: Value = serde_json::from_str(
        &std::fs::read_to_string("../docs/decision-record.schema.json").unwrap(),
    )
    .unwrap();
    let records = jsonschema::validator_for(&record_schema).unwrap();
    let sarif = sarif_validator();
    let cases = [
        (&broken, &ok_json, "E0"),
        (&good, &bad_json, "E07"),
        (&good, &missing, "E07"),
    ];
    for (policy, evidence, code) in cases {
        let (p, e) = (policy.display().to_string(), evidence.display().to_string());
        let what = format!("{p} with {e}");
        let json = check(&p, &e, "json");
        assert_eq!(json.code, 2, "{what}: {}", json.stderr);
        assert!(
            !json.stderr.is_empty(),
            "{what}: the diagnostics still go to stderr"
        );
        let rec: Value = serde_json::from_str(&json.stdout)
            .unwrap_or_else(|e| panic!("{what}: {e}: {}", json.stdout));
        let problems: Vec<String> = records.iter_errors(&rec).map(|e| e.to_string()).collect();
        assert!(problems.is_empty(), "{what}: {problems:?}");
        assert_eq!(rec["outcome"], "error", "{what}");
        let first = rec["errors"][0]["code"].as_str().unwrap_or("");
        assert!(first.starts_with(code), "{what}: {first}");

        let s = check(&p, &e, "sarif");
        assert_eq!(s.code, 2, "{what}");
        let log: Value = serde_json::from_str(&s.stdout).unwrap();
        assert!(sarif.is_valid(&log), "{what}: {}", s.stdout);
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"], false,
            "{what}"
        );
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(results.iter().any(|r| r["level"] == "error"), "{what}");

        let j = check(&p, &e, "junit");
        assert_eq!(j.code, 2, "{what}");
        roxmltree::Document::parse(&j.stdout).unwrap_or_else(|e| panic!("{what}: {e}"));
        let suites = junit_parser::from_reader(std::io::Cursor::new(j.stdout.as_bytes())).unwrap();
        let errored = suites
            .suites
            .iter()
            .flat_map(|s| s.cases.iter())
            .any(|c| matches!(c.status, junit_parser::TestStatus::Error(_)));
        assert!(errored, "{what}: {}", j.stdout);

        let g = check(&p, &e, "github");
        assert_eq!(g.code, 2, "{what}");
        assert!(
            g.stdout.lines().any(|l| l.starts_with("::error ")),
            "{what}: {}",
            g.stdout
        );

        let m = check(&p, &e, "markdown");
        assert_eq!(m.code, 2, "{what}");
        assert!(m.stdout.contains("**ERROR**"), "{what}: {}", m.stdout);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Evidence text in Markdown cannot make GitHub create links, mentions,
/// references or emoji: every piece of it is inside a code span, where
/// GitHub makes none (escaping cannot stop its autolinks and references).
#[test]
fn markdown_evidence_makes_no_links_mentions_or_references() {
    let dir = std::env::temp_dir().join(format!("gate-md-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("g.gate");
    std::fs::write(
        &policy,
        "gate g {}\nrecord Bot { name: string, key name }\nevidence { bots: [Bot], note: int }\n\
         rule named \"Bots are named\" { require bots.all(b => b.name == \"ok\") else \"bot {b.name} is not ok\" }\n\
         rule noted \"Noted\" { require note > 1 }\n",
    )
    .unwrap();
    let hostile = [
        "see https://evil.example/x",
        "www.evil.example",
        "ping @admin",
        "fixes #123",
        "GH-42",
        ":rocket:",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
    ];
    let bots: Vec<Value> = hostile
        .iter()
        .map(|n| serde_json::json!({"name": n}))
        .collect();
    let evidence = dir.join("e.json");
    std::fs::write(
        &evidence,
        serde_json::json!({"bots": bots, "note": "12 https://evil.example/n"}).to_string(),
    )
    .unwrap();
    let md = check(
        &policy.display().to_string(),
        &evidence.display().to_string(),
        "markdown",
    )
    .stdout;
    let mut texts = String::new();
    for event in pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::all()) {
        match event {
            pulldown_cmark::Event::Text(t) => {
                texts.push_str(&t);
                texts.push('\n');
            }
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                panic!("HTML in the report: {h}")
            }
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                panic!("a link in the report: {dest_url}")
            }
            _ => {}
        }
    }
    for needle in [
        "https://", "www.", "@admin", "#123", "GH-42", ":rocket:", "<img",
    ] {
        assert!(!texts.contains(needle), "{needle} outside code in:\n{md}");
    }
    for name in hostile {
        assert!(md.contains(name), "{name} is shown (as code): {md}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
