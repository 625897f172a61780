DROP INDEX IF EXISTS dossier_status_history_changed_idx;
DROP INDEX IF EXISTS message_dossier_direction_idx;
DROP INDEX IF EXISTS message_direction_idx;
ALTER TABLE message DROP COLUMN IF EXISTS search_tsv;
ALTER TABLE party DROP COLUMN IF EXISTS phone_digits;
ALTER TABLE party DROP COLUMN IF EXISTS search_tsv;
DROP INDEX IF EXISTS party_name_unaccent_trgm_idx;
ALTER TABLE dossier DROP COLUMN IF EXISTS lead_phone_digits;
ALTER TABLE dossier DROP COLUMN IF EXISTS search_tsv;
DROP INDEX IF EXISTS dossier_name_unaccent_trgm_idx;
DROP INDEX IF EXISTS dossier_reference_trgm_idx;
ALTER TABLE annonce DROP COLUMN IF EXISTS search_tsv;
DROP INDEX IF EXISTS annonce_reference_trgm_idx;
DROP FUNCTION IF EXISTS atlas_search_query(text[]);
DROP FUNCTION IF EXISTS atlas_words(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS atlas_simple;
DROP TEXT SEARCH CONFIGURATION IF EXISTS atlas_fr;
DROP FUNCTION IF EXISTS f_unaccent(text);
-- btree_gin is left installed: other objects may use it.
