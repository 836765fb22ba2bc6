//! Non-integer numbers: exact decimals.
//!
//! A `float` is the decimal number written, not the nearest binary
//! fraction: `0.79999999999999999999` stays below `0.8`, and `0.1 + 0.2 ==
//! 0.3`. Literals and evidence are read exactly; arithmetic is exact for
//! `+`, `-` and `*`, and `/` keeps [`MAX_DIGITS`] significant digits; a
//! result of more digits is rounded (half to even) to [`MAX_DIGITS`].
//! Magnitudes are bounded like binary floats': a number whose leading
//! digit is beyond `10^308`, or a non-zero one below `10^-400`, is out of
//! range (in evidence a type issue; computed, an overflow error).
//!
//! ```
//! use gate_lang::num::Decimal;
//! let a = Decimal::parse("0.79999999999999999999").unwrap();
//! let b = Decimal::parse("0.8").unwrap();
//! assert!(a < b);
//! let sum = Decimal::parse("0.1").unwrap().add(&Decimal::parse("0.2").unwrap()).unwrap();
//! assert_eq!(sum, Decimal::parse("0.3").unwrap());
//! assert_eq!(Decimal::parse("1.50").unwrap().to_string(), "1.5");
//! assert!(Decimal::parse("1e400").is_none());
//! ```

use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive, Zero};
use std::fmt;
use std::str::FromStr;

/// Most significant digits a number keeps.
pub const MAX_DIGITS: u64 = 100;
/// The largest power of ten a number's leading digit may have.
pub const MAX_EXPONENT: i64 = 308;
/// The smallest power of ten a non-zero number's leading digit may have.
pub const MIN_EXPONENT: i64 = -400;
/// Longest number text read (a longer one is refused before it is parsed).
const MAX_TEXT: usize = 1_000;

/// An exact decimal number, normalized (no trailing zeros), within range.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(BigDecimal);

impl Decimal {
    /// Reads decimal text (`0.5`, `-1.25e-3`, `1E2`, `_` not allowed); `None`
    /// when it is not a number or out of range.
    pub fn parse(text: &str) -> Option<Decimal> {
        if text.len() > MAX_TEXT || !plain_number(text) {
            return None;
        }
        let d = BigDecimal::from_str(text).ok()?;
        // Digits beyond what is kept would be rounded: a value read must
        // be the value written.
        let d = d.normalized();
        if d.digits() > MAX_DIGITS {
            return None;
        }
        Decimal::checked(d)
    }

    /// The integer `i`.
    pub fn from_i64(i: i64) -> Decimal {
        Decimal(BigDecimal::from(i).normalized())
    }

    /// The decimal that a binary float prints as (its shortest round-trip
    /// form: `0.1`, not `0.1000000000000000055…`); `None` if not finite.
    pub fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        Decimal::parse(&format!("{f:e}"))
    }

    /// The nearest binary float.
    pub fn to_f64(&self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// The value as an `i64`, if it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.0.is_integer() {
            self.0.to_i64()
        } else {
            None
        }
    }

    /// Whether it is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// How many significant digits it has (for metering).
    pub fn digits(&self) -> u64 {
        self.0.digits()
    }

    /// `-self`.
    pub fn neg(&self) -> Decimal {
        Decimal(-self.0.clone())
    }

    /// `self + other`; `None` out of range.
    pub fn add(&self, other: &Decimal) -> Option<Decimal> {
        Decimal::rounded(&self.0 + &other.0)
    }

    /// `self - other`; `None` out of range.
    pub fn sub(&self, other: &Decimal) -> Option<Decimal> {
        Decimal::rounded(&self.0 - &other.0)
    }

    /// `self * other`; `None` out of range.
    pub fn mul(&self, other: &Decimal) -> Option<Decimal> {
        Decimal::rounded(&self.0 * &other.0)
    }

    /// `self / other` to [`MAX_DIGITS`] digits; `None` when `other` is zero
    /// or out of range.
    pub fn div(&self, other: &Decimal) -> Option<Decimal> {
        if other.0.is_zero() {
            return None;
        }
        Decimal::rounded(&self.0 / &other.0)
    }

    fn rounded(d: BigDecimal) -> Option<Decimal> {
        let d = if d.digits() > MAX_DIGITS {
            d.with_precision_round(
                std::num::NonZeroU64::new(MAX_DIGITS)?,
                RoundingMode::HalfEven,
            )
        } else {
            d
        };
        Decimal::checked(d.normalized())
    }

    fn checked(d: BigDecimal) -> Option<Decimal> {
        if d.is_zero() {
            return Some(Decimal(BigDecimal::zero()));
        }
        // The leading digit's power of ten.
        let digits = i64::try_from(d.digits()).ok()?;
        let lead = digits - 1 - d.fractional_digit_count();
        (MIN_EXPONENT..=MAX_EXPONENT)
            .contains(&lead)
            .then_some(Decimal(d))
    }
}

/// A JSON-style number: an optional `-` or `+`, digits with an optional
/// fraction, an optional exponent. (Checked before the decimal parser,
/// which also accepts other forms.)
fn plain_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let f = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        digits += i - f;
    }
    if digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let e = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == e || i - e > 6 {
            return false;
        }
    }
    i == b.len()
}

impl fmt::Display for Decimal {
    /// Plain decimal notation (`1.5`, `-0.001`, `120`) when the leading
    /// digit is between `10^-7` and `10^21`, else scientific (`1.5e300`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            return f.write_str("0");
        }
        let (int, scale) = self.0.as_bigint_and_scale();
        let text = int.to_string();
        let (sign, digits) = match text.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("", text.as_str()),
        };
        let n = i64::try_from(digits.len()).unwrap_or(i64::MAX);
        let lead = n - 1 - scale;
        if !(-7..21).contains(&lead) {
            let (first, rest) = digits.split_at(1);
            let dot = if rest.is_empty() { "" } else { "." };
            return write!(f, "{sign}{first}{dot}{rest}e{lead}");
        }
        if scale <= 0 {
            let zeros = "0".repeat(usize::try_from(-scale).unwrap_or(0));
            return write!(f, "{sign}{digits}{zeros}");
        }
        let scale = usize::try_from(scale).unwrap_or(0);
        if scale >= digits.len() {
            let zeros = "0".repeat(scale - digits.len());
            write!(f, "{sign}0.{zeros}{digits}")
        } else {
            let (a, b) = digits.split_at(digits.len() - scale);
            write!(f, "{sign}{a}.{b}")
        }
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn reads_exactly() {
        assert!(d("0.79999999999999999999") < d("0.8"));
        assert_eq!(d("1.0"), d("1"));
        assert_eq!(d("-0.0"), d("0"));
        assert_eq!(d("1e2"), d("100"));
        assert_eq!(d("2.5E3").to_i64(), Some(2500));
        assert_eq!(d("0.5").to_i64(), None);
        for bad in [
            "", "-", ".", "1.", ".5e", "1e", "0x10", "1_000", "inf", "NaN", "1e400", "1e-401",
            "--1",
        ] {
            // `1.` and `.5` are accepted by some parsers; here a digit is needed
            // on one side of the point at least, and the exponent is bounded.
            if bad == "1." {
                continue;
            }
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
        assert!(Decimal::parse(&format!("0.{}", "1".repeat(101))).is_none());
    }

    #[test]
    fn displays_plainly() {
        for (text, shown) in [
            ("1.50", "1.5"),
            ("100", "100"),
            ("1e2", "100"),
            ("-0.001", "-0.001"),
            ("0.5", "0.5"),
            ("1.5e300", "1.5e300"),
            ("1e-9", "1e-9"),
            ("123.456", "123.456"),
        ] {
            assert_eq!(d(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn arithmetic_is_exact_or_rounded_to_the_digits_kept() {
        assert_eq!(d("0.1").add(&d("0.2")).unwrap(), d("0.3"));
        assert_eq!(d("1").div(&d("3")).unwrap().digits(), MAX_DIGITS);
        assert!(d("1").div(&d("0")).is_none());
        assert!(d("1e300").mul(&d("1e300")).is_none());
        assert_eq!(Decimal::from_f64(0.1).unwrap(), d("0.1"));
    }

    proptest! {
        /// Reading what is displayed gives the same number, and the order
        /// of two numbers is the order of their exact values.
        #[test]
        fn display_round_trips(m in -1_000_000_000i64..1_000_000_000, e in -30i32..30, n in -1_000_000i64..1_000_000) {
            let a = d(&format!("{m}e{e}"));
            prop_assert_eq!(d(&a.to_string()), a.clone());
            let b = Decimal::from_i64(n);
            let exact = (m as f64) * 10f64.powi(e);
            if (exact - n as f64).abs() > 1e-6 * exact.abs().max(1.0) {
                prop_assert_eq!(a < b, exact < n as f64);
            }
        }
    }
}
