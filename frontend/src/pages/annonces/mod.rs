//! Annonces (listings), PRODUCT.md §2 and §13: list, form (create and edit), detail.

mod detail;
mod form;
pub mod form_model;
mod list;

pub use detail::AnnonceDetail;
pub use form::AnnonceForm;
pub use list::AnnoncesList;
