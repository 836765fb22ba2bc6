//! Findings rendered the way compiler diagnostics are: with the source
//! excerpt, the rule's name as the code, and the help.

use super::{Finding, Level};
use crate::span::SourceMap;
use std::fmt;

#[derive(Debug)]
struct Report<'a> {
    finding: &'a Finding,
    source: Option<crate::span::Excerpt>,
    labels: Vec<miette::LabeledSpan>,
    help: Option<String>,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("lint({})", self.finding.rule)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.level {
            Level::Error => miette::Severity::Error,
            _ => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.clone().into_iter()))
    }
}

/// Renders findings as text; `color` chooses ANSI colours, `width` the
/// column to wrap at.
pub fn render(findings: &[Finding], sources: &SourceMap, color: bool, width: usize) -> String {
    let handler = crate::error::handler(color, width);
    let mut out = String::new();
    for f in findings {
        let source = sources
            .get(f.span.source)
            .map(crate::span::SourceFile::excerpt);
        let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
            None,
            f.span.to_miette(),
        )];
        let mut help = f.help.clone();
        for l in &f.labels {
            if l.span.source == f.span.source {
                labels.push(miette::LabeledSpan::new_with_span(
                    Some(l.text.clone()),
                    l.span.to_miette(),
                ));
            } else {
                let loc = sources.locate(l.span);
                let note = format!("{} ({}:{}:{})", l.text, loc.file, loc.line, loc.column);
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        let report = Report {
            finding: f,
            source,
            labels,
            help,
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                f.level.as_str(),
                f.rule,
                f.message
            ));
        }
    }
    out
}
