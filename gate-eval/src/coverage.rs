//! Coverage: which rules, `require` lines and conditions a set of
//! evaluations exercised, so policy authors can see what their tests leave
//! untested.
//!
//! Collection is off unless asked for: [`Policy::evaluate`] records nothing,
//! and [`Policy::evaluate_with_coverage`] adds one check of an `Option` per
//! condition evaluated. A [`Coverage`] accumulates over any number of
//! evaluations of the same policy.
//!
//! What counts:
//!
//! - a **rule** is *covered* when it was applicable (its `when` guards held)
//!   in some evaluation, and *fully covered* when it was seen both passing
//!   and failing (a waived failure counts as failing);
//! - a **`require`** is *evaluated* when the rule reached it, and *covered*
//!   when it was seen both holding and failing;
//! - a **branch** is an operand of an `and`/`or`, a `when` condition, or the
//!   condition of an `if`; it is *covered* when it was evaluated and seen
//!   both true and false (condition coverage). An evaluation that ended in
//!   an error counts as evaluated, but neither true nor false.
//!
//! Points are keyed by their source span; code of the standard library
//! (`std.…` modules) is not counted.
//!
//! [`Policy::evaluate`]: crate::Policy::evaluate
//! [`Policy::evaluate_with_coverage`]: crate::Policy::evaluate_with_coverage

use crate::decision::{Decision, RuleOutcome};
use gate_lang::ir::{ExprId, Ir, Program, Step};
use gate_lang::span::{Location, Span};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub(crate) const EVALUATED: u8 = 1;
pub(crate) const TRUE: u8 = 2;
pub(crate) const FALSE: u8 = 4;
pub(crate) const ERROR: u8 = 8;

const APPLICABLE: u8 = 1;
const PASSED: u8 = 2;
const FAILED: u8 = 4;
const ERRORED: u8 = 8;

/// What a coverage point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// A `require` line: covered when seen holding and failing.
    Require,
    /// A `when` condition of a rule (a branch).
    When,
    /// An operand of an `and` or an `or` (a branch).
    Operand,
    /// The condition of an `if … then … else …` (a branch).
    Condition,
}

impl PointKind {
    /// The name used in reports: `require`, `when`, `operand`, `condition`.
    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::Require => "require",
            PointKind::When => "when",
            PointKind::Operand => "operand",
            PointKind::Condition => "condition",
        }
    }

    /// Whether this kind counts as a branch (everything but `require`).
    pub fn is_branch(self) -> bool {
        self != PointKind::Require
    }
}

/// How one rule fared across the evaluations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleCoverage {
    /// The rule id.
    pub id: String,
    /// Where the rule is defined.
    pub location: Location,
    /// Applicable in some evaluation (its `when` guards held).
    pub applicable: bool,
    /// Seen passing.
    pub passed: bool,
    /// Seen failing (or waived).
    pub failed: bool,
    /// Seen ending in an error.
    pub errored: bool,
}

impl RuleCoverage {
    /// Covered: applicable in some evaluation.
    pub fn covered(&self) -> bool {
        self.applicable
    }

    /// Fully covered: seen both passing and failing.
    pub fn fully_covered(&self) -> bool {
        self.passed && self.failed
    }
}

/// How one `require` or branch fared across the evaluations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PointCoverage {
    /// What it is.
    pub kind: PointKind,
    /// Where it is: `rule ID`, `def NAME` or `let NAME`.
    pub within: String,
    /// Where it is written.
    pub location: Location,
    /// Its source text (first line, shortened).
    pub text: String,
    /// Evaluated at least once.
    pub evaluated: bool,
    /// Seen true (for a `require`: holding).
    pub seen_true: bool,
    /// Seen false (for a `require`: failing).
    pub seen_false: bool,
    /// Seen ending in an error.
    pub errored: bool,
}

impl PointCoverage {
    /// Covered: evaluated and seen both true and false.
    pub fn covered(&self) -> bool {
        self.evaluated && self.seen_true && self.seen_false
    }
}

/// Totals of a coverage record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CoverageSummary {
    /// How many evaluations were recorded.
    pub evaluations: usize,
    /// Rules in the gate.
    pub rules: usize,
    /// Rules applicable in some evaluation.
    pub rules_covered: usize,
    /// Rules seen both passing and failing.
    pub rules_fully_covered: usize,
    /// `require` lines.
    pub requires: usize,
    /// `require` lines evaluated at least once.
    pub requires_evaluated: usize,
    /// `require` lines seen both holding and failing.
    pub requires_covered: usize,
    /// Branches: `and`/`or` operands, `when` and `if` conditions.
    pub branches: usize,
    /// Branches seen both true and false.
    pub branches_covered: usize,
}

#[derive(Clone, Debug)]
struct PointDef {
    kind: PointKind,
    id: ExprId,
    span: Span,
    within: String,
}

/// Coverage of one policy, accumulated over evaluations.
///
/// ```
/// use gate_eval::{Evidence, Options, Policy};
/// let policy = Policy::from_source("demo.gate", r#"
///     gate demo {}
///     record Secret { name: string, vaulted: bool, rotated: bool }
///     evidence { secrets: [Secret] }
///     rule vaulted { require secrets.all(vaulted and rotated) }
/// "#).unwrap();
/// let mut coverage = policy.coverage();
/// let evidence = Evidence::from_json_str("e.json",
///     r#"{"secrets": [{"name": "A", "vaulted": true, "rotated": false}]}"#).unwrap();
/// policy.evaluate_with_coverage(&evidence, &Options::default(), &mut coverage);
/// let summary = coverage.summary();
/// assert_eq!((summary.rules, summary.rules_covered, summary.rules_fully_covered), (1, 1, 0));
/// // `vaulted` was only seen true, `rotated` only false.
/// assert_eq!((summary.branches, summary.branches_covered), (2, 0));
/// let rotated = coverage.points().into_iter().find(|p| p.text == "rotated").unwrap();
/// assert!(rotated.seen_false && !rotated.seen_true);
/// ```
#[derive(Clone, Debug)]
pub struct Coverage {
    program: Arc<Program>,
    digest: String,
    points: Vec<PointDef>,
    pub(crate) hits: Vec<u8>,
    rules: Vec<u8>,
    evaluations: usize,
}

impl Coverage {
    pub(crate) fn new(program: Arc<Program>, digest: String) -> Self {
        let points = point_defs(&program);
        Coverage {
            hits: vec![0; program.nodes.len()],
            rules: vec![0; program.rules.len()],
            points,
            program,
            digest,
            evaluations: 0,
        }
    }

    /// Whether this record can take evaluations of a program with this
    /// digest: the same compiled program, or the same sources compiled again.
    pub(crate) fn fits(&self, program: &Arc<Program>, digest: &str) -> bool {
        Arc::ptr_eq(&self.program, program)
            || (self.digest == digest
                && self.program.nodes.len() == program.nodes.len()
                && self.program.rules.len() == program.rules.len())
    }

    /// Records a decision's rule outcomes.
    pub(crate) fn record_decision(&mut self, decision: &Decision) {
        self.evaluations += 1;
        for (flags, r) in self.rules.iter_mut().zip(&decision.rules) {
            if r.applicable && r.outcome != RuleOutcome::NotApplicable {
                *flags |= APPLICABLE;
            }
            *flags |= match r.outcome {
                RuleOutcome::Pass => PASSED,
                RuleOutcome::Fail | RuleOutcome::Waived => FAILED,
                RuleOutcome::Error => ERRORED,
                RuleOutcome::NotApplicable => 0,
            };
        }
    }

    /// Adds what `other` recorded, if it is coverage of the same policy (the
    /// same sources). Returns whether it was.
    ///
    /// ```
    /// use gate_eval::{Evidence, Options, Policy};
    /// let src = "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n";
    /// let policy = Policy::from_source("g.gate", src).unwrap();
    /// let (mut a, mut b) = (policy.coverage(), policy.coverage());
    /// let yes = Evidence::from_json_str("y", r#"{"ok": true}"#).unwrap();
    /// let no = Evidence::from_json_str("n", r#"{"ok": false}"#).unwrap();
    /// policy.evaluate_with_coverage(&yes, &Options::default(), &mut a);
    /// policy.evaluate_with_coverage(&no, &Options::default(), &mut b);
    /// assert!(a.merge(&b));
    /// assert_eq!(a.summary().requires_covered, 1);
    /// ```
    pub fn merge(&mut self, other: &Coverage) -> bool {
        if !self.fits(&other.program, &other.digest) {
            return false;
        }
        for (a, b) in self.hits.iter_mut().zip(&other.hits) {
            *a |= *b;
        }
        for (a, b) in self.rules.iter_mut().zip(&other.rules) {
            *a |= *b;
        }
        self.evaluations += other.evaluations;
        true
    }

    /// How many evaluations were recorded.
    pub fn evaluations(&self) -> usize {
        self.evaluations
    }

    /// Every rule, in source order.
    pub fn rules(&self) -> Vec<RuleCoverage> {
        self.program
            .rules
            .iter()
            .zip(&self.rules)
            .map(|(r, flags)| RuleCoverage {
                id: r.id.clone(),
                location: self.program.sources.locate(r.span),
                applicable: flags & APPLICABLE != 0,
                passed: flags & PASSED != 0,
                failed: flags & FAILED != 0,
                errored: flags & ERRORED != 0,
            })
            .collect()
    }

    /// Every `require` and branch, in source order (by file, then position).
    /// Points written at the same place are reported once.
    pub fn points(&self) -> Vec<PointCoverage> {
        let mut merged: BTreeMap<(u32, u32, u32, PointKind), (usize, u8)> = BTreeMap::new();
        for (i, p) in self.points.iter().enumerate() {
            let flags = self.hits.get(p.id.0 as usize).copied().unwrap_or(0);
            let key = (p.span.source.0, p.span.start, p.span.end, p.kind);
            merged
                .entry(key)
                .and_modify(|e| e.1 |= flags)
                .or_insert((i, flags));
        }
        merged
            .values()
            .filter_map(|(i, flags)| {
                let p = self.points.get(*i)?;
                let text_span = match p.kind {
                    PointKind::Require => self.program.node(p.id).map(|n| n.span).unwrap_or(p.span),
                    _ => p.span,
                };
                Some(PointCoverage {
                    kind: p.kind,
                    within: p.within.clone(),
                    location: self.program.sources.locate(p.span),
                    text: short(self.program.sources.slice(text_span)),
                    evaluated: flags & EVALUATED != 0,
                    seen_true: flags & TRUE != 0,
                    seen_false: flags & FALSE != 0,
                    errored: flags & ERROR != 0,
                })
            })
            .collect()
    }

    /// The totals.
    pub fn summary(&self) -> CoverageSummary {
        let rules = self.rules();
        let points = self.points();
        let requires = points.iter().filter(|p| p.kind == PointKind::Require);
        let branches = points.iter().filter(|p| p.kind.is_branch());
        CoverageSummary {
            evaluations: self.evaluations,
            rules: rules.len(),
            rules_covered: rules.iter().filter(|r| r.covered()).count(),
            rules_fully_covered: rules.iter().filter(|r| r.fully_covered()).count(),
            requires: requires.clone().count(),
            requires_evaluated: requires.clone().filter(|p| p.evaluated).count(),
            requires_covered: requires.filter(|p| p.covered()).count(),
            branches: branches.clone().count(),
            branches_covered: branches.filter(|p| p.covered()).count(),
        }
    }
}

/// Sets the flags of one evaluated point.
#[inline]
pub(crate) fn hit(hits: &mut [u8], id: ExprId, value: Option<bool>) {
    if let Some(f) = hits.get_mut(id.0 as usize) {
        *f |= EVALUATED
            | match value {
                Some(true) => TRUE,
                Some(false) => FALSE,
                None => ERROR,
            };
    }
}

/// Every point of the program reachable from its rules (the `def`s and
/// `let`s they use, directly or not), outside the standard library.
fn point_defs(prog: &Program) -> Vec<PointDef> {
    let mut w = Walker {
        prog,
        out: Vec::new(),
        seen: HashSet::new(),
        queue: Vec::new(),
        functions: HashSet::new(),
        globals: HashSet::new(),
    };
    for rule in &prog.rules {
        let within = format!("rule {}", rule.id);
        for step in &rule.steps {
            match step {
                Step::When(e) => {
                    w.push(PointKind::When, *e, span(prog, *e), &within);
                    w.walk(*e, &within);
                }
                Step::Let { expr, .. } => w.walk(*expr, &within),
                Step::Require(req) => {
                    w.push(PointKind::Require, req.expr, req.span, &within);
                    w.walk(req.expr, &within);
                }
            }
        }
    }
    while let Some((root, within)) = w.queue.pop() {
        w.walk(root, &within);
    }
    let mut out = w.out;
    out.retain(|p| {
        prog.sources
            .get(p.span.source)
            .is_some_and(|f| !f.name.starts_with("std."))
    });
    out
}

fn span(prog: &Program, id: ExprId) -> Span {
    prog.node(id).map(|n| n.span).unwrap_or_default()
}

struct Walker<'p> {
    prog: &'p Program,
    out: Vec<PointDef>,
    seen: HashSet<ExprId>,
    queue: Vec<(ExprId, String)>,
    functions: HashSet<u32>,
    globals: HashSet<u32>,
}

impl Walker<'_> {
    fn push(&mut self, kind: PointKind, id: ExprId, span: Span, within: &str) {
        self.out.push(PointDef {
            kind,
            id,
            span,
            within: within.to_string(),
        });
    }

    fn function(&mut self, f: gate_lang::ir::FuncId) {
        if self.functions.insert(f.0) {
            if let Some(func) = self.prog.functions.get(f.0 as usize) {
                self.queue.push((func.body, format!("def {}", func.name)));
            }
        }
    }

    fn walk(&mut self, root: ExprId, within: &str) {
        let prog = self.prog;
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !self.seen.insert(id) {
                continue;
            }
            match prog.node(id).map(|n| &n.ir) {
                Some(Ir::And(items) | Ir::Or(items)) => {
                    for (item, _) in items {
                        self.push(PointKind::Operand, *item, span(prog, *item), within);
                    }
                }
                Some(Ir::If { cond, .. }) => {
                    self.push(PointKind::Condition, *cond, span(prog, *cond), within)
                }
                Some(Ir::Call { func, .. }) => self.function(*func),
                Some(Ir::Includes {
                    key:
                        Some(gate_lang::ir::KeyMatch {
                            condition: Some(f), ..
                        }),
                    ..
                }) => self.function(*f),
                Some(Ir::Global(g)) if self.globals.insert(g.0) => {
                    if let Some(global) = prog.globals.get(g.0 as usize) {
                        self.queue
                            .push((global.expr, format!("let {}", global.name)));
                    }
                }
                _ => {}
            }
            let mut children = prog.children(id);
            children.reverse();
            stack.extend(children);
        }
    }
}

/// The first line of a source excerpt, cut at 80 characters.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    if line.chars().count() > 80 || text.trim_end().contains('\n') {
        let cut: String = line.chars().take(80).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::{Evidence, Options, Policy};

    const SRC: &str = r#"gate g {}
record S { name: string, vaulted: bool, rotated: bool }
evidence { kind: string, secrets: [S] }
def ok(s: S) -> bool = s.vaulted or s.rotated
rule a {
  when kind != "none"
  let limit = if kind == "strict" then 1 else 2
  require secrets.all(vaulted and rotated)
  require secrets.count(s => ok(s)) <= limit
}
rule b {
  when kind == "never"
  require true
}
"#;

    fn eval(policy: &Policy, cov: &mut super::Coverage, json: &str) {
        let e = Evidence::from_json_str("e.json", json).unwrap();
        let _ = policy.evaluate_with_coverage(&e, &Options::default(), cov);
    }

    #[test]
    fn counts_rules_requires_and_branches() {
        let policy = Policy::from_source("g.gate", SRC).unwrap();
        let mut cov = policy.coverage();
        assert_eq!(cov.summary().requires, 3);
        // when(a), 2 operands in `and`, 2 in `or`, if condition, when(b)
        assert_eq!(cov.summary().branches, 7);
        eval(
            &policy,
            &mut cov,
            r#"{"kind": "strict", "secrets": [{"name": "A", "vaulted": true, "rotated": true}]}"#,
        );
        let s = cov.summary();
        assert_eq!((s.rules_covered, s.rules_fully_covered), (1, 0));
        assert_eq!((s.requires_evaluated, s.requires_covered), (2, 0));
        assert_eq!(s.branches_covered, 0);
        eval(
            &policy,
            &mut cov,
            r#"{"kind": "loose", "secrets": [{"name": "A", "vaulted": false, "rotated": true},
                {"name": "B", "vaulted": true, "rotated": false}]}"#,
        );
        let s = cov.summary();
        assert_eq!(s.evaluations, 2);
        assert_eq!((s.rules_covered, s.rules_fully_covered), (1, 1));
        assert_eq!(s.requires_covered, 1);
        let points = cov.points();
        let find = |t: &str| points.iter().find(|p| p.text == t).unwrap();
        assert!(find("vaulted").covered());
        assert!(find("rotated").covered());
        assert!(find("kind == \"strict\"").covered());
        assert!(find("s.vaulted").covered());
        assert_eq!(find("s.vaulted").within, "def ok");
        // `kind != "none"` was true both times.
        let when_a = find("kind != \"none\"");
        assert!(when_a.seen_true && !when_a.seen_false && !when_a.covered());
        let when_b = find("kind == \"never\"");
        assert!(when_b.seen_false && !when_b.seen_true);
        assert!(!cov.rules()[1].covered());
    }

    #[test]
    fn off_by_default_and_merged_per_policy() {
        let policy = Policy::from_source("g.gate", SRC).unwrap();
        let again = Policy::from_source("g.gate", SRC).unwrap();
        let other = Policy::from_source(
            "h.gate",
            "gate h {}\nevidence { ok: bool }\nrule r { require ok }\n",
        )
        .unwrap();
        let mut a = policy.coverage();
        let mut b = again.coverage();
        eval(&again, &mut b, r#"{"kind": "none", "secrets": []}"#);
        assert!(a.merge(&b));
        assert_eq!(a.evaluations(), 1);
        assert!(!a.merge(&other.coverage()));
        // A coverage of another policy is replaced, not mixed.
        let mut c = other.coverage();
        eval(&policy, &mut c, r#"{"kind": "none", "secrets": []}"#);
        assert_eq!(c.summary().rules, 2);
    }
}
