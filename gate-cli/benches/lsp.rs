//! How long the language server takes to answer an edit: from a
//! `textDocument/didChange` of `examples/production-readiness.gate` (the
//! largest example gate) to its `textDocument/publishDiagnostics`, and a
//! hover in it. In process, over `lsp_server::Connection::memory`.
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

criterion_group!(benches, edits);
criterion_main!(benches);
