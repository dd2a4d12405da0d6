//! `/desk/preferences`: a Desk user's mobile number and saved signature. The saved signature is
//! only ever used when they choose "Use my saved signature" while signing.

use crate::api::preferences::{load_preferences, SavePreferences};
use crate::domain::records::Preferences;
use crate::domain::signature::Drawing;
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::signature_pad::SignaturePad;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PreferencesPage() -> impl IntoView {
    let preferences = resource(|| (), |_| load_preferences());
    let content = move || {
        Suspend::new(async move {
            match preferences.await {
                Ok(p) => view! { <PreferencesForm p/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Preferences"/>
        <h1>"Preferences"</h1>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn PreferencesForm(p: Preferences) -> impl IntoView {
    let save = ServerAction::<SavePreferences>::new();
    let error = action_error(save);
    let mobile = RwSignal::new(p.mobile);
    let had_saved = p.saved_signature.is_some();
    let saved: Drawing = p
        .saved_signature
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let original = StoredValue::new(saved.clone());
    let drawing = RwSignal::new(saved);
    let forget = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let current = drawing.get_untracked();
        let changed = original.with_value(|o| *o != current);
        save.dispatch(SavePreferences {
            mobile: mobile.get_untracked(),
            signature: if changed && !current.strokes.is_empty() {
                serde_json::to_string(&current).unwrap_or_default()
            } else {
                String::new()
            },
            forget: forget.get_untracked() || (changed && current.strokes.is_empty()),
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            original.set_value(drawing.get_untracked());
            forget.set(false);
        }
    });
    let saved_message = move || {
        matches!(save.value().get(), Some(Ok(()))).then(|| {
            view! { <p class="form-success" role="status">"Preferences saved."</p> }
        })
    };
    view! {
        <form class="stacked-form panel" on:submit=submit>
            <label for="preferences-mobile">"Mobile number"</label>
            <input id="preferences-mobile" type="tel" maxlength="30" autocomplete="tel"
                prop:value=move || mobile.get()
                on:input=move |ev| mobile.set(event_target_value(&ev))/>
            <FieldError id="preferences-mobile-error" field="mobile" error/>
            <p class="field-label">"Saved signature"</p>
            <p class="hint">"Offered when you sign a task as \"Use my saved signature\"; it is never placed on a report unless you choose it there."</p>
            <SignaturePad drawing label="Saved signature" testid="saved-signature"/>
            <FieldError id="preferences-signature-error" field="signature" error/>
            {had_saved.then(|| view! {
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || forget.get()
                        on:change=move |ev| forget.set(event_target_checked(&ev))/>
                    " Remove my saved signature"
                </label>
            })}
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || save.pending().get()>"Save preferences"</button>
                {saved_message}
            </div>
        </form>
    }
}
