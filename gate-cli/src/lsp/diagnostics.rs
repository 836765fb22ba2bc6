//! Compile errors, warnings and lint findings as LSP diagnostics, for
//! every open document and the files they import.

use super::text::{path_to_uri, Encoding};
use super::workspace::Workspace;
use gate_lang::lint::Level;
use gate_lang::{SourceMap, Span};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The diagnostics of every open `.gate` document (an entry, possibly
/// empty, for each) and of the files they import, by file.
///
/// The programs of the documents that compile are kept in `compiled`
/// (what completion reads while a document is half-typed).
pub fn all(
    ws: &Workspace,
    enc: Encoding,
    compiled: &mut BTreeMap<PathBuf, gate_lang::Program>,
) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    for path in ws.paths() {
        if !crate::files::is_gate_file(&path) {
            continue;
        }
        out.entry(path.clone()).or_default();
        let mut analysis = ws.analyse(&path);
        if let Some((file, message)) = &analysis.config_error {
            out.entry(path.clone()).or_default().push(Diagnostic {
                range: lsp_types::Range::default(),
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String("E0961".into())),
                source: Some("gate".into()),
                message: format!(
                    "the lint configuration `{}` cannot be used: {message}",
                    file.display()
                ),
                ..Diagnostic::default()
            });
        }
        if let Some(failed) = &analysis.failed {
            for e in &failed.errors {
                let mut message = e.to_string();
                if let Some(help) = e.kind.help() {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                for note in &e.notes {
                    message.push_str(&format!("\nnote: {note}"));
                }
                let severity = match e.severity {
                    gate_lang::Severity::Error => DiagnosticSeverity::ERROR,
                    _ => DiagnosticSeverity::WARNING,
                };
                let labels: Vec<(Span, &str)> =
                    e.labels.iter().map(|l| (l.span, l.text.as_str())).collect();
                let mut d = made(
                    &failed.sources,
                    e.span,
                    severity,
                    e.code(),
                    message,
                    &labels,
                    enc,
                );
                // What a quick fix puts in its place: the suggestion, when
                // what is there is one name.
                let written = failed.sources.slice(e.span);
                if let (Some((_, d)), Some(s)) = (d.as_mut(), e.kind.suggestion()) {
                    if is_name(written) {
                        d.data = Some(serde_json::json!({"replace": s}));
                    }
                }
                add(&mut out, d);
            }
        }
        if let Some(program) = &analysis.program {
            for e in &program.warnings {
                let d = made(
                    &program.sources,
                    e.span,
                    DiagnosticSeverity::WARNING,
                    e.code(),
                    e.to_string(),
                    &[],
                    enc,
                );
                add(&mut out, d);
            }
            for f in &analysis.findings {
                if f.level == Level::Off {
                    continue;
                }
                let severity = match f.level {
                    Level::Error => DiagnosticSeverity::ERROR,
                    _ => DiagnosticSeverity::WARNING,
                };
                let mut message = f.message.clone();
                if let Some(help) = &f.help {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                let labels: Vec<(Span, &str)> =
                    f.labels.iter().map(|l| (l.span, l.text.as_str())).collect();
                let mut d = made(
                    &program.sources,
                    f.span,
                    severity,
                    f.rule,
                    message,
                    &labels,
                    enc,
                );
                if let Some((_, d)) = d.as_mut() {
                    let mut data = serde_json::Map::new();
                    data.insert("allow".into(), f.rule.into());
                    if let Some(fix) = &f.fix {
                        // Its edits, when they are in the finding's file.
                        let edits: Vec<lsp_types::TextEdit> = fix
                            .edits
                            .iter()
                            .filter(|(span, _)| span.source == f.span.source)
                            .map(|(span, text)| lsp_types::TextEdit {
                                range: range_of(&program.sources, *span, enc),
                                new_text: text.clone(),
                            })
                            .collect();
                        if edits.len() == fix.edits.len() {
                            data.insert(
                                "fix".into(),
                                serde_json::json!({"title": fix.title, "edits": edits}),
                            );
                        }
                    }
                    d.data = Some(data.into());
                }
                add(&mut out, d);
            }
        }
        if let Some(program) = analysis.program.take() {
            compiled.insert(path.clone(), program);
        }
    }
    out
}

/// Whether `text` is one name (what a "did you mean" replaces).
fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Adds a diagnostic to its file's list, once (a module imported by two
/// open gates is reported by both).
fn add(out: &mut BTreeMap<PathBuf, Vec<Diagnostic>>, d: Option<(PathBuf, Diagnostic)>) {
    let Some((file, d)) = d else {
        return;
    };
    let list = out.entry(file).or_default();
    if !list.contains(&d) {
        list.push(d);
    }
}

/// The file a source of a compilation is, when it is a file (not a
/// `std` module).
pub fn source_path(sources: &SourceMap, span: Span) -> Option<PathBuf> {
    let file = sources.get(span.source)?;
    let path = Path::new(&file.name);
    path.is_absolute()
        .then(|| super::workspace::key(&crate::files::normalize(path)))
}

/// The source of the file `path` in a program.
pub fn source_of(program: &gate_lang::Program, path: &Path) -> Option<gate_lang::SourceId> {
    let me = super::workspace::key(path);
    program
        .sources
        .files()
        .find(|(id, _)| source_path(&program.sources, Span::new(*id, 0..0)).as_deref() == Some(&me))
        .map(|(id, _)| id)
}

/// The range of `span` in its source.
pub fn range_of(sources: &SourceMap, span: Span, enc: Encoding) -> lsp_types::Range {
    match sources.get(span.source) {
        Some(f) => lsp_types::Range {
            start: super::text::position_in(f, span.start, enc),
            end: super::text::position_in(f, span.end.max(span.start), enc),
        },
        None => lsp_types::Range::default(),
    }
}

/// A diagnostic at `span`, in the file it is in.
#[allow(clippy::too_many_arguments)]
fn made(
    sources: &SourceMap,
    span: Span,
    severity: DiagnosticSeverity,
    code: &str,
    message: String,
    labels: &[(Span, &str)],
    enc: Encoding,
) -> Option<(PathBuf, Diagnostic)> {
    let file = source_path(sources, span)?;
    let related: Vec<DiagnosticRelatedInformation> = labels
        .iter()
        .filter_map(|(s, text)| {
            let uri = path_to_uri(&source_path(sources, *s)?)?;
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri,
                    range: range_of(sources, *s, enc),
                },
                message: (*text).to_string(),
            })
        })
        .collect();
    let d = Diagnostic {
        range: range_of(sources, span, enc),
        severity: Some(severity),
        code: Some(NumberOrString::String(code.to_string())),
        code_description: super::docs::link(code),
        source: Some("gate".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    };
    Some((file, d))
}
