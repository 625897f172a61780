//! `?page=0&size=20&sort=field,asc|desc` (PRODUCT.md §0): out of range → 400, never clamped.

use atlas_shared_types::FieldError;

use super::problem::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortSpec {
    pub field: String,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub size: u32,
    pub sort: Option<SortSpec>,
}

pub const DEFAULT_SIZE: u32 = 20;
pub const MAX_SIZE: u32 = 100;

/// Parses the paging parameters out of already-decoded query pairs; `sortable` lists the fields
/// this collection can be sorted by.
pub fn page_request(pairs: &[(String, String)], sortable: &[&str]) -> Result<PageRequest, ApiError> {
    let mut errors = Vec::new();
    let get = |k: &str| pairs.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let page = match get("page") {
        None => 0,
        Some(v) => v.parse::<u32>().unwrap_or_else(|_| {
            errors.push(FieldError { field: "page".into(), message: "must be an integer ≥ 0".into() });
            0
        }),
    };
    let size = match get("size") {
        None => DEFAULT_SIZE,
        Some(v) => match v.parse::<u32>() {
            Ok(s) if (1..=MAX_SIZE).contains(&s) => s,
            _ => {
                errors.push(FieldError {
                    field: "size".into(),
                    message: format!("must be an integer between 1 and {MAX_SIZE}"),
                });
                DEFAULT_SIZE
            }
        },
    };
    let sort = match get("sort") {
        None | Some("") => None,
        Some(v) => {
            let (field, dir) = v.split_once(',').unwrap_or((v, "asc"));
            let descending = match dir.to_ascii_lowercase().as_str() {
                "asc" => Some(false),
                "desc" => Some(true),
                _ => None,
            };
            match descending {
                Some(d) if sortable.contains(&field) => Some(SortSpec { field: field.to_string(), descending: d }),
                _ => {
                    errors.push(FieldError {
                        field: "sort".into(),
                        message: format!("must be one of {} followed by ,asc or ,desc", sortable.join(", ")),
                    });
                    None
                }
            }
        }
    };
    if errors.is_empty() {
        Ok(PageRequest { page, size, sort })
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Decodes a raw query string (`application/x-www-form-urlencoded`) into pairs.
pub fn query_pairs(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .map_err(|_| ApiError::field("query", "malformed query string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Result<PageRequest, ApiError> {
        page_request(&query_pairs(q).unwrap_or_default(), &["createdAt", "name"])
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(p("").ok(), Some(PageRequest { page: 0, size: 20, sort: None }));
        assert!(p("size=0").is_err());
        assert!(p("size=101").is_err());
        assert!(p("size=100").is_ok());
        assert!(p("page=-1").is_err());
        assert!(p("sort=password,asc").is_err());
        let ok = p("page=2&size=5&sort=name,desc").ok();
        assert_eq!(ok.and_then(|r| r.sort), Some(SortSpec { field: "name".into(), descending: true }));
    }
}
