//! PRODUCT.md — messages use cases (to be implemented).
