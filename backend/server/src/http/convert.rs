//! Domain → DTO conversions (the DTOs live in atlas-shared-types).

use atlas_domain::identity::Role;
use atlas_domain::ports::{MemberView, MembershipView, UserRecord};
use atlas_shared_types as dto;

pub fn role_dto(r: Role) -> dto::Role {
    match r {
        Role::Viewer => dto::Role::Viewer,
        Role::Agent => dto::Role::Agent,
        Role::Manager => dto::Role::Manager,
        Role::Admin => dto::Role::Admin,
    }
}

pub fn role_from_dto(r: dto::Role) -> Role {
    match r {
        dto::Role::Viewer => Role::Viewer,
        dto::Role::Agent => Role::Agent,
        dto::Role::Manager => Role::Manager,
        dto::Role::Admin => Role::Admin,
    }
}

pub fn user_dto(u: &UserRecord) -> dto::UserDto {
    dto::UserDto { id: u.id.0, email: u.email.clone(), display_name: u.display_name.clone() }
}

pub fn membership_dto(m: &MembershipView) -> dto::MembershipDto {
    dto::MembershipDto { org_id: m.org_id.0, org_name: m.org_name.clone(), role: role_dto(m.role) }
}

pub fn member_dto(m: &MemberView) -> dto::MemberDto {
    dto::MemberDto {
        id: m.user_id.0,
        email: m.email.clone(),
        display_name: m.display_name.clone(),
        active: m.active,
        role: role_dto(m.role),
    }
}
