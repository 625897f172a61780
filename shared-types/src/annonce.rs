//! DTOs of annonce.
