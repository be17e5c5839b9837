//! `GET /openapi.json`: the OpenAPI 3.1 document, generated from the handlers with `utoipa`.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

/// The API description.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Tessera service", description = "Certificates, enrollment, SMS and captcha."),
    paths(
        super::health::healthz,
        super::metrics::metrics,
        crate::orgs::api::list_orgs,
        crate::orgs::api::list_projects,
        crate::orgs::api::service_key,
        crate::sms::api::send_code,
        crate::sms::api::new_captcha,
        crate::orgs::api::admin::list_orgs,
        crate::orgs::api::admin::create_org,
        crate::orgs::api::admin::create_project,
        crate::orgs::api::admin::enrollment_qr,
        super::admin::list_sms,
        super::admin::list_audit,
        crate::ca::api::certificates,
        crate::ca::api::crl,
        crate::ca::api::issue,
        crate::ca::api::revoke,
        super::releases::latest,
        crate::ra::api::notices,
        crate::ra::api::apply,
        crate::ra::api::login,
        crate::ra::api::my_applications,
        crate::ra::api::my_application,
        crate::ra::api::install,
        crate::ra::api::renew,
        crate::ra::api::list_applications,
        crate::ra::api::get_application,
        crate::ra::api::approve,
        crate::ra::api::reject,
        crate::ra::api::import_pre_entered,
    ),
    components(schemas(tessera_proto::Problem)),
    modifiers(&AdminToken),
)]
pub struct ApiDoc;

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            for name in ["admin_token", "query_session", "cloud_session"] {
                components.add_security_scheme(
                    name,
                    SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
                );
            }
        }
    }
}

/// The openapi area.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The whole document: [`ApiDoc`] with the cloud-key area merged in.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::cloud::api::CloudDoc::openapi());
    doc
}
