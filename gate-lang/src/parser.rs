//! The parser: tokens to [`ast`](crate::ast), through the lalrpop grammar
//! generated at build time from `grammar.lalrpop`.
//!
//! Parsing never stops at the first error: the grammar recovers at item and
//! rule-statement boundaries, so one run reports several errors. Nesting is
//! measured right after parsing, without recursion, and a tree deeper than
//! the limit is rejected before any recursive pass sees it.

use crate::ast::{self, Expr, ExprKind, Ident, Template, TemplatePart};
use crate::error::{Error, ErrorKind};
use crate::lexer::{LexError, LexErrorKind, Lexer, Token};
use crate::span::{SourceId, Span};
use lalrpop_util::{ErrorRecovery, ParseError};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        missing_docs,
        unused_qualifications,
        unreachable_pub,
        unused_parens
    )]
    grammar,
    "/grammar.rs"
);

/// The error type the grammar sees from the lexer.
pub type GrammarError = LexError;

/// Limits applied while parsing.
#[derive(Clone, Copy, Debug)]
pub struct ParseOptions {
    /// Maximum nesting of expressions and types (default 64).
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { max_depth: 64 }
    }
}

/// Parses a whole `.gate` file.
///
/// Returns the tree (with [`ast::Item::Error`] placeholders where the parser
/// recovered) and every syntax error found.
///
/// ```
/// use gate_lang::parser::parse_file;
/// use gate_lang::span::SourceId;
/// let src = "gate g { title \"demo\" }\nrule r { require true }";
/// let (file, errors) = parse_file(SourceId(0), src);
/// assert!(errors.is_empty());
/// assert_eq!(file.items.len(), 1);
/// ```
pub fn parse_file(src: SourceId, text: &str) -> (ast::File, Vec<Error>) {
    parse_file_with(src, text, ParseOptions::default())
}

/// [`parse_file`] with explicit limits.
pub fn parse_file_with(
    src: SourceId,
    text: &str,
    options: ParseOptions,
) -> (ast::File, Vec<Error>) {
    let parsed = parse_file_full(src, text, options);
    (parsed.file, parsed.errors)
}

/// A parsed file with its comments (for the formatter).
#[derive(Debug)]
pub struct Parsed {
    /// The tree.
    pub file: ast::File,
    /// Syntax errors.
    pub errors: Vec<Error>,
    /// Every comment, in source order.
    pub comments: Vec<crate::lexer::Comment>,
}

/// Parses a file and keeps its comments.
pub fn parse_file_full(src: SourceId, text: &str, options: ParseOptions) -> Parsed {
    let mut errors = Vec::new();
    let mut lexer = Lexer::new(text);
    let result = grammar::FileParser::new().parse(src, text, &mut errors, &mut lexer);
    let comments = std::mem::take(&mut lexer.comments);
    // Comments never reach the parser: check them for characters that
    // hide code ("trojan source") or reach terminals.
    for c in &comments {
        for (i, kind) in crate::lexer::comment_hazards(&c.text) {
            let len = c
                .text
                .get(i..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8);
            errors.push(Error::new(
                ErrorKind::Lex(kind),
                Span::new(src, c.start + i..c.start + i + len),
            ));
        }
    }
    let file = match result {
        Ok(file) => file,
        Err(e) => {
            errors.push(convert(src, e));
            ast::File {
                header: None,
                items: Vec::new(),
                span: Span::new(src, 0..text.len()),
            }
        }
    };
    check_depth(&file, options.max_depth, &mut errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup_by(|a, b| a.span.start == b.span.start && a.kind == b.kind);
    drop_cascades(&mut errors, text);
    if errors
        .iter()
        .any(|e| matches!(*e.kind, ErrorKind::TooDeep { .. }))
    {
        // Do not hand a too-deep tree to recursive passes.
        return Parsed {
            file: ast::File {
                header: file.header.clone(),
                items: Vec::new(),
                span: file.span,
            },
            errors,
            comments,
        };
    }
    Parsed {
        file,
        errors,
        comments,
    }
}

/// Parses a single expression (used by templates and the REPL).
///
/// ```
/// use gate_lang::parser::parse_expr;
/// use gate_lang::span::SourceId;
/// let e = parse_expr(SourceId(0), "secrets.all(vaulted)", 0).unwrap();
/// assert!(matches!(e.kind, gate_lang::ast::ExprKind::Method { .. }));
/// ```
pub fn parse_expr(src: SourceId, text: &str, offset: usize) -> Result<Expr, Vec<Error>> {
    let mut errors = Vec::new();
    let lexer = Lexer::new(text).map(move |t| {
        t.map(|(l, tok, r)| (l + offset, tok, r + offset))
            .map_err(|e| LexError {
                start: e.start + offset,
                end: e.end + offset,
                ..e
            })
    });
    match grammar::ExprParser::new().parse(src, text, &mut errors, lexer) {
        Ok(e) if errors.is_empty() => {
            let depth = e.depth();
            let limit = ParseOptions::default().max_depth;
            if depth > limit {
                return Err(vec![Error::new(
                    ErrorKind::TooDeep { depth, limit },
                    e.span,
                )]);
            }
            Ok(e)
        }
        Ok(_) => Err(errors),
        Err(e) => {
            errors.push(convert(src, e));
            Err(errors)
        }
    }
}

/// After a syntax error the parser skips ahead; an "unexpected token" on
/// the same line is usually a consequence, not news.
fn drop_cascades(errors: &mut Vec<Error>, text: &str) {
    let mut last_syntax: Option<usize> = None;
    errors.retain(|e| {
        let start = e.span.start as usize;
        let is_syntax = e.code().starts_with("E01");
        let follows = last_syntax.is_some_and(|prev| {
            matches!(
                *e.kind,
                ErrorKind::UnexpectedToken { .. } | ErrorKind::UnexpectedEof { .. }
            ) && text
                .get(prev..start)
                .is_some_and(|between| !between.contains('\n'))
        });
        if is_syntax && !follows {
            last_syntax = Some(start);
        }
        !follows
    });
}

fn check_depth(file: &ast::File, limit: usize, errors: &mut Vec<Error>) {
    let mut too_deep = |depth: usize, span: Span| {
        if depth > limit {
            errors.push(Error::new(ErrorKind::TooDeep { depth, limit }, span));
        }
    };
    let check_members = |members: &[ast::RecordMember], too_deep: &mut dyn FnMut(usize, Span)| {
        for m in members {
            match m {
                ast::RecordMember::Field(f) => too_deep(f.ty.depth(), f.ty.span),
                ast::RecordMember::Directive(d) => {
                    if let Some(c) = &d.condition {
                        too_deep(c.depth(), c.span);
                    }
                }
            }
        }
    };
    for item in &file.items {
        match item {
            ast::Item::Record(r) => check_members(&r.members, &mut too_deep),
            ast::Item::Evidence(e) => check_members(&e.members, &mut too_deep),
            ast::Item::Let(l) => {
                too_deep(l.value.depth(), l.value.span);
                if let Some(t) = &l.ty {
                    too_deep(t.depth(), t.span);
                }
            }
            ast::Item::Def(d) => {
                too_deep(d.body.depth(), d.body.span);
                for p in &d.params {
                    too_deep(p.ty.depth(), p.ty.span);
                }
                if let Some(t) = &d.ret {
                    too_deep(t.depth(), t.span);
                }
            }
            ast::Item::Rule(r) => {
                for stmt in &r.body {
                    match stmt {
                        ast::RuleStmt::When(e, _) => too_deep(e.depth(), e.span),
                        ast::RuleStmt::Let(l) => too_deep(l.value.depth(), l.value.span),
                        ast::RuleStmt::Require(req) => {
                            too_deep(req.expr.depth(), req.expr.span);
                            if let Some(t) = &req.message {
                                for part in &t.parts {
                                    if let TemplatePart::Hole(h) = part {
                                        too_deep(h.depth(), h.span);
                                    }
                                }
                            }
                        }
                        ast::RuleStmt::Setting(_) | ast::RuleStmt::Error(_) => {}
                    }
                }
            }
            ast::Item::Import(_)
            | ast::Item::Enum(_)
            | ast::Item::Waive(_)
            | ast::Item::Error(_) => {}
        }
    }
}

// ---------------------------------------------------------------- grammar helpers

/// A span in `src` from byte `l` to byte `r`.
pub fn sp(src: SourceId, l: usize, r: usize) -> Span {
    Span::new(src, l..r)
}

/// Builds an `and`/`or` chain, extending `a` when it already is one.
pub fn logic(src: SourceId, l: usize, r: usize, is_and: bool, mut a: Expr, b: Expr) -> Expr {
    let span = sp(src, l, r);
    match (&mut a.kind, is_and) {
        (ExprKind::And(items), true) | (ExprKind::Or(items), false) => {
            items.push(b);
            a.span = span;
            a
        }
        _ => Expr {
            kind: if is_and {
                ExprKind::And(vec![a, b])
            } else {
                ExprKind::Or(vec![a, b])
            },
            span,
        },
    }
}

/// Converts an error the grammar recovered from.
pub fn recovered(src: SourceId, e: ErrorRecovery<usize, Token<'_>, GrammarError>) -> Error {
    convert(src, e.error)
}

fn convert(src: SourceId, e: ParseError<usize, Token<'_>, GrammarError>) -> Error {
    match e {
        ParseError::InvalidToken { location } => Error::new(
            ErrorKind::Lex(LexErrorKind::default()),
            sp(src, location, location + 1),
        ),
        ParseError::UnrecognizedEof { location, expected } => Error::new(
            ErrorKind::UnexpectedEof {
                expected: describe_expected(&expected),
            },
            sp(src, location, location),
        ),
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => {
            let chained = tok.is_comparison() || matches!(tok, Token::In);
            let err = Error::new(
                ErrorKind::UnexpectedToken {
                    found: tok.to_string(),
                    expected: describe_expected(&expected),
                },
                sp(src, l, r),
            );
            if chained {
                err.with_note("comparisons do not chain: write `a < b and b < c`")
            } else {
                err
            }
        }
        ParseError::ExtraToken { token: (l, tok, r) } => Error::new(
            ErrorKind::UnexpectedToken {
                found: tok.to_string(),
                expected: Vec::new(),
            },
            sp(src, l, r),
        ),
        ParseError::User { error } => {
            Error::new(ErrorKind::Lex(error.kind), sp(src, error.start, error.end))
        }
    }
}

/// Turns lalrpop's terminal names into words for the user, folding the
/// many tokens that can start an expression into "an expression".
fn describe_expected(expected: &[String]) -> Vec<String> {
    let starts_expr = ["Int", "Ident", "\"(\""];
    let is_expr = starts_expr.iter().all(|t| expected.iter().any(|e| e == t));
    let expr_starts = [
        "Int",
        "Float",
        "Dur",
        "Time",
        "Str",
        "RawStr",
        "Ident",
        "\"(\"",
        "\"[\"",
        "\"{\"",
        "\"-\"",
        "\"not\"",
        "\"!\"",
        "\"if\"",
        "\"it\"",
        "\"true\"",
        "\"false\"",
        "\"null\"",
        "\"gate\"",
        "\"module\"",
        "\"record\"",
        "\"enum\"",
        "\"evidence\"",
        "\"rule\"",
    ];
    let mut out: Vec<String> = Vec::new();
    if is_expr {
        out.push("an expression".into());
    }
    for e in expected {
        if is_expr && expr_starts.contains(&e.as_str()) {
            continue;
        }
        let word = match e.as_str() {
            "Ident" => "a name".to_string(),
            "Int" => "an integer".to_string(),
            "Float" => "a number".to_string(),
            "Dur" => "a duration".to_string(),
            "Time" => "a timestamp".to_string(),
            "Str" | "RawStr" => "a string".to_string(),
            other => format!("`{}`", other.trim_matches('"')),
        };
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Resolves the escapes of a string literal (quotes included in `raw`,
/// which starts at byte `l`); bad escapes are reported in `errors`.
pub fn unescape(src: SourceId, l: usize, raw: &str, errors: &mut Vec<Error>) -> String {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    unescape_segment(src, l + 1, inner, errors)
}

/// The text of a raw string `r"…"` (starting at byte `l`); bidirectional
/// controls in it are reported.
pub fn raw_string(src: SourceId, l: usize, raw: &str, errors: &mut Vec<Error>) -> String {
    let inner = raw.get(2..raw.len().saturating_sub(1)).unwrap_or("");
    for (i, c) in inner.char_indices() {
        let kind = if crate::lexer::is_bidi_control(c) {
            LexErrorKind::BidiControl(c)
        } else if crate::lexer::is_forbidden_control(c) {
            LexErrorKind::ControlChar(c)
        } else {
            continue;
        };
        errors.push(Error::new(
            ErrorKind::Lex(kind),
            sp(src, l + 2 + i, l + 2 + i + c.len_utf8()),
        ));
    }
    inner.to_string()
}

fn unescape_segment(src: SourceId, base: usize, text: &str, errors: &mut Vec<Error>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if crate::lexer::is_bidi_control(c) {
            errors.push(Error::new(
                ErrorKind::Lex(LexErrorKind::BidiControl(c)),
                sp(src, base + i, base + i + c.len_utf8()),
            ));
            continue;
        }
        if crate::lexer::is_forbidden_control(c) {
            errors.push(Error::new(
                ErrorKind::Lex(LexErrorKind::ControlChar(c)),
                sp(src, base + i, base + i + c.len_utf8()),
            ));
            continue;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((j, e)) = chars.next() else {
            break;
        };
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '{' => out.push('{'),
            '}' => out.push('}'),
            'u' => {
                let mut hex = String::new();
                let mut closed = false;
                // One past the last byte of the escape as written.
                let mut end = j + 1;
                if let Some((k, '{')) = chars.peek().copied() {
                    chars.next();
                    end = k + 1;
                    for (k, h) in chars.by_ref() {
                        end = k + h.len_utf8();
                        if h == '}' {
                            closed = true;
                            break;
                        }
                        hex.push(h);
                    }
                }
                let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                match (closed, ch) {
                    (true, Some(ch)) if crate::lexer::is_bidi_control(ch) => {
                        errors.push(Error::new(
                            ErrorKind::Lex(LexErrorKind::BidiControl(ch)),
                            sp(src, base + i, base + end),
                        ))
                    }
                    (true, Some(ch)) => out.push(ch),
                    _ => errors.push(Error::new(
                        ErrorKind::InvalidEscape {
                            escape: text.get(i..end).unwrap_or("\\u").to_string(),
                        },
                        sp(src, base + i, base + end),
                    )),
                }
            }
            other => errors.push(Error::new(
                ErrorKind::InvalidEscape {
                    escape: format!("\\{other}"),
                },
                sp(src, base + i, base + j + other.len_utf8()),
            )),
        }
    }
    out
}

/// Parses a failure-message template: text with `{expr}` holes. `raw` is
/// the string literal (quotes included) at bytes `l..r`.
pub fn template(src: SourceId, l: usize, r: usize, raw: &str, errors: &mut Vec<Error>) -> Template {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let base = l + 1;
    let mut parts = Vec::new();
    let mut text_start = 0;
    let mut text = String::new();
    let bytes = inner.as_bytes();
    let mut i = 0;
    let bad = |errors: &mut Vec<Error>, reason: &str, from: usize, to: usize| {
        errors.push(Error::new(
            ErrorKind::InvalidTemplate {
                reason: reason.to_string(),
            },
            sp(src, base + from, base + to),
        ));
    };
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\\') => {
                i += 2;
            }
            Some(b'{') if bytes.get(i + 1) == Some(&b'{') => {
                text.push_str(&unescape_segment(
                    src,
                    base + text_start,
                    inner.get(text_start..i).unwrap_or(""),
                    errors,
                ));
                text.push('{');
                i += 2;
                text_start = i;
            }
            Some(b'}') if bytes.get(i + 1) == Some(&b'}') => {
                text.push_str(&unescape_segment(
                    src,
                    base + text_start,
                    inner.get(text_start..i).unwrap_or(""),
                    errors,
                ));
                text.push('}');
                i += 2;
                text_start = i;
            }
            Some(b'}') => {
                bad(errors, "`}` without `{`", i, i + 1);
                i += 1;
            }
            Some(b'{') => {
                text.push_str(&unescape_segment(
                    src,
                    base + text_start,
                    inner.get(text_start..i).unwrap_or(""),
                    errors,
                ));
                let Some(close) = inner.get(i + 1..).and_then(|s| s.find('}')) else {
                    bad(errors, "`{` is not closed", i, inner.len());
                    i = bytes.len();
                    text_start = i;
                    continue;
                };
                let hole = inner.get(i + 1..i + 1 + close).unwrap_or("");
                if !text.is_empty() {
                    parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                }
                if hole.trim().is_empty() {
                    bad(errors, "empty `{}`", i, i + close + 2);
                } else {
                    // `\"` inside a hole is a quote of the expression: parse the
                    // hole without the backslashes, then move spans back.
                    let (hole, removed) = unescape_quotes(hole);
                    let start = base + i + 1;
                    match parse_expr(src, &hole, 0) {
                        Ok(mut e) => {
                            remap_spans(&mut e, &|p| {
                                (start + p + removed.iter().filter(|r| **r < p).count()) as u32
                            });
                            parts.push(TemplatePart::Hole(e));
                        }
                        Err(es) => errors.extend(es.into_iter().map(|mut e| {
                            let p = e.span.start as usize;
                            let q = e.span.end as usize;
                            let shift =
                                |x: usize| start + x + removed.iter().filter(|r| **r < x).count();
                            e.span = sp(src, shift(p), shift(q));
                            e
                        })),
                    }
                }
                i += close + 2;
                text_start = i;
            }
            _ => i += 1,
        }
    }
    text.push_str(&unescape_segment(
        src,
        base + text_start,
        inner.get(text_start..).unwrap_or(""),
        errors,
    ));
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
    Template {
        parts,
        span: sp(src, l, r),
    }
}

/// `hole` with each `\\"` turned into `"`, and the positions (in the new
/// text) where a backslash was removed.
fn unescape_quotes(hole: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(hole.len());
    let mut removed = Vec::new();
    let mut chars = hole.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'"') {
            removed.push(out.len());
            continue;
        }
        out.push(c);
    }
    (out, removed)
}

/// Applies `f` to every span of an expression (parsed from a substring).
fn remap_spans(e: &mut Expr, f: &dyn Fn(usize) -> u32) {
    let map = |s: &mut Span| {
        s.start = f(s.start as usize);
        s.end = f(s.end as usize).max(s.start);
    };
    map(&mut e.span);
    match &mut e.kind {
        ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::It | ExprKind::Error => {}
        ExprKind::List(items) | ExprKind::And(items) | ExprKind::Or(items) => {
            items.iter_mut().for_each(|x| remap_spans(x, f));
        }
        ExprKind::Map(entries) => {
            for (key, value) in entries {
                map(&mut key.span);
                remap_spans(value, f);
            }
        }
        ExprKind::Call { callee, args } => {
            map(&mut callee.span);
            args.iter_mut().for_each(|x| remap_spans(x, f));
        }
        ExprKind::Method {
            receiver,
            name,
            args,
            ..
        } => {
            remap_spans(receiver, f);
            map(&mut name.span);
            args.iter_mut().for_each(|x| remap_spans(x, f));
        }
        ExprKind::Field { base, name, .. } => {
            remap_spans(base, f);
            map(&mut name.span);
        }
        ExprKind::Lambda { param, body } => {
            map(&mut param.span);
            remap_spans(body, f);
        }
        ExprKind::Paren(x) | ExprKind::Unary { operand: x, .. } => remap_spans(x, f),
        ExprKind::Index { base, index } => {
            remap_spans(base, f);
            remap_spans(index, f);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            remap_spans(lhs, f);
            remap_spans(rhs, f);
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            remap_spans(cond, f);
            remap_spans(then, f);
            remap_spans(otherwise, f);
        }
    }
}

/// Validates a rule id spanning bytes `l..r` of `text`.
pub fn rule_id(src: SourceId, text: &str, l: usize, r: usize, errors: &mut Vec<Error>) -> Ident {
    name_id(src, text, l, r, errors, "rule id")
}

/// Validates a kebab-case name (rule id or gate name) at bytes `l..r`.
pub fn name_id(
    src: SourceId,
    text: &str,
    l: usize,
    r: usize,
    errors: &mut Vec<Error>,
    what: &str,
) -> Ident {
    let id = text.get(l..r).unwrap_or("");
    let valid = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !id.ends_with('-');
    if !valid {
        errors.push(Error::new(
            ErrorKind::InvalidRuleId {
                id: id.to_string(),
                what: what.to_string(),
            },
            sp(src, l, r),
        ));
    }
    Ident {
        name: id.to_string(),
        span: sp(src, l, r),
    }
}

#[cfg(test)]
mod tests;
