//! Types of the language and the evidence schema they describe.

use crate::span::Span;
use std::fmt;

/// Index of a record type in [`Schema::records`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub u32);

/// Index of an enum type in [`Schema::enums`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumId(pub u32);

/// The types written with a name of their own, and those names.
pub const PRIMITIVES: &[(&str, Type)] = &[
    ("bool", Type::Bool),
    ("int", Type::Int),
    ("float", Type::Float),
    ("string", Type::String),
    ("time", Type::Time),
    ("duration", Type::Duration),
];

/// The type a primitive type's name (`string`) names.
///
/// ```
/// use gate_lang::types::{primitive, Type};
/// assert_eq!(primitive("duration"), Some(Type::Duration));
/// assert_eq!(primitive("Secret"), None);
/// ```
pub fn primitive(name: &str) -> Option<Type> {
    PRIMITIVES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.clone())
}

/// A type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `true` / `false`
    Bool,
    /// 64-bit signed integer
    Int,
    /// 64-bit float
    Float,
    /// UTF-8 text
    String,
    /// A point in time (RFC 3339 in evidence)
    Time,
    /// A length of time (`90d`)
    Duration,
    /// The type of the literal `null`
    Null,
    /// A value of a declared enum
    Enum(EnumId),
    /// A declared or inline record
    Record(RecordId),
    /// `[T]`
    List(Box<Type>),
    /// `many<T>`: in evidence a single `T` or a list of `T`; a list in policies
    Many(Box<Type>),
    /// `map<T>`: an object with any keys and values of type `T`
    Map(Box<Type>),
    /// `T?`: absent, `null` or a `T`
    Optional(Box<Type>),
    /// The type of an expression that already has an error (no cascades)
    Error,
}

impl Type {
    /// `T?` (never `T??`).
    pub fn optional(self) -> Type {
        match self {
            Type::Optional(_) | Type::Null | Type::Error => self,
            other => Type::Optional(Box::new(other)),
        }
    }

    /// The type without its `?`.
    pub fn non_null(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner,
            other => other,
        }
    }

    /// Whether the value may be `null`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Type::Optional(_) | Type::Null)
    }

    /// The element type, for `[T]` and `many<T>`.
    pub fn list_elem(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Many(t) => Some(t),
            _ => None,
        }
    }

    /// Whether this is `int` or `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }

    /// Whether values of the two types can be compared with `==`.
    pub fn comparable_with(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::Error, _) | (_, Type::Error) => true,
            (Type::Null, x) | (x, Type::Null) => x.is_optional(),
            (Type::Optional(a), b) | (b, Type::Optional(a)) => a.comparable_with(b.non_null()),
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (Type::List(a) | Type::Many(a), Type::List(b) | Type::Many(b)) => a.comparable_with(b),
            (Type::Record(_), _) | (_, Type::Record(_)) => false,
            (Type::Map(_), _) | (_, Type::Map(_)) => false,
            (a, b) => a == b,
        }
    }

    /// Whether a value of type `self` may be used where `target` is expected.
    pub fn assignable_to(&self, target: &Type) -> bool {
        match (self, target) {
            (Type::Error, _) | (_, Type::Error) => true,
            (a, b) if a == b => true,
            (Type::Int, Type::Float) => true,
            (Type::Null, Type::Optional(_)) => true,
            (a, Type::Optional(b)) => a.non_null().assignable_to(b),
            (Type::List(a) | Type::Many(a), Type::List(b) | Type::Many(b)) => a.assignable_to(b),
            _ => false,
        }
    }

    /// A type both `a` and `b` can be used as (for list literals, `if`, `??`).
    pub fn join(a: &Type, b: &Type) -> Option<Type> {
        if a.assignable_to(b) {
            Some(b.clone())
        } else if b.assignable_to(a) {
            Some(a.clone())
        } else if matches!(a, Type::Null) {
            Some(b.clone().optional())
        } else if matches!(b, Type::Null) {
            Some(a.clone().optional())
        } else if a.non_null().assignable_to(b.non_null()) {
            Some(b.non_null().clone().optional())
        } else if b.non_null().assignable_to(a.non_null()) {
            Some(a.non_null().clone().optional())
        } else {
            None
        }
    }
}

/// One field of a record type.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    /// The name policies use.
    pub name: String,
    /// The key in the evidence document.
    pub key: String,
    /// The declared type.
    pub ty: Type,
    /// Declared `@sensitive`: its values never appear in any output.
    pub sensitive: bool,
    /// A format its values must have besides their type (`@utc`,
    /// `@digest`); a value without it is an evidence issue.
    pub format: Option<Format>,
    /// How its text is decoded before it is typed, in order (`@base64
    /// @json`: base64, then JSON); empty for a field read as it is.
    pub decode: Vec<Encoding>,
    /// Where it was declared.
    pub span: Span,
}

/// An encoding of a field's value, given by an attribute: the evidence has
/// a string there, and the field's type is that of what it decodes to. A
/// string that does not decode is an evidence issue, so a rule reading the
/// field is an error, never a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// `@base64`: base64 text (the standard or the URL-safe alphabet, with
    /// or without padding) of UTF-8 text.
    Base64,
    /// `@json`: a JSON document.
    Json,
    /// `@yaml`: a YAML document.
    Yaml,
}

impl Encoding {
    /// Every encoding, with its attribute name.
    pub const ALL: [(&'static str, Encoding); 3] = [
        ("base64", Encoding::Base64),
        ("json", Encoding::Json),
        ("yaml", Encoding::Yaml),
    ];

    /// The attribute that gives it, without the `@`.
    pub fn attribute(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Json => "json",
            Encoding::Yaml => "yaml",
        }
    }

    /// Whether it decodes to a document (JSON, YAML) rather than to text.
    pub fn is_document(self) -> bool {
        !matches!(self, Encoding::Base64)
    }
}

/// A format that a field's values must have besides their JSON type, given
/// by an attribute. A value of the field's type without the format is an
/// evidence issue, like a value of another type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `@utc` on a `time` field: written in UTC, ending in `Z`
    /// (`2026-05-04T09:00:00Z`), not with an offset.
    Utc,
    /// `@digest` on a `string` field: `sha256:` and 64, or `sha512:` and
    /// 128, lowercase hex digits.
    Digest,
}

impl Format {
    /// Every format, with its attribute name.
    pub const ALL: [(&'static str, Format); 2] = [("utc", Format::Utc), ("digest", Format::Digest)];

    /// The attribute that gives it, without the `@`.
    pub fn attribute(self) -> &'static str {
        match self {
            Format::Utc => "utc",
            Format::Digest => "digest",
        }
    }

    /// The type its values have.
    pub fn ty(self) -> Type {
        match self {
            Format::Utc => Type::Time,
            Format::Digest => Type::String,
        }
    }

    /// What a value must look like, for evidence issues.
    pub fn expected(self) -> &'static str {
        match self {
            Format::Utc => "an RFC 3339 timestamp in UTC (ending in `Z`)",
            Format::Digest => {
                "a digest (`sha256:` and 64, or `sha512:` and 128, lowercase hex digits)"
            }
        }
    }

    /// Whether `text`, already read as a value of [`Format::ty`], has the
    /// format.
    pub fn admits(self, text: &str) -> bool {
        match self {
            Format::Utc => text.ends_with('Z'),
            Format::Digest => is_digest(text),
        }
    }

    /// Whether `text`, read as a value of type `ty` in a field of format
    /// `format` (if any), has the format the field asks for: a format
    /// applies only to the values of its type.
    pub fn fits(format: Option<Format>, ty: &Type, text: &str) -> bool {
        match format {
            Some(f) if f.ty() == *ty => f.admits(text),
            _ => true,
        }
    }
}

/// Whether `text` is a digest: `sha256:` and 64, or `sha512:` and 128,
/// lowercase hex digits (what the `is_digest` built-in and `@digest` test).
///
/// ```
/// use gate_lang::types::is_digest;
/// assert!(is_digest(&format!("sha256:{}", "a".repeat(64))));
/// assert!(!is_digest(&format!("sha256:{}", "A".repeat(64))));
/// ```
pub fn is_digest(text: &str) -> bool {
    let hex = |h: &str, n: usize| {
        h.len() == n
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match text.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// `key FIELD (when COND)?` of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyDef {
    /// Index of the key field (of the record holding it, for a nested key).
    pub field: u32,
    /// For a key in a nested record (`key metadata.name`): each record
    /// below and the slot of the next field in it; `field` is the first.
    pub nested: Vec<(RecordId, u32)>,
    /// The key as written (`name`, `metadata.name`), for explanations.
    pub name: String,
    /// The function (in [`crate::ir::Program::functions`]) that decides
    /// whether an element counts, taking the element as its only argument.
    pub condition: Option<crate::ir::FuncId>,
    /// The condition as written, for explanations.
    pub condition_text: Option<String>,
}

/// A record type: named (`record R { … }`), inline, or the evidence root.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDef {
    /// Its name (`Approval`, `SecretItem.rotation` for inline records, `evidence`).
    pub name: String,
    /// Fields, in declaration order; field `i` is slot `i`.
    pub fields: Vec<FieldDef>,
    /// The identifying field, if declared.
    pub key: Option<KeyDef>,
    /// The list field collection methods range over, if declared.
    pub elements: Option<u32>,
    /// Where it was declared.
    pub span: Span,
}

impl RecordDef {
    /// The slot of the field named `name`.
    pub fn field(&self, name: &str) -> Option<(u32, &FieldDef)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .map(|(i, f)| (u32::try_from(i).unwrap_or(u32::MAX), f))
    }

    /// The field that identifies an element in explanations: the `key`
    /// field, or else a string field named `id` or `name`.
    pub fn identity_field(&self) -> Option<u32> {
        if let Some(k) = &self.key {
            return Some(k.field);
        }
        ["id", "name"].iter().find_map(|n| {
            self.field(n)
                .filter(|(_, f)| matches!(f.ty.non_null(), Type::String | Type::Enum(_)))
                .map(|(i, _)| i)
        })
    }
}

/// An enum type.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    /// Its name.
    pub name: String,
    /// Its values, as they appear in evidence.
    pub values: Vec<String>,
    /// Where it was declared.
    pub span: Span,
}

impl EnumDef {
    /// The index of `value`.
    pub fn index(&self, value: &str) -> Option<u32> {
        self.values
            .iter()
            .position(|v| v == value)
            .and_then(|i| u32::try_from(i).ok())
    }
}

/// All types of a compiled policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Record types; [`RecordId`] indexes this.
    pub records: Vec<RecordDef>,
    /// Enum types; [`EnumId`] indexes this.
    pub enums: Vec<EnumDef>,
    /// The evidence root record, if the gate declares `evidence { … }`.
    pub root: Option<RecordId>,
}

impl Schema {
    /// The record with the given id.
    pub fn record(&self, id: RecordId) -> Option<&RecordDef> {
        self.records.get(id.0 as usize)
    }

    /// The type of the key of record `id` (the last field of a nested key).
    pub fn key_type(&self, id: RecordId) -> Option<&Type> {
        let rec = self.record(id)?;
        let key = rec.key.as_ref()?;
        match key.nested.last() {
            None => rec.fields.get(key.field as usize).map(|f| &f.ty),
            Some((rid, slot)) => self.record(*rid)?.fields.get(*slot as usize).map(|f| &f.ty),
        }
    }

    /// The enum with the given id.
    pub fn enum_def(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id.0 as usize)
    }

    /// The name of an enum value.
    pub fn enum_value(&self, id: EnumId, index: u32) -> &str {
        self.enum_def(id)
            .and_then(|e| e.values.get(index as usize))
            .map(String::as_str)
            .unwrap_or("?")
    }

    /// A type as the user would write it.
    pub fn display<'a>(&'a self, ty: &'a Type) -> TypeDisplay<'a> {
        TypeDisplay { schema: self, ty }
    }
}

/// Displays a [`Type`] with the names of its records and enums.
pub struct TypeDisplay<'a> {
    schema: &'a Schema,
    ty: &'a Type,
}

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |ty| TypeDisplay {
            schema: self.schema,
            ty,
        };
        match self.ty {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::String => f.write_str("string"),
            Type::Time => f.write_str("time"),
            Type::Duration => f.write_str("duration"),
            Type::Null => f.write_str("null"),
            Type::Enum(id) => match self.schema.enum_def(*id) {
                Some(e) => f.write_str(&e.name),
                None => f.write_str("enum"),
            },
            Type::Record(id) => match self.schema.record(*id) {
                Some(r) => f.write_str(&r.name),
                None => f.write_str("record"),
            },
            Type::List(t) => write!(f, "[{}]", d(t)),
            Type::Many(t) => write!(f, "many<{}>", d(t)),
            Type::Map(t) => write!(f, "map<{}>", d(t)),
            Type::Optional(t) => write!(f, "{}?", d(t)),
            Type::Error => f.write_str("<error>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_collapses() {
        assert_eq!(
            Type::Int.optional().optional(),
            Type::Optional(Box::new(Type::Int))
        );
        assert_eq!(Type::Null.optional(), Type::Null);
    }

    #[test]
    fn comparability() {
        assert!(Type::Int.comparable_with(&Type::Float));
        assert!(Type::Int.optional().comparable_with(&Type::Int));
        assert!(Type::Int.optional().comparable_with(&Type::Null));
        assert!(!Type::Int.comparable_with(&Type::Null));
        assert!(!Type::String.comparable_with(&Type::Int));
        assert!(!Type::Record(RecordId(0)).comparable_with(&Type::Record(RecordId(0))));
    }

    #[test]
    fn joins() {
        assert_eq!(Type::join(&Type::Int, &Type::Float), Some(Type::Float));
        assert_eq!(
            Type::join(&Type::Null, &Type::Int),
            Some(Type::Int.optional())
        );
        assert_eq!(Type::join(&Type::String, &Type::Int), None);
    }
}
