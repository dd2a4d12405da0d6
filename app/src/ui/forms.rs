//! Small pieces every form and page uses: the message under a field, the form's own outcome, and
//! what a page shows when it could not read its data.

use crate::api::ApiError;
use leptos::prelude::*;

/// The error for one field, announced to screen readers, when the last answer was about it.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] field: String,
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let field = StoredValue::new(field);
    let message = move || error.get().and_then(|e| e.for_field(&field.read_value()));
    view! {
        <Show when=move || message().is_some()>
            <p class="field-error" id=id.clone()>{message}</p>
        </Show>
    }
}

/// The form's error when it is not about one field.
#[component]
pub fn FormError(error: Signal<Option<ApiError>>) -> impl IntoView {
    let message = move || {
        error.get().and_then(|e| match e {
            ApiError::Invalid { .. } => None,
            other => Some(other.to_string()),
        })
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="form-error" role="alert">{message}</p>
        </Show>
    }
}

/// What a page shows, announced, in place of what it could not read.
#[component]
pub fn LoadError(e: ApiError) -> impl IntoView {
    view! { <p class="form-error" role="alert">{e.to_string()}</p> }
}

/// The error of a server action's last answer.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<ApiError>>
where
    S: leptos::server_fn::ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// Moves `changed` on each time `action` succeeds, so the page reloads its data. Actions are made
/// in the component that shows them, not in the page above a `Suspend`: content that resolves
/// after the person has navigated away must not read an action its page has already disposed
/// (a panic in the browser that stops the app).
pub fn reload_on_success<S>(action: ServerAction<S>, changed: RwSignal<u64>)
where
    S: leptos::server_fn::ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            changed.update(|v| *v += 1);
        }
    });
}
