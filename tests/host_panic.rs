//! A panic in a host function is the rule's error and is printed nowhere.
//! A test binary of its own: it sets the process's panic hook.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_eval::{Evidence, HostType, Options, Policy};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A panic in a host function is the rule's error with the panic's
/// message; the panic hook of the program is not called for it (nothing is
/// printed), and is still called for every other panic.
#[test]
fn a_panic_is_an_error_and_is_not_printed() {
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    std::panic::set_hook(Box::new(|_| {
        SEEN.fetch_add(1, Ordering::SeqCst);
    }));
    let policy = Policy::builder()
        .host_function("explode", &[], HostType::Bool, |_| panic!("kaboom"))
        .compile_source("p.gate", "gate p {}\nrule r { require explode() }\n")
        .unwrap();
    let d = policy.evaluate(
        &Evidence::from_json_str("e", "{}").unwrap(),
        &Options::default(),
    );
    assert!(!d.permits());
    assert_eq!(d.outcome.as_str(), "error");
    let e = &d.rules[0].errors[0];
    assert_eq!(e.code, "E0608");
    assert!(e.message.contains("kaboom"), "{}", e.message);
    assert_eq!(
        SEEN.load(Ordering::SeqCst),
        0,
        "the hook saw the host's panic"
    );
    let outside = std::panic::catch_unwind(|| panic!("elsewhere"));
    assert!(outside.is_err());
    assert_eq!(
        SEEN.load(Ordering::SeqCst),
        1,
        "other panics still reach the hook"
    );
    let _ = std::panic::take_hook();
}
