//! The task's messages between the agency and the contractor's office.

use crate::api::tasks::{load_task_messages, SendTaskMessage};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::live::Live;
use crate::ui::render_once::before_the_view;
use crate::ui::resource::resource;
use leptos::prelude::*;

/// How a page that may write lays out the message form: given the task and the signal to bump
/// after sending. A plain `fn`, so a page that only reads (the Tech view) never links the form.
pub type MessageForm = fn(i64, RwSignal<u64>) -> AnyView;

/// The chat with the other side; new messages appear without reloading. Kept apart from the
/// task so what someone is typing elsewhere on the page survives a new message.
#[component]
pub fn Messages(task_id: i64, live: Live, form: Option<MessageForm>) -> impl IntoView {
    let sent = RwSignal::new(0u64);
    let posted = Live::for_task(live.message, move || task_id);
    let messages = resource(
        move || (sent.get(), posted.get()),
        move |_| load_task_messages(task_id),
    );
    let list = move || {
        Suspend::new(async move {
            let messages = messages.await;
            before_the_view().await;
            match messages {
                Ok(list) if list.is_empty() => {
                    view! { <p class="hint">"No messages yet."</p> }.into_any()
                }
                Ok(list) => {
                    let items = list
                        .into_iter()
                        .map(|m| {
                            let class = if m.mine { "message mine" } else { "message" };
                            let side = if m.from_agency { "Agency" } else { "Contractor" };
                            view! {
                                <li class=class>
                                    <p class="message-meta">{format!("{} ({side}) · {}", m.who, m.when)}</p>
                                    <p class="message-body">{m.body}</p>
                                </li>
                            }
                        })
                        .collect_view();
                    view! { <ol class="message-list" aria-live="polite">{items}</ol> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="messages-heading">
            <h2 id="messages-heading">"Messages"</h2>
            <Transition fallback=|| view! { <p role="status">"Loading messages…"</p> }>{list}</Transition>
            {form.map(|form| form(task_id, sent))}
        </section>
    }
}

/// The form of those who may write: the agency's and the contractor office's people.
pub fn message_form(task_id: i64, sent: RwSignal<u64>) -> AnyView {
    view! { <SendMessage task_id sent/> }.into_any()
}

#[component]
fn SendMessage(task_id: i64, sent: RwSignal<u64>) -> impl IntoView {
    let send = ServerAction::<SendTaskMessage>::new();
    let error = action_error(send);
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            draft.set(String::new());
            sent.update(|n| *n += 1);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.dispatch(SendTaskMessage {
            task_id,
            body: draft.get_untracked(),
        });
    };
    view! {
        <form class="stacked-form" on:submit=on_submit aria-label="Send a message">
            <label for="message-body">"Message"</label>
            <textarea id="message-body" rows="3" maxlength="4000" required
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            <FieldError id="message-body-error" field="body" error/>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=move || send.pending().get()>
                    {move || if send.pending().get() { "Sending…" } else { "Send" }}
                </button>
            </div>
        </form>
    }
}
