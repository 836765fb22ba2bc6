//! The lexer: source text to tokens, with logos.
//!
//! Comments are tokens too, so that the formatter can keep them; the parser
//! sees the stream without them ([`Lexer`] filters them out and keeps them in
//! [`Lexer::comments`]).

use logos::Logos;
use std::fmt;

/// What went wrong while splitting the source into tokens.
#[derive(Clone, Debug, PartialEq)]
pub enum LexErrorKind {
    /// A character that starts no token, e.g. `$`.
    UnexpectedChar(char),
    /// An identifier with a character outside ASCII, e.g. `vаulted` with a Cyrillic `а`.
    NonAsciiIdent,
    /// A string with no closing quote on its line.
    UnterminatedString,
    /// An integer literal that does not fit in 64 bits.
    IntOverflow,
    /// A number with a suffix that is no duration unit, e.g. `5min`.
    BadDuration(String),
    /// A timestamp literal that is not a valid RFC 3339 time, e.g. `2026-02-30T00:00:00Z`.
    BadTime,
    /// A bidirectional-control character (the "trojan source" attack).
    BidiControl(char),
    /// A non-ASCII identifier that looks like an ASCII one, e.g. `vаulted`
    /// with a Cyrillic `а`, which looks like `vaulted`.
    LookAlikeIdent {
        /// The ASCII name it looks like.
        ascii: String,
        /// The first character that is not ASCII.
        first: char,
    },
    /// A control character (other than tab, line feed and carriage return)
    /// written as is in a string or a comment; escape sequences from such
    /// text would reach terminals and logs.
    ControlChar(char),
}

/// A token of the gate language.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error(LexErrorKind, unexpected))]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Token<'s> {
    /// `# comment` up to the end of the line.
    #[regex(r"#[^\n]*", allow_greedy = true)]
    Comment(&'s str),

    // --- keywords -------------------------------------------------------
    /// `gate`
    #[token("gate")]
    Gate,
    /// `module`
    #[token("module")]
    Module,
    /// `import`
    #[token("import")]
    Import,
    /// `as`
    #[token("as")]
    As,
    /// `enum`
    #[token("enum")]
    Enum,
    /// `record`
    #[token("record")]
    Record,
    /// `evidence`
    #[token("evidence")]
    Evidence,
    /// `let`
    #[token("let")]
    Let,
    /// `def`
    #[token("def")]
    Def,
    /// `rule`
    #[token("rule")]
    Rule,
    /// `when`
    #[token("when")]
    When,
    /// `require`
    #[token("require")]
    Require,
    /// `else`
    #[token("else")]
    Else,
    /// `and`
    #[token("and")]
    And,
    /// `or`
    #[token("or")]
    Or,
    /// `not`
    #[token("not")]
    Not,
    /// `in`
    #[token("in")]
    In,
    /// `if`
    #[token("if")]
    If,
    /// `then`
    #[token("then")]
    Then,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,
    /// `null`
    #[token("null")]
    Null,
    /// `it`
    #[token("it")]
    It,
    /// `waive`
    #[token("waive")]
    Waive,

    // --- names and literals ---------------------------------------------
    /// An identifier (ASCII letters, digits and `_`).
    #[regex(r"[\p{XID_Start}_][\p{XID_Continue}]*", ident)]
    Ident(&'s str),
    /// An integer literal.
    #[regex(r"[0-9][0-9_]*", int)]
    Int(i64),
    /// A float literal, e.g. `0.5` or `1.0e-3`.
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?", float)]
    Float(Box<crate::num::Decimal>),
    /// A duration literal such as `90d`, `12h` or `1h30m`, in nanoseconds.
    #[regex(r"[0-9][0-9_]*[a-zA-Z][a-zA-Z0-9_]*", duration)]
    Duration(i128),
    /// An RFC 3339 timestamp literal such as `2026-05-04T09:00:00Z`.
    #[regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9:.]+([Zz]|[+-][0-9]{2}:[0-9]{2})?)?",
        time
    )]
    Time(&'s str),
    /// A string literal, quotes included; escapes are resolved by the parser.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    Str(&'s str),
    /// A raw string `r"…"` (no escapes), quotes and `r` included.
    #[regex(r#"r"[^"\n]*""#)]
    RawStr(&'s str),
    /// A string that does not end on its line.
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, unterminated)]
    Unterminated,

    // --- punctuation ----------------------------------------------------
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `,`
    #[token(",")]
    Comma,
    /// `:`
    #[token(":")]
    Colon,
    /// `.`
    #[token(".")]
    Dot,
    /// `?.`
    #[token("?.")]
    QDot,
    /// `??`
    #[token("??")]
    QQ,
    /// `?`
    #[token("?")]
    Question,
    /// `@`, before a field attribute such as `@sensitive`
    #[token("@")]
    At,
    /// `=>`
    #[token("=>")]
    FatArrow,
    /// `->`
    #[token("->")]
    Arrow,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `%`
    #[token("%")]
    Percent,
    /// `=`: not an operator of the language; parsed to report "use `==`".
    #[token("=")]
    Eq,
    /// `&&`: parsed to report "use `and`".
    #[token("&&")]
    AmpAmp,
    /// `||`: parsed to report "use `or`".
    #[token("||")]
    PipePipe,
    /// `!`: parsed to report "use `not`".
    #[token("!")]
    Bang,
}

impl Default for LexErrorKind {
    fn default() -> Self {
        LexErrorKind::UnexpectedChar('\u{fffd}')
    }
}

fn unexpected<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> LexErrorKind {
    match lex.slice().chars().next() {
        Some(c) if is_bidi_control(c) => LexErrorKind::BidiControl(c),
        Some(c) => LexErrorKind::UnexpectedChar(c),
        None => LexErrorKind::default(),
    }
}

/// Characters that reorder displayed text and can make source code read
/// differently from how it parses.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn ident<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<&'s str, LexErrorKind> {
    let s = lex.slice();
    if s.is_ascii() {
        Ok(s)
    } else {
        Err(non_ascii_ident(s))
    }
}

/// Why a non-ASCII identifier is refused: it looks like an ASCII name
/// (every character is ASCII or confusable with ASCII, by the Unicode
/// confusables of UTS #39), or it simply is not ASCII.
fn non_ascii_ident(name: &str) -> LexErrorKind {
    let mut ascii = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii() {
            ascii.push(c);
            continue;
        }
        let like: String = unicode_security::skeleton(&c.to_string()).collect();
        if like.is_empty() || !like.is_ascii() {
            return LexErrorKind::NonAsciiIdent;
        }
        ascii.push_str(&like);
    }
    match name.chars().find(|c| !c.is_ascii()) {
        Some(first) => LexErrorKind::LookAlikeIdent { ascii, first },
        None => LexErrorKind::NonAsciiIdent,
    }
}

/// Characters refused as written in strings and comments: control
/// characters other than tab, line feed and carriage return.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The bidirectional and control characters written in a comment, with
/// their byte offsets in the comment.
pub fn comment_hazards(text: &str) -> impl Iterator<Item = (usize, LexErrorKind)> + '_ {
    text.char_indices().filter_map(|(i, c)| {
        if is_bidi_control(c) {
            Some((i, LexErrorKind::BidiControl(c)))
        } else if is_forbidden_control(c) {
            Some((i, LexErrorKind::ControlChar(c)))
        } else {
            None
        }
    })
}

fn int<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<i64, LexErrorKind> {
    let digits: String = lex.slice().chars().filter(|c| *c != '_').collect();
    digits.parse::<i64>().map_err(|_| LexErrorKind::IntOverflow)
}

fn float<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Option<Box<crate::num::Decimal>> {
    let digits: String = lex.slice().chars().filter(|c| *c != '_').collect();
    crate::num::Decimal::parse(&digits).map(Box::new)
}

fn unterminated<'s>(_lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<(), LexErrorKind> {
    Err(LexErrorKind::UnterminatedString)
}

fn time<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<&'s str, LexErrorKind> {
    let s = lex.slice();
    match crate::time::parse_timestamp(s) {
        Ok(_) => Ok(s),
        Err(_) => Err(LexErrorKind::BadTime),
    }
}

/// Nanoseconds in one unit of each duration suffix.
pub const DURATION_UNITS: &[(&str, i128)] = &[
    ("w", 7 * 86_400 * 1_000_000_000),
    ("d", 86_400 * 1_000_000_000),
    ("h", 3_600 * 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
];

fn duration<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<i128, LexErrorKind> {
    parse_duration(lex.slice()).map_err(LexErrorKind::BadDuration)
}

/// Parses `90d`, `1h30m`, `500ms` into nanoseconds; the error names the bad unit.
pub fn parse_duration(text: &str) -> Result<i128, String> {
    let mut total: i128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '_'))
            .ok_or_else(String::new)?;
        let (digits, tail) = rest.split_at(digits_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let digits: String = digits.chars().filter(|c| *c != '_').collect();
        let n: i128 = digits.parse().map_err(|_| unit.to_string())?;
        let per = DURATION_UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, n)| *n)
            .ok_or_else(|| unit.to_string())?;
        total = n
            .checked_mul(per)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| unit.to_string())?;
        rest = next;
    }
    Ok(total)
}

/// A lexing error with its byte range.
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    /// What went wrong.
    pub kind: LexErrorKind,
    /// Where, as a byte range.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
}

/// A comment and where it is, kept for the formatter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// The text, `#` included.
    pub text: String,
}

/// Token stream for the parser: comments are set aside, errors passed on.
pub struct Lexer<'s> {
    inner: logos::SpannedIter<'s, Token<'s>>,
    /// Comments seen so far, in source order.
    pub comments: Vec<Comment>,
}

impl<'s> Lexer<'s> {
    /// Starts lexing `source`.
    pub fn new(source: &'s str) -> Self {
        Lexer {
            inner: Token::lexer(source).spanned(),
            comments: Vec::new(),
        }
    }
}

impl<'s> Iterator for Lexer<'s> {
    type Item = Result<(usize, Token<'s>, usize), LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (tok, range) = self.inner.next()?;
            return Some(match tok {
                Ok(Token::Comment(text)) => {
                    self.comments.push(Comment {
                        start: range.start,
                        text: text.to_string(),
                    });
                    continue;
                }
                Ok(tok) => Ok((range.start, tok, range.end)),
                Err(kind) => Err(LexError {
                    kind,
                    start: range.start,
                    end: range.end,
                }),
            });
        }
    }
}

/// Every token of `source` with its byte range, comments included.
///
/// ```
/// use gate_lang::lexer::{tokens, Token};
/// let toks: Vec<_> = tokens("secrets.all(vaulted)").into_iter().map(|(t, _)| t).collect();
/// assert_eq!(toks[0], Ok(Token::Ident("secrets")));
/// assert_eq!(toks[1], Ok(Token::Dot));
/// ```
pub fn tokens(source: &str) -> Vec<(Result<Token<'_>, LexErrorKind>, std::ops::Range<usize>)> {
    Token::lexer(source).spanned().collect()
}

/// What kind of token a token is, for tools that colour or classify
/// source text (an editor's semantic tokens, the parser's errors).
///
/// ```
/// use gate_lang::lexer::{tokens, Token};
/// let kinds: Vec<(bool, bool, bool)> = tokens("require a >= 1 and b")
///     .into_iter()
///     .filter_map(|(t, _)| t.ok())
///     .map(|t| (t.is_keyword(), t.is_operator(), t.is_comparison()))
///     .collect();
/// assert_eq!(kinds[0], (true, false, false)); // require
/// assert_eq!(kinds[1], (false, false, false)); // a
/// assert_eq!(kinds[2], (false, true, true)); // >=
/// assert_eq!(kinds[4], (true, false, false)); // and
/// assert!(Token::Plus.is_operator() && !Token::Plus.is_comparison());
/// ```
impl Token<'_> {
    /// Whether the token is a keyword (`gate`, `require`, `and`, `true`, …).
    pub fn is_keyword(&self) -> bool {
        matches!(
            self,
            Token::Gate
                | Token::Module
                | Token::Import
                | Token::As
                | Token::Enum
                | Token::Record
                | Token::Evidence
                | Token::Let
                | Token::Def
                | Token::Rule
                | Token::When
                | Token::Require
                | Token::Else
                | Token::And
                | Token::Or
                | Token::Not
                | Token::In
                | Token::If
                | Token::Then
                | Token::True
                | Token::False
                | Token::Null
                | Token::It
                | Token::Waive
        )
    }

    /// Whether the token is a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`).
    pub fn is_comparison(&self) -> bool {
        matches!(
            self,
            Token::EqEq | Token::NotEq | Token::Lt | Token::Le | Token::Gt | Token::Ge
        )
    }

    /// Whether the token is an operator: a comparison, arithmetic, `??`,
    /// an arrow, or one of the misspellings of `and`/`or`/`not` the parser
    /// explains (`&&`, `||`, `!`).
    pub fn is_operator(&self) -> bool {
        self.is_comparison()
            || matches!(
                self,
                Token::Plus
                    | Token::Minus
                    | Token::Star
                    | Token::Slash
                    | Token::Percent
                    | Token::QQ
                    | Token::FatArrow
                    | Token::Arrow
                    | Token::AmpAmp
                    | Token::PipePipe
                    | Token::Bang
            )
    }
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Token::Comment(_) => "comment",
            Token::Gate => "`gate`",
            Token::Module => "`module`",
            Token::Import => "`import`",
            Token::As => "`as`",
            Token::Enum => "`enum`",
            Token::Record => "`record`",
            Token::Evidence => "`evidence`",
            Token::Let => "`let`",
            Token::Def => "`def`",
            Token::Rule => "`rule`",
            Token::When => "`when`",
            Token::Require => "`require`",
            Token::Else => "`else`",
            Token::And => "`and`",
            Token::Or => "`or`",
            Token::Not => "`not`",
            Token::In => "`in`",
            Token::If => "`if`",
            Token::Then => "`then`",
            Token::True => "`true`",
            Token::False => "`false`",
            Token::Null => "`null`",
            Token::It => "`it`",
            Token::Waive => "`waive`",
            Token::At => "`@`",
            Token::Ident(name) => return write!(f, "identifier `{name}`"),
            Token::Int(_) => "integer",
            Token::Float(_) => "number",
            Token::Duration(_) => "duration",
            Token::Time(_) => "timestamp",
            Token::Str(_) | Token::RawStr(_) => "string",
            Token::Unterminated => "unterminated string",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::Comma => "`,`",
            Token::Colon => "`:`",
            Token::Dot => "`.`",
            Token::QDot => "`?.`",
            Token::QQ => "`??`",
            Token::Question => "`?`",
            Token::FatArrow => "`=>`",
            Token::Arrow => "`->`",
            Token::EqEq => "`==`",
            Token::NotEq => "`!=`",
            Token::Lt => "`<`",
            Token::Le => "`<=`",
            Token::Gt => "`>`",
            Token::Ge => "`>=`",
            Token::Plus => "`+`",
            Token::Minus => "`-`",
            Token::Star => "`*`",
            Token::Slash => "`/`",
            Token::Percent => "`%`",
            Token::Eq => "`=`",
            Token::AmpAmp => "`&&`",
            Token::PipePipe => "`||`",
            Token::Bang => "`!`",
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Result<Token<'_>, LexErrorKind>> {
        tokens(src).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn design_card_line() {
        let toks =
            kinds("require secrets.all(vaulted) and approvals.includes(security, owner, ops)");
        assert_eq!(toks.len(), 18);
        assert!(toks.iter().all(|t| t.is_ok()));
        assert_eq!(toks[0], Ok(Token::Require));
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(
            kinds("90d"),
            vec![Ok(Token::Duration(90 * 86_400 * 1_000_000_000))]
        );
        assert_eq!(
            kinds("1h30m"),
            vec![Ok(Token::Duration(5_400 * 1_000_000_000))]
        );
        assert_eq!(kinds("5ms"), vec![Ok(Token::Duration(5_000_000))]);
        assert_eq!(
            kinds("5min"),
            vec![Err(LexErrorKind::BadDuration("min".into()))]
        );
        assert_eq!(
            kinds("2026-05-04T09:00:00Z"),
            vec![Ok(Token::Time("2026-05-04T09:00:00Z"))]
        );
        assert_eq!(
            kinds("2026-02-30T09:00:00Z"),
            vec![Err(LexErrorKind::BadTime)]
        );
    }

    #[test]
    fn hostile_characters() {
        assert_eq!(
            kinds("vаulted"),
            vec![Err(LexErrorKind::LookAlikeIdent {
                ascii: "vaulted".into(),
                first: 'а'
            })]
        );
        // Greek omicron in `rоle`, fullwidth `ｏ` in `ｏk`.
        assert!(
            matches!(&kinds("rοle")[0], Err(LexErrorKind::LookAlikeIdent { ascii, .. }) if ascii == "role")
        );
        assert!(
            matches!(&kinds("ｏk")[0], Err(LexErrorKind::LookAlikeIdent { ascii, .. }) if ascii == "ok")
        );
        assert_eq!(kinds("имя"), vec![Err(LexErrorKind::NonAsciiIdent)]);
        let hazards: Vec<_> = comment_hazards("# a\u{1b}[2J b\u{202e} c\t").collect();
        assert_eq!(
            hazards,
            vec![
                (3, LexErrorKind::ControlChar('\u{1b}')),
                (9, LexErrorKind::BidiControl('\u{202e}'))
            ]
        );
        assert_eq!(
            kinds("\u{202E}"),
            vec![Err(LexErrorKind::BidiControl('\u{202E}'))]
        );
        assert_eq!(kinds("\"abc"), vec![Err(LexErrorKind::UnterminatedString)]);
        assert_eq!(
            kinds("99999999999999999999"),
            vec![Err(LexErrorKind::IntOverflow)]
        );
    }

    #[test]
    fn comments_are_kept_aside() {
        let mut lx = Lexer::new("a # note\nb");
        let toks: Vec<_> = lx.by_ref().collect();
        assert_eq!(toks.len(), 2);
        assert_eq!(lx.comments.len(), 1);
        assert_eq!(lx.comments[0].text, "# note");
    }
}
