//! Members of the current organisation (`GET /members`, every role: ids and names), for assignee
//! pickers and for the names shown on dossiers, appointments and the audit log.

use atlas_shared_types::ColleagueDto;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::layout::use_current_user;

/// The members, or an empty list when they cannot be read (the screens then name only the
/// signed-in user).
pub fn use_members() -> LocalResource<Vec<ColleagueDto>> {
    LocalResource::new(|| async { api::get::<Vec<ColleagueDto>>("/members").await.unwrap_or_default() })
}

/// `(id, display name)` of the active members, or of the signed-in user alone.
pub fn member_options(members: &[ColleagueDto]) -> Vec<(Uuid, String)> {
    if members.is_empty() {
        return use_current_user()
            .map(|c| {
                let u = c.user();
                vec![(u.id, u.display_name)]
            })
            .unwrap_or_default();
    }
    members.iter().filter(|m| m.active).map(|m| (m.id, m.display_name.clone())).collect()
}

/// The display name of a user id: a member's name, « Moi », or « Non attribué ».
pub fn member_name(members: &[ColleagueDto], me: Option<Uuid>, id: Option<Uuid>) -> String {
    match id {
        None => "Non attribué".to_owned(),
        Some(id) => members
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.display_name.clone())
            .or_else(|| (Some(id) == me).then(|| "Moi".to_owned()))
            .unwrap_or_else(|| "Ancien membre".to_owned()),
    }
}
