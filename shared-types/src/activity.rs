//! DTOs of activity.
