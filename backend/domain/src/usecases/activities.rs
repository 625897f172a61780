//! PRODUCT.md — activities use cases (to be implemented).
