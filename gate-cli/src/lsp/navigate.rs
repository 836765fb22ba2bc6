//! Hover, go to definition and find references, from what the checker
//! resolved ([`super::resolve`]): every IR node has its span and type,
//! fields and calls name their declarations.

use super::diagnostics::{range_of, source_of, source_path};
use super::resolve::{self, word_at};
use super::text::{path_to_uri, Encoding};
use super::workspace::{key, Document, Workspace};
use gate_lang::ir::{Ir, Node};
use gate_lang::{Program, SourceId, SourceMap, Span};
use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
        let source = source_of(&program, path)?;
        let offset = doc.index.offset(&doc.text, pos, enc);
        Some(At {
            program,
            source,
            offset,
        })
    }

    /// The innermost expression at the cursor.
    fn node(&self) -> Option<&Node> {
        resolve::node_at(&self.program, self.source, self.offset)
    }
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
            // Its header as written: `def managed(s: ev.SecretItem) -> bool`.
            let written = program.sources.slice(f.span);
            let header = written.split('=').next().unwrap_or(written);
            let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
            documented(program, f.span, format!("```gate\n{header}\n```"))
        }
        Ir::Global(g) => {
            let g = program.globals.get(g.0 as usize)?;
            documented(
                program,
                g.span,
                format!("```gate\nlet {}: {ty}\n```", g.name),
            )
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

/// `text` with the comment written just above the declaration at `span`,
/// and the module it is in when that is not the document's.
fn documented(program: &Program, span: Span, mut text: String) -> String {
    let Some(file) = program.sources.get(span.source) else {
        return text;
    };
    let before = file.text.get(..span.start as usize).unwrap_or("");
    let mut lines: Vec<&str> = before
        .lines()
        .rev()
        .skip(usize::from(!before.ends_with('\n')))
        .map(str::trim)
        .take_while(|l| l.starts_with('#'))
        .filter(|l| !l.starts_with("# lint:"))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    lines.reverse();
    let comment = lines.join("\n");
    if !comment.trim().is_empty() {
        text.push_str(&format!("\n\n{}", comment.trim()));
    }
    if let Some(module) = file.name.strip_prefix("std.") {
        text.push_str(&format!("\n\n---\nfrom `std.{module}`"));
    }
    text
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

/// Go to definition: the declaration of the field, record, enum or enum
/// value, `let`, `def` or rule under the cursor (in the document, a module
/// it imports, or a `std` module), or the file an import names.
pub fn definition(
    ws: &Workspace,
    path: &Path,
    doc: &Document,
    pos: Position,
    enc: Encoding,
) -> Option<Location> {
    let at = At::of(ws, path, doc, pos, enc)?;
    if let Some(decl) = resolve::at(&at.program, at.source, at.offset) {
        return location(&at.program.sources, decl.span(), enc);
    }
    // An import's alias (`t` of `t.Secret`, `secrets` of `secrets.managed`):
    // the start of the module.
    let alias =
        word_at(&doc.text, at.offset).and_then(|(_, w)| at.program.names.imported(at.source, w));
    match alias {
        Some(module) => location(&at.program.sources, Span::new(module, 0..0), enc),
        None => import_at(&doc.text, at.offset, path),
    }
}

/// Find references: every place the program of the document, and of each
/// other open document that reads the same declaration's file, names the
/// declaration under the cursor — with the declaration itself when
/// `with_declaration`.
pub fn references(
    ws: &Workspace,
    path: &Path,
    doc: &Document,
    pos: Position,
    enc: Encoding,
    with_declaration: bool,
) -> Vec<Location> {
    let Some(at) = At::of(ws, path, doc, pos, enc) else {
        return Vec::new();
    };
    let Some(target) = resolve::at(&at.program, at.source, at.offset) else {
        return Vec::new();
    };
    let name_of = |p: &Program, id: SourceId| p.sources.get(id).map(|f| f.name.clone());
    let Some(home) = name_of(&at.program, target.source) else {
        return Vec::new();
    };
    let wanted = (home.clone(), target.offset);
    // A gate is imported by nothing: its own declarations are named in
    // its own program only. A module may be imported by other open gates.
    let importable = !(target.source == at.source && super::lens::gate_header(&doc.text).is_some());
    let mut programs = vec![at.program];
    let me = key(path);
    let others = if importable { ws.paths() } else { Vec::new() };
    for other in others.into_iter().filter(|p| *p != me) {
        if let Ok(p) = ws.compile(&other) {
            if p.sources.files().any(|(_, f)| f.name == home) {
                programs.push(p);
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for program in &programs {
        for (id, file) in program.sources.files() {
            let offsets: Vec<usize> = resolve::occurrences(&file.text, &target.name).collect();
            if offsets.is_empty() {
                continue;
            }
            let resolver = resolve::Resolver::new(program, id, offsets.clone());
            let code = code_offsets(&resolver, &file.text);
            for offset in offsets {
                if !code(offset) {
                    continue;
                }
                let Some(found) = resolver.at(offset) else {
                    continue;
                };
                if name_of(program, found.source).as_ref() != Some(&wanted.0)
                    || found.offset != wanted.1
                {
                    continue;
                }
                let here = (file.name.clone(), offset as u32);
                if (!with_declaration && here == wanted) || !seen.insert(here) {
                    continue;
                }
                let span = Span::new(id, offset..offset + target.name.len());
                out.extend(location(&program.sources, span, enc));
            }
        }
    }
    out
}

/// Whether an offset of `text` (the source `resolver` resolves) is in
/// code: not in a comment, and in a string only inside one of its `{…}`
/// holes (an expression the checker compiled, whose span is within the
/// string).
fn code_offsets<'r>(
    resolver: &'r resolve::Resolver<'_>,
    text: &str,
) -> impl Fn(usize) -> bool + 'r {
    use gate_lang::lexer::Token;
    let mut comments = Vec::new();
    let mut strings = Vec::new();
    for (token, range) in gate_lang::lexer::tokens(text) {
        match token {
            Ok(Token::Comment(_)) => comments.push(range),
            Ok(Token::Str(_) | Token::RawStr(_) | Token::Unterminated) => strings.push(range),
            _ => {}
        }
    }
    // Both in order and disjoint: the one that may hold an offset is the
    // last that starts at or before it.
    let inside = |ranges: &[std::ops::Range<usize>], offset: usize| {
        let i = ranges.partition_point(|r| r.start <= offset);
        i.checked_sub(1)
            .and_then(|i| ranges.get(i))
            .filter(|r| r.contains(&offset))
            .cloned()
    };
    move |offset| {
        if inside(&comments, offset).is_some() {
            return false;
        }
        match inside(&strings, offset) {
            None => true,
            Some(string) => resolver.node(offset).is_some_and(|n| {
                string.start < n.span.start as usize && (n.span.end as usize) < string.end
            }),
        }
    }
}

/// The location of `span`: in its file, or for a `std` module in the copy
/// of its source the server keeps ([`super::cache`]).
fn location(sources: &SourceMap, span: Span, enc: Encoding) -> Option<Location> {
    let file = source_path(sources, span).or_else(|| std_file(sources, span.source))?;
    Some(Location {
        uri: path_to_uri(&file)?,
        range: range_of(sources, span, enc),
    })
}

/// A `std` module's source as a file an editor can open: the text the
/// program was compiled from, in the server's cache ([`super::cache`]).
fn std_file(sources: &SourceMap, source: SourceId) -> Option<PathBuf> {
    let file = sources.get(source)?;
    let module = file.name.strip_prefix("std.")?;
    super::cache::file("std", &format!("{module}.gate"), &file.text)
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
