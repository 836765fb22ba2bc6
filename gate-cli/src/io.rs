//! The streams a command reads and writes: the process's, or memory.

use std::collections::BTreeMap;
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
    /// What the environment says of colour.
    pub colors: ColorEnv,
    /// Terminal width for wrapping.
    pub width: usize,
    /// The environment variables commands read (`GITHUB_STEP_SUMMARY`, …):
    /// `None` reads the process's, a map (memory streams) stands in for them.
    vars: Option<BTreeMap<String, String>>,
    /// `--quiet`: what is written to standard output is dropped.
    pub quiet: bool,
    captured: Option<(SharedBuf, SharedBuf)>,
    /// Folders shown under another name (a bundle's files, unpacked into a
    /// private folder, are shown as `BUNDLE/PATH`).
    shown: Vec<(String, String)>,
}

/// The colour conventions of the environment, read once: `NO_COLOR`
/// (no-color.org), `CLICOLOR`/`CLICOLOR_FORCE` (bixense.com/clicolors),
/// `FORCE_COLOR` (force-color.org) and `TERM`. `--color always|never`
/// overrides every one of them; see [`ColorEnv::wants`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` or `FORCE_COLOR` is set, not empty and not `0`.
    pub force: bool,
    /// `CLICOLOR=0`.
    pub clicolor_off: bool,
    /// `TERM` names a terminal that shows colour (not `dumb`).
    pub term_color: bool,
}

impl ColorEnv {
    /// The process's environment, read with `anstyle-query` (the rules the
    /// Rust command-line tools share).
    pub fn process() -> ColorEnv {
        let force_color =
            std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0");
        ColorEnv {
            no_color: anstyle_query::no_color(),
            force: anstyle_query::clicolor_force() || force_color,
            clicolor_off: anstyle_query::clicolor() == Some(false),
            term_color: anstyle_query::term_supports_color(),
        }
    }

    /// Whether `--color auto` colours a stream (`tty`: it is a terminal):
    /// never with `NO_COLOR`; always with `CLICOLOR_FORCE`/`FORCE_COLOR`;
    /// never with `CLICOLOR=0`; else on a terminal whose `TERM` is not
    /// `dumb`. The order is anstream's.
    ///
    /// ```
    /// use gate_cli::io::ColorEnv;
    /// let term = ColorEnv { term_color: true, ..ColorEnv::default() };
    /// assert!(term.wants(true));
    /// assert!(!term.wants(false));
    /// assert!(ColorEnv { force: true, ..ColorEnv::default() }.wants(false));
    /// assert!(!ColorEnv { no_color: true, force: true, ..term }.wants(true));
    /// assert!(!ColorEnv::default().wants(true)); // TERM=dumb
    /// ```
    pub fn wants(&self, tty: bool) -> bool {
        if self.no_color {
            false
        } else if self.force {
            true
        } else if self.clicolor_off {
            false
        } else {
            tty && self.term_color
        }
    }
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
        // `COLUMNS` first (a user's choice), then the terminal's own width
        // (standard error's, where diagnostics go, then standard output's).
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
            .or_else(|| {
                terminal_size::terminal_size_of(std::io::stderr())
                    .or_else(|| terminal_size::terminal_size_of(std::io::stdout()))
                    .map(|(w, _)| usize::from(w.0))
            })
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Io {
            stdin: Box::new(std::io::stdin()),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            colors: ColorEnv::process(),
            width,
            vars: None,
            quiet: false,
            captured: None,
            shown: Vec::new(),
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
            colors: ColorEnv::default(),
            width: 100,
            vars: Some(BTreeMap::new()),
            quiet: false,
            captured: Some((out, err)),
            shown: Vec::new(),
        }
    }

    /// An environment variable (of the process, or of the map memory
    /// streams have); empty values count as unset.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// Sets an environment variable for memory streams (the process's are
    /// left alone).
    pub fn set_var(&mut self, name: &str, value: &str) {
        if let Some(map) = &mut self.vars {
            map.insert(name.to_string(), value.to_string());
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

    /// Shows the folder `real` as `shown` in everything written from now
    /// on (to the streams, and in reports written to files).
    pub fn show_as(&mut self, real: &std::path::Path, shown: &str) {
        self.shown
            .push((real.to_string_lossy().into_owned(), shown.to_string()));
    }

    /// `text` with the folders [`Io::show_as`] names shown as they are to be.
    pub fn shown<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        shown_as(&self.shown, text)
    }

    /// Writes to standard output, or to standard error when `stderr`.
    /// A closed pipe is not an error worth reporting.
    pub fn write(&mut self, stderr: bool, text: &str) {
        if self.quiet && !stderr {
            return;
        }
        let text = shown_as(&self.shown, text);
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

/// `text` with each folder of `names` (real, shown) replaced by its name.
fn shown_as<'t>(names: &[(String, String)], text: &'t str) -> std::borrow::Cow<'t, str> {
    let mut text = std::borrow::Cow::Borrowed(text);
    for (real, shown) in names {
        if text.contains(real.as_str()) {
            text = std::borrow::Cow::Owned(text.replace(real.as_str(), shown));
        }
    }
    text
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
