//! Semantic tokens: the lexer's tokens, with each name classified by what
//! it resolves to ([`super::resolve`]) — a field is a property, a `def` a
//! function, an enum value an enum member — so an editor colours what a
//! name means, not only how it looks. A document that does not compile
//! gets the lexical classes alone (keywords, strings, numbers, comments,
//! operators).

use super::resolve::{self, Kind};
use super::text::Encoding;
use super::workspace::{Document, Workspace};
use gate_lang::ir::Ir;
use gate_lang::lexer::Token;
use gate_lang::{Program, SourceId};
use lsp_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend};
use std::path::Path;

/// The token types, in the order of their indices in the legend.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::TYPE,
    SemanticTokenType::ENUM,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::METHOD,
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::new("label"),
];

/// The modifiers, each a bit in the order of the legend.
const MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

const DECLARATION: u32 = 1;
const DEFAULT_LIBRARY: u32 = 2;

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

/// The index of a token type in the legend.
fn ty(t: &SemanticTokenType) -> u32 {
    TYPES
        .iter()
        .position(|x| x == t)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(0)
}

/// A classified piece of the document: byte range, type, modifiers.
type Class = (std::ops::Range<usize>, u32, u32);

/// The semantic tokens of a document, encoded as the protocol has them
/// (each relative to the one before).
pub fn semantic_tokens(
    ws: &Workspace,
    path: &Path,
    doc: &Document,
    enc: Encoding,
) -> Vec<SemanticToken> {
    let program = ws.compile(path).ok();
    let source = program
        .as_ref()
        .and_then(|p| super::diagnostics::source_of(p, path));
    let classes = classify(&doc.text, program.as_ref().zip(source));
    encode(doc, &classes, enc)
}

/// Classifies the tokens of `text`, the names by `program` when the text
/// is its source `source` (compiled as it is now).
fn classify(text: &str, program: Option<(&Program, SourceId)>) -> Vec<Class> {
    let tokens = gate_lang::lexer::tokens(text);
    // Every name resolved in one pass over the program.
    let resolver = program.map(|(p, source)| {
        let names = tokens
            .iter()
            .filter(|(t, _)| matches!(t, Ok(Token::Ident(_))))
            .map(|(_, r)| r.start)
            .collect();
        (p, source, resolve::Resolver::new(p, source, names))
    });
    let mut out: Vec<Class> = Vec::new();
    let mut covered = 0usize;
    for (i, (token, range)) in tokens.iter().enumerate() {
        if range.start < covered {
            continue;
        }
        let Ok(token) = token else { continue };
        let lexical = match token {
            Token::Comment(_) => Some(SemanticTokenType::COMMENT),
            Token::Str(_) | Token::RawStr(_) | Token::Time(_) => Some(SemanticTokenType::STRING),
            Token::Int(_) | Token::Float(_) | Token::Duration(_) => Some(SemanticTokenType::NUMBER),
            Token::Ident(_) => None,
            t if t.is_keyword() => Some(SemanticTokenType::KEYWORD),
            t if t.is_operator() => Some(SemanticTokenType::OPERATOR),
            _ => continue,
        };
        if let Some(t) = lexical {
            out.push((range.clone(), ty(&t), 0));
            continue;
        }
        let Some((program, source, resolver)) = &resolver else {
            continue;
        };
        let after_dot = i
            .checked_sub(1)
            .and_then(|j| tokens.get(j))
            .is_some_and(|(t, _)| matches!(t, Ok(Token::Dot | Token::QDot)));
        if let Some((range, t, m)) = name(program, *source, resolver, text, range.start, after_dot)
        {
            covered = range.end;
            out.push((range, ty(&t), m));
        }
    }
    out
}

/// The class of the name at `start`.
fn name(
    program: &Program,
    source: SourceId,
    resolver: &resolve::Resolver<'_>,
    text: &str,
    start: usize,
    after_dot: bool,
) -> Option<(std::ops::Range<usize>, SemanticTokenType, u32)> {
    let (word_start, _) = resolve::word_at(text, start)?;
    if let Some(decl) = resolver.at(start) {
        if word_start == start {
            let declaring = decl.source == source && decl.offset as usize == start;
            let t = match decl.kind {
                Kind::Record => SemanticTokenType::TYPE,
                Kind::Enum => SemanticTokenType::ENUM,
                Kind::EnumValue => SemanticTokenType::ENUM_MEMBER,
                Kind::Field => SemanticTokenType::PROPERTY,
                Kind::Let => SemanticTokenType::VARIABLE,
                Kind::Def => SemanticTokenType::FUNCTION,
                Kind::Rule => SemanticTokenType::new("label"),
            };
            let modifiers = if declaring { DECLARATION } else { 0 };
            return Some((start..start + decl.name.len(), t, modifiers));
        }
    }
    // A name is one token; a word with `-` in it is a rule id or an
    // expression (`a-b`), classified token by token.
    let token = text.get(start..)?;
    let len = token
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(token.len(), |(i, _)| i);
    let ident = token.get(..len)?;
    let range = start..start + len;
    if gate_lang::types::primitive(ident).is_some() {
        return Some((range, SemanticTokenType::TYPE, DEFAULT_LIBRARY));
    }
    match resolver.node(start).map(|n| &n.ir) {
        Some(Ir::Local(_)) => Some((range, SemanticTokenType::PARAMETER, 0)),
        Some(_) if gate_lang::builtins::lookup(ident).is_some() => {
            let t = if after_dot {
                SemanticTokenType::METHOD
            } else {
                SemanticTokenType::FUNCTION
            };
            Some((range, t, DEFAULT_LIBRARY))
        }
        _ if program.names.imported(source, ident).is_some() => {
            Some((range, SemanticTokenType::NAMESPACE, 0))
        }
        _ => None,
    }
}

/// The classes as the protocol encodes them: line and start relative to
/// the token before, lengths in the negotiated encoding.
fn encode(doc: &Document, classes: &[Class], enc: Encoding) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(classes.len());
    let (mut line, mut col) = (0u32, 0u32);
    for (range, t, m) in classes {
        let r = doc.index.range(&doc.text, range.start, range.end, enc);
        // Tokens do not span lines (comments and strings end at one).
        if r.start.line != r.end.line {
            continue;
        }
        let delta_line = r.start.line - line;
        let delta_start = if delta_line == 0 {
            r.start.character - col
        } else {
            r.start.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: r.end.character - r.start.character,
            token_type: *t,
            token_modifiers_bitset: *m,
        });
        line = r.start.line;
        col = r.start.character;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GATE: &str = "gate g {}\n# a comment\nenum Level { low, high }\nrecord S { name: string\n  level: Level }\nevidence { secrets: [S] }\ndef named(s: S) -> bool = s.name != \"\"\nrule r-1 { require secrets.all(x => named(x) and x.level == Level.high) }\n";

    fn classes() -> Vec<(String, SemanticTokenType, u32)> {
        let program = gate_lang::compile_source("g.gate", GATE).unwrap();
        classify(GATE, Some((&program, SourceId(0))))
            .into_iter()
            .map(|(r, t, m)| (GATE[r].to_string(), TYPES[t as usize].clone(), m))
            .collect()
    }

    fn class_of(
        all: &[(String, SemanticTokenType, u32)],
        text: &str,
        nth: usize,
    ) -> (SemanticTokenType, u32) {
        let found: Vec<_> = all.iter().filter(|(t, _, _)| t == text).collect();
        let (_, t, m) = found
            .get(nth)
            .unwrap_or_else(|| panic!("{text} #{nth}: {all:?}"));
        (t.clone(), *m)
    }

    #[test]
    fn names_are_classified_by_what_they_mean() {
        let all = classes();
        use SemanticTokenType as T;
        assert_eq!(class_of(&all, "gate", 0), (T::KEYWORD, 0));
        assert_eq!(class_of(&all, "# a comment", 0), (T::COMMENT, 0));
        assert_eq!(class_of(&all, "Level", 0), (T::ENUM, DECLARATION));
        assert_eq!(class_of(&all, "Level", 1), (T::ENUM, 0));
        assert_eq!(class_of(&all, "high", 0), (T::ENUM_MEMBER, DECLARATION));
        assert_eq!(class_of(&all, "high", 1), (T::ENUM_MEMBER, 0));
        assert_eq!(class_of(&all, "S", 0), (T::TYPE, DECLARATION));
        assert_eq!(class_of(&all, "string", 0), (T::TYPE, DEFAULT_LIBRARY));
        assert_eq!(class_of(&all, "name", 0), (T::PROPERTY, DECLARATION));
        assert_eq!(class_of(&all, "name", 1), (T::PROPERTY, 0));
        assert_eq!(class_of(&all, "named", 0), (T::FUNCTION, DECLARATION));
        assert_eq!(class_of(&all, "named", 1), (T::FUNCTION, 0));
        assert_eq!(class_of(&all, "all", 0), (T::METHOD, DEFAULT_LIBRARY));
        assert_eq!(class_of(&all, "r-1", 0), (T::new("label"), DECLARATION));
        assert_eq!(class_of(&all, "x", 1), (T::PARAMETER, 0));
        assert_eq!(class_of(&all, "\"\"", 0), (T::STRING, 0));
        assert_eq!(class_of(&all, "==", 0), (T::OPERATOR, 0));
    }

    #[test]
    fn a_document_that_does_not_compile_keeps_its_lexical_classes() {
        let text = "gate g {\nrule r { require x.all( }\n";
        let all = classify(text, None);
        assert!(all
            .iter()
            .any(|(r, t, _)| &text[r.clone()] == "rule" && *t == ty(&SemanticTokenType::KEYWORD)));
        assert!(all.iter().all(|(r, _, _)| &text[r.clone()] != "x"));
    }

    #[test]
    fn tokens_are_encoded_relative_to_each_other() {
        let doc = Document::new("gate g {}\n  rule\n".into(), 1);
        let classes = classify(&doc.text, None);
        let encoded = encode(&doc, &classes, Encoding::Utf16);
        let gate = &encoded[0];
        assert_eq!((gate.delta_line, gate.delta_start, gate.length), (0, 0, 4));
        let rule = &encoded[1];
        assert_eq!((rule.delta_line, rule.delta_start, rule.length), (1, 2, 4));
    }
}
