//! The `gate` command.

use gate_cli::{exit::Exit, Io};

fn main() {
    // A panic must never look like a pass: report it and exit with 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("gate: internal error: {info}");
        eprintln!("gate: this is a bug; the gate did not pass");
    }));
    let code = exit_code(std::panic::catch_unwind(|| {
        gate_cli::run(std::env::args_os(), &mut Io::process())
    }));
    std::process::exit(code);
}

/// The process's exit code for a run that returned or panicked: a panic is
/// an error (2), never a pass.
fn exit_code(run: std::thread::Result<Exit>) -> i32 {
    match run {
        Ok(code) => code as i32,
        Err(_) => Exit::Error as i32,
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_exits_with_2() {
        std::panic::set_hook(Box::new(|_| {}));
        let run = std::panic::catch_unwind(|| -> Exit { panic!("a bug") });
        let _ = std::panic::take_hook();
        assert_eq!(exit_code(run), 2);
        assert_eq!(exit_code(Ok(Exit::Pass)), 0);
        assert_eq!(exit_code(Ok(Exit::Fail)), 1);
        assert_eq!(exit_code(Ok(Exit::Error)), 2);
    }
}
