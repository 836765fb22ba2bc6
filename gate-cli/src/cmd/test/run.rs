//! Running a suite: each case evaluated exactly as `gate check` would, and
//! compared with what it expects.

use super::patch::merge_patch;
use super::suite::{Case, CaseEvidence, Expected, Suite};
use crate::cli::EvidenceArgs;
use crate::cmd::input;
use crate::io::Io;
use gate_eval::{Coverage, Decision, Evidence, Options, Outcome, RuleOutcome, RuleSeverity};
use std::path::{Path, PathBuf};

/// The results of one test file.
#[derive(Clone, Debug)]
pub struct SuiteResult {
    /// The test file.
    pub file: PathBuf,
    /// The policy it tests.
    pub policy: PathBuf,
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
    /// What the cases exercised, when coverage was asked for.
    pub coverage: Option<Coverage>,
}

impl SuiteResult {
    /// How many cases passed, failed, and could not run.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for r in &self.cases {
            match r.status {
                CaseStatus::Passed => c.0 += 1,
                CaseStatus::Failed => c.1 += 1,
                CaseStatus::Error => c.2 += 1,
            }
        }
        c
    }
}

/// How a case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseStatus {
    /// Everything it expects held.
    Passed,
    /// Something it expects did not hold (see [`CaseResult::mismatches`]).
    Failed,
    /// Its evidence or waivers could not be read (see [`CaseResult::error`]).
    Error,
}

impl CaseStatus {
    /// `passed`, `failed` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Passed => "passed",
            CaseStatus::Failed => "failed",
            CaseStatus::Error => "error",
        }
    }
}

/// The result of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its line in the test file.
    pub line: Option<usize>,
    /// How it ended.
    pub status: CaseStatus,
    /// What differed from the expectation.
    pub mismatches: Vec<Mismatch>,
    /// Why it could not run: a stable code and a message.
    pub error: Option<(&'static str, String)>,
    /// The decision the policy made (absent when the case could not run).
    pub decision: Option<Decision>,
}

/// One difference between what a case expects and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The gate's decision.
    Decision {
        /// Expected.
        expected: Outcome,
        /// Got.
        actual: Outcome,
    },
    /// A rule's outcome.
    Rule {
        /// The rule.
        rule: String,
        /// Expected (`warn`, or a rule outcome).
        expected: &'static str,
        /// Got (`warn` for a failing `warn` rule when `warn` was expected).
        actual: &'static str,
    },
    /// A text that occurs in no failure message or error of the rule.
    Message {
        /// The rule.
        rule: String,
        /// The text.
        missing: String,
    },
}

impl Mismatch {
    /// The rule the mismatch is about, if any.
    pub fn rule(&self) -> Option<&str> {
        match self {
            Mismatch::Decision { .. } => None,
            Mismatch::Rule { rule, .. } | Mismatch::Message { rule, .. } => Some(rule),
        }
    }
}

/// Runs every case of a suite; with `coverage`, also records what they
/// exercised of the policy.
///
/// ```
/// use gate_cli::cmd::test::{load_suite, run_suite, CaseStatus};
/// let suite = load_suite("../examples/quickstart.test.yaml".as_ref()).unwrap();
/// let result = run_suite(&suite, true);
/// assert!(result.cases.iter().all(|c| c.status == CaseStatus::Passed));
/// // Each case keeps the decision, rule by rule.
/// let decision = result.cases[0].decision.as_ref().unwrap();
/// assert!(decision.rule("secrets-and-approvals").is_some());
/// assert!(result.coverage.unwrap().summary().rules_covered > 0);
/// ```
pub fn run_suite(suite: &Suite, coverage: bool) -> SuiteResult {
    let mut cov = coverage.then(|| suite.policy.coverage());
    let base = suite.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let cases = suite
        .cases
        .iter()
        .map(|case| run_case(suite, case, &base, cov.as_mut()))
        .collect();
    SuiteResult {
        file: suite.path.clone(),
        policy: suite.policy_path.clone(),
        cases,
        coverage: cov,
    }
}

fn run_case(suite: &Suite, case: &Case, base: &Path, cov: Option<&mut Coverage>) -> CaseResult {
    let mut result = CaseResult {
        name: case.name.clone(),
        line: case.line,
        status: CaseStatus::Error,
        mismatches: Vec::new(),
        error: None,
        decision: None,
    };
    let (evidence, options) = match prepare(suite, case, base) {
        Ok(x) => x,
        Err(e) => {
            let mut message = e.to_string();
            if let Some(help) = e.help() {
                message.push_str(&format!(" (help: {help})"));
            }
            result.error = Some((e.code().as_str(), message));
            return result;
        }
    };
    let decision = match cov {
        Some(c) => suite.policy.evaluate_with_coverage(&evidence, &options, c),
        None => suite.policy.evaluate(&evidence, &options),
    };
    result.mismatches = compare(case, &decision);
    result.status = if result.mismatches.is_empty() {
        CaseStatus::Passed
    } else {
        CaseStatus::Failed
    };
    result.decision = Some(decision);
    result
}

/// Reads the evidence and waivers like `gate check`, applies the patch.
fn prepare(
    suite: &Suite,
    case: &Case,
    base: &Path,
) -> Result<(Evidence, Options), gate_eval::Error> {
    // Paths relative to the test file, as `gate check` would be given them.
    let resolve = |file: &str| crate::files::normalize(&base.join(file));
    let specs: Vec<String> = match &case.evidence {
        CaseEvidence::Files(specs) => specs
            .iter()
            .map(|spec| crate::cmd::spec::Spec::parse(base, spec).rebased(base))
            .collect(),
        CaseEvidence::Inline(_) => Vec::new(),
    };
    let defaults = EvidenceArgs {
        trust: suite.trust.clone(),
        waivers: case
            .waivers
            .iter()
            .map(|w| resolve(&w.to_string_lossy()))
            .collect(),
        ..EvidenceArgs::defaults(specs, None)
    };
    let data = input::read_for(&defaults, &[&suite.policy], &mut Io::memory(""))?;
    let source = format!("{} (test `{}`)", suite.path.display(), case.name);
    let mut evidence = match &case.evidence {
        CaseEvidence::Inline(doc) => Evidence::from_value(&source, doc.clone())?,
        CaseEvidence::Files(_) => data.evidence,
    };
    if let Some(patch) = &case.patch {
        let mut root = evidence.as_json().clone();
        merge_patch(&mut root, patch);
        let names: Vec<String> = evidence
            .documents()
            .iter()
            .map(|d| match &d.mount {
                Some(m) => format!("{m}={}", d.source),
                None => d.source.clone(),
            })
            .collect();
        evidence = evidence.replaced(&format!("{}, patched", names.join(", ")), root)?;
    }
    suite.policy.validate_waivers(&data.waivers, &evidence)?;
    let mut options = Options::default().waivers(data.waivers);
    options.now = case.now.map(gate_eval::time::timestamp);
    Ok((evidence, options))
}

/// What differs between the expectation and the decision.
pub fn compare(case: &Case, d: &Decision) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if let Some(expected) = case.expect.decision {
        if expected != d.outcome {
            out.push(Mismatch::Decision {
                expected,
                actual: d.outcome,
            });
        }
    }
    for (id, expected) in &case.expect.rules {
        let Some(r) = d.rule(id) else {
            continue;
        };
        let failing_warn = r.severity == RuleSeverity::Warn && r.outcome == RuleOutcome::Fail;
        let ok = match expected {
            Expected::Warn => failing_warn,
            Expected::Outcome(o) => *o == r.outcome,
        };
        if !ok {
            out.push(Mismatch::Rule {
                rule: id.clone(),
                expected: expected.as_str(),
                actual: r.outcome.as_str(),
            });
        }
    }
    for (id, texts) in &case.expect.messages {
        let Some(r) = d.rule(id) else {
            continue;
        };
        for t in texts {
            let found = r.failures.iter().any(|f| f.message.contains(t.as_str()))
                || r.errors.iter().any(|e| e.message.contains(t.as_str()));
            if !found {
                out.push(Mismatch::Message {
                    rule: id.clone(),
                    missing: t.clone(),
                });
            }
        }
    }
    out
}
