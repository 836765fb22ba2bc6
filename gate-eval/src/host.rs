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
    /// A timestamp, in nanoseconds since the Unix epoch.
    Time(i128),
    /// A duration, in nanoseconds.
    Duration(i128),
    /// A list.
    List(Vec<HostValue>),
}

/// The body of a host function.
pub type HostFn = dyn Fn(&[HostValue]) -> Result<HostValue, String> + Send + Sync;

/// One registered host function.
#[derive(Clone)]
pub struct HostFunction {
    pub(crate) name: String,
    pub(crate) params: Vec<HostType>,
    pub(crate) ret: HostType,
    pub(crate) body: Arc<HostFn>,
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
