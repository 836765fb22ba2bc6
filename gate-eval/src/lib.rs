//! The gate evaluator: runs a compiled gate over evidence and returns a
//! [`Decision`] with an explanation for every failing predicate.
//!
//! ```
//! use gate_eval::Policy;
//! use serde_json::json;
//!
//! let policy = Policy::from_source("demo.gate", r#"
//!     gate demo { title "Demo" }
//!     record Secret { name: string, vaulted: bool, key name }
//!     evidence { secrets: [Secret] }
//!     rule vaulted {
//!         require secrets.all(vaulted) else "secret {name} is not in a vault"
//!     }
//! "#).unwrap();
//! let decision = policy.evaluate_json(&json!({
//!     "secrets": [{"name": "A", "vaulted": true}, {"name": "B", "vaulted": false}]
//! }));
//! assert_eq!(decision.outcome.as_str(), "fail");
//! let failure = &decision.rules[0].failures[0];
//! assert_eq!(failure.path.as_deref(), Some("/secrets/1/vaulted"));
//! assert_eq!(failure.message, "secret B is not in a vault");
//! ```

pub mod decision;
pub mod error;
mod eval;
pub mod evidence;
pub mod explain;
pub mod value;

pub use decision::{Decision, Outcome, RuleOutcome, RuleResult};
pub use error::Error;
pub use eval::Limits;
pub use gate_lang::{CompileError, SourceMap};

use gate_lang::ir::Program;
use std::path::Path;
use std::sync::Arc;

/// A compiled gate, ready to evaluate any number of evidence documents.
#[derive(Clone, Debug)]
pub struct Policy {
    program: Arc<Program>,
}

impl Policy {
    /// Compiles the gate at `path` and its imports.
    pub fn from_file(path: &Path) -> Result<Policy, CompileError> {
        gate_lang::compile_file(path).map(Policy::from_program)
    }

    /// Compiles a gate given as text.
    pub fn from_source(name: &str, text: &str) -> Result<Policy, CompileError> {
        gate_lang::compile_source(name, text).map(Policy::from_program)
    }

    /// Wraps an already compiled program.
    pub fn from_program(program: Program) -> Policy {
        Policy {
            program: Arc::new(program),
        }
    }

    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The policy's sources, for rendering spans.
    pub fn sources(&self) -> &SourceMap {
        &self.program.sources
    }

    /// Evaluates the gate over a JSON evidence document.
    pub fn evaluate_json(&self, evidence: &serde_json::Value) -> Decision {
        self.evaluate_json_with(evidence, &Limits::default())
    }

    /// [`Policy::evaluate_json`] with explicit limits.
    pub fn evaluate_json_with(&self, evidence: &serde_json::Value, limits: &Limits) -> Decision {
        let typed = evidence::type_evidence(&self.program.schema, evidence, None);
        let prog: &Program = &self.program;
        let mut ev = eval::Eval::new(prog, &typed.root, &typed.issues, limits);
        ev.run_globals();
        let rules: Vec<RuleResult> = prog.rules.iter().map(|r| ev.run_rule(r)).collect();
        let gate = decision::GateMeta {
            name: prog.gate.name.clone(),
            title: prog.gate.title.clone(),
            stage: prog.gate.stage.clone(),
            version: prog.gate.version.clone(),
        };
        Decision::from_rules(gate, rules, typed.issues)
    }
}

/// Parses JSON evidence text, reporting syntax errors with their position.
pub fn parse_json(source: &str, text: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(text).map_err(|e| Error::EvidenceSyntax {
        source: source.to_string(),
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })
}
