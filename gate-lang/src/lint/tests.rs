use super::{lint, Config, Level};
use crate::compile_source;

const HEAD: &str = r#"
gate g { title "t" }
enum Role { security, owner, ops }
record Secret { name: string, vaulted: bool, rotation_interval_days: int, evaluated_at: time? }
record Approval { role: Role, approved: bool, key role when approved }
evidence {
  secrets: [Secret]
  approvals: [Approval]
  evaluated_at: time
  updated_at: time
}
"#;

/// The rules reported for a gate made of HEAD and `body`.
fn found(body: &str) -> Vec<String> {
    let src = format!("{HEAD}{body}");
    let program = match compile_source("t.gate", &src) {
        Ok(p) => p,
        Err(e) => panic!("{}", e.render(false, 100)),
    };
    lint(&program, &Config::default())
        .into_iter()
        .map(|f| f.rule.to_string())
        .collect()
}

const OK_RULE: &str = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "no secrets"
  require secrets.all(vaulted) else "{name} is not vaulted"
}
"#;

#[test]
fn a_clean_gate_has_no_findings() {
    assert_eq!(found(OK_RULE), Vec::<String>::new());
}

#[test]
fn unused_lets_defs_and_rule_lets() {
    let body = format!(
        "let A = 1\ndef p(s: Secret) -> bool = s.vaulted\n{}",
        OK_RULE.replace("require not", "let n = 3\n  require not")
    );
    let got = found(&body);
    assert_eq!(got, ["unused-let", "unused-def", "unused-let"]);
}

#[test]
fn used_names_are_not_reported() {
    let body = r#"
let MIN = 1
def p(s: Secret) -> bool = s.vaulted
rule R "t" {
  controls "OWASP-NHI:NHI2"
  let all_secrets = secrets
  require all_secrets.len() >= MIN else "few: {all_secrets.len()}"
  require all_secrets.all(x => p(x)) else "not vaulted"
}
"#;
    assert_eq!(found(body), Vec::<String>::new());
}

#[test]
fn shadowing() {
    // A rule let named like an evidence field; an element field hiding a let.
    let body = r#"
let vaulted = true
rule R "t" {
  controls "OWASP-NHI:NHI2"
  let approvals_ok = vaulted
  require not secrets.is_empty() and approvals_ok else "x"
  require secrets.all(vaulted) else "{name} is not vaulted"
}
"#;
    let got = found(body);
    assert!(got.contains(&"shadowed-name".to_string()), "{got:?}");
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "x"
  require secrets.all(s => s.vaulted and secrets.any(secrets => secrets.vaulted)) else "y"
}
"#;
    assert!(found(body).contains(&"shadowed-name".to_string()));
}

#[test]
fn element_field_hiding_an_evidence_field() {
    // `evaluated_at` in the predicate is the secret's, not the evidence's.
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "x"
  require secrets.all(evaluated_at == null) else "y"
}
"#;
    assert_eq!(found(body), ["shadowed-name"]);
}

#[test]
fn rules_without_controls_or_messages() {
    let body = r#"
rule R "t" {
  require not secrets.is_empty()
}
"#;
    assert_eq!(
        found(body),
        ["rule-without-controls", "rule-without-message"]
    );
}

#[test]
fn control_ids() {
    let body = OK_RULE.replace("OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.AC-4");
    assert_eq!(found(&body), ["control-id-format"]);
    let mut config = Config::default();
    config.add_framework("ACME", "SEC-[0-9]{3}").unwrap();
    let src = format!(
        "{HEAD}{}",
        OK_RULE.replace("OWASP-NHI:NHI2", "ACME:SEC-001")
    );
    let p = compile_source("t.gate", &src).unwrap();
    assert!(lint(&p, &config).is_empty());
}

#[test]
fn vacuous_all() {
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  require secrets.all(vaulted) else "{name} is not vaulted"
}
"#;
    assert_eq!(found(body), ["vacuous-all"]);
    // A filtered list through a rule let, checked: no finding.
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  let given = approvals.filter(approved)
  require given.len() > 0 else "none"
  require given.all(role != ops) else "{role}"
}
"#;
    assert_eq!(found(body), Vec::<String>::new());
    // A filtered list may well be empty ("no approved approvals"): not
    // reported; the evidence list through a rule `let` is.
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  let given = approvals.filter(approved)
  require given.all(role != ops) else "{role}"
  let all_of_them = approvals
  require all_of_them.all(approved) else "{role}"
}
"#;
    assert_eq!(found(body), ["vacuous-all"]);
    // Another blocking rule that always applies checks the list: the gate
    // fails on an empty list anyway.
    let body = r#"
rule Inventory "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "no secrets"
}
rule R "t" {
  controls "OWASP-NHI:NHI2"
  require secrets.all(vaulted) else "{name}"
}
"#;
    assert_eq!(found(body), Vec::<String>::new());
    // …but not when that rule has a `when` or only warns.
    for guard in ["when updated_at < evaluated_at", "severity warn"] {
        let body = format!(
            "rule Inventory \"t\" {{\n  controls \"OWASP-NHI:NHI2\"\n  {guard}\n  require not secrets.is_empty() else \"no secrets\"\n}}\nrule R \"t\" {{\n  controls \"OWASP-NHI:NHI2\"\n  require secrets.all(vaulted) else \"{{name}}\"\n}}\n"
        );
        assert_eq!(found(&body), ["vacuous-all"], "{guard}");
    }
}

#[test]
fn constant_conditions() {
    for cond in [
        "true",
        "updated_at == updated_at",
        "secrets.len() >= 0",
        "secrets.count(vaulted) < 0",
        "1 > 2",
        "updated_at == evaluated_at and not (updated_at == evaluated_at)",
        "not secrets.is_empty() or secrets.is_empty()",
        "updated_at in []",
    ] {
        let body = format!(
            "rule R \"t\" {{\n  controls \"OWASP-NHI:NHI2\"\n  require {cond} else \"x\"\n}}\n"
        );
        assert_eq!(found(&body), ["constant-condition"], "{cond}");
    }
    // Not constant: a literal branch of an `if` is the answer for the
    // other case (`if c then p else true` is "c implies p").
    for cond in [
        "secrets.len() >= 1",
        "if secrets.is_empty() then true else secrets.all(vaulted)",
        "if secrets.is_empty() then secrets.len() == 0 else false",
    ] {
        let body = format!(
            "rule R \"t\" {{\n  controls \"OWASP-NHI:NHI2\"\n  require {cond} else \"x\"\n}}\n"
        );
        assert_eq!(found(&body), Vec::<String>::new(), "{cond}");
    }
}

#[test]
fn durations_as_numbers() {
    let body = r#"
let MAX_ROTATION_DAYS = 90
rule R "t" {
  controls "OWASP-NHI:NHI2"
  require (evaluated_at - updated_at).days() <= 30 else "old"
}
rule S "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "none"
  require secrets.all(rotation_interval_days <= MAX_ROTATION_DAYS) else "{name}"
}
rule T "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "none"
  require secrets.all(rotation_interval_days <= 90) else "{name}"
}
rule U "t" {
  controls "OWASP-NHI:NHI2"
  require not secrets.is_empty() else "none"
  require secrets.all(days(rotation_interval_days) <= 90d) else "{name}"
  require evaluated_at - updated_at <= 30d else "old"
}
"#;
    assert_eq!(
        found(body),
        [
            "duration-as-number",
            "duration-as-number",
            "duration-as-number"
        ]
    );
}

#[test]
fn case_folded_duplicate_rule_ids() {
    let body = format!("{OK_RULE}{}", OK_RULE.replace("rule R", "rule r"));
    assert_eq!(found(&body), ["duplicate-rule-id"]);
}

#[test]
fn suppressions() {
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  # lint: allow(vacuous-all) an empty inventory is fine for this stage
  require secrets.all(vaulted) else "{name} is not vaulted"
}
"#;
    assert_eq!(found(body), Vec::<String>::new());
    // Trailing, and covering a whole rule from above its first line.
    let body = r#"
# lint: allow(rule-without-controls, rule-without-message) a hygiene rule
rule R "t" {
  require secrets.all(vaulted) # lint: allow(vacuous-all) fine here
}
"#;
    assert_eq!(found(body), Vec::<String>::new());
    // No reason, unknown rule, unused.
    let body = r#"
rule R "t" {
  controls "OWASP-NHI:NHI2"
  # lint: allow(vacuous-all)
  require secrets.all(vaulted) else "{name} is not vaulted"
  # lint: allow(vacous-all) typo
  require updated_at <= evaluated_at else "x"
  # lint: allow(unused-let) nothing here
  require updated_at < evaluated_at else "y"
}
"#;
    assert_eq!(
        found(body),
        ["bad-suppression", "bad-suppression", "unused-suppression"]
    );
}

#[test]
fn levels_are_configurable() {
    let src = format!("{HEAD}rule R \"t\" {{\n  require not secrets.is_empty()\n}}\n");
    let p = compile_source("t.gate", &src).unwrap();
    let mut config = Config::default();
    config
        .set_level("rule-without-message", Level::Off)
        .unwrap();
    config
        .set_level("rule-without-controls", Level::Error)
        .unwrap();
    let got = lint(&p, &config);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].level, Level::Error);
    assert!(config
        .set_level("rule-without-control", Level::Off)
        .unwrap_err()
        .contains("did you mean `rule-without-controls`"));
}
