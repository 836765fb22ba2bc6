//! Rendering results for people (colour only on a terminal, never with
//! NO_COLOR) and for machines.

pub mod human;

use crate::cli::ColorChoice;
use std::io::IsTerminal;

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
    /// Decides colour from the choice, the terminal and `NO_COLOR`.
    pub fn new(choice: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match choice {
            _ if no_color => false,
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty,
        };
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Output {
            color: decide(std::io::stdout().is_terminal()),
            color_err: decide(std::io::stderr().is_terminal()),
            width,
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
pub fn tool_error(out: &Output, code: &str, message: &str) {
    use owo_colors::OwoColorize;
    if out.color_err {
        eprintln!(
            "{}{}{} {message}",
            "error[".red().bold(),
            code.red().bold(),
            "]:".red().bold()
        );
    } else {
        eprintln!("error[{code}]: {message}");
    }
}
