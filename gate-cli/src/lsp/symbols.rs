//! Document symbols (from the parse alone, so a file that does not check
//! still has its outline) and formatting (`gate fmt`).

use super::text::Encoding;
use super::workspace::Document;
use gate_lang::ast::{Header, Item, RecordMember, RuleStmt};
use gate_lang::{SourceId, Span};
use lsp_types::{DocumentSymbol, SymbolKind, TextEdit};

/// The outline: the header, imports, enums and their values, records and
/// their fields, the evidence, `let`s, `def`s, rules and waivers.
pub fn document_symbols(doc: &Document, enc: Encoding) -> Vec<DocumentSymbol> {
    let (file, _) = gate_lang::parser::parse_file(SourceId(0), &doc.text);
    let range = |s: Span| {
        doc.index
            .range(&doc.text, s.start as usize, s.end as usize, enc)
    };
    #[allow(deprecated)]
    let symbol = |name: String,
                  detail: Option<String>,
                  kind: SymbolKind,
                  whole: Span,
                  name_at: Span,
                  children: Vec<DocumentSymbol>| DocumentSymbol {
        name: if name.is_empty() { "?".into() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: range(whole),
        selection_range: range(name_at),
        children: (!children.is_empty()).then_some(children),
    };
    let members = |members: &[RecordMember]| -> Vec<DocumentSymbol> {
        members
            .iter()
            .filter_map(|m| match m {
                RecordMember::Field(f) => Some(symbol(
                    f.name().to_string(),
                    Some(doc.text.get(f.ty.span.range()).unwrap_or("").to_string()),
                    SymbolKind::FIELD,
                    f.span,
                    f.key_span,
                    Vec::new(),
                )),
                RecordMember::Directive(_) => None,
            })
            .collect()
    };
    let mut out = Vec::new();
    match &file.header {
        Some(Header::Gate(g)) => out.push(symbol(
            g.name.name.clone(),
            Some("gate".into()),
            SymbolKind::MODULE,
            g.span,
            g.name.span,
            Vec::new(),
        )),
        Some(Header::Module(m)) => {
            let name: Vec<&str> = m.path.iter().map(|i| i.name.as_str()).collect();
            out.push(symbol(
                name.join("."),
                Some("module".into()),
                SymbolKind::MODULE,
                m.span,
                m.span,
                Vec::new(),
            ));
        }
        None => {}
    }
    for item in &file.items {
        let s = match item {
            Item::Import(i) => {
                let target = doc.text.get(i.span.range()).unwrap_or("import").to_string();
                symbol(
                    target,
                    None,
                    SymbolKind::PACKAGE,
                    i.span,
                    i.span,
                    Vec::new(),
                )
            }
            Item::Enum(e) => {
                let values = e
                    .variants
                    .iter()
                    .map(|v| {
                        symbol(
                            v.value.clone(),
                            None,
                            SymbolKind::ENUM_MEMBER,
                            v.span,
                            v.span,
                            Vec::new(),
                        )
                    })
                    .collect();
                symbol(
                    e.name.name.clone(),
                    None,
                    SymbolKind::ENUM,
                    e.span,
                    e.name.span,
                    values,
                )
            }
            Item::Record(r) => symbol(
                r.name.name.clone(),
                None,
                SymbolKind::STRUCT,
                r.span,
                r.name.span,
                members(&r.members),
            ),
            Item::Evidence(e) => symbol(
                "evidence".into(),
                None,
                SymbolKind::STRUCT,
                e.span,
                e.span,
                members(&e.members),
            ),
            Item::Let(l) => symbol(
                l.name.name.clone(),
                None,
                SymbolKind::CONSTANT,
                l.span,
                l.name.span,
                Vec::new(),
            ),
            Item::Def(d) => {
                let params: Vec<String> = d
                    .params
                    .iter()
                    .map(|p| {
                        format!(
                            "{}: {}",
                            p.name.name,
                            doc.text.get(p.ty.span.range()).unwrap_or("")
                        )
                    })
                    .collect();
                symbol(
                    d.name.name.clone(),
                    Some(format!("({})", params.join(", "))),
                    SymbolKind::FUNCTION,
                    d.span,
                    d.name.span,
                    Vec::new(),
                )
            }
            Item::Rule(r) => {
                let lets = r
                    .body
                    .iter()
                    .filter_map(|st| match st {
                        RuleStmt::Let(l) => Some(symbol(
                            l.name.name.clone(),
                            None,
                            SymbolKind::VARIABLE,
                            l.span,
                            l.name.span,
                            Vec::new(),
                        )),
                        _ => None,
                    })
                    .collect();
                symbol(
                    r.id.name.clone(),
                    r.title.as_ref().map(|t| t.value.clone()),
                    SymbolKind::EVENT,
                    r.span,
                    r.id.span,
                    lets,
                )
            }
            Item::Waive(w) => symbol(
                format!("waive {}", w.rule.name),
                None,
                SymbolKind::KEY,
                w.span,
                w.rule.span,
                Vec::new(),
            ),
            Item::Error(_) => continue,
        };
        out.push(s);
    }
    out
}

/// `gate fmt` of the document: one edit replacing it, none when it is
/// formatted already or cannot be formatted (it does not parse).
pub fn format(doc: &Document, enc: Encoding) -> Vec<TextEdit> {
    match gate_lang::format::format_source(&doc.text) {
        Ok(formatted) if formatted != doc.text => vec![TextEdit {
            range: doc.index.range(&doc.text, 0, doc.text.len(), enc),
            new_text: formatted,
        }],
        _ => Vec::new(),
    }
}

/// Quick fixes for the diagnostics the client sends back: the "did you
/// mean" name in place of the one written, and a `# lint: allow(RULE)`
/// comment at the end of a lint finding's line (its reason to be written).
pub fn code_actions(
    uri: &lsp_types::Uri,
    doc: &Document,
    diagnostics: &[lsp_types::Diagnostic],
    enc: Encoding,
) -> Vec<lsp_types::CodeActionOrCommand> {
    use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, WorkspaceEdit};
    let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
        changes: Some([(uri.clone(), edits)].into_iter().collect()),
        ..WorkspaceEdit::default()
    };
    let mut out = Vec::new();
    for d in diagnostics {
        let data = d.data.as_ref();
        if let Some(name) = data.and_then(|v| v.get("replace")).and_then(|v| v.as_str()) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Change to `{name}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(vec![TextEdit {
                    range: d.range,
                    new_text: name.to_string(),
                }])),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        if let Some(fix) = data.and_then(|v| v.get("fix")) {
            let title = fix.get("title").and_then(|t| t.as_str());
            let edits = fix
                .get("edits")
                .and_then(|e| serde_json::from_value::<Vec<TextEdit>>(e.clone()).ok());
            if let (Some(title), Some(edits)) = (title, edits) {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: title.to_string(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(edit(edits)),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                }));
            }
        }
        if let Some(rule) = data.and_then(|v| v.get("allow")).and_then(|v| v.as_str()) {
            let line = d.range.start.line;
            let next = lsp_types::Position::new(line + 1, 0);
            let end_offset = doc.index.offset(&doc.text, next, enc);
            // The end of the line, before its line break.
            let text = doc.text.get(..end_offset).unwrap_or("");
            let end = text.strip_suffix('\n').map_or(text.len(), |t| {
                t.strip_suffix('\r').map_or(t.len(), str::len)
            });
            let at = doc.index.position(&doc.text, end, enc);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Allow `{rule}` on this line (with a reason)"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(vec![TextEdit {
                    range: lsp_types::Range::new(at, at),
                    new_text: format!("  # lint: allow({rule}) REASON"),
                }])),
                ..CodeAction::default()
            }));
        }
    }
    out
}
