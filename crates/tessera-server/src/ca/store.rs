//! CA rows: keys (wrapped under the master key), issued certificates and their revocation, the CRL state.

use crate::store::{Result, Store, StoreError, conflict_or, dispatch};

/// A CA key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaKeyRow {
    /// `root` or `issuing`.
    pub name: String,
    /// `sm2`, `p256`, `p384`, `rsa-BITS`.
    pub algorithm: String,
    /// The CA certificate, DER.
    pub certificate: Vec<u8>,
    /// The private key wrapped under the master key.
    pub sealed_key: Vec<u8>,
}

/// An issued certificate to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate<'a> {
    /// Lowercase hex serial.
    pub serial: &'a str,
    /// RFC 4514 subject.
    pub subject: &'a str,
    /// RFC 4514 issuer.
    pub issuer: &'a str,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
    /// Profile name.
    pub profile: &'a str,
    /// DER.
    pub der: &'a [u8],
    /// Unix seconds.
    pub issued_at: i64,
}

/// A revoked certificate as the CRL lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedRow {
    /// Lowercase hex serial.
    pub serial: String,
    /// Unix seconds.
    pub revoked_at: i64,
    /// RFC 5280 reason name.
    pub reason: String,
}

/// The last CRL made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlRow {
    /// cRLNumber.
    pub crl_number: i64,
    /// Unix seconds.
    pub this_update: i64,
    /// Unix seconds.
    pub next_update: i64,
    /// DER.
    pub der: Vec<u8>,
}

impl Store {
    /// The CA key called `name`, if any.
    pub async fn ca_key(&self, name: &str) -> Result<Option<CaKeyRow>> {
        let row: Option<(String, String, Vec<u8>, Vec<u8>)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT name, algorithm, certificate, sealed_key FROM ca_keys WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(pool)
        .await?);
        Ok(
            row.map(|(name, algorithm, certificate, sealed_key)| CaKeyRow {
                name,
                algorithm,
                certificate,
                sealed_key,
            }),
        )
    }

    /// Stores a CA key; a name taken is a conflict (another replica created the CA first).
    pub async fn insert_ca_key(&self, row: &CaKeyRow, now: i64) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO ca_keys (name, algorithm, certificate, sealed_key, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&row.name)
        .bind(&row.algorithm)
        .bind(&row.certificate)
        .bind(&row.sealed_key)
        .bind(now)
        .execute(pool)
        .await
        .map_err(|e| conflict_or(e, || format!("CA key {}", row.name)))?
        .rows_affected());
        Ok(())
    }

    /// Records an issued certificate.
    pub async fn insert_certificate(&self, c: &NewCertificate<'_>) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO certificates (serial, subject, issuer, not_before, not_after, profile, \
             der, status, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'valid', $8)",
        )
        .bind(c.serial)
        .bind(c.subject)
        .bind(c.issuer)
        .bind(c.not_before)
        .bind(c.not_after)
        .bind(c.profile)
        .bind(c.der)
        .bind(c.issued_at)
        .execute(pool)
        .await
        .map_err(|e| conflict_or(e, || format!("certificate {}", c.serial)))?
        .rows_affected());
        Ok(())
    }

    /// The DER of the certificate with `serial`.
    pub async fn certificate_der(&self, serial: &str) -> Result<Option<Vec<u8>>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "SELECT der FROM certificates WHERE serial = $1",
        )
        .bind(serial)
        .fetch_optional(pool)
        .await?))
    }

    /// Marks `serial` revoked. Not found, or revoked already, is an error.
    pub async fn revoke_certificate(&self, serial: &str, at: i64, reason: &str) -> Result<()> {
        let n = dispatch!(self, pool => sqlx::query(
            "UPDATE certificates SET status = 'revoked', revoked_at = $2, reason = $3 \
             WHERE serial = $1 AND status = 'valid'",
        )
        .bind(serial)
        .bind(at)
        .bind(reason)
        .execute(pool)
        .await?
        .rows_affected());
        if n == 1 {
            return Ok(());
        }
        match self.certificate_der(serial).await? {
            None => Err(StoreError::NotFound {
                what: format!("certificate {serial}"),
            }),
            Some(_) => Err(StoreError::Conflict {
                what: format!("revocation of certificate {serial}"),
            }),
        }
    }

    /// Every revoked certificate, oldest revocation first.
    pub async fn revoked_certificates(&self) -> Result<Vec<RevokedRow>> {
        let rows: Vec<(String, Option<i64>, Option<String>)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT serial, revoked_at, reason FROM certificates WHERE status = 'revoked' \
             ORDER BY revoked_at, serial",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(serial, revoked_at, reason)| RevokedRow {
                serial,
                revoked_at: revoked_at.unwrap_or(0),
                reason: reason.unwrap_or_else(|| "unspecified".into()),
            })
            .collect())
    }

    /// The last CRL made, if any.
    pub async fn crl_state(&self) -> Result<Option<CrlRow>> {
        let row: Option<(i64, i64, i64, Vec<u8>)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT crl_number, this_update, next_update, der FROM crl_state WHERE id = 1",
        )
        .fetch_optional(pool)
        .await?);
        Ok(
            row.map(|(crl_number, this_update, next_update, der)| CrlRow {
                crl_number,
                this_update,
                next_update,
                der,
            }),
        )
    }

    /// Stores the CRL unless one with the same or a higher number is there already (another
    /// replica made it meanwhile); says whether it was stored.
    pub async fn save_crl(&self, crl: &CrlRow) -> Result<bool> {
        let n = dispatch!(self, pool => sqlx::query(
            "INSERT INTO crl_state (id, crl_number, this_update, next_update, der) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET \
             crl_number = excluded.crl_number, this_update = excluded.this_update, \
             next_update = excluded.next_update, der = excluded.der \
             WHERE crl_state.crl_number < excluded.crl_number",
        )
        .bind(crl.crl_number)
        .bind(crl.this_update)
        .bind(crl.next_update)
        .bind(&crl.der)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n == 1)
    }
}
