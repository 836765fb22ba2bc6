//! Host functions: functions of the embedding program that policies call.
//!
//! The embedding program registers each with its signature; the checker
//! types calls to it like any built-in, and the evaluator calls it. An error
//! returned by a host function (or a value of the wrong type) makes the rule
//! an error: it never passes.

use gate_lang::types::Type;
use std::fmt;
use std::sync::Arc;

/// Types a host function can take and return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostType {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `string`
    String,
    /// `time`
    Time,
    /// `duration`
    Duration,
    /// `[T]`
    List(Box<HostType>),
    /// `T?`
    Optional(Box<HostType>),
}

impl HostType {
    pub(crate) fn to_type(&self) -> Type {
        match self {
            HostType::Bool => Type::Bool,
            HostType::Int => Type::Int,
            HostType::Float => Type::Float,
            HostType::String => Type::String,
            HostType::Time => Type::Time,
            HostType::Duration => Type::Duration,
            HostType::List(t) => Type::List(Box::new(t.to_type())),
            HostType::Optional(t) => t.to_type().optional(),
        }
    }

    /// Whether `v` is a value of this type.
    pub fn admits(&self, v: &HostValue) -> bool {
        match (self, v) {
            (HostType::Optional(_), HostValue::Null) => true,
            (HostType::Optional(t), v) => t.admits(v),
            (HostType::Bool, HostValue::Bool(_))
            | (HostType::Int, HostValue::Int(_))
            | (HostType::Float, HostValue::Float(_) | HostValue::Int(_))
            | (HostType::String, HostValue::String(_))
            | (HostType::Time, HostValue::Time(_))
            | (HostType::Duration, HostValue::Duration(_)) => true,
            (HostType::List(t), HostValue::List(items)) => items.iter().all(|i| t.admits(i)),
            _ => false,
        }
    }
}

/// A value passed to or returned by a host function.
#[derive(Clone, Debug, PartialEq)]
pub enum HostValue {
    /// `null`
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A finite float. A gate `float` is an exact decimal: it is passed
    /// as the nearest `f64`, and a returned one becomes the decimal it
    /// prints as (`0.1`, not its binary expansion).
    Float(f64),
    /// A string (enum values are passed as their name).
    String(String),
    /// A timestamp.
    Time(jiff::Timestamp),
    /// A duration (negative ones too).
    Duration(jiff::SignedDuration),
    /// A list.
    List(Vec<HostValue>),
}

/// Why a host function could not answer: the rule that called it is an
/// error (E0608) whose message says so.
///
/// ```
/// use gate_eval::host::HostError;
/// let e: HostError = "registry unreachable".into();
/// assert_eq!(e.to_string(), "registry unreachable");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    message: String,
}

impl HostError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        HostError {
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

impl From<String> for HostError {
    fn from(message: String) -> Self {
        HostError { message }
    }
}

impl From<&str> for HostError {
    fn from(message: &str) -> Self {
        HostError::new(message)
    }
}

/// The value an embedding program passes to one evaluation for its host
/// functions (`Options::context`): a request id, a client, a cache.
pub type Context = dyn std::any::Any + Send + Sync;

/// The body of a host function: its arguments and the evaluation's context.
pub(crate) type HostFn =
    dyn Fn(&[HostValue], Option<&Context>) -> Result<HostValue, HostError> + Send + Sync;

/// One registered host function.
#[derive(Clone)]
pub struct HostFunction {
    pub(crate) name: String,
    pub(crate) params: Vec<HostType>,
    pub(crate) ret: HostType,
    pub(crate) body: Arc<HostFn>,
}

thread_local! {
    /// How many host functions are running on this thread: a panic inside
    /// one is its error, and is not printed.
    static IN_HOST: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Installs, once, a panic hook that stays silent for panics inside host
/// functions and hands every other panic to the hook that was there.
fn quiet_host_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_HOST.with(std::cell::Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

impl HostFunction {
    /// Calls the function. A panic is caught and is its error (with the
    /// panic's message), printed nowhere.
    pub(crate) fn call(
        &self,
        args: &[HostValue],
        context: Option<&Context>,
    ) -> Result<HostValue, HostError> {
        quiet_host_panics();
        IN_HOST.with(|n| n.set(n.get() + 1));
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.body)(args, context)));
        IN_HOST.with(|n| n.set(n.get().saturating_sub(1)));
        result.unwrap_or_else(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(HostError::new(format!("it panicked: {why}")))
        })
    }
}

/// A key for memoising calls: the function and its arguments, encoded
/// exactly (floats by their bits).
pub(crate) fn call_key(func: u32, args: &[HostValue]) -> Vec<u8> {
    fn put(v: &HostValue, out: &mut Vec<u8>) {
        match v {
            HostValue::Null => out.push(0),
            HostValue::Bool(b) => out.extend([1, u8::from(*b)]),
            HostValue::Int(i) => {
                out.push(2);
                out.extend(i.to_le_bytes());
            }
            HostValue::Float(f) => {
                out.push(3);
                out.extend(f.to_bits().to_le_bytes());
            }
            HostValue::String(s) => {
                out.push(4);
                out.extend((s.len() as u64).to_le_bytes());
                out.extend(s.as_bytes());
            }
            HostValue::Time(t) => {
                out.push(5);
                out.extend(t.as_nanosecond().to_le_bytes());
            }
            HostValue::Duration(d) => {
                out.push(6);
                out.extend(d.as_nanos().to_le_bytes());
            }
            HostValue::List(items) => {
                out.push(7);
                out.extend((items.len() as u64).to_le_bytes());
                for i in items {
                    put(i, out);
                }
            }
        }
    }
    let mut out = func.to_le_bytes().to_vec();
    for a in args {
        put(a, &mut out);
    }
    out
}

impl fmt::Debug for HostFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostFunction")
            .field("name", &self.name)
            .field("params", &self.params)
            .field("ret", &self.ret)
            .finish_non_exhaustive()
    }
}

impl HostFunction {
    /// The signature the checker uses.
    pub(crate) fn sig(&self) -> gate_lang::HostSig {
        gate_lang::HostSig {
            name: self.name.clone(),
            params: self.params.iter().map(HostType::to_type).collect(),
            ret: self.ret.to_type(),
        }
    }
}
