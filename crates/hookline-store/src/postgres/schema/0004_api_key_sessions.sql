-- The app-portal session an application token was made for (`AppPortalAccessIn.sessionId`), so
-- that `POST /auth/app/{app_id}/expire-all` can expire one session's tokens and leave the others.
ALTER TABLE api_keys ADD COLUMN session_id TEXT COLLATE "C";
