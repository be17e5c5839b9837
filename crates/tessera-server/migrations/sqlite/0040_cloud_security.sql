-- Cloud-key security (issue 13): refused device signatures counted apart from wrong passwords
-- (a stranger's wrong logins lock password login only, never a bound device's key use), and
-- the nonces of device-signed requests, each accepted once until its time window ends.

ALTER TABLE cloud_accounts ADD COLUMN device_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cloud_accounts ADD COLUMN device_locked_until BIGINT NOT NULL DEFAULT 0;

CREATE TABLE cloud_device_nonces (
    nonce       BLOB PRIMARY KEY,              -- 16 random bytes drawn by the device
    expires_at  BIGINT NOT NULL                -- Unix seconds after which the request is stale
);
CREATE INDEX cloud_device_nonces_expiry ON cloud_device_nonces (expires_at);
