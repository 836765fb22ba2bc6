use crate::compile_source;

const SCHEMA: &str = r#"
gate g { title "test" }
enum Role { security, owner, ops }
enum State { approved, rejected, pending }
enum Store { hashicorp_vault, aws_secrets_manager, source_code }
record Person { id: string, status: string }
record Approval {
  role: Role
  state: State
  approver: Person
  artefact_digest: string
  approved_at: time?
  key role when state == approved
}
record Rotation { enabled: bool, interval_days: int?, last_rotated_at: time? }
record SecretItem {
  name: string
  store: Store
  vaulted: bool
  rotation: Rotation?
  expires_at: time?
  key name
}
record Secrets {
  attested_none: bool
  items: [SecretItem]
  elements items
}
record Artefact { digest: string, kind: string }
evidence {
  evaluated_at: time
  artefact: Artefact
  approvals: [Approval]
  secrets: Secrets
}
"#;

fn codes(rules: &str) -> Vec<&'static str> {
    let src = format!("{SCHEMA}\n{rules}");
    match compile_source("t.gate", &src) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors
            .iter()
            .filter(|e| e.severity == crate::Severity::Error)
            .map(|e| e.code())
            .collect(),
    }
}

fn ok(rules: &str) {
    let src = format!("{SCHEMA}\n{rules}");
    if let Err(e) = compile_source("t.gate", &src) {
        panic!("{}", e.render(false, 100));
    }
}

#[test]
fn design_card_line_checks() {
    ok("rule r { require secrets.all(vaulted) and approvals.includes(security, owner, ops) }");
}

#[test]
fn typos_are_errors_with_suggestions() {
    let src = format!("{SCHEMA}\nrule r {{ require secrets.all(vaultd) and approvals.includes(securty, owner, ops) }}");
    let err = compile_source("t.gate", &src).unwrap_err();
    let msgs: Vec<String> = err
        .errors
        .iter()
        .map(|e| format!("{} {:?}", e, e.kind.help()))
        .collect();
    assert_eq!(err.errors.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("`vaulted`"), "{msgs:?}");
    assert!(msgs[1].contains("`security`"), "{msgs:?}");
}

#[test]
fn optionals_must_be_handled() {
    assert_eq!(
        codes("rule r { require secrets.all(rotation.enabled) }"),
        ["E0402"]
    );
    ok("rule r { require secrets.all(rotation != null and rotation.enabled) }");
    ok("rule r { require secrets.all(rotation?.enabled == true) }");
    ok("rule r { require secrets.all(rotation == null or rotation.interval_days == null or rotation.interval_days <= 90) }");
    assert_eq!(
        codes("rule r { require secrets.all(rotation.interval_days <= 90) }"),
        ["E0402"]
    );
}

#[test]
fn when_guards_narrow() {
    ok("rule r { when present(secrets.items) require secrets.items.len() >= 0 }");
}

#[test]
fn enum_resolution() {
    ok("rule r { require approvals.all(role == owner or state != approved) }");
    ok("rule r { require approvals.any(role == \"ops\") }");
    assert_eq!(
        codes("rule r { require approvals.any(role == \"opps\") }"),
        ["E0306"]
    );
    ok("let required = [security, owner, ops]\nrule r { require approvals.includes(security) }");
    ok("rule r { require secrets.all(store in [hashicorp_vault, aws_secrets_manager]) }");
}

#[test]
fn durations_and_times() {
    ok("rule r { require secrets.all(rotation == null or rotation.last_rotated_at == null or evaluated_at - rotation.last_rotated_at <= 90d) }");
    assert_eq!(
        codes("rule r { require evaluated_at - evaluated_at <= 90 }"),
        ["E0404"]
    );
}

#[test]
fn recursion_is_rejected() {
    assert_eq!(
        codes(
            "def f(x: int) -> bool = g(x)\ndef g(x: int) -> bool = f(x)\nrule r { require f(1) }"
        ),
        ["E0410"]
    );
    assert_eq!(
        codes("let a = b\nlet b = a\nrule r { require true }"),
        ["E0410"]
    );
}

#[test]
fn defs_and_lambdas() {
    ok("def managed(s: SecretItem) = s.vaulted and s.store in [hashicorp_vault, aws_secrets_manager]\nrule r { require secrets.all(s => managed(s)) and secrets.all(managed(it)) }");
    assert_eq!(codes("rule r { require len(x => x) > 0 }"), ["E0308"]);
}

#[test]
fn templates_resolve_in_element_scope() {
    ok("rule r { require secrets.all(vaulted) else \"secret {name} is kept in {store}\" }");
    assert_eq!(
        codes("rule r { require secrets.all(vaulted) else \"secret {nme}\" }"),
        ["E0409"]
    );
}

#[test]
fn ambiguous_names() {
    let schema_extra = "record T { owner: string, role: Role }\nlet ts: [T] = []\nrule r { require ts.all(role == owner) }";
    assert_eq!(codes(schema_extra), ["E0305"]);
}

#[test]
fn wrong_operators_are_explained() {
    assert_eq!(codes("rule r { require artefact.kind = \"x\" }"), ["E0107"]);
    assert_eq!(codes("rule r { require true && false }"), ["E0107"]);
}

#[test]
fn unknown_settings_and_duplicates() {
    assert_eq!(codes("rule r { severty block require true }"), ["E0202"]);
    assert_eq!(codes("rule r { severity blocker require true }"), ["E0203"]);
    assert_eq!(
        codes("rule r { require true }\nrule r { require true }"),
        ["E0204"]
    );
    assert_eq!(codes("rule r { severity warn }"), ["E0205"]);
}
