//! Session state: the access token and the current organisation, kept in localStorage
//! (`atlas.token`, `atlas.orgId`) and mirrored in signals so the UI follows changes.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::location::Location;
use leptos_router::NavigateOptions;
use uuid::Uuid;

pub const TOKEN_KEY: &str = "atlas.token";
pub const ORG_KEY: &str = "atlas.orgId";

/// The login page, coming back to `next` (a path of the app) once signed in; `expired` makes it say
/// that the session expired.
pub fn login_path(next: &str, expired: bool) -> String {
    let mut path = "/login".to_owned();
    let next = safe_next(Some(next));
    if next != "/" {
        path.push_str(&format!("?next={}", String::from(js_sys::encode_uri_component(&next))));
    }
    if expired {
        path.push_str(if path.contains('?') { "&expired=1" } else { "?expired=1" });
    }
    path
}

/// Where to go after the login: `next` when it is a path of this app (never another site, which
/// `//host` or `https:` would be, and never the login page itself), else the home page.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.starts_with("/login") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The query string of a location with its `?` (the router may give it without), or empty.
pub fn search_of(location: &Location) -> String {
    let search = location.search.get_untracked();
    if search.is_empty() || search.starts_with('?') {
        search
    } else {
        format!("?{search}")
    }
}

/// The path of a location with its query string, for `login_path`.
pub fn path_and_query(location: &Location) -> String {
    format!("{}{}", location.pathname.get_untracked(), search_of(location))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?.filter(|v| !v.trim().is_empty())
}

fn write(key: &str, value: &str) {
    if let Some(s) = storage() {
        // Storage full or disabled: the session then lives in memory only, for this page.
        let _ = s.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The token in localStorage, if any.
pub fn stored_token() -> Option<String> {
    read(TOKEN_KEY)
}

/// The current organisation in localStorage, if any and well-formed.
pub fn stored_org_id() -> Option<Uuid> {
    read(ORG_KEY).and_then(|v| Uuid::parse_str(v.trim()).ok())
}

/// Reactive view of the session, provided as context by the app.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
    org_id: RwSignal<Option<Uuid>>,
}

impl Session {
    /// The session as localStorage has it.
    pub fn load() -> Self {
        Session { token: RwSignal::new(stored_token()), org_id: RwSignal::new(stored_org_id()) }
    }

    pub fn is_signed_in_untracked(&self) -> bool {
        self.token.with_untracked(Option::is_some)
    }

    /// The current organisation (tracked).
    pub fn org_id(&self) -> Option<Uuid> {
        self.org_id.get()
    }

    pub fn org_id_untracked(&self) -> Option<Uuid> {
        self.org_id.get_untracked()
    }

    /// After a successful login.
    pub fn sign_in(&self, token: &str, org_id: Option<Uuid>) {
        write(TOKEN_KEY, token);
        self.token.set(Some(token.to_owned()));
        match org_id {
            Some(id) => self.select_org(id),
            None => self.clear_org(),
        }
    }

    pub fn select_org(&self, org_id: Uuid) {
        write(ORG_KEY, &org_id.to_string());
        self.org_id.set(Some(org_id));
    }

    pub fn clear_org(&self) {
        remove(ORG_KEY);
        self.org_id.set(None);
    }

    /// The token is no longer valid: forget it, keep the organisation for the next login.
    pub fn expire(&self) {
        remove(TOKEN_KEY);
        self.token.set(None);
    }

    /// Logout: forget everything.
    pub fn sign_out(&self) {
        self.expire();
        self.clear_org();
    }
}

/// The session of the app (provided by [`crate::app::App`]).
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| {
        let session = Session::load();
        provide_context(session);
        session
    })
}

/// A function to call when an API call answered 401: clears the token and goes to the login page,
/// which says the session expired. Must be created inside the router.
pub fn use_session_expiry() -> impl Fn() + Clone + 'static {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    move || {
        session.expire();
        // Several failed calls may report the same expiry: the first one already went to the login.
        if location.pathname.get_untracked().starts_with("/login") {
            return;
        }
        navigate(
            &login_path(&path_and_query(&location), true),
            NavigateOptions { replace: true, ..Default::default() },
        );
    }
}

/// The organisation to keep current once the memberships are known: the stored one if still valid,
/// else the only membership when there is exactly one, else none (the user picks).
pub fn reconciled_org(current: Option<Uuid>, member_of: &[Uuid]) -> Option<Uuid> {
    match current.filter(|c| member_of.contains(c)) {
        Some(c) => Some(c),
        None => match member_of {
            [only] => Some(*only),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconciled_org_selects_the_only_membership() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert_eq!(reconciled_org(None, &[a]), Some(a));
        assert_eq!(reconciled_org(Some(b), &[a]), Some(a));
        assert_eq!(reconciled_org(Some(b), &[a, b]), Some(b));
        assert_eq!(reconciled_org(None, &[a, b]), None);
        assert_eq!(reconciled_org(Some(a), &[]), None);
    }

    #[test]
    fn only_paths_of_the_app_are_followed_after_login() {
        assert_eq!(safe_next(Some("/dossiers/42?tab=messages")), "/dossiers/42?tab=messages");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/login?next=/x")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
