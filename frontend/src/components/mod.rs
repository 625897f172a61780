//! Shared UI building blocks: loading, empty and error states, pagination, form fields, status
//! badges, toasts and modal dialogs.

pub mod charts;
pub mod confirm;
pub mod dpe;
pub mod empty_state;
pub mod error_box;
pub mod export_button;
pub mod field;
pub mod loading;
pub mod modal;
pub mod pagination;
pub mod status_badge;
pub mod toast;

pub use confirm::ConfirmDialog;
pub use empty_state::EmptyState;
pub use error_box::ErrorBox;
pub use export_button::ExportButton;
pub use field::Field;
pub use loading::Loading;
pub use modal::Modal;
pub use pagination::Pagination;
pub use status_badge::StatusBadge;
pub use toast::{use_toasts, ToastArea, Toasts};
