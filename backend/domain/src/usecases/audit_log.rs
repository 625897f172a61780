//! PRODUCT.md — audit_log use cases (to be implemented).
