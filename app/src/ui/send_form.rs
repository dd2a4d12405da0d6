//! A form sent by the browser's script so the page stays (and, with files, shows progress); the
//! answer's message lands beside the field it names. Without the script the form still posts.
//! Forms without files post to their server function (`ServerFn::url()`) exactly as the browser
//! would: the Tech view's islands send this way rather than through a `ServerAction`, so the
//! islands client carries no server function client, query-string encoder or per-function
//! (de)serializers.

use crate::api::ApiError;
use leptos::prelude::*;

// Only the browser's script moves past Idle.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
pub enum Sending {
    Idle,
    /// Percent sent.
    Progress(u32),
    /// The connection dropped before the file was through; this try (2..) comes after a pause.
    Retrying(u32),
    Failed(ApiError),
}

/// Tries in all when the connection drops part-way (a phone on site losing signal).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const TRIES: u32 = 4;

impl Sending {
    pub fn busy(&self) -> bool {
        matches!(self, Sending::Progress(_) | Sending::Retrying(_))
    }

    pub fn error(&self) -> Option<ApiError> {
        match self {
            Sending::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }
}

/// Sends the submitted form, with the button that submitted it, to `url`; on a 2xx answer the
/// form is reset when the page stays (`Then::Stay`) and `done` runs with the answer's body.
pub fn send_form(
    ev: leptos::ev::SubmitEvent,
    url: String,
    state: RwSignal<Sending>,
    then: Then,
    done: Callback<String>,
) {
    ev.prevent_default();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        attempt(form, ev.submitter(), url, state, then, done, 1);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, state, then, done);
}

/// What the page does once the server has a form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// It stays and shows its data again: the form empties for the next entry.
    Stay,
    /// It loads again or opens another: the form keeps what was sent until then, rather than
    /// flash its old values.
    Leave,
}

/// One try at sending; a try of files that broke off before the whole form was sent cannot have
/// been recorded by the server, so it is tried again after a pause, up to [`TRIES`] in all. A
/// form without files reports no upload progress, so a dropped connection cannot tell whether
/// the server had it: that is said, not tried again.
#[cfg(feature = "hydrate")]
fn attempt(
    form: web_sys::HtmlFormElement,
    submitter: Option<web_sys::HtmlElement>,
    url: String,
    state: RwSignal<Sending>,
    then: Then,
    done: Callback<String>,
    n: u32,
) {
    use std::cell::Cell;
    use std::rc::Rc;
    state.set(if n == 1 {
        Sending::Progress(0)
    } else {
        Sending::Retrying(n)
    });
    let sent_all = Rc::new(Cell::new(false));
    let progress = {
        let sent_all = sent_all.clone();
        move |percent: u32| {
            sent_all.set(percent >= 100);
            state.set(Sending::Progress(percent));
        }
    };
    let retries = crate::ui::xhr::is_multipart(&form);
    let again = (form.clone(), submitter.clone(), url.clone());
    let sent_form = form.clone();
    crate::ui::xhr::post_form(
        &form,
        submitter.as_ref(),
        &url,
        progress,
        move |status, body| {
            if (200..300).contains(&status) {
                state.set(Sending::Idle);
                if then == Then::Stay {
                    sent_form.reset();
                }
                done.run(body);
            } else if status == 0 && retries && !sent_all.get() && n < TRIES {
                let (form, submitter, url) = again;
                leptos::task::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(1_000 * 2u32.pow(n)).await;
                    attempt(form, submitter, url, state, then, done, n + 1);
                });
            } else {
                state.set(Sending::Failed(crate::ui::xhr::answer_error(status, &body)));
            }
        },
    );
}

/// The progress bar while sending.
#[component]
pub fn SendProgress(state: RwSignal<Sending>) -> impl IntoView {
    move || match state.get() {
        Sending::Progress(percent) => view! {
            <progress max="100" value=percent.to_string() aria-label="Upload progress">
                {format!("{percent}%")}
            </progress>
        }
        .into_any(),
        Sending::Retrying(n) => view! {
            <p class="hint" role="status">
                {format!("The connection dropped. Trying again ({n} of {TRIES})…")}
            </p>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// A form on a page that reloads its data when `sent` moves: what it is sending, its error, and
/// the submit handler, which moves `sent` once the server took the form.
pub fn sending_form(
    url: String,
    sent: RwSignal<u64>,
) -> (
    RwSignal<Sending>,
    Signal<Option<ApiError>>,
    impl Fn(leptos::ev::SubmitEvent) + Clone + 'static,
) {
    form_with(url, Callback::new(move |_| sent.update(|v| *v += 1)))
}

/// A form whose server function answers with text the page uses (the page to open next, a
/// message), which lands in `answer`: what it is sending, its error, and the submit handler.
pub fn answering_form(
    url: String,
    answer: RwSignal<Option<String>>,
) -> (
    RwSignal<Sending>,
    Signal<Option<ApiError>>,
    impl Fn(leptos::ev::SubmitEvent) + Clone + 'static,
) {
    form_with(
        url,
        // A server function's text answer is a JSON string.
        Callback::new(move |body: String| answer.set(serde_json::from_str(&body).ok())),
    )
}

fn form_with(
    url: String,
    done: Callback<String>,
) -> (
    RwSignal<Sending>,
    Signal<Option<ApiError>>,
    impl Fn(leptos::ev::SubmitEvent) + Clone + 'static,
) {
    let state = RwSignal::new(Sending::Idle);
    let error = Signal::derive(move || state.get().error());
    let on_submit = move |ev| send_form(ev, url.clone(), state, Then::Stay, done);
    (state, error, on_submit)
}
