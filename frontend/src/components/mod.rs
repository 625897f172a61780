//! Reusable view components.

pub mod charts;
pub mod dpe;
