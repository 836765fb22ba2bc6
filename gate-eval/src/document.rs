//! Evidence as given: documents in JSON, YAML or TOML (or Rust values),
//! each optionally mounted under a name, merged into one root.
//!
//! Real gates draw on several systems' exports, so evidence is built from
//! documents: `secrets=vault-export.json` mounts a document under the key
//! `secrets`; a document without a name contributes its top-level keys. Two
//! documents that provide the same key are an error naming both.

use crate::decision::EvidenceMeta;
use crate::error::Error;
use crate::load::{self, Format, LoadLimits};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Evidence for one decision: one or more documents merged into one root.
///
/// ```
/// use gate_eval::{Evidence, Format};
/// let mut b = Evidence::builder();
/// b.add_bytes(Some("secrets"), "vault.json", Format::Json, br#"{"items": []}"#).unwrap();
/// b.add_bytes(None, "release.yaml", Format::Yaml, b"approvals: []\n").unwrap();
/// let evidence = b.build().unwrap();
/// assert_eq!(evidence.documents().len(), 2);
/// assert!(evidence.as_json()["secrets"]["items"].is_array());
/// ```
#[derive(Clone, Debug)]
pub struct Evidence {
    pub(crate) root: Value,
    pub(crate) documents: Vec<EvidenceMeta>,
    pub(crate) key_sources: BTreeMap<String, String>,
    pub(crate) default_source: Option<String>,
    pub(crate) bool_words: BTreeSet<String>,
}

impl Evidence {
    /// Evidence from one JSON document.
    pub fn from_json_str(source: &str, text: &str) -> Result<Evidence, Error> {
        let mut b = Evidence::builder();
        b.add_bytes(None, source, Format::Json, text.as_bytes())?;
        b.build()
    }

    /// Evidence from a JSON value built by the embedding program.
    pub fn from_value(source: &str, value: Value) -> Result<Evidence, Error> {
        let mut b = Evidence::builder();
        b.add_value(None, source, value)?;
        b.build()
    }

    /// Evidence from any Rust value that implements `serde::Serialize`.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Release { approvals: Vec<String> }
    /// let e = gate_eval::Evidence::from_serialize("bot", &Release { approvals: vec!["ops".into()] }).unwrap();
    /// assert_eq!(e.as_json()["approvals"][0], "ops");
    /// ```
    pub fn from_serialize<T: serde::Serialize + ?Sized>(
        source: &str,
        value: &T,
    ) -> Result<Evidence, Error> {
        let value = serde_json::to_value(value).map_err(|e| Error::EvidenceSerialize {
            source: source.to_string(),
            message: e.to_string(),
        })?;
        Evidence::from_value(source, value)
    }

    /// A builder that merges several documents.
    pub fn builder() -> EvidenceBuilder {
        EvidenceBuilder::default()
    }

    /// The documents, in the order they were added.
    pub fn documents(&self) -> &[EvidenceMeta] {
        &self.documents
    }

    /// The merged evidence as JSON.
    pub fn as_json(&self) -> &Value {
        &self.root
    }
}

struct Doc {
    mount: Option<String>,
    source: String,
    value: Value,
    bool_words: BTreeSet<String>,
}

/// Builds [`Evidence`] from documents.
#[derive(Default)]
pub struct EvidenceBuilder {
    limits: LoadLimits,
    docs: Vec<Doc>,
    metas: Vec<EvidenceMeta>,
}

impl EvidenceBuilder {
    /// Sets the size and depth limits for documents added after this call.
    pub fn limits(&mut self, limits: LoadLimits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Adds a document given as bytes in `format`, mounted under `mount`
    /// (or merged at the root when `None`). `source` names it in reports.
    pub fn add_bytes(
        &mut self,
        mount: Option<&str>,
        source: &str,
        format: Format,
        bytes: &[u8],
    ) -> Result<&mut Self, Error> {
        let parsed =
            load::parse(format, bytes, &self.limits).map_err(|error| Error::EvidenceLoad {
                source: source.to_string(),
                error,
            })?;
        self.metas.push(EvidenceMeta {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            format: format.as_str().to_string(),
            digest: sha256_hex(bytes),
        });
        self.docs.push(Doc {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            value: parsed.value,
            bool_words: parsed.bool_words,
        });
        Ok(self)
    }

    /// Adds a document given as a JSON value. Its digest is taken over its
    /// canonical JSON text.
    pub fn add_value(
        &mut self,
        mount: Option<&str>,
        source: &str,
        value: Value,
    ) -> Result<&mut Self, Error> {
        let depth = depth(&value);
        if depth > self.limits.max_depth {
            return Err(Error::EvidenceLoad {
                source: source.to_string(),
                error: load::LoadError {
                    kind: load::LoadErrorKind::TooDeep {
                        limit: self.limits.max_depth,
                    },
                    line: None,
                    column: None,
                },
            });
        }
        load::check_sizes(&value, &self.limits).map_err(|error| Error::EvidenceLoad {
            source: source.to_string(),
            error,
        })?;
        let text = serde_json::to_vec(&value).unwrap_or_default();
        if text.len() > self.limits.max_bytes {
            return Err(Error::EvidenceLoad {
                source: source.to_string(),
                error: load::LoadError {
                    kind: load::LoadErrorKind::TooLarge {
                        size: text.len(),
                        limit: self.limits.max_bytes,
                    },
                    line: None,
                    column: None,
                },
            });
        }
        self.metas.push(EvidenceMeta {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            format: "value".into(),
            digest: sha256_hex(&text),
        });
        self.docs.push(Doc {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            value,
            bool_words: BTreeSet::new(),
        });
        Ok(self)
    }

    /// Merges the documents. Two documents providing the same top-level key
    /// are an error naming both.
    pub fn build(self) -> Result<Evidence, Error> {
        let label = |d: &Doc| match &d.mount {
            Some(m) => format!("{m}={}", d.source),
            None => d.source.clone(),
        };
        // One document at the root: it is the evidence, whatever its shape.
        if let [only] = self.docs.as_slice() {
            if only.mount.is_none() {
                return Ok(Evidence {
                    root: only.value.clone(),
                    documents: self.metas,
                    key_sources: BTreeMap::new(),
                    default_source: Some(only.source.clone()),
                    bool_words: only.bool_words.clone(),
                });
            }
        }
        let mut root = Map::new();
        let mut key_sources: BTreeMap<String, String> = BTreeMap::new();
        let mut bool_words = BTreeSet::new();
        for d in self.docs {
            let this = label(&d);
            let entries: Vec<(String, Value)> = match d.mount {
                Some(m) => {
                    for w in &d.bool_words {
                        let mut p = String::new();
                        crate::evidence::push_pointer(&mut p, &m);
                        p.push_str(w);
                        bool_words.insert(p);
                    }
                    vec![(m, d.value)]
                }
                None => match d.value {
                    Value::Object(map) => {
                        bool_words.extend(d.bool_words);
                        map.into_iter().collect()
                    }
                    other => {
                        return Err(Error::EvidenceNotObject {
                            source: this,
                            found: crate::evidence::describe_json(&other),
                        })
                    }
                },
            };
            for (k, v) in entries {
                if let Some(first) = key_sources.get(&k) {
                    return Err(Error::EvidenceConflict {
                        key: k,
                        first: first.clone(),
                        second: this,
                    });
                }
                key_sources.insert(k.clone(), this.clone());
                root.insert(k, v);
            }
        }
        Ok(Evidence {
            root: Value::Object(root),
            documents: self.metas,
            key_sources,
            default_source: None,
            bool_words,
        })
    }
}

/// `sha256:` and the lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Nesting depth of a JSON value, measured without recursion.
fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(a) => {
                max = max.max(d);
                stack.extend(a.iter().map(|x| (x, d + 1)));
            }
            Value::Object(o) => {
                max = max.max(d);
                stack.extend(o.values().map(|x| (x, d + 1)));
            }
            _ => max = max.max(d.saturating_sub(1)),
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicting_keys_name_both_sources() {
        let mut b = Evidence::builder();
        b.add_bytes(None, "a.json", Format::Json, br#"{"secrets": 1}"#)
            .unwrap();
        b.add_bytes(Some("secrets"), "b.yaml", Format::Yaml, b"x: 1\n")
            .unwrap();
        match b.build() {
            Err(Error::EvidenceConflict { key, first, second }) => {
                assert_eq!(key, "secrets");
                assert_eq!(first, "a.json");
                assert_eq!(second, "secrets=b.yaml");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn digests_are_of_bytes_as_given() {
        let mut b = Evidence::builder();
        b.add_bytes(None, "a.json", Format::Json, b"{}").unwrap();
        let e = b.build().unwrap();
        assert_eq!(
            e.documents()[0].digest,
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn depth_of_values() {
        assert_eq!(depth(&serde_json::json!(1)), 0);
        assert_eq!(depth(&serde_json::json!({"a": [1]})), 2);
    }
}
