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
    if let Some(t) = utc_seconds(text) {
        return Ok(t);
    }
    if !has_rfc3339_shape(text) {
        return Err("expected an RFC 3339 timestamp such as `2026-05-04T09:00:00Z`".into());
    }
    jiff::Timestamp::from_str(text)
        .map(|t| t.as_nanosecond())
        .map_err(|e| e.to_string())
}

/// The common case, `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time,
/// read directly (a fifth of the cost of the general parser); `None` for
/// anything else, which the general parser reads or refuses.
fn utc_seconds(text: &str) -> Option<i128> {
    let b: &[u8; 20] = text.as_bytes().try_into().ok()?;
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut n = 0_i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i64::from(c - b'0');
        }
        Some(n)
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    // Years 1 to 9998 are all inside the general parser's range.
    if !(1..=9998).contains(&y) || d < 1 || d > month_days || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
    // `days_from_civil`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hh * 3_600 + mm * 60 + ss;
    Some(i128::from(seconds) * 1_000_000_000)
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

/// The system clock, in nanoseconds since the Unix epoch.
///
/// ```
/// assert!(gate_lang::time::now() > 1_700_000_000_000_000_000);
/// ```
pub fn now() -> i128 {
    jiff::Timestamp::now().as_nanosecond()
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
    use proptest::prelude::*;

    proptest! {
        /// The direct reading of `YYYY-MM-DDTHH:MM:SSZ` agrees with the
        /// general parser, dates that do not exist included.
        #[test]
        fn utc_seconds_agree_with_the_general_parser(
            y in 0_u32..10_000, m in 0_u32..14, d in 0_u32..33,
            hh in 0_u32..26, mm in 0_u32..62, ss in 0_u32..62,
        ) {
            let text = format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z");
            let general = jiff::Timestamp::from_str(&text).map(|t| t.as_nanosecond()).ok();
            if let Some(fast) = utc_seconds(&text) {
                prop_assert_eq!(Some(fast), general, "{}", text);
            }
            prop_assert_eq!(parse_timestamp(&text).ok(), general, "{}", text);
        }
    }

    #[test]
    fn utc_seconds_reads_the_common_form() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1969-12-31T23:59:59Z",
            "2000-03-01T12:00:00Z",
        ] {
            let general = jiff::Timestamp::from_str(text)
                .map(|t| t.as_nanosecond())
                .ok();
            assert_eq!(utc_seconds(text), general, "{text}");
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:60Z",
            "2026-01-01t00:00:00Z",
            "2026-01-01T00:00:00z",
        ] {
            assert_eq!(utc_seconds(text), None, "{text}");
        }
    }

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
