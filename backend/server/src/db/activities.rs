//! diesel repository for activities.
