//! The documentation stays true: every error code is documented, and the
//! README's example is a real, checked gate.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

fn codes_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('"') {
        let rest = &bytes[i + 1..];
        if rest.len() >= 6
            && (rest[0] == b'E' || rest[0] == b'W')
            && rest[1..5].iter().all(u8::is_ascii_digit)
            && rest[5] == b'"'
        {
            out.insert(String::from_utf8_lossy(&rest[..5]).into_owned());
        }
    }
    out
}

#[test]
fn every_error_code_is_documented() {
    let docs = std::fs::read_to_string("../docs/errors.md").unwrap();
    let mut sources = String::new();
    for dir in ["../gate-lang/src", "../gate-eval/src", "../gate-cli/src"] {
        for f in gate_tests::files(std::path::Path::new(dir), "rs") {
            sources.push_str(&std::fs::read_to_string(f).unwrap());
        }
    }
    let codes = codes_in(&sources);
    assert!(codes.len() > 40, "found only {} codes", codes.len());
    let missing: Vec<_> = codes
        .iter()
        .filter(|c| !docs.contains(&format!("| {c} |")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/errors.md: {missing:?}"
    );
}

#[test]
fn readme_example_is_a_checked_gate() {
    let readme = std::fs::read_to_string("../README.md").unwrap();
    let start = readme.find("```gate\n").unwrap() + "```gate\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let example = &readme[start..end];
    let file = std::fs::read_to_string("../examples/quickstart.gate").unwrap();
    assert_eq!(
        example, file,
        "README example and examples/quickstart.gate differ"
    );
    gate_lang::compile_file(std::path::Path::new("../examples/quickstart.gate"))
        .unwrap_or_else(|e| panic!("{}", e.render(false, 100)));
}

#[test]
fn cli_doc_example_is_real_output() {
    let doc = std::fs::read_to_string("../docs/cli.md").unwrap();
    let start = doc.find("### Example\n\n```\n").unwrap() + "### Example\n\n```\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let block = &doc[start..end];
    let mut lines = block.lines();
    let command = lines.next().unwrap().strip_prefix("$ gate ").unwrap();
    let args: Vec<String> = command
        .split_whitespace()
        .map(|a| {
            if a.ends_with(".gate") || a.ends_with(".json") {
                format!("../{a}")
            } else {
                a.to_string()
            }
        })
        .chain(["--color".to_string(), "never".to_string()])
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = gate_tests::gate(&args, "");
    let actual = run.stdout.replace("../examples/", "examples/");
    // Every shown line appears, in order; `…` stands for lines left out.
    let mut rest = actual.as_str();
    for line in lines.take_while(|l| !l.starts_with("$ ")) {
        if line == "…" {
            continue;
        }
        match rest.find(line) {
            Some(i) => rest = &rest[i + line.len()..],
            None => panic!("docs/cli.md shows a line the command does not print:\n{line}\n\nactual output:\n{actual}"),
        }
    }
    assert_eq!(run.code, 1);
}
