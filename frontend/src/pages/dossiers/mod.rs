//! Dossiers: list, creation, pipeline board, detail.

mod create;
mod detail;
mod list;
mod pipeline;
mod transition;

pub use create::DossierNewPage;
pub use detail::DossierDetailPage;
pub use list::DossiersListPage;
pub use pipeline::PipelinePage;
