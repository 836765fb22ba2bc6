//! Decisions: the outcome of every rule and of the gate, and the decision
//! record that carries them with everything an auditor needs to check them
//! later (format: `docs/decision-record.md`).
//!
//! The gate's outcome follows from its rules: `error` if a `block` rule could
//! not be evaluated, else `fail` if a `block` rule failed, else `warn` if a
//! `warn` rule failed or could not be evaluated or any rule was waived, else
//! `pass`. `info` rules never change it.

use crate::evidence::Issue;
use crate::explain::{EvalError, Failure, Note};
use gate_lang::ir::RuleSeverity;
use gate_lang::span::Location;
use serde::Serialize;

/// The version of the decision record format.
pub const RECORD_VERSION: &str = "gate-decision/v1";

/// A rule's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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
    /// Every failure is covered by a valid waiver.
    Waived,
}

impl RuleOutcome {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleOutcome::Pass => "pass",
            RuleOutcome::Fail => "fail",
            RuleOutcome::Error => "error",
            RuleOutcome::NotApplicable => "not_applicable",
            RuleOutcome::Waived => "waived",
        }
    }
}

/// The gate's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every applicable `block` and `warn` rule passed.
    Pass,
    /// Only `warn` rules failed, or failures were waived.
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
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Whether its `when` guards held (false only for `not_applicable`).
    pub applicable: bool,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// How many rules ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Failed, with every failure waived.
    pub waived: usize,
}

/// The gate's name and settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// `if_no_rule_applies pass`: a decision in which no rule applied may
    /// pass (it is an error otherwise). Shown only when set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pass_if_no_rule_applies: bool,
}

/// The engine that made the decision.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Engine {
    /// Always `gate`.
    pub name: String,
    /// The engine's version.
    pub version: String,
    /// The commit it was built from (40 hex digits), when it was built from
    /// a git checkout of its own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Engine {
    /// This engine: `gate`, its version and, when known, its commit.
    ///
    /// ```
    /// let engine = gate_eval::decision::Engine::this();
    /// assert_eq!(engine.name, "gate");
    /// assert!(engine.commit.iter().all(|c| c.len() == 40));
    /// ```
    pub fn this() -> Engine {
        Engine {
            name: "gate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: option_env!("GATE_COMMIT").map(str::to_owned),
        }
    }
}

/// One source file of the policy.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDigest {
    /// Its name as loaded (path relative to where the gate was given).
    pub name: String,
    /// `sha256:` and the hex digest of its bytes.
    pub digest: String,
}

/// The policy a decision was made with.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMeta {
    /// `sha256:` over the digests of every source, in load order.
    pub digest: String,
    /// Every source: the gate and the modules it imports, in load order.
    pub sources: Vec<SourceDigest>,
    /// The bundle the policy came from, when it came from one
    /// ([`crate::bundle`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleMeta>,
}

/// The policy bundle a decision's policy came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleMeta {
    /// `sha256:` and the hex SHA-256 of the bundle's bytes.
    pub digest: String,
    /// Its name.
    pub name: String,
    /// Its version, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The key id of the signature that was checked before it was used
    /// (`--require-signer`), if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Who signed it, when its signature was checked against a trust
    /// configuration (`--bundle-trust`): a trusted key, or a keyless
    /// Sigstore signer with its certificate identity and issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<Signer>,
    /// Where it was read from when that was a registry: the OCI reference
    /// pinned by the digest of its manifest (`oci://host/repo@sha256:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl PolicyMeta {
    /// The digests of a policy's sources (name and bytes, in load order)
    /// and of the whole: `sha256:` over each source's digest and a newline.
    ///
    /// ```
    /// let meta = gate_eval::decision::PolicyMeta::of_sources([("g.gate", &b"gate g {}"[..])]);
    /// assert_eq!(meta.sources.len(), 1);
    /// assert!(meta.digest.starts_with("sha256:"));
    /// ```
    pub fn of_sources<'a>(sources: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> PolicyMeta {
        let sources: Vec<SourceDigest> = sources
            .into_iter()
            .map(|(name, bytes)| SourceDigest {
                name: name.to_string(),
                digest: crate::document::sha256_hex(bytes),
            })
            .collect();
        let mut all = String::new();
        for s in &sources {
            all.push_str(&s.digest);
            all.push('\n');
        }
        PolicyMeta {
            digest: crate::document::sha256_hex(all.as_bytes()),
            sources,
            bundle: None,
        }
    }
}

/// One evidence document a decision was made on.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceMeta {
    /// The name it is mounted under (`secrets` in `--evidence secrets=…`), or
    /// `null` when its fields are at the root.
    pub mount: Option<String>,
    /// Where it came from: a file path, `<stdin>`, or a name given by the
    /// embedding program.
    pub source: String,
    /// `json`, `yaml`, `toml`, or `value` (supplied as a Rust value).
    pub format: String,
    /// `sha256:` and the hex digest of its bytes as given (of its canonical
    /// JSON for a value).
    pub digest: String,
    /// For an attestation file (`format` `attestation`): every envelope in
    /// it, verified or not. Absent for other documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationMeta>,
}

/// One envelope of an attestation file: what was verified, by whom, of
/// what.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationMeta {
    /// Its place in the file (0 for a file of one envelope; the line's
    /// place among the envelopes of a JSON Lines file).
    pub index: usize,
    /// `sha256:` and the hex digest of the envelope (or bundle) as given.
    pub digest: String,
    /// Whether its signature verified against the trust configuration and
    /// its payload is an in-toto Statement.
    pub verified: bool,
    /// Why it did not verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The statement's `predicateType` (verified envelopes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// The statement's subjects (verified envelopes only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<SubjectMeta>,
    /// Who signed it (verified envelopes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
}

/// A subject of an in-toto Statement.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectMeta {
    /// Its name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its digests by algorithm (`sha256` → hex).
    pub digest: std::collections::BTreeMap<String, String>,
}

/// Who signed a verified attestation or policy bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// `key` (a configured public key) or `sigstore` (a keyless signature
    /// by a configured identity).
    pub kind: String,
    /// The name of the trust configuration entry that verified it.
    pub name: String,
    /// The key's fingerprint: `sha256:` of its DER SubjectPublicKeyInfo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyid: Option<String>,
    /// The certificate identity (subject alternative name) of a keyless
    /// signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The OIDC issuer of a keyless signature's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// When it was signed, from a verified transparency-log entry or
    /// timestamp (RFC 3339); absent for a plain key signature, which
    /// carries no trusted time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
}

/// How a waiver was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// It covered at least one failure.
    Applied,
    /// It has expired: it covers nothing and fails its rule.
    Expired,
    /// It is valid but matched no failure.
    Unmatched,
}

/// A waiver and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverRecord {
    /// Its number, referred to by `waived_by` in failures.
    pub id: usize,
    /// The rule.
    pub rule: String,
    /// The element, if it covers one element only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// Who approved it.
    pub approved_by: String,
    /// Its ticket.
    pub ticket: String,
    /// Why.
    pub reason: String,
    /// When it expires (RFC 3339).
    pub expires: String,
    /// `policy`, or the waiver file it came from.
    pub source: String,
    /// What it did.
    pub status: WaiverStatus,
    /// How many failures it covered.
    pub covered: usize,
}

/// A gate decision: the outcome, every rule's result, and the provenance of
/// the decision (policy, evidence, engine, time).
///
/// Whether to proceed is [`Decision::permits`]: true only for `pass`. Do
/// not compare the outcome with `Fail` — `error` (the gate could not
/// decide) must stop a release too:
///
/// | outcome | meaning | proceed? |
/// |---|---|---|
/// | `pass` | every applicable `block` and `warn` rule held | yes |
/// | `warn` | only `warn` rules failed or errored, or failures were waived | only if you accept warnings: [`Decision::permits_with_warnings`] |
/// | `fail` | a `block` rule did not hold | no |
/// | `error` | a `block` rule could not be evaluated, or nothing was checked | no |
///
/// ```
/// use gate_eval::{Evidence, Options, Policy};
/// let policy = Policy::from_source("g.gate",
///     "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n").unwrap();
/// let evidence = Evidence::from_json_str("e.json", r#"{"ok": "yes"}"#).unwrap();
/// let decision = policy.evaluate(&evidence, &Options::default());
/// // `ok` is not a boolean: the gate cannot decide, and that is not a pass.
/// assert_eq!(decision.outcome.as_str(), "error");
/// assert!(!decision.permits());
/// if decision.permits() {
///     // deploy()
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[must_use = "a decision must be acted on: check `permits()`"]
pub struct Decision {
    /// [`RECORD_VERSION`].
    pub record_version: String,
    /// The engine.
    pub engine: Engine,
    /// When the decision was made (RFC 3339; the injectable clock).
    pub evaluated_at: String,
    /// Which gate.
    pub gate: GateMeta,
    /// The policy's digests.
    pub policy: PolicyMeta,
    /// The evidence documents' digests.
    pub evidence: Vec<EvidenceMeta>,
    /// The decision.
    pub outcome: Outcome,
    /// Rule counts.
    pub counts: Counts,
    /// Every rule, in source order.
    pub rules: Vec<RuleResult>,
    /// Every waiver and what it did.
    pub waivers: Vec<WaiverRecord>,
    /// Where the evidence did not match the gate's schema.
    pub evidence_issues: Vec<Issue>,
    /// Warnings about the decision (an unmatched waiver, for instance).
    pub warnings: Vec<String>,
    /// Why the decision as a whole is an error, apart from its rules'
    /// errors: `E0616` when no rule applied ("nothing was checked").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<DecisionError>,
}

/// An error of the decision as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DecisionError {
    /// Its stable code, as text: one of [`crate::Code`]'s, or the code of the
    /// compiler diagnostic that kept the gate from being evaluated (the two
    /// tables are listed in `docs/errors.md`).
    pub code: String,
    /// What happened.
    pub message: String,
}

/// The code of a decision in which no rule applied.
pub const NOTHING_CHECKED: &str = "E0616";

impl Decision {
    /// Whether the decision lets the artefact proceed: true only when the
    /// outcome is `pass`. `warn`, `fail` and `error` do not (see
    /// [`Decision::permits_with_warnings`] to accept `warn`).
    #[must_use]
    pub fn permits(&self) -> bool {
        self.outcome == Outcome::Pass
    }

    /// Whether the decision lets the artefact proceed when warnings are
    /// accepted: true for `pass` and `warn`, never for `fail` or `error`.
    ///
    /// ```
    /// use gate_eval::{Evidence, Options, Policy};
    /// let policy = Policy::from_source("g.gate",
    ///     "gate g {}\nevidence { ok: bool }\nrule r { severity warn require ok }\n").unwrap();
    /// let evidence = Evidence::from_json_str("e.json", r#"{"ok": false}"#).unwrap();
    /// let decision = policy.evaluate(&evidence, &Options::default());
    /// assert_eq!(decision.outcome.as_str(), "warn");
    /// assert!(!decision.permits());
    /// assert!(decision.permits_with_warnings());
    /// ```
    #[must_use]
    pub fn permits_with_warnings(&self) -> bool {
        matches!(self.outcome, Outcome::Pass | Outcome::Warn)
    }

    /// The record of a decision that could not be made — the policy did
    /// not compile, the evidence could not be read — so that every report
    /// format still says so: outcome `error`, no rules, and the reasons in
    /// `errors`. `policy` is what was read of the policy (see
    /// [`PolicyMeta::of_sources`]).
    ///
    /// ```
    /// use gate_eval::decision::{Decision, DecisionError, PolicyMeta};
    /// let policy = PolicyMeta::of_sources([("g.gate", &b"gate g {"[..])]);
    /// let at = gate_eval::jiff::Timestamp::UNIX_EPOCH;
    /// let d = Decision::undecided("g", policy, at, vec![DecisionError {
    ///     code: "E0201".into(),
    ///     message: "the policy does not compile".into(),
    /// }]);
    /// assert_eq!(d.outcome.as_str(), "error");
    /// assert!(d.rules.is_empty());
    /// ```
    pub fn undecided(
        gate: &str,
        policy: PolicyMeta,
        evaluated_at: jiff::Timestamp,
        errors: Vec<DecisionError>,
    ) -> Decision {
        Decision {
            record_version: RECORD_VERSION.to_string(),
            engine: Engine::this(),
            evaluated_at: gate_lang::time::format_timestamp(evaluated_at.as_nanosecond()),
            gate: GateMeta {
                name: gate.to_string(),
                title: None,
                stage: None,
                version: None,
                pass_if_no_rule_applies: false,
            },
            policy,
            evidence: Vec::new(),
            outcome: Outcome::Error,
            counts: Counts::default(),
            rules: Vec::new(),
            waivers: Vec::new(),
            evidence_issues: Vec::new(),
            warnings: Vec::new(),
            errors,
        }
    }

    /// The rule with the given id.
    pub fn rule(&self, id: &str) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Recomputes the counts and the outcome from the rules.
    pub fn settle(&mut self) {
        let mut counts = Counts {
            rules: self.rules.len(),
            ..Counts::default()
        };
        let mut outcome = Outcome::Pass;
        for r in &self.rules {
            match r.outcome {
                RuleOutcome::Pass => counts.pass += 1,
                RuleOutcome::Fail => counts.fail += 1,
                RuleOutcome::Error => counts.error += 1,
                RuleOutcome::NotApplicable => counts.not_applicable += 1,
                RuleOutcome::Waived => counts.waived += 1,
            }
            let this = match (r.severity, r.outcome) {
                (_, RuleOutcome::Pass | RuleOutcome::NotApplicable) | (RuleSeverity::Info, _) => {
                    Outcome::Pass
                }
                (_, RuleOutcome::Waived) | (RuleSeverity::Warn, _) => Outcome::Warn,
                (RuleSeverity::Block, RuleOutcome::Fail) => Outcome::Fail,
                (RuleSeverity::Block, RuleOutcome::Error) => Outcome::Error,
            };
            outcome = worst(outcome, this);
        }
        // A decision in which nothing was checked is no proof: when no rule
        // that can block (no rule at all, in a gate without `block` rules)
        // applied, the decision is an error unless the gate says that this
        // is acceptable.
        self.errors.retain(|e| e.code != NOTHING_CHECKED);
        let blocking = self.rules.iter().any(|r| r.severity == RuleSeverity::Block);
        // A rule that could not be evaluated checked nothing either.
        let applied = self.rules.iter().any(|r| {
            matches!(
                r.outcome,
                RuleOutcome::Pass | RuleOutcome::Fail | RuleOutcome::Waived
            ) && (!blocking || r.severity == RuleSeverity::Block)
        });
        if !applied && !self.gate.pass_if_no_rule_applies {
            let which = if blocking {
                "no `block` rule"
            } else {
                "no rule"
            };
            self.errors.push(DecisionError {
                code: NOTHING_CHECKED.into(),
                message: format!(
                    "nothing was checked: {which} applied to this evidence and was evaluated (set `if_no_rule_applies pass` in the gate's header if that is acceptable)"
                ),
            });
        }
        if !self.errors.is_empty() {
            outcome = Outcome::Error;
        }
        self.counts = counts;
        self.outcome = outcome;
    }

    /// Reads a decision record (`gate-decision/v1`), strictly: duplicate
    /// keys, unknown fields, missing ones and values of the wrong type are
    /// errors, and the record must be exactly what this decision writes
    /// (nothing dropped, nothing added). It is read as it is, not verified:
    /// see [`crate::verify::verify_record`] to check a record against its
    /// policy, evidence and signature.
    ///
    /// ```
    /// use gate_eval::{Decision, Evidence, Options, Policy};
    /// let policy = Policy::from_source("g.gate",
    ///     "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n").unwrap();
    /// let evidence = Evidence::from_json_str("e.json", r#"{"ok": false}"#).unwrap();
    /// let decision = policy.evaluate(&evidence, &Options::default());
    /// let record = decision.to_json();
    /// assert_eq!(Decision::from_json(record.as_bytes()).unwrap(), decision);
    /// let forged = record.replacen('{', r#"{"verified": true,"#, 1);
    /// assert!(Decision::from_json(forged.as_bytes()).is_err());
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Decision, crate::Error> {
        let bad = |message: String| crate::Error::Record {
            source: "the record".into(),
            message,
        };
        let value = crate::load::parse(crate::Format::Json, bytes, &crate::LoadLimits::default())
            .map_err(|e| bad(format!("it is not strict JSON: {e}")))?
            .value;
        if value
            .get("record_version")
            .and_then(serde_json::Value::as_str)
            != Some(RECORD_VERSION)
        {
            return Err(bad(format!(
                "it is not a `{RECORD_VERSION}` decision record"
            )));
        }
        let decision: Decision = serde_json::from_value(value.clone())
            .map_err(|e| bad(format!("it is not a decision record: {e}")))?;
        let again = serde_json::to_value(&decision).map_err(|e| bad(e.to_string()))?;
        if again != value {
            return Err(bad(
                "it holds fields or values a decision record does not have".into(),
            ));
        }
        Ok(decision)
    }

    /// The record as JSON text: pretty, with a final newline. The same
    /// decision always gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain data cannot fail; say so in the output if it does.
            format!(
                "{{\"record_version\": \"{RECORD_VERSION}\", \"serialisation_error\": {:?}}}",
                e.to_string()
            )
        });
        s.push('\n');
        s
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
