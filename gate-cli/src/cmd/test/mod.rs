//! `gate test`: policy tests, written beside the policies.
//!
//! A test file (`release.test.yaml` beside `release.gate`) lists cases: the
//! evidence (files, an inline document, a JSON merge patch over them),
//! waivers, a clock, and what the decision must be. `gate test` runs every
//! case exactly as `gate check` would and reports the differences; with
//! `--coverage` it also reports which rules, `require` lines and conditions
//! the cases exercised. The format is documented in `docs/testing.md`.
//!
//! Other tools can drive the same machinery:
//!
//! ```
//! use gate_cli::cmd::test::{discover, load_suite, run_suite};
//! for file in discover(&["../examples".into()]).unwrap() {
//!     let suite = load_suite(&file).unwrap();
//!     let result = run_suite(&suite, false);
//!     for case in &result.cases {
//!         // The decision the policy made for this case.
//!         let decision = case.decision.as_ref().unwrap();
//!         assert!(!decision.rules.is_empty());
//!     }
//! }
//! ```
//!
//! - [`suite`]: the format, discovery and loading;
//! - [`patch`]: JSON merge patch;
//! - [`run`]: running cases and comparing;
//! - [`report`]: the human and JSON reports, coverage by policy.

pub mod ci;
pub mod patch;
pub mod report;
pub mod run;
pub mod suite;

pub use patch::merge_patch;
pub use run::{run_suite, CaseResult, CaseStatus, Mismatch, SuiteResult};
pub use suite::{
    discover, load_suite, load_suite_within, Case, CaseEvidence, Expect, Expected, FileError,
    Suite, SuiteError,
};

use crate::cli::{ResultFormat, TestArgs};
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use report::FileReport;

/// Runs `gate test`.
pub fn run(args: TestArgs, out: &Output, io: &mut Io) -> Exit {
    // A bundle's files are unpacked, checked, into a folder of their own
    // (removed when `unpacked` goes).
    let (paths, unpacked) = match crate::cmd::bundle::unpack(&args.paths, &args.require, out, io) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let files = match discover(&paths) {
        Ok(f) => f,
        Err(e) => {
            render::tool_error(out, io, e.code, &e.describe());
            return Exit::Error;
        }
    };
    if files.is_empty() {
        render::tool_error(
            out,
            io,
            "E0929",
            "no test files found (files named `*.test.yaml`, `.test.yml`, `.test.json` or `.test.toml`)",
        );
        return Exit::Error;
    }
    let reports: Vec<FileReport> = files
        .into_iter()
        .map(
            |file| match load_suite_within(&file, crate::cmd::bundle::root_of(&file, &unpacked)) {
                Ok(suite) => FileReport::Ran(run_suite(&suite, args.coverage)),
                Err(errors) => FileReport::Errors { file, errors },
            },
        )
        .collect();
    let coverage = report::coverage_by_policy(&reports);
    if args.format == ResultFormat::Human {
        let errors = report::errors_text(&reports, out);
        if !errors.is_empty() {
            io.err(&errors);
        }
    }
    let text = |format: ResultFormat, out: &Output| match format {
        ResultFormat::Human => Ok(report::human(&reports, &coverage, out)),
        ResultFormat::Json => Ok(report::json(&reports, &coverage, args.coverage)),
        ResultFormat::Sarif => ci::sarif(&reports).map_err(|e| format!("cannot write SARIF: {e}")),
        ResultFormat::Junit => {
            ci::junit(&reports).map_err(|e| format!("cannot write JUnit XML: {e}"))
        }
    };
    let files: Vec<_> = args.output.iter().map(|(f, p)| (*f, p.as_path())).collect();
    if !render::write_reports(Some(args.format), &files, &text, out, io) {
        return Exit::Error;
    }
    let t = report::totals(&reports);
    if t.errors > 0 || t.files_with_errors > 0 {
        Exit::Error
    } else if t.failed > 0 {
        Exit::Fail
    } else {
        Exit::Pass
    }
}
