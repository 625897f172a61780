//! Global search (PRODUCT.md §11): what a query means is decided here, purely; the adapter turns a
//! [`SearchPlan`] into one SQL statement over the org's full-text and trigram indexes.

use uuid::Uuid;

use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId};
use crate::phone::digits_only;
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum SearchType {
        Annonce => "ANNONCE",
        Dossier => "DOSSIER",
        Partie => "PARTIE",
        Message => "MESSAGE",
    }
}

pub const MIN_QUERY_CHARS: usize = 2;
pub const MAX_QUERY_CHARS: usize = 200;
/// More words than this add nothing but cost (every token is ANDed).
const MAX_TOKENS: usize = 8;
const MAX_TOKEN_CHARS: usize = 64;
/// PRODUCT.md §11: any run of at least 4 consecutive digits of a phone matches.
pub const MIN_PHONE_DIGITS: usize = 4;
/// Trigram indexes need 3 characters to narrow anything down.
const MIN_PARTIAL_CHARS: usize = 3;

/// Sentinels around highlighted words in raw `ts_headline` output (Unicode private-use characters,
/// stripped from the source text first, so user data can never forge one).
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub q: Option<String>,
    pub types: Option<String>,
    pub page: u32,
    pub size: u32,
}

/// What the adapter must look for, all tenant-scoped to `org_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    pub org_id: OrgId,
    pub types: Vec<SearchType>,
    /// Full-text tokens (letters and digits only, so safe to build a tsquery from); each must match
    /// as a prefix, in its French stem or its simple form.
    pub tokens: Vec<String>,
    /// The query as a whole, upper-cased, for the exact-reference bonus (`ann-000042` → `ANN-000042`).
    pub exact_reference: Option<String>,
    /// `ILIKE` pattern (wildcards escaped) for a partial reference: only when the query has a digit.
    pub reference_like: Option<String>,
    /// `LIKE` pattern on the lower-cased, unaccented name (partial name, « pont » → Dupont).
    pub name_like: Option<String>,
    /// `LIKE` patterns on the digits of phones: the run as typed, and without a national trunk `0`
    /// (« 06 12 34 » must find +33 6 12 34 …, whose digits are 336123 4…).
    pub phone_likes: Vec<String>,
    pub page: u32,
    pub size: u32,
}

impl SearchPlan {
    /// Nothing could match: no token, no phone run, no partial pattern.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
            && self.phone_likes.is_empty()
            && self.reference_like.is_none()
            && self.name_like.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub hit_type: SearchType,
    pub id: Uuid,
    pub title: String,
    /// Raw `ts_headline` output with [`MARK_START`]/[`MARK_END`]; see [`render_snippet`].
    pub raw_snippet: String,
    pub dossier_id: Option<Uuid>,
    pub score: f64,
}

pub trait SearchStore {
    /// One page of hits, best first, and the total number of hits.
    fn search(&mut self, plan: &SearchPlan) -> DomainResult<(Vec<SearchHit>, u64)>;
}

pub fn search(store: &mut impl SearchStore, actor: &Actor, req: SearchRequest) -> DomainResult<(Vec<SearchHit>, u64)> {
    actor.require(Capability::Read)?;
    let plan = plan(actor.org_id, req)?;
    if plan.is_empty() {
        return Ok((Vec::new(), 0));
    }
    store.search(&plan)
}

/// Validates the request (all violations at once) and derives what to look for.
pub fn plan(org_id: OrgId, req: SearchRequest) -> DomainResult<SearchPlan> {
    let mut errors = Vec::new();
    let q = req.q.as_deref().map(str::trim).unwrap_or("");
    let len = q.chars().count();
    if !(MIN_QUERY_CHARS..=MAX_QUERY_CHARS).contains(&len) {
        errors.push(FieldViolation::new("q", format!("must be {MIN_QUERY_CHARS} to {MAX_QUERY_CHARS} characters")));
    }
    let types = match parse_types(req.types.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }

    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    let has_digit = compact.chars().any(|c| c.is_ascii_digit());
    let partial_ok = compact.chars().count() >= MIN_PARTIAL_CHARS;
    Ok(SearchPlan {
        org_id,
        types,
        tokens: tokens(q),
        exact_reference: Some(compact.to_uppercase()).filter(|_| has_digit),
        reference_like: Some(format!("%{}%", escape_like(&compact))).filter(|_| has_digit && partial_ok),
        name_like: Some(format!("%{}%", escape_like(&q.to_lowercase())))
            .filter(|_| partial_ok && q.chars().any(char::is_alphabetic)),
        phone_likes: phone_likes(q),
        page: req.page,
        size: req.size,
    })
}

fn parse_types(raw: Option<&str>) -> Result<Vec<SearchType>, FieldViolation> {
    let names: Vec<&str> = raw.unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if names.is_empty() {
        return Ok(SearchType::ALL.to_vec());
    }
    let mut out = Vec::new();
    for n in names {
        let t = SearchType::parse(&n.to_ascii_uppercase()).ok_or_else(|| {
            FieldViolation::new("types", "must be a comma-separated list of ANNONCE, DOSSIER, PARTIE, MESSAGE")
        })?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Runs of letters and digits, lower-cased; everything else (quotes, `&`, `:`, `!`, …) separates
/// words and can never reach the tsquery syntax.
pub fn tokens(q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let w: String = word.to_lowercase().chars().take(MAX_TOKEN_CHARS).collect();
        if !out.contains(&w) {
            out.push(w);
        }
        if out.len() == MAX_TOKENS {
            break;
        }
    }
    out
}

/// A phone search only when the query looks like a phone fragment (digits and separators) with
/// at least [`MIN_PHONE_DIGITS`] digits.
fn phone_likes(q: &str) -> Vec<String> {
    let phone_like = q.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/'));
    let digits = digits_only(q);
    if !phone_like || digits.len() < MIN_PHONE_DIGITS {
        return Vec::new();
    }
    let mut out = vec![format!("%{digits}%")];
    if let Some(rest) = digits.strip_prefix('0').filter(|r| r.len() >= MIN_PHONE_DIGITS - 1 && !r.starts_with('0')) {
        out.push(format!("%{rest}%"));
    }
    out
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The frontend-safe snippet: the text is HTML-escaped, then the highlight sentinels become
/// `<mark>`/`</mark>` — the only tags a snippet can ever contain, always balanced.
pub fn render_snippet(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    let mut open = false;
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Role, UserId};

    fn req(q: &str, types: Option<&str>) -> SearchRequest {
        SearchRequest { q: Some(q.to_string()), types: types.map(str::to_string), page: 0, size: 20 }
    }

    fn org() -> OrgId {
        OrgId(Uuid::nil())
    }

    #[test]
    fn query_length_and_types_are_validated_together() {
        let Err(DomainError::Validation(errs)) = plan(org(), req("a", Some("ANNONCE,NOPE"))) else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["q", "types"]);
        assert!(plan(org(), SearchRequest { q: None, types: None, page: 0, size: 20 }).is_err());
        assert!(plan(org(), req(&"x".repeat(201), None)).is_err());
        assert!(plan(org(), req(&"é".repeat(200), None)).is_ok());
        assert!(plan(org(), req("  a  ", None)).is_err(), "trimmed before counting");
    }

    #[test]
    fn types_default_to_all_and_accept_any_case_and_duplicates() {
        assert_eq!(plan(org(), req("dupont", None)).map(|p| p.types).ok(), Some(SearchType::ALL.to_vec()));
        assert_eq!(
            plan(org(), req("dupont", Some("message, dossier,MESSAGE"))).map(|p| p.types).ok(),
            Some(vec![SearchType::Message, SearchType::Dossier])
        );
    }

    #[test]
    fn tokens_are_letters_and_digits_only() {
        assert_eq!(tokens("Appartement l'Étoile & 'x':* | !y"), ["appartement", "l", "étoile", "x", "y"]);
        assert_eq!(tokens("ANN-000042"), ["ann", "000042"]);
        assert_eq!(tokens("a a a").len(), 1);
        assert_eq!(tokens("1 2 3 4 5 6 7 8 9 10").len(), MAX_TOKENS);
    }

    #[test]
    fn phone_runs_need_four_digits_and_drop_a_trunk_zero() {
        let p = |q: &str| plan(org(), req(q, None)).map(|p| p.phone_likes).unwrap_or_default();
        assert_eq!(p("06 12 34"), ["%061234%", "%61234%"]);
        assert_eq!(p("1234"), ["%1234%"]);
        assert_eq!(p("+33 6 12"), ["%33612%"]);
        assert!(p("123").is_empty());
        assert!(p("Dupont 1234").is_empty(), "words make it a text search");
        assert_eq!(p("0612"), ["%0612%", "%612%"]);
    }

    #[test]
    fn references_and_names_get_partial_patterns() {
        let pl = plan(org(), req("ann-00004", None)).unwrap_or_else(|_| panic!());
        assert_eq!(pl.exact_reference.as_deref(), Some("ANN-00004"));
        assert_eq!(pl.reference_like.as_deref(), Some("%ann-00004%"));
        let pl = plan(org(), req("50%_off", None)).unwrap_or_else(|_| panic!());
        assert_eq!(pl.reference_like.as_deref(), Some("%50\\%\\_off%"));
        let pl = plan(org(), req("Dupont", None)).unwrap_or_else(|_| panic!());
        assert_eq!(pl.reference_like, None);
        assert_eq!(pl.exact_reference, None);
        assert_eq!(pl.name_like.as_deref(), Some("%dupont%"));
        assert_eq!(plan(org(), req("du", None)).map(|p| p.name_like).ok(), Some(None));
    }

    #[test]
    fn nothing_to_search_is_an_empty_page_not_a_query() {
        struct Never;
        impl SearchStore for Never {
            fn search(&mut self, _: &SearchPlan) -> DomainResult<(Vec<SearchHit>, u64)> {
                panic!("must not be called")
            }
        }
        let actor = Actor { user_id: UserId(Uuid::nil()), org_id: org(), role: Role::Viewer };
        let out = search(&mut Never, &actor, req("--", None)).map(|(h, n)| (h.len(), n)).ok();
        assert_eq!(out, Some((0, 0)));
    }

    #[test]
    fn snippets_escape_everything_but_mark() {
        let raw = format!("<script>&\"'{MARK_START}Dupont{MARK_END} {MARK_END}x{MARK_START}y");
        assert_eq!(render_snippet(&raw), "&lt;script&gt;&amp;&quot;&#39;<mark>Dupont</mark> x<mark>y</mark>");
    }
}
