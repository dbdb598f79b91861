-- Scoped API tokens, as SQLite's 0008_token_scope: tokens made before scopes existed had every
-- right and keep it ('admin').
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin' CHECK (scope IN ('read', 'commands', 'admin'));
--> statement-breakpoint
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
