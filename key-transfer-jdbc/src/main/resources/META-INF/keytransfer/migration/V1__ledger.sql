-- key-transfer host ledger, schema 1. Portable SQL: the same script runs on H2 and PostgreSQL.
-- Instants are epoch microseconds (BIGINT), hashes lowercase hex SHA-256.

-- One row per delivered key: the current state of each delivery (a projection of kt_audit).
CREATE TABLE kt_delivery (
  session_id     VARCHAR(80)   NOT NULL PRIMARY KEY,
  device_issuer  VARCHAR(1024) NOT NULL,
  device_serial  VARCHAR(80)   NOT NULL,
  device_subject VARCHAR(1024) NOT NULL,
  master_key     BOOLEAN       NOT NULL,
  key_header     VARCHAR(1100) NOT NULL,
  kcv            VARCHAR(80)   NOT NULL,
  status         VARCHAR(16)   NOT NULL,
  node_id        VARCHAR(64)   NOT NULL,
  delivered_at   BIGINT        NOT NULL,
  updated_at     BIGINT        NOT NULL,
  recorded_seq   BIGINT        NOT NULL
);
CREATE INDEX kt_delivery_device ON kt_delivery (device_serial, device_issuer, recorded_seq);
CREATE INDEX kt_delivery_open ON kt_delivery (status, delivered_at);
CREATE INDEX kt_delivery_recent ON kt_delivery (device_serial, delivered_at);

-- The append-only audit trail: every session past S2, every status change and every refused
-- pending-key report (REFUSED_REPORT), each record hashed
-- together with the previous record's hash.
CREATE TABLE kt_audit (
  seq              BIGINT        NOT NULL PRIMARY KEY,
  event            VARCHAR(16)   NOT NULL,
  node_id          VARCHAR(64)   NOT NULL,
  session_id       VARCHAR(80)   NOT NULL,
  terminal_subject VARCHAR(1024),
  terminal_issuer  VARCHAR(1024),
  terminal_serial  VARCHAR(80),
  operation        VARCHAR(32),
  key_header       VARCHAR(1100),
  kcv              VARCHAR(80),
  outcome          VARCHAR(40)   NOT NULL,
  error_code       INTEGER,
  started_at       BIGINT,
  recorded_at      BIGINT        NOT NULL,
  prev_hash        CHAR(64)      NOT NULL,
  hash             CHAR(64)      NOT NULL
);
CREATE INDEX kt_audit_session ON kt_audit (session_id);
CREATE INDEX kt_audit_terminal ON kt_audit (terminal_serial, event, recorded_at);

-- The chain's head: every write locks this one row first, so appends from all hosts are
-- serialized and the chain stays linear.
CREATE TABLE kt_audit_head (
  id   INTEGER  NOT NULL PRIMARY KEY,
  seq  BIGINT   NOT NULL,
  hash CHAR(64) NOT NULL
);
INSERT INTO kt_audit_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- DUKPT device numbers, allocated by the database so that no two devices get one number.
CREATE TABLE kt_dukpt_counter (
  key_set    VARCHAR(64) NOT NULL PRIMARY KEY,
  next_value BIGINT      NOT NULL
);
CREATE TABLE kt_dukpt_number (
  key_set       VARCHAR(64)   NOT NULL,
  device_number BIGINT        NOT NULL,
  device_issuer VARCHAR(1024) NOT NULL,
  device_serial VARCHAR(80)   NOT NULL,
  node_id       VARCHAR(64)   NOT NULL,
  assigned_at   BIGINT        NOT NULL,
  PRIMARY KEY (key_set, device_number)
);
