//! The linter: named, documented rules that find likely mistakes in a gate
//! that compiles — an unused `let`, a rule that cites no control, an `all`
//! that passes on an empty list, a control id that does not exist.
//!
//! Each rule has a default [`Level`] that a [`Config`] can change, and a
//! finding can be silenced on its line with a comment that gives a reason:
//!
//! ```text
//! rule S07 "…" {  # lint: allow(rule-without-controls) internal hygiene rule
//! ```
//!
//! (the comment may also stand alone on the line before). `docs/lint.md`
//! documents every rule with a failing and a passing example.
//!
//! ```
//! use gate_lang::lint::{lint, Config};
//! let src = r#"
//! gate demo { title "Demo" }
//! record Secret { name: string, vaulted: bool }
//! evidence { secrets: [Secret] }
//! let unused = 3
//! rule vaulted "Secrets are vaulted" {
//!   controls "OWASP-NHI:NHI2"
//!   require not secrets.is_empty() else "no secrets were reported"
//!   require secrets.all(vaulted) else "secret {name} is not vaulted"
//! }
//! "#;
//! let program = gate_lang::compile_source("demo.gate", src).unwrap();
//! let findings = lint(&program, &Config::default());
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule, "unused-let");
//! ```

pub mod controls;
mod logic;
mod names;
mod render;
mod rules;
mod suppress;
#[cfg(test)]
mod tests;

pub use render::render;
pub use rules::duplicate_ids_across;

use crate::ast;
use crate::ir::Program;
use crate::lexer::Comment;
use crate::span::{SourceId, Span};
use std::collections::BTreeMap;

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Off,
    /// Reported; does not fail `gate lint`.
    Warning,
    /// Reported; makes `gate lint` exit 1.
    Error,
}

impl Level {
    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// Parses `error`, `warning` (or `warn`) and `off` (or `allow`).
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "error" | "deny" => Some(Level::Error),
            "warning" | "warn" => Some(Level::Warning),
            "off" | "allow" => Some(Level::Off),
            _ => None,
        }
    }
}

/// A lint rule's name, default level and documentation.
#[derive(Debug)]
pub struct RuleDoc {
    /// The name used in output, configuration and `allow(…)`.
    pub name: &'static str,
    /// The level unless configured otherwise.
    pub default: Level,
    /// One line.
    pub summary: &'static str,
    /// Why it matters and how to fix it.
    pub explanation: &'static str,
}

/// Every rule, in the order of `docs/lint.md`.
pub const RULES: &[RuleDoc] = &[
    RuleDoc {
        name: "unused-let",
        default: Level::Warning,
        summary: "a `let` (top-level or in a rule) that nothing reads",
        explanation: "An unused `let` is usually a check that was meant to be written and was not, or a leftover of one that was removed. Use it or delete it.",
    },
    RuleDoc {
        name: "unused-def",
        default: Level::Warning,
        summary: "a `def` in a gate that nothing calls",
        explanation: "A predicate that is never called checks nothing. Call it from a rule or delete it. (Defs of modules are their interface and are not reported.)",
    },
    RuleDoc {
        name: "unused-import",
        default: Level::Warning,
        summary: "an import whose name is never used",
        explanation: "Remove the import, or use the module it names.",
    },
    RuleDoc {
        name: "shadowed-name",
        default: Level::Warning,
        summary: "a name that hides another meaning of the same name",
        explanation: "A rule `let`, a parameter or a `x => …` name that has the name of a top-level `let`, a `def`, an evidence field or a variable outside hides it; and inside a predicate argument, a field of the element hides a variable, a `let` or an evidence field of the same name. The reader (and often the author) takes the other meaning. Rename one of them, or write `it.field` / `x => x.field` to make the element's field explicit.",
    },
    RuleDoc {
        name: "rule-without-controls",
        default: Level::Warning,
        summary: "a rule that cites no control",
        explanation: "Auditors read a gate through the controls its rules implement (`gate controls`). A rule without `controls \"FRAMEWORK:ID\"` is invisible in that matrix.",
    },
    RuleDoc {
        name: "no-block-rule",
        default: Level::Warning,
        summary: "a gate none of whose rules has severity `block`",
        explanation: "Only a `block` rule can stop a promotion: a gate of `warn` and `info` rules passes (exit 0) whatever the evidence says. Make the rules that must hold `block` (the default when no `severity` is given).",
    },
    RuleDoc {
        name: "rule-without-message",
        default: Level::Warning,
        summary: "a rule none of whose `require` lines has an `else` message",
        explanation: "Explanations always say what was found and what was required, but the person blocked by the gate reads the message first. Give at least the main `require` an `else \"…\"` that says what is wrong in the terms of the evidence, with `{holes}` for the element.",
    },
    RuleDoc {
        name: "vacuous-all",
        default: Level::Warning,
        summary: "`xs.all(p)` over evidence that may be an empty list, with no check that it is not",
        explanation: "`all` holds for an empty list, so a gate that checks `secrets.all(vaulted)` passes when the inventory is empty — or was not collected. Check that the list is not empty in the same rule (`not xs.is_empty()`, `xs.len() > 0`, `xs.any(…)`, `xs.includes(…)`), or allow the finding with the reason an empty list is acceptable.",
    },
    RuleDoc {
        name: "present-required",
        default: Level::Warning,
        summary: "`present(x)` of a field the schema requires, where a missing `x` is an error",
        explanation: "A required field (one whose type is not `T?`) that is missing or null makes `present(x)` an error (E0601), not `false`: otherwise `not present(x) or check(x)` would pass with no evidence at all. So such a `present` never says \"absent\"; it only turns a missing field into an error earlier. The one place it is `false` is where its absence already fails the gate: a `block` rule without `when` that requires `present(x)` at the top of a `require` (and every `present` of the places such a rule requires). If the evidence may leave the field out, declare it optional (`T?`).",
    },
    RuleDoc {
        name: "constant-condition",
        default: Level::Error,
        summary: "a condition that is always true or always false",
        explanation: "A `require` that always holds checks nothing; one that never holds blocks every release; a `when` that is always false turns the rule off. Typical causes: comparing an expression with itself, `x and not x`, a length compared with a negative number, a literal `true` left from debugging.",
    },
    RuleDoc {
        name: "duplicate-rule-id",
        default: Level::Error,
        summary: "rule ids that differ only in case or separators, or one id with two meanings",
        explanation: "Decision records, waivers, dashboards and the control matrix refer to rules by id. Within a gate, ids that differ only in case, `-` or `_` (`S01`/`s01`, `secrets-vaulted`/`secrets_vaulted`) are confusable; across the gates linted together, one id with different titles means two different checks share a name.",
    },
    RuleDoc {
        name: "control-id-format",
        default: Level::Error,
        summary: "a control reference that is not an id of a known framework",
        explanation: "Control references are `FRAMEWORK:ID`. The known frameworks are checked against their published ids: `OWASP-NHI` (`NHI1`…`NHI10`), `NIST-CSF-2.0` (the 106 subcategories, e.g. `PR.AA-05`; CSF 1.1 ids such as `PR.AC-4` are reported with their 2.0 successor), `NIST-AI-RMF` (`GOVERN 1.1` … `MANAGE 4.3`), `OWASP-AGENTIC` (`ASI01`…`ASI10`) and `OWASP-AGENTIC-THREATS` (`T1`…`T15`). Declare your own frameworks with an id pattern in `gate-lint.toml`.",
    },
    RuleDoc {
        name: "duration-as-number",
        default: Level::Warning,
        summary: "a duration handled as a bare number",
        explanation: "`(a - b).days() <= 90` truncates: 90 days and 23 hours counts as 90. And an `int` field named `…_days` compared with `90` keeps its unit only in its name. Compare durations instead: `a - b <= 90d`, `days(interval_days) <= 90d`. (Comparing a `duration` with a bare number directly is a type error.)",
    },
    RuleDoc {
        name: "untested-when",
        default: Level::Warning,
        summary: "a `block` rule whose `when` no test evidence satisfies",
        explanation: "When no test case makes a blocking rule apply, the rule's requirements have never run: a typo in them, or a `when` that can never hold on real evidence, goes unnoticed until a release. Add a test case (`gate test`) whose evidence makes the `when` hold. Reported only for gates that have tests.",
    },
    RuleDoc {
        name: "bad-suppression",
        default: Level::Error,
        summary: "a `# lint: allow(…)` comment without a reason or naming an unknown rule",
        explanation: "A suppression must say why: `# lint: allow(vacuous-all) an empty inventory is attested by S00`. The reason is what a reviewer reads.",
    },
    RuleDoc {
        name: "unused-suppression",
        default: Level::Warning,
        summary: "a `# lint: allow(…)` comment that silences nothing",
        explanation: "The finding it silenced is gone (or the comment is on the wrong line). Delete the comment so it does not silence a future finding by accident.",
    },
];

/// The documentation of a rule.
pub fn rule(name: &str) -> Option<&'static RuleDoc> {
    RULES.iter().find(|r| r.name == name)
}

/// The rule name closest to `name`, for "did you mean".
pub fn closest_rule(name: &str) -> Option<&'static str> {
    crate::check::closest(name, RULES.iter().map(|r| r.name))
}

/// Which rules run at which level, and extra control frameworks.
#[derive(Clone, Debug, Default)]
pub struct Config {
    levels: BTreeMap<&'static str, Level>,
    /// Frameworks declared by the user.
    pub frameworks: Vec<controls::CustomFramework>,
}

impl Config {
    /// The level of `rule`.
    pub fn level(&self, rule: &str) -> Level {
        match self.levels.get(rule) {
            Some(l) => *l,
            None => self::rule(rule)
                .map(|r| r.default)
                .unwrap_or(Level::Warning),
        }
    }

    /// Sets a rule's level; an unknown rule is an error with a suggestion.
    pub fn set_level(&mut self, rule: &str, level: Level) -> Result<(), String> {
        match self::rule(rule) {
            Some(r) => {
                self.levels.insert(r.name, level);
                Ok(())
            }
            None => Err(unknown_rule(rule)),
        }
    }

    /// Declares a framework whose ids match `pattern` (the whole id).
    pub fn add_framework(&mut self, name: &str, pattern: &str) -> Result<(), String> {
        let re = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| format!("the pattern of framework `{name}` is not valid: {e}"))?;
        self.frameworks.retain(|f| f.name != name);
        self.frameworks.push(controls::CustomFramework {
            name: name.to_string(),
            pattern: re,
        });
        Ok(())
    }
}

/// "no lint rule `x`; did you mean `y`?"
pub fn unknown_rule(name: &str) -> String {
    match closest_rule(name) {
        Some(s) => format!("no lint rule `{name}`; did you mean `{s}`?"),
        None => format!("no lint rule `{name}` (`gate lint --explain` lists them)"),
    }
}

/// A secondary location of a finding.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub text: String,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule's name.
    pub rule: &'static str,
    /// Its level (after configuration).
    pub level: Level,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Other places involved.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// An edit that fixes it without judgement, when there is one.
    pub fix: Option<Fix>,
}

/// An edit that fixes a finding mechanically (`gate lsp` offers it as a
/// quick fix): the text of each span replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does: `remove the unused import `x``.
    pub title: String,
    /// Each span and its replacement, in one source.
    pub edits: Vec<(Span, String)>,
}

impl Fix {
    /// A fix that deletes `span` of `text` (its source's text): with the
    /// whole line, and its line break, when nothing else is on it; with the
    /// spaces before it when it ends a line.
    ///
    /// ```
    /// use gate_lang::lint::Fix;
    /// use gate_lang::{SourceId, Span};
    /// let text = "a\n  let x = 1\nb  # c\n";
    /// let fix = Fix::delete("t", text, Span::new(SourceId(0), 4..13));
    /// assert_eq!(fix.edits[0].0.range(), 2..14);
    /// let fix = Fix::delete("t", text, Span::new(SourceId(0), 17..20));
    /// assert_eq!(fix.edits[0].0.range(), 15..20);
    /// ```
    pub fn delete(title: impl Into<String>, text: &str, span: Span) -> Fix {
        let (start, end) = (span.start as usize, span.end as usize);
        let line_start = text
            .get(..start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = text
            .get(end..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| end + i + 1);
        let blank = |t: Option<&str>| t.is_some_and(|t| t.trim().is_empty());
        let ends_line = blank(text.get(end..line_end));
        let range = if ends_line && blank(text.get(line_start..start)) {
            line_start..line_end
        } else if ends_line {
            // A comment at the end of a line: the spaces before it too.
            let before = text.get(line_start..start).unwrap_or("");
            line_start + before.trim_end().len()..end
        } else {
            start..end
        };
        Fix {
            title: title.into(),
            edits: vec![(Span::new(span.source, range), String::new())],
        }
    }
}

impl Finding {
    /// A finding of `rule` at `span` (level set later from the config).
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            level: Level::Warning,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// With a help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// With a mechanical fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// With a secondary label.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }
}

/// A source of the program that the user wrote (not a `std` module),
/// parsed again for the linter.
pub(crate) struct UserSource {
    pub id: SourceId,
    pub file: ast::File,
    pub comments: Vec<Comment>,
    pub is_gate: bool,
    pub text: std::sync::Arc<str>,
}

pub(crate) fn user_sources(program: &Program) -> Vec<UserSource> {
    program
        .sources
        .files()
        .filter(|(_, f)| !f.name.starts_with("std."))
        .map(|(id, f)| {
            let parsed =
                crate::parser::parse_file_full(id, &f.text, crate::parser::ParseOptions::default());
            let is_gate = matches!(parsed.file.header, Some(ast::Header::Gate(_)));
            UserSource {
                id,
                file: parsed.file,
                comments: parsed.comments,
                is_gate,
                text: f.text.clone(),
            }
        })
        .collect()
}

/// Runs every rule that needs only the program, at the levels of `config`,
/// without applying suppressions (see [`finish`]).
pub fn analyse(program: &Program, config: &Config) -> Vec<Finding> {
    let sources = user_sources(program);
    let mut out = Vec::new();
    names::unused(program, &sources, &mut out);
    names::shadowed(program, &mut out);
    rules::rule_settings(&sources, config, &mut out);
    rules::duplicate_ids(&sources, &mut out);
    rules::no_block_rule(program, &sources, &mut out);
    logic::constant_conditions(program, &mut out);
    logic::vacuous_all(program, &mut out);
    logic::duration_as_number(program, &mut out);
    logic::present_required(program, &mut out);
    out
}

/// Applies levels and `# lint: allow(…)` comments to findings of
/// `program` (from [`analyse`] and from checks made elsewhere, such as
/// `untested-when`), reports bad and unused suppressions, drops what is
/// off, and sorts by place.
pub fn finish(program: &Program, findings: Vec<Finding>, config: &Config) -> Vec<Finding> {
    let sources = user_sources(program);
    let mut findings = suppress::apply(&sources, findings);
    for f in &mut findings {
        f.level = config.level(f.rule);
    }
    findings.retain(|f| f.level != Level::Off);
    findings.sort_by(|a, b| {
        (a.span.source, a.span.start, a.rule).cmp(&(b.span.source, b.span.start, b.rule))
    });
    findings.dedup_by(|a, b| {
        a.rule == b.rule
            && a.span.source == b.span.source
            && a.span.start == b.span.start
            && a.message == b.message
    });
    findings
}

/// [`analyse`] then [`finish`].
pub fn lint(program: &Program, config: &Config) -> Vec<Finding> {
    let found = analyse(program, config);
    finish(program, found, config)
}
