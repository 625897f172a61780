-- WhatsApp settings, templates and inbound webhook events (PRODUCT.md §10).
--
-- whatsapp_settings is also created by 000003 (outbox); IF NOT EXISTS lets this migration run
-- with or without it. Secrets are stored sealed with AES-256-GCM under ATLAS_DATA_KEY
-- (base64 of nonce || ciphertext, see backend/server/src/security/secretbox.rs):
--   access_token      the sealed access token (column kept for 000003's readers: they open it)
--   app_secret_sealed the sealed app secret (needed in clear to verify webhook signatures)
--   verify_token_hash SHA-256 hex of the verify token (only equality is ever needed)
CREATE TABLE IF NOT EXISTS whatsapp_settings (
    org_id          UUID PRIMARY KEY REFERENCES organisation (id),
    phone_number_id TEXT NOT NULL,
    access_token    TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE whatsapp_settings ADD COLUMN IF NOT EXISTS app_secret_sealed TEXT;
ALTER TABLE whatsapp_settings ADD COLUMN IF NOT EXISTS verify_token_hash TEXT;
ALTER TABLE whatsapp_settings ADD COLUMN IF NOT EXISTS created_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE whatsapp_settings ADD COLUMN IF NOT EXISTS version INTEGER NOT NULL DEFAULT 1;
-- phone_number_id is the webhook's routing key: one org per number.
CREATE UNIQUE INDEX IF NOT EXISTS whatsapp_settings_phone_number_id_key ON whatsapp_settings (phone_number_id);
CREATE INDEX IF NOT EXISTS whatsapp_settings_verify_token_idx ON whatsapp_settings (verify_token_hash);

CREATE TABLE whatsapp_template (
    org_id      UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    -- audit events need a UUID entity id; the API addresses templates by code
    id          UUID NOT NULL,
    code        TEXT NOT NULL CHECK (code ~ '^[a-z0-9_]{1,100}$'),
    language    TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('UTILITY', 'MARKETING', 'AUTHENTICATION')),
    body        TEXT NOT NULL,
    param_count INTEGER NOT NULL CHECK (param_count >= 0),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    version     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, code),
    UNIQUE (org_id, id)
);
CREATE INDEX whatsapp_template_list_idx ON whatsapp_template (org_id, created_at DESC, code);

-- Every webhook item we could attribute to an org, raw: the idempotency key of inbound messages
-- (UNIQUE (org_id, wa_message_id)) and the dead-letter of items that failed to process.
-- Status items are only kept when they fail (their id repeats: sent, delivered, read).
CREATE TABLE whatsapp_inbound_event (
    org_id        UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    id            UUID NOT NULL,
    wa_message_id TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('MESSAGE', 'STATUS')),
    payload       JSONB NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('PROCESSED', 'FAILED', 'IGNORED')),
    error         TEXT,
    dossier_id    UUID,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at  TIMESTAMPTZ,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, wa_message_id)
);
CREATE INDEX whatsapp_inbound_event_status_idx ON whatsapp_inbound_event (org_id, status, received_at DESC);

-- The 24-hour customer service window: time of the latest INBOUND WHATSAPP message, kept as
-- max() by the webhook (the outbox reads it instead of scanning messages).
ALTER TABLE dossier ADD COLUMN last_inbound_at TIMESTAMPTZ;
