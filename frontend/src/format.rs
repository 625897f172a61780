//! Display helpers: dates in the browser's time zone, French formats, wire names of enums.

use chrono::{DateTime, Utc};
use serde::Serialize;
use wasm_bindgen::JsValue;

/// The UPPER_SNAKE_CASE wire name of a DTO enum (`DossierStatus::New` → `"NEW"`).
pub fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses a wire name back into a DTO enum.
pub fn from_wire<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

fn js_date(at: &DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64))
}

fn locale_options(pairs: &[(&str, &str)]) -> JsValue {
    let options = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    options.into()
}

/// `23/11/2026 11:15` in the browser's time zone.
pub fn date_time(at: &DateTime<Utc>) -> String {
    let d = js_date(at);
    let day = d.to_locale_date_string("fr-FR", &locale_options(&[]));
    let time =
        d.to_locale_time_string_with_options("fr-FR", &locale_options(&[("hour", "2-digit"), ("minute", "2-digit")]));
    format!("{} {}", String::from(day), String::from(time))
}

/// `11:15` in the browser's time zone.
pub fn time(at: &DateTime<Utc>) -> String {
    String::from(
        js_date(at).to_locale_time_string_with_options(
            "fr-FR",
            &locale_options(&[("hour", "2-digit"), ("minute", "2-digit")]),
        ),
    )
}

/// `lundi 23 novembre 2026` in the browser's time zone.
pub fn long_day(at: &DateTime<Utc>) -> String {
    String::from(js_date(at).to_locale_date_string(
        "fr-FR",
        &locale_options(&[("weekday", "long"), ("day", "numeric"), ("month", "long"), ("year", "numeric")]),
    ))
}

/// A sortable key of the local day (`2026-11-23`).
pub fn local_day_key(at: &DateTime<Utc>) -> String {
    let d = js_date(at);
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Now, from the browser clock.
pub fn now() -> DateTime<Utc> {
    from_millis(js_sys::Date::now())
}

pub fn from_millis(ms: f64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// The value of an `<input type="datetime-local">` (`2026-11-23T10:15`, local time) as UTC.
pub fn parse_local_input(value: &str) -> Option<DateTime<Utc>> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&JsValue::from_str(value.trim())).get_time();
    if ms.is_nan() {
        None
    } else {
        Some(from_millis(ms))
    }
}

/// The inverse of [`parse_local_input`]: `2026-11-23T10:15` in the browser's time zone.
pub fn local_input(at: &DateTime<Utc>) -> String {
    let d = js_date(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// `250 000 €`
pub fn money(amount: f64) -> String {
    let rounded = amount.round() as i64;
    let digits = rounded.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if rounded < 0 {
        out.insert(0, '-');
    }
    format!("{out}\u{a0}€")
}

/// Optional text, or a dash.
pub fn or_dash(value: Option<&str>) -> String {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => v.to_owned(),
        _ => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_shared_types::dossier::DossierStatus;

    #[test]
    fn wire_names_round_trip() {
        assert_eq!(wire(&DossierStatus::Qualifying), "QUALIFYING");
        assert_eq!(from_wire::<DossierStatus>("LOST"), Some(DossierStatus::Lost));
        assert_eq!(from_wire::<DossierStatus>("nope"), None);
    }

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(250000.0), "250\u{202f}000\u{a0}€");
        assert_eq!(money(950.0), "950\u{a0}€");
    }
}

/// A price in its currency, cents kept: `450 000 €`, `1 250,5 €`, `900 CHF`.
pub fn price(amount: f64, currency: &str) -> String {
    let symbol = if currency == "EUR" { "€" } else { currency };
    format!("{}\u{a0}{symbol}", crate::components::charts::geometry::fr_decimal(amount, 2))
}

/// Today in the browser's time zone.
pub fn today() -> chrono::NaiveDate {
    let d = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date()).unwrap_or_default()
}

#[cfg(test)]
mod price_tests {
    use super::*;

    #[test]
    fn prices_keep_cents_and_currency() {
        assert_eq!(price(450000.0, "EUR"), "450\u{202f}000\u{a0}€");
        assert_eq!(price(1250.5, "EUR"), "1\u{202f}250,5\u{a0}€");
        assert_eq!(price(900.0, "CHF"), "900\u{a0}CHF");
    }
}
