-- The dossier list's `q` filter is a case-insensitive substring over name, email, phone and
-- reference (ILIKE '%…%'). Without these, a rare term scans every dossier of the org (157 ms at
-- 100k dossiers, docs/benchmarks.md); with them it is a BitmapOr of trigram index scans.
-- (org_id first: btree_gin, enabled by 000005.)
CREATE INDEX dossier_lead_name_trgm_idx ON dossier USING gin (org_id, lead_name gin_trgm_ops);
CREATE INDEX dossier_lead_email_trgm_idx ON dossier USING gin (org_id, lead_email gin_trgm_ops);
CREATE INDEX dossier_lead_phone_trgm_idx ON dossier USING gin (org_id, lead_phone gin_trgm_ops);
