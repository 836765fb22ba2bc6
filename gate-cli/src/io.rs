//! The streams a command reads and writes: the process's, or memory.

use std::io::{IsTerminal, Read, Write};

/// Standard input, output and error, and whether they are terminals.
pub struct Io {
    stdin: Box<dyn Read>,
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    /// Whether standard output is a terminal.
    pub stdout_tty: bool,
    /// Whether standard input is a terminal (the REPL is interactive then).
    pub stdin_tty: bool,
    /// Whether standard error is a terminal.
    pub stderr_tty: bool,
    /// `NO_COLOR` (or its absence).
    pub no_color: bool,
    /// Terminal width for wrapping.
    pub width: usize,
    captured: Option<(SharedBuf, SharedBuf)>,
}

#[derive(Clone, Default)]
struct SharedBuf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Io {
    /// The process's streams.
    pub fn process() -> Io {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Io {
            stdin: Box::new(std::io::stdin()),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            width,
            captured: None,
        }
    }

    /// In-memory streams with `stdin` as input, not terminals, width 100.
    pub fn memory(stdin: &str) -> Io {
        let out = SharedBuf::default();
        let err = SharedBuf::default();
        Io {
            stdin: Box::new(std::io::Cursor::new(stdin.as_bytes().to_vec())),
            stdout: Box::new(out.clone()),
            stderr: Box::new(err.clone()),
            stdin_tty: false,
            stdout_tty: false,
            stderr_tty: false,
            no_color: false,
            width: 100,
            captured: Some((out, err)),
        }
    }

    /// What was written to standard output (memory streams only).
    pub fn stdout_text(&self) -> String {
        self.captured
            .as_ref()
            .map(|(o, _)| String::from_utf8_lossy(&o.0.borrow()).into_owned())
            .unwrap_or_default()
    }

    /// What was written to standard error (memory streams only).
    pub fn stderr_text(&self) -> String {
        self.captured
            .as_ref()
            .map(|(_, e)| String::from_utf8_lossy(&e.0.borrow()).into_owned())
            .unwrap_or_default()
    }

    /// Writes to standard output, or to standard error when `stderr`.
    /// A closed pipe is not an error worth reporting.
    pub fn write(&mut self, stderr: bool, text: &str) {
        let stream = if stderr {
            &mut self.stderr
        } else {
            &mut self.stdout
        };
        let _ = stream.write_all(text.as_bytes());
        let _ = stream.flush();
    }

    /// Writes to standard output.
    pub fn out(&mut self, text: &str) {
        self.write(false, text);
    }

    /// Writes to standard error.
    pub fn err(&mut self, text: &str) {
        self.write(true, text);
    }

    /// Standard input as a reader.
    pub fn stdin_reader(&mut self) -> &mut dyn Read {
        &mut *self.stdin
    }

    /// Reads standard input as text, refusing more than `limit` bytes
    /// (having read at most one byte more).
    pub fn read_stdin(&mut self, limit: usize) -> std::io::Result<String> {
        let Some(bytes) = read_at_most(&mut self.stdin, limit)? else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("more than {limit} bytes"),
            ));
        };
        String::from_utf8(bytes).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            )
        })
    }
}

/// Reads `reader` to its end, or stops after `limit + 1` bytes: `None`
/// means it holds more than `limit` (a larger file, `/dev/zero`, a FIFO
/// that never ends), having read no further than that.
pub fn read_at_most(reader: impl Read, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    reader.take(most).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}
