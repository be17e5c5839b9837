//! RA self-service rows: applications, pre-entered records, business-query sessions, and the
//! renewal link between certificates. The rules live in `crate::ra`.

use crate::store::{Result, Store, StoreError, dispatch};

/// An application as stored (the password only as its Argon2id hash).
#[derive(Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    /// 32 hex digits.
    pub id: String,
    /// Project code.
    pub project: String,
    /// 11 digits.
    pub phone: String,
    /// Applicant name.
    pub name: String,
    /// ID card number (normalized).
    pub id_number: String,
    /// Organization.
    pub organization: String,
    /// E-mail.
    pub email: String,
    /// `sm2`, `p256`, `p384` or `rsa`.
    pub key_algorithm: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Wrong install passwords so far.
    pub password_tries: i64,
    /// Accepted privacy notice version.
    pub privacy_version: String,
    /// Accepted terms version.
    pub terms_version: String,
    /// Unix seconds of the consent.
    pub consented_at: i64,
    /// `pending`, `approved`, `rejected` or `issued`.
    pub status: String,
    /// Rejection reason.
    pub reason: Option<String>,
    /// Who reviewed (`admin:LABEL` or `pre-entered`).
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<i64>,
    /// Serial of the issued (or, after renewal, current) certificate.
    pub serial: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

impl std::fmt::Debug for ApplicationRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationRow")
            .field("id", &self.id)
            .field("project", &self.project)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A pre-entered person of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreEnteredRow {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// 11 digits.
    pub phone: String,
    /// Organization.
    pub organization: String,
    /// The application that used the record, if any.
    pub application_id: Option<String>,
}

/// What renewal needs to know of an issued certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRow {
    /// DER.
    pub der: Vec<u8>,
    /// `valid` or `revoked`.
    pub status: String,
    /// Unix seconds.
    pub not_after: i64,
    /// Serial of the certificate that replaced it.
    pub renewed_by: Option<String>,
}

macro_rules! application_select {
    () => {
        "SELECT a.id, p.code AS project, a.phone, a.name, a.id_number, a.organization, a.email, \
         a.key_algorithm, a.password_hash, a.password_tries, a.privacy_version, a.terms_version, \
         a.consented_at, a.status, a.reason, a.reviewed_by, a.reviewed_at, a.serial, \
         a.created_at, a.updated_at FROM applications a JOIN projects p ON p.id = a.project_id"
    };
}

impl Store {
    /// Stores a new application of project `project_id`. With `claim`, the pre-entered record
    /// of that id is bound to it in the same transaction; [`StoreError::Conflict`] if another
    /// application took the record first (nothing is stored then).
    pub async fn insert_application(
        &self,
        a: &ApplicationRow,
        project_id: i64,
        claim: Option<i64>,
    ) -> Result<()> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO applications (id, project_id, phone, name, id_number, organization, \
                 email, key_algorithm, password_hash, password_tries, privacy_version, \
                 terms_version, consented_at, status, reason, reviewed_by, reviewed_at, serial, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, \
                 $11, $12, $13, NULL, $14, $15, NULL, $16, $16)",
            )
            .bind(&a.id)
            .bind(project_id)
            .bind(&a.phone)
            .bind(&a.name)
            .bind(&a.id_number)
            .bind(&a.organization)
            .bind(&a.email)
            .bind(&a.key_algorithm)
            .bind(&a.password_hash)
            .bind(&a.privacy_version)
            .bind(&a.terms_version)
            .bind(a.consented_at)
            .bind(&a.status)
            .bind(&a.reviewed_by)
            .bind(a.reviewed_at)
            .bind(a.created_at)
            .execute(&mut *tx)
            .await?;
            if let Some(record) = claim {
                let claimed = sqlx::query(
                    "UPDATE pre_entered SET application_id = $1 \
                     WHERE id = $2 AND application_id IS NULL",
                )
                .bind(&a.id)
                .bind(record)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if claimed != 1 {
                    tx.rollback().await?;
                    return Err(StoreError::Conflict {
                        what: "use of the pre-entered record".into(),
                    });
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// One application.
    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRow>> {
        let r: Option<ApplicationRow> = dispatch!(self, pool => sqlx::query_as(
            concat!(application_select!(), " WHERE a.id = $1"),
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        Ok(r)
    }

    /// The applications made with `phone`, newest first.
    pub async fn applications_of_phone(&self, phone: &str) -> Result<Vec<ApplicationRow>> {
        let r: Vec<ApplicationRow> = dispatch!(self, pool => sqlx::query_as(
            concat!(application_select!(), " WHERE a.phone = $1 ORDER BY a.created_at DESC, a.id"),
        )
        .bind(phone)
        .fetch_all(pool)
        .await?);
        Ok(r)
    }

    /// Applications, newest first, optionally only those in `status`; at most `limit`.
    pub async fn applications(
        &self,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ApplicationRow>> {
        let r: Vec<ApplicationRow> = dispatch!(self, pool => sqlx::query_as(
            concat!(application_select!(),
                " WHERE ($1 IS NULL OR a.status = $1) ORDER BY a.created_at DESC, a.id LIMIT $2"),
        )
        .bind(status)
        .bind(limit)
        .fetch_all(pool)
        .await?);
        Ok(r)
    }

    /// Moves a pending application to `status` (`approved` or `rejected`); false when it was
    /// not pending (reviewed by someone else meanwhile).
    pub async fn review_application(
        &self,
        id: &str,
        status: &str,
        reason: Option<&str>,
        reviewer: &str,
        now: i64,
    ) -> Result<bool> {
        let n = dispatch!(self, pool => sqlx::query(
            "UPDATE applications SET status = $1, reason = $2, reviewed_by = $3, \
             reviewed_at = $4, updated_at = $4 WHERE id = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(reason)
        .bind(reviewer)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Reserves one install-password try of application `id` before the password is checked:
    /// one conditional statement, so N concurrent attempts never get more than `max` tries
    /// between them. Returns the tries counted so far including this one, or `None` when the
    /// application already used up its `max` tries or is no longer approved (a concurrent
    /// install issued it).
    pub async fn reserve_password_try(&self, id: &str, max: i64) -> Result<Option<i64>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "UPDATE applications SET password_tries = password_tries + 1 \
             WHERE id = $1 AND status = 'approved' AND password_tries < $2 \
             RETURNING password_tries",
        )
        .bind(id)
        .bind(max)
        .fetch_optional(pool)
        .await?))
    }

    /// Gives back one try reserved by [`Self::reserve_password_try`]: the password was right,
    /// or could not be checked (the service was busy or failed). Only wrong passwords count.
    pub async fn give_back_password_try(&self, id: &str) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE applications SET password_tries = password_tries - 1 \
             WHERE id = $1 AND password_tries > 0",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Marks an approved application issued with `serial`; false when it was not approved.
    pub async fn mark_issued(&self, id: &str, serial: &str, now: i64) -> Result<bool> {
        let n = dispatch!(self, pool => sqlx::query(
            "UPDATE applications SET status = 'issued', serial = $1, password_tries = 0, \
             updated_at = $2 WHERE id = $3 AND status = 'approved'",
        )
        .bind(serial)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Stores (or replaces the details of) the pre-entered person `id_number` of a project.
    pub async fn upsert_pre_entered(
        &self,
        project_id: i64,
        name: &str,
        id_number: &str,
        phone: &str,
        organization: &str,
        now: i64,
    ) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO pre_entered (project_id, name, id_number, phone, organization, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (project_id, id_number) DO UPDATE SET \
             name = excluded.name, phone = excluded.phone, organization = excluded.organization",
        )
        .bind(project_id)
        .bind(name)
        .bind(id_number)
        .bind(phone)
        .bind(organization)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The pre-entered record of `id_number` in a project.
    pub async fn pre_entered(
        &self,
        project_id: i64,
        id_number: &str,
    ) -> Result<Option<PreEnteredRow>> {
        let r: Option<(i64, String, String, String, Option<String>)> = dispatch!(self, pool => sqlx::query_as(
                "SELECT id, name, phone, organization, application_id FROM pre_entered \
                 WHERE project_id = $1 AND id_number = $2",
            )
            .bind(project_id)
            .bind(id_number)
            .fetch_optional(pool)
            .await?);
        Ok(r.map(
            |(id, name, phone, organization, application_id)| PreEnteredRow {
                id,
                name,
                phone,
                organization,
                application_id,
            },
        ))
    }

    /// Stores a business-query session (its token only as SHA-256).
    pub async fn insert_ra_session(
        &self,
        token_sha256: &[u8],
        phone: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO ra_sessions (token_sha256, phone, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_sha256)
        .bind(phone)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The phone of a live session.
    pub async fn ra_session_phone(&self, token_sha256: &[u8], now: i64) -> Result<Option<String>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "SELECT phone FROM ra_sessions WHERE token_sha256 = $1 AND expires_at > $2",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(pool)
        .await?))
    }

    /// What renewal needs of certificate `serial`.
    pub async fn issued_certificate(&self, serial: &str) -> Result<Option<IssuedRow>> {
        let r: Option<(Vec<u8>, String, i64, Option<String>)> = dispatch!(self, pool => sqlx::query_as(
                "SELECT der, status, not_after, renewed_by FROM certificates WHERE serial = $1",
            )
            .bind(serial)
            .fetch_optional(pool)
            .await?);
        Ok(r.map(|(der, status, not_after, renewed_by)| IssuedRow {
            der,
            status,
            not_after,
            renewed_by,
        }))
    }

    /// Records that `new` replaces `old` (and moves applications to `new`); false when `old`
    /// was renewed already.
    pub async fn mark_renewed(&self, old: &str, new: &str, now: i64) -> Result<bool> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE certificates SET renewed_by = $1 WHERE serial = $2 AND renewed_by IS NULL",
            )
            .bind(new)
            .bind(old)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query("UPDATE applications SET serial = $1, updated_at = $2 WHERE serial = $3")
                .bind(new)
                .bind(now)
                .bind(old)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(true)
    }
}
