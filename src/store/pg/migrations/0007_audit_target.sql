-- As SQLite's 0007: the audit log filtered by target without reading the whole table.
CREATE INDEX audit_log_target ON audit_log (target, id);
