//! The stable codes of what can go wrong while loading evidence and
//! evaluating a gate: [`Code`], one table, listed with their meaning in
//! `docs/errors.md` (a test checks that every code is there).

use std::fmt;

/// A stable error code (`E0608`), for programs that react to a kind of
/// error rather than to its message. Shown and serialised as its text.
///
/// ```
/// use gate_eval::Code;
/// assert_eq!(Code::HostFailed.as_str(), "E0608");
/// assert_eq!(Code::HostFailed.to_string(), "E0608");
/// assert_eq!(Code::from_text("E0606"), Some(Code::StepLimit));
/// assert!(Code::HostFailed == "E0608");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// `E0001`: the policy has errors (the compile error has its own codes).
    Policy,
    /// `E0601`: required evidence is missing or null.
    Missing,
    /// `E0602`: evidence has the wrong type or format.
    WrongType,
    /// `E0603`: an arithmetic overflow.
    Overflow,
    /// `E0604`: a division by zero.
    DivisionByZero,
    /// `E0605`: a list index outside the list.
    IndexOutOfRange,
    /// `E0606`: the step budget was exhausted.
    StepLimit,
    /// `E0607`: the deadline passed.
    Deadline,
    /// `E0608`: a host function failed.
    HostFailed,
    /// `E0609`: an internal error, or a value that is null where one is
    /// required.
    Internal,
    /// `E0610`: an invalid regular expression.
    Regex,
    /// `E0611`: an invalid glob.
    Glob,
    /// `E0612`: an invalid version or version requirement.
    Version,
    /// `E0613`: an invalid IP address or network.
    Network,
    /// `E0614`: text that is not an RFC 3339 timestamp.
    Time,
    /// `E0615`: values that cannot be ordered with each other.
    Order,
    /// `E0616`: nothing was checked.
    NothingChecked,
    /// `E0617`: an attestation that failed verification was read.
    Unverified,
    /// `E0618`: text given to `base64_decode` does not decode.
    Decode,
    /// `E0701`: a file cannot be read.
    Io,
    /// `E0702`: a document cannot be parsed.
    Parse,
    /// `E0703`: a document is over the size limit.
    TooLarge,
    /// `E0704`: a document is nested over the depth limit.
    TooDeep,
    /// `E0705`: two documents provide the same top-level key.
    Conflict,
    /// `E0706`: a document merged at the root is not an object.
    NotObject,
    /// `E0707`: a Rust value cannot be turned into evidence.
    Serialize,
    /// `E0708`: the format of a file cannot be told from its name.
    UnknownFormat,
    /// `E0710`: a string is over the length limit.
    StringTooLong,
    /// `E0711`: a list or object has more elements than the limit.
    ListTooLong,
    /// `E0712`: signed attestations cannot be read as given (no trust
    /// configuration, or not mounted under a name).
    Unverifiable,
    /// `E0801`: a waiver file is malformed.
    Waiver,
    /// `E0802`: a waiver names a rule the gate does not have.
    WaiverUnknownRule,
    /// `E0803`: a waiver names an element that is not in the evidence.
    WaiverUnknownElement,
    /// `E0804`: a host function is refused.
    HostRefused,
    /// `E0902`: a signing key cannot be read, or a signature is invalid.
    Sign,
    /// `E0903`: not a valid decision record or envelope.
    Record,
    /// `E0904`: a trust configuration, key or trusted root cannot be used.
    Trust,
    /// `E0905`: not a valid policy bundle.
    Bundle,
    /// `E0906`: a policy bundle is not the one required (digest, signer).
    BundleRefused,
    /// `E0907`: a registry cannot be reached, refuses, or has no such bundle.
    Registry,
}

/// Every code and its text.
const TABLE: &[(Code, &str)] = &[
    (Code::Policy, "E0001"),
    (Code::Missing, "E0601"),
    (Code::WrongType, "E0602"),
    (Code::Overflow, "E0603"),
    (Code::DivisionByZero, "E0604"),
    (Code::IndexOutOfRange, "E0605"),
    (Code::StepLimit, "E0606"),
    (Code::Deadline, "E0607"),
    (Code::HostFailed, "E0608"),
    (Code::Internal, "E0609"),
    (Code::Regex, "E0610"),
    (Code::Glob, "E0611"),
    (Code::Version, "E0612"),
    (Code::Network, "E0613"),
    (Code::Time, "E0614"),
    (Code::Order, "E0615"),
    (Code::NothingChecked, "E0616"),
    (Code::Unverified, "E0617"),
    (Code::Decode, "E0618"),
    (Code::Io, "E0701"),
    (Code::Parse, "E0702"),
    (Code::TooLarge, "E0703"),
    (Code::TooDeep, "E0704"),
    (Code::Conflict, "E0705"),
    (Code::NotObject, "E0706"),
    (Code::Serialize, "E0707"),
    (Code::UnknownFormat, "E0708"),
    (Code::StringTooLong, "E0710"),
    (Code::ListTooLong, "E0711"),
    (Code::Unverifiable, "E0712"),
    (Code::Waiver, "E0801"),
    (Code::WaiverUnknownRule, "E0802"),
    (Code::WaiverUnknownElement, "E0803"),
    (Code::HostRefused, "E0804"),
    (Code::Sign, "E0902"),
    (Code::Record, "E0903"),
    (Code::Trust, "E0904"),
    (Code::Bundle, "E0905"),
    (Code::BundleRefused, "E0906"),
    (Code::Registry, "E0907"),
];

impl Code {
    /// Its text: `E0608`.
    pub fn as_str(self) -> &'static str {
        TABLE
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, t)| *t)
            .unwrap_or("E0609")
    }

    /// The code whose text is `text`.
    pub fn from_text(text: &str) -> Option<Code> {
        TABLE.iter().find(|(_, t)| *t == text).map(|(c, _)| *c)
    }

    /// Every code, in the order of their texts.
    pub fn all() -> impl Iterator<Item = Code> {
        TABLE.iter().map(|(c, _)| *c)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = String::deserialize(d)?;
        Code::from_text(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_unique_and_ordered() {
        let texts: Vec<&str> = Code::all().map(Code::as_str).collect();
        let mut sorted = texts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(texts, sorted);
        for c in Code::all() {
            assert_eq!(Code::from_text(c.as_str()), Some(c));
        }
    }
}
