//! `gate repl POLICY [--evidence FILE…]`: evaluate expressions over the
//! evidence, explain rules, show the schema. Interactive on a terminal
//! (history, multi-line input, tab completion); from a pipe it reads the
//! inputs from standard input, prints each result, and exits 2 if any input
//! failed.

mod complete;
mod schema;
mod session;

pub use complete::{join, needs_more};

/// The completions offered for the text before the cursor (for tests and
/// editors).
pub fn completions(session: &Session, before: &str) -> Vec<String> {
    complete::candidates(session, before)
        .1
        .into_iter()
        .map(|p| p.replacement)
        .collect()
}
pub use session::{Reply, Session};

use crate::cli::ReplArgs;
use crate::exit::Exit;
use crate::io::Io;
use crate::render::Output;
use std::cell::RefCell;
use std::rc::Rc;

/// Runs `gate repl`.
pub fn run(args: ReplArgs, out: &Output, io: &mut Io) -> Exit {
    let session = match Session::load(&args, *out, io) {
        Ok(s) => s,
        Err(text) => {
            io.err(&text);
            return Exit::Error;
        }
    };
    if io.stdin_tty && io.stdout_tty {
        interactive(session, io)
    } else {
        piped(session, io)
    }
}

/// Reads every input from standard input.
fn piped(mut session: Session, io: &mut Io) -> Exit {
    let text = match io.read_stdin(crate::cmd::input::DEFAULT_MAX_FILE) {
        Ok(t) => t,
        Err(e) => {
            io.err(&format!("error[E0701]: cannot read standard input: {e}\n"));
            return Exit::Error;
        }
    };
    let mut failed = false;
    let mut pending = String::new();
    for line in text.lines() {
        pending.push_str(line);
        pending.push('\n');
        if needs_more(&pending) {
            continue;
        }
        let input = join(&pending);
        pending.clear();
        match session.handle(&input, io) {
            Reply::Out(s) => io.out(&s),
            Reply::Err(s) => {
                failed = true;
                io.err(&s);
            }
            Reply::Nothing => {}
            Reply::Quit => break,
        }
    }
    if !pending.trim().is_empty() {
        io.err("error: the input ends in the middle of an expression\n");
        failed = true;
    }
    if failed {
        Exit::Error
    } else {
        Exit::Pass
    }
}

fn history_file() -> Option<std::path::PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/state"))
        })?;
    Some(state.join("gate").join("repl_history"))
}

fn interactive(session: Session, io: &mut Io) -> Exit {
    use rustyline::error::ReadlineError;
    io.out(&session.banner());
    let session = Rc::new(RefCell::new(session));
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<complete::ReplHelper, rustyline::history::DefaultHistory> =
        match rustyline::Editor::with_config(config) {
            Ok(e) => e,
            Err(e) => {
                io.err(&format!("error[E0701]: cannot use the terminal: {e}\n"));
                return Exit::Error;
            }
        };
    editor.set_helper(Some(complete::ReplHelper {
        session: Rc::clone(&session),
    }));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    loop {
        match editor.readline("gate> ") {
            Ok(line) => {
                let input = join(&line);
                let reply = session.borrow_mut().handle(&input, io);
                match reply {
                    Reply::Out(s) => io.out(&s),
                    Reply::Err(s) => io.err(&s),
                    Reply::Nothing => {}
                    Reply::Quit => break,
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                io.err(&format!("error[E0701]: cannot read the terminal: {e}\n"));
                break;
            }
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    Exit::Pass
}
