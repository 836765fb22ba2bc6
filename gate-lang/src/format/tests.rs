#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;

fn fmt(src: &str) -> String {
    let out = format_source(src).unwrap_or_else(|e| panic!("{e:?}\n{src}"));
    let again = format_source(&out).unwrap();
    assert_eq!(again, out, "not idempotent:\n{out}");
    out
}

#[test]
fn smoke() {
    let out = fmt("gate g { title \"x\" }\nrule r { require a and b }\n");
    assert_eq!(
        out,
        "gate g {\n  title \"x\"\n}\n\nrule r {\n  require a and b\n}\n"
    );
}
