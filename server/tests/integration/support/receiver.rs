//! A webhook receiver for tests: a real HTTP server that keeps every request it is sent and
//! answers with the statuses it is told to, one per request, then 204.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    answers: VecDeque<StatusCode>,
}

pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// Listens on a free port; the first requests get `answers`, the rest 204.
    pub async fn start(answers: &[u16]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, answers)
    }

    /// On a given listener (a port chosen before the receiver is up).
    pub fn serve(listener: tokio::net::TcpListener, answers: &[u16]) -> Receiver {
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            received: Vec::new(),
            answers: answers
                .iter()
                .map(|s| StatusCode::from_u16(*s).unwrap())
                .collect(),
        }));
        let shared = state.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move {
                    let mut state = shared.lock().unwrap();
                    state.received.push(Received {
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    state.answers.pop_front().unwrap_or(StatusCode::NO_CONTENT)
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            state,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}
