//! Time as the case records it: UTC and JST side by side, operator-given times parsed strictly,
//! and the skew between the host clock and a trusted reference.
//!
//! A booted endpoint's clock may be wrong (dead RTC battery, attacker change, time zone set to
//! UTC), so every case records how far it was off when the case was opened.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, SecondsFormat, TimeZone, Utc};

use crate::error::{Error, Result};

/// Japan Standard Time, UTC+09:00 (no daylight saving).
pub fn jst() -> FixedOffset {
    // 9 hours is always in range; the fallback is never taken.
    FixedOffset::east_opt(9 * 3600).unwrap_or(Utc.fix())
}

/// The host clock now, in UTC.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// `2026-11-21T01:02:03.123456Z`
pub fn utc_string(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Seconds from the FILETIME epoch (1601-01-01) to the Unix epoch.
const FILETIME_TO_UNIX: i64 = 11_644_473_600;

/// A Windows FILETIME (100 ns since 1601) as microseconds since 1970 (negative before it).
pub fn filetime_micros(t: u64) -> Option<i64> {
    i64::try_from(t / 10).ok()?.checked_sub(FILETIME_TO_UNIX * 1_000_000)
}

/// A time as a Windows FILETIME; a time before 1601 gives 0, the FILETIME epoch.
pub fn to_filetime(t: DateTime<Utc>) -> u64 {
    let secs = u64::try_from(t.timestamp() + FILETIME_TO_UNIX).unwrap_or(0);
    let ticks = if secs == 0 { 0 } else { u64::from(t.timestamp_subsec_nanos() / 100) };
    secs * 10_000_000 + ticks
}

/// A Windows FILETIME (100 ns since 1601) as UTC text; none for 0, "never" (the maximum) and
/// times before 1970.
pub fn filetime_string(t: u64) -> Option<String> {
    if t == 0 || t >= 0x7FFF_FFFF_FFFF_FFFF {
        return None;
    }
    let secs = (t / 10_000_000).checked_sub(FILETIME_TO_UNIX as u64)? as i64;
    DateTime::from_timestamp(secs, ((t % 10_000_000) * 100) as u32).map(utc_string)
}

/// `2026-11-21T10:02:03.123456+09:00`
pub fn jst_string(t: DateTime<Utc>) -> String {
    t.with_timezone(&jst()).to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// A time for people: `2026-11-21 10:02:03 JST`.
pub fn jst_display(t: DateTime<Utc>) -> String {
    t.with_timezone(&jst()).format("%Y-%m-%d %H:%M:%S JST").to_string()
}

/// Parses an operator-given time.
///
/// Accepted: `now` (the host clock), RFC 3339 with an offset (`2026-11-21T03:10:00+09:00`,
/// `…Z`), or a local form without offset (`2026-11-21 03:10`, `2026-11-21T03:10:00`), which is
/// taken as JST because that is the clock on the hospital's wall.
pub fn parse_time(input: &str) -> Result<DateTime<Utc>> {
    let s = input.trim();
    if s.eq_ignore_ascii_case("now") {
        return Ok(now());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let s = s.trim_end_matches(" JST").trim_end_matches("JST").trim();
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return local_jst(input, naive);
        }
    }
    Err(Error::Time {
        input: input.to_string(),
        reason: "expected `now`, RFC 3339 (2026-11-21T03:10:00+09:00) or `YYYY-MM-DD HH:MM[:SS]` in JST".into(),
    })
}

fn local_jst(input: &str, naive: NaiveDateTime) -> Result<DateTime<Utc>> {
    match jst().from_local_datetime(&naive).single() {
        Some(t) => Ok(t.with_timezone(&Utc)),
        None => Err(Error::Time { input: input.to_string(), reason: "not a valid JST time".into() }),
    }
}

/// Host clock minus reference clock, in seconds (positive: the host runs ahead).
pub fn skew_seconds(host: DateTime<Utc>, reference: DateTime<Utc>) -> f64 {
    let d: Duration = host - reference;
    d.num_milliseconds() as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_form_is_jst() {
        let t = parse_time("2026-11-21 03:10").unwrap();
        assert_eq!(utc_string(t), "2026-11-20T18:10:00.000000Z");
        assert_eq!(jst_string(t), "2026-11-21T03:10:00.000000+09:00");
    }

    #[test]
    fn rfc3339_keeps_offset() {
        let t = parse_time("2026-11-21T03:10:00Z").unwrap();
        assert_eq!(jst_display(t), "2026-11-21 12:10:00 JST");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let e = parse_time("yesterday-ish").unwrap_err();
        assert!(e.to_string().contains("yesterday-ish"));
    }

    #[test]
    fn filetime_both_ways() {
        let t = parse_time("2026-11-21T03:10:00.1234567Z").unwrap();
        let ft = to_filetime(t);
        assert_eq!(ft, 134_397_042_001_234_567);
        assert_eq!(filetime_string(ft).as_deref(), Some("2026-11-21T03:10:00.123456Z"));
        assert_eq!(filetime_micros(ft), Some(t.timestamp_micros()));
        assert_eq!(filetime_micros(0), Some(-11_644_473_600_000_000));
        assert_eq!(to_filetime(parse_time("1500-01-01T00:00:00Z").unwrap()), 0);
    }

    #[test]
    fn skew_sign() {
        let host = parse_time("2026-11-21 03:10:05").unwrap();
        let reference = parse_time("2026-11-21 03:10:00").unwrap();
        assert_eq!(skew_seconds(host, reference), 5.0);
    }
}
