//! The engines compared: gate, regorus (Rego, bytecode VM and interpreter),
//! OPA (Rego, loaded at run time from a shared library when one is found),
//! CEL, jq (jaq), and two hand-written Rust baselines.
//!
//! Each engine compiles its version of the policy (`policies/`), loads
//! evidence bytes into its own input form, evaluates, and turns its output
//! into the list of failing items, which the benchmark compares with the
//! generator's list before it times anything.

use crate::workload::{Finding, Findings, EVALUATED_AT};
use anyhow::{anyhow, bail, Context as _, Result};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::ffi::{c_char, c_int, c_ulonglong, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The gate policy.
pub const GATE_POLICY: &str = include_str!("../policies/bench.gate");
/// The Rego policy.
pub const REGO_POLICY: &str = include_str!("../policies/bench.rego");
/// The CEL expressions.
pub const CEL_POLICY: &str = include_str!("../policies/bench.cel");
/// The jq filter.
pub const JQ_POLICY: &str = include_str!("../policies/bench.jq");

const REGO_ENTRY: &str = "data.bench.violations";
const MAX_AGE_S: i64 = 90 * 86_400;

/// What every engine does.
pub trait Engine {
    /// The compiled policy.
    type Policy;
    /// Loaded evidence.
    type Input;
    /// What an evaluation returns.
    type Output;
    /// Its name in reports.
    fn name(&self) -> &'static str;
    /// Compiles the policy from its source text.
    fn compile(&self) -> Result<Self::Policy>;
    /// Parses evidence bytes into the engine's input form. gate reads
    /// evidence for the policy that evaluates it (schema-driven loading);
    /// the other engines ignore `policy`.
    fn load(&self, policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input>;
    /// [`Engine::load`] of bytes the caller no longer needs (the one-shot
    /// run, which read them from a file).
    fn load_owned(&self, policy: &Self::Policy, bytes: Vec<u8>) -> Result<Self::Input> {
        self.load(policy, &bytes)
    }
    /// Evaluates.
    fn eval(&self, policy: &Self::Policy, input: &Self::Input) -> Result<Self::Output>;
    /// The failing items of an output.
    fn findings(&self, output: &Self::Output) -> Result<Found>;
}

/// What an engine found.
pub struct Found {
    /// The failing items it reported.
    pub items: Findings,
    /// Whether it reported them all (gate keeps the first few per rule).
    pub complete: bool,
    /// The rules that failed.
    pub rules: BTreeSet<String>,
}

impl Found {
    fn complete(items: Findings) -> Found {
        let rules = items.iter().map(|(r, _)| r.clone()).collect();
        Found {
            items,
            complete: true,
            rules,
        }
    }
}

fn finding(rule: &str, item: &str) -> Finding {
    (rule.to_string(), item.to_string())
}

// ------------------------------------------------------------------ gate

/// gate, through its embedding API (`gate-eval`).
pub struct Gate {
    /// Most failures kept per rule (`Limits::max_failures`); the total is
    /// still counted.
    pub max_failures: usize,
}

/// The item a failure without an element stands for.
fn gate_doc_item(rule: &str, failure: &gate_eval::explain::Failure) -> String {
    match rule {
        "rollback-ready" => "deployment.rollback".into(),
        "monitoring-siem" => "deployment.monitoring".into(),
        "oncall-set" => "deployment.oncall".into(),
        // `includes(security, owner, ops)`: the key looked for and not found,
        // as in "an element with `role == ops` and `state == approved`".
        _ => match failure.expected.split("role == ").nth(1) {
            Some(rest) => rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default()
                .to_string(),
            None => failure.expected.clone(),
        },
    }
}

impl Engine for Gate {
    type Policy = gate_eval::Policy;
    type Input = gate_eval::Evidence;
    type Output = gate_eval::Decision;

    fn name(&self) -> &'static str {
        "gate"
    }

    fn compile(&self) -> Result<Self::Policy> {
        compile_gate(GATE_POLICY)
    }

    fn load(&self, policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        let mut b = gate_builder(policy);
        b.add_bytes(None, "evidence.json", gate_eval::Format::Json, bytes)
            .map_err(|e| anyhow!("{e}"))?;
        b.build().map_err(|e| anyhow!("{e}"))
    }

    fn load_owned(&self, policy: &Self::Policy, bytes: Vec<u8>) -> Result<Self::Input> {
        let mut b = gate_builder(policy);
        b.add_owned_bytes(None, "evidence.json", gate_eval::Format::Json, bytes)
            .map_err(|e| anyhow!("{e}"))?;
        b.build().map_err(|e| anyhow!("{e}"))
    }

    fn eval(&self, policy: &Self::Policy, input: &Self::Input) -> Result<Self::Output> {
        let options = gate_eval::Options::default()
            .at(gate_eval::time::timestamp(now_ns()))
            .limits(gate_eval::Limits::default().max_failures(self.max_failures));
        Ok(policy.evaluate(input, &options))
    }

    fn findings(&self, d: &Self::Output) -> Result<Found> {
        if !d.evidence_issues.is_empty() {
            bail!("gate: evidence issues: {:?}", d.evidence_issues.first());
        }
        let mut out = Findings::new();
        let mut complete = true;
        let mut rules = BTreeSet::new();
        for rule in &d.rules {
            if let Some(e) = rule.errors.first() {
                bail!(
                    "gate: rule {} is an error: {} {}",
                    rule.id,
                    e.code,
                    e.message
                );
            }
            complete &= rule.failures.len() == rule.failures_total;
            if rule.outcome == gate_eval::RuleOutcome::Fail {
                rules.insert(rule.id.clone());
            }
            for f in &rule.failures {
                let item = match f.element.as_ref().and_then(|e| e.key.as_ref()) {
                    Some(k) => match &k.value {
                        serde_json::Value::String(s) => s.clone(),
                        v => v.to_string(),
                    },
                    None => gate_doc_item(&rule.id, f),
                };
                out.insert((rule.id.clone(), item));
            }
        }
        Ok(Found {
            items: out,
            complete,
            rules,
        })
    }
}

/// A builder of evidence read for `policy`, with limits that admit the
/// large document.
fn gate_builder(policy: &gate_eval::Policy) -> gate_eval::EvidenceBuilder {
    let mut b = policy.evidence_builder();
    b.limits(
        gate_eval::LoadLimits::default()
            .max_bytes(1 << 30)
            .max_depth(64),
    );
    b
}

/// Compiles a gate from its text.
pub fn compile_gate(text: &str) -> Result<gate_eval::Policy> {
    gate_eval::Policy::from_source("bench.gate", text)
        .map_err(|e| anyhow!("{}", e.render(false, 100)))
}

fn now_ns() -> i128 {
    gate_eval::time::parse_timestamp(EVALUATED_AT).unwrap_or_default()
}

// ------------------------------------------------------------------ Rego

/// regorus, compiled to its bytecode VM (RVM).
pub struct RegoVm;

/// A compiled Rego policy and the VM that runs it (reused between
/// evaluations, as a service would).
pub struct RegoVmPolicy {
    vm: RefCell<regorus::rvm::RegoVM>,
}

fn rego_engine() -> Result<regorus::Engine> {
    let mut engine = regorus::Engine::new();
    engine.add_policy("bench.rego".to_string(), REGO_POLICY.to_string())?;
    Ok(engine)
}

fn rego_findings(v: &regorus::Value) -> Result<Found> {
    let mut out = Findings::new();
    if *v == regorus::Value::Undefined {
        return Ok(Found::complete(out));
    }
    for pair in v.as_set()?.iter() {
        let a = pair.as_array()?;
        match (a.first(), a.get(1)) {
            (Some(r), Some(i)) => {
                out.insert(finding(r.as_string()?, i.as_string()?));
            }
            _ => bail!("rego: malformed violation {pair}"),
        }
    }
    Ok(Found::complete(out))
}

impl Engine for RegoVm {
    type Policy = RegoVmPolicy;
    type Input = regorus::Value;
    type Output = regorus::Value;

    fn name(&self) -> &'static str {
        "regorus (RVM)"
    }

    fn compile(&self) -> Result<Self::Policy> {
        let mut engine = rego_engine()?;
        let compiled = engine.compile_with_entrypoint(&REGO_ENTRY.into())?;
        let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(
            &compiled,
            &[REGO_ENTRY],
        )?;
        let mut vm = regorus::rvm::RegoVM::new_with_policy(compiled);
        vm.load_program(program);
        // The default budget (25,000 instructions) is for small inputs.
        vm.set_max_instructions(usize::MAX);
        vm.set_data(regorus::Value::new_object())?;
        Ok(RegoVmPolicy {
            vm: RefCell::new(vm),
        })
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        regorus::Value::from_json_str(std::str::from_utf8(bytes)?)
    }

    fn eval(&self, policy: &Self::Policy, input: &Self::Input) -> Result<Self::Output> {
        let mut vm = policy.vm.borrow_mut();
        vm.set_input(input.clone());
        vm.execute_entry_point_by_name(REGO_ENTRY)
            .map_err(|e| anyhow!("{e}"))
    }

    fn findings(&self, v: &Self::Output) -> Result<Found> {
        rego_findings(v)
    }
}

/// regorus's tree-walking interpreter (`Engine::eval_rule`).
pub struct RegoInterp;

impl Engine for RegoInterp {
    type Policy = RefCell<regorus::Engine>;
    type Input = regorus::Value;
    type Output = regorus::Value;

    fn name(&self) -> &'static str {
        "regorus (interpreter)"
    }

    fn compile(&self) -> Result<Self::Policy> {
        let mut engine = rego_engine()?;
        // Parse and analyse now rather than at the first evaluation.
        engine.compile_with_entrypoint(&REGO_ENTRY.into())?;
        Ok(RefCell::new(engine))
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        regorus::Value::from_json_str(std::str::from_utf8(bytes)?)
    }

    fn eval(&self, policy: &Self::Policy, input: &Self::Input) -> Result<Self::Output> {
        let mut engine = policy.borrow_mut();
        engine.set_input(input.clone());
        engine.eval_rule(REGO_ENTRY.to_string())
    }

    fn findings(&self, v: &Self::Output) -> Result<Found> {
        rego_findings(v)
    }
}

// ------------------------------------------------------------------ OPA

/// The environment variable that names OPA's shared library.
pub const OPA_LIB_ENV: &str = "GATE_BENCH_OPA_LIB";

/// Where `bench/opa.sh` puts the library, looked at when the variable is
/// not set.
pub const OPA_LIB_DEFAULT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/target/opa/libopabridge.so");

/// The C API of `libopabridge.so`, the Go c-shared build of OPA's `rego`
/// package shipped in the PyPI wheel `opa-golib-python-bindings`. Every
/// fallible call returns a JSON envelope in a C string the caller frees
/// with `OpaFreeString`: `{"error":{"code":…,"message":…}}` or
/// `{"prints":…,"result":…}`.
pub struct OpaLib {
    /// `unsigned long long OpaNew(void)`: a new engine handle.
    new: unsafe extern "C" fn() -> c_ulonglong,
    /// `void OpaDestroy(unsigned long long h)`.
    destroy: unsafe extern "C" fn(c_ulonglong),
    /// `void OpaFreeString(char *s)`: frees an envelope.
    free_string: unsafe extern "C" fn(*mut c_char),
    /// `char *OpaAddPolicy(h, char *path, char *source)`: parses a module
    /// and adds it (the compile happens when a query is first prepared).
    add_policy: unsafe extern "C" fn(c_ulonglong, *const c_char, *const c_char) -> *mut c_char,
    /// `char *OpaEvalDocument(h, char *path, char *input_json, int coverage,
    /// int trace)`: evaluates `data.<path>`, preparing the query the first
    /// time and keeping it; the input is JSON text, parsed on each call.
    eval_document: unsafe extern "C" fn(
        c_ulonglong,
        *const c_char,
        *const c_char,
        c_int,
        c_int,
    ) -> *mut c_char,
    /// Where it was loaded from.
    path: PathBuf,
    /// OPA's version and Go's, as recorded in the library.
    version: String,
    /// Never unloaded: a Go runtime cannot be.
    _lib: libloading::Library,
}

static OPA_LIB: OnceLock<Result<OpaLib, OpaMissing>> = OnceLock::new();

/// Why OPA is not measured.
#[derive(Debug, Clone)]
pub enum OpaMissing {
    /// No library named and none at the default place: the row is skipped.
    NotFound,
    /// A library was found or named but could not be used.
    Broken(String),
}

impl std::fmt::Display for OpaMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpaMissing::NotFound => write!(
                f,
                "OPA: skipped, library not found: set {OPA_LIB_ENV} to the path of libopabridge.so \
                 (`bench/opa.sh` fetches it and prints the path), or put it at {OPA_LIB_DEFAULT}"
            ),
            OpaMissing::Broken(why) => write!(f, "OPA: {why}"),
        }
    }
}

/// OPA's library: the one `GATE_BENCH_OPA_LIB` names, else the one at
/// [`OPA_LIB_DEFAULT`]; loaded once.
pub fn opa_lib() -> Result<&'static OpaLib, OpaMissing> {
    OPA_LIB
        .get_or_init(|| {
            let (path, named) = match std::env::var_os(OPA_LIB_ENV) {
                Some(p) if !p.is_empty() => (PathBuf::from(p), true),
                _ => (PathBuf::from(OPA_LIB_DEFAULT), false),
            };
            if !named && !path.exists() {
                return Err(OpaMissing::NotFound);
            }
            load_opa(&path).map_err(|e| {
                let source = if named {
                    format!("named by {OPA_LIB_ENV}")
                } else {
                    "at the default place".to_string()
                };
                OpaMissing::Broken(format!(
                    "cannot use the library {} ({source}): {e:#}",
                    path.display()
                ))
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn load_opa(path: &Path) -> Result<OpaLib> {
    let name = path
        .to_str()
        .ok_or_else(|| anyhow!("the path is not UTF-8"))?;
    // SAFETY: loading runs the library's initialisers, which start the Go
    // runtime; the library is never unloaded (`OpaLib` lives in a static).
    // The symbols' types are those of the C API described on `OpaLib`.
    unsafe {
        let lib = libloading::Library::new(name)?;
        let new = *lib.get::<unsafe extern "C" fn() -> c_ulonglong>(b"OpaNew\0")?;
        let destroy = *lib.get::<unsafe extern "C" fn(c_ulonglong)>(b"OpaDestroy\0")?;
        let free_string = *lib.get::<unsafe extern "C" fn(*mut c_char)>(b"OpaFreeString\0")?;
        let add_policy = *lib.get::<unsafe extern "C" fn(
            c_ulonglong,
            *const c_char,
            *const c_char,
        ) -> *mut c_char>(b"OpaAddPolicy\0")?;
        let eval_document = *lib.get::<unsafe extern "C" fn(
            c_ulonglong,
            *const c_char,
            *const c_char,
            c_int,
            c_int,
        ) -> *mut c_char>(b"OpaEvalDocument\0")?;
        Ok(OpaLib {
            new,
            destroy,
            free_string,
            add_policy,
            eval_document,
            path: path.to_path_buf(),
            version: go_build_info(path),
            _lib: lib,
        })
    }
}

/// OPA's version, "v1.20.2 (built with go1.26.8)", from the build
/// information a Go linker writes into every binary (the module list and
/// the toolchain's version).
fn go_build_info(path: &Path) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return "(version unknown)".into();
    };
    let find = |needle: &[u8]| bytes.windows(needle.len()).position(|w| w == needle);
    let dep = b"dep\tgithub.com/open-policy-agent/opa\t";
    let opa = find(dep)
        .and_then(|i| bytes.get(i + dep.len()..))
        .and_then(|rest| rest.split(|&b| b == b'\t' || b == b'\n').next())
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_else(|| "(version unknown)".into());
    // The header: 14 bytes of magic, pointer size, flags, padding to 32,
    // then the toolchain's version as a length-prefixed string.
    let go = find(b"\xff Go buildinf:")
        .and_then(|i| {
            let len = usize::from(*bytes.get(i + 32)?);
            bytes.get(i + 33..i + 33 + len)
        })
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .filter(|v| v.starts_with("go"))
        .unwrap_or_else(|| "unknown".into());
    format!("{opa} (built with {go})")
}

impl OpaLib {
    /// Takes an envelope the library returned: its text, or its error.
    fn envelope(&self, ptr: *mut c_char, what: &str) -> Result<Vec<u8>> {
        if ptr.is_null() {
            bail!("opa: {what} returned NULL");
        }
        // SAFETY: a non-null envelope is a NUL-terminated C string that the
        // library allocated and that is freed here, once, after the copy.
        let text = unsafe {
            let text = CStr::from_ptr(ptr).to_bytes().to_vec();
            (self.free_string)(ptr);
            text
        };
        if text.starts_with(b"{\"error\"") {
            bail!("opa: {what}: {}", String::from_utf8_lossy(&text));
        }
        Ok(text)
    }
}

/// OPA (Open Policy Agent), through the C API of a Go c-shared build of its
/// `rego` package (see [`OpaLib`]).
pub struct Opa {
    lib: &'static OpaLib,
}

impl Opa {
    /// OPA, if its library is found.
    pub fn find() -> Result<Opa, OpaMissing> {
        Ok(Opa { lib: opa_lib()? })
    }

    /// OPA's and Go's versions, as recorded in the library.
    pub fn version(&self) -> &str {
        &self.lib.version
    }

    /// Where the library was loaded from.
    pub fn path(&self) -> &Path {
        &self.lib.path
    }
}

/// An OPA engine holding the policy, its query prepared.
pub struct OpaPolicy {
    lib: &'static OpaLib,
    handle: c_ulonglong,
    /// `bench.violations`: the entry point without `data.`.
    path: CString,
}

impl Drop for OpaPolicy {
    fn drop(&mut self) {
        // SAFETY: the handle came from `OpaNew` and is destroyed once.
        unsafe { (self.lib.destroy)(self.handle) }
    }
}

impl OpaPolicy {
    fn eval_json(&self, input: &CStr) -> Result<Vec<u8>> {
        // SAFETY: both strings are NUL-terminated and outlive the call; the
        // library copies what it keeps.
        let ptr = unsafe {
            (self.lib.eval_document)(self.handle, self.path.as_ptr(), input.as_ptr(), 0, 0)
        };
        self.lib.envelope(ptr, "OpaEvalDocument")
    }
}

impl Engine for Opa {
    type Policy = OpaPolicy;
    /// The evidence as the C API takes it: JSON text, NUL-terminated.
    type Input = CString;
    /// The JSON envelope of the result set.
    type Output = Vec<u8>;

    fn name(&self) -> &'static str {
        "OPA"
    }

    fn compile(&self) -> Result<Self::Policy> {
        let lib = self.lib;
        let path = REGO_ENTRY.strip_prefix("data.").unwrap_or(REGO_ENTRY);
        // SAFETY: `OpaNew` takes nothing.
        let handle = unsafe { (lib.new)() };
        let policy = OpaPolicy {
            lib,
            handle,
            path: CString::new(path)?,
        };
        let module = CString::new("bench.rego")?;
        let source = CString::new(REGO_POLICY)?;
        // SAFETY: as in `eval_json`.
        let ptr = unsafe { (lib.add_policy)(handle, module.as_ptr(), source.as_ptr()) };
        lib.envelope(ptr, "OpaAddPolicy")?;
        // `OpaAddPolicy` only parses; the module is compiled and the query
        // prepared (then kept) at its first evaluation: one without input.
        policy.eval_json(c"")?;
        Ok(policy)
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        Ok(CString::new(bytes)?)
    }

    fn load_owned(&self, _policy: &Self::Policy, bytes: Vec<u8>) -> Result<Self::Input> {
        Ok(CString::new(bytes)?)
    }

    fn eval(&self, policy: &Self::Policy, input: &Self::Input) -> Result<Self::Output> {
        policy.eval_json(input)
    }

    fn findings(&self, out: &Self::Output) -> Result<Found> {
        use serde_json::Value as J;
        let v: J = serde_json::from_slice(out)?;
        let mut f = Findings::new();
        // An undefined document is an empty result set.
        let value = match v.get("result") {
            Some(J::Array(rs)) if !rs.is_empty() => rs
                .first()
                .and_then(|r| r.pointer("/expressions/0/value"))
                .ok_or_else(|| anyhow!("opa: malformed result {v}"))?,
            Some(J::Array(_) | J::Null) => return Ok(Found::complete(f)),
            _ => bail!("opa: no result in {v}"),
        };
        let J::Array(pairs) = value else {
            bail!("opa: violations is not a set: {value}");
        };
        for pair in pairs {
            match (
                pair.get(0).and_then(J::as_str),
                pair.get(1).and_then(J::as_str),
            ) {
                (Some(r), Some(i)) => {
                    f.insert(finding(r, i));
                }
                _ => bail!("opa: malformed violation {pair}"),
            }
        }
        Ok(Found::complete(f))
    }
}

// ------------------------------------------------------------------ CEL

/// CEL (the `cel` crate): one program per rule.
pub struct Cel;

/// The rules of `bench.cel`: (rule id, expression).
pub fn cel_rules() -> Vec<(String, String)> {
    let mut rules = Vec::new();
    let mut id: Option<String> = None;
    for line in CEL_POLICY.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match (line.strip_prefix("rule "), id.take()) {
            (Some(name), _) => id = Some(name.trim().to_string()),
            (None, Some(name)) => rules.push((name, line.to_string())),
            (None, None) => {}
        }
    }
    rules
}

/// JSON to a CEL value (numbers by hand: an integer that fits `i64` as an
/// `Int`, any other number as a `Float`).
fn cel_value(v: serde_json::Value) -> cel::Value {
    use serde_json::Value as J;
    match v {
        J::Null => cel::Value::Null,
        J::Bool(b) => cel::Value::Bool(b),
        J::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => cel::Value::String(Arc::new(s)),
        J::Array(a) => cel::Value::List(Arc::new(a.into_iter().map(cel_value).collect())),
        J::Object(o) => {
            let map: std::collections::HashMap<String, cel::Value> =
                o.into_iter().map(|(k, v)| (k, cel_value(v))).collect();
            cel::Value::from(map)
        }
    }
}

impl Engine for Cel {
    type Policy = Vec<(String, cel::Program)>;
    type Input = cel::Value;
    type Output = Vec<(usize, cel::Value)>;

    fn name(&self) -> &'static str {
        "CEL (cel)"
    }

    fn compile(&self) -> Result<Self::Policy> {
        cel_rules()
            .into_iter()
            .map(|(id, src)| {
                let p = cel::Program::compile(&src).map_err(|e| anyhow!("cel {id}: {e}"))?;
                Ok((id, p))
            })
            .collect()
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        let v: serde_json::Value = serde_json::from_slice(bytes)?;
        Ok(cel_value(v))
    }

    fn eval(&self, policy: &Self::Policy, input: &Self::Input) -> Result<Self::Output> {
        let mut ctx = cel::Context::default();
        ctx.add_variable_from_value("input", input.clone());
        policy
            .iter()
            .enumerate()
            .map(|(i, (id, p))| {
                let v = p.execute(&ctx).map_err(|e| anyhow!("cel {id}: {e}"))?;
                Ok((i, v))
            })
            .collect()
    }

    fn findings(&self, out: &Self::Output) -> Result<Found> {
        let rules = cel_rules();
        let mut f = Findings::new();
        for (i, v) in out {
            let id = rules.get(*i).map(|r| r.0.as_str()).unwrap_or("?");
            let cel::Value::List(items) = v else {
                bail!("cel {id}: not a list: {v:?}");
            };
            for item in items.iter() {
                let cel::Value::String(s) = item else {
                    bail!("cel {id}: not a string: {item:?}");
                };
                f.insert(finding(id, s));
            }
        }
        Ok(Found::complete(f))
    }
}

// ------------------------------------------------------------------ jq

/// jq, as jaq.
pub struct Jq;

type JqFilter = jaq_core::compile::Filter<jaq_core::Native<jaq_core::data::JustLut<jaq_json::Val>>>;

impl Engine for Jq {
    type Policy = JqFilter;
    type Input = jaq_json::Val;
    type Output = Vec<jaq_json::Val>;

    fn name(&self) -> &'static str {
        "jq (jaq)"
    }

    fn compile(&self) -> Result<Self::Policy> {
        use jaq_core::load::{Arena, File, Loader};
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let program = File {
            code: JQ_POLICY,
            path: (),
        };
        let modules = loader
            .load(&arena, program)
            .map_err(|e| anyhow!("jq parse: {e:?}"))?;
        jaq_core::Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|e| anyhow!("jq compile: {e:?}"))
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        jaq_json::read::parse_single(bytes).map_err(|e| anyhow!("jq load: {e}"))
    }

    fn eval(&self, filter: &Self::Policy, input: &Self::Input) -> Result<Self::Output> {
        use jaq_core::{data, unwrap_valr, Ctx, Vars};
        let ctx = Ctx::<data::JustLut<jaq_json::Val>>::new(&filter.lut, Vars::new([]));
        filter
            .id
            .run((ctx, input.clone()))
            .map(unwrap_valr)
            .map(|r| r.map_err(|e| anyhow!("jq: {e}")))
            .collect()
    }

    fn findings(&self, out: &Self::Output) -> Result<Found> {
        let mut f = Findings::new();
        let Some(jaq_json::Val::Arr(pairs)) = out.first() else {
            bail!("jq: expected one array, got {out:?}");
        };
        for pair in pairs.iter() {
            let jaq_json::Val::Arr(p) = pair else {
                bail!("jq: malformed pair {pair}");
            };
            let s = |v: Option<&jaq_json::Val>| -> Result<String> {
                match v {
                    Some(jaq_json::Val::TStr(b)) => Ok(String::from_utf8_lossy(b).into_owned()),
                    other => bail!("jq: not a string: {other:?}"),
                }
            };
            f.insert((s(p.first())?, s(p.get(1))?));
        }
        Ok(Found::complete(f))
    }
}

// ------------------------------------------------------------------ Rust over serde_json::Value

/// The policy written by hand over `serde_json::Value`.
pub struct RustValue;

fn ts(s: &str) -> Result<i64> {
    Ok(s.parse::<jiff::Timestamp>()
        .with_context(|| format!("bad timestamp {s:?}"))?
        .as_second())
}

fn nonempty_str(v: Option<&serde_json::Value>) -> bool {
    matches!(v, Some(serde_json::Value::String(s)) if !s.is_empty())
}

impl Engine for RustValue {
    type Policy = ();
    type Input = serde_json::Value;
    type Output = Vec<(&'static str, String)>;

    fn name(&self) -> &'static str {
        "Rust over Value"
    }

    fn compile(&self) -> Result<()> {
        Ok(())
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        Ok(serde_json::from_slice(bytes)?)
    }

    fn eval(&self, _: &(), doc: &Self::Input) -> Result<Self::Output> {
        use serde_json::Value;
        let mut out = Vec::new();
        let str_of = |v: &Value, k: &str| -> Result<String> {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| anyhow!("missing string {k}"))
        };
        let arr = |k: &str| -> Result<&Vec<Value>> {
            doc.get(k)
                .and_then(Value::as_array)
                .ok_or_else(|| anyhow!("missing list {k}"))
        };
        let now = ts(doc
            .get("evaluated_at")
            .and_then(Value::as_str)
            .unwrap_or(""))?;
        for s in arr("secrets")? {
            if s.get("vaulted") != Some(&Value::Bool(true)) {
                out.push(("secrets-vaulted", str_of(s, "id")?));
            }
            let rotated = ts(s.get("rotated_at").and_then(Value::as_str).unwrap_or(""))?;
            if now - rotated > MAX_AGE_S {
                out.push(("secrets-rotated", str_of(s, "id")?));
            }
        }
        for a in arr("service_accounts")? {
            if !nonempty_str(a.get("owner")) {
                out.push(("accounts-owned", str_of(a, "id")?));
            }
            if a.get("privileged") == Some(&Value::Bool(true)) {
                let ok = match a.get("last_review_at").and_then(Value::as_str) {
                    Some(t) => now - ts(t)? <= MAX_AGE_S,
                    None => false,
                };
                if !ok {
                    out.push(("privileged-reviewed", str_of(a, "id")?));
                }
            }
        }
        let approvals = arr("approvals")?;
        for role in ["security", "owner", "ops"] {
            let found = approvals.iter().any(|a| {
                a.get("role").and_then(Value::as_str) == Some(role)
                    && a.get("state").and_then(Value::as_str) == Some("approved")
            });
            if !found {
                out.push(("approvals-complete", role.to_string()));
            }
        }
        let digest = doc.pointer("/artefact/digest").and_then(Value::as_str);
        for a in approvals {
            if a.get("artefact_digest").and_then(Value::as_str) != digest {
                out.push(("approvals-digest", str_of(a, "role")?));
            }
        }
        let flag = |p: &str| doc.pointer(p) == Some(&Value::Bool(true));
        if !(flag("/deployment/rollback/planned") && flag("/deployment/rollback/tested")) {
            out.push(("rollback-ready", "deployment.rollback".into()));
        }
        if doc
            .pointer("/deployment/monitoring/destination")
            .and_then(Value::as_str)
            != Some("siem")
        {
            out.push(("monitoring-siem", "deployment.monitoring".into()));
        }
        if !nonempty_str(doc.pointer("/deployment/oncall")) {
            out.push(("oncall-set", "deployment.oncall".into()));
        }
        Ok(out)
    }

    fn findings(&self, out: &Self::Output) -> Result<Found> {
        Ok(plain_findings(out))
    }
}

fn plain_findings(out: &[(&'static str, String)]) -> Found {
    Found::complete(out.iter().map(|(r, i)| finding(r, i)).collect())
}

// ------------------------------------------------------------------ Rust over derived structs

/// The policy written by hand over `serde`-derived structs that hold only
/// the fields it reads: the practical limit.
pub struct RustTyped;

mod typed {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Doc {
        pub evaluated_at: jiff::Timestamp,
        pub artefact: Artefact,
        pub approvals: Vec<Approval>,
        pub secrets: Vec<Secret>,
        pub service_accounts: Vec<Account>,
        pub deployment: Deployment,
    }
    #[derive(Deserialize)]
    pub struct Artefact {
        pub digest: String,
    }
    #[derive(Deserialize)]
    pub struct Approval {
        pub role: String,
        pub state: String,
        pub artefact_digest: String,
    }
    #[derive(Deserialize)]
    pub struct Secret {
        pub id: String,
        pub vaulted: bool,
        pub rotated_at: jiff::Timestamp,
    }
    #[derive(Deserialize)]
    pub struct Account {
        pub id: String,
        pub owner: Option<String>,
        pub privileged: bool,
        pub last_review_at: Option<jiff::Timestamp>,
    }
    #[derive(Deserialize)]
    pub struct Deployment {
        pub rollback: Rollback,
        pub monitoring: Monitoring,
        pub oncall: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Rollback {
        pub planned: bool,
        pub tested: bool,
    }
    #[derive(Deserialize)]
    pub struct Monitoring {
        pub destination: String,
    }
}

impl Engine for RustTyped {
    type Policy = ();
    type Input = typed::Doc;
    type Output = Vec<(&'static str, String)>;

    fn name(&self) -> &'static str {
        "Rust over derived structs"
    }

    fn compile(&self) -> Result<()> {
        Ok(())
    }

    fn load(&self, _policy: &Self::Policy, bytes: &[u8]) -> Result<Self::Input> {
        Ok(serde_json::from_slice(bytes)?)
    }

    fn eval(&self, _: &(), doc: &Self::Input) -> Result<Self::Output> {
        let mut out = Vec::new();
        let now = doc.evaluated_at.as_second();
        for s in &doc.secrets {
            if !s.vaulted {
                out.push(("secrets-vaulted", s.id.clone()));
            }
            if now - s.rotated_at.as_second() > MAX_AGE_S {
                out.push(("secrets-rotated", s.id.clone()));
            }
        }
        for a in &doc.service_accounts {
            if a.owner.as_deref().is_none_or(str::is_empty) {
                out.push(("accounts-owned", a.id.clone()));
            }
            if a.privileged
                && a.last_review_at
                    .is_none_or(|t| now - t.as_second() > MAX_AGE_S)
            {
                out.push(("privileged-reviewed", a.id.clone()));
            }
        }
        for role in ["security", "owner", "ops"] {
            if !doc
                .approvals
                .iter()
                .any(|a| a.role == role && a.state == "approved")
            {
                out.push(("approvals-complete", role.to_string()));
            }
        }
        for a in &doc.approvals {
            if a.artefact_digest != doc.artefact.digest {
                out.push(("approvals-digest", a.role.clone()));
            }
        }
        let d = &doc.deployment;
        if !(d.rollback.planned && d.rollback.tested) {
            out.push(("rollback-ready", "deployment.rollback".into()));
        }
        if d.monitoring.destination != "siem" {
            out.push(("monitoring-siem", "deployment.monitoring".into()));
        }
        if d.oncall.as_deref().is_none_or(str::is_empty) {
            out.push(("oncall-set", "deployment.oncall".into()));
        }
        Ok(out)
    }

    fn findings(&self, out: &Self::Output) -> Result<Found> {
        Ok(plain_findings(out))
    }
}
