//! `gate lsp` with a real editor: Neovim, headless and without any user
//! configuration (`--clean`), runs `tests/editors/nvim.lua`, which starts
//! the server this package builds with Neovim's own LSP client, opens a
//! gate with an error and one without, and asks for a hover and a
//! definition. Debian's `neovim` (0.7) is enough; `.ci/run` installs it.
//! Without `nvim` on the PATH the test says so and passes, unless
//! `GATE_REQUIRE_EDITORS` is set (as in CI), when it fails.
//!
//! And the set-ups of docs/editors.md stay true: the command each editor's
//! configuration names starts this package's server, which answers
//! `initialize` and shuts down; the configurations parse, and the grammar
//! and queries they point at are in the repository.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn nvim() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("nvim"))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if std::env::var_os("GATE_REQUIRE_EDITORS").is_some() => {
            panic!("GATE_REQUIRE_EDITORS is set and `nvim` is not on the PATH (bash .ci/run installs Debian's neovim)")
        }
        None => {
            eprintln!("skipped: `nvim` is not on the PATH (bash .ci/run installs it)");
            None
        }
    }
}

const TYPES: &str = "module types\n\nrecord Secret {\n  name: string\n  vaulted: bool\n}\n";
const GOOD: &str = "gate demo { title \"Demo\" }\n\nimport \"types.gate\" as t\n\nevidence { secrets: [t.Secret] }\n\ndef named(s: t.Secret) -> bool = s.name != \"\"\n\nrule S01 \"Secrets are vaulted\" {\n  severity block\n  controls \"OWASP-NHI:NHI2\"\n  require secrets.all(vaulted and named(it)) else \"secret {name} is not vaulted\"\n}\n";

#[test]
fn neovim_shows_diagnostics_hover_and_definition() {
    let Some(nvim) = nvim() else { return };
    let dir = std::env::temp_dir().join(format!("gate-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = std::fs::canonicalize(&dir).unwrap();
    std::fs::write(dir.join("types.gate"), TYPES).unwrap();
    std::fs::write(dir.join("good.gate"), GOOD).unwrap();
    let broken = GOOD.replace("s.name", "s.nme");
    std::fs::write(dir.join("broken.gate"), &broken).unwrap();
    let out = dir.join("seen.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/nvim.lua");
    let run = Command::new(&nvim)
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("GATE_BIN", env!("CARGO_BIN_EXE_gate"))
        .env("GATE_BROKEN", dir.join("broken.gate"))
        .env("GATE_GOOD", dir.join("good.gate"))
        .env("GATE_NVIM_OUT", &out)
        .current_dir(&dir)
        .output()
        .unwrap();
    let seen: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "Neovim wrote nothing ({e}): {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    }))
    .unwrap();
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
    // The diagnostic of the unknown field, on its line, an error.
    let d = &seen["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{seen}");
    assert_eq!(d[0]["severity"], 1, "{seen}");
    let line = broken.lines().position(|l| l.contains("s.nme")).unwrap();
    assert_eq!(d[0]["lnum"], line, "{seen}");
    assert!(d[0]["message"].as_str().unwrap().contains("nme"), "{seen}");
    // Hover on `name`: the field and its type.
    let hover = seen["hover"].as_str().unwrap_or_default();
    assert!(hover.contains("Secret.name: string"), "{seen}");
    // Definition: the field in types.gate.
    let def = &seen["definition"];
    assert!(
        def["uri"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/types.gate"),
        "{seen}"
    );
    assert_eq!(def["line"], 3, "{seen}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The fenced code blocks of a Markdown text in the language `lang`.
fn blocks<'t>(text: &'t str, lang: &str) -> Vec<&'t str> {
    let fence = format!("```{lang}\n");
    text.match_indices(&fence)
        .filter_map(|(i, _)| {
            let body = &text[i + fence.len()..];
            body.find("```").map(|end| &body[..end])
        })
        .collect()
}

/// Starts `argv` (with `gate` the executable this package builds) and
/// speaks LSP with it over stdio: `initialize`, `shutdown`, `exit`. The
/// server's capabilities.
fn initialize(argv: &[String]) -> Value {
    use std::io::{BufRead, BufReader, Read, Write};
    let exe = match argv.first().map(String::as_str) {
        Some("gate") => env!("CARGO_BIN_EXE_gate").to_string(),
        other => panic!("the configuration starts {other:?}, not gate"),
    };
    let mut child = Command::new(exe)
        .args(&argv[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let mut answer = |id: u64| -> Value {
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                assert!(
                    stdout.read_line(&mut line).unwrap() > 0,
                    "the server closed its output"
                );
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            stdout.read_exact(&mut body).unwrap();
            let message: Value = serde_json::from_slice(&body).unwrap();
            if message["id"] == id {
                return message;
            }
        }
    };
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
    );
    let init = answer(1);
    send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    assert_eq!(answer(2)["result"], Value::Null);
    send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(
        child.wait().unwrap().success(),
        "the server did not exit cleanly"
    );
    init["result"]["capabilities"].clone()
}

#[test]
fn the_configurations_of_docs_editors_md_start_the_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/editors.md")).unwrap();
    let strings = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap_or_else(|| panic!("not a list: {list}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    // A folder of the repository that a configuration names.
    let in_repo = |path: &str| {
        let rel = path
            .strip_prefix("/path/to/gate/")
            .unwrap_or(path)
            .to_string();
        assert!(root.join(&rel).exists(), "{path} is not in the repository");
    };
    let mut commands: Vec<(&str, Vec<String>)> = Vec::new();

    // Neovim: `cmd = { 'gate', 'lsp' }`, in the snippet for 0.8 and in the
    // line for 0.7.
    for (at, _) in doc.match_indices("cmd = {") {
        let list = &doc[at + "cmd = {".len()..];
        let list = &list[..list.find('}').unwrap()];
        let argv = list
            .split(',')
            .map(|s| s.trim().trim_matches('\'').to_string())
            .collect();
        commands.push(("Neovim", argv));
    }
    assert!(blocks(&doc, "lua").concat().contains("cmd = {"));
    // Helix's languages.toml and Zed's extension.toml.
    let tomls: Vec<toml::Value> = blocks(&doc, "toml")
        .into_iter()
        .map(|t| toml::from_str(t).unwrap_or_else(|e| panic!("{e}\n{t}")))
        .collect();
    let helix = tomls
        .iter()
        .find(|t| t.get("language-server").is_some())
        .expect("Helix's languages.toml");
    let helix = serde_json::to_value(helix).unwrap();
    let server = &helix["language-server"]["gate"];
    let mut argv = vec![server["command"].as_str().unwrap().to_string()];
    argv.extend(strings(&server["args"]));
    commands.push(("Helix", argv));
    let language = &helix["language"][0];
    assert_eq!(language["name"], "gate");
    assert_eq!(strings(&language["file-types"]), ["gate"]);
    assert_eq!(strings(&language["language-servers"]), ["gate"]);
    assert_eq!(language["comment-token"], "#");
    in_repo(helix["grammar"][0]["source"]["path"].as_str().unwrap());
    let zed = tomls
        .iter()
        .find(|t| t.get("language_servers").is_some())
        .expect("Zed's extension.toml");
    let zed = serde_json::to_value(zed).unwrap();
    in_repo(zed["grammars"]["gate"]["path"].as_str().unwrap());
    assert_eq!(
        strings(&zed["language_servers"]["gate"]["languages"]),
        ["gate"]
    );
    // Zed's settings.json.
    let json: Vec<Value> = blocks(&doc, "json")
        .into_iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    let binary = &json
        .iter()
        .find(|j| j["lsp"]["gate"].is_object())
        .expect("Zed's settings")["lsp"]["gate"]["binary"];
    let mut argv = vec![binary["path"].as_str().unwrap().to_string()];
    argv.extend(strings(&binary["arguments"]));
    commands.push(("Zed", argv));
    // The queries the set-ups link to.
    for q in ["highlights.scm", "locals.scm"] {
        in_repo(&format!("editors/tree-sitter-gate/queries/{q}"));
    }

    assert_eq!(commands.len(), 4);
    for (editor, argv) in commands {
        assert_eq!(argv, ["gate", "lsp"], "{editor}");
        let caps = initialize(&argv);
        for c in ["hoverProvider", "definitionProvider", "referencesProvider"] {
            assert!(!caps[c].is_null(), "{editor}: no {c} in {caps}");
        }
    }
}
