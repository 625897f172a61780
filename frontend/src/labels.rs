//! French labels of API enums.

use atlas_shared_types::Role;

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrateur",
        Role::Manager => "Manager",
        Role::Agent => "Agent",
        Role::Viewer => "Lecteur",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_in_french() {
        assert_eq!(role_label(Role::Admin), "Administrateur");
        assert_eq!(role_label(Role::Viewer), "Lecteur");
    }
}
