//! Where a diagnostic's code is explained: a page for each code, made from
//! the documentation the binary carries — an error code's row of
//! docs/errors.md, a lint rule's explanation as `gate lint --explain`
//! prints it — and written to the server's cache ([`super::cache`]), so
//! that the code in the editor links to the text of the version that
//! reported it, wherever gate is installed.

use lsp_types::{CodeDescription, Uri};

/// The error codes' table.
const ERRORS: &str = include_str!("../../../docs/errors.md");

/// The link of a diagnostic code, when the code is documented.
pub fn link(code: &str) -> Option<CodeDescription> {
    let text = page(code)?;
    let path = super::cache::file("docs", &format!("{code}.md"), &text)?;
    let href: Uri = super::text::path_to_uri(&path)?;
    Some(CodeDescription { href })
}

/// The page of a code: an error code (`E0101`, `W0201`) or a lint rule.
fn page(code: &str) -> Option<String> {
    if let Some(text) = crate::cmd::lint::explanation(code) {
        let (title, rest) = text.split_once('\n').unwrap_or((&text, ""));
        return Some(format!(
            "# {title}\n{rest}\nSilence one finding with `# lint: allow({code}) REASON` on the line above it; set its level in `gate-lint.toml` (`[rules] {code} = \"off\"`).\n\n{}",
            footer("docs/lint.md")
        ));
    }
    let (section, row) = error_row(code)?;
    let cells: Vec<&str> = row
        .trim()
        .trim_matches('|')
        .split(" | ")
        .map(str::trim)
        .collect();
    let meaning = cells.get(1)?;
    let mut out = format!("# {code}\n\n{section}\n\n{}.\n", capital(meaning));
    if let Some(examples) = cells.get(2).filter(|e| !e.is_empty()) {
        out.push_str(&format!("\nFor example: {examples}\n"));
    }
    out.push_str(&format!("\n{}", footer("docs/errors.md")));
    Some(out)
}

/// The section heading and the table row of an error code.
fn error_row(code: &str) -> Option<(&'static str, &'static str)> {
    let mut section = "";
    for line in ERRORS.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h;
        }
        let cell = line.strip_prefix('|').map(str::trim_start);
        if cell.is_some_and(|c| c.strip_prefix(code).is_some_and(|r| r.starts_with(' '))) {
            return Some((section, line));
        }
    }
    None
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn footer(doc: &str) -> String {
    format!(
        "---\nFrom the documentation of gate {} (`{doc}`).\n",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_rules_have_pages() {
        let e = page("E0101").unwrap();
        assert!(
            e.starts_with("# E0101\n\nSyntax (E01)\n\nA character"),
            "{e}"
        );
        assert!(e.contains("For example: `require a $ b`"), "{e}");
        let r = page("unused-let").unwrap();
        assert!(r.starts_with("# unused-let (default: warning)"), "{r}");
        assert!(r.contains("allow(unused-let)"), "{r}");
        // A well-formed code no row documents (built, so the docs test does not read it as one).
        assert!(page(&format!("E{}", 9999)).is_none());
        assert!(page("E010").is_none());
    }

    #[test]
    fn every_documented_error_code_has_a_page() {
        let codes: Vec<&str> = ERRORS
            .lines()
            .filter_map(|l| l.strip_prefix("| "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| c.len() == 5 && (c.starts_with('E') || c.starts_with('W')))
            .collect();
        assert!(codes.len() > 40, "{codes:?}");
        for code in codes {
            assert!(page(code).is_some(), "{code}");
        }
    }
}
