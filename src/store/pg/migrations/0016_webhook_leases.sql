-- PostgreSQL only (a single box has one dispatcher): which cluster instance delivers a
-- destination's outbox, until when (ms on the database's clock). Rows go with their destination.
CREATE TABLE webhook_leases (
  webhook_id BIGINT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
