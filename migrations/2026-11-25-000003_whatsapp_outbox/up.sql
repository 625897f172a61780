-- WhatsApp outbound (PRODUCT.md §10 "Outbound (outbox)"): per-org provider credentials, the outbox
-- rows claimed by workers with a lease, and one row per provider call.

-- Per-org provider credentials. Migration 000004 (inbound) adds the webhook secrets and the
-- encryption of the token to this same table.
CREATE TABLE whatsapp_settings (
    org_id          UUID PRIMARY KEY REFERENCES organisation (id) ON DELETE CASCADE,
    phone_number_id TEXT NOT NULL,
    access_token    TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE outbound_message (
    org_id              UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    id                  UUID NOT NULL,
    dossier_id          UUID NOT NULL,
    channel             TEXT NOT NULL DEFAULT 'WHATSAPP' CHECK (channel IN ('WHATSAPP')),
    to_phone            TEXT NOT NULL,
    template_code       TEXT,
    template_language   TEXT,
    template_params     JSONB,
    text                TEXT,
    status              TEXT NOT NULL DEFAULT 'QUEUED'
        CHECK (status IN ('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'CANCELLED')),
    provider_message_id TEXT,
    -- attempts made so far (bumped when a worker claims the row)
    attempt_count       INTEGER NOT NULL DEFAULT 0,
    -- the row may be attempted while attempt_count < max_attempts; budget_start is attempt_count
    -- when the current budget began (a manager's retry gives a fresh budget without renumbering)
    max_attempts        INTEGER NOT NULL CHECK (max_attempts >= 1),
    budget_start        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ,
    lease_until         TIMESTAMPTZ,
    leased_by           UUID,
    dead_lettered       BOOLEAN NOT NULL DEFAULT false,
    last_error_code     TEXT,
    last_error_message  TEXT,
    idempotency_key     TEXT,
    request_hash        TEXT,
    created_by_user_id  UUID,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at             TIMESTAMPTZ,
    delivered_at        TIMESTAMPTZ,
    read_at             TIMESTAMPTZ,
    failed_at           TIMESTAMPTZ,
    version             INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE,
    -- exactly one of a template or a free text
    CHECK ((template_code IS NULL) <> (text IS NULL)),
    CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))
);
CREATE UNIQUE INDEX outbound_message_provider_key ON outbound_message (org_id, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
-- Race-safe Idempotency-Key: the second of two concurrent creates meets this index.
CREATE UNIQUE INDEX outbound_message_idempotency_key ON outbound_message (org_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- Claiming: due queued rows, and rows whose worker's lease ran out. Cross-org on purpose: the
-- workers serve every org.
CREATE INDEX outbound_message_due_idx ON outbound_message (next_attempt_at) WHERE status = 'QUEUED';
CREATE INDEX outbound_message_lease_idx ON outbound_message (lease_until) WHERE status = 'SENDING';
CREATE INDEX outbound_message_list_idx ON outbound_message (org_id, created_at DESC, id DESC);
CREATE INDEX outbound_message_dossier_idx ON outbound_message (org_id, dossier_id, created_at DESC, id DESC);
CREATE INDEX outbound_message_status_idx ON outbound_message (org_id, status, created_at DESC);

CREATE TABLE outbound_attempt (
    org_id              UUID NOT NULL,
    id                  UUID NOT NULL,
    outbound_message_id UUID NOT NULL,
    attempt_no          INTEGER NOT NULL,
    worker_id           UUID,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN ('SENT', 'RETRY', 'FAILED', 'DEAD_LETTER')),
    http_status         INTEGER,
    error_code          TEXT,
    error_message       TEXT,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, outbound_message_id) REFERENCES outbound_message (org_id, id) ON DELETE CASCADE
);
CREATE INDEX outbound_attempt_message_idx ON outbound_attempt (org_id, outbound_message_id, attempt_no, started_at);

CREATE INDEX message_outbound_idx ON message (org_id, outbound_message_id) WHERE outbound_message_id IS NOT NULL;
