//! diesel repository for audit_log.
