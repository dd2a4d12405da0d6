//! One island for every form of a page served in islands mode that only sends what is typed: the
//! server renders the form's fields (the island's children, so their words never reach the
//! client), and the island sends them as the browser would, shows the answer's errors beside
//! the fields they name, and once the server has the form loads the page again (the server's
//! record) and says `done` there. Without the script the form still posts.

use crate::ui::refresh::browser;
use crate::ui::send_form::{send_form, Sending, Then};
use crate::ui::session::{confirm as ask, go_to};
use leptos::prelude::*;

/// Where what a form said it did waits for the page it loads again.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const DONE_KEY: &str = "certidesk-done";

/// A form posting to `action` (a server function's URL).
/// - `done` is said once it went through (empty: the server's answer, a text), on the page
///   loaded again, or on `then` when given (the page without what was being edited).
/// - `confirm`, when given, is asked first (for what cannot be undone).
/// - `auto` sends the form as soon as a field in it changes (a checkbox in a table).
/// - `key` tells apart the forms of a page that send to the same address (the row's record), so
///   that the same form says what it did on the page loaded again.
///
/// Ticked boxes marked `data-join="NAME"` travel as one comma-separated field, the hidden input
/// named NAME and marked `data-joins` (the server fills it with what the page shows, so a form
/// sent before the script is live keeps it). Field errors land in the form's [`FieldSlot`]s;
/// any other error, or one about a field the form has no slot for, below the fields.
#[island(lazy)]
pub fn PostForm(
    action: String,
    done: String,
    class: String,
    // Optional props of an island are `Option`s (the macro reads them from the page so).
    #[prop(optional)] then: Option<String>,
    #[prop(optional)] confirm: Option<String>,
    #[prop(optional)] auto: Option<bool>,
    #[prop(optional)] key: Option<String>,
    children: Children,
) -> impl IntoView {
    let state = RwSignal::new(Sending::Idle);
    let form = NodeRef::<leptos::html::Form>::new();
    // An error no slot shows; what the form did, after the page loaded again.
    let unplaced = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<String>);
    // Which form says it on the page loaded again: the one with the same address and key (its
    // `done` may differ there: "disabled" becomes "enabled again").
    let by = format!("{action}#{}", key.unwrap_or_default());
    let by_submit = by.clone();
    let url = action.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if state.get_untracked().busy() || confirm.as_deref().is_some_and(|q| !ask(q)) {
            ev.prevent_default();
            return;
        }
        let by = by_submit.clone();
        #[cfg(feature = "hydrate")]
        if let Some(form) = form.get_untracked() {
            join_choices(&form);
        }
        let (done, then) = (done.clone(), then.clone());
        let after = Callback::new(move |answer: String| {
            let said = if done.is_empty() {
                // A server function's text answer is a JSON string.
                serde_json::from_str(&answer).unwrap_or_default()
            } else {
                done.clone()
            };
            remember(&by, &said);
            match &then {
                Some(page) => go_to(page),
                None => browser::reload(),
            }
        });
        send_form(ev, url.clone(), state, Then::Leave, after);
    };
    #[cfg(feature = "hydrate")]
    {
        // Shown after hydration (the server rendered the form saying nothing).
        Effect::new(move |_| {
            let Some(text) = recall(&by) else { return };
            said.set(Some(text));
            // What it says shows, even where the form sits in a closed `<details>`.
            if let Some(Ok(Some(details))) = form.get_untracked().map(|f| f.closest("details")) {
                let _ = details.set_attribute("open", "");
            }
        });
        Effect::new(move |_| {
            let error = state.get().error();
            if let Some(form) = form.get() {
                let placed = place_field_errors(&form, error.as_ref());
                unplaced.set(error.filter(|_| !placed).map(|e| e.to_string()));
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = auto;
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form.get_untracked().filter(|_| auto == Some(true)) {
            let _ = form.request_submit();
        }
    };
    view! {
        <form method="post" action=action class=class node_ref=form on:submit=on_submit
            on:change=on_change aria-busy=move || state.get().busy().to_string()>
            {children()}
            <Show when=move || unplaced.get().is_some()>
                <p class="form-error" role="alert">{move || unplaced.get()}</p>
            </Show>
            <Show when=move || said.get().is_some()>
                <p class="form-success" role="status">{move || said.get()}</p>
            </Show>
        </form>
    }
}

/// Where a [`PostForm`]'s error about `field` is shown; `id` is what the field's
/// `aria-describedby` names.
#[component]
pub fn FieldSlot(#[prop(into)] id: String, #[prop(into)] field: String) -> impl IntoView {
    view! { <p class="field-error" id=id data-field=field></p> }
}

/// Notes what the form `by` did, for the page that loads next in this tab.
fn remember(by: &str, said: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(storage)) = window().session_storage() {
        let _ = storage.set_item(DONE_KEY, &format!("{by}\n{said}"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (by, said);
}

/// What the form `by` did before the page loaded again, once.
#[cfg(feature = "hydrate")]
fn recall(by: &str) -> Option<String> {
    let storage = window().session_storage().ok().flatten()?;
    let kept = storage.get_item(DONE_KEY).ok().flatten()?;
    let (kept_by, said) = kept.split_once('\n')?;
    (kept_by == by && !said.is_empty()).then(|| {
        let _ = storage.remove_item(DONE_KEY);
        said.to_string()
    })
}

/// Writes the error into the slot of the field it names and empties the others; whether a slot
/// took it.
#[cfg(feature = "hydrate")]
fn place_field_errors(
    form: &web_sys::HtmlFormElement,
    error: Option<&crate::api::ApiError>,
) -> bool {
    use wasm_bindgen::JsCast;
    let Ok(slots) = form.query_selector_all("[data-field]") else {
        return false;
    };
    let mut placed = false;
    for i in 0..slots.length() {
        let Some(slot) = slots
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let field = slot.get_attribute("data-field").unwrap_or_default();
        let message = error.and_then(|e| e.for_field(&field));
        placed |= message.is_some();
        slot.set_text_content(message.as_deref());
    }
    placed
}

/// Fills each `data-joins` field with the values of the boxes ticked for it, comma-separated.
#[cfg(feature = "hydrate")]
fn join_choices(form: &web_sys::HtmlFormElement) {
    use wasm_bindgen::JsCast;
    let inputs = |selector: &str| {
        form.query_selector_all(selector)
            .map(|list| {
                (0..list.length())
                    .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    for joined in inputs("input[data-joins]") {
        let values = inputs(&format!("input[data-join=\"{}\"]:checked", joined.name()))
            .iter()
            .map(|b| b.value())
            .collect::<Vec<_>>();
        joined.set_value(&values.join(","));
    }
}
