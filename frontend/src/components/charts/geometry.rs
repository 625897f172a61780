//! Pure chart geometry: scales, "nice" ticks, label thinning, SVG paths, French labels. No DOM here,
//! so everything is unit-tested natively (`cargo test -p atlas-frontend`).

use chrono::{Datelike, NaiveDate};

/// Maps a domain interval onto a range of SVG coordinates (the range may be reversed: y grows down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl LinearScale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        LinearScale { d0: domain.0, d1: domain.1, r0: range.0, r1: range.1 }
    }

    /// Position of `v`; a degenerate domain maps everything to the start of the range.
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span.abs() < f64::EPSILON || !v.is_finite() {
            return self.r0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// A "nice" step (1, 2, 2.5 or 5 × 10^k) close to `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let exp = raw.log10().floor();
    let base = 10f64.powf(exp);
    let f = raw / base;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// Ticks from 0 to at least `max` with about `count` intervals, at nice values. Integer data
/// (counts) never gets fractional ticks when `integer` is set. Always at least two ticks.
pub fn nice_ticks(max: f64, count: usize, integer: bool) -> Vec<f64> {
    let count = count.max(1) as f64;
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let mut step = nice_step(max / count);
    if integer && step < 1.0 {
        step = 1.0;
    }
    let n = (max / step).ceil().max(1.0) as usize;
    (0..=n).map(|i| round_to(i as f64 * step, step)).collect()
}

/// Removes the float noise of `i × step` (0.30000000000000004 → 0.3).
fn round_to(v: f64, step: f64) -> f64 {
    let decimals = (-step.log10().floor()).max(0.0) as i32 + 1;
    let p = 10f64.powi(decimals);
    (v * p).round() / p
}

/// Indices of the labels to draw so that at most `max_labels` are shown, evenly spaced, the first
/// always included (and the last when it fits the stride).
pub fn label_indices(n: usize, max_labels: usize) -> Vec<usize> {
    if n == 0 || max_labels == 0 {
        return Vec::new();
    }
    let stride = n.div_ceil(max_labels).max(1);
    (0..n).step_by(stride).collect()
}

/// One band of a band scale: `(start, width)` of item `i` of `n` over `[r0, r1]`, with `padding`
/// (0..1) of each step left empty, half on each side.
pub fn band(i: usize, n: usize, r0: f64, r1: f64, padding: f64) -> (f64, f64) {
    if n == 0 {
        return (r0, 0.0);
    }
    let step = (r1 - r0) / n as f64;
    let pad = step * padding.clamp(0.0, 0.95);
    (r0 + step * i as f64 + pad / 2.0, step - pad)
}

/// Center of item `i` of `n` spread over `[r0, r1]` (first at r0, last at r1; one item centred).
pub fn point_x(i: usize, n: usize, r0: f64, r1: f64) -> f64 {
    if n <= 1 {
        return (r0 + r1) / 2.0;
    }
    r0 + (r1 - r0) * i as f64 / (n - 1) as f64
}

/// Formats a coordinate for SVG: at most 2 decimals, no trailing zeros.
pub fn fmt_coord(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// `M x0 y0 L x1 y1 …` through the points; empty for no point.
pub fn line_path(points: &[(f64, f64)]) -> String {
    let mut out = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(if i == 0 { 'M' } else { 'L' });
        out.push_str(&fmt_coord(*x));
        out.push(' ');
        out.push_str(&fmt_coord(*y));
    }
    out
}

/// The area under a line down to `baseline`, closed.
pub fn area_path(points: &[(f64, f64)], baseline: f64) -> String {
    match (points.first(), points.last()) {
        (Some(first), Some(last)) => format!(
            "{} L{} {} L{} {} Z",
            line_path(points),
            fmt_coord(last.0),
            fmt_coord(baseline),
            fmt_coord(first.0),
            fmt_coord(baseline)
        ),
        _ => String::new(),
    }
}

/// A trapezoid centred on `cx`: top width `w_top` at `y`, bottom width `w_bottom` at `y + h`.
pub fn trapezoid_path(cx: f64, y: f64, w_top: f64, w_bottom: f64, h: f64) -> String {
    let p = [(cx - w_top / 2.0, y), (cx + w_top / 2.0, y), (cx + w_bottom / 2.0, y + h), (cx - w_bottom / 2.0, y + h)];
    format!("{} Z", line_path(&p))
}

const MONTHS_SHORT: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// `3 janv.`, `14 juil.` — the French short form used on axes.
pub fn fr_short_date(d: NaiveDate) -> String {
    let month = MONTHS_SHORT.get(d.month0() as usize).copied().unwrap_or("");
    format!("{} {}", d.day(), month)
}

/// `3 janv. 2026`.
pub fn fr_date(d: NaiveDate) -> String {
    format!("{} {}", fr_short_date(d), d.year())
}

/// `03/01/2026`.
#[allow(dead_code, reason = "tables of other screens")]
pub fn fr_numeric_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// Integer with French thousands grouping (narrow no-break space): `12 345`.
pub fn fr_int(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A number with at most `decimals` decimals, French style (`3,5`, `12 345,25`); trailing zeros
/// dropped.
pub fn fr_decimal(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_owned(), f.trim_end_matches('0').to_owned()),
        None => (s.clone(), String::new()),
    };
    let int: i64 = int.parse().unwrap_or(0);
    let sign = if v < 0.0 && (int != 0 || !frac.is_empty()) { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", fr_int(int))
    } else {
        format!("{sign}{},{frac}", fr_int(int))
    }
}

/// A tick label: integer grouping or short decimals.
pub fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        fr_int(v.round() as i64)
    } else {
        fr_decimal(v, 2)
    }
}

/// A ratio (0..1) as a French percentage with one decimal: `42,5 %`.
pub fn fr_percent(ratio: f64) -> String {
    format!("{}\u{a0}%", fr_decimal(ratio * 100.0, 1))
}

/// Shortens `s` to `max` characters with an ellipsis.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let kept: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn linear_scale_maps_and_reverses() {
        let s = LinearScale::new((0.0, 10.0), (200.0, 0.0));
        assert_eq!(s.map(0.0), 200.0);
        assert_eq!(s.map(10.0), 0.0);
        assert_eq!(s.map(2.5), 150.0);
        let flat = LinearScale::new((3.0, 3.0), (0.0, 100.0));
        assert_eq!(flat.map(3.0), 0.0);
        assert_eq!(flat.map(f64::NAN), 0.0);
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(23.0), 25.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn ticks_cover_the_max_with_nice_values() {
        assert_eq!(nice_ticks(10.0, 5, true), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(37.0, 4, true), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        // Counts never get fractional ticks.
        assert_eq!(nice_ticks(2.0, 5, true), vec![0.0, 1.0, 2.0]);
        // Empty data still draws an axis.
        assert_eq!(nice_ticks(0.0, 4, true), vec![0.0, 1.0]);
        let t = nice_ticks(0.9, 3, false);
        assert_eq!(t, vec![0.0, 0.5, 1.0]);
        let t = nice_ticks(1234.0, 4, true);
        assert_eq!(t.last().copied(), Some(1500.0));
        assert!(t.last().copied().unwrap_or(0.0) >= 1234.0);
    }

    #[test]
    fn label_thinning() {
        assert_eq!(label_indices(5, 10), vec![0, 1, 2, 3, 4]);
        assert_eq!(label_indices(30, 6), vec![0, 5, 10, 15, 20, 25]);
        assert_eq!(label_indices(31, 6), vec![0, 6, 12, 18, 24, 30]);
        assert!(label_indices(0, 6).is_empty());
        assert!(label_indices(90, 8).len() <= 8);
    }

    #[test]
    fn bands_and_points() {
        assert_eq!(band(0, 4, 0.0, 100.0, 0.2), (2.5, 20.0));
        assert_eq!(band(3, 4, 0.0, 100.0, 0.2), (77.5, 20.0));
        assert_eq!(band(0, 0, 5.0, 100.0, 0.2), (5.0, 0.0));
        assert_eq!(point_x(0, 3, 0.0, 100.0), 0.0);
        assert_eq!(point_x(2, 3, 0.0, 100.0), 100.0);
        assert_eq!(point_x(0, 1, 0.0, 100.0), 50.0);
    }

    #[test]
    fn paths() {
        assert_eq!(line_path(&[]), "");
        assert_eq!(line_path(&[(0.0, 10.0), (5.5, 2.345)]), "M0 10 L5.5 2.35");
        assert_eq!(area_path(&[(0.0, 10.0), (10.0, 0.0)], 20.0), "M0 10 L10 0 L10 20 L0 20 Z");
        assert_eq!(area_path(&[], 20.0), "");
        assert_eq!(trapezoid_path(50.0, 0.0, 100.0, 60.0, 10.0), "M0 0 L100 0 L80 10 L20 10 Z");
        assert_eq!(fmt_coord(-0.001), "0");
    }

    #[test]
    fn french_labels() {
        assert_eq!(fr_short_date(d(2026, 1, 3)), "3 janv.");
        assert_eq!(fr_short_date(d(2026, 8, 15)), "15 août");
        assert_eq!(fr_date(d(2026, 12, 31)), "31 déc. 2026");
        assert_eq!(fr_numeric_date(d(2026, 2, 1)), "01/02/2026");
        assert_eq!(fr_int(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(fr_int(-42), "-42");
        assert_eq!(fr_decimal(3.5, 2), "3,5");
        assert_eq!(fr_decimal(1234.25, 2), "1\u{202f}234,25");
        assert_eq!(fr_decimal(2.0, 2), "2");
        assert_eq!(fr_percent(0.4256), "42,6\u{a0}%");
        assert_eq!(tick_label(2.5), "2,5");
        assert_eq!(tick_label(1000.0), "1\u{202f}000");
        assert_eq!(ellipsize("Appartement lumineux", 10), "Apparteme…");
        assert_eq!(ellipsize("court", 10), "court");
    }
}
