//! JSON merge patch (RFC 7396), applied to a case's evidence.

use serde_json::{Map, Value};

/// Applies `patch` to `target` as RFC 7396 says: an object patch merges key
/// by key (`null` removes a key), anything else replaces the target. Runs
/// without recursion, whatever the depth of the patch.
///
/// ```
/// use serde_json::json;
/// let mut doc = json!({"a": {"b": 1, "c": 2}, "d": [1, 2]});
/// gate_cli::cmd::test::merge_patch(&mut doc, &json!({"a": {"b": null, "e": 3}, "d": [3]}));
/// assert_eq!(doc, json!({"a": {"c": 2, "e": 3}, "d": [3]}));
/// ```
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let mut work: Vec<(&mut Value, &Value)> = vec![(target, patch)];
    while let Some((target, patch)) = work.pop() {
        let Value::Object(p) = patch else {
            *target = patch.clone();
            continue;
        };
        if !target.is_object() {
            *target = Value::Object(Map::new());
        }
        let Value::Object(t) = target else {
            continue;
        };
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            }
        }
        // Borrow each child of the target once: collect the keys to descend
        // into, then split the map's values.
        let mut children: Vec<(&mut Value, &Value)> = Vec::new();
        for (k, v) in p {
            if v.is_null() {
                continue;
            }
            if !t.contains_key(k) {
                t.insert(k.clone(), Value::Null);
            }
        }
        for (k, slot) in t.iter_mut() {
            if let Some(v) = p.get(k).filter(|v| !v.is_null()) {
                children.push((slot, v));
            }
        }
        work.extend(children);
    }
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::{json, Value};

    fn patched(target: Value, patch: Value) -> Value {
        let mut t = target;
        merge_patch(&mut t, &patch);
        t
    }

    /// The examples of RFC 7396, appendix A.
    #[test]
    fn rfc_7396_examples() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ];
        for (target, patch, want) in cases {
            assert_eq!(
                patched(target.clone(), patch.clone()),
                want,
                "{target} + {patch}"
            );
        }
    }

    #[test]
    fn deep_patches_do_not_recurse() {
        let mut patch = json!(1);
        for _ in 0..500 {
            patch = json!({ "a": patch });
        }
        let mut target = json!({});
        merge_patch(&mut target, &patch);
        let mut depth = 0;
        let mut v = &target;
        while let Some(next) = v.get("a") {
            depth += 1;
            v = next;
        }
        assert_eq!(depth, 500);
    }
}
