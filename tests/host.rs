//! Host functions as a trust boundary: they cannot replace a built-in,
//! and they are called once per distinct arguments in one evaluation
//! (panics: `host_panic.rs`).

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, HostType, HostValue, Options, Policy};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// `days` replaced by a host function would flip `release.gate`: refused,
/// as is a function of a standard module, and a name given twice.
#[test]
fn built_in_and_standard_names_are_refused() {
    for name in [
        "days",
        "len",
        "now",
        "present",
        "rotated_within",
        "is_digest",
    ] {
        let result = Policy::builder()
            .host_function(name, &[HostType::Duration], HostType::Int, |_| {
                Ok(HostValue::Int(0))
            })
            .compile_file(Path::new("../examples/release.gate"));
        let err = result.expect_err(name);
        assert_eq!(err.code(), "E0804", "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    let twice = Policy::builder()
        .host_function("f", &[], HostType::Bool, |_| Ok(HostValue::Bool(true)))
        .host_function("f", &[], HostType::Bool, |_| Ok(HostValue::Bool(true)))
        .compile_source("g.gate", "gate g {}\nrule r { require f() }\n");
    assert_eq!(twice.unwrap_err().code(), "E0804");
}

/// Once per distinct arguments, in one evaluation, explanations included;
/// again in the next evaluation.
#[test]
fn a_host_function_is_called_once_per_distinct_arguments() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let policy = Policy::builder()
        .host_function(
            "approved",
            &[HostType::String],
            HostType::Bool,
            move |args| {
                counted.fetch_add(1, Ordering::SeqCst);
                match args {
                    [HostValue::String(v)] => Ok(HostValue::Bool(v.starts_with("acme"))),
                    _ => Err("expected one string".into()),
                }
            },
        )
        .compile_source(
            "v.gate",
            "gate v {}\nevidence { vendors: [string] }\n\
             rule a { require vendors.all(v => approved(v)) else \"{v} is not approved\" }\n\
             rule b { require vendors.filter(v => approved(v)).len() == vendors.len() }\n",
        )
        .unwrap();
    let evidence = Evidence::from_json_str(
        "e.json",
        r#"{"vendors": ["acme", "evil", "acme", "evil", "other"]}"#,
    )
    .unwrap();
    let d = policy.evaluate(&evidence, &Options::default());
    assert_eq!(d.counts.fail, 2, "{}", d.to_json());
    assert_eq!(calls.load(Ordering::SeqCst), 3, "acme, evil, other");
    let _ = policy.evaluate(&evidence, &Options::default());
    assert_eq!(calls.load(Ordering::SeqCst), 6);
}
