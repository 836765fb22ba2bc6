//! A deploy bot that asks gate whether a release may be promoted.
//!
//! It compiles the release gate once at start-up, registers a host function
//! (the bot's own registry of approved artefact registries), and for each
//! promotion request evaluates the evidence and either promotes or refuses,
//! printing the explanation. See `docs/embedding.md`.
//!
//! ```text
//! cargo run -p deploy-bot -- examples/deploy-bot.gate examples/evidence/release-fail.json
//! ```

use gate_eval::{Evidence, HostType, HostValue, Options, Policy};
use std::path::Path;
use std::process::ExitCode;

/// Registries the bot deploys from.
const TRUSTED_REGISTRIES: &[&str] = &["ghcr.io/acme/", "registry.acme.example/"];

/// What the bot decided and why.
pub struct Verdict {
    /// Whether the promotion may go ahead.
    pub promote: bool,
    /// A message for the chat channel.
    pub message: String,
}

/// Builds the policy the bot uses: the gate plus the bot's host functions.
pub fn policy(path: &Path) -> Result<Policy, gate_eval::Error> {
    Policy::builder()
        .host_function(
            "trusted_registry",
            &[HostType::String],
            HostType::Bool,
            |args| match args {
                [HostValue::String(reference)] => Ok(HostValue::Bool(
                    TRUSTED_REGISTRIES.iter().any(|r| reference.starts_with(r)),
                )),
                _ => Err("expected one string".into()),
            },
        )
        .compile_file(path)
}

/// Decides one promotion.
pub fn decide(policy: &Policy, evidence_json: &str) -> Result<Verdict, gate_eval::Error> {
    let evidence = Evidence::from_json_str("promotion-request", evidence_json)?;
    let decision = policy.evaluate(&evidence, &Options::default());
    let mut message = format!(
        "gate `{}`: {}\n",
        decision.gate.name,
        decision.outcome.as_str()
    );
    for rule in decision
        .rules
        .iter()
        .filter(|r| !r.failures.is_empty() || !r.errors.is_empty())
    {
        message.push_str(&format!(
            "  {} {}\n",
            rule.id,
            rule.title.as_deref().unwrap_or("")
        ));
        for f in &rule.failures {
            message.push_str(&format!(
                "    - {} (at {}, found {})\n",
                f.message,
                f.path.as_deref().unwrap_or("?"),
                f.actual
            ));
        }
        for e in &rule.errors {
            message.push_str(&format!("    - error {}: {}\n", e.code, e.message));
        }
    }
    // The bot accepts warnings (a `warn` rule is advice); `fail` and
    // `error` never promote.
    let promote = decision.permits_with_warnings();
    Ok(Verdict { promote, message })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(gate), Some(evidence)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: deploy-bot GATE EVIDENCE.json");
        return ExitCode::from(2);
    };
    let policy = match policy(Path::new(gate)) {
        Ok(p) => p,
        Err(gate_eval::Error::Policy(e)) => {
            eprint!("{}", e.render(false, 100));
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(evidence) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {evidence}: {e}");
            return ExitCode::from(2);
        }
    };
    match decide(&policy, &text) {
        Ok(v) if v.promote => {
            println!("promoting: {}", v.message);
            ExitCode::SUCCESS
        }
        Ok(v) => {
            println!("refusing the promotion: {}", v.message);
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release() -> Policy {
        policy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy-bot.gate")).unwrap()
    }

    fn evidence(name: &str) -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../evidence")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn refuses_a_failing_release_and_says_why() {
        let v = decide(&release(), &evidence("release-fail.json")).unwrap();
        assert!(!v.promote);
        assert!(v.message.contains("STRIPE_API_KEY"), "{}", v.message);
    }

    #[test]
    fn promotes_a_clean_release() {
        let v = decide(&release(), &evidence("release-pass.json")).unwrap();
        assert!(v.promote, "{}", v.message);
    }
}
