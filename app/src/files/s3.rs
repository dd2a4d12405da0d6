//! Files in S3-compatible object storage (AWS S3, MinIO, Garage, Ceph, s3s-fs...) through
//! `object_store`, the Apache Arrow project's crate: it signs requests, retries with backoff and
//! streams. Objects are addressed path-style (`endpoint/bucket/key`), which every S3-compatible
//! server accepts.

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{ClientOptions, ObjectStore, PutPayload, RetryConfig};
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

#[derive(Debug)]
pub struct S3Store {
    store: AmazonS3,
}

/// What went wrong talking to the store, without the secret.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("object storage: S3_ENDPOINT {0:?} is not an http:// or https:// address")]
    BadEndpoint(String),
}

/// The endpoint without a trailing slash, if it is a web address with a host and no path.
fn checked_endpoint(endpoint: &str) -> Option<String> {
    let endpoint = endpoint.trim_end_matches('/');
    endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .filter(|host| !host.is_empty() && !host.contains('/'))
        .map(|_| endpoint.to_string())
}

impl S3Store {
    pub fn new(settings: S3Settings) -> Result<S3Store, S3Error> {
        let endpoint = checked_endpoint(&settings.endpoint)
            .ok_or_else(|| S3Error::BadEndpoint(settings.endpoint.clone()))?;
        let store = AmazonS3Builder::new()
            .with_endpoint(&endpoint)
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(endpoint.starts_with("http://"))
                    .with_connect_timeout(Duration::from_secs(10))
                    .with_timeout(Duration::from_secs(60)),
            )
            // A request that fails for the network or a 5xx is tried again, for 30 s at most:
            // an upload waits that long rather than failing on a blip.
            .with_retry(RetryConfig {
                max_retries: 4,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            })
            .build()?;
        Ok(S3Store { store })
    }

    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), S3Error> {
        self.store
            .put(&key.into(), PutPayload::from(bytes.to_vec()))
            .await?;
        Ok(())
    }

    pub async fn read(&self, key: &str) -> Result<Vec<u8>, S3Error> {
        let object = self.store.get(&key.into()).await?;
        Ok(object.bytes().await?.to_vec())
    }

    /// Removing an object that is not there succeeds, as S3 itself answers.
    pub async fn delete(&self, key: &str) -> Result<(), S3Error> {
        match self.store.delete(&key.into()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(endpoint: &str) -> S3Settings {
        S3Settings {
            endpoint: endpoint.into(),
            bucket: "examplebucket".into(),
            region: "us-east-1".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    #[test]
    fn endpoints_must_be_web_addresses() {
        for bad in [
            "s3.amazonaws.com",
            "ftp://host",
            "https://",
            "https://host/path",
        ] {
            assert!(
                matches!(S3Store::new(settings(bad)), Err(S3Error::BadEndpoint(_))),
                "{bad}"
            );
        }
        assert!(S3Store::new(settings("http://127.0.0.1:9000/")).is_ok());
        assert!(S3Store::new(settings("https://s3.eu-west-2.amazonaws.com")).is_ok());
    }

    #[test]
    fn the_secret_stays_out_of_logs() {
        let shown = format!("{:?}", settings("https://s3.example"));
        assert!(!shown.contains("wJalrXUtnFEMI"));
        assert!(shown.contains("***"));
    }
}
