//! A REPL session: the gate and evidence loaded, the `let`s typed so far,
//! and what each input line does.

use crate::cli::{EvidenceArgs, EvidenceFormat, ReplArgs};
use crate::cmd::input;
use crate::io::Io;
use crate::render::{human, Output};
use gate_eval::{Decision, Evidence, Options, Policy};
use gate_lang::span::{SourceMap, Span};
use gate_lang::types::Type;
use gate_lang::FileSystem as _;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The name the expression being evaluated is bound to.
const VALUE: &str = "__repl";

/// What an input produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// Text for standard output.
    Out(String),
    /// An error, for standard error.
    Err(String),
    /// Nothing to show.
    Nothing,
    /// End the session.
    Quit,
}

/// Serves the gate file with the session's additions appended, and every
/// other file from disk.
struct Overlay {
    path: PathBuf,
    text: String,
}

impl gate_lang::FileSystem for Overlay {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        if gate_lang::RealFs.canonicalize(path).ok().as_deref() == Some(self.path.as_path()) {
            return Ok(self.text.clone());
        }
        gate_lang::RealFs.read(path)
    }

    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        gate_lang::RealFs.canonicalize(path)
    }
}

/// The state of a session.
pub struct Session {
    path: PathBuf,
    evidence_specs: Vec<String>,
    evidence_format: Option<EvidenceFormat>,
    now: Option<i128>,
    base: String,
    policy: Policy,
    evidence: Evidence,
    lets: Vec<(String, String)>,
    out: Output,
}

/// A compiled input: the policy with the input appended, and where the
/// input starts in the text.
struct Compiled {
    policy: Policy,
}

impl Session {
    /// Loads the gate and the evidence; the error is rendered.
    pub fn load(args: &ReplArgs, out: Output, io: &mut Io) -> Result<Session, String> {
        let now = match args.now.as_deref() {
            Some(t) => Some(gate_lang::time::parse_timestamp(t).map_err(|e| {
                format!("error[E0002]: `--now` is not an RFC 3339 timestamp: {e}\n")
            })?),
            None => None,
        };
        if args.evidence.iter().any(|e| e == "-" || e.ends_with("=-")) {
            return Err(
                "error[E0002]: the REPL reads its commands from standard input: give evidence as files\n"
                    .into(),
            );
        }
        let (base, policy, evidence) =
            read_all(&args.policy, &args.evidence, args.evidence_format, &out, io)?;
        Ok(Session {
            path: args.policy.clone(),
            evidence_specs: args.evidence.clone(),
            evidence_format: args.evidence_format,
            now,
            base,
            policy,
            evidence,
            lets: Vec::new(),
            out,
        })
    }

    /// What `--help` style banner the session starts with.
    pub fn banner(&self) -> String {
        format!(
            "gate repl: {} ({} rules), evidence: {}; :help for help\n",
            self.path.display(),
            self.policy.program().rules.len(),
            if self.evidence_specs.is_empty() {
                "none".to_string()
            } else {
                self.evidence_specs.join(", ")
            }
        )
    }

    /// Reads the gate and the evidence again, keeping the session's `let`s
    /// that still compile.
    pub fn reload(&mut self, io: &mut Io) -> Result<String, String> {
        let (base, policy, evidence) = read_all(
            &self.path,
            &self.evidence_specs,
            self.evidence_format,
            &self.out,
            io,
        )?;
        self.base = base;
        self.policy = policy;
        self.evidence = evidence;
        let lets = std::mem::take(&mut self.lets);
        let mut dropped = Vec::new();
        for (name, expr) in lets {
            match self.compile(&format!("let {name} = ("), &expr) {
                Ok(c) => {
                    self.policy = c.policy;
                    self.lets.push((name, expr));
                }
                Err(_) => dropped.push(name),
            }
        }
        let mut msg = format!(
            "loaded {} ({} rules), evidence: {}\n",
            self.path.display(),
            self.policy.program().rules.len(),
            if self.evidence_specs.is_empty() {
                "none".to_string()
            } else {
                self.evidence_specs.join(", ")
            }
        );
        if !dropped.is_empty() {
            let _ = writeln!(
                msg,
                "dropped `let`s that no longer compile: {}",
                dropped.join(", ")
            );
        }
        Ok(msg)
    }

    fn options(&self) -> Options {
        let mut options = Options::default();
        options.now = self.now.map(gate_eval::time::timestamp);
        options
    }

    /// The gate's text with the session's `let`s.
    fn text_with_lets(&self) -> String {
        let mut text = self.base.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        for (name, expr) in &self.lets {
            let _ = writeln!(text, "let {name} = ({expr})");
        }
        text
    }

    /// Compiles the gate with `extra` (one or more lines) appended; errors
    /// in `extra` are shown against `<repl>`, others against their files.
    fn compile(&self, head: &str, expr: &str) -> Result<Compiled, String> {
        let prefix = format!("{}{head}", self.text_with_lets());
        let text = format!("{prefix}{expr})\n");
        let canonical = gate_lang::RealFs
            .canonicalize(&self.path)
            .map_err(|e| input::unreadable_gate(&self.path, &e))?;
        let fs = Overlay {
            path: canonical,
            text,
        };
        match Policy::builder().compile_file_in(&self.path, &fs) {
            Ok(policy) => Ok(Compiled { policy }),
            Err(gate_eval::Error::Policy(e)) => {
                Err(self.render_errors(&e.errors, &e.sources, prefix.len(), expr))
            }
            Err(e) => Err(format!("error[{}]: {e}\n", e.code())),
        }
    }

    /// Renders compile errors; those in the appended input against a
    /// `<repl>` source holding just the input.
    fn render_errors(
        &self,
        errors: &[gate_lang::Error],
        sources: &SourceMap,
        offset: usize,
        input: &str,
    ) -> String {
        let entry = sources
            .files()
            .find(|(_, f)| Path::new(&f.name) == self.path.as_path())
            .map(|(id, _)| id);
        let mut repl = SourceMap::new();
        let repl_id = repl.add("<repl>", input.to_string());
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        let (mine, theirs): (Vec<_>, Vec<_>) = errors
            .iter()
            .cloned()
            .partition(|e| Some(e.span.source) == entry && e.span.start >= offset);
        let moved: Vec<gate_lang::Error> = mine
            .into_iter()
            .map(|mut e| {
                e.span = shift(e.span, offset, repl_id);
                for l in &mut e.labels {
                    if Some(l.span.source) == entry && l.span.start >= offset {
                        l.span = shift(l.span, offset, repl_id);
                    }
                }
                e
            })
            .collect();
        let mut text = gate_lang::error::render(&moved, &repl, self.out.color_err, self.out.width);
        text.push_str(&gate_lang::error::render(
            &theirs,
            sources,
            self.out.color_err,
            self.out.width,
        ));
        text
    }

    /// Handles one input (a line, or several joined).
    pub fn handle(&mut self, input: &str, io: &mut Io) -> Reply {
        let input = input.trim();
        if input.is_empty() || input.starts_with('#') {
            return Reply::Nothing;
        }
        if let Some(cmd) = input.strip_prefix(':') {
            return self.command(cmd, io);
        }
        if let Some(rest) = input.strip_prefix("let ") {
            return self.define(rest);
        }
        self.evaluate(input)
    }

    fn command(&mut self, cmd: &str, io: &mut Io) -> Reply {
        let (name, arg) = match cmd.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (cmd, ""),
        };
        match name {
            "q" | "quit" | "exit" => Reply::Quit,
            "h" | "help" => Reply::Out(HELP.to_string()),
            "rules" => Reply::Out(self.rules()),
            "explain" | "e" => self.explain(arg),
            "schema" | "s" => Reply::Out(super::schema::render(self.policy.program())),
            "type" | "t" => match self.type_of(arg) {
                Ok(t) => Reply::Out(format!("{t}\n")),
                Err(e) => Reply::Err(e),
            },
            "reload" | "r" => match self.reload(io) {
                Ok(msg) => Reply::Out(msg),
                Err(e) => Reply::Err(e),
            },
            "lets" => {
                let mut s = String::new();
                for (n, e) in &self.lets {
                    let _ = writeln!(s, "let {n} = {e}");
                }
                Reply::Out(s)
            }
            other => {
                let known = COMMANDS.iter().map(|c| c.trim_start_matches(':'));
                let hint = gate_lang::check::closest(other, known)
                    .map(|c| format!("; did you mean `:{c}`?"))
                    .unwrap_or_else(|| "; `:help` lists the commands".to_string());
                Reply::Err(format!("error: no command `:{other}`{hint}\n"))
            }
        }
    }

    /// `let NAME = EXPR`
    fn define(&mut self, rest: &str) -> Reply {
        let Some((name, expr)) = rest.split_once('=') else {
            return Reply::Err("error: write `let NAME = EXPRESSION`\n".into());
        };
        let name = name.trim();
        let expr = expr.trim();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !valid || expr.is_empty() {
            return Reply::Err("error: write `let NAME = EXPRESSION`\n".into());
        }
        let replacing: Vec<(String, String)> = self.lets.clone();
        self.lets.retain(|(n, _)| n != name);
        match self.compile(&format!("let {name} = ("), expr) {
            Ok(c) => {
                let ty = global_type(&c.policy, name);
                self.lets.push((name.to_string(), expr.to_string()));
                self.policy = c.policy;
                Reply::Out(format!("{name} : {ty}\n"))
            }
            Err(e) => {
                self.lets = replacing;
                Reply::Err(e)
            }
        }
    }

    fn type_of(&self, expr: &str) -> Result<String, String> {
        if expr.is_empty() {
            return Err("error: write `:type EXPRESSION`\n".into());
        }
        let c = self.compile(&format!("let {VALUE} = ("), expr)?;
        Ok(global_type(&c.policy, VALUE))
    }

    /// The type of an expression, or `None` if it does not compile (for
    /// completion).
    pub fn quiet_type(&self, expr: &str) -> Option<(Type, gate_lang::types::Schema)> {
        let c = self.compile(&format!("let {VALUE} = ("), expr).ok()?;
        let p = c.policy.program();
        let g = p.globals.iter().find(|g| g.name == VALUE)?;
        Some((p.node(g.expr)?.ty.clone(), p.schema.clone()))
    }

    fn evaluate(&mut self, expr: &str) -> Reply {
        let c = match self.compile(&format!("let {VALUE} = ("), expr) {
            Ok(c) => c,
            Err(e) => return Reply::Err(e),
        };
        let ty = global_type(&c.policy, VALUE);
        match c
            .policy
            .evaluate_let(VALUE, &self.evidence, &self.options())
        {
            Some(Ok(v)) => Reply::Out(format!("{} : {ty}\n", show(&v, self.out.width))),
            Some(Err(e)) => {
                let start = self.text_with_lets().len() + format!("let {VALUE} = (").len();
                let start = u32::try_from(start).unwrap_or(u32::MAX);
                let place = if e.span.start >= start {
                    let col = expr
                        .get(..(e.span.start - start) as usize)
                        .map(|s| s.chars().count() + 1)
                        .unwrap_or(1);
                    format!("<repl>:1:{col}")
                } else {
                    format!("{}:{}:{}", e.span.file, e.span.line, e.span.column)
                };
                let mut s = format!("error[{}]: {}\n  at {place}\n", e.code, e.message);
                if let Some(p) = &e.path {
                    let _ = writeln!(s, "  evidence: {p}");
                }
                Reply::Err(s)
            }
            None => Reply::Err("error: the expression could not be evaluated\n".into()),
        }
    }

    fn decision(&self) -> Decision {
        self.policy.evaluate(&self.evidence, &self.options())
    }

    fn rules(&self) -> String {
        let d = self.decision();
        let mut s = String::new();
        for r in &d.rules {
            let _ = writeln!(
                s,
                "{:<10} {:<15} {:<6} {}",
                r.id,
                r.outcome.as_str(),
                r.severity.as_str(),
                r.title.as_deref().unwrap_or("")
            );
        }
        let _ = writeln!(s, "decision: {}", d.outcome.as_str());
        s
    }

    fn explain(&self, id: &str) -> Reply {
        if id.is_empty() {
            return Reply::Err("error: write `:explain RULE`\n".into());
        }
        let d = crate::render::as_shown(&self.decision(), &self.policy);
        match human::one_rule(&d, id, &self.policy, &self.out) {
            Some(text) => Reply::Out(text),
            None => {
                let ids = d.rules.iter().map(|r| r.id.as_str());
                let hint = gate_lang::check::closest(id, ids)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                Reply::Err(format!("error: the gate has no rule `{id}`{hint}\n"))
            }
        }
    }

    /// Names for completion: evidence fields, `let`s, `def`s, rule ids.
    pub fn names(&self) -> Names {
        let p = self.policy.program();
        let mut values: Vec<String> = Vec::new();
        if let Some(root) = p.schema.root.and_then(|r| p.schema.record(r)) {
            values.extend(root.fields.iter().map(|f| f.name.clone()));
        }
        values.extend(p.globals.iter().map(|g| g.name.clone()));
        values.extend(p.functions.iter().map(|f| f.name.clone()));
        for e in &p.schema.enums {
            values.extend(e.values.iter().cloned());
        }
        values.retain(|v| v != VALUE);
        values.sort();
        values.dedup();
        Names {
            values,
            rules: p.rules.iter().map(|r| r.id.clone()).collect(),
        }
    }
}

/// Reads the gate's text, compiles it, and reads the evidence; errors are
/// rendered as `gate check` renders them.
fn read_all(
    path: &Path,
    specs: &[String],
    format: Option<EvidenceFormat>,
    out: &Output,
    io: &mut Io,
) -> Result<(String, Policy, Evidence), String> {
    let base = std::fs::read_to_string(path).map_err(|e| input::unreadable_gate(path, &e))?;
    let policy = Policy::from_file(path).map_err(|e| e.render(out.color_err, out.width))?;
    let evidence = if specs.is_empty() {
        Evidence::from_value("evidence", serde_json::json!({}))
    } else {
        let args = EvidenceArgs::defaults(specs.to_vec(), format);
        input::read(&args, io).map(|i| i.evidence)
    };
    let evidence = evidence.map_err(|e| format!("error[{}]: {e}\n", e.code()))?;
    Ok((base, policy, evidence))
}

/// Names known to the session.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Values and functions usable in expressions.
    pub values: Vec<String>,
    /// Rule ids.
    pub rules: Vec<String>,
}

fn shift(span: Span, offset: u32, to: gate_lang::SourceId) -> Span {
    Span::new(
        to,
        (span.start.saturating_sub(offset)) as usize..(span.end.saturating_sub(offset)) as usize,
    )
}

fn global_type(policy: &Policy, name: &str) -> String {
    let p = policy.program();
    p.globals
        .iter()
        .find(|g| g.name == name)
        .and_then(|g| p.node(g.expr))
        .map(|n| p.schema.display(&n.ty).to_string())
        .unwrap_or_else(|| "?".into())
}

/// A value on one line if it fits, else pretty-printed.
fn show(v: &serde_json::Value, width: usize) -> String {
    let one = v.to_string();
    if one.chars().count() <= width.saturating_sub(20) {
        one
    } else {
        serde_json::to_string_pretty(v).unwrap_or(one)
    }
}

/// The commands, for help and completion.
pub const COMMANDS: &[&str] = &[
    ":explain", ":rules", ":schema", ":type", ":lets", ":reload", ":help", ":quit",
];

const HELP: &str = "\
EXPR              evaluate an expression over the evidence; shows value : type
let NAME = EXPR   name a value for later expressions
:explain RULE     the rule's outcome with every failure explained (:e)
:rules            every rule's outcome, and the decision
:schema           the evidence schema and the types it uses (:s)
:type EXPR        the type of an expression, without evaluating it (:t)
:lets             the names defined with `let` in this session
:reload           read the gate and the evidence again (:r)
:help, :quit      this text; leave (also Ctrl-D)
An input continues on the next line while brackets are open or a line ends
with `and`, `or`, an operator or `\\`.
";
