//! When to resend: a pure function of status, `Retry-After`, attempt number, clock and a random number.

/// Bounded retries for 429 and 503 (and statuses a caller adds, such as IoTConnect discovery's 502).
/// A 408 is never in the set: Particle answers 408 for an offline device, and resending at once only
/// burns the rate limit.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The first back-off step, doubled on each further attempt.
    pub base_delay_ms: f64,
    /// No computed back-off exceeds this.
    pub max_delay_ms: f64,
    /// A `Retry-After` longer than this is not waited for: the error is returned with `retryAfter`.
    pub max_retry_after_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base_delay_ms: 500.0, max_delay_ms: 8_000.0, max_retry_after_ms: 60_000.0 }
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1`, or `None` to stop. `attempt` counts the attempts made
    /// so far (1 after the first); `random` is in `[0, 1)`.
    pub fn delay(
        &self,
        status: u16,
        retry_after: Option<&str>,
        attempt: u32,
        now_ms: f64,
        random: f64,
        also_retry: &[u16],
    ) -> Option<f64> {
        if attempt >= self.max_attempts || !(status == 429 || status == 503 || also_retry.contains(&status)) {
            return None;
        }
        if let Some(ms) = retry_after.and_then(|v| parse_retry_after(v, now_ms)) {
            return (ms <= self.max_retry_after_ms).then_some(ms);
        }
        // Exponential back-off with "equal jitter": half fixed, half random, so that clients that failed
        // together do not retry together, yet every wait keeps growing.
        let step = (self.base_delay_ms * 2f64.powi(attempt.saturating_sub(1).min(30) as i32)).min(self.max_delay_ms);
        Some(step / 2.0 + step / 2.0 * random.clamp(0.0, 1.0))
    }
}

/// `Retry-After` as milliseconds from `now_ms`: either delay-seconds or an HTTP date (IMF-fixdate).
/// A date in the past gives 0; anything unparseable gives `None`.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(|s| s as f64 * 1000.0);
    }
    parse_http_date(v).map(|at| (at - now_ms).max(0.0))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into milliseconds since the Unix epoch.
pub fn parse_http_date(s: &str) -> Option<f64> {
    let rest = s.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: i64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let year: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let hms: Vec<i64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [h, m, sec] = hms.as_slice() else {
        return None;
    };
    if *h > 23 || *m > 59 || *sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3_600 + m * 60 + sec) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy =
        RetryPolicy { max_attempts: 3, base_delay_ms: 500.0, max_delay_ms: 8_000.0, max_retry_after_ms: 60_000.0 };

    #[test]
    fn only_429_and_503_are_retried_by_default() {
        for status in [200, 400, 401, 404, 408, 409, 500, 502, 504] {
            assert_eq!(P.delay(status, None, 1, 0.0, 0.5, &[]), None, "{status}");
        }
        assert!(P.delay(429, None, 1, 0.0, 0.5, &[]).is_some());
        assert!(P.delay(503, None, 1, 0.0, 0.5, &[]).is_some());
        assert!(P.delay(502, None, 1, 0.0, 0.5, &[502]).is_some());
    }

    #[test]
    fn attempts_are_bounded() {
        assert!(P.delay(503, None, 2, 0.0, 0.0, &[]).is_some());
        assert_eq!(P.delay(503, None, 3, 0.0, 0.0, &[]), None);
        let once = RetryPolicy { max_attempts: 1, ..P };
        assert_eq!(once.delay(429, Some("1"), 1, 0.0, 0.0, &[]), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_inside_the_step() {
        let step = |attempt, r| P.delay(503, None, attempt, 0.0, r, &[]).unwrap();
        assert_eq!((step(1, 0.0), step(1, 0.999_999_f64).round()), (250.0, 500.0));
        let big = RetryPolicy { max_attempts: 20, ..P };
        assert_eq!(big.delay(503, None, 2, 0.0, 0.0, &[]), Some(500.0));
        assert_eq!(big.delay(503, None, 10, 0.0, 1.0, &[]), Some(8_000.0));
        assert_eq!(big.delay(503, None, 10, 0.0, 0.0, &[]), Some(4_000.0));
    }

    #[test]
    fn retry_after_seconds_and_dates_are_honoured() {
        assert_eq!(P.delay(429, Some("2"), 1, 0.0, 0.9, &[]), Some(2_000.0));
        let now = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(P.delay(503, Some("Sun, 06 Nov 1994 08:49:40 GMT"), 1, now, 0.9, &[]), Some(3_000.0));
        assert_eq!(P.delay(503, Some("Sun, 06 Nov 1994 08:49:00 GMT"), 1, now, 0.9, &[]), Some(0.0));
        // Too long to wait for: give the error (with retryAfter) back instead.
        assert_eq!(P.delay(429, Some("3600"), 1, 0.0, 0.0, &[]), None);
        // Garbage falls back to back-off.
        assert_eq!(P.delay(429, Some("soon"), 1, 0.0, 0.0, &[]), Some(250.0));
    }

    #[test]
    fn http_dates_parse_to_epoch_milliseconds() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000.0));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(parse_http_date("Sun, 22 Nov 2026 01:42:52 GMT"), Some(1_795_311_772_000.0));
        for bad in ["", "Sun 06 Nov 1994", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
