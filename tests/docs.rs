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

/// Runs one documented command line (`gate …` or `echo '…' | gate …`) from
/// the repository root's point of view.
fn run_documented(command: &str) -> gate_tests::Run {
    let (stdin, command) = match command.strip_prefix("echo '") {
        Some(rest) => {
            let (text, rest) = rest.split_once("' | ").unwrap();
            (format!("{text}\n"), rest)
        }
        None => (String::new(), command),
    };
    let command = command.strip_prefix("gate ").unwrap();
    // Files the command writes under /tmp go to a fresh folder.
    let scratch = std::env::temp_dir().join(format!("gate-docs-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let scratch = scratch.to_str().unwrap().to_string();
    // Files of the repository, also as `NAME=FILE` or in a glob.
    let in_repo = |p: &str| {
        ["examples/", "tests/", "docs/", "stdlib/"]
            .iter()
            .any(|d| p.starts_with(d))
    };
    let args: Vec<String> = command
        .split_whitespace()
        // `'tools=dir/*.json'`: quoted for the shell.
        .map(|a| {
            a.strip_prefix('\'')
                .and_then(|a| a.strip_suffix('\''))
                .unwrap_or(a)
        })
        .map(|a| {
            if let Some(rest) = a.strip_prefix("/tmp/") {
                let _ = std::fs::remove_file(format!("{scratch}/{rest}.key"));
                let _ = std::fs::remove_file(format!("{scratch}/{rest}.pub"));
                format!("{scratch}/{rest}")
            } else if std::path::Path::new("..").join(a).exists() && !a.starts_with('-') {
                format!("../{a}")
            } else if let Some((name, file)) = a
                .split_once('=')
                .filter(|(_, f)| std::path::Path::new("..").join(f).exists())
            {
                format!("{name}=../{file}")
            } else if in_repo(a) {
                format!("../{a}")
            } else if let Some((name, file)) = a.split_once('=').filter(|(_, f)| in_repo(f)) {
                format!("{name}=../{file}")
            } else {
                a.to_string()
            }
        })
        .chain(["--color".to_string(), "never".to_string()])
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut run = gate_tests::gate(&args, &stdin);
    run.stdout = run.stdout.replace(&scratch, "/tmp");
    run.stderr = run.stderr.replace(&scratch, "/tmp");
    run
}

/// Every `### Example` of docs/cli.md is a real run: each shown line is
/// printed, in order (`…` stands for lines left out), and `echo $?` shows
/// the real exit code.
#[test]
fn cli_doc_examples_are_real_output() {
    let examples = doc_examples_are_real_output("cli.md");
    assert!(
        examples >= 9,
        "only {examples} examples found in docs/cli.md"
    );
}

/// The same of docs/attestations.md, and its gate compiles.
#[test]
fn attestation_doc_examples_are_real_output() {
    let examples = doc_examples_are_real_output("attestations.md");
    assert!(
        examples >= 6,
        "only {examples} examples found in docs/attestations.md"
    );
    let doc = std::fs::read_to_string("../docs/attestations.md").unwrap();
    let start = doc.find("```gate\n").unwrap() + "```gate\n".len();
    let end = start + doc[start..].find("```").unwrap();
    if let Err(e) = gate_lang::compile_source("example.gate", &doc[start..end]) {
        panic!("{}", e.render(false, 100));
    }
}

/// docs/real-data.md walks three real files from `gate schema infer` to
/// `gate check`: every command it shows prints what it shows.
#[test]
fn real_data_doc_examples_are_real_output() {
    let examples = doc_examples_are_real_output("real-data.md");
    assert!(
        examples >= 9,
        "only {examples} examples found in docs/real-data.md"
    );
}

/// Every module of docs/stdlib.md with a `#### Worked example`: its gate is
/// the file of `examples/` that its command checks, and the command prints
/// what the doc shows.
#[test]
fn stdlib_worked_examples_are_real_output() {
    let doc = std::fs::read_to_string("../docs/stdlib.md").unwrap();
    let mut worked = 0;
    for part in doc.split("#### Worked example\n").skip(1) {
        let start = part.find("```gate\n").unwrap() + "```gate\n".len();
        let end = start + part[start..].find("```").unwrap();
        let shown = &part[start..end];
        let command = part[end..]
            .lines()
            .find(|l| l.starts_with("$ gate "))
            .unwrap_or_else(|| panic!("a worked example without a command:\n{shown}"));
        let file = command
            .split_whitespace()
            .find(|a| a.starts_with("examples/") && a.ends_with(".gate"))
            .unwrap_or_else(|| panic!("{command} checks no gate of examples/"));
        let text = std::fs::read_to_string(format!("../{file}")).unwrap();
        assert_eq!(shown, text, "docs/stdlib.md shows another gate than {file}");
        worked += 1;
    }
    let examples = doc_examples_are_real_output("stdlib.md");
    assert!(
        worked >= 1 && examples >= worked,
        "{worked} worked examples, {examples} commands"
    );
    // Every format module of the table has one.
    let modules = &doc[doc.find("| Module | Reads |").unwrap()..];
    let modules = &modules[..modules.find("\n\n").unwrap()];
    let mut formats = 0;
    for row in modules.lines().skip(2) {
        let name = row.split('`').nth(1).unwrap();
        let start = doc.find(&format!("### `{name}`\n")).unwrap();
        let section = &doc[start + 4..];
        let section = &section[..section.find("\n### ").unwrap_or(section.len())];
        assert!(
            section.contains("#### Worked example\n"),
            "{name} has no worked example in docs/stdlib.md"
        );
        formats += 1;
    }
    assert!(formats >= 12, "only {formats} format modules in the table");
}

/// Runs every `### Example` of `docs/NAME`; how many commands it ran.
fn doc_examples_are_real_output(name: &str) -> usize {
    let doc = std::fs::read_to_string(format!("../docs/{name}")).unwrap();
    let mut examples = 0;
    let mut rest_doc = doc.as_str();
    while let Some(i) = rest_doc.find("Example\n\n```\n") {
        let start = i + "Example\n\n```\n".len();
        let end = start + rest_doc[start..].find("\n```").unwrap();
        let block = &rest_doc[start..end];
        rest_doc = &rest_doc[end..];
        let mut lines = block.lines().peekable();
        let mut last: Option<gate_tests::Run> = None;
        while let Some(line) = lines.next() {
            let command = line
                .strip_prefix("$ ")
                .unwrap_or_else(|| panic!("expected a command in docs/{name}, found {line:?}"));
            let shown: Vec<&str> =
                std::iter::from_fn(|| lines.next_if(|l| !l.starts_with("$ "))).collect();
            if command == "echo $?" {
                let run = last.as_ref().unwrap();
                assert_eq!(
                    shown,
                    [run.code.to_string().as_str()],
                    "docs/{name} shows the wrong exit code after {}",
                    run.stdout
                );
                continue;
            }
            examples += 1;
            let run = run_documented(command);
            // Warnings on standard error come first, as on a terminal.
            let actual = format!("{}{}", run.stderr, run.stdout)
                .replace("../examples/", "examples/")
                .replace("../tests/", "tests/");
            let mut rest = actual.as_str();
            // `…` inside a line stands for text left out (a digest).
            for part in shown.iter().flat_map(|l| l.split('…')) {
                if part.is_empty() {
                    continue;
                }
                match rest.find(part) {
                    Some(i) => rest = &rest[i + part.len()..],
                    None => panic!(
                        "docs/{name} shows a line `{command}` does not print:\n{part}\n\nactual output:\n{actual}\nstderr:\n{}",
                        run.stderr
                    ),
                }
            }
            last = Some(run);
        }
    }
    examples
}
