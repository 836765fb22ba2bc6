//! `gate lsp` in process: JSON-RPC messages in, responses and
//! notifications out, over `lsp_server::Connection::memory`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use gate_tests::scratch;
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A client talking to a server thread.
struct Client {
    conn: Connection,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
    next: i32,
    /// Notifications received while waiting for something else.
    pending: Vec<Notification>,
    /// The methods of the requests the server sent (each answered).
    asked: Vec<String>,
    /// The server's answer to `initialize`.
    init: Value,
}

impl Client {
    /// Starts a server and initializes it (UTF-16 positions unless
    /// `utf8`).
    fn start(utf8: bool) -> Client {
        let caps = if utf8 {
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})
        } else {
            json!({})
        };
        let c = Client::start_with(caps);
        let want = if utf8 { "utf-8" } else { "utf-16" };
        assert_eq!(c.init["capabilities"]["positionEncoding"], want);
        c
    }

    /// Starts a server for a client with the capabilities `caps`.
    fn start_with(caps: Value) -> Client {
        let (server, conn) = Connection::memory();
        let thread = std::thread::spawn(move || gate_cli::lsp::serve(&server));
        let mut c = Client {
            conn,
            thread: Some(thread),
            next: 0,
            pending: Vec::new(),
            asked: Vec::new(),
            init: Value::Null,
        };
        c.init = c.request("initialize", json!({"capabilities": caps}));
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// Sends a request and returns its result (an error response as
    /// `{"error": …}`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self.conn.receiver.recv_timeout(Duration::from_secs(60)) {
                Ok(Message::Response(r)) if r.id == id => {
                    return match r.response_result {
                        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
                        Ok(v) => v,
                    }
                }
                Ok(Message::Notification(n)) => self.pending.push(n),
                Ok(Message::Request(r)) => {
                    self.asked.push(r.method.clone());
                    let ok = lsp_server::Response::new_ok(r.id, Value::Null);
                    self.conn.sender.send(ok.into()).unwrap();
                }
                Ok(other) => panic!("unexpected {other:?}"),
                Err(e) => panic!("no answer to {method}: {e}"),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Some(i) = self.pending.iter().position(|n| {
                n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
            }) {
                let n = self.pending.remove(i);
                return n.params["diagnostics"].as_array().unwrap().clone();
            }
            match self.conn.receiver.recv_timeout(Duration::from_secs(60)) {
                Ok(Message::Notification(n)) => self.pending.push(n),
                Ok(other) => panic!("unexpected {other:?}"),
                Err(e) => panic!("no diagnostics for {uri}: {e}"),
            }
        }
    }

    /// Waits a little for notifications, keeping those `keep` says.
    fn forget_but(&mut self, keep: impl Fn(&Notification) -> bool) {
        while let Ok(Message::Notification(n)) =
            self.conn.receiver.recv_timeout(Duration::from_millis(200))
        {
            self.pending.push(n);
        }
        self.pending.retain(keep);
    }

    /// Drops the diagnostics received so far.
    fn forget(&mut self) {
        while let Ok(Message::Notification(n)) =
            self.conn.receiver.recv_timeout(Duration::from_millis(200))
        {
            self.pending.push(n);
        }
        self.pending.clear();
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "gate", "version": 1, "text": text}}),
        );
        uri
    }

    fn at(uri: &str, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
    }

    /// The references of the name at `line`:`character` of `uri`, with its
    /// declaration when `with`: `(uri, line, character)` of each, sorted.
    fn references(
        &mut self,
        uri: &str,
        line: u32,
        character: u32,
        with: bool,
    ) -> Vec<(String, u32, u32)> {
        let mut at = Client::at(uri, line, character);
        at["context"] = json!({"includeDeclaration": with});
        let found = self.request("textDocument/references", at);
        let mut out: Vec<(String, u32, u32)> = found
            .as_array()
            .unwrap_or_else(|| panic!("{found}"))
            .iter()
            .map(|l| {
                let start = &l["range"]["start"];
                (
                    l["uri"].as_str().unwrap().to_string(),
                    start["line"].as_u64().unwrap() as u32,
                    start["character"].as_u64().unwrap() as u32,
                )
            })
            .collect();
        out.sort();
        out
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.is_null(), "{r}");
        self.notify("exit", Value::Null);
        self.thread.take().unwrap().join().unwrap().unwrap();
    }
}

fn uri(path: &Path) -> String {
    gate_cli::lsp::text::path_to_uri(&std::fs::canonicalize(path).unwrap_or(path.to_path_buf()))
        .unwrap()
        .as_str()
        .to_string()
}

/// The line and column (0-based, in characters) of the first `needle`.
fn find(text: &str, needle: &str) -> (u32, u32) {
    position(
        text,
        text.find(needle).unwrap_or_else(|| panic!("{needle}")),
    )
}

/// The line and column (in characters) of byte `at` of `text`.
fn position(text: &str, at: usize) -> (u32, u32) {
    let line = text[..at].matches('\n').count();
    let col = text[..at].rsplit('\n').next().unwrap().chars().count();
    (line as u32, col as u32)
}

const TYPES: &str = "module types\n\nrecord Secret {\n  name: string\n  vaulted: bool\n}\n";
const GATE: &str = "gate demo {\n  title \"Demo\"\n}\n\nimport \"lib/types.gate\" as t\n\nevidence {\n  secrets: [t.Secret]\n}\n\ndef named(s: t.Secret) -> bool = s.name != \"\"\n\nrule S01 \"Secrets are vaulted\" {\n  severity block\n  controls \"OWASP-NHI:NHI2\"\n  require not secrets.is_empty() else \"no secrets\"\n  require secrets.all(vaulted and named(it)) else \"secret {name} is not vaulted\"\n}\n";

fn project(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = std::fs::canonicalize(scratch("lsp", name)).unwrap();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    let gate = dir.join("demo.gate");
    let lib = dir.join("lib/types.gate");
    std::fs::write(&gate, GATE).unwrap();
    std::fs::write(&lib, TYPES).unwrap();
    (dir, gate, lib)
}

#[test]
fn diagnostics_follow_edits_across_imports() {
    let (dir, gate, lib) = project("diagnostics");
    let mut c = Client::start(false);
    let g = c.open(&gate, GATE);
    assert_eq!(c.diagnostics(&g), Vec::<Value>::new());
    // An unknown field: an error with its code, where it is written.
    let broken = GATE.replace("s.name", "s.nme");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let d = c.diagnostics(&g);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["severity"], 1);
    assert!(d[0]["code"].as_str().unwrap().starts_with('E'), "{d:?}");
    assert!(d[0]["message"].as_str().unwrap().contains("nme"), "{d:?}");
    assert!(
        d[0]["message"].as_str().unwrap().contains("did you mean"),
        "{d:?}"
    );
    let (line, col) = find(&broken, "nme");
    assert_eq!(d[0]["range"]["start"]["line"], line);
    assert!(d[0]["range"]["start"]["character"].as_u64().unwrap() <= u64::from(col));
    // An incremental change that fixes it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 3}, "contentChanges": [{
            "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 3}},
            "text": "name"
        }]}),
    );
    assert_eq!(c.diagnostics(&g), Vec::<Value>::new());

    // Editing the module re-checks the gate that imports it: the field
    // the gate reads is gone, unsaved.
    let l = c.open(&lib, TYPES);
    c.forget();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": l, "version": 2}, "contentChanges": [{"text": TYPES.replace("  vaulted: bool\n", "")}]}),
    );
    let d = c.diagnostics(&g);
    assert!(
        d.iter()
            .any(|d| d["message"].as_str().unwrap().contains("vaulted")),
        "{d:?}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": l, "version": 3}, "contentChanges": [{"text": TYPES}]}),
    );
    assert_eq!(c.diagnostics(&g), Vec::<Value>::new());
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn lint_findings_and_a_half_typed_file() {
    let (dir, gate, _) = project("lint");
    let mut c = Client::start(false);
    let text = GATE.replace("rule S01", "let unused = 3\n\nrule S01");
    let g = c.open(&gate, &text);
    let d = c.diagnostics(&g);
    let lint: Vec<&Value> = d.iter().filter(|d| d["code"] == "unused-let").collect();
    assert_eq!(lint.len(), 1, "{d:?}");
    assert_eq!(
        lint[0]["range"]["start"]["line"],
        find(&text, "let unused").0
    );
    // The lint configuration beside it turns the rule off.
    std::fs::write(
        dir.join("gate-lint.toml"),
        "[rules]\nunused-let = \"off\"\n",
    )
    .unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    let d = c.diagnostics(&g);
    assert!(d.iter().all(|d| d["code"] != "unused-let"), "{d:?}");

    // Every prefix of the file: a diagnostic or none, never a crash; the
    // server still answers.
    let mut version = 1;
    for end in (0..text.len())
        .step_by(37)
        .filter(|e| text.is_char_boundary(*e))
    {
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": g, "version": version}, "contentChanges": [{"text": &text[..end]}]}),
        );
        let _ = c.diagnostics(&g);
        let h = c.request("textDocument/hover", Client::at(&g, 3, 2));
        assert!(h.get("error").is_none(), "{h}");
    }
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn hover_shows_types_builtins_and_rules() {
    let (dir, gate, _) = project("hover");
    let mut c = Client::start(false);
    let g = c.open(&gate, GATE);
    c.forget();
    let hover = |c: &mut Client, needle: &str, plus: u32| {
        let (line, col) = find(GATE, needle);
        let h = c.request("textDocument/hover", Client::at(&g, line, col + plus));
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let field = hover(&mut c, "name != ", 1);
    assert!(field.contains("Secret.name: string"), "{field}");
    let all = hover(&mut c, "all(", 1);
    assert!(all.contains("all(") && all.contains("```gate"), "{all}");
    assert!(all.lines().count() > 3, "the documentation of `all`: {all}");
    let rule = hover(&mut c, "S01", 1);
    assert!(rule.contains("severity: `block`"), "{rule}");
    assert!(rule.contains("OWASP-NHI:NHI2"), "{rule}");
    let call = hover(&mut c, "named(it)", 1);
    assert!(
        call.contains("```gate\ndef named(s: t.Secret) -> bool\n```"),
        "{call}"
    );
    // Nothing under the cursor: no hover.
    let none = c.request("textDocument/hover", Client::at(&g, 3, 0));
    assert!(none.is_null(), "{none}");
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn definitions_across_modules_and_positions_in_utf16_and_utf8() {
    let (dir, gate, lib) = project("definition");
    for utf8 in [false, true] {
        let mut c = Client::start(utf8);
        let g = c.open(&gate, GATE);
        let def = |c: &mut Client, needle: &str| {
            let (line, col) = find(GATE, needle);
            c.request("textDocument/definition", Client::at(&g, line, col + 1))
        };
        // A field: its declaration in the module.
        let d = def(&mut c, "name != ");
        assert_eq!(d["uri"], uri(&lib));
        assert_eq!(d["range"]["start"]["line"], find(TYPES, "name: string").0);
        // A type name: the record.
        let d = def(&mut c, "Secret]");
        assert_eq!(d["uri"], uri(&lib));
        assert_eq!(d["range"]["start"]["line"], find(TYPES, "record Secret").0);
        // A def.
        let d = def(&mut c, "named(it)");
        assert_eq!(d["uri"], g.as_str());
        assert_eq!(d["range"]["start"]["line"], find(GATE, "def named").0);
        // An import: the file.
        let d = def(&mut c, "lib/types");
        assert_eq!(d["uri"], uri(&lib));
        c.stop();
    }
    // A line with characters outside the BMP before the name: the column
    // counts UTF-16 units or bytes as agreed.
    let text = GATE.replace(
        "require secrets.all(",
        "require \"𝄞\" != \"\" and secrets.all(",
    );
    std::fs::write(&gate, &text).unwrap();
    let line = find(&text, "secrets.all").0;
    let prefix = text.lines().nth(line as usize).unwrap();
    let at = prefix.find("secrets.all").unwrap() + "secrets.".len() + 1;
    for (utf8, col) in [(false, prefix[..at].encode_utf16().count()), (true, at)] {
        let mut c = Client::start(utf8);
        let g = c.open(&gate, &text);
        let h = c.request("textDocument/hover", Client::at(&g, line, col as u32));
        let value = h["contents"]["value"].as_str().unwrap_or("").to_string();
        assert!(value.contains("all("), "utf8 {utf8}: {h}");
        c.stop();
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn symbols_formatting_and_errors() {
    let (dir, gate, _) = project("symbols");
    let mut c = Client::start(false);
    let messy = GATE.replace("  severity block\n", "      severity   block\n");
    let g = c.open(&gate, &messy);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": g}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"demo") && names.contains(&"S01") && names.contains(&"named"),
        "{names:?}"
    );
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": g}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["newText"].as_str().unwrap(),
        gate_lang::format::format_source(&messy).unwrap()
    );
    // A method it does not know, and parameters it cannot read: errors,
    // and the server goes on.
    let e = c.request("textDocument/rename", json!({}));
    assert_eq!(e["error"]["code"], -32601);
    let e = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(e["error"]["code"], -32602);
    let e = c.request(
        "textDocument/hover",
        Client::at("file:///not/open.gate", 0, 0),
    );
    assert!(
        e["error"]["message"].as_str().unwrap().contains("not open"),
        "{e}"
    );
    let again = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": g}}),
    );
    assert!(again.is_array());
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn quick_fixes_for_did_you_mean_and_lint_findings() {
    let (dir, gate, _) = project("actions");
    let mut c = Client::start(false);
    let broken = GATE.replace("s.name", "s.nme");
    let g = c.open(&gate, &broken);
    let d = c.diagnostics(&g);
    assert_eq!(d.len(), 1, "{d:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": g}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["title"], "Change to `name`");
    let edit = &fix["edit"]["changes"][g.as_str()][0];
    assert_eq!(edit["newText"], "name");
    assert_eq!(edit["range"], d[0]["range"]);

    // A lint finding: an allow comment at the end of its line.
    let text = GATE.replace("rule S01", "let unused = 3\n\nrule S01");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let d = c.diagnostics(&g);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": g}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let titled = |actions: &Value, title: &str| {
        actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
            .unwrap_or_else(|| panic!("no `{title}` in {actions:#}"))
            .clone()
    };
    let allow = titled(&actions, "Allow `unused-let`");
    let edit = &allow["edit"]["changes"][g.as_str()][0];
    let line = find(&text, "let unused").0;
    assert_eq!(edit["range"]["start"]["line"], line);
    assert_eq!(edit["range"]["start"]["character"], "let unused = 3".len());
    assert_eq!(edit["newText"], "  # lint: allow(unused-let) REASON");
    // Or the mechanical fix: the line deleted, line break and all.
    let delete = titled(&actions, "Delete the unused `let unused`");
    assert_eq!(delete["isPreferred"], true);
    let edit = &delete["edit"]["changes"][g.as_str()][0];
    assert_eq!(
        edit["range"]["start"],
        json!({"line": line, "character": 0})
    );
    assert_eq!(
        edit["range"]["end"],
        json!({"line": line + 1, "character": 0})
    );
    assert_eq!(edit["newText"], "");
    // The code links to its explanation, written where the editor can
    // open it.
    let href = d[0]["codeDescription"]["href"].as_str().unwrap();
    let page = href.strip_prefix("file://").unwrap();
    let page = std::fs::read_to_string(page).unwrap();
    assert!(
        page.starts_with("# unused-let (default: warning)"),
        "{page}"
    );
    // With the comment (and its reason) the finding goes.
    let allowed = text.replace(
        "let unused = 3",
        "let unused = 3  # lint: allow(unused-let) kept for the next rule",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 3}, "contentChanges": [{"text": allowed}]}),
    );
    assert_eq!(c.diagnostics(&g), Vec::<Value>::new());
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn completion_while_a_line_is_half_typed() {
    let (dir, gate, _) = project("complete");
    let mut c = Client::start(false);
    let g = c.open(&gate, GATE);
    assert_eq!(c.diagnostics(&g), Vec::<Value>::new());
    // Half-typed: it does not check; what was known is offered.
    let text = GATE.replace(
        "  severity block\n",
        "  severity block\n  require secrets.\n  severity \n  controls \"\n",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    assert!(!c.diagnostics(&g).is_empty());
    let labels = |c: &mut Client, needle: &str| -> Vec<String> {
        let (line, col) = find(&text, needle);
        let r = c.request(
            "textDocument/completion",
            Client::at(&g, line, col + needle.len() as u32),
        );
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let after_dot = labels(&mut c, "require secrets.");
    assert!(
        after_dot.contains(&"all".into()) && after_dot.contains(&"count".into()),
        "{after_dot:?}"
    );
    assert_eq!(labels(&mut c, "  severity "), ["block", "warn", "info"]);
    let controls = labels(&mut c, "  controls \"");
    assert!(controls.contains(&"OWASP-NHI:NHI2".into()), "{controls:?}");
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn references_across_modules_and_open_documents() {
    let (dir, gate, lib) = project("references");
    let mut c = Client::start(false);
    let g = c.open(&gate, GATE);
    let l = c.open(&lib, TYPES);
    c.forget();
    let refs = |c: &mut Client, uri: &str, text: &str, needle: &str, with: bool| {
        let (line, col) = find(text, needle);
        c.references(uri, line, col, with)
    };
    // A field, from a use in the gate: its declaration and its uses.
    let vaulted = refs(&mut c, &g, GATE, "vaulted and", true);
    let (dl, dc) = find(TYPES, "vaulted: bool");
    let (ul, uc) = find(GATE, "vaulted and");
    assert_eq!(vaulted, [(g.clone(), ul, uc), (l.clone(), dl, dc)]);
    // Without the declaration.
    assert_eq!(
        refs(&mut c, &g, GATE, "vaulted and", false),
        [(g.clone(), ul, uc)]
    );
    // A def: its declaration and its call.
    let named = refs(&mut c, &g, GATE, "named(it)", true);
    assert_eq!(named.len(), 2, "{named:?}");
    // A record, from its declaration in the module: the gate that imports
    // it (open) names it twice, as `t.Secret`.
    let secret = refs(&mut c, &l, TYPES, "Secret {", false);
    let uses: Vec<u32> = secret.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(
        uses,
        [find(GATE, "[t.Secret]").0, find(GATE, "s: t.Secret").0],
        "{secret:?}"
    );
    assert!(secret.iter().all(|(u, _, _)| *u == g));
    // Not in a string or a comment; nothing for a keyword.
    let commented = GATE
        .replace("def named", "# named is not vaulted\ndef named")
        .replace("\"secret {name}", "\"name {name}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 2}, "contentChanges": [{"text": commented}]}),
    );
    assert_eq!(refs(&mut c, &g, &commented, "named(it)", true).len(), 2);
    assert_eq!(refs(&mut c, &g, &commented, "require not", true), []);
    // A field named in a `{…}` hole of a failure message is used there;
    // the same word in the message's text is not.
    let name = refs(&mut c, &l, TYPES, "name: string", false);
    let (sl, sc) = find(&commented, "s.name");
    let (hl, hc) = find(&commented, "{name}");
    assert_eq!(name, [(g.clone(), sl, sc + 2), (g.clone(), hl, hc + 1)]);
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn references_of_rule_ids_enum_values_and_lets() {
    let dir = std::fs::canonicalize(scratch("lsp", "refkinds")).unwrap();
    let text = "gate g { title \"G\" }\nenum Level { low, high }\nrecord S { name: string, level: Level }\nevidence { secrets: [S], ok: bool }\nlet highs = secrets.filter(level == Level.high)\nrule rollback-tested \"R\" {\n  require highs.is_empty() or ok else \"{highs.len()} high\"\n}\nwaive rollback-tested {\n  approved_by \"u-1\"\n  ticket \"OPS-1\"\n  reason \"rollback-tested is new\"\n  expires 2027-01-01T00:00:00Z\n}\n";
    let gate = dir.join("g.gate");
    std::fs::write(&gate, text).unwrap();
    let mut c = Client::start(false);
    let g = c.open(&gate, text);
    // The references of the name at byte `at`: `(line, character)` of each.
    let mut refs = |at: usize| -> Vec<(u32, u32)> {
        let (line, col) = position(text, at);
        c.references(&g, line, col, true)
            .into_iter()
            .map(|(uri, line, col)| {
                assert_eq!(uri, g);
                (line, col)
            })
            .collect()
    };
    // A rule id, from its waiver: the rule and the waiver, not the word in
    // the waiver's reason.
    let at = |needle: &str, skip: usize| text.find(needle).unwrap() + skip;
    assert_eq!(refs(at("waive rollback-tested", 6)), [(5, 5), (8, 6)]);
    // An enum value, from its use: its declaration and the use, not the
    // word in the message.
    assert_eq!(refs(at("Level.high", 6)), [(1, 18), (4, 42)]);
    // A `let`: its declaration, its use, and the `{…}` hole of the message.
    assert_eq!(refs(at("highs.is_empty", 0)), [(4, 4), (6, 10), (6, 40)]);
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn definitions_into_std_modules() {
    let dir = std::fs::canonicalize(scratch("lsp", "std")).unwrap();
    let text = "gate g {}\nimport std.secrets\nimport std.evidence as ev\nevidence { items: [ev.SecretItem] }\nrule r {\n  controls \"OWASP-NHI:NHI2\"\n  require items.all(s => secrets.managed(s))\n}\n";
    let gate = dir.join("g.gate");
    std::fs::write(&gate, text).unwrap();
    let mut c = Client::start(false);
    let g = c.open(&gate, text);
    let (line, col) = find(text, "managed(s)");
    let d = c.request("textDocument/definition", Client::at(&g, line, col + 1));
    let file = d["uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap()
        .to_string();
    assert!(file.ends_with("/std/secrets.gate"), "{d}");
    let source = std::fs::read_to_string(&file).unwrap();
    let at = d["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        source.lines().nth(at).unwrap().starts_with("def managed"),
        "{d}"
    );
    // The copy is the module the program was compiled from, read-only.
    assert!(std::fs::metadata(&file).unwrap().permissions().readonly());
    // Hover on a std function: its header, the comment above it, its module.
    let h = c.request("textDocument/hover", Client::at(&g, line, col + 1));
    let h = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        h.starts_with("```gate\ndef managed(s: ev.SecretItem) -> bool\n```\n\n"),
        "{h}"
    );
    assert!(
        h.contains("both must agree") && h.ends_with("from `std.secrets`"),
        "{h}"
    );
    // The alias of the import: the module.
    let (line, col) = find(text, "secrets.managed");
    let d = c.request("textDocument/definition", Client::at(&g, line, col + 1));
    assert!(
        d["uri"].as_str().unwrap().ends_with("/std/secrets.gate"),
        "{d}"
    );
    assert_eq!(d["range"]["start"], json!({"line": 0, "character": 0}));
    // After `secrets.`: what the module declares, not the evidence's fields.
    let typing = text.replace("secrets.managed(s)", "secrets.");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": g, "version": 2}, "contentChanges": [{"text": typing}]}),
    );
    let (line, col) = find(&typing, "secrets.");
    let items = c.request("textDocument/completion", Client::at(&g, line, col + 8));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    for want in ["managed", "plaintext", "rotated_within"] {
        assert!(labels.contains(&want), "{want}: {labels:?}");
    }
    assert!(
        !labels.contains(&"items") && !labels.contains(&"len"),
        "{labels:?}"
    );
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn semantic_tokens_say_what_names_mean() {
    let (dir, gate, _) = project("tokens");
    let mut c = Client::start(false);
    let legend = c.init["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let types: Vec<String> = serde_json::from_value(legend["tokenTypes"].clone()).unwrap();
    let mods: Vec<String> = serde_json::from_value(legend["tokenModifiers"].clone()).unwrap();
    let g = c.open(&gate, GATE);
    let r = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": g}}),
    );
    let data: Vec<u32> = serde_json::from_value(r["data"].clone()).unwrap();
    assert_eq!(data.len() % 5, 0);
    // Decoded: (line, column, length) → (type, modifiers).
    let mut decoded = std::collections::BTreeMap::new();
    let (mut line, mut col) = (0, 0);
    for t in data.chunks(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0];
        col += t[1];
        let names: Vec<&str> = (0..mods.len())
            .filter(|b| t[4] & (1 << b) != 0)
            .map(|b| mods[b].as_str())
            .collect();
        decoded.insert(
            (line, col),
            (t[2], types[t[3] as usize].clone(), names.join(",")),
        );
    }
    let class = |needle: &str, skip: usize| {
        let (l, c) = find(GATE, needle);
        let (len, t, m) = decoded
            .get(&(l, c + skip as u32))
            .unwrap_or_else(|| panic!("no token at {needle}: {decoded:?}"))
            .clone();
        (len, t, m)
    };
    assert_eq!(class("gate demo", 0), (4, "keyword".into(), "".into()));
    assert_eq!(
        class("named(s", 0),
        (5, "function".into(), "declaration".into())
    );
    assert_eq!(class("named(it)", 0), (5, "function".into(), "".into()));
    assert_eq!(class("vaulted and", 0), (7, "property".into(), "".into()));
    assert_eq!(
        class("all(", 0),
        (3, "method".into(), "defaultLibrary".into())
    );
    assert_eq!(class("Secret]", 0), (6, "type".into(), "".into()));
    assert_eq!(class("t.Secret]", 0), (1, "namespace".into(), "".into()));
    assert_eq!(class("S01", 0), (3, "label".into(), "declaration".into()));
    assert_eq!(class("\"Demo\"", 0), (6, "string".into(), "".into()));
    assert_eq!(class("!= \"\"", 0), (2, "operator".into(), "".into()));
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn code_lenses_run_the_tests_beside_a_gate() {
    let (dir, gate, _) = project("lenses");
    std::fs::write(
        dir.join("demo.test.yaml"),
        "tests:\n  - name: vaulted passes\n    input: {secrets: [{name: db, vaulted: true}]}\n    expect: {decision: pass}\n  - name: wrongly expected\n    input: {secrets: [{name: db, vaulted: false}]}\n    expect: {decision: pass}\n",
    )
    .unwrap();
    let mut c = Client::start_with(json!({"workspace": {"codeLens": {"refreshSupport": true}}}));
    let g = c.open(&gate, GATE);
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": {"uri": g}}));
    assert_eq!(lenses.as_array().unwrap().len(), 1, "{lenses}");
    let lens = &lenses[0];
    assert_eq!(lens["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(lens["command"]["title"], "▶ Run 2 tests (demo.test.yaml)");
    assert_eq!(lens["command"]["command"], "gate.runTests");
    let ran = c.request(
        "workspace/executeCommand",
        json!({"command": "gate.runTests", "arguments": lens["command"]["arguments"]}),
    );
    assert_eq!(
        (ran["passed"].clone(), ran["failed"].clone()),
        (json!(1), json!(1)),
        "{ran}"
    );
    assert_eq!(ran["cases"][1]["status"], "failed");
    assert!(
        ran["cases"][1]["mismatches"][0]
            .as_str()
            .unwrap()
            .contains("fail"),
        "{ran}"
    );
    // The editor is told, and asked to show the lenses again.
    c.forget_but(|n| n.method == "window/showMessage");
    let shown = c
        .pending
        .iter()
        .find(|n| n.method == "window/showMessage")
        .unwrap();
    assert_eq!(shown.params["type"], 2);
    assert!(shown.params["message"]
        .as_str()
        .unwrap()
        .contains("1 passed, 1 failed (wrongly expected)"));
    assert!(
        c.asked.iter().any(|m| m == "workspace/codeLens/refresh"),
        "{:?}",
        c.asked
    );
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": {"uri": g}}));
    assert_eq!(
        lenses[0]["command"]["title"],
        "✗ 1 passed, 1 failed — run demo.test.yaml again"
    );
    // A module has none; a command that is not one, or not of a test
    // file, is an error.
    let l = c.open(&dir.join("lib/types.gate"), TYPES);
    let none = c.request("textDocument/codeLens", json!({"textDocument": {"uri": l}}));
    assert_eq!(none, json!([]));
    let bad = c.request(
        "workspace/executeCommand",
        json!({"command": "gate.runTests", "arguments": [gate.display().to_string()]}),
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a test file"),
        "{bad}"
    );
    let bad = c.request(
        "workspace/executeCommand",
        json!({"command": "rm", "arguments": []}),
    );
    assert!(bad["error"].is_object(), "{bad}");
    c.stop();
    let _ = std::fs::remove_dir_all(dir);
}
