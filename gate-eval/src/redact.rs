//! Redaction: values of sensitive fields never appear in any output.
//!
//! A field is sensitive when the schema marks it `@sensitive`, or when its
//! name says it holds a credential (`password`, `token`, `secret_value`,
//! `private_key`, `client_secret`, …; see [`is_credential_name`]) and it
//! holds values rather than records. Map entries whose key looks like a
//! credential are sensitive too. Everything
//! read through a sensitive field, and everything computed from it, is shown
//! as [`REDACTED`] with its path.

/// What is shown instead of a sensitive value.
pub const REDACTED: &str = "<redacted>";

/// Last words of a field name that hold a credential.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "token",
    "secret",
    "apikey",
    "credential",
    "credentials",
    "cookie",
];

/// Last two words of a field name that hold a credential.
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("secret", "value"),
    ("secret", "string"),
    ("secret", "key"),
    ("private", "key"),
    ("signing", "key"),
    ("api", "key"),
    ("access", "key"),
    ("client", "secret"),
    ("session", "key"),
    ("encryption", "key"),
    ("connection", "string"),
];

/// Whether a field or map key name says it holds a credential.
///
/// The name is split into words (`snake_case`, `kebab-case`, `camelCase`,
/// `SCREAMING_CASE`); what counts is how it ends, so `token` and
/// `refresh_token` are credentials but `token_lifetime_seconds` is not.
///
/// ```
/// use gate_eval::redact::is_credential_name;
/// assert!(is_credential_name("password"));
/// assert!(is_credential_name("DB_PASSWORD"));
/// assert!(is_credential_name("secretValue"));
/// assert!(is_credential_name("private_key"));
/// assert!(!is_credential_name("token_lifetime_seconds"));
/// assert!(!is_credential_name("secrets"));
/// ```
pub fn is_credential_name(name: &str) -> bool {
    let words = words(name);
    let n = words.len();
    let last = words.last().map(String::as_str).unwrap_or("");
    if SECRET_WORDS.contains(&last) {
        return true;
    }
    if n >= 2 {
        let before = words.get(n - 2).map(String::as_str).unwrap_or("");
        return SECRET_PAIRS.iter().any(|(a, b)| *a == before && *b == last);
    }
    false
}

fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "password",
            "Password",
            "db_password",
            "secret_value",
            "SecretString",
            "private_key",
            "privateKey",
            "client_secret",
            "api_key",
            "apiKey",
            "GITHUB_TOKEN",
            "refresh-token",
            "token",
            "Secret",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "token_lifetime_seconds",
            "max_credential_lifetime_seconds",
            "secrets",
            "secret_count",
            "key",
            "name",
            "kind",
            "vaulted",
            "rotation",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
    }
}
