//! Decisions do not depend on order: of the keys in evidence objects (as
//! text, in JSON and YAML), of the documents merged into the evidence
//! (several mounts and root documents, added in any order), or of the
//! declarations in the gate (rules, `let`s and `def`s in any order; rules
//! compared by id).

use super::programs::{any_evidence, program, Program};
use super::{by_id, cases, compile, options};
use gate_eval::{Decision, Evidence, Format};
use proptest::prelude::*;
use serde_json::Value;
use std::hash::{Hash, Hasher};

/// `v` as JSON text with the keys of every object in an order given by
/// `seed` (not sorted, not the insertion order).
fn shuffled_json(v: &Value, seed: u64) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (seed, k).hash(&mut h);
                h.finish()
            });
            let members: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "{}: {}",
                        serde_json::to_string(k).unwrap(),
                        shuffled_json(&m[*k], seed)
                    )
                })
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Array(xs) => {
            let items: Vec<String> = xs.iter().map(|x| shuffled_json(x, seed)).collect();
            format!("[{}]", items.join(", "))
        }
        other => serde_json::to_string(other).unwrap(),
    }
}

/// The decision without what names the evidence documents (their digests
/// and order differ by construction).
fn without_documents(mut d: Decision) -> Decision {
    d.evidence.clear();
    d
}

fn from_text(format: Format, text: &str) -> Option<Evidence> {
    let mut b = Evidence::builder();
    b.add_bytes(None, "doc", format, text.as_bytes()).ok()?;
    b.build().ok()
}

/// How to split a document into several: for each root key, `None` to
/// mount it as a document of its own, `Some(i)` to put it in root document
/// `i` (of two); and the order in which to add the documents.
#[derive(Clone, Debug)]
struct Split {
    places: Vec<Option<bool>>,
    order_seed: u64,
}

fn split() -> impl Strategy<Value = Split> {
    (
        prop::collection::vec(prop::option::of(any::<bool>()), 16),
        any::<u64>(),
    )
        .prop_map(|(places, order_seed)| Split { places, order_seed })
}

/// The documents of `doc` split as `s` says, in the order it says.
fn documents(doc: &serde_json::Map<String, Value>, s: &Split) -> Vec<(Option<String>, Value)> {
    let mut roots = [serde_json::Map::new(), serde_json::Map::new()];
    let mut docs: Vec<(Option<String>, Value)> = Vec::new();
    for (i, (k, v)) in doc.iter().enumerate() {
        match s.places.get(i).copied().flatten() {
            None => docs.push((Some(k.clone()), v.clone())),
            Some(r) => {
                roots[usize::from(r)].insert(k.clone(), v.clone());
            }
        }
    }
    for r in roots {
        docs.push((None, Value::Object(r)));
    }
    docs.sort_by_key(|(m, v)| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (s.order_seed, m, v.to_string()).hash(&mut h);
        h.finish()
    });
    docs
}

fn merged(docs: &[(Option<String>, Value)], as_text: bool) -> Evidence {
    let mut b = Evidence::builder();
    for (i, (mount, v)) in docs.iter().enumerate() {
        let name = format!("doc{i}.json");
        if as_text {
            b.add_bytes(
                mount.as_deref(),
                &name,
                Format::Json,
                v.to_string().as_bytes(),
            )
            .unwrap();
        } else {
            b.add_value(mount.as_deref(), &name, v.clone()).unwrap();
        }
    }
    b.build().unwrap()
}

fn program_and_order() -> impl Strategy<Value = (Program, Vec<usize>)> {
    program().prop_flat_map(|p| {
        let n = p.items.len();
        (Just(p), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn key_order_in_evidence_text_does_not_matter(
        p in program(),
        doc in any_evidence(),
        seed in any::<u64>(),
    ) {
        let policy = compile(&p.source())?;
        let opts = options();
        let reference = without_documents(
            policy.evaluate(&Evidence::from_value("doc", doc.clone()).unwrap(), &opts),
        );
        let text = shuffled_json(&doc, seed);
        for format in [Format::Json, Format::Yaml] {
            let Some(ev) = from_text(format, &text) else {
                prop_assert!(format != Format::Json, "rejected: {text}");
                continue;
            };
            if format == Format::Yaml && ev.as_json() != &doc {
                // YAML reads some JSON scalars differently (big numbers).
                continue;
            }
            let d = without_documents(policy.evaluate(&ev, &opts));
            prop_assert_eq!(&d, &reference, "{:?} {}", format, text);
        }
    }

    #[test]
    fn merging_documents_in_any_order_gives_the_same_decision(
        p in program(),
        doc in any_evidence(),
        s1 in split(),
        order2 in any::<u64>(),
        as_text in any::<bool>(),
    ) {
        let Value::Object(root) = &doc else { return Ok(()) };
        let policy = compile(&p.source())?;
        let opts = options();
        let single = policy.evaluate(&Evidence::from_value("doc", doc.clone()).unwrap(), &opts);
        let docs1 = documents(root, &s1);
        let s2 = Split { order_seed: order2, ..s1.clone() };
        let docs2 = documents(root, &s2);
        let e1 = merged(&docs1, as_text);
        prop_assert_eq!(e1.as_json(), &doc);
        let d1 = policy.evaluate(&e1, &opts);
        let d2 = policy.evaluate(&merged(&docs2, as_text), &opts);
        // The same rules and outcome as one document, and the same issues
        // at the same places (their `source` names the document).
        prop_assert_eq!(by_id(&d1), by_id(&single));
        let paths = |d: &Decision| d.evidence_issues.iter().map(|i| i.path.clone()).collect::<Vec<_>>();
        prop_assert_eq!(paths(&d1), paths(&single));
        // Two orders of the same documents: the same record, but for the
        // order of the documents it lists.
        let mut d1 = d1;
        let mut d2 = d2;
        let key = |m: &gate_eval::decision::EvidenceMeta| (m.mount.clone(), m.digest.clone());
        d1.evidence.sort_by_key(key);
        d2.evidence.sort_by_key(key);
        // Documents are named by position: compare without the names.
        for m in d1.evidence.iter_mut().chain(d2.evidence.iter_mut()) {
            m.source.clear();
        }
        for i in d1.evidence_issues.iter_mut().chain(d2.evidence_issues.iter_mut()) {
            i.source = None;
        }
        prop_assert_eq!(d1, d2);
    }

    #[test]
    fn declaration_order_in_the_gate_does_not_matter(
        (p, order) in program_and_order(),
        doc in any_evidence(),
    ) {
        let opts = options();
        let ev = Evidence::from_value("doc", doc).unwrap();
        let a = compile(&p.source())?.evaluate(&ev, &opts);
        let b = compile(&p.source_in(&order))?.evaluate(&ev, &opts);
        prop_assert_eq!(by_id(&a), by_id(&b), "order {:?}", order);
        prop_assert_eq!(a.evidence_issues, b.evidence_issues);
    }
}
