//! The workload: release-gate evidence generated from a fixed seed.
//!
//! A document holds an artefact, its approvals, a secret inventory, service
//! accounts and the deployment's operational readiness. Besides the fields the
//! policy reads, every object carries fields no rule looks at (stores, paths,
//! scopes, display names, timestamps), as exports of real systems do, so that
//! a loader that skips unread fields has something to skip.
//!
//! Violations are planted at fixed positions, and the generator returns the
//! list of failing items (rule id, item id) every engine must report.

use serde::Serialize;
use std::collections::BTreeSet;

/// One failing item: (rule id, item id).
pub type Finding = (String, String);
/// All failing items, sorted.
pub type Findings = BTreeSet<Finding>;

/// The instant the evidence is evaluated at.
pub const EVALUATED_AT: &str = "2026-05-04T09:00:00Z";
const EVALUATED_AT_S: i64 = 1_777_885_200;
const DAY: i64 = 86_400;

/// Document sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// 20 secrets, 10 service accounts.
    Small,
    /// 10,000 secrets, 1,000 service accounts (about 1.6 MB).
    Medium,
    /// 200,000 secrets, 20,000 service accounts (about 32 MB).
    Large,
}

impl Size {
    /// (secrets, service accounts).
    pub fn counts(self) -> (usize, usize) {
        match self {
            Size::Small => (20, 10),
            Size::Medium => (10_000, 1_000),
            Size::Large => (200_000, 20_000),
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

/// Which violations to plant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// None: every rule passes.
    Clean,
    /// A few per cent of the secrets and accounts, and every document-level rule.
    Dirty,
    /// Half the secrets not vaulted (100,000 failing elements in the large size).
    Flood,
}

impl Variant {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Clean => "clean",
            Variant::Dirty => "dirty",
            Variant::Flood => "flood",
        }
    }
}

/// A generated document and what the gate must find in it.
pub struct Workload {
    /// Size.
    pub size: Size,
    /// Variant.
    pub variant: Variant,
    /// The JSON text.
    pub json: Vec<u8>,
    /// The failing items.
    pub expected: Findings,
}

/// splitmix64: a small deterministic generator, enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        let i = self.below(xs.len() as u64) as usize;
        xs.get(i).copied().unwrap_or("")
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut s = String::with_capacity(digits);
        while s.len() < digits {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(digits);
        s
    }
}

fn timestamp(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(t) => t.to_string(),
        Err(_) => EVALUATED_AT.to_string(),
    }
}

fn days_ago(rng: &mut Rng, lo: i64, hi: i64) -> String {
    let span = (hi - lo).max(1) as u64;
    let d = lo + rng.below(span) as i64;
    timestamp(EVALUATED_AT_S - d * DAY - rng.below(DAY as u64) as i64)
}

#[derive(Serialize)]
struct Doc {
    schema_version: &'static str,
    evaluated_at: &'static str,
    release: Release,
    artefact: Artefact,
    approvals: Vec<Approval>,
    secrets: Vec<Secret>,
    service_accounts: Vec<Account>,
    deployment: Deployment,
}

#[derive(Serialize)]
struct Release {
    id: String,
    pipeline: String,
    triggered_by: String,
    started_at: String,
}

#[derive(Serialize)]
struct Artefact {
    name: String,
    kind: &'static str,
    reference: String,
    digest: String,
    commit: String,
    built_at: String,
}

#[derive(Serialize)]
struct Approval {
    id: String,
    role: &'static str,
    state: &'static str,
    approver: String,
    artefact_digest: String,
    approved_at: String,
    comment: String,
}

#[derive(Serialize)]
struct Secret {
    id: String,
    store: &'static str,
    vaulted: bool,
    path: String,
    version: u32,
    rotated_at: String,
    env: &'static str,
}

#[derive(Serialize)]
struct Account {
    id: String,
    display_name: String,
    #[serde(skip_serializing_if = "Owner::is_absent")]
    owner: Owner,
    privileged: bool,
    scopes: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_review_at: Option<String>,
    created_at: String,
}

/// An account's owner: present, null, empty or absent (a missing key).
enum Owner {
    Team(String),
    Null,
    Absent,
}

impl Owner {
    fn is_absent(&self) -> bool {
        matches!(self, Owner::Absent)
    }
}

impl Serialize for Owner {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Owner::Team(t) => s.serialize_str(t),
            Owner::Null | Owner::Absent => s.serialize_none(),
        }
    }
}

#[derive(Serialize)]
struct Deployment {
    strategy: &'static str,
    rollback: Rollback,
    monitoring: Monitoring,
    oncall: Option<String>,
}

#[derive(Serialize)]
struct Rollback {
    planned: bool,
    tested: bool,
    runbook: String,
}

#[derive(Serialize)]
struct Monitoring {
    destination: &'static str,
    dashboard: String,
}

const TEAMS: &[&str] = &[
    "payments", "identity", "platform", "search", "billing", "risk", "data", "edge",
];
const STORES: &[&str] = &["vault", "kms", "ssm"];
const ENVS: &[&str] = &["prod", "staging", "dev"];
const SCOPES: &[&str] = &[
    "read:logs",
    "write:deploy",
    "read:metrics",
    "admin:db",
    "read:s3",
];

fn f(rule: &str, item: &str) -> Finding {
    (rule.to_string(), item.to_string())
}

/// Generates a document. The same arguments give the same bytes.
pub fn generate(size: Size, variant: Variant) -> Workload {
    let (n_secrets, n_accounts) = size.counts();
    let mut rng = Rng(0x6761_7465_2d62_656e); // "gate-ben"
    let dirty = variant == Variant::Dirty;
    let mut expected = Findings::new();

    let digest = format!("sha256:{}", rng.hex(64));
    let artefact = Artefact {
        name: "payments-api".into(),
        kind: "service",
        reference: "ghcr.io/acme/payments-api:1.42.0".into(),
        digest: digest.clone(),
        commit: rng.hex(40),
        built_at: days_ago(&mut rng, 0, 1),
    };

    let mut approvals = Vec::new();
    for (i, role) in ["security", "owner", "ops", "qa"].into_iter().enumerate() {
        let mut state = "approved";
        let mut artefact_digest = digest.clone();
        if dirty && role == "ops" {
            state = "pending";
            expected.insert(f("approvals-complete", "ops"));
        }
        if dirty && role == "owner" {
            artefact_digest = format!("sha256:{}", rng.hex(64));
            expected.insert(f("approvals-digest", "owner"));
        }
        approvals.push(Approval {
            id: format!("apr-{}", i + 1),
            role,
            state,
            approver: format!("u-{}", 20000 + rng.below(1000)),
            artefact_digest,
            approved_at: days_ago(&mut rng, 0, 3),
            comment: "reviewed the change set and the threat model".into(),
        });
    }

    let mut secrets = Vec::with_capacity(n_secrets);
    for i in 0..n_secrets {
        let id = format!("sec-{i:06}");
        let mut vaulted = true;
        let mut rotated_at = days_ago(&mut rng, 0, 80);
        if (dirty && i % 97 == 13) || (variant == Variant::Flood && i % 2 == 0) {
            vaulted = false;
            expected.insert(f("secrets-vaulted", &id));
        }
        if dirty && i % 89 == 7 {
            rotated_at = days_ago(&mut rng, 100, 400);
            expected.insert(f("secrets-rotated", &id));
        }
        let team = rng.pick(TEAMS);
        secrets.push(Secret {
            path: format!("kv/{team}/svc-{}", rng.below(100_000)),
            id,
            store: rng.pick(STORES),
            vaulted,
            version: 1 + rng.below(40) as u32,
            rotated_at,
            env: rng.pick(ENVS),
        });
    }

    let mut accounts = Vec::with_capacity(n_accounts);
    for j in 0..n_accounts {
        let id = format!("sa-{j:05}");
        let team = rng.pick(TEAMS);
        let mut owner = Owner::Team(format!("team-{team}"));
        if dirty && j % 53 == 5 {
            owner = match (j / 53) % 3 {
                0 => Owner::Null,
                1 => Owner::Team(String::new()),
                _ => Owner::Absent,
            };
            expected.insert(f("accounts-owned", &id));
        }
        let privileged = j % 7 == 0;
        let mut last_review_at = Some(days_ago(&mut rng, 0, 80));
        if dirty && privileged && (j / 7) % 3 == 1 {
            // Stale, or never reviewed.
            last_review_at = if (j / 21) % 2 == 0 {
                Some(days_ago(&mut rng, 100, 300))
            } else {
                None
            };
            expected.insert(f("privileged-reviewed", &id));
        } else if !privileged && j % 5 == 0 {
            // Unprivileged accounts need no review: some never had one.
            last_review_at = None;
        }
        let n_scopes = 1 + rng.below(3) as usize;
        let scopes = (0..n_scopes).map(|_| rng.pick(SCOPES)).collect();
        accounts.push(Account {
            display_name: format!("{team} automation {j}"),
            id,
            owner,
            privileged,
            scopes,
            last_review_at,
            created_at: days_ago(&mut rng, 100, 1000),
        });
    }

    let deployment = Deployment {
        strategy: "canary",
        rollback: Rollback {
            planned: true,
            tested: !dirty,
            runbook: "https://runbooks.example/payments-api/rollback".into(),
        },
        monitoring: Monitoring {
            destination: if dirty { "email" } else { "siem" },
            dashboard: "https://grafana.example/d/payments-api".into(),
        },
        oncall: if dirty {
            None
        } else {
            Some("payments-primary".into())
        },
    };
    if dirty {
        expected.insert(f("rollback-ready", "deployment.rollback"));
        expected.insert(f("monitoring-siem", "deployment.monitoring"));
        expected.insert(f("oncall-set", "deployment.oncall"));
    }

    let doc = Doc {
        schema_version: "bench/1",
        evaluated_at: EVALUATED_AT,
        release: Release {
            id: "rel-4521".into(),
            pipeline: "payments-api/release".into(),
            triggered_by: "u-10231".into(),
            started_at: days_ago(&mut rng, 0, 1),
        },
        artefact,
        approvals,
        secrets,
        service_accounts: accounts,
        deployment,
    };
    let json = serde_json::to_vec(&doc).unwrap_or_default();
    Workload {
        size,
        variant,
        json,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_planted() {
        let a = generate(Size::Small, Variant::Dirty);
        let b = generate(Size::Small, Variant::Dirty);
        assert_eq!(a.json, b.json);
        assert!(a.expected.len() >= 8);
        assert!(generate(Size::Small, Variant::Clean).expected.is_empty());
    }
}
