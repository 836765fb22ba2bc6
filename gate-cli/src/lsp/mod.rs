//! `gate lsp`: a language server over standard input and output (the
//! Language Server Protocol, with `lsp-server` and `lsp-types`).
//!
//! It reuses the compiler and the linter as `gate check` and `gate lint`
//! run them — one parser, one checker — over the documents as the editor
//! has them ([`workspace::Workspace`] reads open documents from memory and
//! the rest from disk). After every change each open document is compiled
//! again, so editing a module re-checks the gates that import it.
//!
//! What it answers: diagnostics (compile errors and warnings, lint
//! findings, each with its code), hover (the type of an expression or
//! field, a built-in's signature and documentation, a rule's severity and
//! controls), go to definition (records, fields, enum values, `let`s,
//! `def`s, rule ids, imports, `std` modules), find references, semantic
//! tokens, completion (fields, built-ins, rule words, control ids), quick
//! fixes ("did you mean", `# lint: allow(…)`), code lenses that run a
//! gate's tests (`gate.runTests`), document symbols and formatting (`gate
//! fmt`). A request that fails is answered with an error; the server does
//! not stop.

mod cache;
mod complete;
mod diagnostics;
mod docs;
mod lens;
mod navigate;
mod resolve;
mod symbols;
pub mod text;
mod tokens;
mod workspace;

use crate::exit::Exit;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    InitializeParams, OneOf, PositionEncodingKind, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use std::collections::BTreeSet;
use std::path::PathBuf;
use text::Encoding;
use workspace::{Document, Workspace};

/// Runs the server on standard input and output until the client says
/// `exit`.
pub fn run(io: &mut crate::io::Io) -> Exit {
    let (connection, threads) = Connection::stdio();
    let result = serve(&connection);
    drop(connection);
    // After `exit` the client may close its end before the last write is
    // done: what matters is that the protocol ended as it should.
    let _ = threads.join();
    match result {
        Ok(()) => Exit::Pass,
        Err(e) => {
            io.err(&format!("error[E0001]: gate lsp: {e}\n"));
            Exit::Error
        }
    }
}

/// Serves one client on `connection`: the handshake, then requests and
/// notifications until `shutdown` and `exit`.
///
/// ```
/// use lsp_server::{Connection, Message, Notification, Request, RequestId};
/// let (server, client) = Connection::memory();
/// let thread = std::thread::spawn(move || gate_cli::lsp::serve(&server));
/// let init = serde_json::json!({"capabilities": {}});
/// client.sender.send(Request::new(RequestId::from(1), "initialize".into(), init).into()).unwrap();
/// let Message::Response(r) = client.receiver.recv().unwrap() else { panic!() };
/// assert!(r.response_result.unwrap()["capabilities"]["hoverProvider"] == true);
/// client.sender.send(Notification::new("initialized".into(), serde_json::json!({})).into()).unwrap();
/// client.sender.send(Request::new(RequestId::from(2), "shutdown".into(), ()).into()).unwrap();
/// client.receiver.recv().unwrap();
/// client.sender.send(Notification::new("exit".into(), ()).into()).unwrap();
/// thread.join().unwrap().unwrap();
/// ```
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = choose_encoding(&params);
    let capabilities = ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(lsp_types::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(lsp_types::ExecuteCommandOptions {
            commands: vec![lens::RUN_TESTS.into()],
            ..lsp_types::ExecuteCommandOptions::default()
        }),
        semantic_tokens_provider: Some(
            lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp_types::SemanticTokensOptions {
                    legend: tokens::legend(),
                    full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..lsp_types::SemanticTokensOptions::default()
                },
            ),
        ),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into()]),
            ..lsp_types::CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": {"name": "gate", "version": env!("CARGO_PKG_VERSION")},
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let lens_refresh = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.code_lens.as_ref())
        .and_then(|c| c.refresh_support)
        .unwrap_or(false);
    let mut server = Server {
        connection,
        workspace: Workspace::default(),
        encoding,
        published: BTreeSet::new(),
        compiled: std::collections::BTreeMap::new(),
        tested: std::collections::BTreeMap::new(),
        lens_refresh,
        next_id: 0,
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                server.request(request);
            }
            Message::Notification(n) => {
                if n.method == note::Exit::METHOD {
                    return Ok(());
                }
                server.notification(n);
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// UTF-8 positions when the client offers them (no conversion), else the
/// protocol's UTF-16.
fn choose_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// The server's state between messages.
struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    encoding: Encoding,
    /// The files diagnostics were last published for (to clear them).
    published: BTreeSet<PathBuf>,
    /// The last program of each open document that compiled.
    compiled: std::collections::BTreeMap<PathBuf, gate_lang::Program>,
    /// How the last run of each test file a lens ran ended.
    tested: std::collections::BTreeMap<PathBuf, lens::Counts>,
    /// Whether the client asks for lenses again when told to.
    lens_refresh: bool,
    /// The id of the last request the server sent.
    next_id: i32,
}

/// A request that cannot be answered: its error code and message.
type Failure = (ErrorCode, String);

impl Server<'_> {
    fn send(&self, message: Message) {
        // The client has gone when this fails; the loop ends with it.
        let _ = self.connection.sender.send(message);
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        // A bug in a handler answers that request with an error; the
        // server goes on.
        let answered =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(request)));
        let response = match answered {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "gate lsp: internal error while answering (please report it)".into(),
            ),
        };
        self.send(response.into());
    }

    fn answer(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        fn params<P: serde::de::DeserializeOwned>(r: Request) -> Result<P, Failure> {
            serde_json::from_value(r.params)
                .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
        }
        let json = |v: Result<serde_json::Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match request.method.as_str() {
            req::HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(request)?;
                let at = &p.text_document_position_params;
                let hover = self.with_document(&at.text_document.uri, |ws, path, doc, enc| {
                    navigate::hover(ws, path, doc, at.position, enc)
                })?;
                json(serde_json::to_value(hover))
            }
            req::GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(request)?;
                let at = &p.text_document_position_params;
                let found = self.with_document(&at.text_document.uri, |ws, path, doc, enc| {
                    navigate::definition(ws, path, doc, at.position, enc)
                })?;
                json(serde_json::to_value(
                    found.map(lsp_types::GotoDefinitionResponse::Scalar),
                ))
            }
            req::References::METHOD => {
                let p: lsp_types::ReferenceParams = params(request)?;
                let at = &p.text_document_position;
                let with_declaration = p.context.include_declaration;
                let found = self.with_document(&at.text_document.uri, |ws, path, doc, enc| {
                    navigate::references(ws, path, doc, at.position, enc, with_declaration)
                })?;
                json(serde_json::to_value(found))
            }
            req::SemanticTokensFullRequest::METHOD => {
                let p: lsp_types::SemanticTokensParams = params(request)?;
                let data = self.with_document(&p.text_document.uri, |ws, path, doc, enc| {
                    tokens::semantic_tokens(ws, path, doc, enc)
                })?;
                json(serde_json::to_value(
                    lsp_types::SemanticTokensResult::Tokens(lsp_types::SemanticTokens {
                        result_id: None,
                        data,
                    }),
                ))
            }
            req::CodeLensRequest::METHOD => {
                let p: lsp_types::CodeLensParams = params(request)?;
                let tested = &self.tested;
                let lenses = self.with_document(&p.text_document.uri, |_, path, doc, enc| {
                    lens::code_lenses(path, doc, enc, tested)
                })?;
                json(serde_json::to_value(lenses))
            }
            req::ExecuteCommand::METHOD => {
                let p: lsp_types::ExecuteCommandParams = params(request)?;
                if p.command != lens::RUN_TESTS {
                    return Err((
                        ErrorCode::InvalidParams,
                        format!("gate lsp has no command `{}`", p.command),
                    ));
                }
                let (file, counts, answer, message) =
                    lens::run_tests(&p.arguments).map_err(|e| (ErrorCode::InvalidParams, e))?;
                self.tested.insert(file, counts);
                let kind = if counts.1 + counts.2 == 0 {
                    lsp_types::MessageType::INFO
                } else {
                    lsp_types::MessageType::WARNING
                };
                self.send(
                    Notification::new(
                        note::ShowMessage::METHOD.into(),
                        lsp_types::ShowMessageParams { typ: kind, message },
                    )
                    .into(),
                );
                if self.lens_refresh {
                    self.next_id += 1;
                    let id = lsp_server::RequestId::from(format!("gate-{}", self.next_id));
                    self.send(Request::new(id, req::CodeLensRefresh::METHOD.into(), ()).into());
                }
                Ok(answer)
            }
            req::DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(request)?;
                let found = self.with_document(&p.text_document.uri, |_, _, doc, enc| {
                    symbols::document_symbols(doc, enc)
                })?;
                json(serde_json::to_value(
                    lsp_types::DocumentSymbolResponse::Nested(found),
                ))
            }
            req::Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(request)?;
                let edits = self.with_document(&p.text_document.uri, |_, _, doc, enc| {
                    symbols::format(doc, enc)
                })?;
                json(serde_json::to_value(edits))
            }
            req::Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(request)?;
                let at = &p.text_document_position;
                let compiled = &self.compiled;
                let items = self.with_document(&at.text_document.uri, |_, path, doc, enc| {
                    let program = compiled.get(&workspace::key(path));
                    complete::complete(program, path, doc, at.position, enc)
                })?;
                json(serde_json::to_value(lsp_types::CompletionResponse::Array(
                    items,
                )))
            }
            req::CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = params(request)?;
                let uri = p.text_document.uri.clone();
                let actions = self.with_document(&uri, |_, _, doc, enc| {
                    symbols::code_actions(&uri, doc, &p.context.diagnostics, enc)
                })?;
                json(serde_json::to_value(actions))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("gate lsp does not answer `{other}`"),
            )),
        }
    }

    /// Runs `f` on an open document.
    fn with_document<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Workspace, &std::path::Path, &Document, Encoding) -> T,
    ) -> Result<T, Failure> {
        let path = text::uri_to_path(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("`{}` is not a file:// URI", uri.as_str()),
            )
        })?;
        let doc = self.workspace.get(&path).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("`{}` is not open", uri.as_str()),
            )
        })?;
        Ok(f(&self.workspace, &path, doc, self.encoding))
    }

    fn notification(&mut self, n: Notification) {
        fn params<P: serde::de::DeserializeOwned>(n: Notification) -> Option<P> {
            serde_json::from_value(n.params).ok()
        }
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n) else {
                    return;
                };
                if let Some(path) = text::uri_to_path(&p.text_document.uri) {
                    let doc = Document::new(p.text_document.text, p.text_document.version);
                    self.workspace.open(&path, doc);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n) else {
                    return;
                };
                let Some(path) = text::uri_to_path(&p.text_document.uri) else {
                    return;
                };
                let Some(doc) = self.workspace.get(&path) else {
                    return;
                };
                let mut text = doc.text.clone();
                for change in p.content_changes {
                    match change.range {
                        None => text = change.text,
                        Some(range) => {
                            let index = text::LineIndex::new(&text);
                            let start = index.offset(&text, range.start, self.encoding);
                            let end = index.offset(&text, range.end, self.encoding).max(start);
                            text.replace_range(start..end, &change.text);
                        }
                    }
                }
                self.workspace
                    .open(&path, Document::new(text, p.text_document.version));
            }
            note::DidCloseTextDocument::METHOD => {
                let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(n) else {
                    return;
                };
                if let Some(path) = text::uri_to_path(&p.text_document.uri) {
                    self.workspace.close(&path);
                    self.compiled.remove(&workspace::key(&path));
                }
            }
            // A save, a file changed on disk: the documents that read it
            // are checked again.
            note::DidSaveTextDocument::METHOD | note::DidChangeWatchedFiles::METHOD => {}
            _ => return,
        }
        self.publish();
    }

    /// Checks every open document and publishes what was found, clearing
    /// what was published before and is no longer found.
    fn publish(&mut self) {
        let found = diagnostics::all(&self.workspace, self.encoding, &mut self.compiled);
        let now: BTreeSet<PathBuf> = found.keys().cloned().collect();
        for stale in self.published.difference(&now) {
            if let Some(uri) = text::path_to_uri(stale) {
                self.send_diagnostics(uri, Vec::new(), None);
            }
        }
        for (path, diagnostics) in found {
            if let Some(uri) = text::path_to_uri(&path) {
                let version = self.workspace.get(&path).map(|d| d.version);
                self.send_diagnostics(uri, diagnostics, version);
            }
        }
        self.published = now;
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        let params = lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(note::PublishDiagnostics::METHOD.into(), params).into());
    }
}
