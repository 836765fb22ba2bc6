//! Test files: finding them, reading them strictly, and checking them
//! against their policy (format: `docs/testing.md`).

use crate::cmd::spec::{Files, Spec};
use crate::files::normalize;
use gate_eval::{HostType, HostValue, Outcome, Policy, RuleOutcome};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The endings of test file names.
pub const SUFFIXES: &[&str] = &[".test.yaml", ".test.yml", ".test.json", ".test.toml"];

const TOP_KEYS: &[&str] = &["policy", "now", "host", "trust", "tests"];
const CASE_KEYS: &[&str] = &[
    "name", "evidence", "input", "patch", "waivers", "now", "expect",
];
const EXPECT_KEYS: &[&str] = &["decision", "rules", "messages"];
const HOST_KEYS: &[&str] = &["params", "returns", "results", "default"];
const RESULT_KEYS: &[&str] = &["args", "result"];
const DECISIONS: &[&str] = &["pass", "warn", "fail", "error"];
const RULE_OUTCOMES: &[&str] = &["pass", "warn", "fail", "error", "not_applicable", "waived"];

/// A test file, read and checked against its compiled policy.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The test file.
    pub path: PathBuf,
    /// The policy it tests (resolved against the test file's folder).
    pub policy_path: PathBuf,
    /// The compiled policy (with the file's host function stubs).
    pub policy: Policy,
    /// The file's clock, in nanoseconds since the epoch.
    pub now: Option<i128>,
    /// The trust configuration its attestations are verified with
    /// (relative to the test file's folder when written).
    pub trust: Option<PathBuf>,
    /// The test cases, in file order.
    pub cases: Vec<Case>,
}

/// One test case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its name (unique in the file).
    pub name: String,
    /// The line of its name in the test file.
    pub line: Option<usize>,
    /// Where its evidence comes from.
    pub evidence: CaseEvidence,
    /// A JSON merge patch (RFC 7396) applied to the merged evidence.
    pub patch: Option<Value>,
    /// Waiver files, relative to the test file.
    pub waivers: Vec<PathBuf>,
    /// Its clock (the file's when not given).
    pub now: Option<i128>,
    /// What it expects.
    pub expect: Expect,
}

/// The evidence of a case.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseEvidence {
    /// `FILE` or `NAME=FILE` specs, like `--evidence`, relative to the test file.
    Files(Vec<String>),
    /// An inline document.
    Inline(Value),
}

/// What a case expects; what it does not mention is not checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expect {
    /// The gate's decision.
    pub decision: Option<Outcome>,
    /// Rule outcomes, in file order (`warn`: failed, and a `warn` rule).
    pub rules: Vec<(String, Expected)>,
    /// Texts each of which must occur in a failure message or error
    /// explanation of the rule.
    pub messages: Vec<(String, Vec<String>)>,
}

/// An expected rule outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// One of the rule outcomes of the decision record.
    Outcome(RuleOutcome),
    /// The rule failed and has severity `warn`.
    Warn,
}

impl Expected {
    /// The word used in test files.
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Outcome(o) => o.as_str(),
            Expected::Warn => "warn",
        }
    }
}

/// A problem with a test file (or the files it names).
#[derive(Debug)]
pub enum SuiteError {
    /// A problem in the test file itself.
    File(FileError),
    /// The policy does not compile.
    Policy {
        /// The test file.
        file: PathBuf,
        /// The policy's diagnostics.
        error: gate_lang::CompileError,
    },
}

/// A problem in a test file, with its position where known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The test file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// Stable code (`E0920`–`E0939`, or the evaluator's for evidence).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// A suggestion.
    pub help: Option<String>,
}

impl FileError {
    /// `file:line:column: message`, the help on a second line.
    pub fn describe(&self) -> String {
        let mut s = self.file.display().to_string();
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                s.push_str(&format!(":{c}"));
            }
        }
        s.push_str(&format!(": {}", self.message));
        if let Some(h) = &self.help {
            s.push_str(&format!("\n  help: {h}"));
        }
        s
    }
}

/// Whether a file name is that of a test file.
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| SUFFIXES.iter().any(|s| n.ends_with(s) && n.len() > s.len()))
}

/// The test files named by `paths`: files as given, folders searched
/// recursively (hidden folders and `target` skipped), sorted; the current
/// folder when `paths` is empty.
///
/// ```
/// let files = gate_cli::cmd::test::discover(&["../examples".into()]).unwrap();
/// assert!(files.iter().any(|f| f.ends_with("release.test.yaml")));
/// ```
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FileError> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(FileError {
                file: p.clone(),
                line: None,
                column: None,
                code: "E0920",
                message: "no such file or folder".into(),
                help: None,
            });
        }
        let found = crate::files::walk(p, &is_test_file, crate::files::Skip::SourceTree);
        // A folder that cannot be read holds tests that would not run.
        if let Some((dir, why)) = found.unreadable.first() {
            return Err(FileError {
                file: dir.clone(),
                line: None,
                column: None,
                code: "E0920",
                message: format!("cannot read the folder: {why}"),
                help: None,
            });
        }
        out.extend(found.files);
    }
    out.dedup();
    Ok(out)
}

/// The default policy of a test file: its name without `.test.yaml` (or the
/// other endings), plus `.gate`.
pub fn default_policy(test_file: &Path) -> Option<PathBuf> {
    let name = test_file.file_name()?.to_str()?;
    let stem = SUFFIXES.iter().find_map(|s| name.strip_suffix(s))?;
    Some(PathBuf::from(format!("{stem}.gate")))
}

/// The policy a test file's top-level mapping names, relative to its
/// folder: `policy`, else [`default_policy`]; `Err` when `policy` is not
/// a string.
fn named_policy(file: &Path, top: &serde_json::Map<String, Value>) -> Result<Option<PathBuf>, ()> {
    match top.get("policy") {
        None => Ok(default_policy(file)),
        Some(Value::String(s)) => Ok(Some(PathBuf::from(s))),
        Some(_) => Err(()),
    }
}

/// What a test file is about, read without compiling its policy: the
/// policy it tests (resolved against its folder) and how many cases it
/// has. `None` when it cannot be read as a test file.
pub fn outline(path: &Path) -> Option<(PathBuf, usize)> {
    let bytes = crate::cmd::input::read_bounded(path, 16 << 20).ok()?;
    let parsed =
        gate_eval::load::parse(format_of(path)?, &bytes, &gate_eval::LoadLimits::default()).ok()?;
    let top = parsed.value.as_object()?;
    let policy = named_policy(path, top).ok()??;
    let base = path.parent().unwrap_or(Path::new(""));
    let cases = top
        .get("tests")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    Some((normalize(&base.join(policy)), cases))
}

/// Reads a test file, compiles its policy and checks every case against it.
/// Every problem found is returned, not only the first.
///
/// ```
/// let suite = gate_cli::cmd::test::load_suite("../examples/quickstart.test.yaml".as_ref()).unwrap();
/// assert!(suite.policy_path.ends_with("quickstart.gate"));
/// assert!(!suite.cases.is_empty());
/// ```
pub fn load_suite(path: &Path) -> Result<Suite, Vec<SuiteError>> {
    load_suite_within(path, None)
}

/// [`load_suite`] for a test file whose files must all be inside `root`
/// (a bundle's, unpacked): a policy, trust configuration, waiver or
/// evidence file outside it is an error (E0928), never read.
pub fn load_suite_within(path: &Path, root: Option<&Path>) -> Result<Suite, Vec<SuiteError>> {
    let fail = |code, message: String| {
        vec![SuiteError::File(FileError {
            file: path.to_path_buf(),
            line: None,
            column: None,
            code,
            message,
            help: None,
        })]
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Err(fail("E0920", format!("cannot read the test file: {e}"))),
    };
    let Some(format) = format_of(path) else {
        return Err(fail(
            "E0920",
            "a test file is named `*.test.yaml`, `*.test.yml`, `*.test.json` or `*.test.toml`"
                .into(),
        ));
    };
    let parsed = match gate_eval::load::parse(format, &bytes, &gate_eval::LoadLimits::default()) {
        Ok(p) => p,
        Err(e) => {
            return Err(vec![SuiteError::File(FileError {
                file: path.to_path_buf(),
                line: e.line,
                column: e.column,
                code: "E0920",
                message: format!("the test file cannot be read: {}", load_message(&e)),
                help: None,
            })])
        }
    };
    if let Some(second) = parsed.documents.get(1) {
        return Err(vec![SuiteError::File(FileError {
            file: path.to_path_buf(),
            line: Some(*second),
            column: Some(1),
            code: "E0920",
            message: "the test file cannot be read: a test file holds one YAML document".into(),
            help: None,
        })]);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut cx = Cx {
        file: path,
        text: &text,
        errors: Vec::new(),
        root: root.map(normalize),
    };
    let suite = cx.suite(&parsed.value);
    let mut errors: Vec<SuiteError> = cx.errors.into_iter().map(SuiteError::File).collect();
    match suite {
        Some(Ok(s)) if errors.is_empty() => Ok(s),
        Some(Err(compile)) => {
            errors.push(SuiteError::Policy {
                file: path.to_path_buf(),
                error: compile,
            });
            Err(errors)
        }
        _ => Err(errors),
    }
}

fn format_of(path: &Path) -> Option<gate_eval::Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let ext = name.rsplit('.').next()?;
    gate_eval::Format::from_name(ext)
}

fn load_message(e: &gate_eval::load::LoadError) -> String {
    use gate_eval::load::LoadErrorKind as K;
    match &e.kind {
        K::DuplicateKey { key } => format!("the key `{key}` appears twice"),
        K::Syntax { message } => message.clone(),
        K::TooLarge { size, limit } => format!("{size} bytes is over the limit of {limit}"),
        K::TooDeep { limit } => format!("nested deeper than {limit} levels"),
        K::Alias => "YAML aliases are not accepted".into(),
        K::UnsupportedTag { tag } => format!("the YAML tag {tag} is not supported"),
        K::NonFiniteNumber { text } => format!("{text} is not a finite number"),
        K::NumberOutOfRange { text } => format!("{text} is out of range"),
        K::ComplexKey => "a mapping key must be a string".into(),
        K::InvalidUtf8 { offset } => format!("not UTF-8 (at byte {offset})"),
        other => other.to_string(),
    }
}

/// Checking context: the file, its text (for positions) and the errors.
struct Cx<'a> {
    file: &'a Path,
    text: &'a str,
    errors: Vec<FileError>,
    /// The folder every file named must be in, if there is one.
    root: Option<PathBuf>,
}

/// Where in the text a value is: an offset to search from, and a key.
#[derive(Clone, Copy)]
struct At<'k> {
    from: usize,
    key: Option<&'k str>,
}

impl<'a> Cx<'a> {
    fn error(&mut self, at: At<'_>, code: &'static str, message: String, help: Option<String>) {
        let offset = at
            .key
            .and_then(|k| find_key(self.text, at.from, k))
            .or((at.from > 0).then_some(at.from));
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = line_col(self.text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.errors.push(FileError {
            file: self.file.to_path_buf(),
            line,
            column,
            code,
            message,
            help,
        });
    }

    fn unknown_keys(&mut self, map: &Map<String, Value>, known: &[&str], what: &str, from: usize) {
        for k in map.keys() {
            if !known.contains(&k.as_str()) {
                let help = gate_lang::check::closest(k, known.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"))
                    .or_else(|| Some(format!("the keys of {what} are {}", list(known))));
                self.error(
                    At { from, key: Some(k) },
                    "E0921",
                    format!("unknown key `{k}` in {what}"),
                    help,
                );
            }
        }
    }

    fn suite(&mut self, v: &Value) -> Option<Result<Suite, gate_lang::CompileError>> {
        let at0 = At { from: 0, key: None };
        let Some(top) = v.as_object() else {
            self.error(
                at0,
                "E0921",
                "a test file is a mapping with `tests` (and optionally `policy`, `now`, `host`, `trust`)"
                    .into(),
                None,
            );
            return None;
        };
        self.unknown_keys(top, TOP_KEYS, "a test file", 0);
        let base = self.file.parent().unwrap_or(Path::new("")).to_path_buf();
        let policy_rel = match named_policy(self.file, top) {
            Ok(p) => p,
            Err(()) => {
                self.error(
                    At {
                        from: 0,
                        key: Some("policy"),
                    },
                    "E0921",
                    "`policy` is the path of a `.gate` file".into(),
                    None,
                );
                None
            }
        };
        let now = self.timestamp(
            top.get("now"),
            At {
                from: 0,
                key: Some("now"),
            },
        );
        let host = match top.get("host") {
            Some(h) => self.host(h),
            None => Vec::new(),
        };
        let trust = match top.get("trust") {
            None => None,
            Some(Value::String(t)) => {
                let p = normalize(&base.join(t));
                let at = At {
                    from: 0,
                    key: Some("trust"),
                };
                self.inside(at, &p, "the trust configuration").then_some(p)
            }
            Some(_) => {
                self.error(
                    At {
                        from: 0,
                        key: Some("trust"),
                    },
                    "E0921",
                    "`trust` is the path of a trust configuration file".into(),
                    None,
                );
                None
            }
        };
        // The cases, checked before the policy so that their errors are all
        // reported even when the policy does not compile.
        let raw_cases = self.cases(top.get("tests"), &base);
        let policy_rel = policy_rel?;
        let policy_path = normalize(&base.join(&policy_rel));
        let at = At {
            from: 0,
            key: Some("policy"),
        };
        if !self.inside(at, &policy_path, "the policy") {
            return None;
        }
        if !policy_path.is_file() {
            let help = suggest_file(&policy_path);
            self.error(
                At {
                    from: 0,
                    key: Some("policy"),
                },
                "E0922",
                format!(
                    "the policy `{}` does not exist{}",
                    policy_path.display(),
                    if top.contains_key("policy") {
                        ""
                    } else {
                        " (the default: the test file's name with `.gate`; set `policy`)"
                    }
                ),
                help,
            );
            return None;
        }
        let mut builder = Policy::builder();
        for h in host {
            builder = h.register(builder);
        }
        let policy = match builder.compile_file(&policy_path) {
            Ok(p) => p,
            Err(gate_eval::Error::Policy(c)) => return Some(Err(c)),
            Err(e) => {
                self.error(
                    At {
                        from: 0,
                        key: Some("host"),
                    },
                    "E0930",
                    e.to_string(),
                    None,
                );
                return None;
            }
        };
        let ids: Vec<String> = policy.rules().into_iter().map(|r| r.id).collect();
        let mut cases = Vec::new();
        for (raw, from) in raw_cases {
            for (id, _) in raw.expect.rules.iter().map(|(i, o)| (i, Some(o))).chain(
                raw.expect
                    .messages
                    .iter()
                    .map(|(i, _)| (i, None::<&Expected>)),
            ) {
                if !ids.iter().any(|x| x == id) {
                    let help = gate_lang::check::closest(id, ids.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"))
                        .or_else(|| {
                            (ids.len() <= 12).then(|| {
                                let all: Vec<&str> = ids.iter().map(String::as_str).collect();
                                format!("the rules are {}", list(&all))
                            })
                        });
                    self.error(
                        At {
                            from,
                            key: Some(id),
                        },
                        "E0924",
                        format!(
                            "test `{}`: the policy `{}` has no rule `{id}`",
                            raw.name,
                            policy_path.display()
                        ),
                        help,
                    );
                }
            }
            cases.push(Case {
                now: raw.now.or(now),
                ..raw
            });
        }
        Some(Ok(Suite {
            path: self.file.to_path_buf(),
            policy_path,
            policy,
            now,
            trust,
            cases,
        }))
    }

    fn timestamp(&mut self, v: Option<&Value>, at: At<'_>) -> Option<i128> {
        match v? {
            Value::String(s) => match gate_lang::time::parse_timestamp(s) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.error(at, "E0926", format!("`now` is not a timestamp: {e}"), None);
                    None
                }
            },
            _ => {
                self.error(
                    at,
                    "E0926",
                    "`now` is an RFC 3339 timestamp such as `2026-05-04T09:00:00Z`".into(),
                    None,
                );
                None
            }
        }
    }

    fn cases(&mut self, v: Option<&Value>, base: &Path) -> Vec<(Case, usize)> {
        let Some(items) = v.and_then(Value::as_array).filter(|a| !a.is_empty()) else {
            self.error(
                At {
                    from: 0,
                    key: Some("tests"),
                },
                "E0921",
                "`tests` is a non-empty list of test cases".into(),
                None,
            );
            return Vec::new();
        };
        let start = find_key(self.text, 0, "tests").unwrap_or(0);
        let mut from = start;
        let mut out = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(map) = item.as_object() else {
                self.error(
                    At { from, key: None },
                    "E0921",
                    format!("test {} is not a mapping", i + 1),
                    None,
                );
                continue;
            };
            let name = match map.get("name") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                _ => {
                    self.error(
                        At { from, key: None },
                        "E0921",
                        format!("test {} has no `name`", i + 1),
                        None,
                    );
                    format!("#{}", i + 1)
                }
            };
            if let Some(pos) = self.text.get(from..).and_then(|t| t.find(name.as_str())) {
                from += pos;
            }
            let at = |key| At {
                from,
                key: Some(key),
            };
            let line = (from > start).then(|| line_col(self.text, from).0);
            if names.contains(&name) {
                self.error(
                    at("name"),
                    "E0931",
                    format!("two tests are named `{name}`"),
                    Some("test names are unique in a file".into()),
                );
            }
            names.push(name.clone());
            self.unknown_keys(map, CASE_KEYS, &format!("test `{name}`"), from);
            let evidence = match (map.get("evidence"), map.get("input")) {
                (Some(_), Some(_)) => {
                    self.error(
                        at("input"),
                        "E0927",
                        format!("test `{name}` has both `evidence` and `input`"),
                        Some(
                            "use one: files with `evidence`, an inline document with `input`"
                                .into(),
                        ),
                    );
                    None
                }
                (None, None) => {
                    self.error(
                        At { from, key: None },
                        "E0927",
                        format!("test `{name}` has neither `evidence` nor `input`"),
                        None,
                    );
                    None
                }
                (None, Some(doc)) => Some(CaseEvidence::Inline(doc.clone())),
                (Some(ev), None) => self.strings(ev, &name, "evidence", from).map(|specs| {
                    for spec in &specs {
                        self.check_spec(spec, base, &name, from);
                    }
                    CaseEvidence::Files(specs)
                }),
            };
            let waivers = match map.get("waivers") {
                None => Vec::new(),
                Some(w) => self
                    .strings(w, &name, "waivers", from)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|w| {
                        let p = normalize(&base.join(&w));
                        let what = format!("test `{name}`: the waiver file");
                        if self.inside(at("waivers"), &p, &what) && !p.is_file() {
                            let help = suggest_file(&p);
                            self.error(
                                at("waivers"),
                                "E0923",
                                format!("test `{name}`: no such waiver file `{}`", p.display()),
                                help,
                            );
                        }
                        PathBuf::from(w)
                    })
                    .collect(),
            };
            let case_now = self.timestamp(map.get("now"), at("now"));
            let expect = match map.get("expect") {
                Some(Value::Object(e)) => self.expect(e, &name, from),
                _ => {
                    self.error(
                        at("expect"),
                        "E0921",
                        format!("test `{name}` has no `expect` mapping"),
                        Some("for instance `expect: { decision: pass }`".into()),
                    );
                    None
                }
            };
            if let (Some(evidence), Some(expect)) = (evidence, expect) {
                out.push((
                    Case {
                        name,
                        line,
                        evidence,
                        patch: map.get("patch").cloned(),
                        waivers,
                        now: case_now,
                        expect,
                    },
                    from,
                ));
            }
        }
        out
    }

    fn strings(&mut self, v: &Value, name: &str, key: &str, from: usize) -> Option<Vec<String>> {
        let list = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
            _ => {
                self.error(
                    At {
                        from,
                        key: Some(key),
                    },
                    "E0921",
                    format!("test `{name}`: `{key}` is a file name or a list of file names"),
                    None,
                );
                return None;
            }
        };
        Some(list)
    }

    /// Whether `path` is inside the root (always, without one); reports
    /// it when it is not.
    fn inside(&mut self, at: At<'_>, path: &Path, what: &str) -> bool {
        let Some(root) = &self.root else {
            return true;
        };
        let path = normalize(path);
        if path.starts_with(root) {
            return true;
        }
        self.error(
            at,
            "E0928",
            format!(
                "{what} `{}` is outside the bundle: a bundle's tests read only the bundle's files",
                path.display()
            ),
            None,
        );
        false
    }

    fn check_spec(&mut self, spec: &str, base: &Path, name: &str, from: usize) {
        let at = At {
            from,
            key: Some("evidence"),
        };
        if spec == "-" {
            self.error(
                at,
                "E0921",
                format!("test `{name}`: a test cannot read standard input"),
                None,
            );
            return;
        }
        let files = Spec::parse(base, spec).files(base, false);
        let named: Vec<PathBuf> = match &files {
            Ok(Files::One(p)) => vec![p.clone()],
            Ok(Files::Set(ps)) => ps.clone(),
            _ => Vec::new(),
        };
        let what = format!("test `{name}`: the evidence file");
        if !named.iter().all(|p| self.inside(at, p, &what)) {
            return;
        }
        let missing = match files {
            Ok(Files::One(path)) if !path.is_file() => {
                let path = normalize(&path);
                let help = suggest_file(&path);
                Some((format!("no such evidence file `{}`", path.display()), help))
            }
            Ok(_) => None,
            Err(message) => Some((message, None)),
        };
        if let Some((message, help)) = missing {
            self.error(at, "E0923", format!("test `{name}`: {message}"), help);
        }
    }

    fn expect(&mut self, e: &Map<String, Value>, name: &str, from: usize) -> Option<Expect> {
        self.unknown_keys(e, EXPECT_KEYS, &format!("`expect` of test `{name}`"), from);
        let mut out = Expect::default();
        let mut ok = true;
        if let Some(d) = e.get("decision") {
            match d.as_str().and_then(decision_of) {
                Some(o) => out.decision = Some(o),
                None => {
                    ok = false;
                    self.bad_word(
                        d,
                        DECISIONS,
                        "decision",
                        name,
                        At {
                            from,
                            key: Some("decision"),
                        },
                    )
                }
            }
        }
        match e.get("rules") {
            None => {}
            Some(Value::Object(rules)) => {
                for (id, word) in rules {
                    match word.as_str().and_then(expected_of) {
                        Some(o) => out.rules.push((id.clone(), o)),
                        None => {
                            ok = false;
                            self.bad_word(
                                word,
                                RULE_OUTCOMES,
                                &format!("rule `{id}`"),
                                name,
                                At {
                                    from,
                                    key: Some(id),
                                },
                            )
                        }
                    }
                }
            }
            Some(_) => {
                ok = false;
                self.error(
                    At {
                        from,
                        key: Some("rules"),
                    },
                    "E0921",
                    format!("test `{name}`: `expect.rules` maps rule ids to outcomes"),
                    Some("for instance `rules: { S01: fail, G01: pass }`".into()),
                );
            }
        }
        match e.get("messages") {
            None => {}
            Some(Value::Object(m)) => {
                for (id, texts) in m {
                    let list = match texts {
                        Value::String(s) => Some(vec![s.clone()]),
                        Value::Array(a) if a.iter().all(Value::is_string) => Some(
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect(),
                        ),
                        _ => None,
                    };
                    match list {
                        Some(l) => out.messages.push((id.clone(), l)),
                        None => {
                            ok = false;
                            self.error(
                                At {
                                    from,
                                    key: Some(id),
                                },
                                "E0921",
                                format!(
                                    "test `{name}`: the messages expected of `{id}` are a list of strings"
                                ),
                                None,
                            );
                        }
                    }
                }
            }
            Some(_) => {
                ok = false;
                self.error(
                    At {
                        from,
                        key: Some("messages"),
                    },
                    "E0921",
                    format!("test `{name}`: `expect.messages` maps rule ids to lists of texts"),
                    None,
                );
            }
        }
        if ok && out.decision.is_none() && out.rules.is_empty() && out.messages.is_empty() {
            self.error(
                At {
                    from,
                    key: Some("expect"),
                },
                "E0921",
                format!("test `{name}`: `expect` checks nothing"),
                Some("give a `decision`, `rules` or `messages`".into()),
            );
            return None;
        }
        ok.then_some(out)
    }

    fn bad_word(&mut self, v: &Value, words: &[&str], what: &str, name: &str, at: At<'_>) {
        let help = v
            .as_str()
            .and_then(|w| gate_lang::check::closest(w, words.iter().copied()))
            .map(|c| format!("did you mean `{c}`?"))
            .or_else(|| Some(format!("one of {}", list(words))));
        self.error(
            at,
            "E0925",
            format!(
                "test `{name}`: {} is not an outcome for {what}",
                match v {
                    Value::String(s) => format!("`{s}`"),
                    other => other.to_string(),
                }
            ),
            help,
        );
    }

    fn host(&mut self, v: &Value) -> Vec<HostStub> {
        let at = At {
            from: 0,
            key: Some("host"),
        };
        let Some(map) = v.as_object() else {
            self.error(
                at,
                "E0930",
                "`host` maps host function names to their stubs".into(),
                None,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (fname, spec) in map {
            let at = At {
                from: find_key(self.text, 0, "host").unwrap_or(0),
                key: Some(fname),
            };
            match self.host_stub(fname, spec) {
                Ok(s) => out.push(s),
                Err(m) => self.error(at, "E0930", format!("host function `{fname}`: {m}"), None),
            }
        }
        out
    }

    fn host_stub(&mut self, name: &str, spec: &Value) -> Result<HostStub, String> {
        let map = spec
            .as_object()
            .ok_or("a stub is a mapping with `params`, `returns`, `results`, `default`")?;
        for k in map.keys() {
            if !HOST_KEYS.contains(&k.as_str()) {
                let hint = gate_lang::check::closest(k, HOST_KEYS.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(format!("unknown key `{k}`{hint}"));
            }
        }
        let params = match map.get("params") {
            None => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|t| {
                    t.as_str()
                        .ok_or("a type is a string")
                        .and_then(|t| host_type(t).ok_or("unknown type"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    format!("`params`: {e} (bool, int, float, string, time, duration, [T], T?)")
                })?,
            Some(_) => return Err("`params` is a list of types".into()),
        };
        let ret = map
            .get("returns")
            .and_then(Value::as_str)
            .and_then(host_type)
            .ok_or("`returns` is a type: bool, int, float, string, time, duration, [T] or T?")?;
        let mut results = Vec::new();
        if let Some(r) = map.get("results") {
            let items = r
                .as_array()
                .ok_or("`results` is a list of `{ args, result }`")?;
            for item in items {
                let m = item
                    .as_object()
                    .ok_or("`results` is a list of `{ args, result }`")?;
                if let Some(k) = m.keys().find(|k| !RESULT_KEYS.contains(&k.as_str())) {
                    return Err(format!("unknown key `{k}` in `results`"));
                }
                let args = m
                    .get("args")
                    .and_then(Value::as_array)
                    .ok_or("each result has `args`, a list")?;
                if args.len() != params.len() {
                    return Err(format!(
                        "a result has {} arguments, the function takes {}",
                        args.len(),
                        params.len()
                    ));
                }
                let args = args
                    .iter()
                    .zip(&params)
                    .map(|(a, t)| host_value(a, t))
                    .collect::<Result<Vec<_>, _>>()?;
                let result = host_value(m.get("result").ok_or("each result has `result`")?, &ret)?;
                results.push((args, result));
            }
        }
        let default = map
            .get("default")
            .map(|d| host_value(d, &ret))
            .transpose()?;
        Ok(HostStub {
            name: name.to_string(),
            params,
            ret,
            results,
            default,
        })
    }
}

/// A host function stubbed by a test file: fixed results by arguments.
#[derive(Clone, Debug)]
struct HostStub {
    name: String,
    params: Vec<HostType>,
    ret: HostType,
    results: Vec<(Vec<HostValue>, HostValue)>,
    default: Option<HostValue>,
}

impl HostStub {
    fn register(self, b: gate_eval::PolicyBuilder) -> gate_eval::PolicyBuilder {
        let HostStub {
            name,
            params,
            ret,
            results,
            default,
        } = self;
        b.host_function(&name, &params, ret, move |args| {
            results
                .iter()
                .find(|(a, _)| a.as_slice() == args)
                .map(|(_, r)| r.clone())
                .or_else(|| default.clone())
                .ok_or_else(|| {
                    gate_eval::host::HostError::new(
                        "the test file's `host` stub has no result for these arguments",
                    )
                })
        })
    }
}

fn host_type(t: &str) -> Option<HostType> {
    let t = t.trim();
    if let Some(inner) = t.strip_suffix('?') {
        return Some(HostType::Optional(Box::new(host_type(inner)?)));
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return Some(HostType::List(Box::new(host_type(inner)?)));
    }
    Some(match t {
        "bool" => HostType::Bool,
        "int" => HostType::Int,
        "float" => HostType::Float,
        "string" => HostType::String,
        "time" => HostType::Time,
        "duration" => HostType::Duration,
        _ => return None,
    })
}

fn host_value(v: &Value, t: &HostType) -> Result<HostValue, String> {
    let bad = || format!("{v} is not a value of the stub's type");
    Ok(match (t, v) {
        (HostType::Optional(_), Value::Null) => HostValue::Null,
        (HostType::Optional(inner), v) => host_value(v, inner)?,
        (HostType::Bool, Value::Bool(b)) => HostValue::Bool(*b),
        (HostType::Int, Value::Number(n)) => HostValue::Int(n.as_i64().ok_or_else(bad)?),
        (HostType::Float, Value::Number(n)) => HostValue::Float(n.as_f64().ok_or_else(bad)?),
        (HostType::String, Value::String(s)) => HostValue::String(s.clone()),
        (HostType::Time, Value::String(s)) => HostValue::Time(gate_eval::time::timestamp(
            gate_lang::time::parse_timestamp(s).map_err(|e| format!("{v}: {e}"))?,
        )),
        (HostType::Duration, Value::String(s)) => HostValue::Duration(
            gate_eval::jiff::SignedDuration::try_from_nanos_i128(
                gate_lang::lexer::parse_duration(s).map_err(|e| format!("{v}: {e}"))?,
            )
            .ok_or_else(|| format!("{v}: out of range"))?,
        ),
        (HostType::List(inner), Value::Array(items)) => HostValue::List(
            items
                .iter()
                .map(|i| host_value(i, inner))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(bad()),
    })
}

fn decision_of(w: &str) -> Option<Outcome> {
    Some(match w {
        "pass" => Outcome::Pass,
        "warn" => Outcome::Warn,
        "fail" => Outcome::Fail,
        "error" => Outcome::Error,
        _ => return None,
    })
}

fn expected_of(w: &str) -> Option<Expected> {
    Some(match w {
        "pass" => Expected::Outcome(RuleOutcome::Pass),
        "warn" => Expected::Warn,
        "fail" => Expected::Outcome(RuleOutcome::Fail),
        "error" => Expected::Outcome(RuleOutcome::Error),
        "not_applicable" => Expected::Outcome(RuleOutcome::NotApplicable),
        "waived" => Expected::Outcome(RuleOutcome::Waived),
        _ => return None,
    })
}

fn list(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A file in the same folder with a name close to the missing one's.
fn suggest_file(missing: &Path) -> Option<String> {
    let name = missing.file_name()?.to_str()?;
    let dir = match missing.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let entries: Vec<String> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    gate_lang::check::closest(name, entries.iter().map(String::as_str))
        .map(|c| format!("did you mean `{}`?", dir.join(c).display()))
}

/// The offset of `key` used as a mapping key (`key:`, `"key":`, `key =`)
/// at or after `from`.
fn find_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let hay = text.get(from..)?;
    for (i, _) in hay.match_indices(key) {
        let before = hay.get(..i).and_then(|b| b.chars().next_back());
        let ok_before = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        let after = hay.get(i + key.len()..).unwrap_or("");
        let after = after
            .strip_prefix(['"', '\''])
            .unwrap_or(after)
            .trim_start_matches([' ', '\t']);
        if ok_before && (after.starts_with(':') || after.starts_with('=')) {
            let start = if matches!(before, Some('"' | '\'')) {
                i - 1
            } else {
                i
            };
            return Some(from + start);
        }
    }
    None
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("gate-suite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        write(
            &d,
            "g.gate",
            "gate g {}\nevidence { ok: bool }\nrule R01 { require ok else \"not ok\" }\nrule R02 { require true }\n",
        );
        write(&d, "e.json", r#"{"ok": true}"#);
        d
    }

    fn errors(r: Result<Suite, Vec<SuiteError>>) -> Vec<FileError> {
        match r {
            Ok(_) => panic!("expected errors"),
            Err(es) => es
                .into_iter()
                .map(|e| match e {
                    SuiteError::File(f) => f,
                    SuiteError::Policy { error, .. } => panic!("{}", error.render(false, 80)),
                })
                .collect(),
        }
    }

    #[test]
    fn loads_a_suite() {
        let d = tmp("ok");
        let f = write(
            &d,
            "g.test.yaml",
            "now: 2026-06-01T00:00:00Z\ntests:\n  - name: passes\n    evidence: e.json\n    expect: { decision: pass, rules: { R01: pass } }\n  - name: inline\n    input: { ok: false }\n    patch: { ok: true }\n    now: 2026-07-01T00:00:00Z\n    expect:\n      messages: { R01: [\"not ok\"] }\n",
        );
        let s = load_suite(&f).unwrap();
        assert_eq!(s.policy_path, d.join("g.gate"));
        assert_eq!(s.cases.len(), 2);
        assert_eq!(s.cases[0].line, Some(3));
        assert_eq!(
            s.cases[0].evidence,
            CaseEvidence::Files(vec!["e.json".into()])
        );
        assert_eq!(s.cases[0].now, s.now);
        assert_ne!(s.cases[1].now, s.now);
        assert_eq!(
            s.cases[0].expect.rules,
            vec![("R01".to_string(), Expected::Outcome(RuleOutcome::Pass))]
        );
        assert_eq!(s.cases[1].patch, Some(serde_json::json!({"ok": true})));
    }

    #[test]
    fn reports_every_error_with_a_position_and_a_suggestion() {
        let d = tmp("bad");
        let f = write(
            &d,
            "g.test.yaml",
            "tests:\n  - name: one\n    evidence: e.jsn\n    expect:\n      decision: passs\n      rules: { R1: fail }\n  - name: two\n    input: {}\n    expct: { decision: pass }\n",
        );
        let es = errors(load_suite(&f));
        let find = |code: &str| {
            es.iter()
                .find(|e| e.code == code)
                .unwrap_or_else(|| panic!("{code} in {es:?}"))
        };
        let missing = find("E0923");
        assert_eq!(missing.line, Some(3));
        assert!(
            missing.help.as_deref().unwrap().contains("e.json"),
            "{missing:?}"
        );
        let word = find("E0925");
        assert_eq!(word.line, Some(5));
        assert_eq!(word.help.as_deref(), Some("did you mean `pass`?"));
        let key = es.iter().find(|e| e.message.contains("`expct`")).unwrap();
        assert_eq!((key.line, key.column), (Some(9), Some(5)));
        assert_eq!(key.help.as_deref(), Some("did you mean `expect`?"));
        // A typo in `decision` stops the case, so its rules are not checked
        // against the policy; fix it and the unknown rule is reported.
        let f = write(
            &d,
            "g.test.yaml",
            "tests:\n  - name: one\n    evidence: e.json\n    expect:\n      rules: { R1: fail }\n",
        );
        let es = errors(load_suite(&f));
        assert_eq!(es[0].code, "E0924");
        assert_eq!(es[0].line, Some(5));
        assert!(es[0].help.as_deref().unwrap().contains("R01"), "{es:?}");
    }

    #[test]
    fn duplicate_keys_and_missing_policies() {
        let d = tmp("dup");
        let f = write(&d, "g.test.json", "{\"tests\": [], \"tests\": []}");
        let es = errors(load_suite(&f));
        assert_eq!(es[0].code, "E0920");
        assert!(es[0].message.contains("twice"), "{es:?}");
        let f = write(
            &d,
            "h.test.yaml",
            "tests:\n  - name: a\n    evidence: e.json\n    expect: { decision: pass }\n",
        );
        let es = errors(load_suite(&f));
        assert_eq!(es[0].code, "E0922");
        assert!(es[0].help.as_deref().unwrap().contains("g.gate"), "{es:?}");
    }

    #[test]
    fn finds_keys_and_lines() {
        let t = "a: 1\ntests:\n  - \"name\": x\n    bad = 2\n";
        assert_eq!(find_key(t, 0, "tests"), Some(5));
        assert_eq!(line_col(t, find_key(t, 0, "name").unwrap()), (3, 5));
        assert_eq!(line_col(t, find_key(t, 0, "bad").unwrap()), (4, 5));
        assert_eq!(find_key(t, 0, "nope"), None);
        assert!(is_test_file(Path::new("x/release.test.toml")));
        assert!(!is_test_file(Path::new(".test.yaml")));
        assert_eq!(
            default_policy(Path::new("a/release.test.yml")),
            Some(PathBuf::from("release.gate"))
        );
    }

    #[test]
    fn host_stubs() {
        assert_eq!(
            host_type("[string]?"),
            Some(HostType::Optional(Box::new(HostType::List(Box::new(
                HostType::String
            )))))
        );
        assert_eq!(
            host_value(&serde_json::json!("1h"), &HostType::Duration).unwrap(),
            HostValue::Duration(gate_eval::jiff::SignedDuration::from_hours(1))
        );
        assert!(host_value(&serde_json::json!(1), &HostType::Bool).is_err());
    }
}
