-- Core CRM (PRODUCT.md §2–§9). Every table is tenant-scoped: (org_id, id) primary keys and
-- (org_id, …) foreign keys, so a cross-org reference cannot exist.

-- Per-org sequences for human references (ANN-000042, DOS-000123), gap-tolerant.
CREATE TABLE reference_counter (
    org_id UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    kind   TEXT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

CREATE TABLE annonce (
    org_id            UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    id                UUID NOT NULL,
    reference         TEXT NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT,
    transaction_type  TEXT NOT NULL CHECK (transaction_type IN ('SALE', 'RENT')),
    property_type     TEXT NOT NULL CHECK (property_type IN ('APARTMENT', 'HOUSE', 'LAND', 'COMMERCIAL', 'OFFICE', 'PARKING', 'OTHER')),
    status            TEXT NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'PAUSED', 'ARCHIVED')),
    price_cents       BIGINT CHECK (price_cents >= 0),
    currency          TEXT NOT NULL DEFAULT 'EUR',
    surface_m2        DOUBLE PRECISION CHECK (surface_m2 > 0),
    rooms             INTEGER CHECK (rooms >= 0),
    bedrooms          INTEGER CHECK (bedrooms >= 0),
    bathrooms         INTEGER CHECK (bathrooms >= 0),
    address           TEXT,
    postal_code       TEXT,
    city              TEXT,
    latitude          DOUBLE PRECISION,
    longitude         DOUBLE PRECISION,
    features          JSONB NOT NULL DEFAULT '[]'::jsonb,
    energy_class      TEXT CHECK (energy_class IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'NOT_SUBJECT')),
    climate_class     TEXT CHECK (climate_class IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'NOT_SUBJECT')),
    energy_cost_min   INTEGER,
    energy_cost_max   INTEGER,
    energy_cost_year  INTEGER,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at      TIMESTAMPTZ,
    version           INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, reference)
);
CREATE INDEX annonce_list_idx ON annonce (org_id, created_at DESC, id DESC);
CREATE INDEX annonce_status_idx ON annonce (org_id, status, created_at DESC);
CREATE INDEX annonce_city_idx ON annonce (org_id, lower(city));
CREATE INDEX annonce_price_idx ON annonce (org_id, price_cents);
CREATE INDEX annonce_types_idx ON annonce (org_id, transaction_type, property_type);
CREATE INDEX annonce_title_trgm_idx ON annonce USING gin (lower(title) gin_trgm_ops);

CREATE TABLE dossier (
    org_id              UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    id                  UUID NOT NULL,
    reference           TEXT NOT NULL,
    annonce_id          UUID,
    lead_name           TEXT NOT NULL,
    lead_phone          TEXT,
    lead_email          TEXT,
    whatsapp_user_id    TEXT,
    source              TEXT NOT NULL CHECK (source IN ('WEB', 'PHONE', 'WHATSAPP', 'EMAIL', 'WALK_IN', 'PORTAL', 'REFERRAL', 'IMPORT', 'OTHER')),
    dossier_type        TEXT NOT NULL CHECK (dossier_type IN ('BUY', 'RENT', 'SELL', 'LET')),
    status              TEXT NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'QUALIFYING', 'QUALIFIED', 'APPOINTMENT', 'WON', 'LOST')),
    assigned_to_user_id UUID,
    budget_min_cents    BIGINT CHECK (budget_min_cents >= 0),
    budget_max_cents    BIGINT CHECK (budget_max_cents >= 0),
    notes               TEXT,
    loss_reason         TEXT,
    won_reason          TEXT,
    status_comment      TEXT,
    last_activity_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    version             INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, reference),
    FOREIGN KEY (org_id, annonce_id) REFERENCES annonce (org_id, id),
    FOREIGN KEY (org_id, assigned_to_user_id) REFERENCES membership (org_id, user_id)
);
-- Deduplication (PRODUCT.md §3), race-proof: among OPEN dossiers of an org, one per
-- (phone, annonce) and one per (email, annonce), a null annonce matching a null annonce.
-- A create uses INSERT … ON CONFLICT DO NOTHING and, when nothing was inserted, returns the
-- holder (phone match first, else email match). WON/LOST dossiers leave these indexes.
CREATE UNIQUE INDEX dossier_dedup_phone_key ON dossier
    (org_id, lead_phone, COALESCE(annonce_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE lead_phone IS NOT NULL AND status NOT IN ('WON', 'LOST');
CREATE UNIQUE INDEX dossier_dedup_email_key ON dossier
    (org_id, lead_email, COALESCE(annonce_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE lead_email IS NOT NULL AND status NOT IN ('WON', 'LOST');
CREATE INDEX dossier_list_idx ON dossier (org_id, created_at DESC, id DESC);
CREATE INDEX dossier_status_idx ON dossier (org_id, status, created_at DESC);
CREATE INDEX dossier_source_idx ON dossier (org_id, source, created_at DESC);
CREATE INDEX dossier_assignee_idx ON dossier (org_id, assigned_to_user_id, created_at DESC);
CREATE INDEX dossier_annonce_idx ON dossier (org_id, annonce_id);
CREATE INDEX dossier_phone_idx ON dossier (org_id, lead_phone);
CREATE INDEX dossier_email_idx ON dossier (org_id, lead_email);
CREATE INDEX dossier_whatsapp_user_idx ON dossier (org_id, whatsapp_user_id) WHERE whatsapp_user_id IS NOT NULL;
CREATE INDEX dossier_name_trgm_idx ON dossier USING gin (lower(lead_name) gin_trgm_ops);

CREATE TABLE dossier_status_history (
    org_id             UUID NOT NULL,
    id                 UUID NOT NULL,
    dossier_id         UUID NOT NULL,
    from_status        TEXT NOT NULL,
    to_status          TEXT NOT NULL,
    reason             TEXT,
    comment            TEXT,
    changed_by_user_id UUID,
    changed_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE
);
CREATE INDEX dossier_status_history_idx ON dossier_status_history (org_id, dossier_id, changed_at, id);
CREATE INDEX dossier_status_history_to_idx ON dossier_status_history (org_id, to_status, changed_at);

CREATE TABLE party (
    org_id      UUID NOT NULL,
    id          UUID NOT NULL,
    dossier_id  UUID NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('BUYER', 'SELLER', 'TENANT', 'LANDLORD', 'CO_BORROWER', 'NOTARY', 'BANK', 'LAWYER', 'AGENT', 'OTHER')),
    first_name  TEXT,
    last_name   TEXT,
    phone       TEXT,
    email       TEXT,
    address     TEXT,
    notes       TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    version     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE
);
CREATE INDEX party_dossier_idx ON party (org_id, dossier_id, created_at);
CREATE INDEX party_phone_idx ON party (org_id, phone);
CREATE INDEX party_email_idx ON party (org_id, email);

CREATE TABLE message (
    org_id              UUID NOT NULL,
    id                  UUID NOT NULL,
    dossier_id          UUID NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('WHATSAPP', 'SMS', 'EMAIL', 'PHONE', 'IN_PERSON')),
    direction           TEXT NOT NULL CHECK (direction IN ('INBOUND', 'OUTBOUND')),
    content             TEXT NOT NULL,
    occurred_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by_user_id  UUID,
    external_id         TEXT,
    outbound_message_id UUID,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE
);
CREATE INDEX message_dossier_idx ON message (org_id, dossier_id, occurred_at DESC, id DESC);
CREATE INDEX message_list_idx ON message (org_id, occurred_at DESC, id DESC);
CREATE UNIQUE INDEX message_external_key ON message (org_id, channel, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE appointment (
    org_id              UUID NOT NULL,
    id                  UUID NOT NULL,
    dossier_id          UUID NOT NULL,
    annonce_id          UUID,
    title               TEXT NOT NULL,
    starts_at           TIMESTAMPTZ NOT NULL,
    ends_at             TIMESTAMPTZ NOT NULL,
    location            TEXT,
    assigned_to_user_id UUID,
    status              TEXT NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CONFIRMED', 'DONE', 'NO_SHOW', 'CANCELLED')),
    notes               TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    version             INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, id),
    CHECK (ends_at > starts_at),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, annonce_id) REFERENCES annonce (org_id, id),
    FOREIGN KEY (org_id, assigned_to_user_id) REFERENCES membership (org_id, user_id)
);
CREATE INDEX appointment_dossier_idx ON appointment (org_id, dossier_id, starts_at);
CREATE INDEX appointment_assignee_idx ON appointment (org_id, assigned_to_user_id, starts_at, ends_at);
CREATE INDEX appointment_range_idx ON appointment (org_id, starts_at, ends_at);

CREATE TABLE consent (
    org_id              UUID NOT NULL,
    id                  UUID NOT NULL,
    -- creation order, the tie-breaker of "latest" (PRODUCT.md §7)
    seq                 BIGSERIAL NOT NULL,
    dossier_id          UUID NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('WHATSAPP', 'SMS', 'EMAIL', 'PHONE')),
    purpose             TEXT NOT NULL CHECK (purpose IN ('CONTACT', 'MARKETING')),
    status              TEXT NOT NULL CHECK (status IN ('GRANTED', 'DENIED', 'REVOKED')),
    source              TEXT NOT NULL CHECK (source IN ('UI', 'WEB_FORM', 'WHATSAPP_INBOUND', 'IMPORT', 'API')),
    proof               TEXT,
    captured_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    captured_by_user_id UUID,
    expires_at          TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_dossier_idx ON consent (org_id, dossier_id, channel, purpose, captured_at DESC, seq DESC);

-- Consents are append-only: a new state is a new row. (Deleting the dossier removes them.)
CREATE FUNCTION consent_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent is append-only (UPDATE refused)' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER consent_append_only BEFORE UPDATE ON consent
    FOR EACH ROW EXECUTE FUNCTION consent_no_update();

CREATE TABLE activity (
    org_id             UUID NOT NULL,
    id                 UUID NOT NULL,
    dossier_id         UUID NOT NULL,
    type               TEXT NOT NULL CHECK (type IN ('NOTE', 'STATUS_CHANGE', 'MESSAGE', 'APPOINTMENT', 'CONSENT', 'PARTY', 'DOSSIER_CREATED', 'DUPLICATE_MERGED', 'OUTBOUND_STATUS', 'SYSTEM')),
    content            TEXT NOT NULL,
    metadata           JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_by_user_id UUID,
    occurred_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    version            INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, dossier_id) REFERENCES dossier (org_id, id) ON DELETE CASCADE
);
CREATE INDEX activity_dossier_idx ON activity (org_id, dossier_id, occurred_at DESC, id DESC);
CREATE INDEX activity_type_idx ON activity (org_id, type, occurred_at DESC);
