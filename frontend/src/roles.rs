//! What the current role may do in the UI (the server enforces the same rules, PRODUCT.md §1).

use atlas_shared_types::Role;

/// AGENT and above create and change business data; a VIEWER sees no write buttons.
pub fn can_write(role: Role) -> bool {
    role >= Role::Agent
}

/// MANAGER and above: delete, reassign, audit, outbound retry.
pub fn is_manager(role: Role) -> bool {
    role >= Role::Manager
}

/// ADMIN only: users, org settings, WhatsApp configuration.
#[allow(dead_code, reason = "for the settings pages, built in another branch")]
pub fn is_admin(role: Role) -> bool {
    role >= Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_cannot_write_manager_can_manage() {
        assert!(!can_write(Role::Viewer));
        assert!(can_write(Role::Agent));
        assert!(!is_manager(Role::Agent));
        assert!(is_manager(Role::Manager) && is_manager(Role::Admin));
        assert!(!is_admin(Role::Manager) && is_admin(Role::Admin));
    }
}
