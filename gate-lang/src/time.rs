//! Timestamps and durations: parsing and display.
//!
//! Both are counted in nanoseconds in an `i128`, so that arithmetic on any
//! timestamp jiff accepts (years 1 to 9999) cannot overflow silently.

use std::str::FromStr;

/// Parses an RFC 3339 timestamp (`2026-05-04T09:00:00Z`, fractional seconds
/// and a numeric offset allowed) to nanoseconds since the Unix epoch.
///
/// The shape is checked strictly: a date-only string, a missing `T`, missing
/// seconds or a missing offset are errors, not guesses.
///
/// ```
/// use gate_lang::time::parse_timestamp;
/// assert_eq!(parse_timestamp("1970-01-01T00:00:01Z"), Ok(1_000_000_000));
/// assert!(parse_timestamp("2026-05-04").is_err());
/// ```
pub fn parse_timestamp(text: &str) -> Result<i128, String> {
    if !has_rfc3339_shape(text) {
        return Err("expected an RFC 3339 timestamp such as `2026-05-04T09:00:00Z`".into());
    }
    jiff::Timestamp::from_str(text)
        .map(|t| t.as_nanosecond())
        .map_err(|e| e.to_string())
}

fn has_rfc3339_shape(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b.get(4) != Some(&b'-')
        || !digits(5..7)
        || b.get(7) != Some(&b'-')
        || !digits(8..10)
        || !matches!(b.get(10), Some(b'T' | b't'))
        || !digits(11..13)
        || b.get(13) != Some(&b':')
        || !digits(14..16)
        || b.get(16) != Some(&b':')
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len()
                && digits(i + 1..i + 3)
                && b.get(i + 3) == Some(&b':')
                && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// Renders nanoseconds since the epoch as RFC 3339 in UTC.
///
/// ```
/// use gate_lang::time::format_timestamp;
/// assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
/// ```
pub fn format_timestamp(nanos: i128) -> String {
    match jiff::Timestamp::from_nanosecond(nanos) {
        Ok(t) => t.to_string(),
        Err(_) => format!("<timestamp out of range: {nanos}ns>"),
    }
}

const NS: i128 = 1_000_000_000;

/// Renders a duration in the language's own syntax: `90d`, `12h`, `396d2h`,
/// `1h30m`, `250ms`.
///
/// ```
/// use gate_lang::time::format_duration;
/// assert_eq!(format_duration(90 * 86_400 * 1_000_000_000), "90d");
/// assert_eq!(format_duration(-3_600 * 1_000_000_000), "-1h");
/// ```
pub fn format_duration(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let mut rest = nanos.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, size) in [
        ("d", 86_400 * NS),
        ("h", 3_600 * NS),
        ("m", 60 * NS),
        ("s", NS),
        ("ms", NS / 1000),
    ] {
        let size = size.unsigned_abs();
        let n = rest / size;
        if n > 0 {
            parts.push(format!("{n}{unit}"));
            rest -= n * size;
        }
    }
    if rest > 0 {
        parts.push(format!("{rest}ns"));
    }
    format!("{sign}{}", parts.join(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_shapes() {
        assert!(parse_timestamp("2026-05-04T09:00:00Z").is_ok());
        assert!(parse_timestamp("2019-06-28T15:53:30.395814Z").is_ok());
        assert!(parse_timestamp("2026-05-04T09:00:00+02:00").is_ok());
        assert!(parse_timestamp("2026-05-04 09:00:00Z").is_err());
        assert!(parse_timestamp("2026-05-04T09:00Z").is_err());
        assert!(parse_timestamp("2026-05-04T09:00:00").is_err());
        assert!(parse_timestamp("2026-13-04T09:00:00Z").is_err());
    }

    #[test]
    fn offsets_are_normalised() {
        let a = parse_timestamp("2026-05-04T11:00:00+02:00");
        let b = parse_timestamp("2026-05-04T09:00:00Z");
        assert_eq!(a, b);
    }

    #[test]
    fn round_trip_display() {
        let t = parse_timestamp("2019-06-28T15:53:30.395814Z").unwrap_or_default();
        assert_eq!(format_timestamp(t), "2019-06-28T15:53:30.395814Z");
        assert_eq!(format_duration((396 * 86_400 + 7_200) * NS), "396d2h");
    }
}
