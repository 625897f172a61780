//! Outbox retry policy, PRODUCT.md §10: the backoff schedule (`ATLAS_OUTBOX_BACKOFF`), jitter, and
//! which provider failures are worth retrying.

use chrono::Duration;

/// Delays between attempts when `ATLAS_OUTBOX_BACKOFF` is unset.
pub const DEFAULT_BACKOFF: &str = "30s,2m,10m,1h";
/// Jitter amplitude: a delay is spread over ±20 % so that a burst of failures does not retry in
/// lockstep.
pub const JITTER: f64 = 0.2;
const MAX_DELAYS: usize = 20;
const MAX_DELAY_SECONDS: i64 = 7 * 24 * 3600;

/// The delays between consecutive attempts; attempts = delays + 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackoffSchedule {
    delays: Vec<Duration>,
}

impl Default for BackoffSchedule {
    fn default() -> Self {
        BackoffSchedule { delays: [30, 120, 600, 3600].into_iter().map(Duration::seconds).collect() }
    }
}

/// Parses `30s,2m,10m,1h`: comma-separated whole numbers with unit `s`, `m` or `h` (spaces
/// around items allowed). At most 20 delays of at most 7 days each; `0s` is allowed (immediate
/// retry, for tests). An empty string is an error, not the default: an operator who sets the
/// variable means something.
pub fn parse_backoff(s: &str) -> Result<BackoffSchedule, String> {
    let items: Vec<&str> = s.split(',').map(str::trim).collect();
    if items.len() > MAX_DELAYS {
        return Err(format!("at most {MAX_DELAYS} delays"));
    }
    let delays = items.into_iter().map(parse_delay).collect::<Result<Vec<_>, _>>()?;
    Ok(BackoffSchedule { delays })
}

fn parse_delay(item: &str) -> Result<Duration, String> {
    let bad = || format!("invalid delay {item:?}: expected a whole number followed by s, m or h (e.g. 30s, 2m, 1h)");
    let unit_at = item.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = item.split_at_checked(unit_at).ok_or_else(bad)?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 9 {
        return Err(bad());
    }
    let n: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(bad()),
    };
    if seconds > MAX_DELAY_SECONDS {
        return Err(format!("delay {item:?} is longer than 7 days"));
    }
    Ok(Duration::seconds(seconds))
}

impl BackoffSchedule {
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// Total attempts a message gets: the first one plus one per delay.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.delays.len()).map_or(u32::MAX, |n| n.saturating_add(1))
    }

    /// How long to wait after attempt `attempt_no` (1-based) failed with a retryable error before
    /// the next one, or None when that was the last attempt (→ dead letter). `jitter_fraction` is a
    /// uniform random number in [0, 1] supplied by the caller (keeps this pure and testable);
    /// 0 → −20 %, 0.5 → exact, 1 → +20 %. Out-of-range or NaN values are clamped / taken as 0.5.
    pub fn delay_after(&self, attempt_no: u32, jitter_fraction: f64) -> Option<Duration> {
        let index = usize::try_from(attempt_no.checked_sub(1)?).ok()?;
        let base = *self.delays.get(index)?;
        let f = if jitter_fraction.is_nan() { 0.5 } else { jitter_fraction.clamp(0.0, 1.0) };
        let factor = 1.0 + JITTER * (2.0 * f - 1.0);
        // Delays are at most 7 days: milliseconds fit an f64 exactly and the product fits an i64.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let ms = (base.num_milliseconds() as f64 * factor).round() as i64;
        Some(Duration::milliseconds(ms))
    }
}

/// Whether a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    Retryable,
    Final,
}

/// Classifies a failed provider call by HTTP status; None = no response (network error,
/// timeout). Retryable: None, 429, 5xx. Everything else is final, including other 4xx (our
/// request is wrong and will stay wrong) and unexpected 1xx/2xx/3xx (not retried blindly).
pub fn classify_http(status: Option<u16>) -> RetryClass {
    match status {
        None | Some(429) | Some(500..=599) => RetryClass::Retryable,
        Some(_) => RetryClass::Final,
    }
}

/// What the worker does after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Re-queue, due after this delay.
    RetryAfter(Duration),
    /// FAILED with `deadLettered: true`: retryable, but the attempts are exhausted.
    DeadLetter,
    /// FAILED with `deadLettered: false`: not retryable.
    Failed,
}

/// The decision after attempt `attempt_no` (1-based) failed with `class`.
pub fn after_failure(
    schedule: &BackoffSchedule,
    attempt_no: u32,
    class: RetryClass,
    jitter_fraction: f64,
) -> AttemptOutcome {
    match class {
        RetryClass::Final => AttemptOutcome::Failed,
        RetryClass::Retryable => schedule
            .delay_after(attempt_no, jitter_fraction)
            .map_or(AttemptOutcome::DeadLetter, AttemptOutcome::RetryAfter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(v: &[i64]) -> Vec<Duration> {
        v.iter().map(|s| Duration::seconds(*s)).collect()
    }

    #[test]
    fn parses_schedules() {
        let s = parse_backoff(DEFAULT_BACKOFF);
        assert_eq!(s.as_ref().map(|s| s.delays().to_vec()), Ok(secs(&[30, 120, 600, 3600])));
        assert_eq!(s, Ok(BackoffSchedule::default()));
        assert_eq!(BackoffSchedule::default().max_attempts(), 5);
        let tests = parse_backoff("1s,1s");
        assert_eq!(tests.as_ref().map(BackoffSchedule::max_attempts), Ok(3));
        assert_eq!(parse_backoff(" 5s , 3m,2h ").map(|s| s.delays().to_vec()), Ok(secs(&[5, 180, 7200])));
        assert_eq!(parse_backoff("0s").map(|s| s.max_attempts()), Ok(2));
        assert_eq!(parse_backoff("168h").map(|s| s.delays().to_vec()), Ok(secs(&[604_800])));
    }

    #[test]
    fn refuses_bad_schedules() {
        for bad in [
            "",
            " ",
            "30",
            "s",
            "30x",
            "30S",
            "1.5m",
            "-1s",
            "+1s",
            "1 s",
            "30s,",
            ",30s",
            "30s,,1m",
            "1d",
            "169h",
            "9999999999s",
            "é",
            "1é",
        ] {
            assert!(parse_backoff(bad).is_err(), "{bad:?}");
        }
        let many = vec!["1s"; 21].join(",");
        assert!(parse_backoff(&many).is_err());
        assert!(parse_backoff(&vec!["1s"; 20].join(",")).is_ok());
    }

    #[test]
    fn delays_with_jitter() {
        let s = BackoffSchedule::default();
        assert_eq!(s.delay_after(1, 0.5), Some(Duration::seconds(30)));
        assert_eq!(s.delay_after(2, 0.5), Some(Duration::seconds(120)));
        assert_eq!(s.delay_after(4, 0.5), Some(Duration::seconds(3600)));
        assert_eq!(s.delay_after(5, 0.5), None);
        assert_eq!(s.delay_after(0, 0.5), None);
        assert_eq!(s.delay_after(u32::MAX, 0.5), None);
        assert_eq!(s.delay_after(1, 0.0), Some(Duration::seconds(24)));
        assert_eq!(s.delay_after(1, 1.0), Some(Duration::seconds(36)));
        assert_eq!(s.delay_after(4, 0.25), Some(Duration::seconds(3240)));
        assert_eq!(s.delay_after(1, -3.0), Some(Duration::seconds(24)));
        assert_eq!(s.delay_after(1, 7.0), Some(Duration::seconds(36)));
        assert_eq!(s.delay_after(1, f64::NAN), Some(Duration::seconds(30)));
        for i in 0..=100 {
            let d = s.delay_after(3, f64::from(i) / 100.0).map_or(0, |d| d.num_milliseconds());
            assert!((480_000..=720_000).contains(&d), "{d}");
        }
    }

    #[test]
    fn http_classification() {
        assert_eq!(classify_http(None), RetryClass::Retryable);
        for s in [429, 500, 502, 503, 504, 599] {
            assert_eq!(classify_http(Some(s)), RetryClass::Retryable, "{s}");
        }
        for s in [400, 401, 403, 404, 408, 409, 413, 422, 428, 430, 499, 200, 301, 600] {
            assert_eq!(classify_http(Some(s)), RetryClass::Final, "{s}");
        }
    }

    #[test]
    fn outcomes_after_failure() {
        let s = parse_backoff("1s,1s").unwrap_or_default();
        assert_eq!(after_failure(&s, 1, RetryClass::Retryable, 0.5), AttemptOutcome::RetryAfter(Duration::seconds(1)));
        assert_eq!(after_failure(&s, 2, RetryClass::Retryable, 0.5), AttemptOutcome::RetryAfter(Duration::seconds(1)));
        assert_eq!(after_failure(&s, 3, RetryClass::Retryable, 0.5), AttemptOutcome::DeadLetter);
        assert_eq!(after_failure(&s, 1, RetryClass::Final, 0.5), AttemptOutcome::Failed);
        assert_eq!(after_failure(&s, 3, classify_http(Some(400)), 0.5), AttemptOutcome::Failed);
    }
}
