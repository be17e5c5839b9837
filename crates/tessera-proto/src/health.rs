//! `GET /healthz`.

use serde::{Deserialize, Serialize};

/// Answer of `GET /healthz`: 200 with `status = "ok"` when the store is reachable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    /// Store backend: `sqlite` or `postgres`.
    pub store: String,
    /// Service version (the crate version).
    pub version: String,
}
