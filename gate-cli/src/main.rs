//! The `gate` command.

use gate_cli::{exit::Exit, Io};

fn main() {
    // A panic must never look like a pass: report it and exit with 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("gate: internal error: {info}");
        eprintln!("gate: this is a bug; the gate did not pass");
    }));
    let code =
        match std::panic::catch_unwind(|| gate_cli::run(std::env::args_os(), &mut Io::process())) {
            Ok(code) => code,
            Err(_) => Exit::Error,
        };
    std::process::exit(code as i32);
}
