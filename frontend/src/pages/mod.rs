pub mod home;
pub mod login;
pub mod not_found;
pub mod dashboard;
pub mod kit;
pub mod annonces;
pub mod search;
pub mod settings;
