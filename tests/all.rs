//! The end-to-end tests of gate, one module per subject. Each runs the
//! `gate` command in-process (`gate_tests::gate`) or the library, with the
//! working folder at `tests/`. Run one subject with
//! `cargo test -p gate-tests --test all hostile::`.

mod attestations;
mod bundles;
mod canaries;
mod controls;
mod controls_doc;
mod corpus;
mod diff;
mod differential;
mod docs;
mod evidence_shapes;
mod fastload;
mod fixtures;
mod fmt;
mod formats;
mod host;
mod hostile;
mod lint;
mod lsp;
mod metering;
mod pipelines;
mod policy_tests;
mod properties;
mod public_api;
mod public_surface;
mod realdata;
mod records;
mod repl;
mod schema_infer;
mod serde_json_untouched;
mod stdlib_docs;
mod stdlib_modules;
