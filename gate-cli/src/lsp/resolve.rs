//! What a name at a place in a program means: the declaration it names.
//! Go to definition, find references and semantic tokens all ask here, so
//! a name means one thing to each of them.
//!
//! Expressions are resolved by the checker (every IR node has its span,
//! and fields, calls, `let`s and enum values name their declarations);
//! names outside expressions — a declaration's own name, a type, a rule
//! id — by the declarations of the program.

use gate_lang::ir::{Const, Ir, Node};
use gate_lang::{Program, SourceId, Span};

/// What kind of declaration a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A record type.
    Record,
    /// An enum type.
    Enum,
    /// One value of an enum.
    EnumValue,
    /// A field of a record (the evidence's top-level names too).
    Field,
    /// A top-level `let`.
    Let,
    /// A `def`.
    Def,
    /// A rule id.
    Rule,
}

/// A declaration: where its name is written, what the name is and what
/// kind of thing it declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    /// The source it is in.
    pub source: SourceId,
    /// The byte offset of its name there.
    pub offset: u32,
    /// Its name, as it is written at its declaration.
    pub name: String,
    /// What it declares.
    pub kind: Kind,
}

impl Decl {
    /// Where the name is written.
    pub fn span(&self) -> Span {
        let start = self.offset as usize;
        Span::new(self.source, start..start + self.name.len())
    }
}

/// Whether `c` may be part of a name (rule ids may hold `-`).
pub fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The word (name characters, `-` inside rule ids) at `offset` of `text`:
/// its start and its text.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, &str)> {
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

/// The innermost expression of `source` at `offset`. Of nodes with the
/// same span — `vaulted` in `all(vaulted)` reads the field of an implicit
/// `it` written nowhere else — the outer one, which the checker made last.
pub fn node_at(program: &Program, source: SourceId, offset: usize) -> Option<&Node> {
    innermost(program, source, &[offset]).pop().flatten()
}

/// [`node_at`] for each of `offsets` (ascending), in one pass over the
/// nodes: smallest first, each given the offsets in its span that no
/// smaller node took (a skip list finds them), so a file with many names
/// costs its nodes and names, not their product.
fn innermost<'p>(
    program: &'p Program,
    source: SourceId,
    offsets: &[usize],
) -> Vec<Option<&'p Node>> {
    let mut nodes: Vec<(u32, usize, &Node)> = program
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.span.source == source)
        .map(|(i, n)| (n.span.end.max(n.span.start + 1) - n.span.start, i, n))
        .collect();
    // Smallest first; of the same size, the one made last.
    nodes.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut found = vec![None; offsets.len()];
    // `next[i]`: the first offset at or after `i` without a node yet.
    let mut next: Vec<usize> = (0..=offsets.len()).collect();
    for (_, _, n) in nodes {
        let end = n.span.end.max(n.span.start + 1) as usize;
        let lo = offsets.partition_point(|&o| o < n.span.start as usize);
        let hi = offsets.partition_point(|&o| o < end);
        let mut i = first_free(&mut next, lo);
        while i < hi {
            if let Some(slot) = found.get_mut(i) {
                *slot = Some(n);
            }
            if let Some(x) = next.get_mut(i) {
                *x = i + 1;
            }
            i = first_free(&mut next, i + 1);
        }
    }
    found
}

/// The first free index at or after `i` in the skip list `next`, whose
/// path it shortens.
fn first_free(next: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while let Some(&n) = next.get(root) {
        if n == root {
            break;
        }
        root = n;
    }
    let mut at = i;
    while at != root {
        let Some(x) = next.get_mut(at) else { break };
        let step = *x;
        *x = root;
        at = step;
    }
    root
}

/// The offsets of `name` as a whole word in `text`.
pub fn occurrences<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(name).filter_map(move |(i, _)| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let after = text.get(i + name.len()..).and_then(|t| t.chars().next());
        let bounded = !before.is_some_and(is_word) && !after.is_some_and(is_word);
        // A name may not start with a digit or `-`; `x-y` is one rule id.
        bounded.then_some(i)
    })
}

/// The declaration whose whole span is `span` and whose name is `name`:
/// the name is its first occurrence in the span.
fn declared(program: &Program, span: Span, name: &str, kind: Kind) -> Decl {
    let text = program
        .sources
        .get(span.source)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let start = span.start as usize;
    let within = text.get(start..span.end as usize).unwrap_or("");
    let offset = occurrences(within, name)
        .next()
        .map_or(span.start, |i| span.start + i as u32);
    Decl {
        source: span.source,
        offset,
        name: name.to_owned(),
        kind,
    }
}

/// The short name of a type, def or `let` of a module (`t.Secret` is
/// `Secret`, `std.secrets.managed` is `managed`).
pub fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Every declaration of the program, with its name.
pub fn declarations(program: &Program) -> Vec<Decl> {
    let schema = &program.schema;
    let mut out = Vec::new();
    for r in &schema.records {
        out.push(declared(program, r.span, short(&r.name), Kind::Record));
        for f in &r.fields {
            out.push(declared(program, f.span, &f.name, Kind::Field));
        }
    }
    for e in &schema.enums {
        let decl = declared(program, e.span, short(&e.name), Kind::Enum);
        for v in &e.values {
            // The values follow the name.
            let after = Span::new(e.span.source, decl.offset as usize..e.span.end as usize);
            out.push(declared(program, after, v, Kind::EnumValue));
        }
        out.push(decl);
    }
    for g in &program.globals {
        out.push(declared(program, g.span, short(&g.name), Kind::Let));
    }
    for f in &program.functions {
        out.push(declared(program, f.span, short(&f.name), Kind::Def));
    }
    for r in &program.rules {
        out.push(declared(program, r.span, &r.id, Kind::Rule));
    }
    out
}

/// The declaration an expression names, when the word at the cursor is
/// the name it names it by.
fn of_node(program: &Program, node: &Node, word: &str) -> Option<Decl> {
    let schema = &program.schema;
    let decl = match &node.ir {
        Ir::Field { record, slot, .. } => {
            let f = schema.record(*record)?.fields.get(*slot as usize)?;
            declared(program, f.span, &f.name, Kind::Field)
        }
        Ir::Call { func, .. } => {
            let f = program.functions.get(func.0 as usize)?;
            declared(program, f.span, short(&f.name), Kind::Def)
        }
        Ir::Global(g) => {
            let g = program.globals.get(g.0 as usize)?;
            declared(program, g.span, short(&g.name), Kind::Let)
        }
        Ir::Const(Const::Enum(e, v)) => {
            let e = schema.enums.get(e.0 as usize)?;
            let value = e.values.get(*v as usize)?;
            if value != word {
                // `Level.high`: the enum's name.
                return (short(&e.name) == word)
                    .then(|| declared(program, e.span, short(&e.name), Kind::Enum));
            }
            let name = declared(program, e.span, short(&e.name), Kind::Enum);
            let after = Span::new(e.span.source, name.offset as usize..e.span.end as usize);
            declared(program, after, value, Kind::EnumValue)
        }
        _ => return None,
    };
    (decl.name == word).then_some(decl)
}

/// What the name at `offset` of `source` declares or names.
pub fn at(program: &Program, source: SourceId, offset: usize) -> Option<Decl> {
    let text = program.sources.get(source)?.text.clone();
    let (start, _) = word_at(&text, offset)?;
    Resolver::new(program, source, vec![start]).at(offset)
}

/// Answers [`at`] for many names of one source: the declarations of the
/// program and the innermost expression at each name, found once.
pub struct Resolver<'p> {
    program: &'p Program,
    source: SourceId,
    text: std::sync::Arc<str>,
    /// The offsets asked about (ascending) and the expression at each.
    offsets: Vec<usize>,
    nodes: Vec<Option<&'p Node>>,
    decls: Vec<Decl>,
    /// A declaration by where its name is written.
    by_place: std::collections::HashMap<(SourceId, u32), usize>,
    /// The first type or rule of each name.
    by_name: std::collections::HashMap<String, usize>,
}

impl<'p> Resolver<'p> {
    /// A resolver for the names that start at `offsets` (ascending).
    pub fn new(program: &'p Program, source: SourceId, offsets: Vec<usize>) -> Resolver<'p> {
        let nodes = innermost(program, source, &offsets);
        let decls = declarations(program);
        let mut by_place = std::collections::HashMap::new();
        let mut by_name = std::collections::HashMap::new();
        for (i, d) in decls.iter().enumerate() {
            by_place.entry((d.source, d.offset)).or_insert(i);
            if matches!(d.kind, Kind::Record | Kind::Enum | Kind::Rule) {
                by_name.entry(d.name.clone()).or_insert(i);
            }
        }
        Resolver {
            program,
            source,
            text: program
                .sources
                .get(source)
                .map(|f| f.text.clone())
                .unwrap_or_else(|| "".into()),
            offsets,
            nodes,
            decls,
            by_place,
            by_name,
        }
    }

    /// The innermost expression at `offset`.
    pub fn node(&self, offset: usize) -> Option<&'p Node> {
        match self.offsets.binary_search(&offset) {
            Ok(i) => self.nodes.get(i).copied().flatten(),
            Err(_) => node_at(self.program, self.source, offset),
        }
    }

    /// What the name at `offset` declares or names.
    pub fn at(&self, offset: usize) -> Option<Decl> {
        let (start, word) = word_at(&self.text, offset)?;
        if let Some(decl) = self
            .node(start)
            .and_then(|n| of_node(self.program, n, word))
        {
            return Some(decl);
        }
        // The name of a declaration, where it is declared.
        let here = u32::try_from(start).ok()?;
        if let Some(d) = self
            .by_place
            .get(&(self.source, here))
            .and_then(|i| self.decls.get(*i))
            .filter(|d| d.name == word)
        {
            return Some(d.clone());
        }
        // Names outside expressions: types and rule ids.
        self.by_name
            .get(word)
            .and_then(|i| self.decls.get(*i))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GATE: &str = "gate g {}\nenum Level { low, high }\nrecord S { name: string\n level: Level }\nevidence { secrets: [S] }\nlet high_ones = secrets.filter(level == Level.high)\ndef named(s: S) -> bool = s.name != \"\"\nrule r-1 { require high_ones.all(s => named(s)) and secrets.any(name == \"x\") }\n";

    fn program() -> Program {
        gate_lang::compile_source("g.gate", GATE).unwrap()
    }

    fn at_word(p: &Program, needle: &str, nth: usize) -> Option<Decl> {
        let offset = occurrences(GATE, needle).nth(nth).unwrap();
        at(p, SourceId(0), offset)
    }

    #[test]
    fn words() {
        let t = "rule release-ready { require secrets.all(vaulted) }";
        assert_eq!(word_at(t, 7), Some((5, "release-ready")));
        assert_eq!(word_at(t, 38), Some((37, "all")));
        assert_eq!(word_at(t, 4), Some((0, "rule")));
        assert_eq!(word_at(t, 19), None);
        assert_eq!(word_at("", 0), None);
        assert_eq!(occurrences("a ab a-b a", "a").collect::<Vec<_>>(), [0, 9]);
    }

    #[test]
    fn names_resolve_to_their_declarations() {
        let p = program();
        let decl = |needle: &str, nth: usize| at_word(&p, needle, nth).map(|d| (d.kind, d.offset));
        let first = |needle: &str| occurrences(GATE, needle).next().unwrap() as u32;
        // A field, where it is declared and where it is read.
        assert_eq!(decl("name", 0), Some((Kind::Field, first("name"))));
        assert_eq!(decl("name", 1), Some((Kind::Field, first("name"))));
        // Read from an implicit `it`.
        assert_eq!(decl("name", 2), Some((Kind::Field, first("name"))));
        // A record in a type position.
        assert_eq!(decl("S", 1), Some((Kind::Record, first("S"))));
        // An enum value, its enum, a let, a def, a rule.
        let high = occurrences(GATE, "high").next().unwrap() as u32;
        assert_eq!(decl("high", 1), Some((Kind::EnumValue, high)));
        assert_eq!(decl("Level", 2), Some((Kind::Enum, first("Level"))));
        assert_eq!(decl("high_ones", 1), Some((Kind::Let, first("high_ones"))));
        assert_eq!(decl("named", 1), Some((Kind::Def, first("named"))));
        assert_eq!(decl("r-1", 0), Some((Kind::Rule, first("r-1"))));
        // Not a name of anything.
        assert_eq!(decl("filter", 0), None);
        assert_eq!(decl("string", 0), None);
    }
}
