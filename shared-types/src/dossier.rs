//! DTOs of dossier.
