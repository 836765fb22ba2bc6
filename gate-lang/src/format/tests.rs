#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;

/// Formats `src`, checking that formatting again changes nothing.
fn fmt(src: &str) -> String {
    let out = format_source(src).unwrap_or_else(|e| panic!("{e:?}\n{src}"));
    let again = format_source(&out).unwrap();
    assert_eq!(again, out, "not idempotent:\n{out}");
    out
}

#[test]
fn blocks_are_indented_and_short_ones_kept_on_one_line() {
    let out = fmt(
        "gate g { title \"x\" }\n\nrecord R { a: int, b: string }\n\nrule r { require a and b }\n",
    );
    assert_eq!(
        out,
        "gate g { title \"x\" }\n\nrecord R { a: int, b: string }\n\nrule r {\n  require a and b\n}\n"
    );
}

#[test]
fn blocks_written_over_several_lines_stay_broken() {
    let out = fmt("record R {\n  a: int, b: string }\n");
    assert_eq!(out, "record R {\n  a: int\n  b: string\n}\n");
}

#[test]
fn comments_in_rule_bodies() {
    let src =
        "rule r {\n  # first\n  require a # after a\n\n\n  # before b\n  require b\n  # last\n}\n";
    assert_eq!(
        fmt(src),
        "rule r {\n  # first\n  require a # after a\n\n  # before b\n  require b\n  # last\n}\n"
    );
}

#[test]
fn comments_inside_multi_line_expressions() {
    let src = "rule r {\n  require a # why a\n    and b\n    # before c\n    and c\n}\n";
    assert_eq!(
        fmt(src),
        "rule r {\n  require a # why a\n      and b\n      # before c\n      and c\n}\n"
    );
}

#[test]
fn comments_between_else_and_the_message() {
    let out = fmt("rule r {\n  require a else # why\n    \"msg\"\n}\n");
    assert_eq!(out, "rule r {\n  require a # why\n    else \"msg\"\n}\n");
}

#[test]
fn comments_inside_argument_lists_and_brackets() {
    let out = fmt("let X = f(a, # one\n  b)\nlet Y = [ # empty\n]\nlet Z = not # neg\n  a\n");
    assert_eq!(
        out,
        "let X = f(\n  a, # one\n  b\n)\nlet Y = [ # empty\n]\nlet Z =\n  not # neg\n  a\n"
    );
}

#[test]
fn comment_at_end_of_file_without_newline() {
    assert_eq!(fmt("let A = 1\n\n\n# end"), "let A = 1\n\n# end\n");
}

#[test]
fn long_chains_break_one_operand_per_line() {
    let long = "a_fairly_long_name_number_one == 1";
    let src = format!("rule r {{ require {long} and {long} or {long} and {long} }}");
    let out = fmt(&src);
    assert_eq!(
        out,
        format!("rule r {{\n  require {long} and {long}\n      or {long} and {long}\n}}\n")
    );
}

#[test]
fn long_requires_put_else_on_its_own_line() {
    let msg = "x".repeat(90);
    let out = fmt(&format!("rule r {{ require ok else \"{msg}\" }}"));
    assert_eq!(
        out,
        format!("rule r {{\n  require ok\n    else \"{msg}\"\n}}\n")
    );
}

#[test]
fn literals_and_parentheses_are_kept_as_written() {
    let src = "let A = (1_000 + 0x0) \n";
    assert!(format_source(src).is_err(), "0x0 is not a literal");
    let out = fmt("let A = ((1_000)) + 1h30m\nlet B = \"a\\u{41}\\\"\" + r\"raw\\n\"\nlet T = 2026-01-01T00:00:00Z\n");
    assert_eq!(
        out,
        "let A = ((1_000)) + 1h30m\nlet B = \"a\\u{41}\\\"\" + r\"raw\\n\"\nlet T = 2026-01-01T00:00:00Z\n"
    );
}

#[test]
fn optional_of_optional_keeps_its_space() {
    assert_eq!(fmt("record R { a: int? ? }"), "record R { a: int? ? }\n");
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    match format_source("rule r {\n  require a and\n}\n") {
        Err(FormatError::Syntax(errors)) => assert!(!errors.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn map_literals_are_laid_out_as_lists() {
    assert_eq!(
        fmt("let M = {  \"a\" :1,\"b\":  2 }\nlet E = { }\n"),
        "let M = {\"a\": 1, \"b\": 2}\nlet E = {}\n"
    );
    let long = "let OWNERS = {\"payments-api\": \"team-payments\", \"ledger\": \"team-ledger\", \"gateway\": \"team-edge\", \"search\": \"team-search\"}\n";
    assert_eq!(
        fmt(long),
        "let OWNERS = {\n  \"payments-api\": \"team-payments\",\n  \"ledger\": \"team-ledger\",\n  \"gateway\": \"team-edge\",\n  \"search\": \"team-search\"\n}\n"
    );
    let commented = "let M = {\n  \"a\": 1, # first\n  \"b\": 2\n}\n";
    assert_eq!(fmt(commented), commented);
}
