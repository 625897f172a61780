//! PRODUCT.md — appointments use cases (to be implemented).
