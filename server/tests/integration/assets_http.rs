//! Static files as a browser meets them: the build's precompressed copies served as they are,
//! content-named client files kept for a year, every other file asked for again.

use app::db_test;
use std::path::Path;

const HASHED_WASM: &str = "certidesk.J5sF-Hc0DN_LTXLGTa8e7w.wasm";

/// A site root as `cargo leptos build --release --precompress` leaves it, with copies whose
/// bytes differ from any compression of the original: a response carrying them proves the
/// server sent the build's file rather than compressing one itself.
fn site(dir: &Path) {
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(HASHED_WASM), vec![b'w'; 64 * 1024]).unwrap();
    std::fs::write(pkg.join(format!("{HASHED_WASM}.br")), b"the build's brotli").unwrap();
    std::fs::write(pkg.join(format!("{HASHED_WASM}.gz")), b"the build's gzip").unwrap();
    std::fs::write(pkg.join("certidesk.js"), vec![b'j'; 16 * 1024]).unwrap();
    std::fs::write(dir.join("favicon.svg"), vec![b's'; 4 * 1024]).unwrap();
    std::fs::write(
        dir.join("tech-sw.js"),
        b"importScripts('/tech-sw-queue.js');",
    )
    .unwrap();
    std::fs::write(
        dir.join("tech-sw-queue.js"),
        b"self.addEventListener('sync', () => {});",
    )
    .unwrap();
}

db_test!(
    client_files_are_served_precompressed_and_cached_by_name,
    |cx| {
        let dir = tempfile::tempdir().unwrap();
        site(dir.path());
        let root = dir.path().display().to_string();
        let base = crate::support::start_with(cx.db.clone(), true, &[("SITE_ROOT", &root)]).await;
        let client = reqwest::Client::new();
        let get = |path: String, encoding: &'static str| {
            client
                .get(format!("{base}{path}"))
                .header("accept-encoding", encoding)
                .send()
        };

        let brotli = get(format!("/pkg/{HASHED_WASM}"), "gzip, deflate, br")
            .await
            .unwrap();
        assert_eq!(brotli.status(), 200);
        assert_eq!(brotli.headers()["content-encoding"], "br");
        assert_eq!(brotli.headers()["content-type"], "application/wasm");
        assert_eq!(
            brotli.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(brotli.bytes().await.unwrap(), &b"the build's brotli"[..]);

        let gzip = get(format!("/pkg/{HASHED_WASM}"), "gzip").await.unwrap();
        assert_eq!(gzip.headers()["content-encoding"], "gzip");
        assert_eq!(gzip.bytes().await.unwrap(), &b"the build's gzip"[..]);

        let plain = get(format!("/pkg/{HASHED_WASM}"), "identity")
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert_eq!(plain.bytes().await.unwrap().len(), 64 * 1024);

        // A name that stays across releases: kept, but checked with the server first.
        let unhashed = get("/pkg/certidesk.js".into(), "gzip, br").await.unwrap();
        assert_eq!(unhashed.status(), 200);
        assert_eq!(unhashed.headers()["cache-control"], "no-cache");
        let public = get("/favicon.svg".into(), "gzip, br").await.unwrap();
        assert_eq!(public.status(), 200);
        assert_eq!(public.headers()["cache-control"], "no-cache");
        assert_eq!(public.headers()["x-content-type-options"], "nosniff");

        // The Tech view's service worker runs under the policy its script comes with: it may
        // fetch this site (to keep the technician's tasks) and load its own second script (the
        // work queue), and it is checked for a new version on every visit.
        let worker = get("/tech-sw.js".into(), "gzip, br").await.unwrap();
        assert_eq!(worker.status(), 200);
        assert_eq!(worker.headers()["cache-control"], "no-cache");
        assert_eq!(
            worker.headers()["content-security-policy"],
            "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
        );
        let queue = get("/tech-sw-queue.js".into(), "gzip, br").await.unwrap();
        assert_eq!(queue.status(), 200);
        assert_eq!(queue.headers()["cache-control"], "no-cache");
        assert!(public.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'; frame-ancestors"));

        let missing = get("/pkg/certidesk.AAAAAAAAAAAAAAAAAAAAAA.js".into(), "br")
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        assert!(missing.headers().get("cache-control").is_none());

        // Pages keep theirs.
        let page = get("/sign-in".into(), "gzip, br").await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["cache-control"], "no-store");
        let not_found = get("/no/such/page".into(), "gzip").await.unwrap();
        assert_eq!(not_found.status(), 404);
        assert_eq!(not_found.headers()["cache-control"], "no-store");
    }
);
