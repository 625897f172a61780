//! diesel repository for annonces.
