//! `gate keygen --out PREFIX`.

use crate::cli::KeygenArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::{self, Output};
use std::path::PathBuf;

/// Writes a new ed25519 key pair.
pub fn run(args: KeygenArgs, out: &Output, io: &mut Io) -> Exit {
    let (private, public) = match gate_eval::sign::generate_pem_pair() {
        Ok(p) => p,
        Err(e) => {
            render::tool_error(out, io, "E0902", &e.to_string());
            return Exit::Error;
        }
    };
    let key = with_suffix(&args.out, "key");
    let pubkey = with_suffix(&args.out, "pub");
    for p in [&key, &pubkey] {
        if p.exists() {
            render::tool_error(
                out,
                io,
                "E0901",
                &format!("`{}` exists; not overwriting it", p.display()),
            );
            return Exit::Error;
        }
    }
    if let Err(e) = write_private(&key, &private).and_then(|()| std::fs::write(&pubkey, &public)) {
        render::tool_error(out, io, "E0901", &format!("cannot write the keys: {e}"));
        return Exit::Error;
    }
    io.out(&format!(
        "wrote {} (private: keep it secret) and {} (public: give it to verifiers)\n",
        key.display(),
        pubkey.display()
    ));
    Exit::Pass
}

fn with_suffix(prefix: &std::path::Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
