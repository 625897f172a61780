use serde::{Deserialize, Serialize};

/// RFC 7807 problem details, as every error of the API is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// Allowed target statuses, on `INVALID_TRANSITION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// One page of a collection: `{items, page, size, totalItems, totalPages}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub size: u32,
    pub total_items: u64,
    pub total_pages: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, page: u32, size: u32, total_items: u64) -> Self {
        let total_pages = if size == 0 { 0 } else { total_items.div_ceil(u64::from(size)) };
        Page { items, page, size, total_items, total_pages }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_counts_partial_last_page() {
        let p: Page<u8> = Page::new(vec![], 0, 20, 41);
        assert_eq!(p.total_pages, 3);
        let p: Page<u8> = Page::new(vec![], 0, 20, 0);
        assert_eq!(p.total_pages, 0);
    }

    #[test]
    fn problem_serialises_type_and_camel_case() {
        let p = Problem {
            type_: "about:blank".into(),
            title: "Not Found".into(),
            status: 404,
            detail: None,
            code: "NOT_FOUND".into(),
            request_id: Some("r1".into()),
            errors: None,
            allowed: None,
        };
        let v = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(v["type"], "about:blank");
        assert_eq!(v["requestId"], "r1");
        assert!(v.get("errors").is_none());
    }
}
