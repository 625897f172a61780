DROP INDEX IF EXISTS message_outbound_idx;
DROP TABLE IF EXISTS outbound_attempt;
DROP TABLE IF EXISTS outbound_message;
DROP TABLE IF EXISTS whatsapp_settings;
