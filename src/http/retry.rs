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
    /// The least time between two requests of one client (`maxRequestsPerSecond`); 0: no spacing.
    pub spacing_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay_ms: 500.0,
            max_delay_ms: 8_000.0,
            max_retry_after_ms: 60_000.0,
            spacing_ms: 0.0,
        }
    }
}

/// Spacing of requests: how long a request must still wait, given the time now and the earliest time the
/// next request may go (0: it may go now).
pub fn pace(now: f64, next_at: f64) -> f64 {
    if next_at > now {
        next_at - now
    } else {
        0.0
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1`, or `None` to stop. `attempt` counts the attempts made
    /// so far (1 after the first); `retry_after_ms` is the server's `Retry-After`, read by
    /// [`parse_retry_after`]; `random` is in `[0, 1)`. A 429 means the request was not processed, so it is
    /// always retryable; a 503 only for idempotent requests (or when listed in `also_retry`).
    pub fn delay(
        &self,
        status: u16,
        retry_after_ms: Option<f64>,
        attempt: u32,
        random: f64,
        idempotent: bool,
        also_retry: &[u16],
    ) -> Option<f64> {
        let retryable = status == 429 || (status == 503 && idempotent) || also_retry.contains(&status);
        if attempt >= self.max_attempts || !retryable {
            return None;
        }
        if let Some(ms) = retry_after_ms {
            return (ms <= self.max_retry_after_ms).then_some(ms);
        }
        // Exponential back-off with "equal jitter": half fixed, half random, so that clients that failed
        // together do not retry together, yet every wait keeps growing.
        let step = (self.base_delay_ms * f64::from(1u32 << attempt.saturating_sub(1).min(30))).min(self.max_delay_ms);
        // `max`/`min` turn a NaN into 0 (`clamp` would pass it through).
        #[allow(clippy::manual_clamp)]
        Some(step / 2.0 + step / 2.0 * random.max(0.0).min(1.0))
    }
}

/// `Retry-After` as a wait in milliseconds: delay-seconds, or an HTTP date that `parse_date` (the
/// platform's `Date.parse`) turns into epoch milliseconds, counted from `now_ms`. A date in the past gives
/// 0; anything unparseable gives `None`.
pub fn parse_retry_after(value: &str, now_ms: f64, parse_date: impl Fn(&str) -> Option<f64>) -> Option<f64> {
    let v = super::encode::trim(value);
    if v.ends_with("GMT") {
        return parse_date(v).map(|at| (at - now_ms).max(0.0));
    }
    // Whole seconds only: anything else is ignored (and backed off from), rather than handed to a lenient
    // date parser that reads "-1" or "1.5" as a date in 2001.
    super::encode::whole32(v).map(|s| f64::from(s) * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        base_delay_ms: 500.0,
        max_delay_ms: 8_000.0,
        max_retry_after_ms: 60_000.0,
        spacing_ms: 0.0,
    };

    #[test]
    fn pacing_waits_only_for_a_slot_in_the_future() {
        assert_eq!(pace(1_000.0, 0.0), 0.0);
        assert_eq!(pace(1_000.0, 1_000.0), 0.0);
        assert_eq!(pace(1_000.0, 1_150.0), 150.0);
    }

    #[test]
    fn requests_of_a_spaced_client_go_one_spacing_apart_as_measured_when_they_go() {
        use crate::http::mock::{reply, Mock};
        use crate::http::{Core, Request};
        let mock = Mock::new(|_, _| reply(200, "[]"));
        let core = Core::new(mock.clone(), RetryPolicy { spacing_ms: 200.0, ..RetryPolicy::default() });
        let send = || futures_executor::block_on(core.send(&Request::get("https://h/x"), &[])).unwrap();
        send();
        send();
        send();
        assert_eq!(*mock.slept.borrow(), vec![200.0, 200.0]);
        // A caller that comes back late goes at once, and the next one a spacing after it.
        mock.advance(1_000.0);
        send();
        mock.advance(50.0);
        send();
        assert_eq!(*mock.slept.borrow(), vec![200.0, 200.0, 150.0]);
    }

    #[test]
    fn only_429_and_503_are_retried_by_default() {
        for status in [200, 400, 401, 404, 408, 409, 500, 502, 504] {
            assert_eq!(P.delay(status, None, 1, 0.5, true, &[]), None, "{status}");
        }
        assert!(P.delay(429, None, 1, 0.5, true, &[]).is_some());
        assert!(P.delay(503, None, 1, 0.5, true, &[]).is_some());
        assert!(P.delay(502, None, 1, 0.5, true, &[502]).is_some());
    }

    #[test]
    fn a_503_is_retried_for_posts_only_when_the_caller_says_so() {
        assert_eq!(P.delay(503, None, 1, 0.5, false, &[]), None);
        assert!(P.delay(503, None, 1, 0.5, false, &[503]).is_some());
        assert!(P.delay(429, None, 1, 0.5, false, &[]).is_some());
    }

    #[test]
    fn attempts_are_bounded() {
        assert!(P.delay(503, None, 2, 0.0, true, &[]).is_some());
        assert_eq!(P.delay(503, None, 3, 0.0, true, &[]), None);
        let once = RetryPolicy { max_attempts: 1, ..P };
        assert_eq!(once.delay(429, Some(1_000.0), 1, 0.0, true, &[]), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_inside_the_step() {
        let step = |attempt, r| P.delay(503, None, attempt, r, true, &[]).unwrap();
        assert_eq!((step(1, 0.0), step(1, 0.999_999_f64).round()), (250.0, 500.0));
        let big = RetryPolicy { max_attempts: 20, ..P };
        assert_eq!(big.delay(503, None, 2, 0.0, true, &[]), Some(500.0));
        assert_eq!(big.delay(503, None, 10, 1.0, true, &[]), Some(8_000.0));
        assert_eq!(big.delay(503, None, 10, 0.0, true, &[]), Some(4_000.0));
    }

    #[test]
    fn retry_after_is_honoured_but_not_when_too_long() {
        assert_eq!(P.delay(429, Some(2_000.0), 1, 0.9, true, &[]), Some(2_000.0));
        assert_eq!(P.delay(503, Some(0.0), 1, 0.9, true, &[]), Some(0.0));
        // Too long to wait for: give the error (with retryAfter) back instead.
        assert_eq!(P.delay(429, Some(3_600_000.0), 1, 0.0, true, &[]), None);
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let date = |s: &str| (s == "Sun, 06 Nov 1994 08:49:40 GMT").then_some(784_111_780_000.0);
        let now = 784_111_777_000.0;
        assert_eq!(parse_retry_after("2", now, date), Some(2_000.0));
        assert_eq!(parse_retry_after(" 120 ", now, date), Some(120_000.0));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now, date), Some(3_000.0));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now + 10_000.0, date), Some(0.0));
        for bad in ["", "soon", "-1", "1.5", "1e3", "Sun, 06 Nov 1994 08:49:40 PST", "9999999999"] {
            assert_eq!(parse_retry_after(bad, now, date), None, "{bad}");
        }
    }
}
