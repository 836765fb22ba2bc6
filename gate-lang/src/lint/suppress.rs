//! `# lint: allow(rule, …) reason` comments.
//!
//! A directive at the end of a line covers findings that start on that line;
//! a directive alone on its line covers the next line that holds code. When
//! that line starts a `rule`, the directive covers the whole rule.

use super::{Finding, UserSource};
use crate::ast::Item;
use crate::span::{SourceId, Span};

/// One parsed directive.
#[derive(Debug)]
struct Directive {
    source: SourceId,
    span: Span,
    rules: Vec<String>,
    /// Byte range it covers.
    covers: std::ops::Range<u32>,
    used: bool,
}

/// Splits `lint: allow(a, b) reason` into rules and reason; `None` when the
/// comment is not a lint directive.
fn parse(comment: &str) -> Option<Result<(Vec<String>, String), String>> {
    let body = comment.trim_start_matches('#').trim_start();
    let rest = body.strip_prefix("lint:")?.trim_start();
    let Some(args) = rest.strip_prefix("allow") else {
        return Some(Err(
            "a lint directive reads `# lint: allow(RULE, …) REASON`".to_string(),
        ));
    };
    let args = args.trim_start();
    let Some(inner) = args.strip_prefix('(') else {
        return Some(Err(
            "write the rules in parentheses: `allow(RULE, …)`".into()
        ));
    };
    let Some(close) = inner.find(')') else {
        return Some(Err("the list of rules is not closed with `)`".into()));
    };
    let rules: Vec<String> = inner
        .get(..close)
        .unwrap_or("")
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let reason = inner.get(close + 1..).unwrap_or("").trim().to_string();
    Some(Ok((rules, reason)))
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map(|i| i + 1)
        .unwrap_or(0)
}

fn line_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|s| s.find('\n'))
        .map(|i| offset + i)
        .unwrap_or(text.len())
}

/// The byte range a directive at `comment` covers.
fn coverage(src: &UserSource, comment: Span) -> std::ops::Range<u32> {
    let text: &str = &src.text;
    let start = comment.start as usize;
    let ls = line_start(text, start);
    let own_line = text.get(ls..start).is_some_and(|s| s.trim().is_empty());
    let target = if own_line {
        // The next line with code.
        let mut at = line_end(text, start);
        loop {
            if at >= text.len() {
                break None;
            }
            let next = at + 1;
            let end = line_end(text, next);
            let line = text.get(next..end).unwrap_or("").trim();
            if !line.is_empty() && !line.starts_with('#') {
                break Some(next);
            }
            at = end;
        }
    } else {
        Some(ls)
    };
    let Some(target) = target else {
        return 0..0;
    };
    let end = line_end(text, target);
    // A directive on a rule's first line covers the rule.
    for item in &src.file.items {
        if let Item::Rule(r) = item {
            let rs = r.span.start as usize;
            if rs >= target && rs <= end {
                return target as u32..r.span.end;
            }
        }
    }
    target as u32..end as u32
}

pub(super) fn apply(sources: &[UserSource], findings: Vec<Finding>) -> Vec<Finding> {
    let mut directives = Vec::new();
    let mut out = Vec::new();
    for src in sources {
        for comment in &src.comments {
            let Some(parsed) = parse(&comment.text) else {
                continue;
            };
            let c = CommentAt {
                span: Span::new(src.id, comment.start..comment.start + comment.text.len()),
            };
            match parsed {
                Err(msg) => out.push(Finding::new("bad-suppression", c.span, msg)),
                Ok((rules, reason)) => {
                    let mut ok = true;
                    if rules.is_empty() {
                        out.push(Finding::new(
                            "bad-suppression",
                            c.span,
                            "`allow()` names no rule",
                        ));
                        ok = false;
                    }
                    for r in &rules {
                        if super::rule(r).is_none() {
                            out.push(Finding::new(
                                "bad-suppression",
                                c.span,
                                super::unknown_rule(r),
                            ));
                            ok = false;
                        }
                    }
                    if reason.is_empty() {
                        out.push(
                            Finding::new(
                                "bad-suppression",
                                c.span,
                                "this suppression gives no reason",
                            )
                            .help(
                                "say why after the parentheses: `# lint: allow(RULE) the reason`",
                            ),
                        );
                    }
                    if ok {
                        directives.push(Directive {
                            source: src.id,
                            span: c.span,
                            rules,
                            covers: coverage(src, c.span),
                            used: false,
                        });
                    }
                }
            }
        }
    }
    for f in findings {
        let hit = directives.iter_mut().find(|d| {
            d.source == f.span.source
                && d.covers.contains(&f.span.start)
                && d.rules.iter().any(|r| r == f.rule)
        });
        match hit {
            Some(d) => d.used = true,
            None => out.push(f),
        }
    }
    for d in directives.iter().filter(|d| !d.used) {
        let mut finding = Finding::new(
            "unused-suppression",
            d.span,
            format!("this suppression of {} silences nothing", quoted(&d.rules)),
        )
        .help("delete it");
        if let Some(src) = sources.iter().find(|s| s.id == d.source) {
            finding = finding.fix(super::Fix::delete(
                "Delete the suppression that silences nothing",
                &src.text,
                d.span,
            ));
        }
        out.push(finding);
    }
    out
}

/// A comment's place.
struct CommentAt {
    span: Span,
}

fn quoted(rules: &[String]) -> String {
    rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_directives() {
        assert_eq!(
            parse("# lint: allow(vacuous-all, unused-let) S00 checks it")
                .unwrap()
                .unwrap(),
            (
                vec!["vacuous-all".to_string(), "unused-let".to_string()],
                "S00 checks it".to_string()
            )
        );
        assert!(parse("# an ordinary comment").is_none());
        assert!(parse("# lint: deny(x)").unwrap().is_err());
        assert!(parse("# lint: allow(x").unwrap().is_err());
        assert_eq!(parse("#lint:allow(x)").unwrap().unwrap().1, "");
    }
}
