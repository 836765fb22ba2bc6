//! How long the language server takes to answer an edit: from a
//! `textDocument/didChange` of `examples/production-readiness.gate` (the
//! largest example gate) to its `textDocument/publishDiagnostics`, and a
//! hover in it. And how the answers that read every name of a file grow
//! with it: semantic tokens and find references of a generated gate of
//! 500, 1000 and 2000 rules (a time that doubles with the rules is linear).
//! In process, over `lsp_server::Connection::memory`.
//!
//! `cargo bench -p gate-cli --bench lsp`; CI only builds it. The numbers
//! are in docs/performance.md.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;
use std::path::Path;

fn edits(c: &mut Criterion) {
    let path = std::fs::canonicalize(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/production-readiness.gate"),
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = gate_cli::lsp::text::path_to_uri(&path)
        .unwrap()
        .as_str()
        .to_string();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || gate_cli::lsp::serve(&server));
    let send = |m: Message| client.sender.send(m).unwrap();
    send(
        Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({"capabilities": {}}),
        )
        .into(),
    );
    client.receiver.recv().unwrap();
    send(Notification::new("initialized".into(), json!({})).into());
    let diagnostics = || loop {
        if let Message::Notification(n) = client.receiver.recv().unwrap() {
            if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri.as_str() {
                return n;
            }
        }
    };
    send(
        Notification::new(
            "textDocument/didOpen".into(),
            json!({"textDocument": {"uri": uri, "languageId": "gate", "version": 1, "text": text}}),
        )
        .into(),
    );
    diagnostics();
    let mut version = 1;
    c.bench_function(
        "lsp: edit production-readiness.gate, diagnostics back",
        |b| {
            b.iter(|| {
                version += 1;
                // A one-character edit at the end (a comment), as typing does.
                let change = json!({
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": format!("{text}# {version}\n")}],
                });
                send(Notification::new("textDocument/didChange".into(), change).into());
                diagnostics()
            })
        },
    );
    let line = text.lines().position(|l| l.contains("require")).unwrap();
    let col = text.lines().nth(line).unwrap().find("require").unwrap() + 9;
    let mut id = 10;
    c.bench_function("lsp: hover in production-readiness.gate", |b| {
        b.iter(|| {
            id += 1;
            let at =
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}});
            send(Request::new(RequestId::from(id), "textDocument/hover".into(), at).into());
            loop {
                if let Message::Response(r) = client.receiver.recv().unwrap() {
                    break r;
                }
            }
        })
    });
    send(Request::new(RequestId::from(2), "shutdown".into(), ()).into());
    send(Notification::new("exit".into(), ()).into());
    thread.join().unwrap().unwrap();
}

/// A gate of `rules` rules, each reading the same fields and `def`.
fn generated(rules: usize) -> String {
    let mut text = String::from(
        "gate big { title \"Big\" }\n\nrecord Secret {\n  name: string\n  vaulted: bool\n  age: int\n}\n\nevidence {\n  secrets: [Secret]\n  limit: int\n}\n\ndef fresh(s: Secret) -> bool = s.age < limit and s.vaulted\n",
    );
    for i in 0..rules {
        text.push_str(&format!(
            "\nrule R{i} \"Rule {i}\" {{\n  severity warn\n  require secrets.all(vaulted and fresh(it) and name != \"x{i}\" and age < {i})\n    else \"secret {{name}} is old\"\n}}\n"
        ));
    }
    text
}

fn large_files(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("gate-bench-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || gate_cli::lsp::serve(&server));
    let send = |m: Message| client.sender.send(m).unwrap();
    let mut id = 100;
    let mut request = |method: &str, params: serde_json::Value| {
        id += 1;
        send(Request::new(RequestId::from(id), method.into(), params).into());
        loop {
            if let Message::Response(r) = client.receiver.recv().unwrap() {
                break r;
            }
        }
    };
    request("initialize", json!({"capabilities": {}}));
    send(Notification::new("initialized".into(), json!({})).into());
    let mut group = c.benchmark_group("lsp: a generated gate");
    group.sample_size(10);
    for rules in [500, 1000, 2000] {
        let path = dir.join(format!("big{rules}.gate"));
        let text = generated(rules);
        std::fs::write(&path, &text).unwrap();
        let uri = gate_cli::lsp::text::path_to_uri(&path)
            .unwrap()
            .as_str()
            .to_string();
        send(
            Notification::new(
                "textDocument/didOpen".into(),
                json!({"textDocument": {"uri": uri, "languageId": "gate", "version": 1, "text": text}}),
            )
            .into(),
        );
        let doc = json!({"uri": uri});
        group.bench_function(format!("semantic tokens, {rules} rules"), |b| {
            b.iter(|| {
                request(
                    "textDocument/semanticTokens/full",
                    json!({"textDocument": doc}),
                )
            })
        });
        // References of the field `vaulted` from its declaration: one per rule.
        let refs = json!({"textDocument": doc, "position": {"line": 4, "character": 3},
            "context": {"includeDeclaration": true}});
        let found = request("textDocument/references", refs.clone());
        assert_eq!(
            found
                .response_result
                .as_ref()
                .ok()
                .and_then(|r| r.as_array())
                .map(Vec::len),
            Some(rules + 2)
        );
        group.bench_function(format!("references, {rules} rules"), |b| {
            b.iter(|| request("textDocument/references", refs.clone()))
        });
    }
    group.finish();
    request("shutdown", json!(null));
    send(Notification::new("exit".into(), ()).into());
    thread.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, edits, large_files);
criterion_main!(benches);
