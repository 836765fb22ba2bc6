//! Parsing of the text arguments of built-in functions: regular
//! expressions, glob patterns, semantic versions and IP networks.
//!
//! The checker uses these to reject an invalid string literal before
//! anything runs (`s.matches("[a-")` is a compile error); the evaluator
//! uses the same functions, with the same limits, for values computed at
//! run time, so a pattern accepted at check time is accepted at run time.

/// Longest accepted regular expression or glob pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 4096;

/// Largest compiled regular expression (`RegexBuilder::size_limit`), in
/// bytes; a pattern such as `(a{1000}){1000}` exceeds it.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Largest lazy DFA cache of one regular expression
/// (`RegexBuilder::dfa_size_limit`), in bytes.
pub const REGEX_DFA_SIZE_LIMIT: usize = 1 << 20;

/// Deepest nesting of groups and repetitions in a regular expression.
pub const REGEX_NEST_LIMIT: u32 = 64;

fn check_len(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "the pattern is {} bytes long, over the limit of {MAX_PATTERN_LEN}",
            pattern.len()
        ));
    }
    Ok(())
}

/// A compiled regular expression, and what compiling it cost.
pub type Regex = regex_automata::meta::Regex;

/// Compiles a regular expression (the syntax of the `regex` crate), within
/// the size limits above. [`Regex::memory_usage`] is the size of what was
/// compiled, which the evaluator charges to the step budget.
///
/// ```
/// use gate_lang::check::patterns::regex;
/// assert!(regex("^v[0-9]+$").unwrap().is_match("v12"));
/// assert!(regex("[a-").is_err());
/// assert!(regex("(a{1000}){1000}").is_err()); // too large once compiled
/// ```
pub fn regex(pattern: &str) -> Result<Regex, String> {
    check_len(pattern)?;
    regex_automata::meta::Regex::builder()
        .syntax(regex_automata::util::syntax::Config::new().nest_limit(REGEX_NEST_LIMIT))
        .configure(
            regex_automata::meta::Config::new()
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .onepass_size_limit(Some(REGEX_SIZE_LIMIT))
                .dfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(REGEX_DFA_SIZE_LIMIT),
        )
        .build(pattern)
        .map_err(|e| {
            if let Some(limit) = e.size_limit() {
                format!("the compiled expression is over the size limit of {limit} bytes")
            } else if let Some(syntax) = e.syntax_error() {
                last_line(&syntax.to_string())
            } else {
                e.to_string()
            }
        })
}

/// The last non-empty line of a multi-line error message (the `regex`
/// crate's syntax errors end with the reason after a drawing of the
/// pattern).
fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_string())
        .unwrap_or_else(|| text.to_string())
}

/// Compiles a shell-style glob: `*` (any text, `/` included), `?` (one
/// character), `[abc]`, `[a-z]`, `[!a-z]`, `{a,b}`; `\` escapes. `**` is the
/// same as `*`: `/` is an ordinary character, so there are no path segments
/// for `**` to span.
///
/// ```
/// use gate_lang::check::patterns::glob;
/// assert!(glob("s3:Get*").unwrap().is_match("s3:GetObject"));
/// assert!(glob("arn:aws:s3:::*").unwrap().is_match("arn:aws:s3:::bucket/key"));
/// assert!(glob("[a-").is_err());
/// ```
pub fn glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    check_len(pattern)?;
    globset::GlobBuilder::new(&single_stars(pattern))
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

/// `pattern` with every run of unescaped `*` outside a bracket class
/// written as one `*` (globset gives `**` path-segment meaning even when `*`
/// matches `/`).
fn single_stars(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '[' if !in_class => {
                in_class = true;
                // `]` first in a class (after an optional `!`) is literal.
                if chars.peek() == Some(&'!') {
                    out.push('!');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => in_class = false,
            '*' if !in_class => {
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}

/// Parses a semantic version (SemVer 2.0; a leading `v` is allowed).
///
/// ```
/// use gate_lang::check::patterns::version;
/// assert!(version("v1.2.3").unwrap() < version("1.10.0").unwrap());
/// assert!(version("1.2").is_err());
/// ```
pub fn version(text: &str) -> Result<semver::Version, String> {
    let bare = text.strip_prefix('v').unwrap_or(text);
    semver::Version::parse(bare).map_err(|e| e.to_string())
}

/// Parses a version requirement such as `>=1.2.3, <2` or `^1.4`.
///
/// ```
/// use gate_lang::check::patterns::{version, version_req};
/// let req = version_req(">=1.2.3, <2").unwrap();
/// assert!(req.matches(&version("1.9.0").unwrap()));
/// assert!(version_req(">>1").is_err());
/// ```
pub fn version_req(text: &str) -> Result<semver::VersionReq, String> {
    semver::VersionReq::parse(text).map_err(|e| e.to_string())
}

/// Parses an IP network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`);
/// a bare address is the network of that one address.
///
/// ```
/// use gate_lang::check::patterns::network;
/// let net = network("10.0.0.0/8").unwrap();
/// assert!(net.contains(&network("10.1.2.3").unwrap()));
/// assert!(network("10.0.0.0/33").is_err());
/// ```
pub fn network(text: &str) -> Result<ipnet::IpNet, String> {
    if text.contains('/') {
        text.parse::<ipnet::IpNet>()
            .map_err(|_| "not an IP network in CIDR notation (e.g. `10.0.0.0/8`)".to_string())
    } else {
        text.parse::<std::net::IpAddr>()
            .map(ipnet::IpNet::from)
            .map_err(|_| "not an IP address or network (e.g. `10.1.2.3`, `10.0.0.0/8`)".to_string())
    }
}

/// Parses an RFC 3339 timestamp into nanoseconds since the epoch.
///
/// ```
/// use gate_lang::check::patterns::timestamp;
/// assert_eq!(timestamp("1970-01-01T00:00:01Z"), Ok(1_000_000_000));
/// assert!(timestamp("2026-05-04").is_err());
/// ```
pub fn timestamp(text: &str) -> Result<i128, String> {
    crate::time::parse_timestamp(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_star_is_a_single_star() {
        let m = |p: &str, s: &str| glob(p).is_ok_and(|g| g.is_match(s));
        assert!(!m("**/", ""));
        assert!(m("**/", "a/b/"));
        assert!(!m("a/**/b", "a/b"));
        assert!(m("a/**/b", "a/x/y/b"));
        assert!(m("**", "any/thing"));
        // Escaped and bracketed stars are literal characters.
        assert!(m(r"\**", "*x"));
        assert!(!m(r"\**", "x"));
        assert!(m("[*]*", "*x"));
        assert!(m("{**/x,y}", "a/x"));
        assert!(!m("{**/x,y}", "x"));
    }

    #[test]
    fn hostile_regexes_are_rejected_not_compiled() {
        assert!(regex(&"a".repeat(MAX_PATTERN_LEN + 1)).is_err());
        assert!(regex("(a{1000}){1000}").is_err());
        assert!(regex("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))").is_err());
        // Catastrophic for backtracking engines, linear here.
        let r = regex("(a+)+$").unwrap_or_else(|e| unreachable!("{e}"));
        assert!(!r.is_match(&format!("{}!", "a".repeat(10_000))));
    }

    #[test]
    fn regex_errors_are_one_line() {
        let e = regex("[a-").err().unwrap_or_default();
        assert!(!e.contains('\n'), "{e}");
        assert!(!e.is_empty());
    }

    #[test]
    fn globs_cross_separators() {
        let g = glob("a*z").unwrap_or_else(|e| unreachable!("{e}"));
        assert!(g.is_match("a/b:c z"));
        assert!(!g.is_match("a/b:c zz!"));
    }

    #[test]
    fn networks_and_addresses() {
        assert!(network("::1").is_ok());
        assert!(network("2001:db8::/129").is_err());
        assert!(network("10.0.0.0/8/8").is_err());
        assert!(network("").is_err());
    }
}
