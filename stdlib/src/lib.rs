//! The gate standard library: modules written in the gate language and
//! embedded in the binary. `import std.NAME` finds them here.
//!
//! ```
//! assert!(gate_stdlib::module("std.time").is_some());
//! assert!(gate_stdlib::module("std.nope").is_none());
//! ```

/// Every standard module: its dotted name and its source text.
pub const MODULES: &[(&str, &str)] = &[
    ("std.time", include_str!("../std/time.gate")),
    ("std.evidence", include_str!("../std/evidence.gate")),
    ("std.secrets", include_str!("../std/secrets.gate")),
    ("std.identity", include_str!("../std/identity.gate")),
    ("std.approvals", include_str!("../std/approvals.gate")),
    ("std.agents", include_str!("../std/agents.gate")),
    ("std.operations", include_str!("../std/operations.gate")),
    ("std.attest", include_str!("../std/attest.gate")),
    ("std.k8s", include_str!("../std/k8s.gate")),
    ("std.aws_iam", include_str!("../std/aws_iam.gate")),
    ("std.trufflehog", include_str!("../std/trufflehog.gate")),
    ("std.gitleaks", include_str!("../std/gitleaks.gate")),
    ("std.sarif", include_str!("../std/sarif.gate")),
    ("std.sbom", include_str!("../std/sbom.gate")),
    ("std.cyclonedx", include_str!("../std/cyclonedx.gate")),
    ("std.spdx", include_str!("../std/spdx.gate")),
    ("std.scorecard", include_str!("../std/scorecard.gate")),
    ("std.github", include_str!("../std/github.gate")),
    ("std.mcp", include_str!("../std/mcp.gate")),
    ("std.vault", include_str!("../std/vault.gate")),
    (
        "std.aws_secretsmanager",
        include_str!("../std/aws_secretsmanager.gate"),
    ),
];

/// The source of the standard module `name` (e.g. `std.time`), if there is one.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}
