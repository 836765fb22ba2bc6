//! Multi-line input and tab completion.

use super::session::{Session, COMMANDS};
use gate_lang::types::Type;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::cell::RefCell;
use std::rc::Rc;

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "if", "then", "else", "true", "false", "null", "let", "it",
];

/// Whether `text` needs another line: brackets still open, or the last line
/// ends with an operator, a comma or `\`.
pub fn needs_more(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut last_code_line = "";
    for line in text.lines() {
        let mut code_end = line.len();
        for (i, c) in line.char_indices() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '#' => {
                    code_end = i;
                    break;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
        // Strings do not span lines.
        in_string = false;
        let code = line.get(..code_end).unwrap_or(line).trim_end();
        if !code.trim().is_empty() {
            last_code_line = code;
        }
    }
    if depth > 0 {
        return true;
    }
    let t = last_code_line.trim_end();
    if t.ends_with('\\') {
        return true;
    }
    const TRAILING: &[&str] = &[
        "==", "!=", "<=", ">=", "=>", "??", "<", ">", "+", "-", "*", "/", "%", ",", "=", ".",
    ];
    if TRAILING.iter().any(|op| t.ends_with(op)) {
        return true;
    }
    let last_word = t
        .rsplit(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    matches!(
        last_word,
        "and" | "or" | "not" | "in" | "if" | "then" | "else"
    ) && t.len() > last_word.len()
}

/// Joins the lines of one input, dropping line-continuation backslashes.
pub fn join(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_end().strip_suffix('\\').unwrap_or(l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rustyline helper: completion from the session, validation for
/// multi-line input.
pub struct ReplHelper {
    pub session: Rc<RefCell<Session>>,
}

impl Helper for ReplHelper {}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if needs_more(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        let session = self.session.borrow();
        Ok(candidates(&session, before))
    }
}

fn pairs(items: impl IntoIterator<Item = String>, partial: &str) -> Vec<Pair> {
    let mut v: Vec<String> = items
        .into_iter()
        .filter(|c| c.starts_with(partial))
        .collect();
    v.sort();
    v.dedup();
    v.into_iter()
        .map(|c| Pair {
            display: c.clone(),
            replacement: c,
        })
        .collect()
}

/// Completions for the text before the cursor: where the word starts and
/// the candidates.
pub fn candidates(session: &Session, before: &str) -> (usize, Vec<Pair>) {
    let names = session.names();
    // Commands, and rule ids after `:explain`.
    if before.starts_with(':') {
        if let Some((cmd, arg)) = before.split_once(' ') {
            if matches!(cmd, ":explain" | ":e") {
                let start = before.len() - arg.len();
                return (start, pairs(names.rules, arg));
            }
        } else {
            return (0, pairs(COMMANDS.iter().map(|c| c.to_string()), before));
        }
    }
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '?')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(before.len());
    let word = before.get(word_start..).unwrap_or("");
    if let Some(dot) = word.rfind('.') {
        let prefix = word.get(..dot).unwrap_or("").trim_end_matches('?');
        let partial = word.get(dot + 1..).unwrap_or("");
        let start = word_start + dot + 1;
        return (start, pairs(members(session, prefix), partial));
    }
    let mut all: Vec<String> = names.values.clone();
    all.extend(KEYWORDS.iter().map(|k| k.to_string()));
    all.extend(
        gate_lang::check::function_names()
            .iter()
            .map(|f| f.to_string()),
    );
    all.extend(element_fields(
        session,
        before.get(..word_start).unwrap_or(""),
    ));
    (word_start, pairs(all, word))
}

/// Fields and methods after `prefix.`.
fn members(session: &Session, prefix: &str) -> Vec<String> {
    let Some((ty, schema)) = session.quiet_type(prefix) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let ty = ty.non_null().clone();
    if let Type::Record(r) = &ty {
        if let Some(rec) = schema.record(*r) {
            out.extend(rec.fields.iter().map(|f| f.name.clone()));
            if rec.elements.is_some() {
                out.extend(
                    gate_lang::check::function_names()
                        .iter()
                        .map(|f| f.to_string()),
                );
            }
        }
    } else {
        out.extend(
            gate_lang::check::function_names()
                .iter()
                .map(|f| f.to_string()),
        );
        if matches!(ty, Type::Duration) {
            out.extend(["days", "hours", "seconds"].map(String::from));
        }
    }
    out
}

/// Inside `xs.all(`, `xs.filter(` …: the fields of `xs`'s elements, which
/// are in scope as bare names there.
fn element_fields(session: &Session, before: &str) -> Vec<String> {
    // The innermost unclosed `(`.
    let mut depth = 0i64;
    let mut open = None;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth == 0 => {
                open = Some(i);
                break;
            }
            '(' => depth -= 1,
            _ => {}
        }
    }
    let Some(open) = open else {
        return Vec::new();
    };
    let call = before.get(..open).unwrap_or("");
    let Some(dot) = call.rfind('.') else {
        return Vec::new();
    };
    let method = call.get(dot + 1..).unwrap_or("");
    if !matches!(method, "all" | "any" | "none" | "count" | "filter" | "map") {
        return Vec::new();
    }
    let recv_text = call.get(..dot).unwrap_or("");
    let recv_start = recv_text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '?')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(recv_text.len());
    let receiver = recv_text.get(recv_start..).unwrap_or("");
    let Some((ty, schema)) = session.quiet_type(receiver) else {
        return Vec::new();
    };
    let elem = match ty.non_null() {
        Type::List(t) | Type::Many(t) => Some((**t).clone()),
        Type::Record(r) => schema
            .record(*r)
            .and_then(|rec| rec.elements.and_then(|e| rec.fields.get(e as usize)))
            .and_then(|f| f.ty.non_null().list_elem().cloned()),
        _ => None,
    };
    match elem.as_ref().map(Type::non_null) {
        Some(Type::Record(r)) => schema
            .record(*r)
            .map(|rec| rec.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation() {
        assert!(needs_more("secrets.all("));
        assert!(needs_more("a and"));
        assert!(needs_more("x ==\n"));
        assert!(needs_more("let x =\n"));
        assert!(needs_more("a \\"));
        assert!(!needs_more("secrets.all(vaulted)"));
        assert!(!needs_more("\"(\""));
        assert!(!needs_more("x # and ("));
        assert!(!needs_more("band"));
        assert!(!needs_more(":explain S01"));
        assert_eq!(join("a and \\\nb"), "a and \nb");
    }
}
