//! The client's address behind a reverse proxy. The per-address throttles (sign-in failures, link
//! requests) and the audit log use the connection's address; behind a proxy that is the proxy's
//! for everyone. When the connection comes from an address in `TRUSTED_PROXIES`, the client is
//! read from `X-Forwarded-For` instead: the right-most address there that is not itself a trusted
//! proxy, since only what trusted proxies appended can be believed (a client may send any
//! `X-Forwarded-For` it likes).

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<[IpAddr]>);

/// Who is really asking: `peer` itself unless it is a trusted proxy.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(list) = forwarded_for else {
        return peer;
    };
    let mut chosen = peer;
    for hop in list.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) if trusted.contains(&address) => chosen = address,
            Ok(address) => return address,
            // Garbage in the header ends what can be believed.
            Err(_) => return chosen,
        }
    }
    chosen
}

/// Replaces the connection's address with the client's for everything after it.
pub async fn from_trusted_proxy(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    if !trusted.0.is_empty() {
        if let Some(ConnectInfo(peer)) = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
        {
            let forwarded = request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",");
            let forwarded = (!forwarded.is_empty()).then_some(forwarded.as_str());
            let client = client_address(peer.ip(), forwarded, &trusted.0);
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_is_looked_through() {
        let proxies = [ip("10.0.0.5"), ip("10.0.0.6")];
        let client = |peer: &str, header: Option<&str>| client_address(ip(peer), header, &proxies);
        // Straight from the internet: the header is the client's own claim and is ignored.
        assert_eq!(
            client("203.0.113.9", Some("198.51.100.1")),
            ip("203.0.113.9")
        );
        // Through the proxy: the address it appended.
        assert_eq!(client("10.0.0.5", Some("198.51.100.1")), ip("198.51.100.1"));
        // A client forging a first hop gets its real address, the one the proxy appended.
        assert_eq!(
            client("10.0.0.5", Some("1.2.3.4, 198.51.100.1")),
            ip("198.51.100.1")
        );
        // Two trusted proxies in a row are both looked through.
        assert_eq!(
            client("10.0.0.5", Some("198.51.100.1, 10.0.0.6")),
            ip("198.51.100.1")
        );
        // No header, or only garbage: the proxy itself.
        assert_eq!(client("10.0.0.5", None), ip("10.0.0.5"));
        assert_eq!(client("10.0.0.5", Some("nonsense")), ip("10.0.0.5"));
        assert_eq!(client("10.0.0.5", Some("2001:db8::1")), ip("2001:db8::1"));
    }

    #[tokio::test]
    async fn requests_after_the_layer_see_the_client() {
        use axum::routing::get;
        use tower::ServiceExt;
        let app =
            axum::Router::new()
                .route(
                    "/",
                    get(|ConnectInfo(addr): ConnectInfo<SocketAddr>| async move {
                        addr.ip().to_string()
                    }),
                )
                .layer(axum::middleware::from_fn_with_state(
                    TrustedProxies(vec![ip("127.0.0.1")].into()),
                    from_trusted_proxy,
                ));
        let ask = |peer: &str, header: Option<&str>| {
            let mut request = Request::builder().uri("/");
            if let Some(h) = header {
                request = request.header("x-forwarded-for", h);
            }
            let mut request = request.body(axum::body::Body::empty()).unwrap();
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip(peer), 40000)));
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let body = axum::body::to_bytes(response.into_body(), 1024)
                    .await
                    .unwrap();
                String::from_utf8(body.to_vec()).unwrap()
            }
        };
        assert_eq!(ask("127.0.0.1", Some("198.51.100.7")).await, "198.51.100.7");
        assert_eq!(ask("192.0.2.1", Some("198.51.100.7")).await, "192.0.2.1");
    }
}
