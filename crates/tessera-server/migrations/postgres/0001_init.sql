-- Tessera service schema, PostgreSQL. Keep in step with ../sqlite/0001_init.sql.
-- Times are Unix seconds (BIGINT); hashes are raw SHA-256 bytes.

CREATE TABLE organizations (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE projects (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT  NOT NULL REFERENCES organizations (id),
    code            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    ra_policy       TEXT    NOT NULL CHECK (ra_policy IN ('review', 'pre_entered')),
    created_at      BIGINT  NOT NULL
);

CREATE TABLE admin_tokens (
    id            BIGSERIAL PRIMARY KEY,
    label         TEXT    NOT NULL,
    token_sha256  BYTEA   NOT NULL UNIQUE,
    created_at    BIGINT  NOT NULL,
    revoked       BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE sms_outbox (
    id          BIGSERIAL PRIMARY KEY,
    phone       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE sms_codes (
    id          BIGSERIAL PRIMARY KEY,
    phone       TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    code_hash   BYTEA   NOT NULL,
    ip          TEXT,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    tries       BIGINT  NOT NULL DEFAULT 0,
    used        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sms_codes_phone ON sms_codes (phone, created_at);
CREATE INDEX sms_codes_ip ON sms_codes (ip, created_at);

CREATE TABLE captchas (
    id           TEXT    PRIMARY KEY,
    answer_hash  BYTEA   NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE audit (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    subject     TEXT,
    source_ip   TEXT,
    request_id  TEXT
);
CREATE INDEX audit_at ON audit (at);
