//! Formatter round trip: a file that parses without errors must format
//! (never an internal error), parse again to the same tree, and format to
//! itself.
#![no_main]

use gate_lang::format::{format_source, FormatError};
use gate_lang::parser::{parse_file_full, ParseOptions};
use gate_lang::span::SourceId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_file_full(SourceId(0), text, ParseOptions::default());
    let out = match format_source(text) {
        Ok(out) => out,
        Err(FormatError::Syntax(errors)) => {
            assert!(
                !parsed.errors.is_empty(),
                "format_source saw syntax errors the parser did not"
            );
            assert!(!errors.is_empty());
            return;
        }
        Err(FormatError::Internal(why)) => panic!("formatter bug: {why}\n--- input:\n{text}"),
    };
    assert!(
        parsed.errors.is_empty(),
        "a file with syntax errors was formatted"
    );
    let again = parse_file_full(SourceId(0), &out, ParseOptions::default());
    assert!(again.errors.is_empty(), "the output does not parse:\n{out}");
    assert_eq!(
        again.file, parsed.file,
        "the output parses to another tree:\n{out}"
    );
    let comments = |p: &gate_lang::parser::Parsed| -> Vec<String> {
        p.comments
            .iter()
            .map(|c| c.text.trim_end().to_string())
            .collect()
    };
    assert_eq!(
        comments(&again),
        comments(&parsed),
        "comments changed:\n{out}"
    );
    assert!(
        out.is_empty() || out.ends_with('\n'),
        "the output does not end with a newline"
    );
    match format_source(&out) {
        Ok(twice) => assert_eq!(twice, out, "formatting is not idempotent"),
        Err(e) => panic!("the formatted text does not format: {e}\n{out}"),
    }
});
