//! Dates of the parameters of type `D`: an ISO 8601 string (what `Date.prototype.toISOString` prints, with
//! an offset, or without one: UTC) → seconds since 1970 → `YYYY-MM-DD HH:MM:SS` in UTC, as IoTConnect's
//! telemetry history takes them. Integer arithmetic only: days from the civil date and back as in Howard
//! Hinnant's `days_from_civil`/`civil_from_days`.

use crate::prelude::*;

/// Seconds since 1970-01-01T00:00:00Z of `YYYY-MM-DD`, optionally followed by `T` (or a space) and
/// `HH:MM[:SS[.fraction]]`, then optionally `Z` or an offset `±HH[:MM]`/`±HHMM`. The fraction is dropped.
/// `None` for anything else, an impossible date (`2025-02-30`) or a time outside years 0000–9999 in UTC.
#[inline(never)]
pub fn parse(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    // Two digits at `i`.
    let n = |i: usize| -> Option<i64> {
        let d = |i: usize| b.get(i).filter(|c| c.is_ascii_digit()).map(|c| i64::from(c - b'0'));
        Some(d(i)? * 10 + d(i + 1)?)
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (y, m, d) = (n(0)? * 100 + n(2)?, n(5)?, n(8)?);
    let (mut time, mut i) = (0, 10);
    if !(at(4, b'-') && at(7, b'-')) {
        return None;
    }
    if matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        let (h, mi) = (n(11)?, n(14)?);
        let mut sec = 0;
        i = 16;
        if at(16, b':') {
            sec = n(17)?;
            i = 19;
            if at(19, b'.') || at(19, b',') {
                i = 20;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
        }
        if !at(13, b':') || i == 20 || h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        time = h * 3600 + mi * 60 + sec;
        match b.get(i) {
            Some(b'Z' | b'z') => i += 1,
            Some(&sign) if sign == b'+' || sign == b'-' => {
                let oh = n(i + 1)?;
                let colon = at(i + 3, b':');
                i += 3 + usize::from(colon);
                let om = if colon || i < b.len() {
                    i += 2;
                    n(i - 2)?
                } else {
                    0
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                let offset = oh * 3600 + om * 60;
                time -= if sign == b'+' { offset } else { -offset };
            }
            _ => {}
        }
    }
    let days = days_from_civil(y, m, d);
    // A month outside 1–12 or a day past the month's end comes back as another date.
    if i != b.len() || civil(days) != (y, m, d) {
        return None;
    }
    let t = days * 86_400 + time;
    (-62_167_219_200..253_402_300_800).contains(&t).then_some(t)
}

/// `YYYY-MM-DD HH:MM:SS` of `t` seconds since 1970, in UTC (years 0000–9999, as [`parse`] returns them).
pub fn format(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    let mut out = String::with_capacity(19);
    for (n, after) in
        [(y / 100, ""), (y % 100, "-"), (m, "-"), (d, " "), (s / 3600, ":"), (s / 60 % 60, ":"), (s % 60, "")]
    {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
        out.push_str(after);
    }
    out
}

/// An ISO 8601 date or date-time as `YYYY-MM-DD HH:MM:SS` UTC.
#[inline(never)]
pub fn sql_utc(s: &str) -> Option<String> {
    parse(s).map(format)
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (`m` 1–12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The date `days` after 1970-01-01.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, doy - (153 * mp + 2) / 5 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_strings_become_utc_in_the_apis_format() {
        for (iso, sql) in [
            ("2025-01-15T12:34:56.789Z", "2025-01-15 12:34:56"),
            ("2025-01-15T12:34:56Z", "2025-01-15 12:34:56"),
            ("2025-01-15T12:34Z", "2025-01-15 12:34:00"),
            ("2025-01-15", "2025-01-15 00:00:00"),
            ("2025-01-15 12:34:56", "2025-01-15 12:34:56"),
            ("2025-01-15t12:34:56z", "2025-01-15 12:34:56"),
            ("2025-01-15T12:34:56,5Z", "2025-01-15 12:34:56"),
            // Offsets: the same instant in UTC, across days, months and years.
            ("2025-01-15T12:34:56+02:00", "2025-01-15 10:34:56"),
            ("2025-01-15T12:34:56-0530", "2025-01-15 18:04:56"),
            ("2025-01-15T01:00:00+05", "2025-01-14 20:00:00"),
            ("2024-03-01T00:30:00+01:00", "2024-02-29 23:30:00"),
            ("2023-03-01T00:30:00+01:00", "2023-02-28 23:30:00"),
            ("2024-12-31T23:30:00-01:00", "2025-01-01 00:30:00"),
            ("1970-01-01T00:00:00Z", "1970-01-01 00:00:00"),
            ("1969-12-31T23:59:59Z", "1969-12-31 23:59:59"),
            ("2000-02-29T00:00:00Z", "2000-02-29 00:00:00"),
            ("0000-01-01T00:00:00Z", "0000-01-01 00:00:00"),
            ("9999-12-31T23:59:59Z", "9999-12-31 23:59:59"),
        ] {
            assert_eq!(sql_utc(iso).as_deref(), Some(sql), "{iso}");
        }
    }

    #[test]
    fn seconds_match_the_epoch() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse("2025-01-15T12:00:00.000Z"), Some(1_736_942_400));
        assert_eq!(parse("2025-01-15T14:00:00+02:00"), Some(1_736_942_400));
        assert_eq!(format(1_736_942_400), "2025-01-15 12:00:00");
        // Every day of four centuries goes there and back.
        let start = parse("1900-01-01").unwrap() / 86_400;
        for day in start..start + 146_097 {
            let (y, m, d) = civil(day);
            assert_eq!(days_from_civil(y, m, d), day);
            assert_eq!(parse(&format(day * 86_400 + 3_723)), Some(day * 86_400 + 3_723));
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "2025",
            "2025-1-15",
            "2025-01-15T",
            "2025-01-15T12",
            "2025-01-15T12:3",
            "2025-01-15T12:34:5",
            "2025-01-15T12:34:56.",
            "2025-01-15T12:34:56Zx",
            "2025-01-15T12:34:56+2",
            "2025-01-15T12:34:56+24:00",
            "2025-01-15T12:34:56+02:60",
            "2025-02-29",
            "2024-02-30",
            "2025-04-31",
            "2025-00-10",
            "2025-13-01",
            "2025-01-00",
            "2025-01-15T24:00:00Z",
            "2025-01-15T12:60:00Z",
            "2025-01-15T12:00:60Z",
            "0000-01-01T00:30:00+01:00",
            "9999-12-31T23:30:00-01:00",
            "+002025-01-15T00:00:00Z",
            "Wed Jan 15 2025",
            "2025-01-15T12:34:56Z\n",
            " 2025-01-15",
            "2025-01-15T12:34:56+05:",
            "２０２５-01-15",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
