//! The canonical formatter of `.gate` files (`gate fmt`).
//!
//! The file is parsed with its comments, turned into a document (see
//! `doc.rs`, a Wadler/Prettier-style printer) and printed at width
//! [`WIDTH`] with two-space indentation. Every comment is kept: a comment
//! on its own line stays before the item, statement or operand it
//! precedes, and a comment after code stays at the end of its line. At
//! most one blank line is kept between items, statements and members.
//! Literals are printed as written, so strings keep their value and
//! spelling; parentheses are kept as written.
//!
//! A file with syntax errors is not formatted. As a safety net, the output
//! is parsed again and must give the same tree and the same comments;
//! otherwise [`FormatError::Internal`] is returned and nothing should be
//! written.

mod doc;

use crate::ast::*;
use crate::error::Error;
use crate::parser::{parse_file_full, ParseOptions};
use crate::span::SourceId;
use doc::{cat, group, indent, text, Doc};

/// The line width the formatter aims for.
pub const WIDTH: usize = 100;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FormatError {
    /// The file has syntax errors (spans in [`SourceId`] 0).
    Syntax(Vec<Error>),
    /// The formatter's output would not parse to the same tree or would
    /// lose a comment; this is a bug in the formatter.
    Internal(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(errors) => match errors.len() {
                1 => write!(f, "the file has 1 syntax error"),
                n => write!(f, "the file has {n} syntax errors"),
            },
            FormatError::Internal(why) => write!(f, "the formatter failed: {why}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a `.gate` file given as text.
///
/// Returns the canonical text (ending with one newline), or the syntax
/// errors (with spans in [`SourceId`] 0) when the file does not parse.
///
/// ```
/// use gate_lang::format::format_source;
/// let src = "gate g{title \"G\"}\n\n\nrule r{ # why\nrequire a and   b}\n";
/// let out = format_source(src).unwrap();
/// assert_eq!(out, "gate g { title \"G\" }\n\nrule r { # why\n  require a and b\n}\n");
/// assert_eq!(format_source(&out).unwrap(), out);
/// assert!(format_source("rule {").is_err());
/// ```
pub fn format_source(text: &str) -> Result<String, FormatError> {
    let parsed = parse_file_full(SourceId(0), text, ParseOptions::default());
    if !parsed.errors.is_empty() {
        return Err(FormatError::Syntax(parsed.errors));
    }
    let mut f = Formatter::new(text, &parsed.comments);
    let doc = f.file(&parsed.file);
    let out = doc::print(&doc, WIDTH);
    // Safety net: same tree, same comments.
    let again = parse_file_full(SourceId(0), &out, ParseOptions::default());
    if !again.errors.is_empty() {
        return Err(FormatError::Internal(format!(
            "the output does not parse: {}",
            again
                .errors
                .first()
                .map(|e| e.to_string())
                .unwrap_or_default()
        )));
    }
    if again.file != parsed.file {
        return Err(FormatError::Internal(
            "the output parses to a different tree".into(),
        ));
    }
    let texts = |cs: &[crate::lexer::Comment]| -> Vec<String> {
        cs.iter().map(|c| c.text.trim_end().to_string()).collect()
    };
    if texts(&again.comments) != texts(&parsed.comments) {
        return Err(FormatError::Internal(
            "the output does not keep every comment".into(),
        ));
    }
    Ok(out)
}

/// A comment, and whether code precedes it on its line.
struct Cmt {
    start: usize,
    text: String,
    trailing: bool,
}

struct Formatter<'a> {
    src: &'a str,
    comments: Vec<Cmt>,
    next: usize,
}

/// Positions: `u32` span offsets as `usize`.
fn at(span: crate::span::Span) -> usize {
    span.start as usize
}

fn end(span: crate::span::Span) -> usize {
    span.end as usize
}

impl<'a> Formatter<'a> {
    fn new(src: &'a str, comments: &[crate::lexer::Comment]) -> Self {
        let comments = comments
            .iter()
            .map(|c| {
                let line_start = src
                    .get(..c.start)
                    .and_then(|s| s.rfind('\n').map(|i| i + 1))
                    .unwrap_or(0);
                let trailing = src
                    .get(line_start..c.start)
                    .is_some_and(|s| !s.trim().is_empty());
                Cmt {
                    start: c.start,
                    text: c.text.trim_end().to_string(),
                    trailing,
                }
            })
            .collect();
        Formatter {
            src,
            comments,
            next: 0,
        }
    }

    /// The source text of a span.
    fn slice(&self, span: crate::span::Span) -> String {
        self.src.get(span.range()).unwrap_or("").to_string()
    }

    /// Whether an empty line precedes position `pos` (skipping whitespace).
    fn blank_before(&self, pos: usize) -> bool {
        let before = self.src.get(..pos).unwrap_or("");
        let ws = before.len() - before.trim_end().len();
        before
            .get(before.len() - ws..)
            .is_some_and(|w| w.matches('\n').count() >= 2)
    }

    /// The comments before `pos` not yet printed.
    fn take(&mut self, pos: usize) -> Vec<(usize, String, bool)> {
        let mut out = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            out.push((c.start, c.text.clone(), c.trailing));
            self.next += 1;
        }
        out
    }

    /// Comments before `pos`, at a place that is followed by code: trailing
    /// ones go to the end of the line, own-line ones on lines of their own.
    fn leading(&mut self, pos: usize) -> Doc {
        let mut v = Vec::new();
        let mut own = false;
        for (_, t, trailing) in self.take(pos) {
            if trailing && !own {
                // The line breaks right here, so that the comment stays
                // after the code it followed.
                v.push(Doc::Suffix(format!(" {t}")));
                v.push(Doc::Hard);
            } else {
                own = true;
                v.extend([Doc::Hard, text(t), Doc::Hard]);
            }
        }
        cat(v)
    }

    /// Comments before `pos` at a line break: (before the break, after it).
    fn gap(&mut self, pos: usize) -> (Doc, Doc) {
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (_, t, trailing) in self.take(pos) {
            if trailing && after.is_empty() {
                before.push(Doc::Suffix(format!(" {t}")));
                before.push(Doc::BreakParent);
            } else {
                after.extend([text(t), Doc::Hard]);
            }
        }
        (cat(before), cat(after))
    }

    /// The separator before an element of a block (one per line) at `pos`:
    /// trailing comments, a newline, own-line comments, blank lines kept.
    fn sep(&mut self, pos: usize, first: bool) -> Doc {
        let mut v = Vec::new();
        let mut emitted = !first;
        let mut own = false;
        for (start, t, trailing) in self.take(pos) {
            if trailing && !own {
                v.push(Doc::Suffix(format!(" {t}")));
                v.push(Doc::BreakParent);
                continue;
            }
            if !own {
                v.push(Doc::Hard);
            }
            own = true;
            if emitted && self.blank_before(start) {
                v.push(Doc::Blank);
            }
            v.extend([text(t), Doc::Hard]);
            emitted = true;
        }
        v.push(Doc::Hard);
        if emitted && self.blank_before(pos) {
            v.push(Doc::Blank);
        }
        cat(v)
    }

    /// The comments before the end of a block (`close` is the position of
    /// its closing brace, or the end of the file).
    fn block_end(&mut self, close: usize, nonempty: bool) -> (Doc, bool) {
        let mut v = Vec::new();
        let mut emitted = nonempty;
        let mut own = false;
        for (start, t, trailing) in self.take(close) {
            if trailing && !own {
                v.push(Doc::Suffix(format!(" {t}")));
                v.push(Doc::BreakParent);
                continue;
            }
            own = true;
            v.push(Doc::Hard);
            if emitted && self.blank_before(start) {
                v.push(Doc::Blank);
            }
            v.push(text(t));
            emitted = true;
        }
        let any = !v.is_empty();
        (cat(v), any)
    }

    /// `head {` elements one per line `}`.
    fn block(
        &mut self,
        head: Doc,
        span: crate::span::Span,
        elements: Vec<BlockEl<'_>>,
        flat: Option<&'static str>,
    ) -> Doc {
        let close = end(span).saturating_sub(1);
        let nonempty = !elements.is_empty();
        // A block the author wrote on one line, without comments, stays on
        // one line when it fits (elements joined by `flat`).
        let first = elements.first().map(BlockEl::pos).unwrap_or(close);
        let one_line = flat.is_some()
            && nonempty
            && !self.src.get(at(span)..first).unwrap_or("\n").contains('\n')
            && self
                .comments
                .get(self.next)
                .is_none_or(|c| c.start >= close);
        if let (true, Some(joiner)) = (one_line, flat) {
            let mut inner = vec![Doc::Line];
            for (i, el) in elements.into_iter().enumerate() {
                if i > 0 {
                    inner.push(Doc::IfFlat(joiner.to_string()));
                    inner.push(Doc::Line);
                }
                inner.push(self.element(el));
            }
            return group(cat(vec![
                head,
                text(" {"),
                indent(cat(inner)),
                Doc::Line,
                text("}"),
            ]));
        }
        let mut inner = Vec::new();
        for (i, el) in elements.into_iter().enumerate() {
            inner.push(self.sep(el.pos(), i == 0));
            inner.push(self.element(el));
        }
        let (tail, any) = self.block_end(close, nonempty);
        inner.push(tail);
        let inner = cat(inner);
        if !nonempty && !any {
            return cat(vec![head, text(" {}")]);
        }
        cat(vec![head, text(" {"), indent(inner), Doc::Hard, text("}")])
    }

    /// Whether the author broke the line right after the `{` at `open`.
    fn broken_after_brace(&self, open: usize, first: usize) -> bool {
        self.src.get(open..first).is_some_and(|s| s.contains('\n'))
    }

    fn element(&mut self, el: BlockEl<'_>) -> Doc {
        match el {
            BlockEl::Setting(s) => self.setting(s),
            BlockEl::Member(m) => self.member(m),
            BlockEl::Stmt(s) => self.stmt(s),
        }
    }

    // ------------------------------------------------------------ file

    fn file(&mut self, file: &File) -> Doc {
        let mut v = Vec::new();
        let mut first = true;
        if let Some(h) = &file.header {
            let span = match h {
                Header::Gate(g) => g.span,
                Header::Module(m) => m.span,
            };
            v.push(self.sep(at(span), true));
            v.push(self.header(h));
            first = false;
        }
        for item in &file.items {
            let pos = item_pos(item);
            v.push(self.sep(pos, first));
            v.push(self.item(item));
            first = false;
        }
        v.push(self.block_end(self.src.len(), !first).0);
        cat(v)
    }

    fn header(&mut self, h: &Header) -> Doc {
        match h {
            Header::Gate(g) => {
                let head = text(format!("gate {}", g.name.name));
                let flat = (g.settings.len() == 1).then_some("");
                let els = g.settings.iter().map(BlockEl::Setting).collect();
                self.block(head, g.span, els, flat)
            }
            Header::Module(m) => text(format!("module {}", dotted(&m.path))),
        }
    }

    fn item(&mut self, item: &Item) -> Doc {
        match item {
            Item::Import(i) => {
                let target = match &i.target {
                    ImportTarget::Module(path) => dotted(path),
                    ImportTarget::Path(s) => self.slice(s.span),
                };
                let alias = i
                    .alias
                    .as_ref()
                    .map(|a| format!(" as {}", a.name))
                    .unwrap_or_default();
                text(format!("import {target}{alias}"))
            }
            Item::Enum(e) => self.enum_decl(e),
            Item::Record(r) => {
                let head = text(format!("record {}", r.name.name));
                let els = r.members.iter().map(BlockEl::Member).collect();
                self.block(head, r.span, els, Some(","))
            }
            Item::Evidence(e) => {
                let els = e.members.iter().map(BlockEl::Member).collect();
                self.block(text("evidence"), e.span, els, Some(","))
            }
            Item::Let(l) => self.let_decl(l),
            Item::Def(d) => self.def(d),
            Item::Rule(r) => {
                let mut head = format!("rule {}", r.id.name);
                if let Some(t) = &r.title {
                    head.push(' ');
                    head.push_str(&self.slice(t.span));
                }
                let els = r.body.iter().map(BlockEl::Stmt).collect();
                self.block(text(head), r.span, els, None)
            }
            Item::Waive(w) => {
                let head = text(format!("waive {}", w.rule.name));
                let els = w.settings.iter().map(BlockEl::Setting).collect();
                self.block(head, w.span, els, None)
            }
            Item::Error(span) => text(self.slice(*span)),
        }
    }

    fn enum_decl(&mut self, e: &EnumDecl) -> Doc {
        let mut parts = Vec::new();
        for (i, v) in e.variants.iter().enumerate() {
            if i > 0 {
                let (before, after) = self.gap(at(v.span));
                parts.push(cat(vec![text(","), before, Doc::Line, after]));
            } else {
                parts.push(self.leading(at(v.span)));
            }
            let name = if v.quoted {
                self.slice(v.span)
            } else {
                v.value.clone()
            };
            if i == 0 {
                let lead = parts.pop().unwrap_or(Doc::Nil);
                parts.push(cat(vec![lead, text(name)]));
            } else {
                parts.push(text(name));
            }
        }
        let close = end(e.span).saturating_sub(1);
        let (tail, _) = self.block_end(close, !parts.is_empty());
        let head = text(format!("enum {} {{", e.name.name));
        if parts.is_empty() {
            return group(cat(vec![head, indent(tail), Doc::Line, text("}")]));
        }
        let first = e.variants.first().map(|v| at(v.span)).unwrap_or(close);
        let open = if self.broken_after_brace(at(e.span), first) {
            Doc::Hard
        } else {
            Doc::Line
        };
        group(cat(vec![
            head,
            indent(cat(vec![open, Doc::Fill(parts), tail])),
            Doc::Line,
            text("}"),
        ]))
    }

    fn setting(&mut self, s: &Setting) -> Doc {
        let value = match &s.value {
            SettingValue::Name(n) => text(n.name.clone()),
            SettingValue::Strings(strs) if strs.is_empty() => text("[]"),
            SettingValue::Strings(strs) => {
                let mut parts = Vec::new();
                for (i, st) in strs.iter().enumerate() {
                    let lead = if i > 0 {
                        let (before, after) = self.gap(at(st.span));
                        parts.push(cat(vec![text(","), before, Doc::Line, after]));
                        Doc::Nil
                    } else {
                        self.leading(at(st.span))
                    };
                    parts.push(cat(vec![lead, text(self.slice(st.span))]));
                }
                indent(Doc::Fill(parts))
            }
            SettingValue::Int(_, span)
            | SettingValue::Bool(_, span)
            | SettingValue::Time(_, span) => {
                let lead = self.leading(at(*span));
                cat(vec![lead, text(self.slice(*span))])
            }
        };
        cat(vec![text(format!("{} ", s.name.name)), value])
    }

    fn member(&mut self, m: &RecordMember) -> Doc {
        match m {
            RecordMember::Field(f) => {
                let mut head = String::new();
                for a in &f.attributes {
                    head.push_str(&format!("@{} ", a.name));
                }
                if f.quoted {
                    head.push_str(&self.slice(f.key_span));
                } else {
                    head.push_str(&f.key);
                }
                if let Some(a) = &f.alias {
                    head.push_str(&format!(" as {}", a.name));
                }
                head.push_str(": ");
                let ty = self.ty(&f.ty);
                cat(vec![text(head), ty])
            }
            RecordMember::Directive(d) => {
                let mut path = d.field.name.clone();
                for n in &d.nested {
                    path.push('.');
                    path.push_str(&n.name);
                }
                let head = text(format!("{} {path}", d.name.name));
                match &d.condition {
                    None => head,
                    Some(c) => {
                        let (before, after) = self.gap(at(c.span));
                        let e = self.expr(c);
                        group(cat(vec![
                            head,
                            indent(cat(vec![
                                before,
                                Doc::Line,
                                after,
                                text("when "),
                                indent(e),
                            ])),
                        ]))
                    }
                }
            }
        }
    }

    fn ty(&mut self, t: &TypeExpr) -> Doc {
        let lead = self.leading(at(t.span));
        let body = match &t.kind {
            TypeKind::Named(path) => text(dotted(path)),
            TypeKind::List(inner) => cat(vec![text("["), self.ty(inner), text("]")]),
            TypeKind::Optional(inner) => {
                // `T??` would lex as `??`: keep a space between two `?`.
                let q = if matches!(inner.kind, TypeKind::Optional(_)) {
                    " ?"
                } else {
                    "?"
                };
                cat(vec![self.ty(inner), text(q)])
            }
            TypeKind::Generic(name, args) => {
                let mut v = vec![text(format!("{}<", name.name))];
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        v.push(text(", "));
                    }
                    v.push(self.ty(a));
                }
                // `>` followed by `>`? Tokens are single characters: fine.
                v.push(text(">"));
                cat(v)
            }
            TypeKind::Record(members) => {
                let mut inner = Vec::new();
                for (i, m) in members.iter().enumerate() {
                    let pos = member_pos(m);
                    if i > 0 {
                        let (before, after) = self.gap(pos);
                        inner.push(cat(vec![text(","), before, Doc::Line, after]));
                    } else {
                        inner.push(self.leading(pos));
                    }
                    inner.push(self.member(m));
                }
                let (tail, _) = self.block_end(end(t.span).saturating_sub(1), !members.is_empty());
                if members.is_empty() {
                    group(cat(vec![text("{"), indent(tail), Doc::Line, text("}")]))
                } else {
                    let first = members.first().map(member_pos).unwrap_or(end(t.span));
                    let open = if self.broken_after_brace(at(t.span), first) {
                        Doc::Hard
                    } else {
                        Doc::Line
                    };
                    group(cat(vec![
                        text("{"),
                        indent(cat(vec![open, cat(inner), tail])),
                        Doc::Line,
                        text("}"),
                    ]))
                }
            }
        };
        cat(vec![lead, body])
    }

    fn let_decl(&mut self, l: &LetDecl) -> Doc {
        let mut head = format!("let {}", l.name.name);
        let ty = match &l.ty {
            Some(t) => {
                head.push_str(": ");
                self.ty(t)
            }
            None => Doc::Nil,
        };
        let (before, after) = self.gap(at(l.value.span));
        let hug = hugs(&l.value) && is_nil(&before) && is_nil(&after);
        let value = self.expr(&l.value);
        if hug {
            return cat(vec![text(head), ty, text(" = "), value]);
        }
        group(cat(vec![
            text(head),
            ty,
            text(" ="),
            indent(cat(vec![before, Doc::Line, after, value])),
        ]))
    }

    fn def(&mut self, d: &DefDecl) -> Doc {
        let mut params = Vec::new();
        for (i, p) in d.params.iter().enumerate() {
            if i > 0 {
                let (before, after) = self.gap(at(p.name.span));
                params.push(cat(vec![text(","), before, Doc::Line, after]));
            } else {
                params.push(self.leading(at(p.name.span)));
            }
            let ty = self.ty(&p.ty);
            params.push(cat(vec![text(format!("{}: ", p.name.name)), ty]));
        }
        let params = if d.params.is_empty() {
            text("()")
        } else {
            group(cat(vec![
                text("("),
                indent(cat(vec![Doc::Soft, cat(params)])),
                Doc::Soft,
                text(")"),
            ]))
        };
        let ret = match &d.ret {
            Some(t) => cat(vec![text(" -> "), self.ty(t)]),
            None => Doc::Nil,
        };
        let (before, after) = self.gap(at(d.body.span));
        let body = self.expr(&d.body);
        group(cat(vec![
            text(format!("def {}", d.name.name)),
            params,
            ret,
            text(" ="),
            indent(cat(vec![before, Doc::Line, after, body])),
        ]))
    }

    fn stmt(&mut self, s: &RuleStmt) -> Doc {
        match s {
            RuleStmt::Setting(s) => self.setting(s),
            RuleStmt::When(e, _) => {
                let lead = self.leading(at(e.span));
                let e = self.expr(e);
                group(cat(vec![text("when "), lead, indent(e)]))
            }
            RuleStmt::Let(l) => self.let_decl(l),
            RuleStmt::Require(r) => {
                let lead = self.leading(at(r.expr.span));
                let e = self.expr(&r.expr);
                let msg = match &r.message {
                    Some(m) => {
                        let (before, after) = self.gap(at(m.span));
                        indent(cat(vec![
                            before,
                            Doc::Line,
                            after,
                            text("else "),
                            text(self.slice(m.span)),
                        ]))
                    }
                    None => Doc::Nil,
                };
                group(cat(vec![text("require "), lead, indent(e), msg]))
            }
            RuleStmt::Error(span) => text(self.slice(*span)),
        }
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, e: &Expr) -> Doc {
        let lead = self.leading(at(e.span));
        let body = match &e.kind {
            ExprKind::Lit(_) => text(self.slice(e.span)),
            ExprKind::Name(n) => text(n.clone()),
            ExprKind::It => text("it"),
            ExprKind::Error => text(self.slice(e.span)),
            ExprKind::List(items) => {
                let inner = self.args(items, end(e.span).saturating_sub(1));
                group(cat(vec![text("["), inner, Doc::Soft, text("]")]))
            }
            ExprKind::Map(entries) => {
                let inner = self.entries(entries, end(e.span).saturating_sub(1));
                group(cat(vec![text("{"), inner, Doc::Soft, text("}")]))
            }
            ExprKind::Paren(inner) => {
                let d = self.expr(inner);
                let tail = self.leading(end(e.span).saturating_sub(1));
                cat(vec![text("("), d, tail, text(")")])
            }
            ExprKind::Field {
                base,
                name,
                optional,
            } => {
                let b = self.expr(base);
                let dot = if *optional { "?." } else { "." };
                cat(vec![b, text(format!("{dot}{}", name.name))])
            }
            ExprKind::Call { callee, args } => {
                let inner = self.args(args, end(e.span).saturating_sub(1));
                group(cat(vec![
                    text(format!("{}(", callee.name)),
                    inner,
                    Doc::Soft,
                    text(")"),
                ]))
            }
            ExprKind::Method {
                receiver,
                name,
                args,
                optional,
            } => {
                let r = self.expr(receiver);
                let dot = if *optional { "?." } else { "." };
                let inner = self.args(args, end(e.span).saturating_sub(1));
                cat(vec![
                    r,
                    group(cat(vec![
                        text(format!("{dot}{}(", name.name)),
                        inner,
                        Doc::Soft,
                        text(")"),
                    ])),
                ])
            }
            ExprKind::Index { base, index } => {
                let b = self.expr(base);
                let i = self.expr(index);
                let tail = self.leading(end(e.span).saturating_sub(1));
                cat(vec![b, text("["), i, tail, text("]")])
            }
            ExprKind::Unary { op, operand } => {
                let o = self.expr(operand);
                let op = match op {
                    UnaryOp::Not => "not ",
                    UnaryOp::Neg => "-",
                    UnaryOp::Bang => "!",
                };
                cat(vec![text(op), o])
            }
            ExprKind::And(items) => self.chain("and", items),
            ExprKind::Or(items) => self.chain("or", items),
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.expr(lhs);
                let (before, after) = self.gap(at(rhs.span));
                let own_line = !is_nil(&after) || !is_nil(&before);
                let r = self.expr(rhs);
                let rhs = if own_line {
                    indent(cat(vec![Doc::Hard, after, r]))
                } else {
                    cat(vec![text(" "), r])
                };
                cat(vec![l, text(format!(" {}", op.as_str())), before, rhs])
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                let (b1, a1) = self.gap(at(then.span));
                let t = self.expr(then);
                let (b2, a2) = self.gap(at(otherwise.span));
                let o = self.expr(otherwise);
                group(cat(vec![
                    text("if "),
                    c,
                    indent(cat(vec![
                        b1,
                        Doc::Line,
                        a1,
                        text("then "),
                        t,
                        b2,
                        Doc::Line,
                        a2,
                        text("else "),
                        o,
                    ])),
                ]))
            }
            ExprKind::Lambda { param, body } => {
                let b = self.expr(body);
                cat(vec![text(format!("{} => ", param.name)), b])
            }
        };
        cat(vec![lead, body])
    }

    /// `a and b and c`: broken, one operand per line, operator first.
    fn chain(&mut self, op: &str, items: &[Expr]) -> Doc {
        let mut rest = Vec::new();
        let mut first = Doc::Nil;
        for (i, item) in items.iter().enumerate() {
            if i == 0 {
                first = self.expr(item);
                continue;
            }
            let (before, after) = self.gap(at(item.span));
            let d = self.expr(item);
            rest.extend([before, Doc::Line, after, text(format!("{op} ")), d]);
        }
        group(cat(vec![first, indent(cat(rest))]))
    }

    /// The inside of `(…)` or `[…]`: items separated by commas, with the
    /// comments before the closing bracket at `close`.
    /// Arguments that are all names, literals or field paths are filled,
    /// several per line; others go one per line when they do not fit.
    fn args(&mut self, items: &[Expr], close: usize) -> Doc {
        let simple = items.len() > 1 && items.iter().all(is_simple);
        let mut v = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                let (before, after) = self.gap(at(item.span));
                let sep = cat(vec![text(","), before, Doc::Line, after]);
                if simple {
                    v.push(sep);
                } else {
                    v.extend(match sep {
                        Doc::Concat(parts) => parts,
                        other => vec![other],
                    });
                }
            }
            v.push(self.expr(item));
        }
        let tail = self.block_end(close, !items.is_empty()).0;
        if items.is_empty() {
            return indent(tail);
        }
        let body = if simple { Doc::Fill(v) } else { cat(v) };
        indent(cat(vec![Doc::Soft, body, tail]))
    }

    /// The entries of a map literal, laid out as the elements of a list.
    fn entries(&mut self, entries: &[(StrLit, Expr)], close: usize) -> Doc {
        let mut v = Vec::new();
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                let (before, after) = self.gap(at(key.span));
                v.push(cat(vec![text(","), before, Doc::Line, after]));
            }
            let key = text(self.slice(key.span));
            v.push(cat(vec![key, text(": "), self.expr(value)]));
        }
        let tail = self.block_end(close, !entries.is_empty()).0;
        if entries.is_empty() {
            return indent(tail);
        }
        indent(cat(vec![Doc::Soft, cat(v), tail]))
    }
}

fn member_pos(m: &RecordMember) -> usize {
    match m {
        RecordMember::Field(f) => at(f.span),
        RecordMember::Directive(d) => at(d.span),
    }
}

/// Whether a doc prints nothing.
fn is_nil(d: &Doc) -> bool {
    match d {
        Doc::Nil => true,
        Doc::Concat(v) => v.iter().all(is_nil),
        _ => false,
    }
}

/// Values that open a bracket on the line of the `=` and break inside it.
fn hugs(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::List(_) | ExprKind::Map(_) | ExprKind::Call { .. }
    )
}

/// Names, literals and field paths: short arguments that can share a line.
fn is_simple(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::It => true,
        ExprKind::Field { base, .. } => is_simple(base),
        _ => false,
    }
}

/// What a block holds, one per line.
enum BlockEl<'t> {
    Setting(&'t Setting),
    Member(&'t RecordMember),
    Stmt(&'t RuleStmt),
}

impl BlockEl<'_> {
    fn pos(&self) -> usize {
        match self {
            BlockEl::Setting(s) => at(s.span),
            BlockEl::Member(RecordMember::Field(f)) => at(f.span),
            BlockEl::Member(RecordMember::Directive(d)) => at(d.span),
            BlockEl::Stmt(s) => match s {
                RuleStmt::Setting(s) => at(s.span),
                RuleStmt::When(_, span) | RuleStmt::Error(span) => at(*span),
                RuleStmt::Let(l) => at(l.span),
                RuleStmt::Require(r) => at(r.span),
            },
        }
    }
}

fn item_pos(item: &Item) -> usize {
    match item {
        Item::Import(i) => at(i.span),
        Item::Enum(e) => at(e.span),
        Item::Record(r) => at(r.span),
        Item::Evidence(e) => at(e.span),
        Item::Let(l) => at(l.span),
        Item::Def(d) => at(d.span),
        Item::Rule(r) => at(r.span),
        Item::Waive(w) => at(w.span),
        Item::Error(s) => at(*s),
    }
}

fn dotted(path: &[Ident]) -> String {
    path.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests;
