//! Security helpers: `is_digest`, `cidr_contains`, `is_wildcard` and
//! `looks_like_secret`.
//!
//! The detection rules are stated exactly in `docs/stdlib.md`; the
//! functions here are pure so they can be tested on their own.

use super::builtins::codes;
use super::{Eval, RtKind, R};
use crate::value::{PathId, Val, V};
use gate_lang::check::patterns;
use gate_lang::ir::{Builtin, ExprId};

/// Shortest token judged by its entropy, in characters.
pub const ENTROPY_MIN_LEN: usize = 20;

/// For a token that mixes upper and lower case: the least Shannon entropy,
/// as a share of the most a token of its length can have (`log2` of its
/// length, counted up to [`ENTROPY_FULL_LEN`] characters).
pub const ENTROPY_SHARE: f64 = 0.88;

/// Length from which a mixed-case token must reach the same entropy,
/// `ENTROPY_SHARE * log2(32)` = 4.4 bits per character.
pub const ENTROPY_FULL_LEN: usize = 32;

/// Least entropy, in bits per character, of a token in one case (paths and
/// words in lowercase are judged by this stricter bar).
pub const ENTROPY_THRESHOLD_SINGLE_CASE: f64 = 4.5;

impl<'a> Eval<'a> {
    pub(super) fn security_builtin(
        &mut self,
        id: ExprId,
        func: Builtin,
        vals: &[V<'a>],
        args: &[ExprId],
    ) -> R<V<'a>> {
        let text = |this: &Self, i: usize| -> R<(String, V<'a>)> {
            let at = args.get(i).copied().unwrap_or(id);
            let v = vals
                .get(i)
                .cloned()
                .ok_or_else(|| this.err(RtKind::Internal("missing argument"), id, PathId::NONE))?;
            let s = v
                .val
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| this.err(RtKind::NullValue, at, v.path))?;
            Ok((s, v))
        };
        // The text scanned is charged once, by `Eval::builtin`.
        let (s, recv) = text(self, 0)?;
        let val = match func {
            Builtin::IsDigest => Val::Bool(is_digest(&s)),
            Builtin::IsWildcard => Val::Bool(is_wildcard(&s)),
            Builtin::LooksLikeSecret => Val::Bool(secret_kind(&s).is_some()),
            Builtin::CidrContains => {
                let (ip, ipv) = text(self, 1)?;
                let net = self.network(id, &s, &recv)?;
                let addr = self.network(id, &ip, &ipv)?;
                Val::Bool(net.contains(&addr))
            }
            _ => return Err(self.err(RtKind::Internal("not a security built-in"), id, recv.path)),
        };
        Ok(V::derived(val, recv.path, vals))
    }

    fn network(&self, id: ExprId, text: &str, v: &V<'a>) -> R<ipnet::IpNet> {
        patterns::network(text).map_err(|e| {
            let shown = if v.secret {
                String::new()
            } else {
                format!(" {:?}", text.chars().take(80).collect::<String>())
            };
            self.bad_arg(
                codes::NETWORK,
                id,
                v,
                format!("invalid network{shown}: {e}"),
            )
        })
    }
}

pub use gate_lang::types::is_digest;

/// A permission, action or scope that matches more than one thing by
/// pattern: it contains `*` or `?`.
pub fn is_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// Shannon entropy of the characters of `s`, in bits per character.
pub fn entropy(s: &str) -> f64 {
    // Counted in an array for ASCII (every token judged is ASCII), in a
    // map for the rest.
    let mut ascii = [0usize; 128];
    let mut other: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        match ascii.get_mut(c as usize) {
            Some(count) => *count += 1,
            None => *other.entry(c).or_insert(0) += 1,
        }
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    ascii
        .iter()
        .chain(other.values())
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// What kind of secret `s` looks like, if any (the rules are listed in
/// `docs/stdlib.md#looks_like_secret`).
pub fn secret_kind(s: &str) -> Option<&'static str> {
    let mut kind = None;
    scan(s, |k, _| {
        kind = Some(k);
        false
    });
    kind
}

/// The byte ranges of `s` that look like secrets, by the rules of
/// [`secret_kind`], in order and not overlapping: a private key block from
/// its `BEGIN` line to its `END` line (or the end of the text), the
/// password of a URL, a token of a known format, a high-entropy token.
pub fn secret_ranges(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut found: Vec<std::ops::Range<usize>> = Vec::new();
    scan(s, |_, r| {
        found.push(r);
        true
    });
    found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for r in found {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Calls `found` with the kind and range of each thing in `s` that looks
/// like a secret, until it returns false.
fn scan(s: &str, mut found: impl FnMut(&'static str, std::ops::Range<usize>) -> bool) {
    for r in private_key_blocks(s) {
        if !found("private key", r) {
            return;
        }
    }
    for r in url_passwords(s) {
        if !found("password in a URL", r) {
            return;
        }
    }
    let token_char = |c: char| c.is_ascii_alphanumeric() || "_-+/=.".contains(c);
    let mut start = None;
    let bytes = s.len();
    for (i, c) in s.char_indices().chain(std::iter::once((bytes, ' '))) {
        let inside = i < bytes && token_char(c);
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                start = None;
                let token = s.get(b..i).unwrap_or("");
                if let Some(kind) = known_format(token) {
                    if !found(kind, b..i) {
                        return;
                    }
                    continue;
                }
                for (at, part) in entropy_parts(token) {
                    let at = b + at;
                    if high_entropy(part) && !found("high-entropy token", at..at + part.len()) {
                        return;
                    }
                }
            }
            _ => {}
        }
    }
}

/// The parts of a token judged by their entropy, with their offsets: the
/// token cut at `.`, and a part that is a path (it has a `/` and a segment
/// of three or more lowercase letters only: `/workloads/0/env/DB_PASSWORD`,
/// `src/main/App.java`) cut at `/` too, so that a path is not taken for a
/// base64 token.
fn entropy_parts(token: &str) -> impl Iterator<Item = (usize, &str)> {
    fn cut(s: &str, at: usize, sep: char) -> impl Iterator<Item = (usize, &str)> {
        let mut off = at;
        s.split(sep).map(move |p| {
            let here = off;
            off += p.len() + 1;
            (here, p)
        })
    }
    let is_path = |p: &str| {
        p.contains('/')
            && p.split('/')
                .any(|seg| seg.len() >= 3 && seg.bytes().all(|b| b.is_ascii_lowercase()))
    };
    cut(token, 0, '.').flat_map(move |(at, part)| {
        let sep = if is_path(part) { '/' } else { '.' };
        // `.` does not occur in a part: cutting at it keeps the part whole.
        cut(part, at, sep)
    })
}

/// Each `-----BEGIN … PRIVATE KEY-----` block: from its first dash to the
/// end of its `-----END … PRIVATE KEY-----` line, or to the end of the text
/// when there is none (a key cut for display).
fn private_key_blocks(s: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    s.match_indices("-----BEGIN ").filter_map(|(i, m)| {
        let rest = s.get(i + m.len()..).unwrap_or("");
        let line = rest.lines().next().unwrap_or("");
        let label = line.find("-----").and_then(|end| line.get(..end))?;
        if !label.ends_with("PRIVATE KEY") {
            return None;
        }
        let footer = format!("-----END {label}-----");
        let end = rest
            .find(&footer)
            .map(|j| i + m.len() + j + footer.len())
            .unwrap_or(s.len());
        Some(i..end)
    })
}

/// The password of each URL that has one (`scheme://user:password@host`),
/// unless it is a placeholder (`***`, `xxx`, `${VAR}`, `{{ var }}`,
/// `<password>`, `%s`).
fn url_passwords(s: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    s.match_indices("://").filter_map(|(i, m)| {
        let from = i + m.len();
        let rest = s.get(from..).unwrap_or("");
        let len = rest
            .find(|c: char| c.is_whitespace() || "/?#\"'<>`".contains(c))
            .unwrap_or(rest.len());
        let authority = rest.get(..len)?;
        let at = authority.rfind('@')?;
        let userinfo = authority.get(..at)?;
        let colon = userinfo.find(':')?;
        let password = userinfo.get(colon + 1..)?;
        let placeholder = password.is_empty()
            || password.chars().all(|c| c == '*' || c == 'x' || c == 'X')
            || password.starts_with(['$', '{', '<', '%']);
        (!placeholder).then(|| from + colon + 1..from + at)
    })
}

/// Whether `token` has, at some position, `prefix` followed by at least
/// `min` (and at most `max`) characters satisfying `ok`, and then a
/// character that does not (or the end).
fn prefixed(token: &str, prefix: &str, min: usize, max: usize, ok: fn(u8) -> bool) -> bool {
    token.match_indices(prefix).any(|(i, _)| {
        let rest = token.as_bytes().get(i + prefix.len()..).unwrap_or(&[]);
        let n = rest.iter().take_while(|b| ok(**b)).count();
        (min..=max).contains(&n)
    })
}

fn known_format(token: &str) -> Option<&'static str> {
    let upper_alnum = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let slack = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let url64 = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    if ["AKIA", "ASIA"]
        .iter()
        .any(|p| prefixed(token, p, 16, 16, upper_alnum))
    {
        return Some("AWS access key id");
    }
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|p| prefixed(token, p, 36, usize::MAX, alnum))
        || prefixed(token, "github_pat_", 22, usize::MAX, word)
    {
        return Some("GitHub token");
    }
    if ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| prefixed(token, p, 10, usize::MAX, slack))
    {
        return Some("Slack token");
    }
    if ["sk_live_", "rk_live_"]
        .iter()
        .any(|p| prefixed(token, p, 16, usize::MAX, alnum))
    {
        return Some("Stripe live key");
    }
    if prefixed(token, "AIza", 35, 35, url64) {
        return Some("Google API key");
    }
    if is_jwt(token) {
        return Some("JSON Web Token");
    }
    None
}

/// `eyJ…` `.` `eyJ…` `.` signature: base64url header and payload (JSON
/// objects), each at least 10 characters, and a base64url signature
/// (possibly empty, for unsigned tokens).
fn is_jwt(token: &str) -> bool {
    let url64 = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let parts: Vec<&str> = token.split('.').collect();
    match parts.as_slice() {
        [h, p, sig] => {
            h.starts_with("eyJ")
                && p.starts_with("eyJ")
                && h.len() >= 10
                && p.len() >= 10
                && url64(h)
                && url64(p)
                && url64(sig)
        }
        _ => false,
    }
}

/// A token of at least [`ENTROPY_MIN_LEN`] characters from the base64
/// alphabets, with a digit, not made only of hex digits and `-` (digests,
/// commit ids, UUIDs), not a subresource-integrity digest (`sha512-…`),
/// whose entropy is at least [`ENTROPY_SHARE`] of the most possible if it
/// mixes upper and lower case, else at least
/// [`ENTROPY_THRESHOLD_SINGLE_CASE`].
fn high_entropy(token: &str) -> bool {
    if token.chars().count() < ENTROPY_MIN_LEN {
        return false;
    }
    if ["sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| token.starts_with(p))
    {
        return false;
    }
    let has_upper = token.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = token.bytes().any(|b| b.is_ascii_lowercase());
    let has_digit = token.bytes().any(|b| b.is_ascii_digit());
    let hexish = token.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !has_digit || hexish {
        return false;
    }
    let e = entropy(token);
    let len = token.chars().count().min(ENTROPY_FULL_LEN) as f64;
    (has_upper && has_lower && e >= ENTROPY_SHARE * len.log2())
        || e >= ENTROPY_THRESHOLD_SINGLE_CASE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        assert!(is_digest(&format!("sha256:{}", "a1".repeat(32))));
        assert!(is_digest(&format!("sha512:{}", "0f".repeat(64))));
        assert!(!is_digest(&format!("sha256:{}", "A1".repeat(32))));
        assert!(!is_digest(&format!("sha256:{}", "a1".repeat(31))));
        assert!(!is_digest(&format!("sha512:{}", "a1".repeat(32))));
        assert!(!is_digest(&format!("md5:{}", "a1".repeat(16))));
        assert!(!is_digest("latest"));
        assert!(!is_digest(&format!("sha256:{}g", "a".repeat(63))));
    }

    #[test]
    fn wildcards() {
        for w in [
            "*",
            "iam:*",
            "s3:*",
            "s3:Get*",
            "arn:aws:s3:::*",
            "*/read",
            "s3:Get?bject",
        ] {
            assert!(is_wildcard(w), "{w}");
        }
        for n in [
            "s3:GetObject",
            "roles/owner",
            "admin",
            "arn:aws:s3:::bucket/key",
            "",
        ] {
            assert!(!is_wildcard(n), "{n}");
        }
    }

    #[test]
    fn known_secret_formats() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
            ("aws_key = \"ASIAY34FZKBOKMUTVV7A\"", "AWS access key id"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub token"),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                "GitHub token",
            ),
            ("xoxb-123456789012-abcdefghij", "Slack token"),
            ("sk_live_abcdefghijklmnop1234", "Stripe live key"),
            ("AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", "Google API key"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "JSON Web Token",
            ),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----",
                "private key",
            ),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        ];
        for (s, kind) in cases {
            assert_eq!(secret_kind(s), Some(kind), "{s}");
        }
    }

    #[test]
    fn passwords_in_urls() {
        let masked = |s: &str| {
            secret_ranges(s)
                .iter()
                .map(|r| s.get(r.clone()).unwrap_or("").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            masked("postgres://app:hunter2@db.internal:5432/app"),
            ["hunter2"]
        );
        assert_eq!(
            masked("dsn=\"redis://:s3cr3t@cache/0\" and https://u:pw@h?x=1"),
            ["s3cr3t", "pw"]
        );
        assert_eq!(
            secret_kind("amqp://guest:guest@rabbit/"),
            Some("password in a URL")
        );
        for ok in [
            "https://example.com/a@b",
            "ssh://git@github.com/acme/app",
            "https://user@host/",
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgres://app:****@db/app",
            "mysql://root:<password>@db",
            "git@github.com:acme/app.git",
            "http://host:8080/path",
        ] {
            assert_eq!(secret_kind(ok), None, "{ok}");
        }
    }

    #[test]
    fn ranges_cover_what_is_found() {
        let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----";
        let text = format!("a {key} b AKIAIOSFODNN7EXAMPLE c");
        let r = secret_ranges(&text);
        assert_eq!(r.len(), 2);
        assert_eq!(text.get(r[0].clone()), Some(key));
        assert_eq!(text.get(r[1].clone()), Some("AKIAIOSFODNN7EXAMPLE"));
        // A block cut for display runs to the end of the text.
        let cut = "key: -----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqh";
        assert_eq!(secret_ranges(cut), vec![5..cut.len()]);
        // A high-entropy part of a dotted name, not the whole name.
        let dotted = "api.example.com.Zr8q2LxW9vKf3TnB7yHc1MdP4sJg6";
        let r = secret_ranges(dotted);
        assert_eq!(
            r.iter().map(|r| dotted.get(r.clone())).collect::<Vec<_>>(),
            [Some("Zr8q2LxW9vKf3TnB7yHc1MdP4sJg6")]
        );
        for none in [
            "",
            "plain words",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            assert!(secret_ranges(none).is_empty(), "{none}");
        }
    }

    proptest::proptest! {
        /// Ranges are ordered, disjoint, on character boundaries, and
        /// there are some exactly when `secret_kind` finds something.
        #[test]
        fn ranges_agree_with_the_kind(s in "(AKIA[A-Z0-9]{16}|ghp_[a-z0-9]{36}|[ -~]{0,12}|é|://u:p@h|-----BEGIN PRIVATE KEY-----|[A-Za-z0-9+/]{20,30}){0,6}") {
            let r = secret_ranges(&s);
            proptest::prop_assert_eq!(r.is_empty(), secret_kind(&s).is_none());
            for w in r.windows(2) {
                proptest::prop_assert!(w[0].end < w[1].start);
            }
            for x in &r {
                proptest::prop_assert!(s.get(x.clone()).is_some());
            }
        }
    }

    #[test]
    fn entropy_values() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("ab") - 1.0).abs() < 1e-9);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn high_entropy_tokens_look_like_secrets() {
        for s in [
            "token: Zr8q2LxW9vKf3TnB7yHc1MdP4sJg6",
            "dGhpcyBpcyBhIHNlY3JldCB2YWx1ZTEyMw9kQz",
            "k8Fj2nQ9xW4pL7vR1tY6zB3mC5",
            "k8fj2nq9xw4pl7vr1ty6zb3mc5hg0sd8aw2e",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY2",
        ] {
            assert_eq!(
                secret_kind(s),
                Some("high-entropy token"),
                "{s} {}",
                entropy(s)
            );
        }
    }

    #[test]
    fn random_base64_tokens_are_caught() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut caught = 0;
        let total = 2000;
        for i in 0..total {
            let len = 20 + i % 45;
            let token: String = (0..len)
                .map(|_| char::from(ALPHABET[(next() % 64) as usize]))
                .collect();
            if secret_kind(&token).is_some() {
                caught += 1;
            }
        }
        // Nearly every random token of 20 to 64 characters is caught (the
        // rest lack a digit or happen to repeat characters).
        assert!(caught * 100 >= total * 95, "{caught} of {total}");
    }

    #[test]
    fn ordinary_text_does_not_look_like_a_secret() {
        for s in [
            "",
            "hello world",
            "my_database_connection_string",
            "ThisIsAVeryLongCamelCaseIdentifierName",
            "arn:aws:iam::123456789012:role/deploy",
            "123e4567-e89b-12d3-a456-426614174000",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
            "https://example.com/api/v1/users/12345/profile",
            "registry.example.com/team/service:1.2.3",
            "AKIA",
            "ghp_short",
            "sk_test_abcdefghijklmnop1234",
            "-----BEGIN PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----",
            "version-2024-01-15-release-candidate",
            "MyService2024ProductionDeployment",
            "/api/v1/organizations/12345/projects/settings/members",
            "node_modules/@types/node/index.d.ts",
            "/workloads/0/env/DB_PASSWORD",
            "/items/12/spec/template/spec/containers/0/envFrom/0/secretRef",
            "src/main/java/com/Example/Service2024Impl.java",
        ] {
            assert_eq!(secret_kind(s), None, "{s} {}", entropy(s));
        }
    }
}
