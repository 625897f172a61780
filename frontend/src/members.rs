//! Members of the current organisation (`GET /users`, MANAGER+), for assignee pickers and names.
//! Below MANAGER the list is not readable: the screens then know only the signed-in user.

use atlas_shared_types::{MemberDto, Page};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::layout::use_current_user;

/// The members, or an empty list when the role may not read them.
pub fn use_members() -> LocalResource<Vec<MemberDto>> {
    LocalResource::new(|| async {
        api::get::<Page<MemberDto>>("/users?size=100")
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    })
}

/// `(id, display name)` of the members, or of the signed-in user alone.
pub fn member_options(members: &[MemberDto]) -> Vec<(Uuid, String)> {
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
pub fn member_name(members: &[MemberDto], me: Option<Uuid>, id: Option<Uuid>) -> String {
    match id {
        None => "Non attribué".to_owned(),
        Some(id) => members
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.display_name.clone())
            .or_else(|| (Some(id) == me).then(|| "Moi".to_owned()))
            .unwrap_or_else(|| "Un collègue".to_owned()),
    }
}
