//! Typed access to list filters (`?status=NEW&minPrice=100000`): every bad value is collected and
//! answered as one 400 `VALIDATION_ERROR` naming each parameter.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use atlas_shared_types::FieldError;

use super::pagination::{page_request, query_pairs, PageRequest};
use super::problem::ApiError;

/// The `{id}` of a resource path. A malformed id names no resource: 404, like an id of another org.
pub fn path_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found())
}

pub struct Query {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl Query {
    pub fn parse(query_string: &str) -> Result<Query, ApiError> {
        Ok(Query { pairs: query_pairs(query_string)?, errors: Vec::new() })
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
    }

    fn fail(&mut self, name: &str, message: String) {
        self.errors.push(FieldError { field: name.to_string(), message });
    }

    pub fn text(&mut self, name: &str) -> Option<String> {
        self.raw(name).map(|v| v.trim().to_string())
    }

    /// An enum filter; `parse` is the wire-name parser of the domain enum, `allowed` its names.
    pub fn enumeration<T>(&mut self, name: &str, parse: fn(&str) -> Option<T>, allowed: &[&str]) -> Option<T> {
        let v = self.raw(name)?.trim().to_string();
        let parsed = parse(&v);
        if parsed.is_none() {
            self.fail(name, format!("must be one of {}", allowed.join(", ")));
        }
        parsed
    }

    pub fn uuid(&mut self, name: &str) -> Option<Uuid> {
        let v = self.raw(name)?.trim().to_string();
        let parsed = Uuid::parse_str(&v).ok();
        if parsed.is_none() {
            self.fail(name, "must be a UUID".into());
        }
        parsed
    }

    pub fn number(&mut self, name: &str) -> Option<f64> {
        let v = self.raw(name)?.trim().to_string();
        let parsed = v.parse::<f64>().ok().filter(|n| n.is_finite());
        if parsed.is_none() {
            self.fail(name, "must be a number".into());
        }
        parsed
    }

    /// A date (`2026-11-23`) or an RFC 3339 timestamp.
    pub fn date(&mut self, name: &str) -> Option<DateOrTime> {
        let v = self.raw(name)?.trim().to_string();
        if let Ok(d) = NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            return Some(DateOrTime::Date(d));
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(&v) {
            return Some(DateOrTime::Time(t.with_timezone(&Utc)));
        }
        self.fail(name, "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp".into());
        None
    }

    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.raw(name)?.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                self.fail(name, "must be true or false".into());
                None
            }
        }
    }

    pub fn page(&mut self, sortable: &[&str]) -> Option<PageRequest> {
        match page_request(&self.pairs, sortable) {
            Ok(p) => Some(p),
            Err(e) => {
                self.errors.extend(e.errors.unwrap_or_default());
                None
            }
        }
    }

    /// Ends the parsing: all problems at once.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrTime {
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl DateOrTime {
    /// Start of the range: a date means its first instant (UTC).
    pub fn as_from(self) -> DateTime<Utc> {
        match self {
            DateOrTime::Date(d) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default(),
            DateOrTime::Time(t) => t,
        }
    }

    /// End of the range, exclusive: a date includes its whole day.
    pub fn as_to_exclusive(self) -> DateTime<Utc> {
        match self {
            DateOrTime::Date(d) => {
                d.succ_opt().and_then(|n| n.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()).unwrap_or_default()
            }
            DateOrTime::Time(t) => t + chrono::Duration::microseconds(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_bool(s: &str) -> Option<bool> {
        match s {
            "A" => Some(true),
            _ => None,
        }
    }

    #[test]
    fn collects_every_bad_parameter() {
        let mut q =
            Query::parse("status=NOPE&annonceId=xyz&minPrice=abc&size=500&q=%20villa%20").unwrap_or_else(|_| panic!());
        assert_eq!(q.enumeration("status", parse_bool, &["A"]), None);
        assert_eq!(q.uuid("annonceId"), None);
        assert_eq!(q.number("minPrice"), None);
        assert_eq!(q.text("q").as_deref(), Some("villa"));
        assert!(q.page(&[]).is_none());
        let err = q.finish().err().and_then(|e| e.errors).unwrap_or_default();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "annonceId", "minPrice", "size"]);
    }

    #[test]
    fn dates_cover_whole_days() {
        let mut q = Query::parse("from=2026-11-23&to=2026-11-23").unwrap_or_else(|_| panic!());
        let from = q.date("from").map(DateOrTime::as_from);
        let to = q.date("to").map(DateOrTime::as_to_exclusive);
        assert_eq!(to.zip(from).map(|(t, f)| (t - f).num_hours()), Some(24));
    }
}
