//! `/desk/quotes`: the contractor's office answers the agency's requests for quotes with a price,
//! a note and perhaps a document, or declines; requests still waiting come first.

use crate::api::quotes::{desk_quotes, DeclineQuote};
use crate::domain::dates::DateFormat;
use crate::domain::quotes::{format_amount, DeskQuote, QuoteStatus};
use crate::ui::forms::{action_error, reload_on_success, FieldError, FormError, LoadError};
use crate::ui::live::use_live;
use crate::ui::resource::resource;
use crate::ui::send_form::{sending_form, SendProgress};
use crate::ui::session::{confirm, date_format, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DeskQuotesPage() -> impl IntoView {
    let live = use_live();
    let viewer = use_viewer();
    // Moves when this page sent an answer, so the list is read again at once.
    let sent = RwSignal::new(0u64);
    let quotes = resource(move || (live.quote.get(), sent.get()), |_| desk_quotes());
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match quotes.await {
                Ok(list) if list.is_empty() => view! {
                    <div class="empty-state" role="status">
                        <p>"No requests for quotes yet. When the agency asks you to price works, they appear here and you are emailed."</p>
                    </div>
                }
                .into_any(),
                Ok(list) => view! {
                    <ul class="quote-list">
                        {list.into_iter().map(|q| view! { <QuoteCard q format sent/> }).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Quotes"/>
        <h1>"Quotes"</h1>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn QuoteCard(q: DeskQuote, format: DateFormat, sent: RwSignal<u64>) -> impl IntoView {
    let heading_id = format!("quote-{}", q.id);
    let labelled_by = heading_id.clone();
    let outcome = match q.status {
        QuoteStatus::Accepted => q.task_id.map(|task_id| {
            view! {
                <p class="form-success">"Accepted: the works are now your task. "
                    <A href=format!("/desk/tasks/{task_id}")>"Open the task"</A></p>
            }
            .into_any()
        }),
        QuoteStatus::NotChosen => Some(
            view! { <p class="hint">"Closed: the agency chose another quote or withdrew the request."</p> }
                .into_any(),
        ),
        _ => None,
    };
    let answered = q.amount_pence.map(|a| {
        view! {
            <p>"Your quote: " <strong>{format_amount(a)}</strong>
                {q.document.clone().map(|name| view! {
                    " with " <a href=format!("/files/quotes/{}/document", q.id)>{name}</a>
                })}
            </p>
        }
    });
    let note = q
        .note
        .clone()
        .map(|n| view! { <p class="message-body">{n}</p> });
    let answer = q
        .answerable()
        .then(|| view! { <AnswerForm q=q.clone() sent/> });
    view! {
        <li class="card quote-card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{format!("{}: {}", q.reference, q.title)}</h2>
            <p class="task-address">{q.address.clone()}</p>
            <p class="task-dates">
                {format!("Requested {}", q.requested)}
                {q.due_date.map(|d| format!(" · wanted by {}", format.format(d)))}
                {(q.priority != "normal").then(|| format!(" · {} priority", q.priority))}
            </p>
            {q.description.clone().map(|d| view! { <p class="message-body">{d}</p> })}
            <p><span class=format!("quote-status quote-status-{}", q.status.as_str())>{q.status.label()}</span></p>
            {answered}
            {note}
            {outcome}
            {answer}
        </li>
    }
}

#[component]
fn AnswerForm(q: DeskQuote, sent: RwSignal<u64>) -> impl IntoView {
    let id = q.id;
    let (state, error, send) = sending_form(format!("/files/quotes/{id}/answer"), sent);
    let decline = ServerAction::<DeclineQuote>::new();
    reload_on_success(decline, sent);
    let decline_error = action_error(decline);
    let revising = q.status == QuoteStatus::Quoted;
    let field = |name: &str| format!("quote-{id}-{name}");
    let on_decline = move |_| {
        if confirm("Decline to quote for this work? The agency is told.") {
            decline.dispatch(DeclineQuote {
                quote_id: id,
                note: None,
            });
        }
    };
    view! {
        <form class="stacked-form" method="post" action=format!("/files/quotes/{id}/answer")
            enctype="multipart/form-data" on:submit=send
            aria-label=if revising { "Revise your quote" } else { "Send your quote" }>
            <label for=field("amount")>"Amount (£, including VAT)"</label>
            <input id=field("amount") name="amount" type="text" inputmode="decimal" required
                autocomplete="off" placeholder="e.g. 1,250.00"
                aria-describedby=field("amount-error")/>
            <FieldError id=field("amount-error") field="amount" error/>
            <label for=field("note")>"Note (optional)"</label>
            <textarea id=field("note") name="note" rows="2" maxlength="2000"
                placeholder="What is included, when you could start"></textarea>
            <FieldError id=field("note-error") field="note" error/>
            <label for=field("file")>"Document (optional: PDF, JPEG, PNG or HEIC, up to 10 MB)"</label>
            <input id=field("file") type="file" name="quote"
                accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic"/>
            <FieldError id=field("file-error") field="quote" error/>
            <FormError error/>
            <FormError error=decline_error/>
            <div class="form-actions">
                <button type="submit" disabled=move || state.get().busy()>
                    {move || match (state.get().busy(), revising) {
                        (true, _) => "Sending…",
                        (false, true) => "Revise quote",
                        (false, false) => "Send quote",
                    }}
                </button>
                {(q.status != QuoteStatus::Declined).then(|| view! {
                    <button type="button" class="secondary danger" on:click=on_decline
                        disabled=move || decline.pending().get()>"Decline"</button>
                })}
                <SendProgress state/>
            </div>
        </form>
    }
}
