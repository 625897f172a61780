ALTER TABLE dossier DROP COLUMN IF EXISTS last_inbound_at;
DROP TABLE IF EXISTS whatsapp_inbound_event;
DROP TABLE IF EXISTS whatsapp_template;
DROP INDEX IF EXISTS whatsapp_settings_verify_token_idx;
DROP INDEX IF EXISTS whatsapp_settings_phone_number_id_key;
ALTER TABLE whatsapp_settings DROP COLUMN IF EXISTS version;
ALTER TABLE whatsapp_settings DROP COLUMN IF EXISTS created_at;
ALTER TABLE whatsapp_settings DROP COLUMN IF EXISTS verify_token_hash;
ALTER TABLE whatsapp_settings DROP COLUMN IF EXISTS app_secret_sealed;
-- whatsapp_settings itself belongs to 000003 when that migration exists; dropped only by it.
