//! PRODUCT.md — dossiers use cases (to be implemented).
