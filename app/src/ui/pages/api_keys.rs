//! `/admin/api`: administrators make keys for the agency's other systems, see when each was last
//! used, and revoke them. A key's text is shown once, when it is made.

use crate::api::api_keys::{api_key_activity, list_api_keys, CreateApiKey, RevokeApiKey};
use crate::domain::api_keys::{KeySummary, Scope};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::confirm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = resource(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    let error = action_error(create);
    let revoke_error = action_error(revoke);
    let made = move || create.value().get().and_then(|r| r.ok());
    let scope_boxes = Scope::ALL
        .into_iter()
        .map(|scope| {
            let field = format!("key[{}]", scope.as_str().replace(':', "_"));
            view! {
                <label class="checkbox">
                    <input type="checkbox" name=field/>
                    <span><code>{scope.as_str()}</code> ": " {scope.describe()}</span>
                </label>
            }
        })
        .collect_view();
    let content = move || {
        Suspend::new(async move {
            match keys.await {
                Ok(keys) if keys.is_empty() => view! {
                    <p class="empty">"No API keys yet. Make one for each system that will call the API, so each can be revoked on its own."</p>
                }
                .into_any(),
                Ok(keys) => view! { <KeyTable keys revoke/> }.into_any(),
                Err(e) => {
                    view! { <LoadError e/> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="API keys"/>
        <h1>"API keys"</h1>
        <p>
            "Other systems (your property-management system, your accounts package) reach Certidesk through its "
            <a href="/api/docs" rel="external">"REST API"</a>
            ". A key acts as the administrator who made it, limited to the scopes ticked here; what it changes is in the audit log under its name. To have Certidesk tell your systems of changes as they happen, register "
            <a href="/admin/webhooks">"webhooks"</a>"."
        </p>
        {move || made().map(|shown| view! {
            <section class="form-success" role="status" aria-labelledby="new-key-heading">
                <h2 id="new-key-heading">{format!("Key \u{201c}{}\u{201d} made", shown.name)}</h2>
                <p>"Copy it now: it is not shown again. Send it as " <code>"Authorization: Bearer <key>"</code> "."</p>
                <label for="new-api-key">"The key"</label>
                <input id="new-api-key" data-testid="new-api-key" readonly value=shown.key
                    on:focus=|ev| { event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); }/>
            </section>
        })}
        <h2>"Make a key"</h2>
        <ActionForm action=create attr:class="stack-form">
            <label for="key-name">"What will use it"</label>
            <input id="key-name" name="key[name]" required maxlength="80" placeholder="Arthur sync"
                aria-describedby="key-name-error"/>
            <FieldError id="key-name-error" field="name" error/>
            <fieldset aria-describedby="key-scopes-error">
                <legend>"It may"</legend>
                {scope_boxes}
            </fieldset>
            <FieldError id="key-scopes-error" field="scopes" error/>
            <FormError error/>
            <button type="submit" class="primary" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Making the key…" } else { "Make key" }}
            </button>
        </ActionForm>
        <h2>"Keys"</h2>
        <FormError error=revoke_error/>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn KeyTable(keys: Vec<KeySummary>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let rows = keys
        .into_iter()
        .map(|key| {
            let scopes = key
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let status = match &key.revoked {
                Some(when) => format!("Revoked {when}"),
                None => "Active".to_string(),
            };
            let action = key.revoked.is_none().then(|| {
                let (id, name) = (key.id, key.name.clone());
                view! {
                    <button type="button" class="danger"
                        aria-label=format!("Revoke the key {name}")
                        on:click=move |_| {
                            let question = format!("Revoke the key \u{201c}{name}\u{201d}? Whatever uses it stops working at once.");
                            if confirm(&question) {
                                revoke.dispatch(RevokeApiKey { key_id: id });
                            }
                        }>
                        "Revoke"
                    </button>
                }
            });
            let open = RwSignal::new(false);
            let label = format!("Activity of the key {}", key.name);
            let key_id = key.id;
            view! {
                <tr>
                    <td>{key.name}</td>
                    <td><code>{format!("{}…", key.hint)}</code></td>
                    <td>{scopes}</td>
                    <td>{format!("{} by {}", key.created, key.created_by)}</td>
                    <td>{key.last_used.unwrap_or_else(|| "Never".into())}</td>
                    <td>{status}</td>
                    <td class="button-row">
                        <button type="button" aria-label=label.clone()
                            aria-expanded=move || open.get().to_string()
                            on:click=move |_| open.update(|o| *o = !*o)>
                            "Activity"
                        </button>
                        {action}
                    </td>
                </tr>
                <Show when=move || open.get()>
                    <tr>
                        <td colspan="7"><KeyActivityList key_id label=label.clone()/></td>
                    </tr>
                </Show>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="api-keys">
                <caption class="visually-hidden">"The agency's API keys"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Scopes"</th>
                        <th scope="col">"Made"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// What one key changed, newest first: the audit log under the key's name.
#[component]
fn KeyActivityList(key_id: i64, label: String) -> impl IntoView {
    let activity = resource(|| (), move |_| api_key_activity(key_id));
    let rows = move || {
        Suspend::new(async move {
            match activity.await {
                Ok(list) if list.is_empty() => view! {
                    <p class="empty">"This key has changed nothing yet. What it reads is not listed, only what it changes."</p>
                }
                .into_any(),
                Ok(list) => {
                    let items = list
                        .into_iter()
                        .map(|entry| view! {
                            <li>
                                <span class="hint">{entry.when}</span>" "{entry.what}
                                {entry.contractor.map(|c| format!(" \u{2014} {c}"))}
                            </li>
                        })
                        .collect_view();
                    view! { <ul class="plain-list key-activity">{items}</ul> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <section aria-label=label data-testid="key-activity">
            <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{rows}</Transition>
        </section>
    }
}
