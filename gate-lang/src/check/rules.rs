//! Rules: settings, `when` guards, rule `let`s, `require` statements and
//! their failure-message templates.

use super::scope::{Binding, Ctx};
use super::{closest, Checker};
use crate::ast::{self, Header, Item, RuleStmt, SettingValue, TemplatePart};
use crate::error::{Error, ErrorKind};
use crate::ir::{Message, MessagePart, Requirement, Rule, RuleSeverity, ScopeId, Step};
use crate::span::Span;
use std::collections::HashMap;

const GATE_SETTINGS: &[&str] = &[
    "title",
    "stage",
    "version",
    "description",
    "owner",
    "if_no_rule_applies",
];
const RULE_SETTINGS: &[&str] = &["title", "description", "severity", "controls"];
const WAIVER_SETTINGS: &[&str] = &["element", "approved_by", "ticket", "reason", "expires"];

impl Checker {
    /// Checks the gate header and every rule of the entry module.
    pub(super) fn check_rules(&mut self, m: usize) {
        let file = self.modules.at(m).ast.clone();
        if let Some(Header::Gate(h)) = &file.header {
            self.check_settings(&h.settings, GATE_SETTINGS, "gate");
        }
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &file.items {
            let Item::Rule(rule) = item else { continue };
            if let Some(first) = seen.get(&rule.id.name) {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: "rule".into(),
                        name: rule.id.name.clone(),
                    },
                    rule.id.span,
                )
                .with_label(*first, "first defined here");
                self.errors.push(err);
                continue;
            }
            seen.insert(rule.id.name.clone(), rule.id.span);
            if let Some(r) = self.rule(m, rule) {
                self.rules.push(r);
            }
        }
        if self.modules.at(m).is_gate && !file.items.iter().any(|i| matches!(i, Item::Rule(_))) {
            let at = match &file.header {
                Some(Header::Gate(h)) => h.name.span,
                _ => file.span,
            };
            self.error(ErrorKind::NoRules, at);
        }
        self.settle_presence();
        for item in &file.items {
            if let Item::Waive(w) = item {
                if let Some(waiver) = self.waiver(w) {
                    self.waivers.push(waiver);
                }
            }
        }
    }

    /// Checks a `waive RULE { … }` block.
    fn waiver(&mut self, w: &ast::WaiveDecl) -> Option<crate::ir::Waiver> {
        if !self.rules.iter().any(|r| r.id == w.rule.name) {
            let suggestion = closest(&w.rule.name, self.rules.iter().map(|r| r.id.as_str()))
                .map(|s| format!("`{s}`"));
            self.error(
                ErrorKind::UnknownRule {
                    rule: w.rule.name.clone(),
                    suggestion,
                },
                w.rule.span,
            );
            return None;
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut strings: HashMap<&str, String> = HashMap::new();
        let mut expires = None;
        for s in &w.settings {
            let name = s.name.name.as_str();
            if !WAIVER_SETTINGS.contains(&name) {
                let suggestion = closest(name, WAIVER_SETTINGS.iter().copied()).map(str::to_string);
                self.error(
                    ErrorKind::UnknownSetting {
                        name: name.to_string(),
                        allowed: WAIVER_SETTINGS.iter().map(|a| format!("`{a}`")).collect(),
                        suggestion,
                    },
                    s.name.span,
                );
                continue;
            }
            if let Some(first) = seen.insert(name, s.span) {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: "waiver setting".into(),
                        name: name.to_string(),
                    },
                    s.name.span,
                )
                .with_label(first, "first set here");
                self.errors.push(err);
                continue;
            }
            match (name, &s.value) {
                ("expires", SettingValue::Time(t, _)) => expires = Some(*t),
                (_, SettingValue::Strings(v)) if name != "expires" && v.len() == 1 => {
                    if let Some(v) = v.first() {
                        strings.insert(name, v.value.clone());
                    }
                }
                _ => {
                    let expected = if name == "expires" {
                        "a timestamp, e.g. `2026-06-30T00:00:00Z`"
                    } else {
                        "a string"
                    };
                    self.error(
                        ErrorKind::InvalidSettingValue {
                            setting: name.to_string(),
                            expected: expected.into(),
                            suggestion: None,
                        },
                        s.span,
                    );
                    return None;
                }
            }
        }
        let mut take = |this: &mut Self, key: &str| match strings.remove(key) {
            Some(v) if !v.trim().is_empty() => Some(v),
            _ => {
                this.error(
                    ErrorKind::MissingSetting {
                        setting: key.to_string(),
                        what: format!("the waiver of `{}`", w.rule.name),
                    },
                    w.rule.span,
                );
                None
            }
        };
        let approved_by = take(self, "approved_by");
        let ticket = take(self, "ticket");
        let reason = take(self, "reason");
        if expires.is_none() {
            self.error(
                ErrorKind::MissingSetting {
                    setting: "expires".into(),
                    what: format!("the waiver of `{}`", w.rule.name),
                },
                w.rule.span,
            );
        }
        Some(crate::ir::Waiver {
            rule: w.rule.name.clone(),
            element: strings.remove("element"),
            approved_by: approved_by?,
            ticket: ticket?,
            reason: reason?,
            expires: expires?,
            span: w.span,
        })
    }

    fn check_settings(&mut self, settings: &[ast::Setting], allowed: &[&str], what: &str) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for s in settings {
            let name = s.name.name.as_str();
            if !allowed.contains(&name) {
                let suggestion = closest(name, allowed.iter().copied()).map(str::to_string);
                self.error(
                    ErrorKind::UnknownSetting {
                        name: name.to_string(),
                        allowed: allowed.iter().map(|a| format!("`{a}`")).collect(),
                        suggestion,
                    },
                    s.name.span,
                );
                continue;
            }
            if let Some(first) = seen.insert(name, s.span) {
                let err = Error::new(
                    ErrorKind::Duplicate {
                        what: format!("{what} setting"),
                        name: name.to_string(),
                    },
                    s.name.span,
                )
                .with_label(first, "first set here");
                self.errors.push(err);
                continue;
            }
            let ok = match (name, &s.value) {
                ("severity", v) => matches!(v, SettingValue::Name(_)),
                ("if_no_rule_applies", SettingValue::Name(n)) => {
                    matches!(n.name.as_str(), "pass" | "error")
                }
                ("controls", v) => matches!(v, SettingValue::Strings(_)),
                (_, SettingValue::Strings(v)) => v.len() == 1,
                _ => false,
            };
            if !ok {
                let expected = match name {
                    "severity" => "`block`, `warn` or `info`",
                    "if_no_rule_applies" => "`pass` or `error`",
                    "controls" => "one or more strings, e.g. `\"NIST-CSF-2.0:PR.AA-05\"`",
                    _ => "a string",
                };
                self.error(
                    ErrorKind::InvalidSettingValue {
                        setting: name.to_string(),
                        expected: expected.into(),
                        suggestion: None,
                    },
                    s.span,
                );
            }
        }
    }

    fn rule(&mut self, m: usize, rule: &ast::RuleDecl) -> Option<Rule> {
        let settings: Vec<ast::Setting> = rule
            .body
            .iter()
            .filter_map(|s| match s {
                RuleStmt::Setting(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        self.check_settings(&settings, RULE_SETTINGS, "rule");
        let mut out = Rule {
            id: rule.id.name.clone(),
            title: rule.title.as_ref().map(|t| t.value.clone()),
            description: None,
            severity: RuleSeverity::Block,
            controls: Vec::new(),
            steps: Vec::new(),
            frame_size: 0,
            span: rule.span,
        };
        for s in &settings {
            match (s.name.name.as_str(), &s.value) {
                ("title", SettingValue::Strings(v)) => {
                    if out.title.is_some() {
                        self.error(
                            ErrorKind::Duplicate {
                                what: "rule setting".into(),
                                name: "title".into(),
                            },
                            s.name.span,
                        );
                    }
                    out.title = v.first().map(|t| t.value.clone());
                }
                ("description", SettingValue::Strings(v)) => {
                    out.description = v.first().map(|t| t.value.clone())
                }
                ("controls", SettingValue::Strings(v)) => {
                    out.controls = v.iter().map(|c| c.value.clone()).collect()
                }
                ("severity", SettingValue::Name(n)) => match n.name.as_str() {
                    "block" => out.severity = RuleSeverity::Block,
                    "warn" => out.severity = RuleSeverity::Warn,
                    "info" => out.severity = RuleSeverity::Info,
                    other => {
                        let suggestion =
                            closest(other, ["block", "warn", "info"]).map(|s| format!("`{s}`"));
                        self.error(
                            ErrorKind::InvalidSettingValue {
                                setting: "severity".into(),
                                expected: "`block`, `warn` or `info`".into(),
                                suggestion,
                            },
                            n.span,
                        );
                    }
                },
                _ => {}
            }
        }
        let allow_evidence = self.modules.at(m).is_gate;
        self.ctx.push(Ctx::new(m, allow_evidence));
        let mut has_require = false;
        for stmt in &rule.body {
            match stmt {
                RuleStmt::Setting(_) | RuleStmt::Error(_) => {}
                RuleStmt::When(e, _) => {
                    let id = self.predicate(e, "`when` takes a predicate");
                    self.assume(id);
                    out.steps.push(Step::When(id));
                }
                RuleStmt::Let(l) => {
                    let declared = l.ty.as_ref().map(|t| self.resolve_type(m, t, &l.name.name));
                    let id = self.expr(&l.value, declared.as_ref());
                    if let Some(ty) = &declared {
                        self.expect_type(
                            id,
                            ty,
                            &format!("`{}` is declared as this type", l.name.name),
                        );
                    }
                    let ty = declared.unwrap_or_else(|| self.ty(id).clone());
                    let clash = self.ctx.last().is_some_and(|c| {
                        c.bindings
                            .iter()
                            .any(|b| b.name.as_deref() == Some(l.name.name.as_str()))
                    });
                    if clash {
                        self.error(
                            ErrorKind::Duplicate {
                                what: "let".into(),
                                name: l.name.name.clone(),
                            },
                            l.name.span,
                        );
                    }
                    if !clash {
                        self.note_shadowing(&l.name.name, l.name.span);
                    }
                    let slot = self
                        .cur()
                        .map(|c| c.bind_var(&l.name.name, ty, l.name.span))
                        .unwrap_or(0);
                    out.steps.push(Step::Let { slot, expr: id });
                }
                RuleStmt::Require(req) => {
                    has_require = true;
                    let r = self.requirement(req);
                    out.steps.push(Step::Require(r));
                }
            }
        }
        let ctx = self.ctx.pop();
        out.frame_size = ctx.map(|c| c.max_slot).unwrap_or(0);
        let had_syntax_error = rule.body.iter().any(|s| matches!(s, RuleStmt::Error(_)));
        if !has_require && !had_syntax_error {
            self.error(
                ErrorKind::RuleWithoutRequire {
                    rule: rule.id.name.clone(),
                },
                rule.id.span,
            );
        }
        Some(out)
    }

    fn requirement(&mut self, req: &ast::Require) -> Requirement {
        if let Some(c) = self.cur() {
            c.next_scope = 1;
            c.scopes.clear();
        }
        let outer: Vec<Binding> = self
            .ctx
            .last()
            .map(|c| c.bindings.clone())
            .unwrap_or_default();
        let expr = self.predicate(&req.expr, "`require` takes a predicate");
        let message = req.message.as_ref().map(|t| self.template(t, outer));
        Requirement {
            expr,
            message,
            span: req.span,
        }
    }

    /// The `present(…)` nodes that are the whole of predicate `id`, or one
    /// of its top-level `and` items.
    fn top_presents(&self, id: crate::ir::ExprId) -> Vec<crate::ir::ExprId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            match self.nodes.get(id.0 as usize).map(|n| &n.ir) {
                Some(crate::ir::Ir::And(items)) => stack.extend(items.iter().map(|(i, _)| *i)),
                Some(crate::ir::Ir::Present { .. }) => out.push(id),
                _ => {}
            }
        }
        out
    }

    /// Decides which `present(…)` may be false for a missing required field
    /// (see [`crate::ir::Ir::Present`]): those that a `block` rule without
    /// `when` requires at the top of a `require` — their absence fails that
    /// rule, so the decision cannot pass — and every other `present` whose
    /// places are all among the places those require.
    fn settle_presence(&mut self) {
        use super::scope::PlaceBase;
        let mut required: std::collections::HashSet<Vec<u32>> = std::collections::HashSet::new();
        let mut lenient = Vec::new();
        for rule in &self.rules {
            if rule.severity != crate::ir::RuleSeverity::Block
                || rule
                    .steps
                    .iter()
                    .any(|s| matches!(s, crate::ir::Step::When(_)))
            {
                continue;
            }
            for step in &rule.steps {
                let crate::ir::Step::Require(req) = step else {
                    continue;
                };
                for p in self.top_presents(req.expr) {
                    lenient.push(p);
                    if let Some(crate::ir::Ir::Present { args, .. }) =
                        self.nodes.get(p.0 as usize).map(|n| &n.ir)
                    {
                        for a in args {
                            if let Some((PlaceBase::Root, fields)) =
                                super::scope::place_of(&self.nodes, *a)
                            {
                                required.insert(fields);
                            }
                        }
                    }
                }
            }
        }
        for (i, node) in self.nodes.iter().enumerate() {
            if let crate::ir::Ir::Present { args, .. } = &node.ir {
                let covered = args.iter().all(|a| {
                    matches!(super::scope::place_of(&self.nodes, *a),
                        Some((PlaceBase::Root, fields)) if required.contains(&fields))
                });
                if covered {
                    lenient.push(crate::ir::ExprId(u32::try_from(i).unwrap_or(u32::MAX)));
                }
            }
        }
        for id in lenient {
            if let Some(crate::ir::Ir::Present { lenient, .. }) =
                self.nodes.get_mut(id.0 as usize).map(|n| &mut n.ir)
            {
                *lenient = true;
            }
        }
    }

    /// Compiles a template in every scope of the requirement where all its
    /// holes resolve; reports holes that resolve nowhere.
    ///
    /// Holes are tried without "did you mean" suggestions; only when one
    /// resolves nowhere is the template checked again with them, for the
    /// errors it reports.
    fn template(&mut self, t: &ast::Template, outer: Vec<Binding>) -> Message {
        if self.quiet_suggestions {
            return self.template_once(t, outer).0;
        }
        self.quiet_suggestions = true;
        let (errors_before, warnings_before) = (self.errors.len(), self.warnings.len());
        let (message, unresolved) = self.template_once(t, outer.clone());
        self.quiet_suggestions = false;
        if !unresolved {
            return message;
        }
        self.errors.truncate(errors_before);
        self.warnings.truncate(warnings_before);
        self.template_once(t, outer).0
    }

    /// [`Checker::template`] once; also says whether a hole resolved nowhere.
    fn template_once(&mut self, t: &ast::Template, outer: Vec<Binding>) -> (Message, bool) {
        let text = self.text(t.span);
        let holes: Vec<&ast::Expr> = t
            .parts
            .iter()
            .filter_map(|p| match p {
                TemplatePart::Hole(e) => Some(e),
                TemplatePart::Text(_) => None,
            })
            .collect();
        let mut scopes: Vec<(ScopeId, Vec<Binding>)> = vec![(ScopeId(0), outer)];
        if let Some(c) = self.ctx.last() {
            scopes.extend(c.scopes.iter().cloned());
        }
        let mut variants = Vec::new();
        let mut resolved_somewhere = vec![false; holes.len()];
        let mut first_errors: Vec<Vec<Error>> = vec![Vec::new(); holes.len()];
        for (scope, bindings) in scopes {
            let saved = self
                .ctx
                .last()
                .map(|c| (c.bindings.clone(), c.next_slot, c.facts.clone()));
            if let Some(c) = self.cur() {
                c.next_slot = c.max_slot;
                c.bindings = bindings;
                c.facts.clear();
            }
            let mut parts = Vec::new();
            let mut all_ok = true;
            for (i, part) in t.parts.iter().enumerate() {
                match part {
                    TemplatePart::Text(s) => parts.push(MessagePart::Text(s.clone())),
                    TemplatePart::Hole(e) => {
                        let errors_before = self.errors.len();
                        let id = self.expr(e, None);
                        let hole_index =
                            holes.iter().position(|h| std::ptr::eq(*h, e)).unwrap_or(i);
                        if self.errors.len() > errors_before {
                            let errs: Vec<Error> = self.errors.drain(errors_before..).collect();
                            if let Some(slot) = first_errors.get_mut(hole_index) {
                                // Keep the most telling errors: those of a scope where
                                // the names resolved but something else is wrong.
                                let names_only = |v: &[Error]| {
                                    v.iter()
                                        .all(|e| matches!(*e.kind, ErrorKind::UnknownName { .. }))
                                };
                                // Among unknown names, those with a "did you
                                // mean" (a typo of an element's field).
                                let helps = |v: &[Error]| v.iter().any(|e| e.kind.help().is_some());
                                if slot.is_empty()
                                    || (names_only(slot) && !names_only(&errs))
                                    || (names_only(slot)
                                        && names_only(&errs)
                                        && !helps(slot)
                                        && helps(&errs))
                                {
                                    *slot = errs;
                                }
                            }
                            all_ok = false;
                        } else {
                            if let Some(r) = resolved_somewhere.get_mut(hole_index) {
                                *r = true;
                            }
                            parts.push(MessagePart::Hole(id));
                        }
                    }
                }
            }
            if let (Some(c), Some((b, n, f))) = (self.cur(), saved) {
                c.bindings = b;
                c.next_slot = n;
                c.facts = f;
            }
            if all_ok {
                variants.push((scope, parts));
            }
        }
        let unresolved = resolved_somewhere.iter().any(|ok| !ok);
        for (i, ok) in resolved_somewhere.iter().enumerate() {
            if !ok {
                if let Some(h) = holes.get(i) {
                    let errs = first_errors.get(i).cloned().unwrap_or_default();
                    let names_resolved = !errs.is_empty()
                        && errs
                            .iter()
                            .all(|e| !matches!(*e.kind, ErrorKind::UnknownName { .. }));
                    if names_resolved {
                        // The hole names things that exist; report what is wrong with it.
                        self.errors.extend(errs);
                        continue;
                    }
                    let hole = self.text(h.span);
                    let mut err = Error::new(ErrorKind::UnresolvedHole { hole }, h.span);
                    if let Some(first) = first_errors.get(i).and_then(|v| v.first()) {
                        if let Some(help) = first.kind.help() {
                            err = err.with_note(format!("{}: {help}", first));
                        } else {
                            err = err.with_note(first.to_string());
                        }
                    }
                    self.errors.push(err);
                }
            }
        }
        (Message { variants, text }, unresolved)
    }
}
