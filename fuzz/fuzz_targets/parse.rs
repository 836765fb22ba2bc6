//! Lexer and parser: any bytes, read as text (lossily, so every input
//! reaches the lexer), must lex and parse without panicking, and every
//! syntax error must point inside the text.
#![no_main]

use gate_lang::parser::{parse_expr, parse_file_full, ParseOptions};
use gate_lang::span::{SourceId, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;

    let tokens = gate_lang::lexer::tokens(text);
    let mut last = 0;
    for (_, range) in &tokens {
        assert!(range.start >= last && range.start <= range.end && range.end <= text.len());
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        last = range.end;
    }

    let mut sources = SourceMap::new();
    let id = sources.add("fuzz.gate", text);
    let parsed = parse_file_full(id, text, ParseOptions::default());
    gate_fuzz::assert_error_spans(&parsed.errors, &sources);
    for c in &parsed.comments {
        assert!(text
            .get(c.start..)
            .is_some_and(|rest| rest.starts_with('#')));
    }
    // The same file with a tight nesting limit.
    let shallow = parse_file_full(id, text, ParseOptions { max_depth: 4 });
    gate_fuzz::assert_error_spans(&shallow.errors, &sources);

    // Expressions on their own (templates, the REPL), at an offset.
    if text.len() < 4096 {
        let mut map = SourceMap::new();
        let pad = "x".repeat(7);
        let eid = map.add("expr", format!("{pad}{text}"));
        if let Err(errors) = parse_expr(eid, text, pad.len()) {
            gate_fuzz::assert_error_spans(&errors, &map);
        }
    }
    let _ = SourceId(0);
});
