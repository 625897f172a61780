//! diesel repository for appointments.
