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

fn first_error(rules: &str) -> (String, Option<String>) {
    let src = format!("{SCHEMA}\n{rules}");
    let err = compile_source("t.gate", &src).unwrap_err();
    let e = &err.errors[0];
    (e.to_string(), e.kind.help())
}

#[test]
fn new_builtins_type_check_in_both_forms() {
    ok("rule r { require artefact.kind.trim() == \"x\" and trim(artefact.kind) == \"x\" }");
    ok("rule r { require artefact.kind.split(\",\").len() == 2 and split(artefact.kind, \",\").all(s => s.len() > 0) }");
    ok("rule r { require artefact.kind.matches(r\"^v\\d+$\") and matches(artefact.kind, \"x\") }");
    ok("rule r { require artefact.kind.glob(\"s3:*\") and glob(artefact.kind, \"[a-z]?\") }");
    ok("rule r { require now() > evaluated_at and age(evaluated_at) <= 90d and evaluated_at.age() >= 0s }");
    ok("rule r { require parse_time(artefact.kind) < now() }");
    ok("rule r { require secrets.map(name).sort().len() == secrets.map(name).distinct_count() }");
    ok("rule r { require secrets.map(name).union([\"a\"]).intersect([\"a\"]).difference([\"b\"]).len() == 1 }");
    ok("rule r { require [1, 2].union([2.5]).len() == 3 }");
    ok("rule r { require approvals.includes_all([security, owner]) and approvals.includes_any([ops]) }");
    ok("rule r { require includes_all(approvals.map(role), [security]) }");
    ok("rule r { require semver_cmp(artefact.kind, \"1.2.3\") >= 0 and semver_satisfies(artefact.kind, \">=1, <2\") }");
    ok("rule r { require is_digest(artefact.digest) and not is_wildcard(artefact.kind) and not looks_like_secret(artefact.kind) }");
    ok("rule r { require cidr_contains(\"10.0.0.0/8\", artefact.kind) and artefact.kind.cidr_contains(\"::1\") }");
    ok("let by_state = approvals.group_by(state)\nrule r { require by_state.keys().len() <= 3 and by_state[\"approved\"]?.len() == 1 }");
    ok("rule r { require secrets.group_by(s => s.name).values().all(g => g.len() == 1) }");
}

#[test]
fn new_builtins_reject_wrong_types_and_arity() {
    // Receivers of the wrong type.
    assert_eq!(
        codes("rule r { require secrets.all(vaulted.trim() == \"\") }"),
        ["E0401"]
    );
    assert_eq!(
        codes("rule r { require approvals.sort().len() > 0 }"),
        ["E0401"]
    );
    assert_eq!(
        codes("rule r { require approvals.union(approvals).len() > 0 }"),
        ["E0401"]
    );
    assert_eq!(
        codes("rule r { require age(artefact.kind) < 1d }"),
        ["E0401"]
    );
    assert_eq!(codes("rule r { require is_digest(1) }"), ["E0401"]);
    // Arguments of the wrong type.
    assert_eq!(
        codes("rule r { require artefact.kind.matches(1) }"),
        ["E0401"]
    );
    assert_eq!(
        codes("rule r { require [1].union([\"a\"]).len() > 0 }"),
        ["E0401"]
    );
    assert_eq!(
        codes("rule r { require approvals.includes_all([\"nobody\"]) }"),
        ["E0306"]
    );
    assert_eq!(
        codes("rule r { require approvals.includes_all(security) }"),
        ["E0401"]
    );
    assert_eq!(
        codes("rule r { require secrets.group_by(vaulted).len() > 0 }"),
        ["E0401"]
    );
    // Optional receivers must be handled.
    assert_eq!(
        codes("rule r { require approvals.all(approved_at.age() < 1d) }"),
        ["E0402"]
    );
    // Arity, counted as written.
    let (msg, _) = first_error("rule r { require semver_cmp(artefact.kind) == 0 }");
    assert_eq!(msg, "`semver_cmp` takes 2 arguments, found 1");
    let (msg, _) = first_error("rule r { require artefact.kind.semver_cmp() == 0 }");
    assert_eq!(msg, "`semver_cmp` takes 1 argument, found 0");
    assert_eq!(codes("rule r { require now(1) > evaluated_at }"), ["E0403"]);
    assert_eq!(
        codes("rule r { require evaluated_at.now() > evaluated_at }"),
        ["E0403"]
    );
    assert_eq!(
        codes("rule r { require approvals.includes_all() }"),
        ["E0403"]
    );
    assert_eq!(
        codes("rule r { require artefact.kind.trim(1) == \"\" }"),
        ["E0403"]
    );
}

#[test]
fn unknown_functions_suggest_new_builtins() {
    for (typo, want) in [
        ("artefact.kind.mtches(\"x\")", "`matches`"),
        ("artefact.kind.glb(\"x\")", "`glob`"),
        ("is_digst(artefact.digest)", "`is_digest`"),
        ("looks_like_secrt(artefact.kind)", "`looks_like_secret`"),
        ("approvals.includes_al([owner])", "`includes_all`"),
    ] {
        let (msg, help) = first_error(&format!("rule r {{ require {typo} }}"));
        assert!(msg.starts_with("unknown function"), "{msg}");
        assert!(help.unwrap_or_default().contains(want), "{typo}");
    }
}

#[test]
fn invalid_literal_arguments_are_compile_errors() {
    assert_eq!(
        codes("rule r { require artefact.kind.matches(\"[a-\") }"),
        ["E0311"]
    );
    assert_eq!(
        codes("rule r { require artefact.kind.matches(\"(a{1000}){1000}\") }"),
        ["E0311"]
    );
    assert_eq!(
        codes("rule r { require artefact.kind.glob(\"[a-\") }"),
        ["E0312"]
    );
    assert_eq!(
        codes("rule r { require semver_cmp(artefact.kind, \"1.2\") == 0 }"),
        ["E0313"]
    );
    assert_eq!(
        codes("rule r { require semver_satisfies(artefact.kind, \">>1\") }"),
        ["E0313"]
    );
    assert_eq!(
        codes("rule r { require semver_satisfies(\"1.x\", \">=1\") }"),
        ["E0313"]
    );
    assert_eq!(
        codes("rule r { require cidr_contains(\"10.0.0.0/33\", artefact.kind) }"),
        ["E0314"]
    );
    assert_eq!(
        codes("rule r { require cidr_contains(artefact.kind, \"300.1.1.1\") }"),
        ["E0314"]
    );
    assert_eq!(
        codes("rule r { require parse_time(\"2026-05-04\") < evaluated_at }"),
        ["E0315"]
    );
    // A computed pattern is checked when the rule runs instead.
    ok("rule r { require artefact.kind.matches(artefact.digest) }");
    let (msg, help) = first_error("rule r { require artefact.kind.matches(\"(x\") }");
    assert!(
        msg.starts_with("invalid regular expression in `matches`: "),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");
    assert!(help.is_some());
}

#[test]
fn builtin_names_are_known_to_the_checker() {
    let names = crate::check::builtin_names();
    for n in [
        "len",
        "matches",
        "glob",
        "now",
        "group_by",
        "includes_all",
        "looks_like_secret",
        "present",
    ] {
        assert!(names.contains(&n), "{n}");
    }
}
