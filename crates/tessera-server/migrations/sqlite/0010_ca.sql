-- The CA: its keys (sealed under the master key), the certificates it issued, its CRL.

CREATE TABLE ca_keys (
    name        TEXT PRIMARY KEY,        -- 'root' or 'issuing'
    algorithm   TEXT NOT NULL,           -- sm2, p256, p384, rsa-BITS
    certificate BLOB NOT NULL,          -- DER
    sealed_key  BLOB NOT NULL,          -- SM4-GCM(PKCS#8) under the master key, AAD = name
    created_at  BIGINT NOT NULL
);

CREATE TABLE certificates (
    serial      TEXT PRIMARY KEY,        -- lowercase hex, as openssl prints it
    subject     TEXT NOT NULL,           -- RFC 4514
    issuer      TEXT NOT NULL,           -- RFC 4514
    not_before  BIGINT NOT NULL,
    not_after   BIGINT NOT NULL,
    profile     TEXT NOT NULL,
    der         BLOB NOT NULL,
    status      TEXT NOT NULL DEFAULT 'valid',  -- valid | revoked
    revoked_at  BIGINT,
    reason      TEXT,
    issued_at   BIGINT NOT NULL
);
CREATE INDEX certificates_status ON certificates (status);

CREATE TABLE crl_state (
    id          BIGINT PRIMARY KEY,      -- always 1
    crl_number  BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    der         BLOB NOT NULL
);
