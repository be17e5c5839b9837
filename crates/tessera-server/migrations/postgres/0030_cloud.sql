-- Cloud-key accounts: self-registration reviewed by an operator, Argon2id passwords with a
-- server-side lockout counter, the bound device key, the service's half d2 of the two-party
-- SM2 key (SM4-GCM under the master key, AAD = account id), the issued certificate.

CREATE TABLE cloud_accounts (
    id                 TEXT PRIMARY KEY,
    org                TEXT NOT NULL,
    user_id            TEXT NOT NULL,
    name               TEXT NOT NULL,
    phone              TEXT,
    password_hash      TEXT NOT NULL,          -- Argon2id PHC string
    status             TEXT NOT NULL,          -- pending | approved | rejected
    failed_logins      BIGINT NOT NULL DEFAULT 0,
    locked_until       BIGINT NOT NULL DEFAULT 0,
    device_key         BYTEA,                   -- SEC1 uncompressed SM2 public key
    device_label       TEXT,
    public_key         BYTEA,                   -- joint SM2 public key, SEC1 uncompressed
    sealed_share       BYTEA,                   -- SM4-GCM(d2) under the master key
    certificate_serial TEXT,
    signature_png      BYTEA,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (org, user_id)
);
CREATE INDEX cloud_accounts_status ON cloud_accounts (status);

CREATE TABLE cloud_sessions (
    token_hash  BYTEA PRIMARY KEY,              -- SHA-256 of the bearer token
    account_id  TEXT NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX cloud_sessions_account ON cloud_sessions (account_id);

CREATE TABLE cloud_app_sessions (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    app_id      TEXT NOT NULL,
    app_name    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX cloud_app_sessions_account ON cloud_app_sessions (account_id);
