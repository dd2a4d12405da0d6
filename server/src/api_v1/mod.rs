//! The public REST API, `/api/v1`: JSON for other systems, authenticated by API keys
//! (Settings > API), described by an OpenAPI 3.1 document generated from these handlers, with
//! browsable docs at `/api/docs`. Handlers stay thin: they check the key's scope, call the same
//! services the pages call (so every tenant and role check applies), and shape the answer.

mod caller;
mod certification;
mod contractors;
mod documents;
mod page;
mod problem;
mod schema;
mod tasks;
mod webhooks;

pub use caller::ApiLimit;
pub use problem::Problem;

use app::services::Context;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{delete, get, post};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

/// Larger than any JSON body the API takes; uploads carry their own limit.
const BODY_LIMIT: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Certidesk API",
        version = "1",
        description = "Contractors, certification, tasks and webhooks of one agency. Authenticate with an API key made under Settings > API, sent as `Authorization: Bearer <key>`; each key is limited to its scopes and to a number of requests a minute (429 with `Retry-After` beyond it). Errors are RFC 9457 problem details. Lists are paged with `cursor` and `limit`."
    ),
    paths(
        contractors::list,
        contractors::get,
        contractors::request_certificate,
        certification::certificate_types,
        documents::list,
        documents::upload,
        documents::file,
        documents::validate,
        tasks::list,
        tasks::get,
        tasks::report,
        tasks::instruct,
        tasks::properties,
        webhooks::list,
        webhooks::register,
        webhooks::delete,
        webhooks::send_test,
        webhooks::deliveries,
    ),
    components(schemas(Problem)),
    modifiers(&BearerKeys),
    security(("api_key" = [])),
    tags(
        (name = "contractors", description = "Contractors and their compliance"),
        (name = "certification", description = "Certificate types, requests and documents"),
        (name = "tasks", description = "Tasks, properties, and instructing works"),
        (name = "webhooks", description = "Endpoints that receive the agency's events, signed the Standard Webhooks way"),
    )
)]
pub struct ApiDoc;

struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `/api/v1/...`, its OpenAPI document and the docs page.
pub fn routes<S>() -> Router<S>
where
    Context: FromRef<S>,
    ApiLimit: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let api = Router::new()
        .route("/contractors", get(contractors::list))
        .route("/contractors/{id}", get(contractors::get))
        .route(
            "/contractors/{id}/certificate-requests",
            post(contractors::request_certificate),
        )
        .route("/certificate-types", get(certification::certificate_types))
        .route(
            "/contractors/{id}/documents",
            get(documents::list)
                .post(documents::upload)
                .layer(DefaultBodyLimit::max(
                    crate::routes::certificates::UPLOAD_BODY_LIMIT,
                )),
        )
        .route("/documents/{id}/file", get(documents::file))
        .route("/documents/{id}/validate", post(documents::validate))
        .route("/tasks", get(tasks::list).post(tasks::instruct))
        .route("/tasks/{id}", get(tasks::get))
        .route("/tasks/{id}/report", get(tasks::report))
        .route("/properties", get(tasks::properties))
        .route("/webhooks", get(webhooks::list).post(webhooks::register))
        .route("/webhooks/{id}", delete(webhooks::delete))
        .route("/webhooks/{id}/test", post(webhooks::send_test))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .fallback(|| async {
            Problem::new(
                axum::http::StatusCode::NOT_FOUND,
                "No such API path. The OpenAPI document at /api/v1/openapi.json lists them.",
            )
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    Router::new()
        .nest("/api/v1", api)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", ApiDoc::openapi()))
}
