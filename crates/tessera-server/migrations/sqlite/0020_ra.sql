-- RA self-service: applications, pre-entered records, business-query sessions.
-- Keep in step with ../postgres/0020_ra.sql.

CREATE TABLE applications (
    id               TEXT    PRIMARY KEY,      -- 16 random bytes, hex
    project_id       BIGINT  NOT NULL REFERENCES projects (id),
    phone            TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    id_number        TEXT    NOT NULL,
    organization     TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    key_algorithm    TEXT    NOT NULL,         -- sm2, p256, p384, rsa
    password_hash    TEXT    NOT NULL,         -- Argon2id, PHC string
    password_tries   BIGINT  NOT NULL DEFAULT 0,
    privacy_version  TEXT    NOT NULL,
    terms_version    TEXT    NOT NULL,
    consented_at     BIGINT  NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'issued')),
    reason           TEXT,
    reviewed_by      TEXT,
    reviewed_at      BIGINT,
    serial           TEXT    REFERENCES certificates (serial),
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX applications_phone ON applications (phone, created_at);
CREATE INDEX applications_status ON applications (status, created_at);
CREATE INDEX applications_serial ON applications (serial);

CREATE TABLE pre_entered (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id       BIGINT  NOT NULL REFERENCES projects (id),
    name             TEXT    NOT NULL,
    id_number        TEXT    NOT NULL,
    phone            TEXT    NOT NULL,
    organization     TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    application_id   TEXT    REFERENCES applications (id),
    UNIQUE (project_id, id_number)
);

CREATE TABLE ra_sessions (
    token_sha256     BLOB    PRIMARY KEY,
    phone            TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    expires_at       BIGINT  NOT NULL
);

-- A certificate replaced by renewal names its successor; a second renewal of it is refused.
ALTER TABLE certificates ADD COLUMN renewed_by TEXT;
