use super::*;
use crate::ast::{BinOp, ExprKind, Item, RuleStmt};

fn file(src: &str) -> (ast::File, Vec<Error>) {
    parse_file(SourceId(0), src)
}

fn expr(src: &str) -> Expr {
    match parse_expr(SourceId(0), src, 0) {
        Ok(e) => e,
        Err(errs) => panic!("{src}: {errs:?}"),
    }
}

#[test]
fn design_card_line_parses() {
    let (f, errs) = file("gate g {}\nrule r { require secrets.all(vaulted) and approvals.includes(security, owner, ops) }");
    assert!(errs.is_empty(), "{errs:?}");
    let Some(Item::Rule(rule)) = f.items.first() else {
        panic!("no rule")
    };
    let Some(RuleStmt::Require(req)) = rule.body.first() else {
        panic!("no require")
    };
    let ExprKind::And(parts) = &req.expr.kind else {
        panic!("not an and")
    };
    assert_eq!(parts.len(), 2);
}

#[test]
fn and_chains_are_flat() {
    let e = expr("a and b and c and d");
    let ExprKind::And(parts) = &e.kind else {
        panic!()
    };
    assert_eq!(parts.len(), 4);
    let e = expr("a or b and c");
    let ExprKind::Or(parts) = &e.kind else {
        panic!()
    };
    assert!(matches!(parts[1].kind, ExprKind::And(_)));
}

#[test]
fn precedence() {
    let e = expr("not a == b");
    assert!(matches!(e.kind, ExprKind::Unary { .. }));
    let e = expr("a + b * c < d");
    let ExprKind::Binary {
        op: BinOp::Lt, lhs, ..
    } = &e.kind
    else {
        panic!()
    };
    assert!(matches!(lhs.kind, ExprKind::Binary { op: BinOp::Add, .. }));
    let e = expr("x not in xs");
    assert!(matches!(
        e.kind,
        ExprKind::Binary {
            op: BinOp::NotIn,
            ..
        }
    ));
    let e = expr("a?.b ?? 3 > 2");
    assert!(matches!(e.kind, ExprKind::Binary { op: BinOp::Gt, .. }));
}

#[test]
fn lambdas_and_methods() {
    let e = expr("secrets.all(s => s.vaulted and s.owner == owner.team)");
    let ExprKind::Method { args, .. } = &e.kind else {
        panic!()
    };
    assert!(matches!(args[0].kind, ExprKind::Lambda { .. }));
}

#[test]
fn kebab_rule_ids() {
    let (f, errs) =
        file("gate g {}\nrule secrets-vaulted \"t\" { require true }\nrule S02 { require true }");
    assert!(errs.is_empty(), "{errs:?}");
    let ids: Vec<_> = f
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r.id.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["secrets-vaulted", "S02"]);
    let (_, errs) = file("gate g {}\nrule S 02 { require true }");
    assert_eq!(errs[0].code(), "E0105");
}

#[test]
fn templates_have_holes_with_spans() {
    let src = "gate g {}\nrule r { require true else \"secret {name} in {s.store}, {{literal}}\" }";
    let (f, errs) = file(src);
    assert!(errs.is_empty(), "{errs:?}");
    let Some(Item::Rule(rule)) = f.items.first() else {
        panic!()
    };
    let Some(RuleStmt::Require(req)) = rule.body.first() else {
        panic!()
    };
    let t = req.message.as_ref().unwrap();
    let holes: Vec<_> = t
        .parts
        .iter()
        .filter_map(|p| match p {
            TemplatePart::Hole(e) => Some(&src[e.span.range()]),
            TemplatePart::Text(_) => None,
        })
        .collect();
    assert_eq!(holes, ["name", "s.store"]);
    assert!(matches!(t.parts.last(), Some(TemplatePart::Text(s)) if s == ", {literal}"));
}

#[test]
fn several_errors_in_one_run() {
    let (_, errs) = file("gate g {}\nrule a { require 1 + }\nrule b { require ) }\nlet x = ");
    assert!(errs.len() >= 2, "{errs:?}");
}

#[test]
fn soft_keywords_are_field_names() {
    let e = expr("evidence.gate == record.rule");
    assert!(matches!(e.kind, ExprKind::Binary { .. }));
    let e = expr("x.in");
    assert!(matches!(e.kind, ExprKind::Field { .. }));
}

#[test]
fn too_deep_is_rejected_without_recursion() {
    let deep = format!(
        "gate g {{}}\nlet x = {}1{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let (_, errs) = file(&deep);
    assert!(errs.iter().any(|e| e.code() == "E0506"), "{errs:?}");
    let chain = format!("gate g {{}}\nlet x = {}", vec!["a"; 50_000].join(" and "));
    let (_, errs) = file(&chain);
    assert!(errs.is_empty(), "{errs:?}");
    let neg = format!("gate g {{}}\nlet x = {}1", "-".repeat(100_000));
    let (_, errs) = file(&neg);
    assert!(errs.iter().any(|e| e.code() == "E0506"));
}

#[test]
fn schema_syntax() {
    let src = r#"gate g {}
enum Role { security, owner, ops, "ai-risk" }
record Approval {
  role: Role
  state: State,
  approved_at: time?
  "kms:ViaService" as via: string
  tags: map<string>
  action: many<string>
  rotation: { enabled: bool, interval_days: int? }
  key role when state == approved
}
evidence { approvals: [Approval] }
"#;
    let (f, errs) = file(src);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(f.items.len(), 3);
}

#[test]
fn bad_unicode_escapes_point_at_whole_characters() {
    for body in [
        "\\u\u{fffd}202E}",
        "\\u{\u{e9}}",
        "\\u{12",
        "\\u{zz}x",
        "\\u",
        "\\u{202E}",
    ] {
        let src = format!("gate g {{}}\nrule r {{ require x == \"{body}\" }}\n");
        let (_, errs) = file(&src);
        assert!(!errs.is_empty(), "{body:?}");
        for e in &errs {
            let (s, t) = (e.span.start as usize, e.span.end as usize);
            assert!(
                s <= t && src.is_char_boundary(s) && src.is_char_boundary(t) && t <= src.len(),
                "{body:?}: span {s}..{t}"
            );
        }
    }
}

#[test]
fn bad_unicode_escapes_are_quoted_as_written() {
    for (body, shown) in [
        ("\\u\u{e9}", "\\u"),
        ("\\u{12", "\\u{12"),
        ("\\u{zz}x", "\\u{zz}"),
    ] {
        let src = format!("gate g {{}}\nrule r {{ require x == \"{body}\" }}\n");
        let (_, errs) = file(&src);
        let messages: Vec<String> = errs.iter().map(|e| e.kind.to_string()).collect();
        assert!(
            messages.contains(&format!("unknown escape `{shown}` in string")),
            "{body:?}: {messages:?}"
        );
    }
}
