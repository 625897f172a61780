//! Session state: the access token and the current organisation, kept in localStorage
//! (`atlas.token`, `atlas.orgId`) and mirrored in signals so the UI follows changes.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use uuid::Uuid;

pub const TOKEN_KEY: &str = "atlas.token";
pub const ORG_KEY: &str = "atlas.orgId";

/// Where a 401 sends the user: the login page, which then says the session expired.
pub const EXPIRED_LOGIN_PATH: &str = "/login?expired=1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn read(key: &str) -> Option<String> {
    storage()?
        .get_item(key)
        .ok()?
        .filter(|v| !v.trim().is_empty())
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
        Session {
            token: RwSignal::new(stored_token()),
            org_id: RwSignal::new(stored_org_id()),
        }
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
    move || {
        session.expire();
        navigate(
            EXPIRED_LOGIN_PATH,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    }
}

/// The organisation to make current after a login: the previous one if the user is still a member
/// of it, else the first membership (they are listed by org name), else none.
pub fn initial_org(previous: Option<Uuid>, member_of: &[Uuid]) -> Option<Uuid> {
    previous
        .filter(|p| member_of.contains(p))
        .or_else(|| member_of.first().copied())
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
    fn initial_org_prefers_previous_membership() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let gone = Uuid::from_u128(3);
        assert_eq!(initial_org(Some(b), &[a, b]), Some(b));
        assert_eq!(initial_org(Some(gone), &[a, b]), Some(a));
        assert_eq!(initial_org(None, &[a, b]), Some(a));
        assert_eq!(initial_org(None, &[]), None);
    }

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
}
