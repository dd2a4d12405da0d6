//! Files in S3-compatible object storage (AWS S3, MinIO, Garage, Ceph, s3s-fs...): PUT, GET and
//! DELETE of whole objects, path-style addresses, signed with AWS Signature Version 4. Small on
//! purpose: the product only ever stores, reads and removes one object at a time.

use crate::domain::query::encode;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Where the objects live and the key that may write them.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// Scheme, host and optional port, e.g. `https://s3.eu-west-2.amazonaws.com`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The secret never reaches a log.
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct S3Store {
    settings: S3Settings,
    /// `host[:port]` as sent in the Host header, which the signature covers.
    host: String,
    client: reqwest::Client,
}

/// What went wrong talking to the store, without the secret.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("object storage: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("object storage answered {status} to {method} {key}: {message}")]
    Status {
        method: String,
        key: String,
        status: u16,
        message: String,
    },
    #[error("object storage: S3_ENDPOINT {0:?} is not an http:// or https:// address")]
    BadEndpoint(String),
    #[error("object storage: no object {0}")]
    NotFound(String),
}

impl S3Store {
    pub fn new(settings: S3Settings) -> Result<S3Store, S3Error> {
        let endpoint = settings.endpoint.trim_end_matches('/').to_string();
        let host = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .ok_or_else(|| S3Error::BadEndpoint(settings.endpoint.clone()))?
            .to_string();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(S3Store {
            settings: S3Settings {
                endpoint,
                ..settings
            },
            host,
            client,
        })
    }

    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), S3Error> {
        self.send(reqwest::Method::PUT, key, bytes.to_vec())
            .await
            .map(|_| ())
    }

    pub async fn read(&self, key: &str) -> Result<Vec<u8>, S3Error> {
        self.send(reqwest::Method::GET, key, Vec::new()).await
    }

    /// Removing an object that is not there succeeds, as S3 itself answers.
    pub async fn delete(&self, key: &str) -> Result<(), S3Error> {
        match self.send(reqwest::Method::DELETE, key, Vec::new()).await {
            Ok(_) | Err(S3Error::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        key: &str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, S3Error> {
        let path = format!("/{}/{}", uri_encode(&self.settings.bucket), uri_encode(key));
        let now = chrono::Utc::now();
        let signed = sign(
            &self.settings,
            &Request {
                method: method.as_str(),
                host: &self.host,
                path: &path,
                payload: &body,
            },
            now,
        );
        let response = self
            .client
            .request(method.clone(), format!("{}{path}", self.settings.endpoint))
            .header("x-amz-date", signed.amz_date)
            .header("x-amz-content-sha256", signed.payload_hash)
            .header("authorization", signed.authorization)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(S3Error::NotFound(key.to_string()));
        }
        Err(S3Error::Status {
            method: method.to_string(),
            key: key.to_string(),
            status: status.as_u16(),
            message: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
        })
    }
}

struct Request<'a> {
    method: &'a str,
    host: &'a str,
    /// Already URI-encoded.
    path: &'a str,
    payload: &'a [u8],
}

struct Signed {
    amz_date: String,
    payload_hash: String,
    authorization: String,
}

/// Signature Version 4 over method, path, host and payload hash (no query string is ever sent).
fn sign(settings: &S3Settings, request: &Request, now: chrono::DateTime<chrono::Utc>) -> Signed {
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let day = now.format("%Y%m%d").to_string();
    let payload_hash = hex(&Sha256::digest(request.payload));
    let signed_headers = "host;x-amz-content-sha256;x-amz-date";
    let canonical = format!(
        "{}\n{}\n\nhost:{}\nx-amz-content-sha256:{payload_hash}\nx-amz-date:{amz_date}\n\n{signed_headers}\n{payload_hash}",
        request.method, request.path, request.host
    );
    let scope = format!("{day}/{}/s3/aws4_request", settings.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(&settings.secret_access_key, &day, &settings.region, "s3");
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    Signed {
        authorization: format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            settings.access_key_id
        ),
        amz_date,
        payload_hash,
    }
}

fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> Vec<u8> {
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    key
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// S3's URI encoding: each segment percent-encoded as a query value is, `/` kept between them.
fn uri_encode(text: &str) -> String {
    text.split('/').map(encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn settings() -> S3Settings {
        S3Settings {
            endpoint: "https://examplebucket.s3.amazonaws.com".into(),
            bucket: "examplebucket".into(),
            region: "us-east-1".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    /// AWS's published example of deriving a signing key.
    #[test]
    fn signing_keys_match_aws_example() {
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn signatures_cover_method_path_host_and_payload() {
        let at = chrono::Utc.with_ymd_and_hms(2013, 5, 24, 0, 0, 0).unwrap();
        let request = |method, path, payload: &'static [u8]| Request {
            method,
            host: "examplebucket.s3.amazonaws.com",
            path,
            payload,
        };
        let a = sign(&settings(), &request("GET", "/test.txt", b""), at);
        assert_eq!(a.amz_date, "20130524T000000Z");
        assert_eq!(
            a.payload_hash,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(a.authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="
        ));
        let signature = |s: &Signed| s.authorization.rsplit('=').next().unwrap().to_string();
        assert_eq!(signature(&a).len(), 64);
        // Each signed part changes the signature; the same request signs the same.
        for other in [
            sign(&settings(), &request("PUT", "/test.txt", b""), at),
            sign(&settings(), &request("GET", "/other.txt", b""), at),
            sign(&settings(), &request("GET", "/test.txt", b"x"), at),
            sign(
                &settings(),
                &request("GET", "/test.txt", b""),
                at + chrono::TimeDelta::days(1),
            ),
        ] {
            assert_ne!(signature(&other), signature(&a));
        }
        assert_eq!(
            signature(&sign(&settings(), &request("GET", "/test.txt", b""), at)),
            signature(&a)
        );
    }

    #[test]
    fn keys_are_encoded_as_s3_expects() {
        assert_eq!(uri_encode("photos/7/ab.jpg"), "photos/7/ab.jpg");
        assert_eq!(uri_encode("a b+c"), "a%20b%2Bc");
    }

    #[test]
    fn endpoints_must_be_web_addresses() {
        let with = |endpoint: &str| {
            S3Store::new(S3Settings {
                endpoint: endpoint.into(),
                ..settings()
            })
        };
        assert_eq!(
            with("http://127.0.0.1:9000/").unwrap().host,
            "127.0.0.1:9000"
        );
        assert!(matches!(
            with("s3.example.com"),
            Err(S3Error::BadEndpoint(_))
        ));
        assert!(matches!(with("https://"), Err(S3Error::BadEndpoint(_))));
    }
}
