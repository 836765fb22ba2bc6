//! Redaction: credentials never appear in any output.
//!
//! Three layers, each catching what the one before cannot:
//!
//! 1. **Taint.** A field is sensitive when the schema marks it
//!    `@sensitive`, or when its name says it holds a credential
//!    (`password`, `tokens`, `client_secret`, `DB_PASSWORD`, …; see
//!    [`is_credential_name`]) and it holds text. A map entry whose key is
//!    such a name is sensitive too. A value read through a sensitive field
//!    is *secret*, and so is every value computed from a secret one —
//!    `lower()`, `split()`, `+`, `map`, elements, keys and values, numbers
//!    such as `len()` — except a boolean, which is what the gate decides by.
//!    A secret value is shown as [`REDACTED`], in `actual`, in message holes
//!    and in the REPL, before anything is cut for display.
//! 2. **Copies.** Every string the evidence holds in a sensitive field is
//!    masked wherever it appears in an output (a copy held by an ordinary
//!    field, a message written by a host program), also when a cut for
//!    display left only its beginning.
//! 3. **Detection.** Every output text is checked with the detectors of
//!    `looks_like_secret` ([`mask_detected`]): a credential in a field no
//!    rule names is masked by its value.
//!
//! What cannot be promised: a secret that no name marks, no detector
//! recognises (short, or made of words) and that is not copied from a
//! sensitive field is shown like any other text; control flow is not
//! tracked (`if db.password == "x" then "a" else "b"` is not secret), and a
//! boolean tells one fact about a secret.

/// What is shown instead of a sensitive value.
pub const REDACTED: &str = "<redacted>";

/// Last words of a field name that hold a credential.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "token",
    "tokens",
    "secret",
    "apikey",
    "apikeys",
    "credential",
    "credentials",
    "cookie",
    "cookies",
    "auth",
    "bearer",
    "jwt",
    "dsn",
    // Scanner findings (gitleaks, trufflehog) hold the secret found in
    // `Raw` / `raw`.
    "raw",
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
    ("api", "keys"),
    ("access", "keys"),
    ("secret", "keys"),
    ("private", "keys"),
    ("ssh", "key"),
    ("ssh", "keys"),
    ("deploy", "key"),
    ("master", "key"),
    ("key", "pem"),
    ("key", "base"),
    ("webhook", "url"),
    ("connection", "uri"),
    ("client", "secrets"),
    ("refresh", "tokens"),
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
/// for name in ["tokens", "passwords", "api_keys", "ssh_key", "private_key_pem",
///              "SECRET_KEY_BASE", "auth", "bearer", "jwt", "dsn", "webhook_url",
///              "connection_string", "client_secret", "Raw", "raw", "GITHUB_TOKEN",
///              "AWS_SECRET_ACCESS_KEY", "stripeApiKey", "RawV2", "token_v3"] {
///     assert!(is_credential_name(name), "{name}");
/// }
/// ```
pub fn is_credential_name(name: &str) -> bool {
    // A version at the end (`RawV2`, as trufflehog writes it; `token_v3`)
    // does not change what the field holds.
    let name = without_version(name);
    // Most names end in no credential word: say so without splitting them
    // (ASCII names only; some other characters lowercase to ASCII).
    if name.is_ascii() {
        let bare = name.trim_end_matches(['_', '-', '.', ' ']);
        let ends_in = |w: &str| {
            bare.len() >= w.len()
                && bare
                    .get(bare.len() - w.len()..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(w))
        };
        if !SECRET_WORDS.iter().any(|w| ends_in(w)) && !SECRET_PAIRS.iter().any(|(_, w)| ends_in(w))
        {
            return false;
        }
    }
    by_words(name)
}

/// `name` without a version at its end: `v` or `V` and digits, after a
/// separator or a lowercase letter (`RawV2` → `Raw`, `token_v3` → `token`).
fn without_version(name: &str) -> &str {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return name;
    }
    let before_digits = &name[..name.len() - digits];
    let Some(stem) = before_digits.strip_suffix(['v', 'V']) else {
        return name;
    };
    match stem.chars().last() {
        Some(c) if c.is_ascii_lowercase() || c == '_' || c == '-' => {
            stem.trim_end_matches(['_', '-'])
        }
        _ => name,
    }
}

/// [`is_credential_name`] by splitting the name into words.
fn by_words(name: &str) -> bool {
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

/// The shortest sensitive value that is masked wherever a copy of it
/// appears (shorter ones would mask ordinary words).
const MIN_MASKED: usize = 6;

/// The strings the evidence holds in sensitive fields, longest first: a copy
/// of one of them in any output (a value mapped out of a list, joined into
/// a string) is masked too.
///
/// A value the policy itself spells out (`client_secret != "changeme"`) is
/// not masked: the policy's own text is not a secret.
///
/// Only the parts of the evidence whose types can hold a sensitive value are
/// walked (see the plan's `may_hold_secret`).
pub(crate) fn secret_values(
    program: &gate_lang::ir::Program,
    plan: &crate::evidence::Plan,
    root: &crate::evidence::Node,
) -> Vec<String> {
    use crate::evidence::Node;
    let mut out = Vec::new();
    let mut stack: Vec<(&Node, bool)> = vec![(root, false)];
    while let Some((node, sensitive)) = stack.pop() {
        match node {
            Node::Str(s) if sensitive && s.chars().count() >= MIN_MASKED => {
                out.push(s.to_string());
            }
            Node::List(items) | Node::One(items) => {
                stack.extend(items.iter().map(|n| (n, sensitive)));
            }
            Node::Record(rid, fields) => {
                let Some(rec) = plan.record(*rid) else {
                    continue;
                };
                for (i, f) in fields.iter().enumerate() {
                    let field_sensitive = rec.fields.get(i).is_some_and(|f| f.sensitive);
                    let may_hold = rec.may_hold_secret.get(i).copied().unwrap_or(true);
                    if sensitive || may_hold {
                        stack.push((f, sensitive || field_sensitive));
                    }
                }
            }
            Node::Map(entries) => {
                for (k, v) in entries.iter() {
                    stack.push((v, sensitive || is_credential_name(k)));
                }
            }
            _ => {}
        }
    }
    out.retain(|s| {
        !program
            .sources
            .files()
            .any(|(_, f)| f.text.contains(s.as_str()))
    });
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// Masks what must not be shown in a text that reaches an output: every
/// copy of a secret of the evidence, the beginning of one that a cut for
/// display (a text ending in `…`) left at its end — a 3,000-character key
/// shown as its first 200 characters is still that key — and whatever
/// looks like a secret by its value (see [`mask_detected`]).
pub(crate) fn mask_text(text: &mut String, secrets: &[String]) {
    mask_copies(text, secrets);
    mask_detected(text);
}

fn mask_copies(text: &mut String, secrets: &[String]) {
    for s in secrets {
        if text.contains(s.as_str()) {
            *text = text.replace(s.as_str(), REDACTED);
        }
    }
    let Some(body) = text.strip_suffix('…') else {
        return;
    };
    for s in secrets {
        // Where the secret's first characters occur, a rest of the text
        // that the secret begins with is a cut copy of it.
        let head: String = s.chars().take(MIN_MASKED).collect();
        let cut = body
            .match_indices(head.as_str())
            .map(|(i, _)| i)
            .find(|&i| body.get(i..).is_some_and(|rest| s.starts_with(rest)));
        if let Some(i) = cut {
            let kept = body.get(..i).unwrap_or("").to_string();
            *text = format!("{kept}{REDACTED}");
            return;
        }
    }
}

/// Replaces everything in `text` that looks like a secret by its value —
/// by the detectors of `looks_like_secret` (private key blocks, the
/// password of a URL, tokens of known formats, JSON Web Tokens,
/// high-entropy tokens; see `docs/stdlib.md#looks_like_secret`) — with
/// [`REDACTED`]. Returns whether anything was masked.
///
/// Every text gate shows that the evidence may have reached goes through
/// this, whatever field it came from: a credential pasted into a
/// `description` is masked too. The price is that a value that merely looks
/// like a secret (a long random identifier, a base64 public certificate)
/// is masked as well; digests, commit ids and UUIDs are not.
///
/// ```
/// let mut text = "clone https://ci:Zr8q2LxW9vKf3TnB7yHc@git.example/x with AKIAIOSFODNN7EXAMPLE".to_string();
/// assert!(gate_eval::redact::mask_detected(&mut text));
/// assert_eq!(text, "clone https://ci:<redacted>@git.example/x with <redacted>");
/// let mut digest = format!("image sha256:{}", "ab".repeat(32));
/// assert!(!gate_eval::redact::mask_detected(&mut digest));
/// ```
pub fn mask_detected(text: &mut String) -> bool {
    let ranges = crate::eval::security::secret_ranges(text);
    if ranges.is_empty() {
        return false;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(text.get(at..r.start).unwrap_or(""));
        out.push_str(REDACTED);
        at = r.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    *text = out;
    true
}

/// Masks the strings of a JSON value, and the keys of its objects, as
/// [`mask_text`] does.
pub(crate) fn mask_json(value: &mut serde_json::Value, secrets: &[String]) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s) => mask_text(s, secrets),
            serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
            serde_json::Value::Object(map) => {
                let masked_key = |k: &String| {
                    let mut m = k.clone();
                    mask_text(&mut m, secrets);
                    (m != *k).then_some(m)
                };
                if map.keys().any(|k| masked_key(k).is_some()) {
                    let old = std::mem::take(map);
                    for (k, v) in old {
                        map.insert(masked_key(&k).unwrap_or(k), v);
                    }
                }
                stack.extend(map.values_mut());
            }
            _ => {}
        }
    }
}

/// Masks everything a decision shows that evidence may have reached:
/// values, messages, expectations, paths (a map key can be a secret),
/// notes, errors, evidence issues and warnings.
pub(crate) fn mask_decision(d: &mut crate::Decision, secrets: &[String]) {
    let text = |t: &mut String| mask_text(t, secrets);
    let opt = |t: &mut Option<String>| {
        if let Some(t) = t {
            mask_text(t, secrets);
        }
    };
    for r in &mut d.rules {
        for f in &mut r.failures {
            mask_json(&mut f.actual, secrets);
            text(&mut f.message);
            text(&mut f.expected);
            opt(&mut f.path);
            if let Some(e) = f.element.as_mut() {
                opt(&mut e.path);
                if let Some(k) = e.key.as_mut() {
                    mask_json(&mut k.value, secrets);
                }
            }
        }
        for e in &mut r.errors {
            text(&mut e.message);
            opt(&mut e.path);
        }
        for n in &mut r.notes {
            text(&mut n.message);
            opt(&mut n.path);
        }
    }
    for i in &mut d.evidence_issues {
        text(&mut i.path);
        if let crate::evidence::IssueKind::Mismatch { found, .. } = &mut i.kind {
            text(found);
        }
    }
    for e in &mut d.errors {
        text(&mut e.message);
    }
    for w in &mut d.warnings {
        text(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_quick_rejection_agrees_with_the_words(
            name in "(?i)(db|api|client|my|x|_|-|\\.| |secret|private|key|token|value|string|pwd|passwd|cookie|credentials?|[a-z]{1,3}|v[0-9]|V2){0,5}"
        ) {
            prop_assert_eq!(is_credential_name(&name), by_words(without_version(&name)), "{:?}", name);
        }
    }

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
            "v2",
            "apiVersion",
            "dev2",
            "keyV2",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
    }
}

#[cfg(test)]
mod copies {
    use crate::{Evidence, Options, Policy};

    const GATE: &str = r#"
gate g {}
record Token { name: string, api_token: string, scope: string }
evidence { tokens: [Token] }
let prefixes = tokens.map(api_token)
rule scoped {
  require tokens.map(api_token).all(t => t.starts_with("xyz_"))
  require tokens.all(scope != "*") else "token {name}: {api_token + \"!\"} has scope {scope}"
  require prefixes.first() == "nothing"
}
"#;
    const SECRET: &str = "ghp_abcdefTOPSECRET";

    /// Values computed from a sensitive field (mapped, concatenated, taken
    /// from a list) are redacted like the field itself.
    #[test]
    fn copies_of_sensitive_values_are_redacted() {
        let policy = Policy::from_source("g.gate", GATE).unwrap();
        let evidence = Evidence::from_json_str(
            "e",
            &format!(
                r#"{{"tokens": [{{"name": "deploy", "api_token": "{SECRET}", "scope": "*"}}]}}"#
            ),
        )
        .unwrap();
        let options = Options::default();
        let decision = policy.evaluate(&evidence, &options);
        let json = decision.to_json();
        assert_eq!(decision.counts.fail, 1, "{json}");
        assert!(!json.contains("TOPSECRET"), "{json}");
        assert!(json.contains(super::REDACTED), "{json}");
        let value = policy
            .evaluate_let("prefixes", &evidence, &options)
            .unwrap()
            .unwrap();
        assert!(!value.to_string().contains("TOPSECRET"), "{value}");
    }

    /// A list computed from sensitive values (`map` of a secret through
    /// `lower()`) shows each such element redacted, in `actual` and in a
    /// message, though the list itself was not read through a sensitive
    /// field and its elements are no longer copies of the secret.
    #[test]
    fn lists_of_computed_secrets_are_redacted() {
        let policy = Policy::from_source(
            "g.gate",
            "gate g {}\nrecord Bot { name: string, client_secret: string, key name }\n\
             evidence { bots: [Bot] }\n\
             rule r { require bots.map(b => b.client_secret.lower()) == [] \
             else \"secrets {bots.map(b => b.client_secret.upper())} of {bots.map(name)}\" }\n",
        )
        .unwrap();
        let evidence = Evidence::from_json_str(
            "e",
            r#"{"bots": [{"name": "ci-bot", "client_secret": "Sk_Live_MixedCase_Value"}]}"#,
        )
        .unwrap();
        let decision = policy.evaluate(&evidence, &Options::default());
        let json = decision.to_json();
        assert_eq!(decision.counts.fail, 1, "{json}");
        for leaked in [
            "sk_live_mixedcase_value",
            "SK_LIVE_MIXEDCASE_VALUE",
            "Sk_Live",
        ] {
            assert!(!json.contains(leaked), "{leaked} in {json}");
        }
        assert!(json.contains("ci-bot"), "{json}");
    }

    /// Taint: every operation that shows its operands makes a secret
    /// result from a secret operand, whatever the result's path. The
    /// password is made of words, so nothing but taint can hide what is
    /// computed from it.
    #[test]
    fn every_operation_propagates_taint() {
        let exprs = [
            "db.password.lower()",
            "db.password.upper().trim()",
            "db.password.split(\"-\")",
            "db.password.split(\"-\").first()",
            "db.password.split(\"-\")[1]",
            "db.password.split(\"-\").sort()",
            "db.password.split(\"-\").unique().max()",
            "db.password.split(\"-\").union([\"x\"])",
            "db.password.split(\"-\").map(p => p.lower())",
            "db.password.split(\"-\").filter(p => p != \"\")",
            "[db.name, db.password.lower()]",
            "[db.password] + [db.name]",
            "(db.name + db.password).upper()",
            "string(db.password)",
            "(env[\"DB_PASSWORD\"] ?? \"\").lower()",
            "env.values().map(v => v.upper())",
            "if db.name == \"x\" then db.name else db.password.lower()",
            "db.name ?? db.password",
            "bots.map(b => b.client_secret.lower())",
            "bots.group_by(b => b.client_secret.lower()).keys()",
            "[db.password.lower()].group_by(p => p).keys()",
        ];
        for e in exprs {
            let source = format!(
                "gate g {{}}\nrecord Db {{ name: string, password: string }}\n\
                 record Bot {{ name: string, client_secret: string }}\n\
                 evidence {{ db: Db, env: map<string>, bots: [Bot] }}\n\
                 let shown = {e}\n\
                 rule r {{ require [shown] == [] else \"got {{shown}}\" \n\
                 require [shown].len() == 0 }}\n"
            );
            let policy =
                Policy::from_source("g.gate", &source).unwrap_or_else(|err| panic!("{e}: {err:?}"));
            let evidence = Evidence::from_json_str(
                "e",
                r#"{"db": {"name": "main", "password": "Correct-Horse-Battery-Staple"},
                    "env": {"DB_PASSWORD": "Correct-Horse-Battery-Staple"},
                    "bots": [{"name": "ci", "client_secret": "Correct-Horse-Battery-Staple"}]}"#,
            )
            .unwrap();
            let options = Options::default();
            let json = policy.evaluate(&evidence, &options).to_json();
            let value = policy
                .evaluate_let("shown", &evidence, &options)
                .unwrap()
                .map(|v| v.to_string())
                .unwrap_or_else(|err| err.message);
            for out in [&json, &value] {
                let lower = out.to_lowercase();
                for word in ["horse", "battery", "staple"] {
                    assert!(!lower.contains(word), "{e}: {word} in {out}");
                }
            }
        }
    }

    /// A number computed from a secret (its length) is secret; a boolean
    /// is not: a predicate's value is what the gate decides by.
    #[test]
    fn numbers_are_tainted_booleans_are_not() {
        let policy = Policy::from_source(
            "g.gate",
            "gate g {}\nrecord Db { password: string }\nevidence { db: Db }\n\
             rule r { require db.password.len() > 100 }\n\
             rule s { require db.password.starts_with(\"x\") == true }\n",
        )
        .unwrap();
        let evidence =
            Evidence::from_json_str("e", r#"{"db": {"password": "Correct-Horse"}}"#).unwrap();
        let d = policy.evaluate(&evidence, &Options::default());
        let actual = |r: usize| d.rules[r].failures[0].actual.clone();
        assert_eq!(
            actual(0),
            serde_json::json!(super::REDACTED),
            "{}",
            d.to_json()
        );
        assert_eq!(actual(1), serde_json::json!(false), "{}", d.to_json());
    }

    /// A string built from a sensitive value and a deeper, ordinary one
    /// is as sensitive as the first.
    #[test]
    fn concatenation_keeps_the_secret_sensitive() {
        let policy = Policy::from_source(
            "g.gate",
            "gate g {}\nrecord Db { password: string }\nrecord Z { y: string }\nrecord Y { z: Z }\n\
             evidence { db: Db, meta: { x: Y } }\n\
             rule r { require (meta.x.z.y + db.password).upper() == \"\" else \"got {(meta.x.z.y + db.password).upper()}\" }\n",
        )
        .unwrap();
        let evidence = Evidence::from_json_str(
            "e",
            r#"{"db": {"password": "Hunter2Hunter2"}, "meta": {"x": {"z": {"y": "pre-"}}}}"#,
        )
        .unwrap();
        let json = policy.evaluate(&evidence, &Options::default()).to_json();
        assert!(!json.to_lowercase().contains("hunter2"), "{json}");
    }

    /// A text cut for display that ends in the beginning of a secret is
    /// masked: masking is not defeated by the cut.
    #[test]
    fn cut_copies_are_masked() {
        let secret = format!("-----BEGIN PRIVATE KEY-----{}", "Ab3".repeat(1180));
        let secrets = vec![secret.clone()];
        let shown: String = format!("key: {secret}").chars().take(200).collect();
        let mut text = format!("{shown}…");
        super::mask_text(&mut text, &secrets);
        assert_eq!(text, format!("key: {}", super::REDACTED));
        // A text that is not cut keeps what merely looks like a beginning.
        let words = vec!["correct horse battery staple".to_string()];
        let mut whole = "say: correct horse".to_string();
        super::mask_text(&mut whole, &words);
        assert_eq!(whole, "say: correct horse");
        let mut cut = "say: correct horse…".to_string();
        super::mask_text(&mut cut, &words);
        assert_eq!(cut, format!("say: {}", super::REDACTED));
        // And through a whole record: a sensitive value whose path is lost
        // (a string built from it and shown as a value) is not shown cut.
        let policy = Policy::from_source(
            "g.gate",
            "gate g {}\nrecord K { name: string, @sensitive pem: string, key name }\n\
             evidence { keys: [K] }\n\
             rule r { require keys.all(k => [k.name + \": \" + k.pem].len() == 0) }\n",
        )
        .unwrap();
        let evidence = Evidence::from_json_str(
            "e",
            &format!(r#"{{"keys": [{{"name": "ci", "pem": "{secret}"}}]}}"#),
        )
        .unwrap();
        let json = policy.evaluate(&evidence, &Options::default()).to_json();
        assert!(!json.contains("Ab3Ab3Ab3"), "{json}");
    }
}
