//! The tree-walking evaluator over the IR.
//!
//! Each rule runs its statements in order. A `require` is first walked in
//! quick mode (`and` and `all` stop at the first false); if it does not
//! come out true, it is walked again in explain mode, which records a
//! [`Failure`](crate::explain::Failure) for every predicate that did not
//! hold and an [`EvalError`](crate::explain::EvalError) for every error.
//! Both are the one walk of [`walk`]. Errors are never absorbed: an error
//! anywhere in a predicate, in an `or` branch or a quantifier included,
//! makes the rule's outcome `error`.
//!
//! - [`walk`]: the one walk of a predicate, generic over its mode;
//! - [`expr`]: the value of every other IR node;
//! - [`explain`]: what explain mode records (failures, errors, elements);
//! - [`builtins`]: built-in functions ([`strings`]: text, patterns and
//!   versions; [`security`]: digests, networks, wildcards and secrets).

mod builtins;
mod explain;
mod expr;
pub(crate) mod security;
mod strings;
mod walk;

use crate::decision::{RuleOutcome, RuleResult};
use crate::evidence::{Issue, Node};
use crate::explain::{EvalError, Failure, Note, NoteKind};
use crate::value::{Paths, V};
use crate::Code;
use gate_lang::ir::{ExprId, Message, Program, Rule, ScopeId, Step};
use gate_lang::span::Span;
use std::time::Instant;

/// Limits on one evaluation.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Limits {
    /// Most IR nodes evaluated per rule, and for the top-level `let`s
    /// together (default 50 million).
    pub max_steps: u64,
    /// How long one evaluation may take, measured from its start (default
    /// none: an embedding program bounds its work with `max_steps`, which
    /// does not depend on the machine, and sets a deadline where a
    /// decision must come in time; `gate check` sets one, see `--timeout`).
    /// Rules not finished when it passes are errors (E0607).
    pub deadline: Option<std::time::Duration>,
    /// Most failures kept per rule (default 100; the total is still counted).
    pub max_failures: usize,
}

impl Limits {
    /// Sets the step budget per rule.
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.max_steps = steps;
        self
    }

    /// Sets how long one evaluation may take, from its start.
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets how many failures are kept per rule.
    pub fn max_failures(mut self, failures: usize) -> Self {
        self.max_failures = failures;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 50_000_000,
            deadline: None,
            max_failures: 100,
        }
    }
}

/// Why evaluating an expression failed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RtKind {
    Missing(u32),
    Invalid(u32),
    Overflow(&'static str),
    DivisionByZero,
    IndexOutOfRange {
        index: i64,
        len: usize,
    },
    NullValue,
    StepLimit(u64),
    Deadline,
    Host(String, String),
    /// A built-in function cannot use its argument: its code (`E0610`…)
    /// and why (never showing a value read through a sensitive field).
    Builtin(crate::Code, String),
    Internal(&'static str),
}

/// A runtime error: what, where in the policy, and which evidence.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RtError {
    pub kind: RtKind,
    pub span: Span,
    pub path: crate::value::PathId,
}

pub(crate) type R<T> = Result<T, RtError>;

/// An element of a rule-level quantifier being explained.
#[derive(Clone, Debug)]
struct ElemFrame<'a> {
    list_path: crate::value::PathId,
    index: usize,
    single: bool,
    elem: V<'a>,
}

/// State of the explain-mode walk of one `require`.
#[derive(Default)]
struct Explaining<'a> {
    failures: Vec<Failure>,
    errors: Vec<EvalError>,
    dropped: usize,
    /// What identifies each kept error (code, evidence path, place in the
    /// policy), so that the same error is kept once, in constant time.
    error_keys: std::collections::HashSet<(Code, Option<String>, u32, u32, u32)>,
    elements: Vec<ElemFrame<'a>>,
    scopes: Vec<ScopeId>,
    message: Option<&'a Message>,
    requirement: usize,
    rule_base: usize,
    next_any_of: u32,
    call_site: Option<Span>,
}

/// One evaluation of a program over one evidence document.
pub(crate) struct Eval<'a> {
    prog: &'a Program,
    /// How the evidence was read: which fields are sensitive.
    plan: &'a crate::evidence::Plan,
    root: &'a Node,
    issues: &'a [Issue],
    paths: Paths<'a>,
    locals: Vec<V<'a>>,
    base: usize,
    globals: Vec<Option<R<V<'a>>>>,
    steps: u64,
    /// Steps taken describing failures (see [`Eval::describing`]); the
    /// budget is for `steps` and these together.
    described: u64,
    /// The step count at which [`Eval::tick`] next checks the limits.
    check_at: u64,
    limits: &'a Limits,
    /// The first step-budget or deadline error met in the current rule:
    /// the explain-mode walk drops some errors (a message hole it cannot
    /// render, a value it cannot show), but a limit must still make the
    /// rule an error.
    limit_hit: Option<RtError>,
    call_depth: u32,
    quant_depth: u32,
    notes: Vec<Note>,
    ex: Option<Explaining<'a>>,
    host: &'a [crate::host::HostFunction],
    /// The caller's value for host functions.
    context: Option<&'a crate::host::Context>,
    /// What each host function answered, by function and arguments: each
    /// is called once per distinct arguments in one evaluation.
    host_answers:
        std::collections::HashMap<Vec<u8>, Result<crate::host::HostValue, crate::host::HostError>>,
    /// Coverage flags by node, when coverage is being collected.
    pub(crate) cov: Option<Vec<u8>>,
    /// The evaluation clock (`now()`), fixed for the whole evaluation.
    now: i128,
    /// Compiled patterns and parsed arguments of built-ins.
    cache: builtins::Cache,
    /// The deadline has passed: every later step fails at once.
    expired: bool,
    /// When this evaluation's deadline passes.
    deadline_at: Option<Instant>,
}

impl<'a> Eval<'a> {
    pub fn new(
        prog: &'a Program,
        plan: &'a crate::evidence::Plan,
        root: &'a Node,
        issues: &'a [Issue],
        options: &'a crate::Options,
        host: &'a [crate::host::HostFunction],
        now: i128,
    ) -> Self {
        let limits = &options.limits;
        let context = options.context.as_deref();
        Eval {
            prog,
            plan,
            root,
            issues,
            paths: Paths::new(),
            locals: Vec::new(),
            base: 0,
            globals: Vec::new(),
            steps: 0,
            described: 0,
            check_at: 0,
            limits,
            limit_hit: None,
            call_depth: 0,
            quant_depth: 0,
            notes: Vec::new(),
            ex: None,
            host,
            context,
            host_answers: std::collections::HashMap::new(),
            cov: None,
            now,
            cache: builtins::Cache::default(),
            expired: false,
            deadline_at: limits.deadline.and_then(|d| Instant::now().checked_add(d)),
        }
    }

    /// Evaluates the top-level `let`s, in dependency order.
    pub fn run_globals(&mut self) {
        self.steps = 0;
        self.described = 0;
        self.check_at = 0;
        self.globals = vec![None; self.prog.globals.len()];
        for (i, g) in self.prog.globals.iter().enumerate() {
            let base = self.push_frame(g.frame_size);
            let v = self.eval(g.expr);
            self.pop_frame(base);
            if let Some(slot) = self.globals.get_mut(i) {
                *slot = Some(v);
            }
        }
        self.notes.clear();
    }

    fn push_frame(&mut self, size: u32) -> usize {
        let saved = self.base;
        self.base = self.locals.len();
        self.locals
            .resize(self.base + size as usize, V::new(crate::value::Val::Null));
        saved
    }

    fn pop_frame(&mut self, saved: usize) {
        self.locals.truncate(self.base);
        self.base = saved;
    }

    /// Evaluates one rule.
    pub fn run_rule(&mut self, rule: &'a Rule) -> RuleResult {
        let mut result = RuleResult {
            id: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            outcome: RuleOutcome::Pass,
            applicable: true,
            controls: rule.controls.clone(),
            span: self.prog.sources.locate_for_record(rule.span),
            failures: Vec::new(),
            failures_total: 0,
            errors: Vec::new(),
            notes: Vec::new(),
        };
        self.steps = 0;
        self.described = 0;
        self.check_at = 0;
        self.limit_hit = None;
        let saved = self.push_frame(rule.frame_size);
        let mut requirement = 0;
        'steps: for step in &rule.steps {
            match step {
                Step::When(e) => match self.eval_bool(*e).inspect(|b| self.cover(*e, Some(*b))) {
                    Ok(true) => {}
                    // A `when` after a `require` that did not hold stops
                    // the rule but cannot undo that failure.
                    Ok(false) if result.failures_total > 0 || !result.errors.is_empty() => {
                        break 'steps;
                    }
                    Ok(false) => {
                        result.outcome = RuleOutcome::NotApplicable;
                        result.applicable = false;
                        result.notes.clear();
                        break 'steps;
                    }
                    Err(err) => {
                        self.cover(*e, None);
                        result.errors.push(self.error_info(&err));
                        break 'steps;
                    }
                },
                Step::Let { slot, expr } => match self.eval(*expr) {
                    Ok(v) => {
                        if let Some(l) = self.locals.get_mut(self.base + *slot as usize) {
                            *l = v;
                        }
                    }
                    Err(err) => {
                        result.errors.push(self.error_info(&err));
                        break 'steps;
                    }
                },
                Step::Require(req) => {
                    let index = requirement;
                    requirement += 1;
                    self.notes.clear();
                    self.quant_depth = 0;
                    let fast = self.pred::<walk::Quick>(req.expr, true);
                    if matches!(fast, Ok(true)) {
                        self.cover(req.expr, Some(true));
                        result.notes.append(&mut self.notes);
                        continue;
                    }
                    // Out of steps or of time: explaining would only run
                    // out again, element after element.
                    if let Err(err) = &fast {
                        if matches!(err.kind, RtKind::StepLimit(_) | RtKind::Deadline) {
                            self.cover(req.expr, None);
                            // Shown at the requirement, not at whichever
                            // node happened to take the last step.
                            let at_requirement = RtError {
                                span: self.span(req.expr),
                                ..err.clone()
                            };
                            let mut info = self.error_info(&at_requirement);
                            info.requirement = Some(index);
                            result.errors.push(info);
                            self.notes.clear();
                            break 'steps;
                        }
                    }
                    self.notes.clear();
                    let ex = Explaining {
                        message: req.message.as_ref(),
                        requirement: index,
                        rule_base: self.base,
                        ..Explaining::default()
                    };
                    self.ex = Some(ex);
                    self.quant_depth = 0;
                    let outcome = self.pred::<walk::Explain>(req.expr, true);
                    self.cover(req.expr, outcome.as_ref().ok().copied());
                    let ex = self.ex.take().unwrap_or_default();
                    result.notes.append(&mut self.notes);
                    let mut failures = crate::explain::merge_by_element(ex.failures);
                    let mut errors = ex.errors;
                    // Fail closed: the requirement did not hold the first
                    // time, so it does not pass even if the explaining pass
                    // (a host function that answers differently) says so.
                    if failures.is_empty() && errors.is_empty() && ex.dropped == 0 {
                        match &fast {
                            Err(err) => {
                                let mut info = self.error_info(err);
                                info.requirement = Some(index);
                                errors.push(info);
                            }
                            Ok(_) if outcome.is_ok() => {
                                failures.push(self.generic_failure(req.expr, index));
                            }
                            Ok(_) => {}
                        }
                    }
                    result.failures_total += failures.len() + ex.dropped;
                    result.failures.extend(failures);
                    result.errors.extend(errors);
                    // An error the walk met but could not record (it
                    // records each error once, and at most `max_failures`).
                    if let (Err(err), true) = (&outcome, result.errors.is_empty()) {
                        let mut info = self.error_info(err);
                        info.requirement = Some(index);
                        result.errors.push(info);
                    }
                }
            }
        }
        self.pop_frame(saved);
        if let Some(err) = self.limit_hit.take() {
            let info = self.error_info(&err);
            if !result.errors.iter().any(|e| e.code == info.code) {
                // Fail closed: an error, whatever the explanation made of it.
                result.outcome = RuleOutcome::Error;
                result.errors.push(info);
            }
        }
        if result.outcome != RuleOutcome::NotApplicable {
            result.outcome = if !result.errors.is_empty() {
                RuleOutcome::Error
            } else if result.failures_total > 0 {
                RuleOutcome::Fail
            } else {
                RuleOutcome::Pass
            };
        }
        let max = self.limits.max_failures;
        if result.failures.len() > max {
            result.failures.truncate(max);
        }
        dedup_notes(&mut result.notes);
        result
    }

    /// Records, when collecting coverage, that a condition was evaluated
    /// and its value (`None`: an error).
    #[inline]
    fn cover(&mut self, id: ExprId, value: Option<bool>) {
        if let Some(hits) = self.cov.as_mut() {
            crate::coverage::hit(hits, id, value);
        }
    }

    fn generic_failure(&self, id: ExprId, requirement: usize) -> Failure {
        let span = self.span(id);
        Failure {
            requirement,
            path: None,
            actual: serde_json::Value::Bool(false),
            actual_truncated: false,
            expected: "true".into(),
            message: format!("`{}` does not hold", self.prog.sources.slice(span)),
            span: self.prog.sources.locate_for_record(span),
            element: None,
            any_of: None,
            operands: Vec::new(),
            called_from: None,
            waived_by: None,
        }
    }

    fn span(&self, id: ExprId) -> Span {
        self.prog.node(id).map(|n| n.span).unwrap_or_default()
    }

    /// Counts a step and checks the budget and the deadline.
    #[inline(always)]
    fn tick(&mut self, id: ExprId) -> R<()> {
        self.steps += 1;
        if self.steps < self.check_at {
            return Ok(());
        }
        self.check_limits(id)
    }

    /// Checks the step budget and (every 4096 steps) the deadline; sets
    /// the step count at which [`Eval::tick`] checks again.
    #[cold]
    #[inline(never)]
    fn check_limits(&mut self, id: ExprId) -> R<()> {
        let budget = self.limits.max_steps.saturating_sub(self.described);
        if self.steps > budget {
            let err = RtError {
                kind: RtKind::StepLimit(self.limits.max_steps),
                span: self.span(id),
                path: crate::value::PathId::NONE,
            };
            self.limit_hit.get_or_insert_with(|| err.clone());
            self.check_at = 0;
            return Err(err);
        }
        if let Some(deadline) = self.deadline_at {
            if self.expired || Instant::now() >= deadline {
                self.expired = true;
                let err = RtError {
                    kind: RtKind::Deadline,
                    span: self.span(id),
                    path: crate::value::PathId::NONE,
                };
                self.limit_hit.get_or_insert_with(|| err.clone());
                self.check_at = 0;
                return Err(err);
            }
        }
        let next_deadline_check = (self.steps | 0xfff).saturating_add(1);
        self.check_at = next_deadline_check.min(budget.saturating_add(1));
        Ok(())
    }

    /// Records that an `all` of the requirement itself (not one nested in
    /// another quantifier or a `def`) held over an empty list.
    fn vacuous(&mut self, id: ExprId, list: &V<'a>) {
        if self.quant_depth > 0 || self.call_depth > 0 {
            return;
        }
        let span = self.span(id);
        let list_text = match self.prog.node(id).map(|n| &n.ir) {
            Some(gate_lang::ir::Ir::Quant { list, .. }) => {
                self.prog.sources.slice(self.span(*list)).to_string()
            }
            _ => String::new(),
        };
        let list_text = short(&list_text);
        self.notes.push(Note {
            kind: NoteKind::VacuousTruth,
            message: format!("`{list_text}` is empty, so `all(…)` holds without checking anything"),
            path: self.paths.pointer(list.path, &self.prog.schema),
            span: self.prog.sources.locate_for_record(span),
        });
    }

    /// The value of top-level `let` number `index` (after [`Self::run_globals`])
    /// as JSON, redacted where it is secret, or
    /// the error that evaluating it met.
    pub fn global_value(&self, index: usize) -> Option<Result<serde_json::Value, Box<EvalError>>> {
        match self.globals.get(index)?.as_ref()? {
            Ok(v) => Some(Ok(crate::value::render_json(v, &self.prog.schema).0)),
            Err(e) => Some(Err(Box::new(self.error_info(e)))),
        }
    }

    /// Turns a runtime error into an explanation.
    fn error_info(&self, err: &RtError) -> EvalError {
        let text = self.prog.sources.slice(err.span).to_string();
        let mut path = self.paths.pointer(err.path, &self.prog.schema);
        let (code, message) = match &err.kind {
            RtKind::Missing(i) => {
                let issue = self.issues.get(*i as usize);
                if let Some(issue) = issue {
                    path = Some(issue.path.clone());
                }
                (
                    Code::Missing,
                    match issue {
                        Some(issue) => format!("{}; `{text}` cannot be evaluated", issue.message()),
                        None => format!("required evidence for `{text}` is missing"),
                    },
                )
            }
            RtKind::Invalid(i) => {
                let issue = self.issues.get(*i as usize);
                if let Some(issue) = issue {
                    path = Some(issue.path.clone());
                }
                let unverified = issue.is_some_and(|i| {
                    matches!(i.kind, crate::evidence::IssueKind::Unverified { .. })
                });
                (
                    if unverified {
                        Code::Unverified
                    } else {
                        Code::WrongType
                    },
                    match issue {
                        Some(issue) => format!("{}; `{text}` cannot be evaluated", issue.message()),
                        None => format!("evidence for `{text}` has the wrong type"),
                    },
                )
            }
            RtKind::Overflow(op) => (Code::Overflow, format!("`{text}` overflows ({op})")),
            RtKind::DivisionByZero => (
                Code::DivisionByZero,
                format!("division by zero in `{text}`"),
            ),
            RtKind::IndexOutOfRange { index, len } => (
                Code::IndexOutOfRange,
                format!("index {index} is outside the list of {len} elements in `{text}`"),
            ),
            RtKind::StepLimit(n) => (
                Code::StepLimit,
                format!("evaluating this rule took more than {n} steps (the step budget)"),
            ),
            RtKind::Deadline => (
                Code::Deadline,
                "evaluation exceeded its deadline".to_string(),
            ),
            RtKind::Host(name, message) => (
                Code::HostFailed,
                format!("host function `{name}` failed: {message}"),
            ),
            RtKind::NullValue => (
                Code::Internal,
                format!("`{text}` is null where a value is required"),
            ),
            RtKind::Builtin(code, why) => (*code, format!("`{text}`: {why}")),
            RtKind::Internal(what) => (
                Code::Internal,
                format!("internal error evaluating `{text}`: {what}"),
            ),
        };
        EvalError {
            requirement: None,
            code,
            message,
            path,
            span: self.prog.sources.locate_for_record(err.span),
        }
    }
}

fn dedup_notes(notes: &mut Vec<Note>) {
    let mut seen = std::collections::HashSet::new();
    notes.retain(|n| seen.insert((n.span.start, n.span.file.clone(), n.path.clone())));
}

/// The first line of a source excerpt, cut at 60 characters.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 60 || text.contains('\n') {
        let cut: String = line.chars().take(60).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use crate::{Evidence, HostType, HostValue, Options, Policy};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A policy whose only requirement calls a host function that answers
    /// `first` on its first call and `later` on every other call.
    fn flaky(
        first: Result<HostValue, crate::host::HostError>,
        later: Result<HostValue, crate::host::HostError>,
    ) -> crate::Decision {
        let calls = Arc::new(AtomicUsize::new(0));
        let policy = Policy::builder()
            .host_function("flaky", &[], HostType::Bool, move |_| {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    first.clone()
                } else {
                    later.clone()
                }
            })
            .compile_source(
                "g.gate",
                "gate g {}\nevidence { x: int }\nrule r { require flaky() }\n",
            )
            .unwrap();
        let evidence = Evidence::from_json_str("e", r#"{"x": 1}"#).unwrap();
        policy.evaluate(&evidence, &Options::default())
    }

    #[test]
    fn an_error_in_the_first_pass_is_never_a_pass() {
        let d = flaky(Err("boom".into()), Ok(HostValue::Bool(true)));
        assert_eq!(d.outcome.as_str(), "error");
        assert_eq!(d.rules[0].errors[0].code, "E0608");
    }

    #[test]
    fn a_false_first_pass_is_never_a_pass() {
        let d = flaky(Ok(HostValue::Bool(false)), Ok(HostValue::Bool(true)));
        assert_eq!(d.outcome.as_str(), "fail");
    }

    /// `all(flag)` checks elements whose flag is `true` in place; every
    /// other element, and the step budget, behave as in the general form.
    #[test]
    fn all_of_a_flag_agrees_with_the_general_form() {
        let source = |req: &str| {
            format!(
                "gate g {{}}\nrecord S {{ id: string, on: bool, key id }}\n\
                 evidence {{ xs: [S] }}\nrule r {{ require {req} }}\n"
            )
        };
        let fast = Policy::from_source("a.gate", &source("xs.all(on)")).unwrap();
        let general = Policy::from_source("b.gate", &source("xs.all(x => x.on == true)")).unwrap();
        let docs = [
            r#"{"xs": []}"#,
            r#"{"xs": [{"id": "a", "on": true}, {"id": "b", "on": true}]}"#,
            r#"{"xs": [{"id": "a", "on": true}, {"id": "b", "on": false}]}"#,
            r#"{"xs": [{"id": "a", "on": true}, {"id": "b"}]}"#,
            r#"{"xs": [{"id": "a", "on": true}, {"id": "b", "on": "true"}]}"#,
            r#"{"xs": [{"id": "a", "on": true}, {"id": "b", "on": null}]}"#,
        ];
        let outcome = |p: &Policy, doc: &str, steps: u64| {
            let options = Options {
                limits: crate::Limits {
                    max_steps: steps,
                    ..crate::Limits::default()
                },
                ..Options::default()
            };
            let d = p.evaluate(&Evidence::from_json_str("e", doc).unwrap(), &options);
            let r = &d.rules[0];
            let errors: Vec<&str> = r.errors.iter().map(|e| e.code.as_str()).collect();
            let failures: Vec<Option<String>> = r.failures.iter().map(|f| f.path.clone()).collect();
            (d.outcome.as_str().to_string(), errors, failures)
        };
        for doc in docs {
            assert_eq!(
                outcome(&fast, doc, 1_000),
                outcome(&general, doc, 1_000),
                "{doc}"
            );
        }
        // Out of steps half way through the list: an error, never a pass.
        let many: Vec<String> = (0..100)
            .map(|i| format!(r#"{{"id": "s{i}", "on": true}}"#))
            .collect();
        let doc = format!(r#"{{"xs": [{}]}}"#, many.join(","));
        let (outcome_fast, errors, _) = outcome(&fast, &doc, 50);
        assert_eq!((outcome_fast.as_str(), errors), ("error", vec!["E0606"]));
    }
}
