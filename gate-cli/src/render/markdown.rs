//! A Markdown summary of a decision, for a merge-request comment: the
//! decision and counts, a table of the rules that failed or could not be
//! evaluated, each such rule's failures, waivers and warnings, and the
//! passing and not-applicable rules folded away.
//!
//! Everything that comes from the policy or the evidence is escaped: text
//! with backslashes (so `*`, `_`, `[`, `<`, `|`, `@`, … stay literal and no
//! HTML gets through), values in code spans whose fence is longer than any
//! run of backticks inside; line breaks become spaces, so nothing can end a
//! table row or start a block.

use super::{element_text, failure_location, waiver_text};
use gate_eval::decision::{RuleResult, WaiverStatus};
use gate_eval::{Decision, Outcome, RuleOutcome};
use std::fmt::Write;

/// Failures listed per rule; the rest are counted.
const SHOWN_FAILURES: usize = 10;

/// Renders a decision as Markdown.
pub fn decision(d: &Decision) -> String {
    let d = &super::displayable_keeping_lines(d);
    let mut s = String::new();
    let (mark, word) = match d.outcome {
        Outcome::Pass => ("✅", "PASS"),
        Outcome::Warn => ("⚠️", "WARN"),
        Outcome::Fail => ("❌", "FAIL"),
        Outcome::Error => ("⛔", "ERROR"),
    };
    let title = d
        .gate
        .title
        .as_deref()
        .map(|t| format!(" — {}", text(t)))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "## {mark} gate {}{title}: **{word}**\n",
        text(&d.gate.name)
    );
    let _ = writeln!(
        s,
        "{} · evaluated {} · policy {}\n",
        text(&super::counts_text(d)),
        text(&d.evaluated_at),
        code(&d.policy.digest, false)
    );
    let bad: Vec<&RuleResult> = d
        .rules
        .iter()
        .filter(|r| matches!(r.outcome, RuleOutcome::Fail | RuleOutcome::Error))
        .collect();
    if !bad.is_empty() {
        let _ = writeln!(s, "### Failing rules\n");
        let _ = writeln!(
            s,
            "| Rule | Title | Severity | Outcome | Controls | Failures |\n|---|---|---|---|---|---:|"
        );
        for r in &bad {
            let failures = if r.outcome == RuleOutcome::Error {
                super::count(r.errors.len(), "error")
            } else {
                r.failures_total.to_string()
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {failures} |",
                text(&r.id),
                text(r.title.as_deref().unwrap_or("")),
                r.severity.as_str(),
                r.outcome.as_str().replace('_', " "),
                text(&r.controls.join(", ")),
            );
        }
        s.push('\n');
        for r in &bad {
            rule(&mut s, d, r);
        }
    }
    let waived: Vec<&RuleResult> = d
        .rules
        .iter()
        .filter(|r| r.outcome == RuleOutcome::Waived)
        .collect();
    if !waived.is_empty() || !d.waivers.is_empty() {
        let _ = writeln!(s, "### Waived\n");
        for r in &waived {
            rule(&mut s, d, r);
        }
        if !d.waivers.is_empty() {
            let _ = writeln!(
                s,
                "| Ticket | Rule | Element | Status | Approved by | Expires | Reason |\n|---|---|---|---|---|---|---|"
            );
            for w in &d.waivers {
                let status = match w.status {
                    WaiverStatus::Applied => {
                        format!("applied to {}", super::count(w.covered, "failure"))
                    }
                    WaiverStatus::Expired => "**expired** (the rule fails)".to_string(),
                    WaiverStatus::Unmatched => "matched nothing".to_string(),
                };
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {status} | {} | {} | {} |",
                    code(&w.ticket, true),
                    text(&w.rule),
                    w.element
                        .as_deref()
                        .map(|e| code(e, true))
                        .unwrap_or_default(),
                    code(&w.approved_by, true),
                    text(&w.expires),
                    code(&w.reason, true),
                );
            }
            s.push('\n');
        }
    }
    if !d.errors.is_empty() {
        let _ = writeln!(s, "### Errors\n");
        for e in &d.errors {
            let _ = writeln!(s, "- `{}` {}", e.code, code(&e.message, false));
        }
        s.push('\n');
    }
    if !d.warnings.is_empty() || !d.evidence_issues.is_empty() {
        let _ = writeln!(s, "### Warnings\n");
        for w in &d.warnings {
            let _ = writeln!(s, "- {}", code(w, false));
        }
        for issue in &d.evidence_issues {
            let _ = writeln!(
                s,
                "- evidence does not match the schema: {}",
                code(&issue.message(), false)
            );
        }
        s.push('\n');
    }
    folded(&mut s, d, RuleOutcome::Pass, "Passing rules");
    folded(
        &mut s,
        d,
        RuleOutcome::NotApplicable,
        "Rules that did not apply",
    );
    s
}

fn rule(s: &mut String, d: &Decision, r: &RuleResult) {
    let title = r
        .title
        .as_deref()
        .map(|t| format!(" — {}", text(t)))
        .unwrap_or_default();
    let _ = writeln!(s, "#### {}{title}\n", text(&r.id));
    if !r.errors.is_empty() {
        let _ = writeln!(
            s,
            "| Could not be evaluated | Evidence | Source |\n|---|---|---|"
        );
        for e in &r.errors {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                code(&format!("{}: {}", e.code, e.message), true),
                e.path.as_deref().map(|p| code(p, true)).unwrap_or_default(),
                code(&format!("{}:{}", e.span.file, e.span.line), true),
            );
        }
        s.push('\n');
    }
    if !r.failures.is_empty() {
        let _ = writeln!(
            s,
            "| Failure | Element | Evidence | Found | Required | Source |\n|---|---|---|---|---|---|"
        );
        for f in r.failures.iter().take(SHOWN_FAILURES) {
            // Messages carry evidence text: as code, where GitHub makes no
            // links, mentions, references or emoji of it.
            let mut message = code(&f.message, true);
            if let Some(w) = f.waived_by.and_then(|id| waiver_text(d, id)) {
                message.push_str(&format!(" (waived: {})", code(&w, true)));
            }
            let at = failure_location(f);
            let _ = writeln!(
                s,
                "| {message} | {} | {} | {} | {} | {} |",
                f.element
                    .as_ref()
                    .map(|e| code(&element_text(e), true))
                    .unwrap_or_default(),
                column(f, |o| o.path.clone().unwrap_or_default()),
                column(f, |o| o.actual.to_string()),
                column(f, |o| o.expected.clone()),
                code(&format!("{}:{}", at.file, at.line), true),
            );
        }
        s.push('\n');
    }
    let more = r
        .failures_total
        .saturating_sub(SHOWN_FAILURES.min(r.failures.len()));
    if more > 0 {
        let _ = writeln!(
            s,
            "… and {} (`gate check --format human --verbose` shows them)\n",
            super::count(more, "more failure")
        );
    }
}

fn folded(s: &mut String, d: &Decision, outcome: RuleOutcome, label: &str) {
    let rules: Vec<&RuleResult> = d.rules.iter().filter(|r| r.outcome == outcome).collect();
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<details>\n<summary>{label} ({})</summary>\n",
        rules.len()
    );
    let _ = writeln!(
        s,
        "| Rule | Title | Severity | Controls |\n|---|---|---|---|"
    );
    for r in rules {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            text(&r.id),
            text(r.title.as_deref().unwrap_or("")),
            r.severity.as_str(),
            text(&r.controls.join(", ")),
        );
    }
    let _ = writeln!(s, "\n</details>\n");
}

/// Text from the policy, escaped for Markdown: ASCII punctuation that
/// means something in Markdown (or GitHub's flavour of it) gets a
/// backslash, line breaks and other control characters become spaces.
/// Text that carries evidence (messages, errors, warnings, waivers) is
/// written with [`code`] instead: escaping cannot stop GitHub from turning
/// `https://…`, `www.…`, `@user`, `#123`, `GH-123` or `:emoji:` in text into
/// links, mentions and references, but it makes none of them in code.
pub fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '!' | '&' | '~' | '$' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A value as a code span: the fence is one backtick longer than the
/// longest run of backticks inside, padded with spaces where the value
/// starts or ends with a backtick or a space. In a table cell, `|` is
/// escaped (GitHub-flavoured tables split on it even inside code spans).
pub fn code(raw: &str, in_table: bool) -> String {
    let mut value: String = raw
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    if in_table {
        value = value.replace('|', "\\|");
    }
    let mut longest = 0;
    let mut run = 0;
    for c in value.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = value.starts_with('`')
        || value.ends_with('`')
        || value.starts_with(' ')
        || value.ends_with(' ')
        || value.is_empty();
    if pad {
        format!("{fence} {value} {fence}")
    } else {
        format!("{fence}{value}{fence}")
    }
}

/// A column of a failure's row: its own value, or (when several predicates
/// explain it) each operand's, in order.
fn column(
    f: &gate_eval::explain::Failure,
    of: impl Fn(&gate_eval::explain::Operand) -> String,
) -> String {
    let values: Vec<String> = if f.operands.is_empty() {
        vec![of(&f.operand())]
    } else {
        f.operands.iter().map(&of).collect()
    };
    values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| code(v, true))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<b>x</b>"), "\\<b\\>x\\</b\\>");
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(text("@team"), "\\@team");
    }

    #[test]
    fn code_fences_around_backticks() {
        assert_eq!(code("x", false), "`x`");
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`", false), "`` ` ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("", false), "`  `");
    }
}
