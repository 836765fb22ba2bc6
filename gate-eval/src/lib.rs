//! The gate evaluator: runs a compiled gate over evidence and returns a
//! [`Decision`] with an explanation for every failing predicate, ready to be
//! kept as an audit record.
//!
//! Compile once, evaluate many: a [`Policy`] is cheap to clone, `Send` and
//! `Sync`, and can be evaluated from many threads at once.
//!
//! ```
//! use gate_eval::{Evidence, Options, Policy};
//!
//! let policy = Policy::from_source("demo.gate", r#"
//!     gate demo { title "Demo" }
//!     record Secret { name: string, vaulted: bool, key name }
//!     evidence { secrets: [Secret] }
//!     rule vaulted {
//!         require secrets.all(vaulted) else "secret {name} is not in a vault"
//!     }
//! "#).unwrap();
//! let evidence = Evidence::from_json_str("release.json", r#"
//!     {"secrets": [{"name": "A", "vaulted": true}, {"name": "B", "vaulted": false}]}
//! "#).unwrap();
//! let decision = policy.evaluate(&evidence, &Options::default());
//! assert_eq!(decision.outcome.as_str(), "fail");
//! let failure = &decision.rules[0].failures[0];
//! assert_eq!(failure.path.as_deref(), Some("/secrets/1/vaulted"));
//! assert_eq!(failure.message, "secret B is not in a vault");
//! ```

pub mod attest;
pub mod bundle;
mod code;
pub mod coverage;
pub mod decision;
mod document;
pub mod error;
mod eval;
mod evidence;
pub mod explain;
pub mod host;
pub mod load;
pub mod redact;
pub mod sign;
mod value;
pub mod verify;
pub mod waiver;

pub use code::Code;
pub use coverage::{Coverage, CoverageSummary, PointCoverage, PointKind, RuleCoverage};
pub use decision::{Decision, Outcome, RuleOutcome, RuleResult};
pub use document::{sha256_hex, Evidence, EvidenceBuilder};
pub use error::Error;
pub use eval::Limits;
pub use evidence::{Issue, IssueKind};
pub use gate_lang::ir::RuleSeverity;
pub use gate_lang::span::Location;
/// One diagnostic of the compiler (an error or a warning): its stable
/// code (`code()`), message, span and help. A [`CompileError`] holds them,
/// and [`Policy::warnings`] lists the warnings of a policy that compiled.
pub use gate_lang::Error as Diagnostic;
pub use gate_lang::{CompileError, SourceMap};
/// How policies and their imports are read ([`PolicyBuilder::compile_file_in`]):
/// the real file system, files held in memory, or your own.
pub use gate_lang::{FileSystem, MemFs, RealFs};

/// Timestamps and durations: RFC 3339 parsing and display, in nanoseconds.
pub mod time {
    pub use gate_lang::time::{format_duration, format_timestamp, parse_timestamp};

    /// An instant in nanoseconds since the Unix epoch as a
    /// [`jiff::Timestamp`], saturating at jiff's range (years -9999 to
    /// 9999), beyond which no clock or document of gate's reaches.
    ///
    /// ```
    /// let t = gate_eval::time::parse_timestamp("2026-05-04T09:00:00Z").unwrap();
    /// assert_eq!(gate_eval::time::timestamp(t).to_string(), "2026-05-04T09:00:00Z");
    /// ```
    pub fn timestamp(nanos: i128) -> jiff::Timestamp {
        jiff::Timestamp::from_nanosecond(nanos).unwrap_or(if nanos < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }
}
pub use host::{HostType, HostValue};
/// The time library of gate's public API ([`jiff::Timestamp`] for
/// instants, [`jiff::SignedDuration`] for durations), re-exported so that
/// an embedding program uses the same version without depending on it.
pub use jiff;
pub use load::{Format, LoadLimits};
pub use waiver::Waiver;

use gate_lang::ir::Program;
use host::HostFunction;
use std::path::Path;
use std::sync::Arc;

/// A compiled gate, ready to evaluate any number of evidence documents.
#[derive(Clone, Debug)]
pub struct Policy {
    program: Arc<Program>,
    host: Arc<Vec<HostFunction>>,
    /// The schema's record fields, laid out for typing evidence.
    plan: Arc<evidence::Plan>,
    /// The policy's digest, computed the first time it is needed.
    digest: Arc<std::sync::OnceLock<decision::PolicyMeta>>,
    /// The bundle it was compiled from, if any.
    pub(crate) bundle: Option<Arc<decision::BundleMeta>>,
}

/// What a rule is, for listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// `block`, `warn` or `info`.
    pub severity: RuleSeverity,
    /// Its control references.
    pub controls: Vec<String>,
}

/// How to evaluate. Start from [`Options::default`] and set what you need:
///
/// ```
/// use gate_eval::{Limits, Options, Waiver};
/// use std::time::Duration;
/// let at: gate_eval::jiff::Timestamp = "2026-05-04T09:00:00Z".parse().unwrap();
/// let options = Options::default()
///     .at(at)
///     .limits(Limits::default().deadline(Duration::from_secs(5)))
///     .waiver(Waiver::new("S02", "u-1", "SEC-1", "migration", at + gate_eval::jiff::SignedDuration::from_hours(24)));
/// assert_eq!(options.now, Some(at));
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The clock: when the decision is made (`now()` in policies, waiver
    /// expiry and the record's time, all the same instant). `None` reads
    /// the system clock once, when the evaluation starts.
    pub now: Option<jiff::Timestamp>,
    /// Step budget, deadline and how many failures to keep.
    pub limits: Limits,
    /// Waivers besides those written in the policy.
    pub waivers: Vec<Waiver>,
    /// Accept the YAML 1.1 boolean words (`yes`, `no`, `on`, `off`, `y`, `n`)
    /// in YAML evidence where the schema expects a `bool`.
    pub yaml_bool_words: bool,
    /// A value for the host functions registered with
    /// [`PolicyBuilder::host_function_with_context`], for this evaluation.
    pub context: Option<Arc<host::Context>>,
}

impl Options {
    /// Decides at `now` instead of the system clock (to replay a decision,
    /// or to test one).
    pub fn at(mut self, now: jiff::Timestamp) -> Self {
        self.now = Some(now);
        self
    }

    /// Sets the step budget, deadline and failures kept.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Adds a waiver (besides those written in the policy).
    pub fn waiver(mut self, waiver: Waiver) -> Self {
        self.waivers.push(waiver);
        self
    }

    /// Adds waivers.
    pub fn waivers(mut self, waivers: impl IntoIterator<Item = Waiver>) -> Self {
        self.waivers.extend(waivers);
        self
    }

    /// Reads the YAML 1.1 boolean words as booleans where the schema wants
    /// a `bool`.
    pub fn yaml_bool_words(mut self, on: bool) -> Self {
        self.yaml_bool_words = on;
        self
    }

    /// Passes `context` to the host functions registered with
    /// [`PolicyBuilder::host_function_with_context`].
    pub fn context(mut self, context: Arc<host::Context>) -> Self {
        self.context = Some(context);
        self
    }

    /// The clock of an evaluation, in nanoseconds.
    fn clock(&self) -> i128 {
        self.now
            .map(jiff::Timestamp::as_nanosecond)
            .unwrap_or_else(gate_lang::time::now)
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("now", &self.now)
            .field("limits", &self.limits)
            .field("waivers", &self.waivers)
            .field("yaml_bool_words", &self.yaml_bool_words)
            .field("context", &self.context.as_ref().map(|_| ".."))
            .finish()
    }
}

impl Policy {
    /// Compiles the gate at `path` and its imports.
    pub fn from_file(path: &Path) -> Result<Policy, CompileError> {
        let program = gate_lang::compile_file(path)?;
        Ok(PolicyBuilder::default().finish(program))
    }

    /// Compiles a gate given as text.
    pub fn from_source(name: &str, text: &str) -> Result<Policy, CompileError> {
        let program = gate_lang::compile_source(name, text)?;
        Ok(PolicyBuilder::default().finish(program))
    }

    /// A builder, to register host functions or set limits first.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// The gate's name.
    pub fn name(&self) -> &str {
        &self.program.gate.name
    }

    /// The gate's rules, in source order.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.program
            .rules
            .iter()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                controls: r.controls.clone(),
            })
            .collect()
    }

    /// The policy's sources, for rendering source locations.
    pub fn sources(&self) -> &SourceMap {
        &self.program.sources
    }

    /// Warnings found while compiling.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.program.warnings
    }

    /// The digest of the policy: of every source, in load order.
    pub fn digest(&self) -> decision::PolicyMeta {
        self.digest.get_or_init(|| self.compute_digest()).clone()
    }

    fn compute_digest(&self) -> decision::PolicyMeta {
        let mut meta = decision::PolicyMeta::of_sources(
            self.program
                .sources
                .files()
                .map(|(_, f)| (f.record_name.as_str(), f.text.as_bytes())),
        );
        meta.bundle = self.bundle.as_deref().cloned();
        meta
    }

    /// Checks waivers against the gate and the evidence: every rule they
    /// name must exist, and an element named by JSON pointer must be in the
    /// evidence.
    pub fn validate_waivers(&self, waivers: &[Waiver], evidence: &Evidence) -> Result<(), Error> {
        let ids = self.program.rules.iter().map(|r| r.id.as_str());
        // Only waivers naming an element by JSON pointer read the evidence:
        // do not make its JSON value for the others.
        let reads = waivers
            .iter()
            .any(|w| w.element.as_deref().is_some_and(|e| e.starts_with('/')));
        let none = serde_json::Value::Null;
        waiver::validate(waivers, ids, if reads { evidence.as_json() } else { &none })
    }

    /// A builder for evidence this policy evaluates: a single JSON document
    /// added to it is read straight into the form the policy evaluates,
    /// typed by its schema, skipping (but still checking) what the schema
    /// does not declare (see [`EvidenceBuilder`]).
    ///
    /// ```
    /// use gate_eval::{Format, Options, Policy};
    /// let policy = Policy::from_source("g.gate", r#"
    ///     gate g {}
    ///     record Secret { name: string, vaulted: bool }
    ///     evidence { secrets: [Secret] }
    ///     rule vaulted { require secrets.all(vaulted) }
    /// "#).unwrap();
    /// let mut b = policy.evidence_builder();
    /// b.add_bytes(None, "e.json", Format::Json,
    ///     br#"{"secrets": [{"name": "db", "vaulted": false, "owner": "x"}], "other": {}}"#).unwrap();
    /// let evidence = b.build().unwrap();
    /// let decision = policy.evaluate(&evidence, &Options::default());
    /// assert_eq!(decision.outcome.as_str(), "fail");
    /// ```
    pub fn evidence_builder(&self) -> EvidenceBuilder {
        EvidenceBuilder::for_policy(self)
    }

    /// Evaluates the gate over evidence.
    pub fn evaluate(&self, evidence: &Evidence, options: &Options) -> Decision {
        self.evaluate_inner(evidence, options, None)
    }

    /// An empty coverage record for this policy, to pass to
    /// [`Policy::evaluate_with_coverage`] (see [`coverage`] for what is
    /// counted).
    ///
    /// ```
    /// let policy = gate_eval::Policy::from_source("g.gate",
    ///     "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n").unwrap();
    /// let coverage = policy.coverage();
    /// assert_eq!(coverage.evaluations(), 0);
    /// assert_eq!(coverage.summary().requires, 1);
    /// ```
    pub fn coverage(&self) -> Coverage {
        Coverage::new(self.program.clone(), self.digest().digest)
    }

    /// Evaluates the gate like [`Policy::evaluate`] and records in
    /// `coverage` which rules, `require` lines and conditions the evaluation
    /// exercised. A `coverage` made for another policy (other sources) is
    /// first replaced by an empty record for this one.
    ///
    /// ```
    /// use gate_eval::{Evidence, Options, Policy};
    /// let policy = Policy::from_source("g.gate", r#"
    ///     gate g {}
    ///     evidence { vaulted: bool, rotated: bool }
    ///     rule r { require vaulted or rotated }
    /// "#).unwrap();
    /// let mut coverage = policy.coverage();
    /// for json in [r#"{"vaulted": true, "rotated": false}"#, r#"{"vaulted": false, "rotated": false}"#] {
    ///     let evidence = Evidence::from_json_str("e.json", json).unwrap();
    ///     policy.evaluate_with_coverage(&evidence, &Options::default(), &mut coverage);
    /// }
    /// let s = coverage.summary();
    /// assert_eq!((s.rules_fully_covered, s.requires_covered), (1, 1));
    /// // `rotated` was never true.
    /// assert_eq!((s.branches, s.branches_covered), (2, 1));
    /// ```
    pub fn evaluate_with_coverage(
        &self,
        evidence: &Evidence,
        options: &Options,
        coverage: &mut Coverage,
    ) -> Decision {
        let digest = self.digest().digest;
        if !coverage.fits(&self.program, &digest) {
            *coverage = Coverage::new(self.program.clone(), digest);
        }
        let decision = self.evaluate_inner(evidence, options, Some(&mut coverage.hits));
        coverage.record_decision(&decision);
        decision
    }

    fn evaluate_inner(
        &self,
        evidence: &Evidence,
        options: &Options,
        mut hits: Option<&mut Vec<u8>>,
    ) -> Decision {
        let prog: &Program = &self.program;
        let typed = self.typed(evidence, options);
        // One instant for the whole evaluation: `now()` in every rule, waiver
        // expiry and the record's `evaluated_at`.
        let now = options.clock();
        let mut ev = self.evaluator(&typed, options, now);
        if let Some(h) = hits.as_deref_mut() {
            ev.cov = Some(std::mem::take(h));
        }
        ev.run_globals();
        let mut rules: Vec<RuleResult> = prog.rules.iter().map(|r| ev.run_rule(r)).collect();
        if !evidence.element_sources.is_empty() {
            for failure in rules.iter_mut().flat_map(|r| r.failures.iter_mut()) {
                if let Some(element) = failure.element.as_mut() {
                    element.source = element
                        .path
                        .as_deref()
                        .and_then(|p| evidence.element_source(p))
                        .map(str::to_string);
                }
            }
        }
        if let (Some(h), Some(collected)) = (hits, ev.cov.take()) {
            *h = collected;
        }
        let mut decision = Decision {
            record_version: decision::RECORD_VERSION.to_string(),
            engine: decision::Engine::this(),
            evaluated_at: gate_lang::time::format_timestamp(now),
            gate: decision::GateMeta {
                name: prog.gate.name.clone(),
                title: prog.gate.title.clone(),
                stage: prog.gate.stage.clone(),
                version: prog.gate.version.clone(),
                pass_if_no_rule_applies: prog.gate.pass_if_no_rule_applies,
            },
            policy: self.digest(),
            evidence: evidence.documents.clone(),
            outcome: Outcome::Pass,
            counts: decision::Counts::default(),
            rules,
            waivers: Vec::new(),
            evidence_issues: typed.issues.clone(),
            warnings: Vec::new(),
            errors: Vec::new(),
        };
        let mut waivers: Vec<Waiver> = prog
            .waivers
            .iter()
            .map(|w| Waiver {
                rule: w.rule.clone(),
                element: w.element.clone(),
                approved_by: w.approved_by.clone(),
                ticket: w.ticket.clone(),
                reason: w.reason.clone(),
                expires: time::timestamp(w.expires),
                source: "policy".into(),
            })
            .collect();
        // Waivers given by the caller are checked here, not only by a
        // `validate_waivers` the caller must remember: one for a rule the
        // gate does not have, or for an element the evidence does not hold,
        // makes the decision an error, as `gate check` reports it.
        for w in &options.waivers {
            if let Err(e) = self.validate_waivers(std::slice::from_ref(w), evidence) {
                decision.errors.push(decision::DecisionError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                });
            }
        }
        waivers.extend(options.waivers.iter().cloned());
        waiver::apply(&mut decision, &waivers, now);
        redact::mask_decision(
            &mut decision,
            &redact::secret_values(prog, &self.plan, &typed.root),
        );
        decision
    }

    /// Evaluates the top-level `let` called `name` over evidence and returns
    /// its value as JSON (redacted like explanations), or the error that
    /// evaluating it met; `None` when there is no such `let`. For tools
    /// that show values, such as `gate repl`.
    ///
    /// ```
    /// use gate_eval::{Evidence, Options, Policy};
    /// let policy = Policy::from_source("g.gate", r#"
    ///     gate g {}
    ///     evidence { secrets: [{ name: string, vaulted: bool }] }
    ///     let unvaulted = secrets.filter(not vaulted).map(name)
    ///     rule r { require unvaulted.is_empty() }
    /// "#).unwrap();
    /// let evidence = Evidence::from_json_str("e",
    ///     r#"{"secrets": [{"name": "db", "vaulted": false}]}"#).unwrap();
    /// let value = policy.evaluate_let("unvaulted", &evidence, &Options::default());
    /// assert_eq!(value.unwrap().unwrap(), serde_json::json!(["db"]));
    /// ```
    pub fn evaluate_let(
        &self,
        name: &str,
        evidence: &Evidence,
        options: &Options,
    ) -> Option<Result<serde_json::Value, Box<explain::EvalError>>> {
        let prog: &Program = &self.program;
        let index = prog.globals.iter().position(|g| g.name == name)?;
        let typed = self.typed(evidence, options);
        let now = options.clock();
        let mut ev = self.evaluator(&typed, options, now);
        ev.run_globals();
        let secrets = redact::secret_values(prog, &self.plan, &typed.root);
        ev.global_value(index).map(|r| {
            r.map(|mut v| {
                redact::mask_json(&mut v, &secrets);
                v
            })
            .map_err(|mut e| {
                redact::mask_text(&mut e.message, &secrets);
                if let Some(p) = e.path.as_mut() {
                    redact::mask_text(p, &secrets);
                }
                e
            })
        })
    }

    /// An evaluator of this policy over typed evidence, at the instant `now`.
    fn evaluator<'a>(
        &'a self,
        typed: &'a evidence::TypedEvidence,
        options: &'a Options,
        now: i128,
    ) -> eval::Eval<'a> {
        eval::Eval::new(
            &self.program,
            &self.plan,
            &typed.root,
            &typed.issues,
            options,
            &self.host,
            now,
        )
    }

    /// The evidence typed by the policy's schema: as typed when it was read
    /// for this policy, else typed now from its JSON value.
    fn typed<'e>(
        &self,
        evidence: &'e Evidence,
        options: &Options,
    ) -> std::borrow::Cow<'e, evidence::TypedEvidence> {
        if let Some(typed) = evidence.typed_for(&self.program) {
            return std::borrow::Cow::Borrowed(typed);
        }
        let typing = evidence::TypingOptions {
            yaml_bool_words: options.yaml_bool_words,
            bool_words: Some(&evidence.bool_words),
            key_sources: Some(&evidence.key_sources),
            element_sources: Some(&evidence.element_sources),
            default_source: evidence.default_source.as_deref(),
            unverified: Some(&evidence.unverified),
        };
        std::borrow::Cow::Owned(evidence::type_evidence_with(
            &self.program.schema,
            &self.plan,
            evidence.as_json(),
            &typing,
        ))
    }

    /// The compiled program: rules, schema, sources — for gate's own
    /// tools (the REPL, the linter). Not part of the stable API: the IR
    /// changes between releases.
    #[doc(hidden)]
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Evaluates the gate over one JSON document, with default options.
    pub fn evaluate_json(&self, value: &serde_json::Value) -> Decision {
        match Evidence::from_value("evidence", value.clone()) {
            Ok(e) => self.evaluate(&e, &Options::default()),
            Err(_) => {
                // Over the depth or size limit: evaluate nothing, fail closed.
                let empty = Evidence::from_value("evidence", serde_json::Value::Null)
                    .unwrap_or_else(|_| Evidence::from_parts(serde_json::Value::Null, Vec::new()));
                self.evaluate(&empty, &Options::default())
            }
        }
    }
}

/// Builds a [`Policy`]: host functions and limits first, then compile.
#[derive(Default)]
pub struct PolicyBuilder {
    host: Vec<HostFunction>,
    load: gate_lang::LoadOptions,
    errors: Vec<Error>,
}

impl PolicyBuilder {
    /// Registers a function policies may call, with its signature.
    ///
    /// It is called at most once per distinct list of arguments in one
    /// evaluation (its answers are kept for the rest of that evaluation,
    /// explanations included), and at least once for each such list that a
    /// rule needs. An error it returns, a value of the wrong type, or a
    /// panic (caught, and not printed) makes the rule that called it an
    /// error (E0608): it never passes. A name that is a built-in's or a
    /// standard module function's, or that is registered twice, is refused
    /// when the policy is compiled (E0804): a host function cannot change
    /// what a policy's built-ins mean.
    ///
    /// ```
    /// use gate_eval::{Evidence, HostType, HostValue, Options, Policy};
    /// let policy = Policy::builder()
    ///     .host_function("approved_vendor", &[HostType::String], HostType::Bool, |args| {
    ///         match args {
    ///             [HostValue::String(v)] => Ok(HostValue::Bool(v == "acme")),
    ///             _ => Err("expected one string".into()),
    ///         }
    ///     })
    ///     .compile_source("v.gate", r#"
    ///         gate vendors {}
    ///         evidence { vendor: string }
    ///         rule approved { require approved_vendor(vendor) }
    ///     "#)
    ///     .unwrap();
    /// let d = policy.evaluate(&Evidence::from_json_str("e", r#"{"vendor": "acme"}"#).unwrap(), &Options::default());
    /// assert!(d.permits());
    ///
    /// // `days` is a built-in: it cannot be replaced.
    /// let refused = Policy::builder()
    ///     .host_function("days", &[HostType::Duration], HostType::Int, |_| Ok(HostValue::Int(0)))
    ///     .compile_source("v.gate", "gate g {}\nrule r { require true }\n");
    /// assert_eq!(refused.unwrap_err().code(), "E0804");
    /// ```
    pub fn host_function<F>(self, name: &str, params: &[HostType], ret: HostType, body: F) -> Self
    where
        F: Fn(&[HostValue]) -> Result<HostValue, host::HostError> + Send + Sync + 'static,
    {
        self.register(name, params, ret, Arc::new(move |args, _| body(args)))
    }

    /// Registers a function policies may call, like
    /// [`PolicyBuilder::host_function`], that also receives the context the
    /// caller passed to this evaluation ([`Options::context`]).
    ///
    /// ```
    /// use gate_eval::{Evidence, HostType, HostValue, Options, Policy};
    /// use std::sync::Arc;
    /// struct Tenant { allowed: Vec<String> }
    /// let policy = Policy::builder()
    ///     .host_function_with_context("tenant_allows", &[HostType::String], HostType::Bool,
    ///         |args, context| {
    ///             let tenant = context
    ///                 .and_then(|c| c.downcast_ref::<Tenant>())
    ///                 .ok_or("no tenant given")?;
    ///             match args {
    ///                 [HostValue::String(r)] => Ok(HostValue::Bool(tenant.allowed.contains(r))),
    ///                 _ => Err("expected one string".into()),
    ///             }
    ///         })
    ///     .compile_source("t.gate", r#"
    ///         gate t {}
    ///         evidence { registry: string }
    ///         rule r { require tenant_allows(registry) }
    ///     "#)
    ///     .unwrap();
    /// let evidence = Evidence::from_json_str("e", r#"{"registry": "ghcr.io"}"#).unwrap();
    /// let options = Options::default().context(Arc::new(Tenant { allowed: vec!["ghcr.io".into()] }));
    /// assert!(policy.evaluate(&evidence, &options).permits());
    /// // Without the context the function fails, and so does the rule.
    /// assert!(!policy.evaluate(&evidence, &Options::default()).permits());
    /// ```
    pub fn host_function_with_context<F>(
        self,
        name: &str,
        params: &[HostType],
        ret: HostType,
        body: F,
    ) -> Self
    where
        F: Fn(&[HostValue], Option<&host::Context>) -> Result<HostValue, host::HostError>
            + Send
            + Sync
            + 'static,
    {
        self.register(name, params, ret, Arc::new(body))
    }

    fn register(
        mut self,
        name: &str,
        params: &[HostType],
        ret: HostType,
        body: Arc<host::HostFn>,
    ) -> Self {
        let refused = if self.host.iter().any(|h| h.name == name) {
            Some("registered twice".to_string())
        } else {
            gate_lang::builtins::taken(name)
        };
        if let Some(message) = refused {
            self.errors.push(Error::HostFunction {
                name: name.to_string(),
                message,
            });
        }
        self.host.push(HostFunction {
            name: name.to_string(),
            params: params.to_vec(),
            ret,
            body,
        });
        self
    }

    /// Sets the largest accepted policy file (default 1 MiB).
    pub fn max_policy_size(mut self, bytes: usize) -> Self {
        self.load.max_source_size = bytes;
        self
    }

    /// Sets the deepest accepted expression nesting (default 64).
    pub fn max_policy_depth(mut self, depth: usize) -> Self {
        self.load.max_depth = depth;
        self
    }

    fn options(&self) -> gate_lang::CompileOptions {
        gate_lang::CompileOptions {
            load: self.load.clone(),
            host: self.host.iter().map(HostFunction::sig).collect(),
        }
    }

    fn finish(self, program: Program) -> Policy {
        Policy {
            plan: Arc::new(evidence::Plan::new(&program.schema)),
            program: Arc::new(program),
            host: Arc::new(self.host),
            digest: Arc::default(),
            bundle: None,
        }
    }

    /// Compiles the gate at `path` and its imports.
    pub fn compile_file(mut self, path: &Path) -> Result<Policy, Error> {
        if let Some(e) = self.errors.pop() {
            return Err(e);
        }
        let program = gate_lang::compile_file_with(path, &gate_lang::RealFs, self.options())?;
        Ok(self.finish(program))
    }

    /// Compiles the gate at `path`, reading it and its imports through `fs`
    /// (e.g. to compile a file as edited but not saved).
    pub fn compile_file_in(mut self, path: &Path, fs: &dyn FileSystem) -> Result<Policy, Error> {
        if let Some(e) = self.errors.pop() {
            return Err(e);
        }
        let program = gate_lang::compile_file_with(path, fs, self.options())?;
        Ok(self.finish(program))
    }

    /// Compiles a gate given as text.
    pub fn compile_source(mut self, name: &str, text: &str) -> Result<Policy, Error> {
        if let Some(e) = self.errors.pop() {
            return Err(e);
        }
        let program = gate_lang::compile_source_with(name, text, self.options())?;
        Ok(self.finish(program))
    }
}
