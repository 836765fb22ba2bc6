//! `gate lint [PATHS]`: named, documented rules over gates and modules.

use crate::cli::{LintArgs, ResultFormat};
use crate::exit::Exit;
use crate::files;
use crate::io::Io;
use crate::render::{self, Output};
use gate_lang::lint::{self, Config, Finding, Level};
use gate_lang::types::Type;
use gate_lang::{HostSig, Program};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The configuration file read from the current folder when present.
pub const CONFIG_FILE: &str = "gate-lint.toml";

/// Runs `gate lint`.
pub fn run(args: LintArgs, out: &Output, io: &mut Io) -> Exit {
    if let Some(name) = &args.explain {
        return explain(name, out, io);
    }
    // A bundle's files are unpacked, checked, into a folder of their own
    // (removed when `unpacked` goes).
    let (paths, unpacked) = match crate::cmd::bundle::unpack(&args.paths, &args.require, out, io) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    // A bundle's own configuration, when one bundle has one.
    let from_bundle: Vec<PathBuf> = unpacked
        .iter()
        .map(|d| d.path().join(CONFIG_FILE))
        .filter(|p| p.is_file())
        .collect();
    let config = match config(
        &args,
        from_bundle.first().filter(|_| from_bundle.len() == 1),
    ) {
        Ok(c) => c,
        Err(msg) => {
            render::tool_error(out, io, "E0961", &msg);
            return Exit::Error;
        }
    };
    let found = match files::find(&paths, &files::is_gate_file) {
        Ok(p) => p,
        Err(msg) => {
            render::tool_error(out, io, "E0701", &msg);
            return Exit::Error;
        }
    };
    // A folder that cannot be read is an error: its gates are not linted.
    for problem in found.problems() {
        render::tool_error(out, io, "E0701", &problem);
    }
    let unread = !found.unreadable.is_empty();
    let paths = found.files;
    let mut programs: Vec<(PathBuf, Program)> = Vec::new();
    let mut broken: Vec<(PathBuf, gate_lang::CompileError)> = Vec::new();
    for path in &paths {
        match compile(path, &config.host) {
            Ok(p) => programs.push((path.clone(), p)),
            Err(e) => {
                io.err(&e.render(out.color_err, out.width));
                broken.push((path.clone(), e));
            }
        }
    }
    let failed = !broken.is_empty() || unread;
    let refs: Vec<&Program> = programs.iter().map(|(_, p)| p).collect();
    let across = lint::duplicate_ids_across(&refs);
    let mut seen = std::collections::HashSet::new();
    let runs = TestRuns::default();
    let mut all: Vec<(&Program, Finding)> = Vec::new();
    for (i, (path, program)) in programs.iter().enumerate() {
        let extra = across.get(i).cloned().unwrap_or_default();
        let root = crate::cmd::bundle::root_of(path, &unpacked);
        for f in findings(path, program, &config.lint, extra, root, &runs) {
            let loc = program.sources.locate(f.span);
            // A module imported by several gates is linted with each.
            if seen.insert((loc.file, loc.start, f.rule, f.message.clone())) {
                all.push((program, f));
            }
        }
    }
    let errors = all.iter().filter(|(_, f)| f.level == Level::Error).count();
    let warnings = all.len() - errors;
    let run = LintRun {
        paths: &paths,
        findings: &all,
        broken: &broken,
        errors,
        warnings,
    };
    let files: Vec<_> = args.output.iter().map(|(f, p)| (*f, p.as_path())).collect();
    let text = |format: ResultFormat, out: &Output| report(format, &run, out);
    if !render::write_reports(Some(args.format), &files, &text, out, io) {
        return Exit::Error;
    }
    if failed {
        Exit::Error
    } else if errors > 0 {
        Exit::Fail
    } else {
        Exit::Pass
    }
}

/// What one lint run found.
struct LintRun<'a> {
    paths: &'a [PathBuf],
    findings: &'a [(&'a Program, Finding)],
    /// The files that do not compile.
    broken: &'a [(PathBuf, gate_lang::CompileError)],
    errors: usize,
    warnings: usize,
}

/// The run's report in one format.
fn report(format: ResultFormat, run: &LintRun<'_>, out: &Output) -> Result<String, String> {
    match format {
        ResultFormat::Human => {
            let mut text = String::new();
            for (program, f) in run.findings {
                text.push_str(&lint::render(
                    std::slice::from_ref(f),
                    &program.sources,
                    out.color,
                    out.width,
                ));
            }
            text.push_str(&summary(run.errors, run.warnings, run.paths.len()));
            Ok(text)
        }
        ResultFormat::Json => {
            let findings: Vec<Value> = run
                .findings
                .iter()
                .map(|(p, f)| finding_json(p, f))
                .collect();
            let doc = json!({
                "files": run.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "findings": findings,
                "errors": run.errors,
                "warnings": run.warnings,
                "compile_errors": !run.broken.is_empty(),
            });
            serde_json::to_string_pretty(&doc)
                .map(|s| format!("{s}\n"))
                .map_err(|e| format!("cannot write JSON: {e}"))
        }
        ResultFormat::Sarif => sarif(run),
        ResultFormat::Junit => junit(run),
    }
}

/// The findings as SARIF: the lint rules as the tool's rules, a result per
/// finding (its labels as related locations), and a result per
/// diagnostic of a file that does not compile (its code as the rule).
fn sarif(run: &LintRun<'_>) -> Result<String, String> {
    use crate::render::sarif as s;
    let mut rules: Vec<_> = lint::RULES
        .iter()
        .map(|r| {
            s::rule(
                r.name,
                &capitalise(r.summary),
                r.explanation,
                sarif_level(r.default.as_str()),
            )
        })
        .collect();
    let mut results = Vec::new();
    for (program, f) in run.findings {
        let index = lint::RULES
            .iter()
            .position(|r| r.name == f.rule)
            .unwrap_or(0);
        let mut text = f.message.clone();
        if let Some(h) = &f.help {
            text.push_str(&format!("\nhelp: {h}"));
        }
        let level = match f.level {
            Level::Error => serde_sarif::sarif::ResultLevel::Error,
            _ => serde_sarif::sarif::ResultLevel::Warning,
        };
        let at = program.sources.locate(f.span);
        let mut result = s::result_at_level(f.rule, index, &text, s::span_location(&at), level);
        if !f.labels.is_empty() {
            result.related_locations = Some(
                f.labels
                    .iter()
                    .map(|l| {
                        let mut loc = s::span_location(&program.sources.locate(l.span));
                        loc.message = Some(
                            serde_sarif::sarif::Message::builder()
                                .text(l.text.clone())
                                .build(),
                        );
                        loc
                    })
                    .collect(),
            );
        }
        results.push(result);
    }
    for (_, e) in run.broken {
        for d in e
            .errors
            .iter()
            .filter(|d| d.severity == gate_lang::Severity::Error)
        {
            let code = d.code().to_string();
            let index = match rules.iter().position(|r| r.id == code) {
                Some(i) => i,
                None => {
                    rules.push(s::rule(
                        &code,
                        "The policy does not compile",
                        "A file that does not compile cannot be linted; see docs/errors.md for the code.",
                        "error",
                    ));
                    rules.len() - 1
                }
            };
            let at = e.sources.locate(d.span);
            results.push(s::result(
                &code,
                index,
                &d.to_string(),
                s::span_location(&at),
            ));
        }
    }
    s::tool_log("gate lint", rules, results, run.broken.is_empty())
}

fn sarif_level(level: &str) -> &'static str {
    match level {
        "error" => "error",
        "warning" => "warning",
        _ => "none",
    }
}

/// The findings as JUnit XML: a test case per linted file, failed by its
/// error-level findings (warnings are listed in its output), an error when
/// it does not compile.
fn junit(run: &LintRun<'_>) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new("gate lint");
    for path in run.paths {
        let name = path.display().to_string();
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for (program, f) in run.findings {
            let at = program.sources.locate(f.span);
            if Path::new(&at.file) != path.as_path() {
                continue;
            }
            let line = format!(
                "{}:{}:{}: {}: {}",
                at.file, at.line, at.column, f.rule, f.message
            );
            match f.level {
                Level::Error => errors.push(line),
                _ => warnings.push(line),
            }
        }
        let status = if let Some((_, e)) = run.broken.iter().find(|(p, _)| p == path) {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            let text: Vec<String> = e
                .errors
                .iter()
                .filter(|d| d.severity == gate_lang::Severity::Error)
                .map(|d| {
                    let at = e.sources.locate(d.span);
                    format!("{}:{}:{}: {}: {d}", at.file, at.line, at.column, d.code())
                })
                .collect();
            status
                .set_message("the file does not compile")
                .set_type("compile-error")
                .set_description(text.join("\n"));
            status
        } else if errors.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(crate::render::count(errors.len(), "error-level finding"))
                .set_type("lint")
                .set_description(errors.join("\n"));
            status
        };
        let mut case = TestCase::new(name.as_str(), status);
        case.set_classname("gate lint");
        case.extra.insert("file".into(), name.as_str().into());
        if !warnings.is_empty() {
            case.set_system_out(warnings.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("gate lint");
    report.add_test_suite(suite);
    report.to_string().map_err(|e| e.to_string())
}

/// Compiles a gate, or a module on its own.
fn compile(path: &Path, host: &[HostSig]) -> Result<Program, gate_lang::CompileError> {
    compile_in(path, &gate_lang::RealFs, host)
}

/// Compiles a file as the linter does, reading from `fs`: a gate with its
/// imports, a module on its own.
pub(crate) fn compile_in(
    path: &Path,
    fs: &dyn gate_lang::FileSystem,
    host: &[HostSig],
) -> Result<Program, gate_lang::CompileError> {
    let text = fs.read(path).unwrap_or_default();
    let (file, _) = gate_lang::parser::parse_file(gate_lang::SourceId(0), &text);
    let is_module = matches!(file.header, Some(gate_lang::ast::Header::Module(_)));
    let options = gate_lang::CompileOptions {
        host: host.to_vec(),
        ..Default::default()
    };
    if is_module {
        gate_lang::compile_module_file_with(path, fs, options)
    } else {
        gate_lang::compile_file_with(path, fs, options)
    }
}

/// Every finding of one compiled file: the rules, `extra` findings found
/// across files, and `untested-when` from the tests beside it (whose files
/// must be inside `root` when there is one, run through `runs`);
/// suppressions and levels applied.
pub(crate) fn findings(
    path: &Path,
    program: &Program,
    config: &lint::Config,
    extra: Vec<Finding>,
    root: Option<&Path>,
    runs: &TestRuns,
) -> Vec<Finding> {
    let mut found = lint::analyse(program, config);
    found.extend(extra);
    found.extend(untested_when(path, program, root, runs));
    lint::finish(program, found, config)
}

/// The files one run of a test file read, each with when it was last
/// changed and its size: while they are the same, so are the decisions.
type Stamp = Vec<(PathBuf, Option<std::time::SystemTime>, Option<u64>)>;

/// The decisions of the test cases beside each gate, kept while every file
/// their run read (the test files, the gate's sources, the evidence,
/// waiver and trust files, the folders they were found in) is unchanged:
/// a language server lints on every edit, and a gate's tests run the gate
/// as it is on disk.
#[derive(Default)]
pub(crate) struct TestRuns {
    kept: std::sync::Mutex<std::collections::HashMap<PathBuf, (Stamp, Vec<gate_eval::Decision>)>>,
}

impl TestRuns {
    /// The decisions of the cases of the test files beside the gate
    /// `path` (in `dir`) that test it.
    fn decisions(&self, path: &Path, dir: &Path, root: Option<&Path>) -> Vec<gate_eval::Decision> {
        let me = crate::files::normalize(path);
        if let Ok(kept) = self.kept.lock() {
            if let Some((stamp, decisions)) = kept.get(&me) {
                if *stamp == restamp(stamp) {
                    return decisions.clone();
                }
            }
        }
        let (read, decisions) = run_beside(&me, dir, root);
        let stamp = restamp(&read.into_iter().map(|p| (p, None, None)).collect::<Stamp>());
        if let Ok(mut kept) = self.kept.lock() {
            kept.insert(me, (stamp, decisions.clone()));
        }
        decisions
    }
}

/// The files of a stamp as they are now.
fn restamp(stamp: &Stamp) -> Stamp {
    stamp
        .iter()
        .map(|(path, _, _)| {
            let meta = std::fs::metadata(path).ok();
            (
                path.clone(),
                meta.as_ref().and_then(|m| m.modified().ok()),
                meta.map(|m| m.len()),
            )
        })
        .collect()
}

/// Runs the test files of `dir` (not of its sub-folders) that test the
/// gate `me`: their decisions, and every file and folder the runs read.
fn run_beside(
    me: &Path,
    dir: &Path,
    root: Option<&Path>,
) -> (Vec<PathBuf>, Vec<gate_eval::Decision>) {
    use crate::cmd::test::suite;
    let mut read = vec![dir.to_path_buf()];
    let mut decisions = Vec::new();
    let Ok(files) = suite::discover(std::slice::from_ref(&dir.to_path_buf())) else {
        return (read, decisions);
    };
    for file in files {
        if file.parent().map(crate::files::normalize) != Some(crate::files::normalize(dir)) {
            continue;
        }
        read.push(file.clone());
        let Ok(s) = suite::load_suite_within(&file, root) else {
            continue;
        };
        if crate::files::normalize(&s.policy_path) != me {
            continue;
        }
        read.extend(suite_reads(&s));
        let result = crate::cmd::test::run::run_suite(&s, false);
        decisions.extend(result.cases.into_iter().filter_map(|c| c.decision));
    }
    (read, decisions)
}

/// The files a suite's cases read besides the test file: the policy's
/// sources, evidence (and the folders of evidence folders and globs),
/// waivers, the trust configuration.
fn suite_reads(s: &crate::cmd::test::suite::Suite) -> Vec<PathBuf> {
    use crate::cmd::test::suite::CaseEvidence;
    let base = s.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut out: Vec<PathBuf> = s
        .policy
        .sources()
        .files()
        .map(|(_, f)| PathBuf::from(&f.name))
        .filter(|p| p.is_absolute() || p.exists())
        .collect();
    for case in &s.cases {
        if let CaseEvidence::Files(specs) = &case.evidence {
            for text in specs {
                let spec = crate::cmd::spec::Spec::parse(&base, text);
                out.push(base.join(spec.path));
                match spec.files(&base, spec.format.is_some()) {
                    Ok(crate::cmd::spec::Files::One(p)) => out.push(p),
                    Ok(crate::cmd::spec::Files::Set(ps)) => out.extend(ps),
                    _ => {}
                }
            }
        }
        out.extend(case.waivers.iter().map(|w| base.join(w)));
    }
    out.extend(s.trust.iter().map(|t| base.join(t)));
    out.sort();
    out.dedup();
    out
}

/// `untested-when`: the test files beside the gate (`*.test.yaml` in its
/// folder that name it) are run; a `block` rule with a `when` that no case
/// makes hold is reported. Gates without tests are not checked.
fn untested_when(
    path: &Path,
    program: &Program,
    root: Option<&Path>,
    runs: &TestRuns,
) -> Vec<Finding> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let decisions = runs.decisions(path, &dir, root);
    if decisions.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for rule in &program.rules {
        if rule.severity != gate_lang::ir::RuleSeverity::Block {
            continue;
        }
        let Some(when) = rule.steps.iter().find_map(|s| match s {
            gate_lang::ir::Step::When(e) => Some(*e),
            _ => None,
        }) else {
            continue;
        };
        let applied = decisions
            .iter()
            .any(|d| d.rules.iter().any(|r| r.id == rule.id && r.applicable));
        if !applied {
            let span = program.node(when).map(|n| n.span).unwrap_or(rule.span);
            out.push(
                Finding::new(
                    "untested-when",
                    span,
                    format!(
                        "no test case makes this `when` hold, so the requirements of block rule `{}` never ran in the {} of this gate",
                        rule.id,
                        crate::render::count(decisions.len(), "test case")
                    ),
                )
                .help("add a test case whose evidence makes the `when` hold (see docs/testing.md)"),
            );
        }
    }
    out
}

fn summary(errors: usize, warnings: usize, files: usize) -> String {
    let files = crate::render::count(files, "file");
    if errors + warnings == 0 {
        return format!("no findings in {files}\n");
    }
    format!(
        "{}, {} in {files}\n",
        crate::render::count(errors, "error"),
        crate::render::count(warnings, "warning")
    )
}

fn finding_json(program: &Program, f: &Finding) -> Value {
    let loc = program.sources.locate(f.span);
    let labels: Vec<Value> = f
        .labels
        .iter()
        .map(|l| {
            let at = program.sources.locate(l.span);
            json!({"text": l.text, "file": at.file, "line": at.line, "column": at.column})
        })
        .collect();
    json!({
        "rule": f.rule,
        "level": f.level.as_str(),
        "message": f.message,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "help": f.help,
        "labels": labels,
    })
}

fn explain(name: &str, out: &Output, io: &mut Io) -> Exit {
    if name == "all" || name == "list" {
        let mut text = String::new();
        for r in lint::RULES {
            text.push_str(&format!(
                "{:<24} {:<8} {}\n",
                r.name,
                r.default.as_str(),
                r.summary
            ));
        }
        io.out(&text);
        return Exit::Pass;
    }
    match explanation(name) {
        Some(text) => {
            io.out(&text);
            Exit::Pass
        }
        None => {
            render::tool_error(out, io, "E0960", &lint::unknown_rule(name));
            Exit::Error
        }
    }
}

/// What `gate lint --explain RULE` prints: the rule, its default level,
/// what it finds, why it matters and its examples.
pub(crate) fn explanation(name: &str) -> Option<String> {
    let r = lint::rule(name)?;
    let mut text = format!(
        "{} (default: {})\n\n{}.\n\n{}\n",
        r.name,
        r.default.as_str(),
        capitalise(r.summary),
        r.explanation,
    );
    if let Some(examples) = doc_examples(r.name) {
        text.push_str(&format!("\n{examples}"));
    }
    Some(text)
}

/// The lint rules' documentation, built in so that `--explain` shows it
/// wherever gate is installed.
const LINT_DOC: &str = include_str!("../../../docs/lint.md");

/// The examples of a rule's section of the documentation: from its
/// `Fails:` to the next section.
fn doc_examples(rule: &str) -> Option<String> {
    let head = format!("\n## `{rule}`\n");
    let start = LINT_DOC.find(&head)? + head.len();
    let section = LINT_DOC.get(start..)?;
    let section = section.split("\n## ").next()?;
    let from = section.find("Fails:")?;
    Some(section.get(from..)?.trim_end().to_string() + "\n")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What `gate-lint.toml` configures.
#[derive(Default)]
pub(crate) struct LintConfig {
    pub(crate) lint: Config,
    /// Host functions the embedding program provides, so that its policies
    /// compile here.
    pub(crate) host: Vec<HostSig>,
}

/// The configuration in the file `path` (`gate-lint.toml`).
pub(crate) fn config_file(path: &Path) -> Result<LintConfig, String> {
    let mut config = LintConfig::default();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    read_config(&text, &mut config).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(config)
}

/// Levels and frameworks from `--config`, else the configuration of the
/// bundle being linted, else `gate-lint.toml` in the current folder; and
/// `--rule`.
fn config(args: &LintArgs, bundle: Option<&PathBuf>) -> Result<LintConfig, String> {
    let mut config = LintConfig::default();
    let file = match args.config.as_ref().or(bundle) {
        Some(p) => Some(p.clone()),
        None => {
            let p = PathBuf::from(CONFIG_FILE);
            p.is_file().then_some(p)
        }
    };
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        read_config(&text, &mut config).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for setting in &args.rules {
        let Some((rule, level)) = setting.split_once('=') else {
            return Err(format!(
                "`--rule {setting}`: write `--rule RULE=error|warning|off`"
            ));
        };
        let level = Level::parse(level.trim()).ok_or_else(|| {
            format!("`--rule {setting}`: the level is `error`, `warning` or `off`")
        })?;
        config.lint.set_level(rule.trim(), level)?;
    }
    Ok(config)
}

/// Reads a configuration file:
///
/// ```toml
/// [rules]
/// vacuous-all = "error"
/// rule-without-message = "off"
///
/// [frameworks]
/// ACME-SEC = "SEC-[0-9]{3}"
///
/// [host]
/// trusted_registry = { params = ["string"], returns = "bool" }
/// ```
fn read_config(text: &str, config: &mut LintConfig) -> Result<(), String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    for (key, value) in &table {
        match key.as_str() {
            "rules" => {
                let Some(rules) = value.as_table() else {
                    return Err("`rules` is a table: `[rules]`".into());
                };
                for (rule, level) in rules {
                    let level = level.as_str().and_then(Level::parse).ok_or_else(|| {
                        format!("rule `{rule}`: the level is \"error\", \"warning\" or \"off\"")
                    })?;
                    config.lint.set_level(rule, level)?;
                }
            }
            "frameworks" => {
                let Some(frameworks) = value.as_table() else {
                    return Err("`frameworks` is a table: `[frameworks]`".into());
                };
                for (name, pattern) in frameworks {
                    let pattern = pattern.as_str().ok_or_else(|| {
                        format!("framework `{name}`: give the id pattern as a string")
                    })?;
                    config.lint.add_framework(name, pattern)?;
                }
            }
            "host" => {
                let Some(functions) = value.as_table() else {
                    return Err("`host` is a table: `[host]`".into());
                };
                for (name, sig) in functions {
                    config.host.push(host_sig(name, sig)?);
                }
            }
            other => {
                return Err(format!(
                    "unknown section `{other}`: the sections are `[rules]`, `[frameworks]` and `[host]`"
                ))
            }
        }
    }
    Ok(())
}

/// `name = { params = ["string"], returns = "bool" }`
fn host_sig(name: &str, sig: &toml::Value) -> Result<HostSig, String> {
    let bad = || {
        format!("host function `{name}`: write `{name} = {{ params = [\"string\"], returns = \"bool\" }}`")
    };
    let table = sig.as_table().ok_or_else(bad)?;
    let params = table
        .get("params")
        .and_then(toml::Value::as_array)
        .ok_or_else(bad)?
        .iter()
        .map(|p| p.as_str().and_then(host_type).ok_or_else(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let ret = table
        .get("returns")
        .and_then(toml::Value::as_str)
        .and_then(host_type)
        .ok_or_else(bad)?;
    if let Some(k) = table.keys().find(|k| *k != "params" && *k != "returns") {
        return Err(format!("host function `{name}`: unknown key `{k}`"));
    }
    Ok(HostSig {
        name: name.to_string(),
        params,
        ret,
    })
}

/// `string`, `int`, `[string]`, `time?` …
fn host_type(s: &str) -> Option<Type> {
    let s = s.trim();
    if let Some(inner) = s.strip_suffix('?') {
        return host_type(inner).map(Type::optional);
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return host_type(inner).map(|t| Type::List(Box::new(t)));
    }
    gate_lang::types::primitive(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_configuration() {
        let mut c = LintConfig::default();
        read_config(
            "[rules]\nvacuous-all = \"error\"\n[frameworks]\nACME = \"SEC-[0-9]{3}\"\n[host]\nf = { params = [\"[string]\", \"int?\"], returns = \"bool\" }\n",
            &mut c,
        )
        .unwrap();
        assert_eq!(c.lint.level("vacuous-all"), Level::Error);
        assert_eq!(c.lint.frameworks.len(), 1);
        assert_eq!(c.host.len(), 1);
        assert_eq!(c.host[0].params[1], Type::Int.optional());
        assert!(read_config(
            "[host]\nf = { params = [\"strin\"], returns = \"bool\" }\n",
            &mut c
        )
        .is_err());
        let err = read_config("[rules]\nvacous-all = \"off\"\n", &mut c).unwrap_err();
        assert!(err.contains("did you mean `vacuous-all`"), "{err}");
        assert!(read_config("[rule]\n", &mut c).is_err());
        assert!(read_config("[rules]\nvacuous-all = \"loud\"\n", &mut c).is_err());
    }
}
