//! Rendering results for people (colour only on a terminal, never with
//! NO_COLOR) and for machines.

pub mod human;

use crate::cli::ColorChoice;
use crate::io::Io;

/// Where output goes and whether it may use colour.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// Colour on standard output.
    pub color: bool,
    /// Colour on standard error.
    pub color_err: bool,
    /// Width to wrap diagnostics at.
    pub width: usize,
}

impl Output {
    /// Decides colour from the choice, the terminals and `NO_COLOR`.
    pub fn new(choice: ColorChoice, io: &Io) -> Self {
        let decide = |tty: bool| match choice {
            _ if io.no_color => false,
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty,
        };
        Output {
            color: decide(io.stdout_tty),
            color_err: decide(io.stderr_tty),
            width: io.width,
        }
    }

    /// A diagnostic renderer for standard output or standard error.
    pub fn handler(&self, stderr: bool) -> miette::GraphicalReportHandler {
        let color = if stderr { self.color_err } else { self.color };
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        miette::GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
    }
}

/// Prints a tool error (not a gate failure) to standard error.
pub fn tool_error(out: &Output, io: &mut Io, code: &str, message: &str) {
    use owo_colors::OwoColorize;
    let head = format!("error[{code}]:");
    let head = if out.color_err {
        head.red().bold().to_string()
    } else {
        head
    };
    io.err(&format!("{head} {message}\n"));
}
