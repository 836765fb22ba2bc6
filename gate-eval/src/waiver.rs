//! Waivers: recorded exceptions to rules.
//!
//! A waiver names a rule and optionally one element (by its key, such as a
//! secret's name, or by JSON pointer), who approved it, a ticket, a reason
//! and an expiry. It turns the failures it covers into *waived* ones — never
//! into passes: a rule whose every failure is waived has outcome `waived`,
//! and the decision is at least `warn`. An expired waiver is itself a
//! failure of its rule; a waiver that covers nothing is a warning. Every
//! waiver appears in the decision record with what it did.
//!
//! Waivers come from the policy (`waive RULE { … }`) or from a file:
//!
//! ```yaml
//! waivers:
//!   - rule: S02
//!     element: STRIPE_API_KEY
//!     approved_by: u-20011
//!     ticket: SEC-4521
//!     reason: Moving to Vault in sprint 14
//!     expires: 2026-06-30T00:00:00Z
//! ```

use crate::decision::{Decision, RuleOutcome, WaiverRecord, WaiverStatus};
use crate::error::Error;
use crate::explain::Failure;
use crate::load::{self, Format, LoadLimits};
use gate_lang::time::{format_timestamp, parse_timestamp};
use serde::Deserialize;

/// One waiver. Build one with [`Waiver::new`]:
///
/// ```
/// use gate_eval::Waiver;
/// let expires: gate_eval::jiff::Timestamp = "2026-06-30T00:00:00Z".parse().unwrap();
/// let w = Waiver::new("S02", "u-20011", "SEC-4521", "moving the key to Vault", expires)
///     .element("STRIPE_API_KEY")
///     .source("change-4521");
/// assert_eq!(w.element.as_deref(), Some("STRIPE_API_KEY"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Waiver {
    /// The rule it covers.
    pub rule: String,
    /// The one element it covers: its key (e.g. a secret's name) or a JSON
    /// pointer (`/secrets/items/0`); every failure of the rule when `None`.
    pub element: Option<String>,
    /// Who approved it.
    pub approved_by: String,
    /// The ticket that records it.
    pub ticket: String,
    /// Why.
    pub reason: String,
    /// When it stops applying.
    pub expires: jiff::Timestamp,
    /// Where it was written: `policy`, or a waiver file.
    pub source: String,
}

impl Waiver {
    /// A waiver of every failure of `rule`, approved by `approved_by`
    /// under `ticket` for `reason`, until `expires`; its source is
    /// `caller` until [`Waiver::source`] names it.
    pub fn new(
        rule: impl Into<String>,
        approved_by: impl Into<String>,
        ticket: impl Into<String>,
        reason: impl Into<String>,
        expires: jiff::Timestamp,
    ) -> Self {
        Waiver {
            rule: rule.into(),
            element: None,
            approved_by: approved_by.into(),
            ticket: ticket.into(),
            reason: reason.into(),
            expires,
            source: "caller".into(),
        }
    }

    /// Covers only one element: its key or a JSON pointer.
    pub fn element(mut self, element: impl Into<String>) -> Self {
        self.element = Some(element.into());
        self
    }

    /// Where the waiver was written, for the record.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// The expiry in nanoseconds since the Unix epoch.
    pub(crate) fn expires_nanos(&self) -> i128 {
        self.expires.as_nanosecond()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    waivers: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    #[serde(default)]
    element: Option<String>,
    approved_by: String,
    ticket: String,
    reason: String,
    expires: String,
}

/// Reads a waiver file (JSON, YAML or TOML).
///
/// ```
/// use gate_eval::{waiver::parse_waivers, Format};
/// let text = b"waivers:\n  - rule: S02\n    approved_by: u-1\n    ticket: SEC-1\n    reason: migration\n    expires: 2026-06-30T00:00:00Z\n";
/// let w = parse_waivers("waivers.yaml", Format::Yaml, text).unwrap();
/// assert_eq!(w[0].rule, "S02");
/// ```
pub fn parse_waivers(source: &str, format: Format, bytes: &[u8]) -> Result<Vec<Waiver>, Error> {
    let parsed = load::parse(format, bytes, &LoadLimits::default()).map_err(|error| {
        Error::EvidenceLoad {
            source: source.to_string(),
            error,
        }
    })?;
    let file: File = serde_json::from_value(parsed.value).map_err(|e| Error::Waiver {
        source: source.to_string(),
        message: e.to_string(),
    })?;
    let mut out = Vec::with_capacity(file.waivers.len());
    for (i, e) in file.waivers.into_iter().enumerate() {
        let bad = |what: &str| Error::Waiver {
            source: source.to_string(),
            message: format!("waiver {} ({}): {what}", i + 1, e.rule),
        };
        for (name, value) in [
            ("rule", &e.rule),
            ("approved_by", &e.approved_by),
            ("ticket", &e.ticket),
            ("reason", &e.reason),
        ] {
            if value.trim().is_empty() {
                return Err(bad(&format!("`{name}` is empty")));
            }
        }
        if e.element.as_deref().is_some_and(|el| el.trim().is_empty()) {
            return Err(bad("`element` is empty"));
        }
        let expires = parse_timestamp(&e.expires).map_err(|_| {
            bad(&format!(
                "`expires` is not an RFC 3339 timestamp: `{}`",
                e.expires
            ))
        })?;
        out.push(Waiver {
            rule: e.rule,
            element: e.element,
            approved_by: e.approved_by,
            ticket: e.ticket,
            reason: e.reason,
            expires: crate::time::timestamp(expires),
            source: source.to_string(),
        });
    }
    Ok(out)
}

/// Checks waivers against the policy's rules and the evidence: the rule must
/// exist, and an element given as a JSON pointer must be in the evidence.
pub(crate) fn validate<'a>(
    waivers: &[Waiver],
    rules: impl Iterator<Item = &'a str> + Clone,
    evidence: &serde_json::Value,
) -> Result<(), Error> {
    for w in waivers {
        if !rules.clone().any(|r| r == w.rule) {
            let suggestion = gate_lang::check::closest(&w.rule, rules.clone()).map(str::to_string);
            return Err(Error::WaiverUnknownRule {
                source: w.source.clone(),
                rule: w.rule.clone(),
                suggestion,
            });
        }
        if let Some(p) = w.element.as_deref().filter(|e| e.starts_with('/')) {
            if evidence.pointer(p).is_none() {
                return Err(Error::WaiverUnknownElement {
                    source: w.source.clone(),
                    rule: w.rule.clone(),
                    element: p.to_string(),
                });
            }
        }
    }
    Ok(())
}

fn covers(w: &Waiver, f: &Failure) -> bool {
    let Some(element) = w.element.as_deref() else {
        return true;
    };
    let under = |path: Option<&str>| {
        path.is_some_and(|p| {
            p == element
                || (p.starts_with(element) && p.as_bytes().get(element.len()) == Some(&b'/'))
        })
    };
    if element.starts_with('/') {
        return under(f.path.as_deref())
            || under(f.element.as_ref().and_then(|e| e.path.as_deref()));
    }
    f.element
        .as_ref()
        .and_then(|e| e.key.as_ref())
        .is_some_and(|k| match &k.value {
            serde_json::Value::String(s) => s == element,
            other => element
                .parse::<serde_json::Value>()
                .is_ok_and(|e| e == *other),
        })
}

/// The canonical order of waivers: every field, so that no two different
/// waivers tie.
type Canonical<'w> = (
    &'w str,
    Option<&'w str>,
    &'w str,
    i128,
    &'w str,
    &'w str,
    &'w str,
);

fn canonical(w: &Waiver) -> Canonical<'_> {
    (
        &w.rule,
        w.element.as_deref(),
        &w.ticket,
        w.expires_nanos(),
        &w.approved_by,
        &w.reason,
        &w.source,
    )
}

/// Applies waivers to a decision evaluated at `now`, records them, and
/// settles the outcome.
///
/// The result does not depend on the order the waivers were given in:
/// they are put in one canonical order first (by rule, element, ticket,
/// expiry, approver, reason and source), which also numbers them. Live
/// waivers cover only the failures the evaluation found; the failure an
/// expired waiver adds is added afterwards, so no waiver — whatever its
/// place in the list — can waive it away.
pub(crate) fn apply(decision: &mut Decision, waivers: &[Waiver], now: i128) {
    let mut order: Vec<&Waiver> = waivers.iter().collect();
    order.sort_by(|a, b| canonical(a).cmp(&canonical(b)));
    let mut covered = vec![0usize; order.len()];
    // Live waivers first, over the evaluation's failures only.
    for (id, w) in order.iter().enumerate() {
        if w.expires_nanos() <= now {
            continue;
        }
        let Some(rule) = decision.rules.iter_mut().find(|r| r.id == w.rule) else {
            continue;
        };
        let mut n = 0;
        for f in rule.failures.iter_mut().filter(|f| f.waived_by.is_none()) {
            if covers(w, f) {
                f.waived_by = Some(id);
                n += 1;
            }
        }
        // Failures beyond the kept ones are covered only by a waiver of
        // the whole rule.
        if w.element.is_none() {
            n += rule.failures_total.saturating_sub(rule.failures.len());
        }
        if let Some(c) = covered.get_mut(id) {
            *c = n;
        }
    }
    // Then the failures of expired waivers, which nothing covers.
    for w in order.iter().filter(|w| w.expires_nanos() <= now) {
        let Some(rule) = decision.rules.iter_mut().find(|r| r.id == w.rule) else {
            continue;
        };
        let span = rule.span.clone();
        rule.failures.push(Failure {
            requirement: 0,
            path: None,
            actual: serde_json::Value::String(format_timestamp(w.expires_nanos())),
            actual_truncated: false,
            expected: format!(
                "a waiver that has not expired (now {})",
                format_timestamp(now)
            ),
            message: format!(
                "waiver {} for `{}`{} expired at {}",
                w.ticket,
                w.rule,
                w.element
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default(),
                format_timestamp(w.expires_nanos())
            ),
            span,
            element: None,
            any_of: None,
            operands: Vec::new(),
            called_from: None,
            waived_by: None,
        });
        rule.failures_total += 1;
        if matches!(rule.outcome, RuleOutcome::Pass) {
            rule.outcome = RuleOutcome::Fail;
        }
    }
    for (id, w) in order.iter().enumerate() {
        let covered = covered.get(id).copied().unwrap_or(0);
        let status = if w.expires_nanos() <= now {
            WaiverStatus::Expired
        } else if covered > 0 {
            WaiverStatus::Applied
        } else {
            decision.warnings.push(format!(
                "waiver {} for `{}`{} matched no failure",
                w.ticket,
                w.rule,
                w.element
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ));
            WaiverStatus::Unmatched
        };
        decision.waivers.push(WaiverRecord {
            id,
            rule: w.rule.clone(),
            element: w.element.clone(),
            approved_by: w.approved_by.clone(),
            ticket: w.ticket.clone(),
            reason: w.reason.clone(),
            expires: format_timestamp(w.expires_nanos()),
            source: w.source.clone(),
            status,
            covered,
        });
    }
    for rule in &mut decision.rules {
        if rule.outcome != RuleOutcome::Fail || !rule.errors.is_empty() || rule.failures.is_empty()
        {
            continue;
        }
        let all_kept_waived = rule.failures.iter().all(|f| f.waived_by.is_some());
        let dropped = rule.failures_total.saturating_sub(rule.failures.len());
        let whole_rule_waiver = decision
            .waivers
            .iter()
            .any(|w| w.rule == rule.id && w.element.is_none() && w.status == WaiverStatus::Applied);
        if all_kept_waived && (dropped == 0 || whole_rule_waiver) {
            rule.outcome = RuleOutcome::Waived;
        }
    }
    decision.settle();
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::Waiver;
    use crate::{Evidence, Options, Policy};
    use proptest::prelude::*;

    const NOW: i128 = 1_780_000_000 * 1_000_000_000;

    fn waiver(rule: &str, element: Option<&str>, ticket: &str, expires: i128) -> Waiver {
        Waiver {
            rule: rule.into(),
            element: element.map(str::to_string),
            approved_by: "sec-lead".into(),
            ticket: ticket.into(),
            reason: "accepted".into(),
            expires: crate::time::timestamp(expires),
            source: "waivers.yaml".into(),
        }
    }

    fn decide(waivers: Vec<Waiver>) -> String {
        let policy = Policy::from_source(
            "w.gate",
            "gate w {}\nrecord S { name: string, vaulted: bool, key name }\n\
             evidence { secrets: [S] }\n\
             rule vaulted { require secrets.all(vaulted) }\n\
             rule other { require secrets.all(s => s.name != \"\") }\n",
        )
        .unwrap();
        let evidence = Evidence::from_json_str(
            "e.json",
            r#"{"secrets": [{"name": "a", "vaulted": false}, {"name": "b", "vaulted": false}]}"#,
        )
        .unwrap();
        let options = Options {
            now: Some(crate::time::timestamp(NOW)),
            waivers,
            ..Options::default()
        };
        policy.evaluate(&evidence, &options).to_json()
    }

    fn all_waivers() -> Vec<Waiver> {
        let day = 86_400 * 1_000_000_000;
        vec![
            waiver("vaulted", None, "SEC-1", NOW - day),
            waiver("vaulted", None, "SEC-2", NOW + day),
            waiver("vaulted", Some("a"), "SEC-3", NOW + day),
            waiver("vaulted", Some("b"), "SEC-4", NOW - day),
            waiver("other", None, "SEC-5", NOW + day),
        ]
    }

    /// An expired waiver's failure is not waived by a live whole-rule
    /// waiver, before or after it in the list.
    #[test]
    fn an_expired_waiver_is_never_waived_away() {
        let d: serde_json::Value = serde_json::from_str(&decide(all_waivers())).unwrap();
        assert_eq!(d["outcome"], "fail");
        let rule = &d["rules"][0];
        assert_eq!(rule["outcome"], "fail");
        let unwaived: Vec<&str> = rule["failures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f.get("waived_by").is_none_or(|w| w.is_null()))
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert_eq!(unwaived.len(), 2, "{unwaived:?}");
        assert!(
            unwaived.iter().all(|m| m.contains("expired")),
            "{unwaived:?}"
        );
    }

    /// Waivers given in `Options` are checked by `evaluate` itself: one
    /// for a rule the gate does not have, or for an element that is not in
    /// the evidence, makes the decision an error that names it.
    #[test]
    fn evaluate_checks_the_waivers_it_is_given() {
        let day = 86_400 * 1_000_000_000;
        for (w, code) in [
            (waiver("vaulterd", None, "SEC-9", NOW + day), "E0802"),
            (
                waiver("vaulted", Some("/secrets/7"), "SEC-9", NOW + day),
                "E0803",
            ),
        ] {
            let d: serde_json::Value = serde_json::from_str(&decide(vec![w])).unwrap();
            assert_eq!(d["outcome"], "error", "{d}");
            assert_eq!(d["errors"][0]["code"], code, "{d}");
        }
        // A valid waiver is no error.
        let d: serde_json::Value =
            serde_json::from_str(&decide(vec![waiver("vaulted", None, "SEC-2", NOW + day)]))
                .unwrap();
        assert!(d.get("errors").is_none(), "{d}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The record does not depend on the order of the waivers.
        #[test]
        fn waiver_order_does_not_change_the_record(
            order in Just((0..5).collect::<Vec<usize>>()).prop_shuffle()
        ) {
            let base = all_waivers();
            let shuffled: Vec<Waiver> = order.iter().map(|&i| base[i].clone()).collect();
            prop_assert_eq!(decide(shuffled), decide(all_waivers()));
        }
    }
}
