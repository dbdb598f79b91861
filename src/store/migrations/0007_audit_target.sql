-- The audit log grows with every command (queued, then its result): filtering it by target (a
-- terminal, a person, a user) must not read the whole table.
CREATE INDEX audit_log_target ON audit_log (target, id);
