//! DTOs of appointment.
