//! SVG charts of the dashboard: a time series (line or bars) with axes and French date labels, a
//! horizontal bar chart and a funnel. The geometry lives in [`geometry`] (pure, unit-tested); the
//! components only lay it out. Every chart is an `<svg role="img">` with a `<title>`, a `<desc>`
//! listing its data and an `aria-label`, and scales with its container (viewBox, width 100 %).

pub mod geometry;

use chrono::NaiveDate;
use leptos::prelude::*;

use geometry::{
    area_path, band, fmt_coord, fr_short_date, label_indices, line_path, nice_ticks, point_x, tick_label,
    trapezoid_path, LinearScale,
};

/// True on narrow screens (< 600 px): charts then use a narrower viewBox, so their text stays
/// readable instead of being scaled down.
pub fn narrow_viewport() -> bool {
    web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).is_some_and(|w| w < 600.0)
}

/// One point of a time series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub date: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    Line,
    Bar,
}

/// A time series with a y axis (nice ticks, grid lines) and an x axis of French short dates.
#[component]
pub fn TimeSeriesChart(
    points: Vec<SeriesPoint>,
    kind: SeriesKind,
    /// What the chart shows, read by screen readers (`<title>`, aria-label).
    #[prop(into)]
    label: String,
    #[prop(into, optional)] testid: String,
    /// Spans a whole row: a wider viewBox, so that the text keeps its size.
    #[prop(optional)]
    wide: bool,
) -> impl IntoView {
    let narrow = narrow_viewport();
    let (w, h) = match (narrow, wide) {
        (true, _) => (360.0, 220.0),
        (false, true) => (1000.0, 260.0),
        (false, false) => (560.0, 240.0),
    };
    let (ml, mr, mt, mb) = (40.0, 12.0, 12.0, 30.0);
    let (x0, x1, y0, y1) = (ml, w - mr, h - mb, mt);
    let max = points.iter().map(|p| p.value).fold(0.0_f64, f64::max);
    let ticks = nice_ticks(max, if narrow { 3 } else { 4 }, true);
    let top = ticks.last().copied().unwrap_or(1.0);
    let y = LinearScale::new((0.0, top), (y0, y1));
    let n = points.len();

    let grid = ticks
        .iter()
        .map(|t| {
            let ty = fmt_coord(y.map(*t));
            view! {
                <g class="chart-tick">
                    <line class="chart-gridline" x1=fmt_coord(x0) x2=fmt_coord(x1) y1=ty.clone() y2=ty.clone() />
                    <text class="chart-label" x=fmt_coord(x0 - 6.0) y=ty dy="0.32em" text-anchor="end">
                        {tick_label(*t)}
                    </text>
                </g>
            }
        })
        .collect_view();

    let max_labels = if narrow {
        4
    } else if wide {
        10
    } else {
        6
    };
    let (marks, x_of): (AnyView, Box<dyn Fn(usize) -> f64>) = match kind {
        SeriesKind::Bar => {
            let bars = points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (bx, bw) = band(i, n, x0, x1, 0.25);
                    let by = y.map(p.value);
                    let tip = format!("{} : {}", fr_short_date(p.date), tick_label(p.value));
                    view! {
                        <g class="chart-bar">
                            <rect x=fmt_coord(bx) y=fmt_coord(by) width=fmt_coord(bw.max(1.0))
                                height=fmt_coord((y0 - by).max(0.0)) rx="2" />
                            <title>{tip}</title>
                        </g>
                    }
                })
                .collect_view()
                .into_any();
            (
                bars,
                Box::new(move |i| {
                    let (bx, bw) = band(i, n, x0, x1, 0.25);
                    bx + bw / 2.0
                }),
            )
        }
        SeriesKind::Line => {
            let xy: Vec<(f64, f64)> =
                points.iter().enumerate().map(|(i, p)| (point_x(i, n, x0, x1), y.map(p.value))).collect();
            let dots = if n <= 45 {
                points
                    .iter()
                    .zip(xy.iter())
                    .map(|(p, (cx, cy))| {
                        let tip = format!("{} : {}", fr_short_date(p.date), tick_label(p.value));
                        view! {
                            <g class="chart-dot">
                                <circle cx=fmt_coord(*cx) cy=fmt_coord(*cy) r="3" />
                                <title>{tip}</title>
                            </g>
                        }
                    })
                    .collect_view()
                    .into_any()
            } else {
                ().into_any()
            };
            let line = view! {
                <g>
                    <path class="chart-area" d=area_path(&xy, y0) />
                    <path class="chart-line" d=line_path(&xy) />
                    {dots}
                </g>
            }
            .into_any();
            (line, Box::new(move |i| point_x(i, n, x0, x1)))
        }
    };

    let x_labels = label_indices(n, max_labels)
        .into_iter()
        .filter_map(|i| points.get(i).map(|p| (i, p.date)))
        .map(|(i, date)| {
            let lx = fmt_coord(x_of(i));
            view! {
                <g class="chart-tick">
                    <line class="chart-axis" x1=lx.clone() x2=lx.clone() y1=fmt_coord(y0) y2=fmt_coord(y0 + 4.0) />
                    <text class="chart-label" x=lx y=fmt_coord(y0 + 18.0) text-anchor="middle">
                        {fr_short_date(date)}
                    </text>
                </g>
            }
        })
        .collect_view();

    let desc = points
        .iter()
        .map(|p| format!("{} : {}", fr_short_date(p.date), tick_label(p.value)))
        .collect::<Vec<_>>()
        .join(" ; ");
    let view_box = format!("0 0 {w} {h}");
    let aria = label.clone();
    view! {
        <svg class="chart" viewBox=view_box role="img" aria-label=aria data-testid=testid
            preserveAspectRatio="xMidYMid meet">
            <title>{label}</title>
            <desc>{desc}</desc>
            {grid}
            <line class="chart-axis" x1=fmt_coord(x0) x2=fmt_coord(x1) y1=fmt_coord(y0) y2=fmt_coord(y0) />
            {marks}
            {x_labels}
        </svg>
    }
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct HBarItem {
    pub label: String,
    pub value: f64,
    /// Shown at the end of the bar (`12 · 3 gagnés`).
    pub value_label: String,
    /// Link of the row (an annonce, say).
    pub href: Option<String>,
}

/// Horizontal bars, one row per item: the label and the value on a line, the bar below.
#[component]
pub fn HBarChart(
    items: Vec<HBarItem>,
    #[prop(into)] label: String,
    #[prop(into, optional)] testid: String,
    /// Spans a whole row: a wider viewBox, so that the text keeps its size.
    #[prop(optional)]
    wide: bool,
) -> impl IntoView {
    let narrow = narrow_viewport();
    let w: f64 = match (narrow, wide) {
        (true, _) => 360.0,
        (false, true) => 1000.0,
        (false, false) => 480.0,
    };
    let row = 40.0;
    let h = (items.len() as f64 * row).max(row);
    let max = items.iter().map(|i| i.value).fold(0.0_f64, f64::max);
    let x = LinearScale::new((0.0, if max > 0.0 { max } else { 1.0 }), (0.0, w));
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let top = i as f64 * row;
            let bw = x.map(item.value).max(if item.value > 0.0 { 2.0 } else { 0.0 });
            // About 7 px a character at 12 px: what the value leaves to the label.
            let room = ((w - item.value_label.chars().count() as f64 * 6.6 - 16.0) / 7.0).max(8.0) as usize;
            let text = view! {
                <text class="chart-label chart-label--strong" x="0" y=fmt_coord(top + 13.0)>
                    {geometry::ellipsize(&item.label, room)}
                </text>
            };
            let label = match &item.href {
                // Inside a <g> so that the macro builds an SVG <a>, not an HTML one.
                Some(href) => view! { <g><a href=href.clone()>{text}</a></g> }.into_any(),
                None => text.into_any(),
            };
            let tip = format!("{} : {}", item.label, item.value_label);
            view! {
                <g class="chart-hbar">
                    <title>{tip}</title>
                    {label}
                    <text class="chart-label" x=fmt_coord(w) y=fmt_coord(top + 13.0) text-anchor="end">
                        {item.value_label.clone()}
                    </text>
                    <rect class="chart-track" x="0" y=fmt_coord(top + 19.0) width=fmt_coord(w) height="12" rx="3" />
                    <rect x="0" y=fmt_coord(top + 19.0) width=fmt_coord(bw) height="12" rx="3" />
                </g>
            }
        })
        .collect_view();
    let desc = items.iter().map(|i| format!("{} : {}", i.label, i.value_label)).collect::<Vec<_>>().join(" ; ");
    let aria = label.clone();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=aria data-testid=testid>
            <title>{label}</title>
            <desc>{desc}</desc>
            {rows}
        </svg>
    }
}

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    pub label: String,
    pub count: i64,
}

/// Share of the first step reached by each step (0..1; 0 when the first step is empty).
pub fn funnel_ratios(steps: &[FunnelStep]) -> Vec<f64> {
    let first = steps.first().map(|s| s.count).unwrap_or(0);
    steps.iter().map(|s| if first > 0 { s.count as f64 / first as f64 } else { 0.0 }).collect()
}

/// A funnel: each step a centred, slightly tapered band whose width follows its count (steps can be
/// skipped, so a later step may be wider than an earlier one: the bands do not pretend otherwise).
#[component]
pub fn FunnelChart(
    steps: Vec<FunnelStep>,
    #[prop(into)] label: String,
    #[prop(into, optional)] testid: String,
) -> impl IntoView {
    let narrow = narrow_viewport();
    let w: f64 = if narrow { 360.0 } else { 480.0 };
    let row = 46.0;
    let h = (steps.len() as f64 * row).max(row);
    let ratios = funnel_ratios(&steps);
    let min_w = 8.0;
    let width_of = |r: f64| (w * r).max(min_w);
    let rows = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let r = ratios.get(i).copied().unwrap_or(0.0);
            let top = i as f64 * row;
            let pct = geometry::fr_percent(r);
            let value = format!("{} ({pct})", geometry::fr_int(s.count));
            let tip = format!("{} : {value}", s.label);
            view! {
                <g class="chart-funnel-step">
                    <title>{tip}</title>
                    <text class="chart-label chart-label--strong" x="0" y=fmt_coord(top + 13.0)>{s.label.clone()}</text>
                    <text class="chart-label" x=fmt_coord(w) y=fmt_coord(top + 13.0) text-anchor="end">{value}</text>
                    <path d=trapezoid_path(w / 2.0, top + 19.0, width_of(r), width_of(r) * 0.94, 20.0) />
                </g>
            }
        })
        .collect_view();
    let desc = steps
        .iter()
        .zip(ratios.iter())
        .map(|(s, r)| format!("{} : {} ({})", s.label, s.count, geometry::fr_percent(*r)))
        .collect::<Vec<_>>()
        .join(" ; ");
    let aria = label.clone();
    view! {
        <svg class="chart chart--funnel" viewBox=format!("0 0 {w} {h}") role="img" aria-label=aria
            data-testid=testid>
            <title>{label}</title>
            <desc>{desc}</desc>
            {rows}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_ratios_follow_the_first_step() {
        let steps = [
            FunnelStep { label: "Nouveau".into(), count: 40 },
            FunnelStep { label: "Qualifié".into(), count: 10 },
            FunnelStep { label: "Gagné".into(), count: 0 },
        ];
        assert_eq!(funnel_ratios(&steps), vec![1.0, 0.25, 0.0]);
        let empty = [FunnelStep { label: "Nouveau".into(), count: 0 }];
        assert_eq!(funnel_ratios(&empty), vec![0.0]);
        assert!(funnel_ratios(&[]).is_empty());
    }
}
