//! The HTTP surface: the Leptos app and its server functions, health checks, static files,
//! and the layers every request passes through.

use crate::api_v1::{self, ApiLimit};
use crate::assets;
use crate::client_address::{self, TrustedProxies};
use crate::config::Config;
use crate::routes::{
    auth as auth_routes, calendar, certificates, edge, events, imports, quotes, task_files, team,
    verify,
};
use crate::security::{self, PublicOrigin};
use app::api::DemoMode;
use app::db::sessions::DbSessionStore;
use app::services::Context;
use app::ui::{shell, App};
use axum::extract::{FromRef, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Larger than any form; uploads get their own, checked limits.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub context: Context,
    pub api_limit: ApiLimit,
}

impl FromRef<AppState> for ApiLimit {
    fn from_ref(state: &AppState) -> Self {
        state.api_limit
    }
}

impl FromRef<AppState> for Context {
    fn from_ref(state: &AppState) -> Self {
        state.context.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("certidesk")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .env(leptos::config::Env::PROD)
        .hash_files(assets::content_named_build())
        .build()
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading suspended process-wide (leptos issue #4773), which would stall any page rendering at
/// the same moment; once, before the first server exists, nothing can be rendering.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: OnceLock<Vec<leptos_axum::AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(config: &Config, context: Context) -> Router {
    let leptos = leptos_options(config);
    let routes = route_list();
    let state = AppState {
        leptos: leptos.clone(),
        context: context.clone(),
        api_limit: ApiLimit(config.api_requests_per_minute),
    };

    let shell_options = leptos.clone();
    let demo = config.demo;
    let page_context = context.clone();
    let fallback_context = context.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(context.db.clone()))
        .with_name("certidesk_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_path("/")
        // Replaced at sign-in by the limit of the person's kind (see domain::identity).
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)));
    let router = Router::new()
        .merge(api_v1::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/auth/link/{token}", get(auth_routes::open_sign_in_link))
        .route("/auth/reset/{token}", get(auth_routes::open_reset_link))
        .route("/events", get(events::events))
        .route("/calendar/{file}", get(calendar::feed))
        .route(
            "/files/certificates",
            post(certificates::upload_certificate).layer(axum::extract::DefaultBodyLimit::max(
                certificates::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            "/files/certificates/read",
            post(certificates::read_certificate).layer(axum::extract::DefaultBodyLimit::max(
                certificates::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            "/files/technicians/{technician_id}/accreditations",
            post(team::upload_accreditation).layer(axum::extract::DefaultBodyLimit::max(
                certificates::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            "/files/tasks/{task_id}/report",
            get(task_files::service_report),
        )
        .route("/files/signatures/{id}", get(task_files::signature))
        .route(
            "/verify/{code}/check",
            post(verify::check_report)
                .layer(axum::extract::DefaultBodyLimit::max(verify::CHECK_LIMIT)),
        )
        .route(
            "/files/accreditations/{id}",
            get(team::download_accreditation),
        )
        .route(
            "/files/tasks/{task_id}/documents",
            post(task_files::add_client_document).layer(axum::extract::DefaultBodyLimit::max(
                certificates::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            "/files/tasks/{task_id}/complete",
            post(task_files::complete_task).layer(axum::extract::DefaultBodyLimit::max(
                task_files::COMPLETE_BODY_LIMIT,
            )),
        )
        .route(
            "/files/tasks/{task_id}/defects",
            post(task_files::report_defect).layer(axum::extract::DefaultBodyLimit::max(
                task_files::COMPLETE_BODY_LIMIT,
            )),
        )
        .route(
            "/files/defect-photos/{id}/{size}",
            get(task_files::defect_photo),
        )
        .route(
            "/files/quotes/{quote_id}/answer",
            post(quotes::answer).layer(axum::extract::DefaultBodyLimit::max(
                quotes::ANSWER_BODY_LIMIT,
            )),
        )
        .route("/files/quotes/{quote_id}/document", get(quotes::document))
        .route(
            "/files/task-documents/{id}",
            get(task_files::download_document),
        )
        .route(
            "/files/certificates/{id}",
            get(certificates::download_certificate),
        )
        .route("/exports/contractors.csv", get(imports::contractor_export))
        .route(
            "/imports/certifications/template.csv",
            get(imports::csv_template),
        )
        .route(
            "/imports/certifications/template.xlsx",
            get(imports::xlsx_template),
        )
        .nest(
            "/imports/certifications",
            Router::new()
                .route("/preview", post(imports::preview))
                .route("/commit", post(imports::commit))
                .route("/errors", post(imports::error_report))
                .layer(axum::extract::DefaultBodyLimit::max(
                    imports::IMPORT_BODY_LIMIT,
                )),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(page_context.clone());
                provide_context(DemoMode(demo));
                provide_context(app::api::request::PageReads::default());
            },
            move || shell(shell_options.clone()),
        )
        .nest_service("/pkg", assets::client_files(&config.site_root))
        .fallback_service(
            Router::new()
                .fallback(leptos_axum::file_and_error_handler_with_context::<
                    AppState,
                    _,
                >(
                    move || {
                        provide_context(fallback_context.clone());
                        provide_context(DemoMode(demo));
                    },
                    shell,
                ))
                .layer(axum::middleware::from_fn(assets::public_file_caching))
                .layer(axum::middleware::from_fn(security::service_worker_policy))
                .with_state(state.clone()),
        )
        .with_state(state);
    let router = security::DEFAULT_HEADERS
        .into_iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::if_not_present(
                name,
                HeaderValue::from_static(value),
            ))
        });
    let public_origin = PublicOrigin::from_public_url(&config.public_url);
    // Once a browser has reached the product over https, it never tries plain http for it again.
    let router = if public_origin.is_https() {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    router
        .layer(axum::middleware::from_fn(move |request, next| {
            security::development_pages(demo, request, next)
        }))
        .layer(axum::middleware::from_fn_with_state(
            context.clone(),
            auth_routes::require_sign_in,
        ))
        .layer(axum::middleware::from_fn(edge::server_function_status))
        // Inside the session (it names whose key it is), outside the status fix-up (it keeps
        // the status the client gets).
        .layer(axum::middleware::from_fn_with_state(
            context,
            crate::idempotency::answer_once,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(security::pages_are_not_stored))
        .layer(axum::middleware::from_fn(security::page_policy))
        .layer(axum::middleware::from_fn_with_state(
            public_origin,
            security::require_same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            TrustedProxies(config.trusted_proxies.clone().into()),
            client_address::from_trusted_proxy,
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Inside the timeout: a write that outlives it still finishes.
        .layer(axum::middleware::from_fn(edge::writes_run_to_completion))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Something went wrong on the server. Try again in a moment.",
            )
                .into_response()
        }))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.context.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!("readiness check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
