//! The HTTP server: `app()` joins the router of each business area (`crate::ca::api`,
//! `crate::cloud::api`, …) with the service's own routes (health, metrics, the API document,
//! the console, releases, the operator's audit and SMS views) and the cross-cutting layers
//! (request ids, rate limits, metrics, body limit, panics as problems). The extractors every
//! area uses are in [`extract`].

pub mod admin;
pub mod console;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod rate;
pub mod releases;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::error::{ApiError, problem_response};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The request id header, set when absent and echoed on the response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service as one router; tests drive it with `oneshot` without a socket.
pub fn app(state: AppState) -> Router {
    let areas = Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(openapi::router())
        .merge(console::router())
        .nest(
            "/v1/admin",
            admin::router()
                .merge(crate::orgs::api::admin::router())
                .merge(crate::ca::api::admin_router())
                .merge(crate::cloud::api::admin::router())
                .merge(crate::ra::api::admin_router()),
        )
        .nest("/v1/ra", crate::ra::api::router())
        .nest("/v1", releases::router())
        .nest("/v1/ca", crate::ca::api::router())
        .nest("/v1/cloud", crate::cloud::api::router())
        .nest("/v1", crate::orgs::api::router())
        .nest("/v1", crate::sms::api::router())
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(axum::middleware::from_fn(scope_request_id))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
    })
    // one INFO line per answered request (status, latency), inside the span with its id
    .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO));
    areas.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::map_request(drop_bad_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
            .layer(CatchPanicLayer::custom(panic_response)),
    )
}

/// Longest request id accepted from a client.
pub const REQUEST_ID_MAX: usize = 64;

/// Whether a client's `x-request-id` may be kept: 1-64 characters of `[A-Za-z0-9._-]`. It goes
/// into logs, audit rows and problem `instance` URNs, so nothing else is let through.
pub fn valid_request_id(id: &[u8]) -> bool {
    (1..=REQUEST_ID_MAX).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Middleware: removes a client's request id that is not [`valid_request_id`] (or comes more
/// than once), so the request-id layer puts a generated one in its place.
async fn drop_bad_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let values = request.headers().get_all(&REQUEST_ID);
    let mut it = values.iter();
    let keep = match (it.next(), it.next()) {
        (Some(v), None) => valid_request_id(v.as_bytes()),
        (None, _) => true,
        (Some(_), Some(_)) => false,
    };
    if !keep {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

tokio::task_local! {
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any (for problem `instance`).
pub(crate) fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
}

/// Middleware: makes the request id visible to `ApiError::into_response`, which has no request.
async fn scope_request_id(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match id {
        Some(id) => CURRENT_REQUEST_ID.scope(id, next.run(request)).await,
        None => next.run(request).await,
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let problem = tessera_proto::Problem::new(
        tessera_proto::ProblemCode::Internal,
        "Internal Server Error",
        500,
    );
    problem_response(&problem, StatusCode::INTERNAL_SERVER_ERROR)
}
