//! "I've performed this work": notes and signatures drawn on the phone, kept while the task
//! around them is redrawn.

use crate::api::preferences::load_preferences;
use crate::api::tasks::PerformWork;
use crate::domain::records::PerformForm;
use crate::domain::signature::Drawing;
use crate::ui::forms::{action_error, reload_on_success, FieldError, FormError};
use crate::ui::resource::resource;
use crate::ui::signature_pad::SignaturePad;
use leptos::prelude::*;

/// What is typed and drawn in "I've performed this work", held by the page so a live update of
/// the task (a colleague's result, say) redraws the form without losing any of it.
#[derive(Clone, Copy)]
pub struct PerformDraft {
    notes: RwSignal<String>,
    name: RwSignal<Option<String>>,
    mine: RwSignal<Drawing>,
    client_signs: RwSignal<bool>,
    client_name: RwSignal<String>,
    client: RwSignal<Drawing>,
}

impl PerformDraft {
    pub fn new() -> Self {
        PerformDraft {
            notes: RwSignal::new(String::new()),
            name: RwSignal::new(None),
            mine: RwSignal::new(Drawing::default()),
            client_signs: RwSignal::new(false),
            client_name: RwSignal::new(String::new()),
            client: RwSignal::new(Drawing::default()),
        }
    }
}

/// "I've performed this work": notes, the signer's signature drawn on the pad (or, for a Desk
/// user, their saved one, offered but placed only when they choose it), and optionally the
/// client's with their printed name.
#[component]
pub fn PerformedForm(
    task_id: i64,
    sent: RwSignal<u64>,
    signer: String,
    desk_user: bool,
    draft: PerformDraft,
) -> impl IntoView {
    let perform = ServerAction::<PerformWork>::new();
    reload_on_success(perform, sent);
    let error = action_error(perform);
    let PerformDraft {
        notes,
        name,
        mine,
        client_signs,
        client_name,
        client,
    } = draft;
    // The signer's own name until they change it.
    if name.get_untracked().is_none() {
        name.set(Some(signer));
    }
    let saved = resource(
        move || desk_user,
        |desk| async move {
            if desk {
                load_preferences()
                    .await
                    .ok()
                    .and_then(|p| p.saved_signature)
            } else {
                None
            }
        },
    );
    let use_saved = move || {
        Suspend::new(async move {
            saved.await.and_then(|json| serde_json::from_str::<Drawing>(&json).ok()).map(|drawing| {
                view! {
                    <button type="button" class="secondary"
                        on:click=move |_| mine.set(drawing.clone())>"Use my saved signature"</button>
                }
            })
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let json =
            |d: RwSignal<Drawing>| serde_json::to_string(&d.get_untracked()).unwrap_or_default();
        let with_client = client_signs.get_untracked();
        perform.dispatch(PerformWork {
            work: PerformForm {
                task_id,
                notes: notes.get_untracked(),
                signer_name: name.get_untracked().unwrap_or_default(),
                signature: json(mine),
                client_name: if with_client {
                    client_name.get_untracked()
                } else {
                    String::new()
                },
                client_signature: if with_client {
                    json(client)
                } else {
                    String::new()
                },
            },
        });
    };
    view! {
        <section class="panel" aria-labelledby="perform-heading">
            <h2 id="perform-heading">"I've performed this work"</h2>
            <form class="stacked-form" on:submit=submit>
                <label for="perform-notes">"Notes (optional)"</label>
                <textarea id="perform-notes" rows="3" maxlength="4000"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                <FieldError id="perform-notes-error" field="notes" error/>
                <p class="field-label">"Your signature"</p>
                <SignaturePad drawing=mine label="Your signature" testid="my-signature"/>
                <Transition fallback=|| ()>{use_saved}</Transition>
                <FieldError id="perform-signature-error" field="signature" error/>
                <label for="perform-name">"Your name"</label>
                <input id="perform-name" type="text" maxlength="100" autocomplete="name"
                    prop:value=move || name.get().unwrap_or_default()
                    on:input=move |ev| name.set(Some(event_target_value(&ev)))/>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || client_signs.get()
                        on:change=move |ev| client_signs.set(event_target_checked(&ev))/>
                    " The client signs too"
                </label>
                <Show when=move || client_signs.get()>
                    <p class="field-label">"Client's signature"</p>
                    <SignaturePad drawing=client label="Client's signature" testid="client-signature"/>
                    <FieldError id="perform-client-error" field="client_signature" error/>
                    <label for="perform-client-name">"Client's printed name"</label>
                    <input id="perform-client-name" type="text" maxlength="100"
                        prop:value=move || client_name.get()
                        on:input=move |ev| client_name.set(event_target_value(&ev))/>
                </Show>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || perform.pending().get()>
                        {move || if perform.pending().get() { "Saving…" } else { "I've performed this work" }}
                    </button>
                </div>
            </form>
        </section>
    }
}
