//! Atlas CRM single-page application (Leptos, client-side rendering, French UI).
//! Served by `atlas` at `/`; talks to the API under `/api/v1` on the same origin.

mod api;
mod app;
mod auth;
mod components;
mod format;
mod labels;
mod layout;
mod members;
mod pages;
mod roles;
mod url_state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
