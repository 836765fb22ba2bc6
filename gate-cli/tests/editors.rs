//! `gate lsp` with a real editor: Neovim, headless and without any user
//! configuration (`--clean`), runs `tests/editors/nvim.lua`, which starts
//! the server this package builds with Neovim's own LSP client, opens a
//! gate with an error and one without, and asks for a hover and a
//! definition. Debian's `neovim` (0.7) is enough; `.ci/run` installs it.
//! Without `nvim` on the PATH the test says so and passes, unless
//! `GATE_REQUIRE_EDITORS` is set (as in CI), when it fails.

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
