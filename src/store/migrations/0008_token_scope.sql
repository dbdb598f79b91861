-- Scoped API tokens: a token given to a reporting tool must not open doors or download the
-- backup. Tokens made before scopes existed had every right and keep it ('admin').
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin' CHECK (scope IN ('read', 'commands', 'admin'));
--> statement-breakpoint
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
