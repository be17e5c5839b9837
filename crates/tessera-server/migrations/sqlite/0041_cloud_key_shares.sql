-- Cloud key shares (issue 14): the service's half d2 of a two-party key in its own table, keyed
-- by (account, grant). The owner's own share has no grant (grant_id NULL); delegation grants
-- add shares of their own. A use is counted by the statement that fetches the share
-- (`UPDATE … RETURNING sealed_share`), so no share is read without being counted.
-- Additive: cloud_accounts.sealed_share stays as it was; its shares are copied here.

CREATE TABLE cloud_key_shares (
    account_id    TEXT NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    grant_id      TEXT,                    -- NULL: the account owner's own share
    sealed_share  BLOB NOT NULL,           -- SM4-GCM(d2) under the master key, AAD cloud:<account>
    uses          BIGINT NOT NULL DEFAULT 0,
    last_used_at  BIGINT,
    created_at    BIGINT NOT NULL
);
-- One share per (account, grant), the owner's (NULL grant) included.
CREATE UNIQUE INDEX cloud_key_shares_key ON cloud_key_shares (account_id, COALESCE(grant_id, ''));

INSERT INTO cloud_key_shares (account_id, grant_id, sealed_share, uses, last_used_at, created_at)
SELECT id, NULL, sealed_share, 0, NULL, updated_at FROM cloud_accounts WHERE sealed_share IS NOT NULL;
