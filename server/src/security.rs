//! Request protection that applies to every route: cross-site state changes are refused, and
//! every response carries the security headers. Pages add their own CSP with a nonce (app::ui).

use app::ui::csp::{self, PageNonce};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The origin people use, from `PUBLIC_URL` (scheme, host and port; no path).
#[derive(Clone, Debug)]
pub struct PublicOrigin(pub Arc<str>);

impl PublicOrigin {
    pub fn from_public_url(public_url: &str) -> Self {
        let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
        let host = rest.split('/').next().unwrap_or(rest);
        PublicOrigin(format!("{scheme}://{host}").to_ascii_lowercase().into())
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        self.0
            .split_once("://")
            .map_or("http", |(scheme, _)| scheme)
    }

    pub fn is_https(&self) -> bool {
        self.scheme() == "https"
    }
}

/// Whether a request may change state. Reads (GET, HEAD, OPTIONS) always may. Otherwise a browser
/// tells where the request came from: `Sec-Fetch-Site` must be same-origin (or none: typed by the
/// user), and `Origin`, when sent, must be the public origin or the very host that was asked.
/// Requests without either header do not come from a browser page and carry no ambient cookies
/// a third site could borrow.
pub fn is_same_origin_request(method: &Method, headers: &HeaderMap, public: &PublicOrigin) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    // A page with `Referrer-Policy: no-referrer` submits plain forms with `Origin: null`; then
    // only the browser's own `Sec-Fetch-Site: same-origin` vouches for it.
    if origin == "null" {
        return headers
            .get("sec-fetch-site")
            .is_some_and(|site| site.as_bytes() == b"same-origin");
    }
    if origin == *public.0 {
        return true;
    }
    // Another name for this very server (127.0.0.1 for localhost, say): the host asked for, on
    // the scheme people use. `http://host` against an https public address is another origin.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((scheme, origin_host)), Some(host)) => {
            scheme == public.scheme() && origin_host == host.to_ascii_lowercase()
        }
        _ => false,
    }
}

pub async fn require_same_origin(
    State(public): State<PublicOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if is_same_origin_request(request.method(), request.headers(), &public) {
        next.run(request).await
    } else {
        tracing::warn!(
            method = %request.method(),
            path = %request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            "cross-site request refused"
        );
        (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused. Reload the page and try again.",
        )
            .into_response()
    }
}

pub(crate) fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"))
}

/// Every HTML response gets the page policy with a nonce chosen here, before rendering; the
/// shell hands the same nonce to Leptos for its scripts (app::ui::csp).
pub async fn page_policy(mut request: Request, next: Next) -> Response {
    let nonce = PageNonce::random();
    request.extensions_mut().insert(nonce.clone());
    let api_docs = request.uri().path().starts_with("/api/docs");
    let tech_task = request.uri().path().starts_with("/tech/tasks/");
    let mut response = next.run(request).await;
    if is_page(&response) && tech_task {
        // The Tech view task page's forms work before its client is live: the browser's own post
        // to a server function is sent back to the page it came from (its `Referer`), which
        // this policy sends to this server only, never to another site.
        response.headers_mut().insert(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("same-origin"),
        );
    }
    if is_page(&response) {
        let policy = if api_docs {
            API_DOCS_POLICY.to_string()
        } else {
            csp::policy(&nonce.0)
        };
        if let Ok(value) = header::HeaderValue::from_str(&policy) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

/// The Tech view's service worker (`public/tech-sw.js`) runs under the policy its script is
/// served with, and every other file gets `default-src 'none'`, which would stop it fetching
/// the pages and files it keeps: it may reach this site, and nothing else.
pub async fn service_worker_policy(request: Request, next: Next) -> Response {
    let worker = request.uri().path() == "/tech-sw.js";
    let mut response = next.run(request).await;
    if worker {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        );
    }
    response
}

/// Swagger UI on `/api/docs` (vendored, served by this server) sets inline styles on its own
/// markup; its page alone allows them. Scripts stay this server's own files, as on every page.
const API_DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Pages, server functions' and the API's answers show the signed-in person's data (a task's access codes)
/// and change from one request to the next (a link page that says "used" must not be replayed
/// from cache for the next link), so none is stored. Static files keep their own caching headers.
pub async fn pages_are_not_stored(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let server_function = path.starts_with("/rpc/") || path.starts_with("/api/v1/");
    let mut response = next.run(request).await;
    if (server_function || is_page(&response))
        && !response.headers().contains_key(header::CACHE_CONTROL)
    {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

/// The development mailbox (`/dev/...` and its server function) exists only in demo mode;
/// elsewhere it is not found, as if it had never been built.
pub async fn development_pages(demo: bool, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !demo && (path.starts_with("/dev/") || path.starts_with("/rpc/dev/")) {
        return (StatusCode::NOT_FOUND, "This page does not exist.").into_response();
    }
    next.run(request).await
}

/// Headers every response carries unless a handler set its own (pages get a CSP with a nonce).
pub const DEFAULT_HEADERS: [(header::HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    fn public() -> PublicOrigin {
        PublicOrigin::from_public_url("https://Certs.Example.com/app")
    }

    #[test]
    fn public_origin_drops_the_path_and_case() {
        assert_eq!(&*public().0, "https://certs.example.com");
    }

    #[test]
    fn reads_are_never_blocked() {
        let h = headers(&[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(is_same_origin_request(&Method::GET, &h, &public()));
        assert!(is_same_origin_request(&Method::HEAD, &h, &public()));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        for h in [
            headers(&[
                ("origin", "https://evil.example"),
                ("host", "certs.example.com"),
            ]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[
                ("sec-fetch-site", "same-site"),
                ("origin", "https://certs.example.com"),
            ]),
            headers(&[("origin", "null"), ("host", "certs.example.com")]),
        ] {
            assert!(
                !is_same_origin_request(&Method::POST, &h, &public()),
                "{h:?}"
            );
        }
        let h = headers(&[("origin", "https://evil.example")]);
        assert!(!is_same_origin_request(&Method::DELETE, &h, &public()));
    }

    #[test]
    fn the_host_fallback_needs_the_public_scheme() {
        // Plain http to the same host, against an https public address: another origin.
        let h = headers(&[
            ("origin", "http://certs.example.com"),
            ("host", "certs.example.com"),
        ]);
        assert!(!is_same_origin_request(&Method::POST, &h, &public()));
        let h = headers(&[
            ("origin", "https://other-name.example.com"),
            ("host", "other-name.example.com"),
        ]);
        assert!(is_same_origin_request(&Method::POST, &h, &public()));
        assert!(public().is_https());
        assert_eq!(
            PublicOrigin::from_public_url("http://localhost:3000").scheme(),
            "http"
        );
    }

    #[test]
    fn a_null_origin_passes_only_when_the_browser_says_same_origin() {
        let post = Method::POST;
        let own_form = headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]);
        assert!(is_same_origin_request(&post, &own_form, &public()));
        let sandboxed = headers(&[("origin", "null"), ("sec-fetch-site", "cross-site")]);
        assert!(!is_same_origin_request(&post, &sandboxed, &public()));
        let unknown = headers(&[("origin", "null")]);
        assert!(!is_same_origin_request(&post, &unknown, &public()));
    }

    #[test]
    fn same_origin_posts_pass() {
        for h in [
            headers(&[
                ("origin", "https://certs.example.com"),
                ("sec-fetch-site", "same-origin"),
            ]),
            headers(&[
                ("origin", "https://localhost:3000"),
                ("host", "localhost:3000"),
            ]),
            headers(&[("sec-fetch-site", "none")]),
            headers(&[]),
        ] {
            assert!(
                is_same_origin_request(&Method::POST, &h, &public()),
                "{h:?}"
            );
        }
    }
}
