-- Identity and tenancy (PRODUCT.md §1), plus the audit trail every later write feeds (§9).
-- Tenant tables carry org_id in their primary and foreign keys (DESIGN.md "Tenancy").

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE organisation (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    default_country TEXT NOT NULL DEFAULT 'FR' CHECK (default_country ~ '^[A-Z]{2}$'),
    currency        TEXT NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    timezone        TEXT NOT NULL DEFAULT 'Europe/Paris',
    settings        JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    version         INTEGER NOT NULL DEFAULT 1
);
-- seed-demo and create-org find orgs by name; names are unique so that a second run changes nothing.
CREATE UNIQUE INDEX organisation_name_key ON organisation (name);

CREATE TABLE app_user (
    id            UUID PRIMARY KEY,
    -- stored trimmed and lower-cased by the application
    email         TEXT NOT NULL CHECK (email = lower(email)),
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX app_user_email_key ON app_user (email);

CREATE TABLE membership (
    org_id     UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('VIEWER', 'AGENT', 'MANAGER', 'ADMIN')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX membership_user_idx ON membership (user_id);

CREATE TABLE audit_event (
    org_id         UUID NOT NULL REFERENCES organisation (id),
    id             UUID NOT NULL,
    actor_user_id  UUID,
    action         TEXT NOT NULL,
    entity_type    TEXT NOT NULL,
    entity_id      UUID NOT NULL,
    before         JSONB,
    after          JSONB,
    diff           JSONB,
    correlation_id TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_event_entity_idx ON audit_event (org_id, entity_type, entity_id, created_at DESC);
CREATE INDEX audit_event_created_idx ON audit_event (org_id, created_at DESC);
CREATE INDEX audit_event_actor_idx ON audit_event (org_id, actor_user_id, created_at DESC);
CREATE INDEX audit_event_action_idx ON audit_event (org_id, action, created_at DESC);

-- The audit trail is append-only. Only the retention purge may delete, and it says so by setting
-- `atlas.retention_purge = on` inside its own transaction.
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('atlas.retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
