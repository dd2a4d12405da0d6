//! Data a page reads from the server: one way to make a resource.
//!
//! A server function's answer arrives as bytes, which `serde_json` reads with its slice reader;
//! a resource's value, written into the page by the server, Leptos reads by default with the
//! string reader. Each reader is a copy of every type's deserializer in the WASM (for the task
//! page, `TaskDetail` twice). Reading the page's text as bytes keeps one copy.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// JSON, read through `serde_json`'s slice reader (the one server functions use).
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// What the page's resources are: read on the server during rendering, sent with the page, and
/// read again in the browser when `source` changes.
pub type Loaded<T> = Resource<T, Json>;

/// A resource whose first value the server renders into the page without holding the response.
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// A resource the response waits for (what the page's head or status depends on).
#[track_caller]
pub fn blocking_resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Sample {
        name: String,
        count: u32,
    }

    #[test]
    fn what_is_written_into_the_page_reads_back_the_same_escapes_and_all() {
        let sample = Sample {
            name: "Tom \"O'Brien\" — 20 °C\n".into(),
            count: 3,
        };
        let text = <Json as Encoder<Sample>>::encode(&sample).unwrap();
        let back: Sample = <Json as Decoder<Sample>>::decode(&text).unwrap();
        assert_eq!(back, sample);
        assert!(<Json as Decoder<Sample>>::decode("{\"name\":1}").is_err());
    }
}
