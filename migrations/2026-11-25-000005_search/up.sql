-- Search (PRODUCT.md §11): accent-insensitive full text + partial phone/reference/name matching,
-- tenant-scoped. Every index starts with org_id (btree_gin lets a GIN index carry the uuid), so a
-- search only ever walks one org's entries — also the shape a distributed (Citus) layout needs.
--
-- Columns added here are GENERATED: they follow every write (including GDPR erasure and the
-- retention purge of message contents) without any application code. They are not declared in
-- db/schema.rs on purpose: only raw search SQL reads them, and diesel never selects `*`.

CREATE EXTENSION IF NOT EXISTS btree_gin;

-- unaccent() is only STABLE (it depends on the dictionary found by search_path), so it cannot be
-- used in an index or a generated column; this wrapper pins the dictionary and the schema.
CREATE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Text search configurations that unaccent every word before stemming (french, for prose) or
-- keeping it as is (simple, for names, emails, references, cities). Because unaccent runs inside
-- the configuration, ts_headline() can parse the ORIGINAL text and still highlight « élégant »
-- for a query « elegant » (a vector built from f_unaccent(text) could not give that).
CREATE TEXT SEARCH CONFIGURATION atlas_fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION atlas_fr
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION atlas_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION atlas_simple
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, simple;

-- Emails and references as words: « jean.dupont@mail.fr » → « jean dupont mail fr », « ANN-000042 »
-- → « ANN 000042 » (the default parser keeps an email as one token and reads « -000042 » as a
-- signed number, so a search for « dupont » or « 000042 » would never find them).
CREATE FUNCTION atlas_words(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT translate(coalesce($1, ''), '@._-+', '     ') $$;

-- The query of one search: every token must match (AND); a token matches its french stem OR its
-- simple form, both as a prefix (type-ahead: « dup » finds « Dupont »). French stop words are
-- dropped (they are not in the french vectors) unless the query has nothing else. Tokens come from
-- the domain (letters and digits only), so building the tsquery text here cannot inject operators.
CREATE FUNCTION atlas_search_query(tokens text[]) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    WITH t AS (
        SELECT to_tsquery('atlas_fr', tok || ':*') AS fr, to_tsquery('atlas_simple', tok || ':*') AS si
        FROM unnest(tokens) AS tok
    )
    SELECT coalesce(
        (SELECT string_agg('(' || fr::text || ' | ' || si::text || ')', ' & ') FROM t WHERE numnode(fr) > 0),
        (SELECT string_agg(si::text, ' & ') FROM t WHERE numnode(si) > 0)
    )::tsquery
$$;

-- Annonces: reference and title weigh most, then city, then the description.
ALTER TABLE annonce ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('atlas_simple', atlas_words(reference)), 'A')
    || setweight(to_tsvector('atlas_fr', title), 'A')
    || setweight(to_tsvector('atlas_simple', coalesce(city, '') || ' ' || coalesce(postal_code, '')), 'B')
    || setweight(to_tsvector('atlas_fr', coalesce(description, '')), 'C')
) STORED;
CREATE INDEX annonce_search_idx ON annonce USING gin (org_id, search_tsv);
CREATE INDEX annonce_reference_trgm_idx ON annonce USING gin (org_id, reference gin_trgm_ops);

-- Dossiers: reference and lead name, then the email's words; phone as digits for partial runs.
ALTER TABLE dossier ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('atlas_simple', atlas_words(reference)), 'A')
    || setweight(to_tsvector('atlas_simple', lead_name), 'A')
    || setweight(to_tsvector('atlas_simple', atlas_words(lead_email)), 'B')
) STORED;
ALTER TABLE dossier ADD COLUMN lead_phone_digits TEXT GENERATED ALWAYS AS (
    regexp_replace(lead_phone, '\D', '', 'g')
) STORED;
CREATE INDEX dossier_search_idx ON dossier USING gin (org_id, search_tsv);
CREATE INDEX dossier_reference_trgm_idx ON dossier USING gin (org_id, reference gin_trgm_ops);
CREATE INDEX dossier_name_unaccent_trgm_idx ON dossier USING gin (org_id, lower(f_unaccent(lead_name)) gin_trgm_ops);
CREATE INDEX dossier_phone_digits_trgm_idx ON dossier USING gin (org_id, lead_phone_digits gin_trgm_ops);

-- Parties: names, then the email's words; phone as digits.
ALTER TABLE party ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('atlas_simple', coalesce(first_name, '') || ' ' || coalesce(last_name, '')), 'A')
    || setweight(to_tsvector('atlas_simple', atlas_words(email)), 'B')
) STORED;
ALTER TABLE party ADD COLUMN phone_digits TEXT GENERATED ALWAYS AS (
    regexp_replace(phone, '\D', '', 'g')
) STORED;
CREATE INDEX party_search_idx ON party USING gin (org_id, search_tsv);
CREATE INDEX party_name_unaccent_trgm_idx ON party
    USING gin (org_id, lower(f_unaccent(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) gin_trgm_ops);
CREATE INDEX party_phone_digits_trgm_idx ON party USING gin (org_id, phone_digits gin_trgm_ops);

-- Messages: the content, as French prose.
ALTER TABLE message ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    to_tsvector('atlas_fr', content)
) STORED;
CREATE INDEX message_search_idx ON message USING gin (org_id, search_tsv);

-- Dashboard (PRODUCT.md §11): messages counted per direction over a period, first responses per
-- dossier, status changes over a period whatever their target (durations); the other dashboard
-- queries are served by the core indexes (dossier created_at, history to_status, appointment).
CREATE INDEX dossier_status_history_changed_idx ON dossier_status_history (org_id, changed_at);
CREATE INDEX message_direction_idx ON message (org_id, direction, occurred_at);
CREATE INDEX message_dossier_direction_idx ON message (org_id, dossier_id, direction, occurred_at);
