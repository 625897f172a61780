-- Retention (PRODUCT.md §12, docs/retention.md). The settings live in organisation.settings
-- under the key "retention" ({messageContentDays, auditDays, closedDossierAnonymiseDays}); this
-- migration only adds what the purge needs to be idempotent and fast.

-- When the retention job anonymised a closed dossier (null = never): a second run skips it, and
-- the dossier can be told apart from a lead really named « Anonymisé ». Closed dossiers are
-- outside the dedup unique indexes (they are partial on open statuses) and the table has no
-- CHECK on leadPhone/leadEmail (the rule is applied by the application, BSUID-only dossiers
-- exist), so clearing the lead's phone and email breaks no constraint.
ALTER TABLE dossier ADD COLUMN anonymised_at TIMESTAMPTZ;

-- Lookups use existing indexes: message_list_idx (org_id, occurred_at), audit_event_created_idx
-- (org_id, created_at), dossier_status_idx and dossier_status_history_idx (org_id, dossier_id, …).
