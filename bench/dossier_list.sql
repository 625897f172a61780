-- pgbench script: the dossier list page of one random bench org (newest first, 20 rows) plus its
-- count, as the list endpoint runs them (PRODUCT.md §0 lists). The org is found by its unique
-- name (an InitPlan, evaluated once per statement).
\set i random(1, :orgs)
SELECT id, reference, lead_name, lead_phone, lead_email, source, dossier_type, status, assigned_to_user_id,
       last_activity_at, created_at, updated_at, version
FROM dossier
WHERE org_id = (SELECT id FROM organisation WHERE name = 'Bench Org ' || lpad(:i::text, 4, '0'))
ORDER BY created_at DESC, id DESC LIMIT 20;
SELECT count(*) FROM dossier
WHERE org_id = (SELECT id FROM organisation WHERE name = 'Bench Org ' || lpad(:i::text, 4, '0'));
