//! `gate lint [PATHS]`: named, documented rules over gates and modules.

use crate::cli::{LintArgs, ReportFormat};
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
    let config = match config(&args) {
        Ok(c) => c,
        Err(msg) => {
            render::tool_error(out, io, "E0961", &msg);
            return Exit::Error;
        }
    };
    let paths = match files::find(&args.paths, &files::is_gate_file) {
        Ok(p) => p,
        Err(msg) => {
            render::tool_error(out, io, "E0701", &msg);
            return Exit::Error;
        }
    };
    let mut failed = false;
    let mut programs: Vec<(PathBuf, Program)> = Vec::new();
    for path in &paths {
        match compile(path, &config.host) {
            Ok(p) => programs.push((path.clone(), p)),
            Err(text) => {
                io.err(&text(out.color_err, out.width));
                failed = true;
            }
        }
    }
    let refs: Vec<&Program> = programs.iter().map(|(_, p)| p).collect();
    let across = lint::duplicate_ids_across(&refs);
    let mut seen = std::collections::HashSet::new();
    let mut all: Vec<(&Program, Finding)> = Vec::new();
    for (i, (_, program)) in programs.iter().enumerate() {
        let mut found = lint::analyse(program, &config.lint);
        found.extend(across.get(i).cloned().unwrap_or_default());
        if let Some((path, _)) = programs.get(i) {
            found.extend(untested_when(path, program));
        }
        for f in lint::finish(program, found, &config.lint) {
            let loc = program.sources.locate(f.span);
            // A module imported by several gates is linted with each.
            if seen.insert((loc.file, loc.start, f.rule, f.message.clone())) {
                all.push((program, f));
            }
        }
    }
    let errors = all.iter().filter(|(_, f)| f.level == Level::Error).count();
    let warnings = all.len() - errors;
    match args.format {
        ReportFormat::Human => {
            let mut text = String::new();
            for (program, f) in &all {
                text.push_str(&lint::render(
                    std::slice::from_ref(f),
                    &program.sources,
                    out.color,
                    out.width,
                ));
            }
            text.push_str(&summary(errors, warnings, paths.len()));
            io.out(&text);
        }
        ReportFormat::Json => {
            let findings: Vec<Value> = all.iter().map(|(p, f)| finding_json(p, f)).collect();
            let doc = json!({
                "files": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "findings": findings,
                "errors": errors,
                "warnings": warnings,
                "compile_errors": failed,
            });
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => io.out(&format!("{s}\n")),
                Err(e) => {
                    render::tool_error(out, io, "E0901", &format!("cannot write JSON: {e}"));
                    return Exit::Error;
                }
            }
        }
    }
    if failed {
        Exit::Error
    } else if errors > 0 {
        Exit::Fail
    } else {
        Exit::Pass
    }
}

type Rendered = Box<dyn Fn(bool, usize) -> String>;

/// Compiles a gate, or a module on its own.
fn compile(path: &Path, host: &[HostSig]) -> Result<Program, Rendered> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (file, _) = gate_lang::parser::parse_file(gate_lang::SourceId(0), &text);
    let is_module = matches!(file.header, Some(gate_lang::ast::Header::Module(_)));
    let options = gate_lang::CompileOptions {
        host: host.to_vec(),
        ..Default::default()
    };
    let result = if is_module {
        gate_lang::compile_module_file(path, options)
    } else {
        gate_lang::compile_file_with(path, &gate_lang::RealFs, options)
    };
    result.map_err(|e| Box::new(move |color, width| e.render(color, width)) as Rendered)
}

/// `untested-when`: the test files beside the gate (`*.test.yaml` in its
/// folder that name it) are run; a `block` rule with a `when` that no case
/// makes hold is reported. Gates without tests are not checked.
fn untested_when(path: &Path, program: &Program) -> Vec<Finding> {
    use crate::cmd::test::suite;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(files) = suite::discover(std::slice::from_ref(&dir)) else {
        return Vec::new();
    };
    let me = crate::files::normalize(path);
    let mut decisions = Vec::new();
    for file in files {
        // Only files of this folder, not of sub-folders.
        if file.parent().map(crate::files::normalize) != Some(crate::files::normalize(&dir)) {
            continue;
        }
        let Ok(s) = suite::load_suite(&file) else {
            continue;
        };
        if crate::files::normalize(&s.policy_path) != me {
            continue;
        }
        let result = crate::cmd::test::run::run_suite(&s, false);
        decisions.extend(result.cases.into_iter().filter_map(|c| c.decision));
    }
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
                        "no test case makes this `when` hold, so the requirements of block rule `{}` never ran in the {} test case(s) of this gate",
                        rule.id,
                        decisions.len()
                    ),
                )
                .help("add a test case whose evidence makes the `when` hold (see docs/testing.md)"),
            );
        }
    }
    out
}

fn summary(errors: usize, warnings: usize, files: usize) -> String {
    let files = match files {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    if errors + warnings == 0 {
        return format!("no findings in {files}\n");
    }
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    format!(
        "{}, {} in {files}\n",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
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
    match lint::rule(name) {
        Some(r) => {
            io.out(&format!(
                "{} (default: {})\n\n{}.\n\n{}\n\nExamples: docs/lint.md#{}\n",
                r.name,
                r.default.as_str(),
                capitalise(r.summary),
                r.explanation,
                r.name
            ));
            Exit::Pass
        }
        None => {
            render::tool_error(out, io, "E0960", &lint::unknown_rule(name));
            Exit::Error
        }
    }
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
struct LintConfig {
    lint: Config,
    /// Host functions the embedding program provides, so that its policies
    /// compile here.
    host: Vec<HostSig>,
}

/// Levels and frameworks from `gate-lint.toml` (or `--config`) and `--rule`.
fn config(args: &LintArgs) -> Result<LintConfig, String> {
    let mut config = LintConfig::default();
    let file = match &args.config {
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
    Some(match s {
        "bool" => Type::Bool,
        "int" => Type::Int,
        "float" => Type::Float,
        "string" => Type::String,
        "time" => Type::Time,
        "duration" => Type::Duration,
        _ => return None,
    })
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
