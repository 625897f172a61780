//! Money as integer cents: sums, comparisons and storage stay exact; JSON carries a number with at
//! most 2 decimals (PRODUCT.md §0), converted at the edge by [`Money::from_f64`].

use crate::error::FieldViolation;

/// Largest accepted amount, in units (not cents).
pub const MAX_AMOUNT: f64 = 1e12;

/// A non-negative amount in the org's currency, as cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// Reads a JSON number: refuses NaN/infinite, negative, above [`MAX_AMOUNT`], and more than two
    /// decimals. A float is never exact (19.99 is 19.989999…), so "two decimals" means "within float
    /// noise of a whole number of cents": the tolerance is a few ulps of the value in cents, which
    /// accepts every decimal literal with 2 decimals and refuses 10.123 or 10.125.
    pub fn from_f64(v: f64, field: &str) -> Result<Money, FieldViolation> {
        if !v.is_finite() {
            return Err(FieldViolation::new(field, "must be a number"));
        }
        if v < 0.0 {
            return Err(FieldViolation::new(field, "must be greater than or equal to 0"));
        }
        if v > MAX_AMOUNT {
            return Err(FieldViolation::new(field, "must be at most 1000000000000"));
        }
        let scaled = v * 100.0;
        let cents = scaled.round();
        let tolerance = (16.0 * f64::EPSILON * scaled.max(1.0)).min(1e-3);
        if (scaled - cents).abs() > tolerance {
            return Err(FieldViolation::new(field, "must have at most 2 decimals"));
        }
        // In range by the checks above: 0 <= cents <= 1e14 < i64::MAX.
        #[allow(clippy::cast_possible_truncation)]
        let cents = cents as i64;
        Ok(Money(cents))
    }

    /// Back to a JSON number (exact for every amount up to 2^53 cents).
    #[allow(clippy::cast_precision_loss)]
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// `1234.50`: for CSV exports and messages, where a float would print `1234.5`.
impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(v: f64) -> Option<i64> {
        Money::from_f64(v, "price").ok().map(Money::cents)
    }

    #[test]
    fn accepts_up_to_two_decimals_despite_float_noise() {
        assert_eq!(cents(0.0), Some(0));
        assert_eq!(cents(-0.0), Some(0));
        assert_eq!(cents(1234.5), Some(123_450));
        assert_eq!(cents(19.99), Some(1999));
        assert_eq!(cents(0.1 + 0.2), Some(30));
        assert_eq!(cents(1.15), Some(115));
        assert_eq!(cents(4.35), Some(435));
        assert_eq!(cents(1.005 * 1000.0), Some(100_500));
        assert_eq!(cents(350_000.0), Some(35_000_000));
        assert_eq!(cents(999_999_999_999.99), Some(99_999_999_999_999));
        assert_eq!(cents(1e12), Some(100_000_000_000_000));
        // Every 2-decimal literal in a range, as serde_json would parse it.
        for c in 0..20_000_i64 {
            let lit = format!("{}.{:02}", c / 100, c % 100);
            let v: f64 = lit.parse().unwrap_or(f64::NAN);
            assert_eq!(cents(v), Some(c), "{lit}");
        }
        for c in [123_456_789_i64, 98_765_432_101, 12_345_678_901_234] {
            let lit = format!("{}.{:02}", c / 100, c % 100);
            let v: f64 = lit.parse().unwrap_or(f64::NAN);
            assert_eq!(cents(v), Some(c), "{lit}");
        }
    }

    #[test]
    fn refuses_bad_values_with_the_field_name() {
        for v in [
            10.123,
            10.125,
            0.001,
            0.005,
            19.999,
            -0.01,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e12 + 0.01,
            1e13,
            f64::MAX,
        ] {
            match Money::from_f64(v, "budgetMin") {
                Ok(m) => panic!("{v} accepted as {m}"),
                Err(e) => assert_eq!(e.field, "budgetMin"),
            }
        }
    }

    #[test]
    fn round_trip_and_display() {
        let m = Money::from_cents(123_450);
        assert!((m.to_f64() - 1234.5).abs() < f64::EPSILON);
        assert_eq!(m.to_string(), "1234.50");
        assert_eq!(Money::from_cents(5).to_string(), "0.05");
        assert_eq!(Money::from_cents(-5).to_string(), "-0.05");
        assert_eq!(Money::ZERO.to_string(), "0.00");
        assert!(Money::from_cents(1) > Money::ZERO);
        assert_eq!(cents(Money::from_cents(1999).to_f64()), Some(1999));
    }
}
