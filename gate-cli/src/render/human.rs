//! The human format of a decision: the failing rules with source excerpts
//! and evidence paths, then a summary line.

use super::Output;
use gate_eval::decision::RuleResult;
use gate_eval::explain::Failure;
use gate_eval::{Decision, Outcome, Policy, RuleOutcome};
use gate_lang::ir::RuleSeverity;
use gate_lang::span::Location;
use owo_colors::OwoColorize;
use std::fmt::Write;

/// Failures shown per rule unless `--verbose`.
const SHOWN_FAILURES: usize = 10;

/// A decision that could not be made (the policy did not compile, the
/// evidence could not be read), for a human report written to a file: its
/// errors and the outcome.
pub fn undecided(d: &Decision, out: &Output) -> String {
    let d = &super::displayable(d);
    let c = out.color;
    let mut s = String::new();
    for e in &d.errors {
        let _ = writeln!(
            s,
            "{} {}",
            paint(c, &format!("error[{}]:", e.code), Style::Red),
            e.message
        );
    }
    let _ = writeln!(
        s,
        "{} — gate {} could not decide",
        paint(c, "decision: ERROR", Style::Red),
        d.gate.name
    );
    s
}

/// Renders a decision.
pub fn decision(
    d: &Decision,
    policy: &Policy,
    evidence: &str,
    out: &Output,
    verbose: bool,
) -> String {
    let d = &super::displayable(d);
    let evidence = &super::escape_text(evidence);
    let mut s = String::new();
    let c = out.color;
    let title = d
        .gate
        .title
        .as_deref()
        .map(|t| format!(" — {t}"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{}{title}",
        paint(c, &format!("gate {}", d.gate.name), Style::Bold)
    );
    let _ = writeln!(s, "evidence: {evidence}");
    if !d.evidence_issues.is_empty() {
        let unverified = d
            .evidence_issues
            .iter()
            .filter(|i| matches!(i.kind, gate_eval::IssueKind::Unverified { .. }))
            .count();
        let n = d.evidence_issues.len();
        let heading = if unverified == 0 {
            format!(
                "the evidence does not match the gate's schema in {}:",
                super::count(n, "place")
            )
        } else if unverified == n {
            format!(
                "{} failed verification and {} not evidence:",
                super::count(n, "attestation"),
                if n == 1 { "is" } else { "are" }
            )
        } else {
            format!(
                "the evidence does not match the gate's schema, or failed verification, in {}:",
                super::count(n, "place")
            )
        };
        let _ = writeln!(s, "\n{} {heading}", paint(c, "!", Style::Yellow));
        for issue in d
            .evidence_issues
            .iter()
            .take(if verbose { usize::MAX } else { 20 })
        {
            let _ = writeln!(s, "  {}", issue.message());
        }
        if !verbose && d.evidence_issues.len() > 20 {
            let _ = writeln!(s, "  … and {} more", d.evidence_issues.len() - 20);
        }
    }
    s.push('\n');
    for r in &d.rules {
        match r.outcome {
            RuleOutcome::Pass | RuleOutcome::NotApplicable if !verbose => continue,
            _ => rule(&mut s, d, r, policy, out, verbose),
        }
    }
    if !d.waivers.is_empty() {
        let _ = writeln!(s, "waivers:");
        for w in &d.waivers {
            let status = match w.status {
                gate_eval::decision::WaiverStatus::Applied => {
                    format!("applied to {}", super::count(w.covered, "failure"))
                }
                gate_eval::decision::WaiverStatus::Expired => {
                    "EXPIRED (the rule fails)".to_string()
                }
                gate_eval::decision::WaiverStatus::Unmatched => "matched nothing".to_string(),
            };
            let element = w
                .element
                .as_deref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {} {}{element}: {status}; {} by {}, until {}",
                w.ticket, w.rule, w.reason, w.approved_by, w.expires
            );
        }
        s.push('\n');
    }
    for e in &d.errors {
        let _ = writeln!(
            s,
            "{} {}",
            paint(c, &format!("error[{}]:", e.code), Style::Red),
            e.message
        );
    }
    for w in &d.warnings {
        let _ = writeln!(s, "{} {w}", paint(c, "warning:", Style::Yellow));
    }
    let summary = super::counts_text(d);
    let (word, style) = match d.outcome {
        Outcome::Pass => ("PASS", Style::Green),
        Outcome::Warn => ("WARN", Style::Yellow),
        Outcome::Fail => ("FAIL", Style::Red),
        Outcome::Error => ("ERROR", Style::Red),
    };
    let _ = writeln!(
        s,
        "{} — {summary}",
        paint(c, &format!("decision: {word}"), style)
    );
    s
}

/// Renders one rule of a decision, with every kept failure and note (the
/// REPL's `:explain`); `None` when the decision has no such rule.
pub fn one_rule(d: &Decision, id: &str, policy: &Policy, out: &Output) -> Option<String> {
    let d = &super::displayable(d);
    let r = d.rules.iter().find(|r| r.id == id)?;
    let mut s = String::new();
    rule(&mut s, d, r, policy, out, true);
    Some(s)
}

fn rule(
    s: &mut String,
    d: &Decision,
    r: &RuleResult,
    policy: &Policy,
    out: &Output,
    verbose: bool,
) {
    let c = out.color;
    let (mark, style) = match r.outcome {
        RuleOutcome::Pass => ("✓", Style::Green),
        RuleOutcome::Fail => ("✗", Style::Red),
        RuleOutcome::Error => ("!", Style::Red),
        RuleOutcome::NotApplicable => ("-", Style::Dim),
        RuleOutcome::Waived => ("~", Style::Yellow),
    };
    let title = r.title.as_deref().unwrap_or("");
    let outcome = r.outcome.as_str().replace('_', " ");
    let _ = writeln!(
        s,
        "{} {} {title}  {}",
        paint(c, mark, style),
        paint(c, &r.id, Style::Bold),
        paint(
            c,
            &format!("[{} · {outcome}]", r.severity.as_str()),
            Style::Dim
        )
    );
    if !r.controls.is_empty()
        && r.outcome != RuleOutcome::Pass
        && r.outcome != RuleOutcome::NotApplicable
    {
        let _ = writeln!(
            s,
            "  {}",
            paint(
                c,
                &format!("controls: {}", r.controls.join(", ")),
                Style::Dim
            )
        );
    }
    for e in &r.errors {
        let mut help = Vec::new();
        if let Some(p) = &e.path {
            help.push(format!("evidence: {p}"));
        }
        let report = Excerpt::new(
            policy,
            &e.span,
            format!("{}: {}", e.code, e.message),
            "could not be evaluated".into(),
            help,
            miette::Severity::Error,
        );
        render_excerpt(s, &report, out);
    }
    let shown = if verbose {
        r.failures.len()
    } else {
        SHOWN_FAILURES.min(r.failures.len())
    };
    let mut groups_announced = Vec::new();
    for f in r.failures.iter().take(shown) {
        if let Some(g) = f.any_of {
            if !groups_announced.contains(&g) {
                groups_announced.push(g);
                let _ = writeln!(
                    s,
                    "  {}",
                    paint(c, "none of these alternatives holds:", Style::Dim)
                );
            }
        }
        failure(s, d, r, f, policy, out);
    }
    let hidden = r.failures.len().saturating_sub(shown);
    let dropped = r.failures_total.saturating_sub(r.failures.len());
    if hidden > 0 {
        let _ = writeln!(
            s,
            "  … and {} (`--verbose` shows them)",
            super::count(hidden, "more failure")
        );
    }
    if dropped > 0 {
        let _ = writeln!(
            s,
            "  … and {} not kept (`--max-failures` keeps more)",
            super::count(dropped, "more failure")
        );
    }
    if verbose {
        for n in &r.notes {
            let _ = writeln!(s, "  {} {}", paint(c, "note:", Style::Yellow), n.message);
        }
    }
    s.push('\n');
}

fn failure(
    s: &mut String,
    d: &Decision,
    r: &RuleResult,
    f: &Failure,
    policy: &Policy,
    out: &Output,
) {
    // JSON text: strings quoted, so an empty string is visible.
    let label_of = |actual: &serde_json::Value, expected: &str| {
        let actual = super::escape_text(&actual.to_string()).into_owned();
        format!(
            "found {}, expected {}",
            clip(&actual, 60),
            clip(expected, 80)
        )
    };
    let label = label_of(&f.actual, &f.expected);
    let mut help = Vec::new();
    let mut paths: Vec<&str> = f.path.iter().map(String::as_str).collect();
    for o in f.operands.iter().skip(1) {
        if let Some(p) = o.path.as_deref().filter(|p| !paths.contains(p)) {
            paths.push(p);
        }
    }
    if !paths.is_empty() {
        help.push(format!("evidence: {}", paths.join(", ")));
    }
    if let Some(e) = &f.element {
        help.push(format!("element: {}", super::element_text(e)));
    }
    if let Some(c) = &f.called_from {
        help.push(format!("called from: {}:{}:{}", c.file, c.line, c.column));
    }
    if let Some(w) = f.waived_by.and_then(|id| d.waivers.get(id)) {
        help.push(format!(
            "waived: {} approved by {} until {} ({})",
            w.ticket, w.approved_by, w.expires, w.reason
        ));
    }
    let severity = match r.severity {
        _ if f.waived_by.is_some() => miette::Severity::Advice,
        RuleSeverity::Block => miette::Severity::Error,
        RuleSeverity::Warn => miette::Severity::Warning,
        RuleSeverity::Info => miette::Severity::Advice,
    };
    // The operands near the first share its excerpt; one further away
    // (in another `def`) gets an excerpt of its own, with its own message.
    let near = |a: &Location, b: &Location| a.file == b.file && b.line.abs_diff(a.end_line) <= 3;
    let mut report = Excerpt::new(
        policy,
        &f.span,
        f.message.clone(),
        label,
        Vec::new(),
        severity,
    );
    let mut last = f.span.clone();
    for o in f.operands.iter().skip(1) {
        let label = label_of(&o.actual, &o.expected);
        if near(&last, &o.span) {
            report = report.with_label(&o.span, label);
        } else {
            render_excerpt(s, &report, out);
            // The same message once: the excerpts below it say where else.
            let message = if f.message.starts_with(&o.message) {
                "and".to_string()
            } else {
                o.message.clone()
            };
            report = Excerpt::new(policy, &o.span, message, label, Vec::new(), severity);
        }
        last = o.span.clone();
    }
    report.help = help;
    render_excerpt(s, &report, out);
}

fn render_excerpt(s: &mut String, report: &Excerpt, out: &Output) {
    let mut text = String::new();
    if out.handler(false).render_report(&mut text, report).is_err() {
        text = format!("  {}\n", report.message);
    }
    for line in text.lines() {
        let _ = writeln!(s, "  {line}");
    }
}

/// One failure or error as a miette diagnostic.
#[derive(Debug)]
struct Excerpt {
    message: String,
    label: String,
    help: Vec<String>,
    severity: miette::Severity,
    source: Option<gate_lang::span::Excerpt>,
    span: miette::SourceSpan,
    /// Further labelled places.
    more: Vec<(miette::SourceSpan, String)>,
}

impl Excerpt {
    fn new(
        policy: &Policy,
        at: &Location,
        message: String,
        label: String,
        help: Vec<String>,
        severity: miette::Severity,
    ) -> Self {
        let source = policy
            .sources()
            .files()
            .find(|(_, f)| f.name == at.file)
            .map(|(_, f)| f.excerpt());
        let span = miette::SourceSpan::new(
            (at.start as usize).into(),
            at.end.saturating_sub(at.start) as usize,
        );
        Excerpt {
            message,
            label,
            help,
            severity,
            source,
            span,
            more: Vec::new(),
        }
    }

    /// Another labelled place of the same file (an operand of the same
    /// failure).
    fn with_label(mut self, at: &Location, label: String) -> Self {
        let span = miette::SourceSpan::new(
            (at.start as usize).into(),
            at.end.saturating_sub(at.start) as usize,
        );
        self.more.push((span, label));
        self
    }
}

impl std::fmt::Display for Excerpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Excerpt {}

impl miette::Diagnostic for Excerpt {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        if self.help.is_empty() {
            None
        } else {
            Some(Box::new(self.help.join("\n")))
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let more = self
            .more
            .iter()
            .map(|(span, label)| miette::LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(
            std::iter::once(miette::LabeledSpan::new_primary_with_span(
                Some(self.label.clone()),
                self.span,
            ))
            .chain(more),
        ))
    }
}

#[derive(Clone, Copy)]
enum Style {
    Bold,
    Dim,
    Green,
    Yellow,
    Red,
}

fn paint(color: bool, text: &str, style: Style) -> String {
    if !color {
        return text.to_string();
    }
    match style {
        Style::Bold => text.bold().to_string(),
        Style::Dim => text.dimmed().to_string(),
        Style::Green => text.green().bold().to_string(),
        Style::Yellow => text.yellow().bold().to_string(),
        Style::Red => text.red().bold().to_string(),
    }
}

/// Cuts a value shown in a one-line label to about `max` characters,
/// keeping both ends (`"sha256:4f1c…93ab"`, `[1, 2, … 9]`). One token that
/// people compare by eye — a digest, a commit id, an ARN: a string without
/// spaces — is never cut, up to the length the record keeps.
fn clip(text: &str, max: usize) -> String {
    let count = text.chars().count();
    let token = text.starts_with('"') && !text.contains(char::is_whitespace);
    if count <= max || token && count <= gate_eval::explain::MAX_SHOWN_CHARS + 2 {
        return text.to_string();
    }
    let head = max / 2;
    let tail = max.saturating_sub(head + 1);
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clipping_keeps_both_ends_and_whole_tokens() {
        let digest = format!("\"sha256:{}\"", "ab".repeat(32));
        assert_eq!(clip(&digest, 60), digest);
        let list = format!(
            "[{}]",
            (0..40).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        );
        let shown = clip(&list, 20);
        assert_eq!(shown.chars().count(), 20);
        assert!(
            shown.starts_with("[0,1,2") && shown.ends_with("38,39]"),
            "{shown}"
        );
        assert_eq!(clip("short", 60), "short");
    }
}
