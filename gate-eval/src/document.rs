//! Evidence as given: documents in JSON, YAML or TOML (or Rust values),
//! each optionally mounted under a name, merged into one root.
//!
//! Real gates draw on several systems' exports, so evidence is built from
//! documents: `secrets=vault-export.json` mounts a document under the key
//! `secrets`; a document without a name contributes its top-level keys. Two
//! documents that provide the same key are an error naming both.

use crate::decision::EvidenceMeta;
use crate::error::Error;
use crate::evidence::TypedEvidence;
use crate::load::{self, Format, LoadLimits};
use crate::Policy;
use gate_lang::ir::Program;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

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
///
/// Evidence built for a policy ([`Policy::evidence_builder`]) from a single
/// JSON document is typed by that policy's schema while it is read, and
/// [`Policy::evaluate`] uses that typed form; the JSON value is then made
/// from the kept bytes only when asked for ([`Evidence::as_json`]).
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The merged evidence; made from `raw` on first use when empty.
    pub(crate) root: OnceLock<Value>,
    /// The single JSON document's bytes, when `root` is made lazily.
    pub(crate) raw: Option<Arc<RawJson>>,
    /// The document typed by the schemas of the policies it was built for.
    pub(crate) typed: Vec<Arc<TypedFor>>,
    pub(crate) documents: Vec<EvidenceMeta>,
    pub(crate) key_sources: BTreeMap<String, String>,
    pub(crate) default_source: Option<String>,
    pub(crate) bool_words: BTreeSet<String>,
    /// JSON pointers of attestations that failed verification, and why:
    /// reading one is an error.
    pub(crate) unverified: BTreeMap<String, String>,
    /// JSON pointers of list elements that came from their own file or
    /// line (folders, `add_to_list`, streams), and where from.
    pub(crate) element_sources: BTreeMap<String, String>,
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
    ///
    /// For evidence typed while it was read (see [`Policy::evidence_builder`])
    /// the value is parsed from the kept bytes on the first call.
    pub fn as_json(&self) -> &Value {
        self.root.get_or_init(|| match &self.raw {
            Some(raw) => raw.value().unwrap_or(Value::Null),
            None => Value::Null,
        })
    }

    /// Evidence from a value, with nothing typed beforehand.
    pub(crate) fn from_parts(root: Value, documents: Vec<EvidenceMeta>) -> Evidence {
        Evidence {
            root: OnceLock::from(root),
            raw: None,
            typed: Vec::new(),
            documents,
            key_sources: BTreeMap::new(),
            default_source: None,
            bool_words: BTreeSet::new(),
            unverified: BTreeMap::new(),
            element_sources: BTreeMap::new(),
        }
    }

    /// Where the list element holding the evidence at `pointer` came from
    /// (a file, or `file:line` for a document of a stream), when it came
    /// from a document of its own: one of several added to a list
    /// ([`EvidenceBuilder::add_to_list`]) or one of a stream's documents.
    pub fn element_source(&self, pointer: &str) -> Option<&str> {
        source_at(&self.element_sources, pointer)
    }

    /// Evidence with the JSON value `root` in place of this one's (a test's
    /// patch of it, say), named `source`. The attestations that failed
    /// verification here stay unreadable there: a patch can change the
    /// evidence around them, never make one of them evidence.
    pub fn replaced(&self, source: &str, root: Value) -> Result<Evidence, Error> {
        let mut evidence = Evidence::from_value(source, root)?;
        evidence.unverified = self.unverified.clone();
        Ok(evidence)
    }

    /// The typed form made for `program` when the evidence was read, if any.
    pub(crate) fn typed_for(&self, program: &Arc<Program>) -> Option<&TypedEvidence> {
        self.typed
            .iter()
            .find(|t| Arc::ptr_eq(&t.program, program))
            .map(|t| &t.typed)
    }
}

/// Documents from this size on are hashed on a second thread while they are
/// parsed (below it, starting a thread costs more than it saves).
const PARALLEL_DIGEST: usize = 1 << 20;

/// The SHA-256 of `bytes` (hex) and the result of `work`: side by side on
/// two threads for large documents, one after the other otherwise or when
/// no thread can be started.
fn digest_while<T>(bytes: &[u8], work: impl FnOnce() -> T) -> (String, T) {
    if bytes.len() < PARALLEL_DIGEST {
        return (sha256_hex(bytes), work());
    }
    std::thread::scope(|s| {
        let hashing = std::thread::Builder::new()
            .name("gate-digest".into())
            .spawn_scoped(s, || sha256_hex(bytes));
        let out = work();
        let digest = match hashing.map(|h| h.join()) {
            Ok(Ok(digest)) => digest,
            _ => sha256_hex(bytes),
        };
        (digest, out)
    })
}

/// The bytes of a JSON document that was typed while it was read.
pub(crate) struct RawJson {
    bytes: Vec<u8>,
    limits: LoadLimits,
}

impl RawJson {
    /// The document's value (it was checked when it was read).
    fn value(&self) -> Result<Value, load::LoadError> {
        load::parse(Format::Json, &self.bytes, &self.limits).map(|p| p.value)
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({} bytes)", self.bytes.len())
    }
}

/// A document typed by the schema of one policy.
#[derive(Debug)]
pub(crate) struct TypedFor {
    /// The policy's program: the typed form is used for this program only.
    program: Arc<Program>,
    typed: TypedEvidence,
}

struct Doc {
    mount: Option<String>,
    source: String,
    /// The value; `None` while only `raw` and `typed` are kept.
    value: Option<Value>,
    raw: Option<Arc<RawJson>>,
    typed: Vec<Arc<TypedFor>>,
    bool_words: BTreeSet<String>,
    /// Attestations that failed verification: pointer within the document, why.
    unverified: Vec<(String, String)>,
    /// Its documents are elements of the list `mount` ([`EvidenceBuilder::add_to_list`]).
    member: bool,
    /// Its value is a list of documents: a stream (JSON Lines, YAML with
    /// several documents) or the statements of an attestation file.
    list: bool,
    /// For a stream: the line each of its documents starts on.
    lines: Vec<usize>,
}

impl Doc {
    /// The document's value, parsing the kept bytes when needed.
    fn take_value(&mut self) -> Result<Value, Error> {
        if let Some(v) = self.value.take() {
            return Ok(v);
        }
        match &self.raw {
            Some(raw) => raw.value().map_err(|error| Error::EvidenceLoad {
                source: self.source.clone(),
                error,
            }),
            None => Ok(Value::Null),
        }
    }
}

/// Builds [`Evidence`] from documents.
///
/// A builder made for policies ([`EvidenceBuilder::for_policy`],
/// [`Policy::evidence_builder`]) reads a single unmounted JSON document
/// straight into the typed form each policy evaluates, skipping the fields
/// their schemas do not declare (while still checking them): faster and
/// smaller than parsing it into a JSON value first. Everything else —
/// mounted documents, several documents, YAML and TOML — is read as usual.
/// Either way the evidence, its errors and the decisions are the same.
#[derive(Default)]
pub struct EvidenceBuilder {
    limits: LoadLimits,
    docs: Vec<Doc>,
    metas: Vec<EvidenceMeta>,
    policies: Vec<Policy>,
    #[cfg(feature = "attest")]
    trust: Option<Arc<crate::attest::Trust>>,
}

impl EvidenceBuilder {
    /// A builder that types a single JSON document by `policy`'s schema as
    /// it reads it (see [`EvidenceBuilder`]).
    ///
    /// ```
    /// use gate_eval::{EvidenceBuilder, Format, Options, Policy};
    /// let policy = Policy::from_source("g.gate",
    ///     "gate g {}\nevidence { ok: bool }\nrule r { require ok }\n").unwrap();
    /// let mut b = EvidenceBuilder::for_policy(&policy);
    /// b.add_bytes(None, "e.json", Format::Json, br#"{"ok": true, "unread": [1, 2]}"#).unwrap();
    /// let evidence = b.build().unwrap();
    /// assert_eq!(policy.evaluate(&evidence, &Options::default()).outcome.as_str(), "pass");
    /// assert_eq!(evidence.as_json()["unread"][1], 2);
    /// ```
    pub fn for_policy(policy: &Policy) -> EvidenceBuilder {
        let mut b = EvidenceBuilder::default();
        b.also_for(policy);
        b
    }

    /// Also types a single JSON document by `policy`'s schema (for evidence
    /// that several policies evaluate, as `gate diff` does).
    ///
    /// ```
    /// use gate_eval::{Format, Options, Policy};
    /// let old = Policy::from_source("old.gate", "gate g {}\nevidence { a: int }\nrule r { require a > 1 }\n").unwrap();
    /// let new = Policy::from_source("new.gate", "gate g {}\nevidence { a: int }\nrule r { require a > 5 }\n").unwrap();
    /// let mut b = old.evidence_builder();
    /// b.also_for(&new).add_bytes(None, "e.json", Format::Json, br#"{"a": 3}"#).unwrap();
    /// let evidence = b.build().unwrap();
    /// assert_eq!(old.evaluate(&evidence, &Options::default()).outcome.as_str(), "pass");
    /// assert_eq!(new.evaluate(&evidence, &Options::default()).outcome.as_str(), "fail");
    /// ```
    pub fn also_for(&mut self, policy: &Policy) -> &mut Self {
        self.policies.push(policy.clone());
        self
    }

    /// Sets the signers whose attestations ([`Format::Attestation`]
    /// documents added after this call) are evidence. Without it, an
    /// attestation document is refused.
    #[cfg(feature = "attest")]
    pub fn trust(&mut self, trust: crate::attest::Trust) -> &mut Self {
        self.trust = Some(Arc::new(trust));
        self
    }

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
        self.add(mount, source, format, Cow::Borrowed(bytes))
    }

    /// [`EvidenceBuilder::add_bytes`] taking the bytes by value: evidence
    /// typed while it was read keeps them (for [`Evidence::as_json`]) without
    /// copying them.
    ///
    /// ```
    /// use gate_eval::{Format, Policy};
    /// let policy = Policy::from_source("g.gate", "gate g {}\nevidence { n: int }\nrule r { require n > 0 }\n").unwrap();
    /// let mut b = policy.evidence_builder();
    /// b.add_owned_bytes(None, "e.json", Format::Json, br#"{"n": 1}"#.to_vec()).unwrap();
    /// assert_eq!(b.build().unwrap().as_json()["n"], 1);
    /// ```
    pub fn add_owned_bytes(
        &mut self,
        mount: Option<&str>,
        source: &str,
        format: Format,
        bytes: Vec<u8>,
    ) -> Result<&mut Self, Error> {
        self.add(mount, source, format, Cow::Owned(bytes))
    }

    fn add(
        &mut self,
        mount: Option<&str>,
        source: &str,
        format: Format,
        bytes: Cow<'_, [u8]>,
    ) -> Result<&mut Self, Error> {
        let load_error = |error| Error::EvidenceLoad {
            source: source.to_string(),
            error,
        };
        let meta = |digest| EvidenceMeta {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            format: format.as_str().to_string(),
            digest,
            attestations: Vec::new(),
        };
        if format == Format::Attestation {
            return self.add_attestations(mount, source, &bytes);
        }
        if !self.policies.is_empty()
            && format == Format::Json
            && mount.is_none()
            && self.docs.is_empty()
        {
            let text = load::prepare(&bytes, &self.limits).map_err(load_error)?;
            let type_it = || -> Option<Vec<Arc<TypedFor>>> {
                self.policies
                    .iter()
                    .map(|p| {
                        load::typed::load(text, &self.limits, &p.program.schema, &p.plan, source)
                            .map(|typed| {
                                Arc::new(TypedFor {
                                    program: p.program.clone(),
                                    typed,
                                })
                            })
                    })
                    .collect()
            };
            let (digest, typed) = digest_while(&bytes, type_it);
            let meta = meta(digest);
            // `None`: refused, or left to the ordinary loader, which tells why.
            if let Some(typed) = typed {
                self.metas.push(meta);
                self.docs.push(Doc {
                    mount: None,
                    source: source.to_string(),
                    value: None,
                    raw: Some(Arc::new(RawJson {
                        bytes: bytes.into_owned(),
                        limits: self.limits,
                    })),
                    typed,
                    bool_words: BTreeSet::new(),
                    unverified: Vec::new(),
                    member: false,
                    list: false,
                    lines: Vec::new(),
                });
                return Ok(self);
            }
        }
        let (digest, parsed) = digest_while(&bytes, || load::parse(format, &bytes, &self.limits));
        let parsed = parsed.map_err(load_error)?;
        self.metas.push(meta(digest));
        self.docs.push(Doc {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            value: Some(parsed.value),
            raw: None,
            typed: Vec::new(),
            bool_words: parsed.bool_words,
            unverified: Vec::new(),
            member: false,
            list: !parsed.documents.is_empty(),
            lines: parsed.documents,
        });
        Ok(self)
    }

    /// Adds an attestation file: every envelope verified against the trust
    /// configuration, mounted as a list of statements.
    fn add_attestations(
        &mut self,
        mount: Option<&str>,
        source: &str,
        bytes: &[u8],
    ) -> Result<&mut Self, Error> {
        let refuse = |message: String| Error::EvidenceLoad {
            source: source.to_string(),
            error: load::LoadError {
                kind: load::LoadErrorKind::Unverifiable { message },
                line: None,
                column: None,
            },
        };
        let Some(mount) = mount else {
            return Err(refuse(
                "an attestation file holds a list of statements, so it is mounted under a name (`--evidence provenance=FILE`)".into(),
            ));
        };
        self.add_verified(mount, source, bytes, refuse)
    }

    /// Without the `attest` feature no attestation is read.
    #[cfg(not(feature = "attest"))]
    fn add_verified(
        &mut self,
        _mount: &str,
        _source: &str,
        _bytes: &[u8],
        refuse: impl Fn(String) -> Error,
    ) -> Result<&mut Self, Error> {
        Err(refuse(
            "this build reads no signed attestations (gate-eval's `attest` feature is off)".into(),
        ))
    }

    /// Verifies every envelope and mounts the statements under `mount`.
    #[cfg(feature = "attest")]
    fn add_verified(
        &mut self,
        mount: &str,
        source: &str,
        bytes: &[u8],
        refuse: impl Fn(String) -> Error,
    ) -> Result<&mut Self, Error> {
        let Some(trust) = self.trust.clone() else {
            return Err(refuse(
                "signed attestations are read only with a trust configuration (`--trust FILE`) naming the keys and identities they must be signed by".into(),
            ));
        };
        let (digest, read) = digest_while(bytes, || {
            crate::attest::read(bytes, source, &trust, &self.limits)
        });
        let read = read.map_err(|error| Error::EvidenceLoad {
            source: source.to_string(),
            error,
        })?;
        self.metas.push(EvidenceMeta {
            mount: Some(mount.to_string()),
            source: source.to_string(),
            format: Format::Attestation.as_str().to_string(),
            digest,
            attestations: read.metas,
        });
        self.docs.push(Doc {
            mount: Some(mount.to_string()),
            source: source.to_string(),
            value: Some(read.value),
            raw: None,
            typed: Vec::new(),
            bool_words: BTreeSet::new(),
            unverified: read
                .failed
                .into_iter()
                .map(|(i, why)| (format!("/{i}"), why))
                .collect(),
            member: false,
            list: true,
            lines: Vec::new(),
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
            attestations: Vec::new(),
        });
        self.docs.push(Doc {
            mount: mount.map(str::to_string),
            source: source.to_string(),
            value: Some(value),
            raw: None,
            typed: Vec::new(),
            bool_words: BTreeSet::new(),
            unverified: Vec::new(),
            member: false,
            list: false,
            lines: Vec::new(),
        });
        Ok(self)
    }

    /// Adds a document's contents as elements of the list mounted under
    /// `mount`: the document itself, or each document of a stream (JSON
    /// Lines, YAML with several documents) and each statement of an
    /// attestation file. Documents added to the same list keep their order,
    /// and each element remembers where it came from: explanations and
    /// evidence issues about it name `source` (and the line, for a stream).
    /// The list is a list however many documents make it, which mounting a
    /// YAML stream with [`EvidenceBuilder::add_bytes`] is not.
    ///
    /// ```
    /// use gate_eval::{Evidence, Format};
    /// let mut b = Evidence::builder();
    /// b.add_to_list("tools", "mcp/deploy.json", Format::Json, br#"{"name": "deploy"}"#).unwrap();
    /// b.add_to_list("tools", "mcp/more.jsonl", Format::JsonLines, b"{\"name\": \"read\"}\n{\"name\": \"exec\"}\n").unwrap();
    /// let evidence = b.build().unwrap();
    /// assert_eq!(evidence.as_json()["tools"][2]["name"], "exec");
    /// assert_eq!(evidence.element_source("/tools/2/name"), Some("mcp/more.jsonl:2"));
    /// assert_eq!(evidence.documents().len(), 2);
    /// ```
    pub fn add_to_list(
        &mut self,
        mount: &str,
        source: &str,
        format: Format,
        bytes: &[u8],
    ) -> Result<&mut Self, Error> {
        self.add(Some(mount), source, format, Cow::Borrowed(bytes))?;
        if let Some(doc) = self.docs.last_mut() {
            doc.member = true;
        }
        Ok(self)
    }

    /// Merges the documents. Two documents providing the same top-level key
    /// are an error naming both.
    pub fn build(mut self) -> Result<Evidence, Error> {
        let label = |d: &Doc| match &d.mount {
            Some(m) => format!("{m}={}", d.source),
            None => d.source.clone(),
        };
        // One document at the root: it is the evidence, whatever its shape.
        // A stream is a list, which is merged nowhere: the loop below says so.
        if let [only] = self.docs.as_mut_slice() {
            if only.mount.is_none() && !only.list {
                return Ok(Evidence {
                    root: only.value.take().map(OnceLock::from).unwrap_or_default(),
                    raw: only.raw.take(),
                    typed: std::mem::take(&mut only.typed),
                    documents: self.metas,
                    key_sources: BTreeMap::new(),
                    default_source: Some(only.source.clone()),
                    bool_words: std::mem::take(&mut only.bool_words),
                    unverified: BTreeMap::new(),
                    element_sources: BTreeMap::new(),
                });
            }
        }
        let mut root = Map::new();
        let mut key_sources: BTreeMap<String, String> = BTreeMap::new();
        let mut bool_words = BTreeSet::new();
        let mut unverified = BTreeMap::new();
        let mut element_sources = BTreeMap::new();
        // The mounts that are lists of elements (`add_to_list`).
        let mut lists = BTreeSet::new();
        let max_list = self.limits.max_list;
        for mut d in self.docs {
            let this = label(&d);
            let value = d.take_value()?;
            let Some(m) = d.mount.take() else {
                let Value::Object(map) = value else {
                    return Err(Error::EvidenceNotObject {
                        source: this,
                        found: crate::evidence::describe_json(&value),
                    });
                };
                bool_words.extend(d.bool_words);
                for (k, v) in map {
                    claim(&mut key_sources, &k, &this)?;
                    root.insert(k, v);
                }
                continue;
            };
            // Where the document's elements go: at `offset` of the list
            // `m` for a member, else `m` is the document.
            let offset = if d.member {
                match root.get(&m) {
                    Some(Value::Array(items)) if lists.contains(&m) => items.len(),
                    _ => {
                        claim(&mut key_sources, &m, &this)?;
                        lists.insert(m.clone());
                        root.insert(m.clone(), Value::Array(Vec::new()));
                        0
                    }
                }
            } else {
                claim(&mut key_sources, &m, &this)?;
                0
            };
            // A document's own pointer `w` as a pointer into the evidence.
            let single_member = d.member && !d.list;
            let at = |w: &str| -> String {
                let mut p = String::new();
                crate::evidence::push_pointer(&mut p, &m);
                if single_member {
                    p.push('/');
                    p.push_str(&offset.to_string());
                    p.push_str(w);
                } else if d.member {
                    // `/i/rest` of a list document is `/offset+i/rest`.
                    let rest = w.strip_prefix('/').unwrap_or(w);
                    let (index, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
                    let index = index
                        .parse::<usize>()
                        .map_or(0, |i| i.saturating_add(offset));
                    p.push('/');
                    p.push_str(&index.to_string());
                    if !tail.is_empty() {
                        p.push('/');
                        p.push_str(tail);
                    }
                } else {
                    p.push_str(w);
                }
                p
            };
            bool_words.extend(d.bool_words.iter().map(|w| at(w)));
            unverified.extend(d.unverified.iter().map(|(w, why)| (at(w), why.clone())));
            let elements = match value {
                Value::Array(items) if d.list => items,
                other if d.member => vec![other],
                other => {
                    root.insert(m.clone(), other);
                    Vec::new()
                }
            };
            if d.list || d.member {
                for i in 0..elements.len() {
                    let source = match d.lines.get(i) {
                        Some(line) => format!("{}:{line}", d.source),
                        None => d.source.clone(),
                    };
                    let w = if single_member {
                        String::new()
                    } else {
                        format!("/{i}")
                    };
                    element_sources.insert(at(&w), source);
                }
            }
            if d.member {
                if let Some(Value::Array(items)) = root.get_mut(&m) {
                    items.extend(elements);
                    if items.len() > max_list {
                        return Err(Error::EvidenceLoad {
                            source: this,
                            error: load::LoadError {
                                kind: load::LoadErrorKind::ListTooLong {
                                    pointer: {
                                        let mut p = String::new();
                                        crate::evidence::push_pointer(&mut p, &m);
                                        p
                                    },
                                    length: items.len(),
                                    limit: max_list,
                                },
                                line: None,
                                column: None,
                            },
                        });
                    }
                }
            } else if d.list {
                root.insert(m, Value::Array(elements));
            }
        }
        Ok(Evidence {
            root: OnceLock::from(Value::Object(root)),
            raw: None,
            typed: Vec::new(),
            documents: self.metas,
            key_sources,
            default_source: None,
            bool_words,
            unverified,
            element_sources,
        })
    }
}

/// The source of the element of `sources` (by JSON pointer) that holds
/// `pointer`: the entry for `pointer` or for the nearest pointer above it.
pub(crate) fn source_at<'s>(
    sources: &'s BTreeMap<String, String>,
    pointer: &str,
) -> Option<&'s str> {
    let mut p = pointer;
    loop {
        if let Some(source) = sources.get(p) {
            return Some(source);
        }
        p = p.get(..p.rfind('/')?)?;
    }
}

/// Records that `this` provides the top-level key `key`; a key another
/// document provides already is a conflict naming both.
fn claim(key_sources: &mut BTreeMap<String, String>, key: &str, this: &str) -> Result<(), Error> {
    if let Some(first) = key_sources.get(key) {
        return Err(Error::EvidenceConflict {
            key: key.to_string(),
            first: first.clone(),
            second: this.to_string(),
        });
    }
    key_sources.insert(key.to_string(), this.to_string());
    Ok(())
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

    #[test]
    fn lists_are_built_in_order_with_their_sources() {
        let mut b = Evidence::builder();
        b.add_to_list("m", "a.yaml", Format::Yaml, b"kind: A\n")
            .unwrap();
        b.add_to_list(
            "m",
            "b.yaml",
            Format::Yaml,
            b"kind: B\nx: yes\n---\nkind: C\n",
        )
        .unwrap();
        b.add_bytes(Some("s"), "s.jsonl", Format::JsonLines, b"1\n\n2\n")
            .unwrap();
        let e = b.build().unwrap();
        assert_eq!(e.as_json()["m"][2]["kind"], "C");
        assert_eq!(e.element_source("/m/0/kind"), Some("a.yaml"));
        assert_eq!(e.element_source("/m/1"), Some("b.yaml:1"));
        assert_eq!(e.element_source("/m/2"), Some("b.yaml:3"));
        assert_eq!(e.element_source("/s/1"), Some("s.jsonl:3"));
        assert_eq!(e.element_source("/m"), None);
        // The boolean word of the second file's first document, where it is now.
        assert!(e.bool_words.contains("/m/1/x"), "{:?}", e.bool_words);
    }

    #[test]
    fn a_list_is_bounded_and_a_mount_of_its_name_conflicts() {
        let mut b = Evidence::builder();
        b.limits(LoadLimits::default().max_list(2));
        b.add_to_list("m", "a.jsonl", Format::JsonLines, b"1\n2\n")
            .unwrap();
        b.add_to_list("m", "b.json", Format::Json, b"3").unwrap();
        match b.build() {
            Err(Error::EvidenceLoad { source, error }) => {
                assert_eq!(source, "m=b.json");
                assert!(matches!(
                    error.kind,
                    load::LoadErrorKind::ListTooLong { length: 3, .. }
                ));
            }
            other => panic!("{other:?}"),
        }
        let mut b = Evidence::builder();
        b.add_to_list("m", "a.json", Format::Json, b"1").unwrap();
        b.add_bytes(Some("m"), "b.json", Format::Json, b"2")
            .unwrap();
        assert!(matches!(b.build(), Err(Error::EvidenceConflict { .. })));
        // A stream is a list: it is merged at the root of nothing.
        let mut b = Evidence::builder();
        b.add_bytes(None, "a.jsonl", Format::JsonLines, b"{}\n")
            .unwrap();
        assert!(matches!(b.build(), Err(Error::EvidenceNotObject { .. })));
    }
}
