//! DTOs of party.
