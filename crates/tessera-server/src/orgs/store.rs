//! Organizations and their projects.

use serde::{Deserialize, Serialize};

use crate::store::{Result, Store, StoreError, conflict_or, dispatch};

/// How a project's applications become certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaPolicy {
    /// An operator reviews every application.
    Review,
    /// Applicants matching a pre-entered record are issued at once.
    PreEntered,
}

impl RaPolicy {
    /// The stored spelling: `review` or `pre_entered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::PreEntered => "pre_entered",
        }
    }

    fn from_db(s: &str) -> Result<Self> {
        match s {
            "review" => Ok(Self::Review),
            "pre_entered" => Ok(Self::PreEntered),
            other => Err(StoreError::Corrupt(format!("ra_policy {other:?}"))),
        }
    }
}

/// An organization running enrollment projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Organization {
    /// Row id.
    pub id: i64,
    /// Short unique code, e.g. `DEMO-ORG`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// An enrollment project of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Project {
    /// Row id.
    pub id: i64,
    /// Owning organization's code.
    pub organization: String,
    /// Short unique code carried in the enrollment QR.
    pub code: String,
    /// Display name.
    pub name: String,
    /// RA policy.
    pub ra_policy: RaPolicy,
    /// Unix seconds.
    pub created_at: i64,
}

type ProjectRow = (i64, String, String, String, String, i64);

fn project(row: ProjectRow) -> Result<Project> {
    let (id, organization, code, name, policy, created_at) = row;
    Ok(Project {
        id,
        organization,
        code,
        name,
        ra_policy: RaPolicy::from_db(&policy)?,
        created_at,
    })
}

macro_rules! project_select {
    () => {
        "SELECT p.id, o.code, p.code, p.name, p.ra_policy, p.created_at \
         FROM projects p JOIN organizations o ON o.id = p.organization_id"
    };
}

impl Store {
    /// Creates an organization; [`StoreError::Conflict`] if the code is taken.
    pub async fn create_organization(
        &self,
        code: &str,
        name: &str,
        now: i64,
    ) -> Result<Organization> {
        let id: i64 = dispatch!(self, pool => sqlx::query_scalar(
            "INSERT INTO organizations (code, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(code)
        .bind(name)
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(|e| conflict_or(e, || format!("organization {code}")))?);
        Ok(Organization {
            id,
            code: code.to_owned(),
            name: name.to_owned(),
            created_at: now,
        })
    }

    /// All organizations, by code.
    pub async fn list_organizations(&self) -> Result<Vec<Organization>> {
        let rows: Vec<(i64, String, String, i64)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, code, name, created_at FROM organizations ORDER BY code",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, code, name, created_at)| Organization {
                id,
                code,
                name,
                created_at,
            })
            .collect())
    }

    /// Creates a project under the organization `org_code`.
    pub async fn create_project(
        &self,
        org_code: &str,
        code: &str,
        name: &str,
        policy: RaPolicy,
        now: i64,
    ) -> Result<Project> {
        let org: Option<i64> = dispatch!(self, pool => sqlx::query_scalar(
            "SELECT id FROM organizations WHERE code = $1",
        )
        .bind(org_code)
        .fetch_optional(pool)
        .await?);
        let org_id = org.ok_or_else(|| StoreError::NotFound {
            what: format!("organization {org_code}"),
        })?;
        let id: i64 = dispatch!(self, pool => sqlx::query_scalar(
            "INSERT INTO projects (organization_id, code, name, ra_policy, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org_id)
        .bind(code)
        .bind(name)
        .bind(policy.as_str())
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(|e| conflict_or(e, || format!("project {code}")))?);
        Ok(Project {
            id,
            organization: org_code.to_owned(),
            code: code.to_owned(),
            name: name.to_owned(),
            ra_policy: policy,
            created_at: now,
        })
    }

    /// Projects, all or of one organization, by code.
    pub async fn list_projects(&self, org_code: Option<&str>) -> Result<Vec<Project>> {
        let rows: Vec<ProjectRow> = match org_code {
            Some(org) => dispatch!(self, pool => sqlx::query_as(
                concat!(project_select!(), " WHERE o.code = $1 ORDER BY p.code"),
            )
            .bind(org)
            .fetch_all(pool)
            .await?),
            None => dispatch!(self, pool => sqlx::query_as(
                concat!(project_select!(), " ORDER BY p.code"),
            )
            .fetch_all(pool)
            .await?),
        };
        rows.into_iter().map(project).collect()
    }

    /// The project with this code, if any.
    pub async fn project_by_code(&self, code: &str) -> Result<Option<Project>> {
        let row: Option<ProjectRow> = dispatch!(self, pool => sqlx::query_as(
            concat!(project_select!(), " WHERE p.code = $1"),
        )
        .bind(code)
        .fetch_optional(pool)
        .await?);
        row.map(project).transpose()
    }
}
