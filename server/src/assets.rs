//! Static files: the client in `pkg/` (JS, WASM, CSS) and the public files beside it (icons,
//! the manifest). The release build names `pkg/` files by their content and writes `.br` and
//! `.gz` copies beside every file, so files are served as they are: nothing is compressed per
//! request, and a browser keeps a content-named file until a release renames it.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;

/// For a file whose name changes whenever its content does.
pub const KEEP: &str = "public, max-age=31536000, immutable";
/// For a file whose name stays: the browser may keep it, but asks first (an ETag answer, 304).
pub const ASK_FIRST: &str = "no-cache";

/// What cargo-leptos writes beside the server binary when it names `pkg/` files by content.
const HASH_FILE: &str = "hash.txt";

/// Whether this binary was built with content-named client files: their names are listed in
/// the hash file beside it. Leptos reads that file to name the scripts and stylesheet in each
/// page, and fails to render without it, so names are hashed only when the file is there.
pub fn content_named_build() -> bool {
    beside_binary(HASH_FILE)
}

fn beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|file| file.is_file())
}

/// The hash file a content-named site needs beside this binary and does not find there, if any:
/// without it pages would name client files that do not exist and load without their client
/// (`hash.txt` for every page, `tech-hash.txt` for the Tech view's islands client).
pub fn hash_file_missing(site_root: &Path) -> Option<&'static str> {
    if content_named_build() {
        return (!beside_binary(app::ui::client::ISLANDS_HASH_FILE))
            .then_some(app::ui::client::ISLANDS_HASH_FILE);
    }
    let Ok(files) = std::fs::read_dir(site_root.join("pkg")) else {
        return None;
    };
    files
        .flatten()
        .any(|file| is_content_named(&file.file_name().to_string_lossy()))
        .then_some(HASH_FILE)
}

/// `pkg/` under `site_root`, for nesting at `/pkg`.
pub fn client_files(site_root: &Path) -> Router {
    Router::new()
        .fallback_service(
            ServeDir::new(site_root.join("pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(axum::middleware::from_fn(client_file_caching))
}

async fn client_file_caching(request: Request, next: Next) -> Response {
    let keep = is_content_named(request.uri().path());
    let mut response = next.run(request).await;
    if is_file(&response) {
        let value = if keep { KEEP } else { ASK_FIRST };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Public files (and the not-found page, which keeps the page policy): asked for again.
pub async fn public_file_caching(request: Request, next: Next) -> Response {
    let read = matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = next.run(request).await;
    if read
        && !crate::security::is_page(&response)
        && is_file(&response)
        && !response.headers().contains_key(header::CACHE_CONTROL)
    {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(ASK_FIRST));
    }
    response
}

fn is_file(response: &Response) -> bool {
    response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED
}

/// cargo-leptos names a file `name.<hash>.ext`, the hash being 22 characters of unpadded
/// base64url (an MD5 of the content); a split build's chunks are named the same way.
pub fn is_content_named(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let mut parts = file.rsplit('.');
    let (Some(_ext), Some(hash), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_named_files_carry_a_hash_of_22_base64url_characters() {
        assert!(is_content_named("/certidesk.J5sF-Hc0DN_LTXLGTa8e7w.wasm"));
        assert!(is_content_named("certidesk.J5sF-Hc0DN_LTXLGTa8e7w.js"));
        assert!(is_content_named("/split_x.AAAAAAAAAAAAAAAAAAAAAA.wasm"));
        assert!(!is_content_named("/certidesk.wasm"));
        assert!(!is_content_named("/certidesk.css"));
        assert!(!is_content_named("/.J5sF-Hc0DN_LTXLGTa8e7w.js"));
        assert!(!is_content_named("/certidesk.J5sF-Hc0DN_LTXLGTa8e7.js"));
        assert!(!is_content_named("/certidesk.J5sF+Hc0DN/LTXLGTa8e7w.js"));
        assert!(!is_content_named("/J5sF-Hc0DN_LTXLGTa8e7w.js"));
    }
}
