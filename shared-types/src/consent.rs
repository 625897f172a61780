//! DTOs of consent.
