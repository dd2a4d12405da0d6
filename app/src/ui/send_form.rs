//! A form with files, sent by the browser's script so the page stays and shows progress; the
//! answer's message lands beside the field it names. Without the script the form still posts.

use crate::api::ApiError;
use leptos::prelude::*;

// Only the browser's script moves past Idle.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
pub enum Sending {
    Idle,
    /// Percent sent.
    Progress(u32),
    Failed(ApiError),
}

impl Sending {
    pub fn busy(&self) -> bool {
        matches!(self, Sending::Progress(_))
    }

    pub fn error(&self) -> Option<ApiError> {
        match self {
            Sending::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }
}

/// Sends the submitted form to `url`; on a 2xx answer the form is reset and `done` runs.
pub fn send_form(
    ev: leptos::ev::SubmitEvent,
    url: String,
    state: RwSignal<Sending>,
    done: Callback<()>,
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
        state.set(Sending::Progress(0));
        let sent = form.clone();
        crate::ui::xhr::post_form(
            &form,
            &url,
            move |percent| state.set(Sending::Progress(percent)),
            move |status, body| {
                if (200..300).contains(&status) {
                    state.set(Sending::Idle);
                    sent.reset();
                    done.run(());
                } else {
                    state.set(Sending::Failed(crate::ui::xhr::answer_error(status, &body)));
                }
            },
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, state, done);
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
        _ => ().into_any(),
    }
}

/// A files form on a page that reloads its data when `sent` moves: what it is sending, its
/// error, and the submit handler, which moves `sent` once the server took the form.
pub fn files_form(
    url: String,
    sent: RwSignal<u64>,
) -> (
    RwSignal<Sending>,
    Signal<Option<ApiError>>,
    impl Fn(leptos::ev::SubmitEvent) + Clone + 'static,
) {
    let state = RwSignal::new(Sending::Idle);
    let error = Signal::derive(move || state.get().error());
    let on_submit = move |ev| {
        send_form(
            ev,
            url.clone(),
            state,
            Callback::new(move |_| sent.update(|v| *v += 1)),
        )
    };
    (state, error, on_submit)
}
