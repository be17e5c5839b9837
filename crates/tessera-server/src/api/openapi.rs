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
        super::orgs::list_orgs,
        super::orgs::list_projects,
        super::orgs::service_key,
        super::sms::send_code,
        super::sms::new_captcha,
        super::admin::list_orgs,
        super::admin::create_org,
        super::admin::create_project,
        super::admin::enrollment_qr,
        super::admin::list_sms,
        super::admin::list_audit,
        super::ca::certificates,
        super::ca::crl,
        super::ca::issue,
        super::ca::revoke,
        super::releases::latest,
        super::ra::notices,
        super::ra::apply,
        super::ra::login,
        super::ra::my_applications,
        super::ra::my_application,
        super::ra::install,
        super::ra::renew,
        super::ra::list_applications,
        super::ra::get_application,
        super::ra::approve,
        super::ra::reject,
        super::ra::import_pre_entered,
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
    doc.merge(super::cloud::CloudDoc::openapi());
    doc
}
