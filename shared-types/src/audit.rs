//! DTOs of audit.
