DROP TABLE IF EXISTS audit_event;
DROP FUNCTION IF EXISTS audit_event_append_only();
DROP TABLE IF EXISTS membership;
DROP TABLE IF EXISTS app_user;
DROP TABLE IF EXISTS organisation;
