-- Query plans of the dossier list and deduplication queries (issue "Core CRM API").
-- Run by bench/explain-core.sh against a database seeded with `atlas seed-bench`; the statements
-- are the ones the diesel repositories (backend/server/src/db/dossiers.rs) send, with literals for
-- the bind parameters. psql variables: org, phone, email, annonce, name.
\set ON_ERROR_STOP on
\timing off
\pset pager off

\echo '### 1. List, first page, default sort (createdAt desc)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org'
ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM dossier WHERE org_id = :'org';

\echo '### 2. List filtered by status, page 10'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND status = 'QUALIFIED'
ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 200;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM dossier WHERE org_id = :'org' AND status = 'QUALIFIED';

\echo '### 3. List filtered by annonce and by assignee'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND annonce_id = :'annonce'
ORDER BY created_at DESC, id DESC LIMIT 20;

\echo '### 4. List with q (name/reference/email/phone substring)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org'
  AND (lead_name ILIKE '%' || :'name' || '%' OR reference ILIKE '%' || :'name' || '%'
       OR lead_email ILIKE '%' || :'name' || '%' OR lead_phone ILIKE '%' || :'name' || '%')
ORDER BY created_at DESC, id DESC LIMIT 20;

\echo '### 4b. List with a rare q, and its count'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org'
  AND (lead_name ILIKE '%zzqx%' OR reference ILIKE '%zzqx%' OR lead_email ILIKE '%zzqx%' OR lead_phone ILIKE '%zzqx%')
ORDER BY created_at DESC, id DESC LIMIT 20;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM dossier WHERE org_id = :'org'
  AND (lead_name ILIKE '%zzqx%' OR reference ILIKE '%zzqx%' OR lead_email ILIKE '%zzqx%' OR lead_phone ILIKE '%zzqx%');

\echo '### 5. Dedup: the open-duplicate lookup before insert (phone, same annonce)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND status <> ALL (ARRAY['WON', 'LOST'])
  AND annonce_id = :'annonce' AND lead_phone = :'phone' ORDER BY created_at, id LIMIT 1;

\echo '### 6. Dedup: the open-duplicate lookup by email, no annonce'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND status <> ALL (ARRAY['WON', 'LOST'])
  AND annonce_id IS NULL AND lead_email = :'email' ORDER BY created_at, id LIMIT 1;

\echo '### 7. Dedup: the insert itself (ON CONFLICT DO NOTHING on the partial unique indexes), rolled back'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
INSERT INTO dossier (org_id, id, reference, annonce_id, lead_name, lead_phone, lead_email, source, dossier_type)
VALUES (:'org', gen_random_uuid(), 'DOS-PLAN-1', :'annonce', 'Plan Test', :'phone', 'plan@test.fr', 'WEB', 'BUY')
ON CONFLICT DO NOTHING;
ROLLBACK;

\echo '### 8. GET /dossiers/duplicates?phone=&email= (three index lookups merged by the repository)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND status <> ALL (ARRAY['WON', 'LOST']) AND lead_phone = :'phone'
ORDER BY created_at, id LIMIT 20;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND status <> ALL (ARRAY['WON', 'LOST']) AND lead_email = :'email'
ORDER BY created_at, id LIMIT 20;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM dossier WHERE org_id = :'org' AND status <> ALL (ARRAY['WON', 'LOST'])
  AND id IN (SELECT dossier_id FROM party WHERE org_id = :'org' AND (phone = :'phone' OR email = :'email'))
ORDER BY created_at, id LIMIT 20;
