//! The Content-Security-Policy of a rendered page: scripts only from this site or carrying this
//! response's nonce (Leptos puts it on its hydration scripts), WASM allowed to compile, nothing
//! framed, no plugins. Server only.
//!
//! The server chooses the nonce before rendering (`server::security::page_policy` puts a
//! [`PageNonce`] on the request) and sets the header on every HTML response itself, so no
//! rendering path (streaming, error pages, the fallback handler) can leave a page without it.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use leptos::nonce::{provide_nonce, Nonce};
use leptos::prelude::{provide_context, use_context};
use std::sync::Arc;

/// This response's nonce, chosen by the server for the request.
#[derive(Clone, Debug)]
pub struct PageNonce(pub Arc<str>);

impl PageNonce {
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        PageNonce(
            base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into(),
        )
    }
}

pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Gives Leptos the request's nonce for the scripts it writes into the page.
pub fn provide_page_nonce() {
    let chosen = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    match chosen {
        Some(PageNonce(value)) => provide_context(Nonce::from_value(value)),
        // Rendered outside the server's middleware (route listing): any nonce will do.
        None => provide_nonce(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy_carries_the_nonce_and_forbids_framing() {
        let p = super::policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
    }

    #[test]
    fn nonces_differ_per_response() {
        assert_ne!(super::PageNonce::random().0, super::PageNonce::random().0);
    }
}
