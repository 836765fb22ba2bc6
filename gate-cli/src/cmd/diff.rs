//! `gate diff OLD.gate NEW.gate --corpus DIR`: replays every evidence
//! document of a corpus through two versions of a gate, with one clock, and
//! lists every decision and rule outcome that flips.
//!
//! The JSON report (`--format json`) is `gate-diff/v1`, documented in
//! `docs/cli.md`; its fields and their order are stable.

use crate::cli::{DiffArgs, ReportFormat};
use crate::cmd::input;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use gate_eval::{Decision, Format, Options, Outcome, Policy, RuleOutcome};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The version of the JSON report.
pub const DIFF_VERSION: &str = "gate-diff/v1";

/// Extensions of evidence documents in a corpus.
const EXTENSIONS: &[&str] = &["json", "yaml", "yml", "toml"];

/// A gate, as the report names it.
#[derive(Debug, Serialize)]
struct GateRef {
    path: String,
    gate: String,
    digest: String,
}

/// Why a rule does not pass under the new gate: its first failure or error.
#[derive(Debug, Serialize)]
struct Why {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

/// One rule whose outcome differs.
#[derive(Debug, Serialize)]
struct RuleFlip {
    rule: String,
    /// `null`: the old gate has no such rule.
    old: Option<RuleOutcome>,
    /// `null`: the new gate has no such rule.
    new: Option<RuleOutcome>,
    /// For a new `fail` or `error`: the first failure or error.
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<Why>,
}

/// A document that could not be read.
#[derive(Debug, Serialize)]
struct DocError {
    code: &'static str,
    message: String,
}

/// One document of the corpus.
#[derive(Debug, Serialize)]
struct DocReport {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<DocError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<Outcome>,
    decision_flips: bool,
    rule_flips: Vec<RuleFlip>,
}

/// Totals.
#[derive(Debug, Default, Serialize)]
struct Summary {
    documents: usize,
    unreadable: usize,
    decision_flips: usize,
    rule_flips: usize,
}

/// The whole report.
#[derive(Debug, Serialize)]
struct Report {
    diff_version: &'static str,
    old: GateRef,
    new: GateRef,
    corpus: String,
    now: String,
    rules_added: Vec<String>,
    rules_removed: Vec<String>,
    documents: Vec<DocReport>,
    summary: Summary,
}

/// Runs `gate diff`.
pub fn run(args: DiffArgs, out: &Output, io: &mut Io) -> Exit {
    let Some(old) = compile(&args.old, out, io) else {
        return Exit::Error;
    };
    let Some(new) = compile(&args.new, out, io) else {
        return Exit::Error;
    };
    let now = match input::now_arg(args.now.as_deref(), out, io) {
        Ok(n) => n.unwrap_or_else(gate_lang::time::now),
        Err(exit) => return exit,
    };
    if !args.corpus.is_dir() {
        let why = if args.corpus.exists() {
            "it is not a folder"
        } else {
            "no such folder"
        };
        render::tool_error(
            out,
            io,
            "E0945",
            &format!("cannot read the corpus `{}`: {why}", args.corpus.display()),
        );
        return Exit::Error;
    }
    let mut walk_errors = Vec::new();
    let paths = documents(&args.corpus, &mut walk_errors);
    if paths.is_empty() && walk_errors.is_empty() {
        render::tool_error(
            out,
            io,
            "E0946",
            &format!(
                "the corpus `{}` holds no evidence documents (.json, .yaml, .yml, .toml)",
                args.corpus.display()
            ),
        );
        return Exit::Error;
    }
    let options = Options::default().at(gate_eval::time::timestamp(now));
    let mut docs: Vec<DocReport> = walk_errors;
    for path in paths {
        docs.push(replay(&path, &old, &new, &options));
    }
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    let old_ids: Vec<String> = old.rules().into_iter().map(|r| r.id).collect();
    let new_ids: Vec<String> = new.rules().into_iter().map(|r| r.id).collect();
    let summary = Summary {
        documents: docs.len(),
        unreadable: docs.iter().filter(|d| d.error.is_some()).count(),
        decision_flips: docs.iter().filter(|d| d.decision_flips).count(),
        rule_flips: docs.iter().map(|d| d.rule_flips.len()).sum(),
    };
    let report = Report {
        diff_version: DIFF_VERSION,
        old: gate_ref(&args.old, &old),
        new: gate_ref(&args.new, &new),
        corpus: args.corpus.display().to_string(),
        now: gate_lang::time::format_timestamp(now),
        rules_added: new_ids
            .iter()
            .filter(|id| !old_ids.contains(id))
            .cloned()
            .collect(),
        rules_removed: old_ids
            .iter()
            .filter(|id| !new_ids.contains(id))
            .cloned()
            .collect(),
        documents: docs,
        summary,
    };
    match args.format {
        ReportFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => io.out(&format!("{s}\n")),
            Err(e) => {
                render::tool_error(out, io, "E0901", &format!("cannot write the report: {e}"));
                return Exit::Error;
            }
        },
        ReportFormat::Human => io.out(&human(&report, out)),
    }
    if report.summary.unreadable > 0 {
        let n = report.summary.unreadable;
        render::tool_error(
            out,
            io,
            "E0947",
            &format!(
                "{n} document{} of the corpus could not be read, so the comparison is incomplete",
                if n == 1 { "" } else { "s" }
            ),
        );
        return Exit::Error;
    }
    if report.summary.decision_flips > 0 || report.summary.rule_flips > 0 {
        Exit::Fail
    } else {
        Exit::Pass
    }
}

fn compile(path: &Path, out: &Output, io: &mut Io) -> Option<Policy> {
    match Policy::from_file(path) {
        Ok(p) => {
            if !p.warnings().is_empty() {
                io.err(&gate_lang::error::render(
                    p.warnings(),
                    p.sources(),
                    out.color_err,
                    out.width,
                ));
            }
            Some(p)
        }
        Err(e) => {
            crate::cmd::input::report_compile(out, io, &e);
            None
        }
    }
}

fn gate_ref(path: &Path, policy: &Policy) -> GateRef {
    GateRef {
        path: path.display().to_string(),
        gate: policy.name().to_string(),
        digest: policy.digest().digest,
    }
}

/// Every evidence document under `dir`, recursively, sorted (hidden
/// folders left out). Folders that cannot be listed are reported in
/// `errors`. Symbolic links to folders are not followed.
fn documents(dir: &Path, errors: &mut Vec<DocReport>) -> Vec<PathBuf> {
    let is_document = |path: &Path| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    };
    let found = crate::files::walk(dir, &is_document, crate::files::Skip::Hidden);
    for (path, why) in &found.unreadable {
        errors.push(unreadable(
            path,
            "E0701",
            format!("cannot list the folder: {why}"),
        ));
    }
    found.files
}

fn unreadable(path: &Path, code: &'static str, message: String) -> DocReport {
    DocReport {
        path: path.display().to_string(),
        error: Some(DocError { code, message }),
        old: None,
        new: None,
        decision_flips: false,
        rule_flips: Vec::new(),
    }
}

/// Reads one document as `gate check` does and evaluates it with both gates.
fn replay(path: &Path, old: &Policy, new: &Policy, options: &Options) -> DocReport {
    let name = path.display().to_string();
    let loaded = input::read_file(path).and_then(|bytes| {
        let fmt = Format::from_extension(path).ok_or_else(|| gate_eval::Error::UnknownFormat {
            source: name.clone(),
        })?;
        let mut b = input::builder(&[old, new], 1);
        b.add_owned_bytes(None, &name, fmt, bytes)?;
        b.build()
    });
    let evidence = match loaded {
        Ok(e) => e,
        Err(e) => return unreadable(path, e.code().as_str(), e.to_string()),
    };
    let a = old.evaluate(&evidence, options);
    let b = new.evaluate(&evidence, options);
    DocReport {
        path: name,
        error: None,
        old: Some(a.outcome),
        new: Some(b.outcome),
        decision_flips: a.outcome != b.outcome,
        rule_flips: rule_flips(&a, &b),
    }
}

/// The rules whose outcome differs: in the new gate's order, then the rules
/// the new gate no longer has.
fn rule_flips(old: &Decision, new: &Decision) -> Vec<RuleFlip> {
    let mut flips = Vec::new();
    for r in &new.rules {
        let before = old.rule(&r.id).map(|o| o.outcome);
        if before == Some(r.outcome) {
            continue;
        }
        let why = match r.outcome {
            RuleOutcome::Fail => r.failures.first().map(|f| Why {
                code: None,
                message: f.message.clone(),
                path: f.path.clone(),
            }),
            RuleOutcome::Error => r.errors.first().map(|e| Why {
                code: Some(e.code.as_str()),
                message: e.message.clone(),
                path: e.path.clone(),
            }),
            _ => None,
        };
        flips.push(RuleFlip {
            rule: r.id.clone(),
            old: before,
            new: Some(r.outcome),
            why,
        });
    }
    for r in &old.rules {
        if new.rule(&r.id).is_none() {
            flips.push(RuleFlip {
                rule: r.id.clone(),
                old: Some(r.outcome),
                new: None,
                why: None,
            });
        }
    }
    flips
}

fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Pass => 0,
        Outcome::Warn => 1,
        Outcome::Fail => 2,
        Outcome::Error => 3,
    }
}

/// The report for people: only what flips, then the totals.
fn human(r: &Report, out: &Output) -> String {
    use owo_colors::OwoColorize;
    use std::fmt::Write as _;
    let paint = |s: &str, worse: Option<bool>| -> String {
        match worse {
            _ if !out.color => s.to_string(),
            Some(true) => s.red().bold().to_string(),
            Some(false) => s.green().to_string(),
            None => s.bold().to_string(),
        }
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "gate diff {} ({}) → {} ({})",
        r.old.path, r.old.gate, r.new.path, r.new.gate
    );
    let _ = writeln!(
        s,
        "corpus {}: {} document{}, clock {}",
        r.corpus,
        r.summary.documents,
        if r.summary.documents == 1 { "" } else { "s" },
        r.now
    );
    if !r.rules_added.is_empty() {
        let _ = writeln!(s, "rules added: {}", r.rules_added.join(", "));
    }
    if !r.rules_removed.is_empty() {
        let _ = writeln!(s, "rules removed: {}", r.rules_removed.join(", "));
    }
    for d in &r.documents {
        if let Some(e) = &d.error {
            let _ = writeln!(
                s,
                "\n{}: {} {}",
                paint(&d.path, None),
                paint(&format!("error[{}]:", e.code), Some(true)),
                e.message
            );
            continue;
        }
        let (Some(a), Some(b)) = (d.old, d.new) else {
            continue;
        };
        if !d.decision_flips && d.rule_flips.is_empty() {
            continue;
        }
        let decision = if d.decision_flips {
            paint(
                &format!("decision {} → {}", a.as_str(), b.as_str()),
                Some(rank(b) > rank(a)),
            )
        } else {
            format!("decision {} (unchanged)", a.as_str())
        };
        let _ = writeln!(s, "\n{}: {decision}", paint(&d.path, None));
        let width = d.rule_flips.iter().map(|f| f.rule.len()).max().unwrap_or(0);
        for f in &d.rule_flips {
            let show = |o: Option<RuleOutcome>, gone: &str| {
                o.map_or(gone.to_string(), |o| o.as_str().to_string())
            };
            let change = format!("{} → {}", show(f.old, "(added)"), show(f.new, "(removed)"));
            let worse = matches!(f.new, Some(RuleOutcome::Fail | RuleOutcome::Error));
            let _ = write!(s, "  {:<width$}  {}", f.rule, paint(&change, Some(worse)));
            if let Some(w) = &f.why {
                let _ = write!(s, ": ");
                if let Some(c) = w.code {
                    let _ = write!(s, "error[{c}] ");
                }
                let _ = write!(s, "{}", w.message);
                if let Some(p) = &w.path {
                    let _ = write!(s, " (at {p})");
                }
            }
            s.push('\n');
        }
    }
    let sm = &r.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = write!(
        s,
        "\n{}, {} flip{}, {} flip{}",
        plural(sm.documents, "document", "documents"),
        plural(sm.decision_flips, "decision", "decisions"),
        if sm.decision_flips == 1 { "s" } else { "" },
        plural(sm.rule_flips, "rule outcome", "rule outcomes"),
        if sm.rule_flips == 1 { "s" } else { "" },
    );
    if sm.unreadable > 0 {
        let _ = write!(s, ", {} could not be read", sm.unreadable);
    }
    s.push('\n');
    s
}
