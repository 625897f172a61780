DROP INDEX IF EXISTS dossier_lead_phone_trgm_idx;
DROP INDEX IF EXISTS dossier_lead_email_trgm_idx;
DROP INDEX IF EXISTS dossier_lead_name_trgm_idx;
