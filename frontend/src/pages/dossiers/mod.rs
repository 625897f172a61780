//! Dossiers: list, creation, pipeline board, detail.

mod create;
mod detail;
mod import;
mod list;
mod pipeline;
mod transition;

pub use create::{DossierEditPage, DossierNewPage};
pub use detail::DossierDetailPage;
pub use list::DossiersListPage;
pub use pipeline::PipelinePage;
