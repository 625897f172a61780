//! PRODUCT.md — annonces use cases (to be implemented).
