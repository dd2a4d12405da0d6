//! "I've performed this work": notes and signatures drawn on the phone, kept while the task
//! around them is redrawn (Desk view) or loaded again (Tech view: kept in the tab).

use crate::api::tasks::PerformWork;
use crate::domain::signature::Drawing;
use crate::ui::forms::{FieldError, FormError};
use crate::ui::send_form::sending_form;
use crate::ui::signature_pad::SignaturePad;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// What is typed and drawn in "I've performed this work", held above the form so a live update
/// of the task (a colleague's result, say) redraws the form without losing any of it.
#[derive(Clone, Copy)]
pub struct PerformDraft {
    notes: RwSignal<String>,
    name: RwSignal<Option<String>>,
    mine: RwSignal<Drawing>,
    client_signs: RwSignal<bool>,
    client_name: RwSignal<String>,
    client: RwSignal<Drawing>,
}

/// A draft as the tab keeps it.
#[derive(Default, Serialize, Deserialize)]
struct KeptDraft {
    notes: String,
    name: Option<String>,
    mine: Drawing,
    client_signs: bool,
    client_name: String,
    client: Drawing,
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

    /// A draft kept in the tab's session storage under the task: the page loading again finds
    /// it. Restored once the form is live (the server rendered it empty), saved on every change.
    pub fn kept(task_id: i64) -> Self {
        let draft = Self::new();
        Effect::new(move |restored: Option<()>| {
            let now = draft.snapshot();
            if restored.is_none() {
                if let Some(kept) = storage::read(task_id) {
                    draft.restore(kept);
                }
            } else {
                storage::write(task_id, &now);
            }
        });
        draft
    }

    /// Forgets the kept draft once it has been sent.
    pub fn discard(task_id: i64) {
        storage::remove(task_id);
    }

    /// The signer's own drawing, where a saved signature is placed.
    pub fn mine(&self) -> RwSignal<Drawing> {
        self.mine
    }

    fn snapshot(&self) -> KeptDraft {
        KeptDraft {
            notes: self.notes.get(),
            name: self.name.get(),
            mine: self.mine.get(),
            client_signs: self.client_signs.get(),
            client_name: self.client_name.get(),
            client: self.client.get(),
        }
    }

    fn restore(&self, kept: KeptDraft) {
        self.notes.set(kept.notes);
        if kept.name.is_some() {
            self.name.set(kept.name);
        }
        self.mine.set(kept.mine);
        self.client_signs.set(kept.client_signs);
        self.client_name.set(kept.client_name);
        self.client.set(kept.client);
    }
}

#[cfg(feature = "hydrate")]
mod storage {
    use super::KeptDraft;

    fn key(task_id: i64) -> String {
        format!("perform-draft-{task_id}")
    }

    fn session() -> Option<web_sys::Storage> {
        leptos::prelude::window().session_storage().ok().flatten()
    }

    pub fn read(task_id: i64) -> Option<KeptDraft> {
        let text = session()?.get_item(&key(task_id)).ok().flatten()?;
        serde_json::from_slice(text.as_bytes()).ok()
    }

    pub fn write(task_id: i64, draft: &KeptDraft) {
        if let (Some(session), Ok(text)) = (session(), serde_json::to_string(draft)) {
            // A full storage keeps the draft on the page only.
            let _ = session.set_item(&key(task_id), &text);
        }
    }

    pub fn remove(task_id: i64) {
        if let Some(session) = session() {
            let _ = session.remove_item(&key(task_id));
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod storage {
    use super::KeptDraft;

    pub fn read(_: i64) -> Option<KeptDraft> {
        None
    }
    pub fn write(_: i64, _: &KeptDraft) {}
    pub fn remove(_: i64) {}
}

/// "I've performed this work": notes, the signer's signature drawn on the pad, and optionally
/// the client's with their printed name. `children` go under the signer's pad: the offer of a
/// Desk user's saved signature, placed only when they choose it.
#[component]
pub fn PerformedForm(
    task_id: i64,
    sent: RwSignal<u64>,
    signer: String,
    draft: PerformDraft,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let (state, error, send) = sending_form(PerformWork::url().to_string(), sent);
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
    // The drawings go as JSON in hidden fields, written when the form is sent (not on every
    // stroke); the rest of the form is its fields.
    let signature = NodeRef::<leptos::html::Input>::new();
    let client_signature = NodeRef::<leptos::html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            let json = |d: RwSignal<Drawing>| {
                serde_json::to_string(&d.get_untracked()).unwrap_or_default()
            };
            if let Some(field) = signature.get_untracked() {
                field.set_value(&json(mine));
            }
            if let Some(field) = client_signature.get_untracked() {
                let drawn = if client_signs.get_untracked() {
                    json(client)
                } else {
                    String::new()
                };
                field.set_value(&drawn);
            }
        }
        send(ev);
    };
    view! {
        <section class="panel" aria-labelledby="perform-heading">
            <h2 id="perform-heading">"I've performed this work"</h2>
            <form class="stacked-form" method="post" action=PerformWork::url() on:submit=submit
                data-kept="">
                <input type="hidden" name="work[task_id]" value=task_id/>
                <input type="hidden" name="work[signature]" node_ref=signature/>
                <input type="hidden" name="work[client_signature]" node_ref=client_signature/>
                <label for="perform-notes">"Notes (optional)"</label>
                <textarea id="perform-notes" name="work[notes]" rows="3" maxlength="4000"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                <FieldError id="perform-notes-error" field="notes" error/>
                <p class="field-label">"Your signature"</p>
                <SignaturePad drawing=mine label="Your signature" testid="my-signature"/>
                {children.map(|c| c())}
                <FieldError id="perform-signature-error" field="signature" error/>
                <label for="perform-name">"Your name"</label>
                <input id="perform-name" name="work[signer_name]" type="text" maxlength="100"
                    autocomplete="name"
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
                    <input id="perform-client-name" name="work[client_name]" type="text"
                    maxlength="100"
                        prop:value=move || client_name.get()
                        on:input=move |ev| client_name.set(event_target_value(&ev))/>
                </Show>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || state.get().busy()>
                        {move || if state.get().busy() { "Saving…" } else { "I've performed this work" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// "Use my saved signature": places `drawing` on the signer's pad.
#[component]
pub fn UseSavedSignature(drawing: Drawing, mine: RwSignal<Drawing>) -> impl IntoView {
    view! {
        <button type="button" class="secondary"
            on:click=move |_| mine.set(drawing.clone())>"Use my saved signature"</button>
    }
}
