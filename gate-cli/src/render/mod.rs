//! Rendering results for people (colour on a terminal, by the conventions
//! of [`crate::io::ColorEnv`]) and for machines.

pub mod codequality;
pub mod evidence;
pub mod github;
pub mod human;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::cli::ColorChoice;
use crate::io::Io;

/// Where output goes and whether it may use colour.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// Colour on standard output.
    pub color: bool,
    /// Colour on standard error.
    pub color_err: bool,
    /// Width to wrap diagnostics at.
    pub width: usize,
}

impl Output {
    /// Decides colour from the choice (which wins), else the environment
    /// and whether each stream is a terminal ([`crate::io::ColorEnv::wants`]).
    pub fn new(choice: ColorChoice, io: &Io) -> Self {
        let decide = |tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => io.colors.wants(tty),
        };
        Output {
            color: decide(io.stdout_tty),
            color_err: decide(io.stderr_tty),
            width: io.width,
        }
    }

    /// A diagnostic renderer for standard output or standard error.
    pub fn handler(&self, stderr: bool) -> miette::GraphicalReportHandler {
        let color = if stderr { self.color_err } else { self.color };
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        miette::GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
    }
}

/// Writes a command's reports: the one in `stdout`'s format (if any) on
/// standard output, and each of `files` to its file, without colour. Every
/// report is written even when another cannot be; a report that cannot be
/// made or written is an error (E0901) on standard error, and the result
/// says whether every one was written.
pub fn write_reports<F: Copy>(
    stdout: Option<F>,
    files: &[(F, &std::path::Path)],
    text: &dyn Fn(F, &Output) -> Result<String, String>,
    out: &Output,
    io: &mut Io,
) -> bool {
    let mut ok = true;
    if let Some(format) = stdout {
        match text(format, out) {
            Ok(t) => io.out(&t),
            Err(message) => {
                tool_error(out, io, "E0901", &message);
                ok = false;
            }
        }
    }
    let plain = Output {
        color: false,
        color_err: false,
        ..*out
    };
    for (format, path) in files {
        let written = text(*format, &plain).and_then(|t| {
            std::fs::write(path, io.shown(&t).as_bytes())
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
        });
        if let Err(message) = written {
            tool_error(out, io, "E0901", &message);
            ok = false;
        }
    }
    ok
}

/// Prints a tool error (not a gate failure) to standard error.
pub fn tool_error(out: &Output, io: &mut Io, code: &str, message: &str) {
    use owo_colors::OwoColorize;
    let head = format!("error[{code}]:");
    let head = if out.color_err {
        head.red().bold().to_string()
    } else {
        head
    };
    io.err(&format!("{head} {message}\n"));
}

/// What a failure says in one line: its message, what was found and what
/// was required (values as JSON text, so an empty string shows).
pub fn failure_text(f: &gate_eval::explain::Failure) -> String {
    format!(
        "{} (found {}, required {})",
        f.message,
        escape_text(&f.actual.to_string()),
        f.expected
    )
}

/// The collection element a failure is about: its JSON pointer (or its
/// position) and its identifying field.
pub fn element_text(e: &gate_eval::explain::ElementRef) -> String {
    let at = e
        .path
        .clone()
        .unwrap_or_else(|| format!("element {}", e.index));
    let mut text = match &e.key {
        Some(k) => format!("{at} ({} {})", k.field, escape_text(&k.value.to_string())),
        None => at,
    };
    if let Some(source) = &e.source {
        text.push_str(" in ");
        text.push_str(&escape_text(source));
    }
    text
}

/// The decision with the policy's files named as they were given (a record
/// names them relative to the gate's folder, see
/// `gate_lang::span::SourceFile::record_name`), for the formats that point
/// people and tools at files: human, SARIF, JUnit, Markdown and GitHub.
pub fn as_shown(d: &gate_eval::Decision, policy: &gate_eval::Policy) -> gate_eval::Decision {
    let sources = policy.sources();
    let show = |at: &mut gate_eval::Location| {
        let shown = sources.shown_name(&at.file).to_string();
        at.file = shown;
    };
    let mut d = d.clone();
    for s in &mut d.policy.sources {
        s.name = sources.shown_name(&s.name).to_string();
    }
    for r in &mut d.rules {
        show(&mut r.span);
        for f in &mut r.failures {
            show(&mut f.span);
            if let Some(c) = &mut f.called_from {
                show(c);
            }
            for o in &mut f.operands {
                show(&mut o.span);
            }
        }
        for e in &mut r.errors {
            show(&mut e.span);
        }
        for n in &mut r.notes {
            show(&mut n.span);
        }
    }
    d
}

/// Where a failure is best shown in the policy: the predicate, or, when the
/// predicate is in a standard module (no file on disk), the call in the
/// rule that led there.
pub fn failure_location(f: &gate_eval::explain::Failure) -> &gate_eval::Location {
    match &f.called_from {
        Some(call) if !is_file(&f.span.file) => call,
        _ => &f.span,
    }
}

/// Whether a policy source name is a file (not a standard module such as
/// `std.secrets`, which has no file).
pub fn is_file(name: &str) -> bool {
    !name.starts_with("std.") || std::path::Path::new(name).exists()
}

/// A policy source name as a path relative to the current folder with `/`
/// separators, for tools that link results to files; `None` for a standard
/// module.
pub fn source_path(name: &str) -> Option<String> {
    if !is_file(name) {
        return None;
    }
    let path = std::path::Path::new(name);
    let rel = match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path.strip_prefix(&cwd).unwrap_or(path),
        _ => path,
    };
    let text = rel.to_string_lossy().replace('\\', "/");
    Some(text.strip_prefix("./").unwrap_or(&text).to_string())
}

/// The evidence document a JSON pointer into the merged evidence reads, and
/// the pointer inside that document: the document mounted under the
/// pointer's first key, or the only document merged at the root.
pub fn evidence_source(d: &gate_eval::Decision, pointer: &str) -> Option<(String, String)> {
    let first = pointer.strip_prefix('/')?.split('/').next().unwrap_or("");
    let first = first.replace("~1", "/").replace("~0", "~");
    if let Some(doc) = d
        .evidence
        .iter()
        .find(|e| e.mount.as_deref() == Some(first.as_str()))
    {
        let rest = pointer
            .strip_prefix('/')
            .and_then(|p| p.split_once('/'))
            .map(|(_, r)| format!("/{r}"))
            .unwrap_or_default();
        return Some((doc.source.clone(), rest));
    }
    let mut roots = d.evidence.iter().filter(|e| e.mount.is_none());
    match (roots.next(), roots.next()) {
        (Some(doc), None) => Some((doc.source.clone(), pointer.to_string())),
        _ => None,
    }
}

/// The text of a rule's definition in the policy source.
pub fn rule_source(policy: &gate_eval::Policy, at: &gate_eval::Location) -> Option<String> {
    policy
        .sources()
        .files()
        .find(|(_, f)| f.name == at.file)
        .and_then(|(_, f)| f.text.get(at.start as usize..at.end as usize))
        .map(str::to_string)
}

/// The waiver that covers a failure, as one line: ticket, approver, expiry
/// and reason.
pub fn waiver_text(d: &gate_eval::Decision, id: usize) -> Option<String> {
    d.waivers.get(id).map(|w| {
        format!(
            "{} approved by {} until {}: {}",
            w.ticket, w.approved_by, w.expires, w.reason
        )
    })
}

/// The rule counts in one line, as the human format's summary gives them.
pub fn counts_text(d: &gate_eval::Decision) -> String {
    let waived = if d.counts.waived > 0 {
        format!(", {} waived", d.counts.waived)
    } else {
        String::new()
    };
    format!(
        "{}: {} passed, {} failed, {}, {} not applicable{waived}",
        count(d.counts.rules, "rule"),
        d.counts.pass,
        d.counts.fail,
        count(d.counts.error, "error"),
        d.counts.not_applicable
    )
}

/// `n` and the noun, singular for one: `1 rule`, `2 rules`, `0 errors`.
///
/// ```
/// assert_eq!(gate_cli::render::count(1, "rule"), "1 rule");
/// assert_eq!(gate_cli::render::count(0, "error"), "0 errors");
/// assert_eq!(gate_cli::render::count(3, "test case"), "3 test cases");
/// ```
pub fn count(n: usize, noun: &str) -> String {
    let n_signed = isize::try_from(n).unwrap_or(isize::MAX);
    format!("{n} {}", pluralizer::pluralize(noun, n_signed, false))
}

/// A failure's identity from one run to the next, for the reports that
/// track results (SARIF's fingerprint, GitLab Code Quality's): the rule,
/// the requirement, the evidence path and the element.
pub fn fingerprint(r: &gate_eval::decision::RuleResult, f: &gate_eval::explain::Failure) -> String {
    let mut text = format!("{}|{}|", r.id, f.requirement);
    text.push_str(f.path.as_deref().unwrap_or(""));
    text.push('|');
    if let Some(e) = &f.element {
        text.push_str(&element_text(e));
    }
    gate_eval::sha256_hex(text.as_bytes())
}

/// A failure as a few lines of plain text: the message, then what was
/// found and required, the element, the evidence path and the place in the
/// policy, indented by two spaces.
pub fn failure_details(d: &gate_eval::Decision, f: &gate_eval::explain::Failure) -> String {
    use std::fmt::Write;
    let mut s = format!("{}\n", f.message);
    let truncated = if f.actual_truncated { " (cut)" } else { "" };
    let _ = writeln!(
        s,
        "  found: {}{truncated}",
        escape_text(&f.actual.to_string())
    );
    let _ = writeln!(s, "  required: {}", f.expected);
    if let Some(e) = &f.element {
        let _ = writeln!(s, "  element: {}", element_text(e));
    }
    if let Some(p) = &f.path {
        let _ = writeln!(s, "  evidence: {p}");
    }
    let at = failure_location(f);
    let _ = writeln!(s, "  at: {}:{}:{}", at.file, at.line, at.column);
    if let Some(text) = f.waived_by.and_then(|id| waiver_text(d, id)) {
        let _ = writeln!(s, "  waived: {text}");
    }
    s
}

/// Text safe to print: control characters (line breaks and tabs included),
/// bidirectional controls and noncharacters (U+FFFE, U+FFFF, …) are written
/// as `\u{…}` escapes, so that a
/// string from evidence or a policy cannot move the cursor, recolour or
/// clear a terminal, start a new line that looks like gate's own output, or
/// start a CI workflow command.
///
/// ```
/// assert_eq!(gate_cli::render::escape_text("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
/// assert_eq!(gate_cli::render::escape_text("naïve ✓"), "naïve ✓");
/// ```
pub fn escape_text(text: &str) -> std::borrow::Cow<'_, str> {
    escape_with(text, true)
}

/// [`escape_text`] that keeps line breaks and tabs, for formats that encode
/// them themselves (GitHub workflow commands write them as `%0A`, JUnit as
/// XML text, Markdown as spaces).
///
/// ```
/// assert_eq!(gate_cli::render::escape_keeping_lines("a\u{1b}b\nc"), "a\\u{1b}b\nc");
/// ```
pub fn escape_keeping_lines(text: &str) -> std::borrow::Cow<'_, str> {
    escape_with(text, false)
}

fn escape_with(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && (lines || !matches!(c, '\n' | '\r' | '\t')))
            || gate_lang::lexer::is_bidi_control(c)
            || is_noncharacter(c)
    };
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Escapes the strings inside a JSON value shown to people (JSON escapes
/// controls itself, but not noncharacters or bidirectional controls).
fn escape_json(value: &mut serde_json::Value, lines: bool) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(e) = escape_with(s, lines) {
                    *s = e;
                }
            }
            serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
            serde_json::Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
}

/// A Unicode noncharacter (U+FDD0–U+FDEF, and the last two code points of
/// every plane: U+FFFE and U+FFFF are not even allowed in XML 1.0, so a
/// JUnit report holding one would not parse).
fn is_noncharacter(c: char) -> bool {
    let n = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// A copy of a decision with every text that reaches people escaped by
/// [`escape_text`] (and the strings inside `actual`), for the
/// human, Markdown, GitHub and JUnit formats. The decision record itself
/// (`--format json`, `--record`) keeps the exact text.
pub fn displayable(d: &gate_eval::Decision) -> gate_eval::Decision {
    escaped(d, true)
}

/// [`displayable`] with [`escape_keeping_lines`], for the Markdown, GitHub
/// and JUnit formats.
pub fn displayable_keeping_lines(d: &gate_eval::Decision) -> gate_eval::Decision {
    escaped(d, false)
}

fn escaped(d: &gate_eval::Decision, lines: bool) -> gate_eval::Decision {
    let escape_in_place = |text: &mut String| {
        if let std::borrow::Cow::Owned(escaped) = escape_with(text, lines) {
            *text = escaped;
        }
    };
    let escape_option = |text: &mut Option<String>| {
        if let Some(t) = text.as_mut() {
            escape_in_place(t);
        }
    };
    let mut d = d.clone();
    escape_in_place(&mut d.gate.name);
    escape_option(&mut d.gate.title);
    for e in &mut d.evidence {
        escape_in_place(&mut e.source);
        escape_option(&mut e.mount);
        for a in &mut e.attestations {
            escape_option(&mut a.reason);
            escape_option(&mut a.predicate_type);
            for s in &mut a.subjects {
                escape_option(&mut s.name);
                s.digest = std::mem::take(&mut s.digest)
                    .into_iter()
                    .map(|(mut k, mut v)| {
                        escape_in_place(&mut k);
                        escape_in_place(&mut v);
                        (k, v)
                    })
                    .collect();
            }
            if let Some(signer) = a.signer.as_mut() {
                escape_in_place(&mut signer.name);
                escape_option(&mut signer.identity);
                escape_option(&mut signer.issuer);
            }
        }
    }
    for r in &mut d.rules {
        escape_option(&mut r.title);
        for c in &mut r.controls {
            escape_in_place(c);
        }
        for f in &mut r.failures {
            escape_json(&mut f.actual, lines);
            escape_in_place(&mut f.message);
            escape_in_place(&mut f.expected);
            escape_option(&mut f.path);
            if let Some(e) = f.element.as_mut() {
                escape_option(&mut e.path);
                escape_option(&mut e.source);
                if let Some(k) = e.key.as_mut() {
                    escape_in_place(&mut k.field);
                }
            }
        }
        for e in &mut r.errors {
            escape_in_place(&mut e.message);
            escape_option(&mut e.path);
        }
        for n in &mut r.notes {
            escape_in_place(&mut n.message);
            escape_option(&mut n.path);
        }
    }
    for w in &mut d.waivers {
        for t in [
            &mut w.rule,
            &mut w.approved_by,
            &mut w.ticket,
            &mut w.reason,
            &mut w.expires,
            &mut w.source,
        ] {
            escape_in_place(t);
        }
        escape_option(&mut w.element);
    }
    for i in &mut d.evidence_issues {
        escape_in_place(&mut i.path);
        escape_option(&mut i.source);
        match &mut i.kind {
            gate_eval::IssueKind::Missing { expected }
            | gate_eval::IssueKind::Null { expected } => escape_in_place(expected),
            gate_eval::IssueKind::Mismatch { expected, found } => {
                escape_in_place(expected);
                escape_in_place(found);
            }
            gate_eval::IssueKind::Unverified { reason } => escape_in_place(reason),
        }
    }
    for w in &mut d.warnings {
        escape_in_place(w);
    }
    d
}
