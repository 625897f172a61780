//! PRODUCT.md — consents use cases (to be implemented).
