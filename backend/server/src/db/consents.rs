//! diesel repository for consents.
