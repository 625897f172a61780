//! DTOs of message.
