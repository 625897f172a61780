//! diesel repository for dossiers.
