//! PRODUCT.md — parties use cases (to be implemented).
