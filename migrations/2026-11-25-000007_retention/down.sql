ALTER TABLE dossier DROP COLUMN IF EXISTS anonymised_at;
