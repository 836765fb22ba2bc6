//! Decisions: the outcome of every rule and of the gate.
//!
//! The gate's outcome follows from its rules (see `docs/language.md`,
//! "Semantics"): `error` if a `block` rule could not be evaluated, else
//! `fail` if a `block` rule failed, else `warn` if a `warn` rule failed or
//! could not be evaluated, else `pass`. `info` rules never change it.

use crate::evidence::Issue;
use crate::explain::{EvalError, Failure, Note};
use gate_lang::ir::RuleSeverity;
use gate_lang::span::Location;
use serde::Serialize;

/// A rule's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// Every `require` held.
    Pass,
    /// A `require` did not hold.
    Fail,
    /// A guard or `require` could not be evaluated (fail closed).
    Error,
    /// A `when` guard was false.
    NotApplicable,
}

impl RuleOutcome {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleOutcome::Pass => "pass",
            RuleOutcome::Fail => "fail",
            RuleOutcome::Error => "error",
            RuleOutcome::NotApplicable => "not_applicable",
        }
    }
}

/// The gate's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every applicable `block` and `warn` rule passed.
    Pass,
    /// Only `warn` rules failed.
    Warn,
    /// A `block` rule failed.
    Fail,
    /// A `block` rule could not be evaluated.
    Error,
}

impl Outcome {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
        }
    }
}

/// The result of one rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleResult {
    /// The rule id.
    pub id: String,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its severity.
    pub severity: RuleSeverity,
    /// Its outcome.
    pub outcome: RuleOutcome,
    /// Control references.
    pub controls: Vec<String>,
    /// Where the rule is defined.
    pub span: Location,
    /// Why it failed (capped; see `failures_total`).
    pub failures: Vec<Failure>,
    /// How many failures there were in all.
    pub failures_total: usize,
    /// Why it could not be evaluated.
    pub errors: Vec<EvalError>,
    /// Things that hold but deserve a look.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// How many rules ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rules in the gate.
    pub rules: usize,
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Could not be evaluated.
    pub error: usize,
    /// Did not apply.
    pub not_applicable: usize,
}

/// The gate's name and settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GateMeta {
    /// Its name.
    pub name: String,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Its version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A gate decision: the outcome and every rule's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Which gate.
    pub gate: GateMeta,
    /// The decision.
    pub outcome: Outcome,
    /// Rule counts.
    pub counts: Counts,
    /// Every rule, in source order.
    pub rules: Vec<RuleResult>,
    /// Where the evidence did not match the schema.
    pub evidence_issues: Vec<Issue>,
}

impl Decision {
    /// Computes the gate outcome and counts from the rule results.
    pub fn from_rules(
        gate: GateMeta,
        rules: Vec<RuleResult>,
        evidence_issues: Vec<Issue>,
    ) -> Decision {
        let mut counts = Counts {
            rules: rules.len(),
            ..Counts::default()
        };
        let mut outcome = Outcome::Pass;
        for r in &rules {
            match r.outcome {
                RuleOutcome::Pass => counts.pass += 1,
                RuleOutcome::Fail => counts.fail += 1,
                RuleOutcome::Error => counts.error += 1,
                RuleOutcome::NotApplicable => counts.not_applicable += 1,
            }
            let this = match (r.severity, r.outcome) {
                (_, RuleOutcome::Pass | RuleOutcome::NotApplicable) | (RuleSeverity::Info, _) => {
                    Outcome::Pass
                }
                (RuleSeverity::Warn, _) => Outcome::Warn,
                (RuleSeverity::Block, RuleOutcome::Fail) => Outcome::Fail,
                (RuleSeverity::Block, RuleOutcome::Error) => Outcome::Error,
            };
            outcome = worst(outcome, this);
        }
        Decision {
            gate,
            outcome,
            counts,
            rules,
            evidence_issues,
        }
    }

    /// The rule with the given id.
    pub fn rule(&self, id: &str) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn worst(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Pass => 0,
        Outcome::Warn => 1,
        Outcome::Fail => 2,
        Outcome::Error => 3,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}
