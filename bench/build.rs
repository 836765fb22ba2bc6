//! Records the compiler's version and the peers' versions (from Cargo.lock)
//! for the report.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    println!("cargo:rustc-env=BENCH_RUSTC={}", version.trim());

    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut found = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            if [
                "regorus",
                "cel",
                "jaq-core",
                "jaq-std",
                "jaq-json",
                "serde_json",
                "serde",
            ]
            .contains(&n.as_str())
            {
                found.push(format!("{n} {}", v.trim_matches('"')));
            }
        }
    }
    println!("cargo:rustc-env=BENCH_CRATES={}", found.join(", "));
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}
