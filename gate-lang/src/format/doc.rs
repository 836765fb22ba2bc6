//! A small Wadler/Prettier-style document printer.
//!
//! A [`Doc`] describes text with optional line breaks; the printer chooses,
//! group by group, to lay each group out flat (on one line) or broken (every
//! line break of the group becomes a newline), so that lines stay within the
//! width where possible.
//!
//! Besides the classic operations it has what comments need: a hard line
//! that forces its enclosing groups to break, a line suffix (a trailing
//! comment, printed at the end of the line it lands on), and a blank line
//! that keeps at most one empty line. Consecutive newlines collapse, so a
//! comment can end with a hard line without doubling the line break that
//! follows it.

/// One document.
#[derive(Debug)]
pub(crate) enum Doc {
    /// Nothing.
    Nil,
    /// Text without newlines.
    Text(String),
    /// A space when flat, a newline when broken.
    Line,
    /// Nothing when flat, a newline when broken.
    Soft,
    /// Always a newline (no-op at the start of a line).
    Hard,
    /// An empty line (at most one in a row; none at the start of the output).
    Blank,
    /// Text printed at the end of the current line (a trailing comment).
    Suffix(String),
    /// Text printed only when the enclosing group is flat.
    IfFlat(String),
    /// Forces the enclosing groups to break.
    BreakParent,
    /// Indents the newlines inside by two spaces.
    Indent(Box<Doc>),
    /// Lays out the inside flat if it fits, broken otherwise; the flag says
    /// the inside must break.
    Group(Box<Doc>, bool),
    /// Content, separator, content, …: each separator breaks only when the
    /// next content does not fit on the line.
    Fill(Vec<Doc>),
    /// A sequence.
    Concat(Vec<Doc>),
}

/// Text.
pub(crate) fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

/// A sequence.
pub(crate) fn cat(docs: Vec<Doc>) -> Doc {
    Doc::Concat(docs)
}

/// Indents the newlines inside.
pub(crate) fn indent(doc: Doc) -> Doc {
    Doc::Indent(Box::new(doc))
}

/// A group, broken when it holds a hard line.
pub(crate) fn group(doc: Doc) -> Doc {
    let forced = forces_break(&doc);
    Doc::Group(Box::new(doc), forced)
}

/// Whether `doc` holds something that forces its group to break.
fn forces_break(doc: &Doc) -> bool {
    let mut stack = vec![doc];
    while let Some(d) = stack.pop() {
        match d {
            Doc::Hard | Doc::Blank | Doc::BreakParent => return true,
            Doc::Group(_, forced) => {
                if *forced {
                    return true;
                }
            }
            Doc::Indent(inner) => stack.push(inner),
            Doc::Fill(v) | Doc::Concat(v) => stack.extend(v.iter()),
            Doc::Nil | Doc::Text(_) | Doc::IfFlat(_) | Doc::Line | Doc::Soft | Doc::Suffix(_) => {}
        }
    }
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

#[derive(Clone, Copy)]
enum Item<'a> {
    Doc(&'a Doc),
    /// The rest of a fill, from its first content.
    Fill(&'a [Doc]),
}

type Cmd<'a> = (usize, Mode, Item<'a>);

fn width_of(s: &str) -> isize {
    isize::try_from(s.chars().count()).unwrap_or(isize::MAX)
}

/// Whether the commands fit in `rem` columns, up to the first newline.
/// `rest` are the commands after them (top of stack last), measured in
/// their own modes when `rest` is given.
fn fits(rem: isize, next: Vec<Cmd<'_>>, rest: &[Cmd<'_>]) -> bool {
    let mut rem = rem;
    let mut stack = next;
    stack.reverse();
    let mut rest_idx = rest.len();
    loop {
        if rem < 0 {
            return false;
        }
        let (ind, mode, item) = match stack.pop() {
            Some(c) => c,
            None => {
                if rest_idx == 0 {
                    return true;
                }
                rest_idx -= 1;
                match rest.get(rest_idx) {
                    Some(c) => *c,
                    None => return true,
                }
            }
        };
        let doc = match item {
            Item::Doc(d) => d,
            Item::Fill(parts) => {
                stack.extend(parts.iter().rev().map(|p| (ind, mode, Item::Doc(p))));
                continue;
            }
        };
        match doc {
            Doc::Nil | Doc::Suffix(_) | Doc::BreakParent => {}
            Doc::Text(s) => rem -= width_of(s),
            Doc::IfFlat(s) => {
                if mode == Mode::Flat {
                    rem -= width_of(s);
                }
            }
            Doc::Line => {
                if mode == Mode::Break {
                    return true;
                }
                rem -= 1;
            }
            Doc::Soft => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::Hard | Doc::Blank => return true,
            Doc::Indent(inner) => stack.push((ind + 2, mode, Item::Doc(inner))),
            Doc::Group(inner, forced) => {
                let m = if *forced { Mode::Break } else { mode };
                stack.push((ind, m, Item::Doc(inner)));
            }
            Doc::Fill(v) | Doc::Concat(v) => {
                stack.extend(v.iter().rev().map(|p| (ind, mode, Item::Doc(p))));
            }
        }
    }
}

struct Printer {
    out: String,
    width: usize,
    col: usize,
    /// Indentation to write before the next text, after a newline.
    pending_indent: Option<usize>,
    suffixes: Vec<String>,
}

impl Printer {
    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(i) = self.pending_indent.take() {
            self.out.extend(std::iter::repeat_n(' ', i));
            self.col = i;
        }
        self.out.push_str(s);
        self.col += s.chars().count();
    }

    fn flush_suffixes(&mut self, indent: usize) {
        let suffixes = std::mem::take(&mut self.suffixes);
        for (i, s) in suffixes.iter().enumerate() {
            if i > 0 || self.at_line_start() {
                if !self.at_line_start() {
                    self.end_line();
                }
                self.pending_indent = Some(indent);
                self.text(s.trim_start());
            } else {
                let trimmed = self.out.trim_end_matches([' ', '\t']).len();
                self.out.truncate(trimmed);
                self.text(s);
            }
        }
    }

    fn end_line(&mut self) {
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        self.out.push('\n');
        self.col = 0;
    }

    fn newline(&mut self, indent: usize) {
        if !self.suffixes.is_empty() {
            self.flush_suffixes(indent);
        }
        if !self.at_line_start() {
            self.end_line();
        }
        self.pending_indent = Some(indent);
    }

    fn blank(&mut self, indent: usize) {
        if self.out.is_empty() && self.suffixes.is_empty() {
            return;
        }
        self.newline(indent);
        if !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        self.pending_indent = Some(indent);
    }
}

/// Prints `doc` within `width` columns.
pub(crate) fn print(doc: &Doc, width: usize) -> String {
    let mut p = Printer {
        out: String::new(),
        width,
        col: 0,
        pending_indent: None,
        suffixes: Vec::new(),
    };
    let mut cmds: Vec<Cmd<'_>> = vec![(0, Mode::Break, Item::Doc(doc))];
    while let Some((ind, mode, item)) = cmds.pop() {
        let doc = match item {
            Item::Doc(d) => d,
            Item::Fill(parts) => {
                print_fill(&mut p, &mut cmds, ind, parts);
                continue;
            }
        };
        match doc {
            Doc::Nil | Doc::BreakParent => {}
            Doc::Text(s) => p.text(s),
            Doc::IfFlat(s) if mode == Mode::Flat => p.text(s),
            Doc::IfFlat(_) => {}
            Doc::Line if mode == Mode::Flat => p.text(" "),
            Doc::Soft if mode == Mode::Flat => {}
            Doc::Line | Doc::Soft | Doc::Hard => p.newline(ind),
            Doc::Blank => p.blank(ind),
            Doc::Suffix(s) => p.suffixes.push(s.clone()),
            Doc::Indent(inner) => cmds.push((ind + 2, mode, Item::Doc(inner))),
            Doc::Group(inner, forced) => {
                let flat = !forced
                    && (mode == Mode::Flat
                        || fits(rem(&p), vec![(ind, Mode::Flat, Item::Doc(inner))], &cmds));
                let m = if flat { Mode::Flat } else { Mode::Break };
                cmds.push((ind, m, Item::Doc(inner)));
            }
            Doc::Fill(parts) => cmds.push((ind, mode, Item::Fill(parts))),
            Doc::Concat(v) => cmds.extend(v.iter().rev().map(|d| (ind, mode, Item::Doc(d)))),
        }
    }
    p.newline(0);
    p.out
}

fn rem(p: &Printer) -> isize {
    let col = if p.at_line_start() {
        p.pending_indent.unwrap_or(0)
    } else {
        p.col
    };
    isize::try_from(p.width).unwrap_or(isize::MAX) - isize::try_from(col).unwrap_or(0)
}

fn print_fill<'a>(p: &mut Printer, cmds: &mut Vec<Cmd<'a>>, ind: usize, parts: &'a [Doc]) {
    let Some((content, rest)) = parts.split_first() else {
        return;
    };
    let flat = |d: &'a Doc| (ind, Mode::Flat, Item::Doc(d));
    let content_fits = fits(rem(p), vec![flat(content)], &[]);
    let content_mode = if content_fits && !forces_break(content) {
        Mode::Flat
    } else {
        Mode::Break
    };
    let Some((sep, rest)) = rest.split_first() else {
        cmds.push((ind, content_mode, Item::Doc(content)));
        return;
    };
    let Some(next) = rest.first() else {
        cmds.push((ind, content_mode, Item::Doc(sep)));
        cmds.push((ind, content_mode, Item::Doc(content)));
        return;
    };
    let pair_fits = fits(rem(p), vec![flat(content), flat(sep), flat(next)], &[]);
    cmds.push((ind, Mode::Break, Item::Fill(rest)));
    let sep_mode = if pair_fits && !forces_break(sep) {
        Mode::Flat
    } else {
        Mode::Break
    };
    cmds.push((ind, sep_mode, Item::Doc(sep)));
    cmds.push((ind, content_mode, Item::Doc(content)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(args: &[&str]) -> Doc {
        let mut inner = vec![Doc::Soft];
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(Doc::Line);
            }
            inner.push(text(*a));
        }
        group(cat(vec![
            text("f("),
            indent(cat(inner)),
            Doc::Soft,
            text(")"),
        ]))
    }

    #[test]
    fn groups_stay_flat_when_they_fit() {
        assert_eq!(print(&call(&["a", "b"]), 20), "f(a, b)\n");
    }

    #[test]
    fn groups_break_when_they_do_not_fit() {
        assert_eq!(
            print(&call(&["aaaa", "bbbb"]), 8),
            "f(\n  aaaa,\n  bbbb\n)\n"
        );
    }

    #[test]
    fn a_hard_line_breaks_its_group_and_newlines_collapse() {
        let d = group(cat(vec![
            text("a"),
            Doc::Hard,
            Doc::Hard,
            Doc::Line,
            text("b"),
        ]));
        assert_eq!(print(&d, 80), "a\nb\n");
    }

    #[test]
    fn suffixes_go_to_the_end_of_the_line() {
        let d = cat(vec![
            text("a"),
            Doc::Suffix(" # one".into()),
            text(","),
            Doc::Suffix(" # two".into()),
            Doc::Hard,
            text("b"),
        ]);
        assert_eq!(print(&d, 80), "a, # one\n# two\nb\n");
    }

    #[test]
    fn blank_lines_do_not_pile_up() {
        let d = cat(vec![
            Doc::Blank,
            text("a"),
            Doc::Hard,
            Doc::Blank,
            Doc::Blank,
            text("b"),
        ]);
        assert_eq!(print(&d, 80), "a\n\nb\n");
    }

    #[test]
    fn fill_breaks_only_where_needed() {
        let mut parts = Vec::new();
        for (i, w) in ["aa", "bb", "cc", "dd"].iter().enumerate() {
            if i > 0 {
                parts.push(cat(vec![text(","), Doc::Line]));
            }
            parts.push(text(*w));
        }
        assert_eq!(print(&Doc::Fill(parts), 8), "aa, bb,\ncc, dd\n");
    }
}
