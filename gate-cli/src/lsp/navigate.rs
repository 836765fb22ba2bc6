//! Hover and go to definition, from what the checker resolved: every IR
//! node has its span and type, fields and calls name their declarations.

use super::diagnostics::{range_of, source_path};
use super::text::{path_to_uri, Encoding};
use super::workspace::{key, Document, Workspace};
use gate_lang::ir::{Const, Ir, Node};
use gate_lang::{Program, SourceId, Span};
use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position};
use std::path::Path;

/// The documentation of the built-ins (`#### \`name\`` sections).
const STDLIB_DOC: &str = include_str!("../../../docs/stdlib.md");

/// What the cursor is on: the compiled program, the document's source in
/// it and the byte offset.
struct At {
    program: Program,
    source: SourceId,
    offset: usize,
}

impl At {
    /// Compiles the document and finds it in the program; `None` when it
    /// does not compile.
    fn of(ws: &Workspace, path: &Path, doc: &Document, pos: Position, enc: Encoding) -> Option<At> {
        let program = ws.compile(path).ok()?;
        let me = key(path);
        let source = program
            .sources
            .files()
            .find(|(id, _)| {
                source_path(&program.sources, Span::new(*id, 0..0)).as_deref() == Some(&me)
            })
            .map(|(id, _)| id)?;
        let offset = doc.index.offset(&doc.text, pos, enc);
        Some(At {
            program,
            source,
            offset,
        })
    }

    /// The innermost expression at the cursor.
    fn node(&self) -> Option<&Node> {
        let offset = u32::try_from(self.offset).ok()?;
        self.program
            .nodes
            .iter()
            .filter(|n| {
                n.span.source == self.source
                    && n.span.start <= offset
                    && offset < n.span.end.max(n.span.start + 1)
            })
            .min_by_key(|n| n.span.end - n.span.start)
    }
}

/// The word (name characters, `-` inside rule ids) at the cursor.
fn word_at(text: &str, offset: usize) -> Option<(usize, &str)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let offset = offset.min(text.len());
    let start = text
        .get(..offset)?
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + text
            .get(offset..)?
            .char_indices()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
    let word = text.get(start..end)?;
    (!word.is_empty()).then_some((start, word))
}

/// A built-in's documentation: its section of docs/stdlib.md.
fn builtin_doc(name: &str) -> Option<String> {
    let def = gate_lang::builtins::lookup(name)?;
    let heading = format!("#### `{name}`\n");
    let start = STDLIB_DOC.find(&heading)? + heading.len();
    let rest = STDLIB_DOC.get(start..)?;
    let end = rest.find("\n#").unwrap_or(rest.len());
    let body = rest.get(..end).unwrap_or("").trim();
    Some(format!("```gate\n{}\n```\n\n{body}", def.signature))
}

/// Hover: a built-in's documentation, a field's declaration, a rule's
/// settings, or the type of the expression under the cursor.
pub fn hover(
    ws: &Workspace,
    path: &Path,
    doc: &Document,
    pos: Position,
    enc: Encoding,
) -> Option<Hover> {
    let at = At::of(ws, path, doc, pos, enc)?;
    let (program, source, offset) = (&at.program, at.source, at.offset);
    let word = word_at(&doc.text, offset);
    let markdown = |value: String| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    };
    // A rule id, where the rule is declared or waived.
    if let Some((_, w)) = word {
        if let Some(rule) = program
            .rules
            .iter()
            .find(|r| r.id == w && r.span.source == source)
        {
            let mut text = format!("**rule `{}`**", rule.id);
            if let Some(t) = &rule.title {
                text.push_str(&format!(" — {t}"));
            }
            text.push_str(&format!("\n\nseverity: `{}`", severity(rule.severity)));
            if !rule.controls.is_empty() {
                let controls: Vec<String> =
                    rule.controls.iter().map(|c| format!("`{c}`")).collect();
                text.push_str(&format!("\n\ncontrols: {}", controls.join(", ")));
            }
            if let Some(d) = &rule.description {
                text.push_str(&format!("\n\n{d}"));
            }
            if at.node().is_none() {
                return Some(markdown(text));
            }
        }
    }
    let schema = &program.schema;
    let node = at.node()?;
    let ty = schema.display(&node.ty).to_string();
    let text = match &node.ir {
        Ir::Field { record, slot, .. } => {
            let r = schema.record(*record)?;
            let f = r.fields.get(*slot as usize)?;
            let mut t = format!(
                "```gate\n{}.{}: {}\n```",
                r.name,
                f.name,
                schema.display(&f.ty)
            );
            if f.sensitive {
                t.push_str("\n\n`@sensitive`: redacted in records and reports");
            }
            t
        }
        Ir::Call { func, .. } => {
            let f = program.functions.get(func.0 as usize)?;
            format!("```gate\ndef {}(…) -> {ty}\n```", f.name)
        }
        Ir::Global(g) => {
            let g = program.globals.get(g.0 as usize)?;
            format!("```gate\nlet {}: {ty}\n```", g.name)
        }
        _ => match word.and_then(|(_, w)| builtin_doc(w)) {
            // The method or function name of a built-in call.
            Some(docs) if is_builtin_call(&node.ir) => format!("{docs}\n\n---\nhere: `{ty}`"),
            _ => format!(
                "```gate\n{}: {ty}\n```",
                program
                    .sources
                    .slice(node.span)
                    .lines()
                    .next()
                    .unwrap_or("")
            ),
        },
    };
    Some(Hover {
        range: Some(range_of(&program.sources, node.span, enc)),
        ..markdown(text)
    })
}

fn is_builtin_call(ir: &Ir) -> bool {
    matches!(
        ir,
        Ir::Builtin { .. }
            | Ir::Quant { .. }
            | Ir::Includes { .. }
            | Ir::IncludesEach { .. }
            | Ir::Present { .. }
            | Ir::WellTyped { .. }
    )
}

fn severity(s: gate_lang::ir::RuleSeverity) -> &'static str {
    match s {
        gate_lang::ir::RuleSeverity::Block => "block",
        gate_lang::ir::RuleSeverity::Warn => "warn",
        gate_lang::ir::RuleSeverity::Info => "info",
    }
}

/// Go to definition: the declaration of the field, record, enum, `let`,
/// `def` or rule under the cursor, or the file an import names.
pub fn definition(
    ws: &Workspace,
    path: &Path,
    doc: &Document,
    pos: Position,
    enc: Encoding,
) -> Option<Location> {
    let at = At::of(ws, path, doc, pos, enc)?;
    let (program, offset) = (&at.program, at.offset);
    let schema = &program.schema;
    let to = |span: Span| -> Option<Location> {
        let file = source_path(&program.sources, span)?;
        Some(Location {
            uri: path_to_uri(&file)?,
            range: range_of(
                &program.sources,
                Span::new(span.source, span.start as usize..span.start as usize),
                enc,
            ),
        })
    };
    if let Some(node) = at.node() {
        let target = match &node.ir {
            Ir::Field { record, slot, .. } => schema
                .record(*record)
                .and_then(|r| r.fields.get(*slot as usize))
                .map(|f| f.span),
            Ir::Call { func, .. } => program.functions.get(func.0 as usize).map(|f| f.span),
            Ir::Global(g) => program.globals.get(g.0 as usize).map(|g| g.span),
            Ir::Const(Const::Enum(e, _)) => schema.enums.get(e.0 as usize).map(|e| e.span),
            _ => None,
        };
        if let Some(span) = target {
            return to(span);
        }
    }
    // Names outside expressions: types, waived rules, imports.
    let (_, word) = word_at(&doc.text, offset)?;
    if let Some(r) = schema
        .records
        .iter()
        .find(|r| r.name == word || r.name.rsplit('.').next() == Some(word))
    {
        return to(r.span);
    }
    if let Some(e) = schema
        .enums
        .iter()
        .find(|e| e.name == word || e.name.rsplit('.').next() == Some(word))
    {
        return to(e.span);
    }
    if let Some(rule) = program.rules.iter().find(|r| r.id == word) {
        return to(rule.span);
    }
    import_at(&doc.text, offset, path)
}

/// The file of the import string under the cursor.
fn import_at(text: &str, offset: usize, path: &Path) -> Option<Location> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |i| offset + i);
    let line = text.get(line_start..line_end)?.trim_start();
    let rest = line.strip_prefix("import")?.trim_start();
    let quoted = rest.strip_prefix('"')?;
    let target = quoted.get(..quoted.find('"')?)?;
    let file = path.parent()?.join(target);
    let file = key(&file);
    if !file.is_file() {
        return None;
    }
    Some(Location {
        uri: path_to_uri(&file)?,
        range: lsp_types::Range::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let t = "rule release-ready { require secrets.all(vaulted) }";
        assert_eq!(word_at(t, 7), Some((5, "release-ready")));
        assert_eq!(word_at(t, 38), Some((37, "all")));
        assert_eq!(word_at(t, 4), Some((0, "rule")));
        assert_eq!(word_at(t, 19), None);
        assert_eq!(word_at("", 0), None);
    }

    #[test]
    fn every_builtin_has_its_documentation() {
        for b in gate_lang::builtins::TABLE {
            let doc = builtin_doc(b.name).unwrap_or_else(|| panic!("{}", b.name));
            assert!(
                doc.contains(b.signature) && doc.len() > b.signature.len() + 20,
                "{doc}"
            );
        }
    }
}
