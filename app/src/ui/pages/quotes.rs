//! `/agent/quotes`: the agent asks contractors to price an issue, compares their answers side by
//! side, and accepts one, which instructs the works to that contractor.

use crate::api::quotes::{
    list_quote_requests, load_quote_request, AcceptQuote, RequestQuotes, WithdrawQuoteRequest,
};
use crate::api::tasks::{check_works, load_instruct_choices};
use crate::api::ApiError;
use crate::domain::dates::DateFormat;
use crate::domain::quotes::{
    format_amount, lowest, QuoteLine, QuoteRequestDetail, QuoteRequestOutcome, QuoteRequestSummary,
    QuoteStatus, RequestState,
};
use crate::domain::records::{InstructChoices, InstructOutcome};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::live::use_live;
use crate::ui::pages::instruct::{light_badge, Outcome};
use crate::ui::refresh::RefreshOn;
use crate::ui::resource::resource;
use crate::ui::session::{confirm, date_format, go_to, use_id_param, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn state_tag(state: RequestState) -> impl IntoView {
    view! { <span class=format!("quote-state quote-state-{state:?}")>{state.label()}</span> }
}

#[component]
pub fn QuotesPage() -> impl IntoView {
    let live = use_live();
    let viewer = use_viewer();
    let requests = resource(move || live.quote.get(), |_| list_quote_requests());
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match requests.await {
                Ok(list) if list.is_empty() => view! {
                    <div class="empty-state" role="status">
                        <p>"No requests for quotes yet. Ask one or several contractors to price an issue, compare their answers, then accept one to instruct the works."</p>
                    </div>
                }
                .into_any(),
                Ok(list) => view! { <RequestTable list format/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    let may_request = move || {
        Suspend::new(async move {
            viewer
                .await
                .ok()
                .flatten()
                .filter(|v| v.permissions.instruct_work)
                .map(|_| view! { <A href="/agent/quotes/new" attr:class="button-link">"Request quotes"</A> })
        })
    };
    view! {
        <Title text="Quotes"/>
        <div class="page-links">
            <h1>"Quotes"</h1>
            <Transition fallback=|| ()>{may_request}</Transition>
        </div>
        <RefreshOn quotes=true/>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn RequestTable(list: Vec<QuoteRequestSummary>, format: DateFormat) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td><A href=format!("/agent/quotes/{}", r.id)>{r.reference}</A></td>
                    <td>{r.title}</td>
                    <td>{r.address}</td>
                    <td>{format.format(r.requested_on)}</td>
                    <td>{format!("{} of {}", r.quoted, r.asked)}</td>
                    <td>{r.lowest_pence.map(format_amount).unwrap_or_else(|| "—".into())}</td>
                    <td>{state_tag(r.state)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="quote-requests">
                <thead><tr>
                    <th scope="col">"Reference"</th><th scope="col">"Works"</th>
                    <th scope="col">"Property"</th><th scope="col">"Requested"</th>
                    <th scope="col">"Quoted"</th><th scope="col">"Lowest"</th><th scope="col">"State"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn RequestQuotesPage() -> impl IntoView {
    let choices = resource(|| (), |_| load_instruct_choices());
    let content = move || {
        Suspend::new(async move {
            match choices.await {
                Ok(choices) => view! { <RequestForm choices/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Request quotes"/>
        <h1>"Request quotes"</h1>
        <p class="hint">"Each contractor you choose is emailed and answers from its Desk view. Accepting a quote instructs the works to that contractor."</p>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn RequestForm(choices: InstructChoices) -> impl IntoView {
    let request = ServerAction::<RequestQuotes>::new();
    let error = action_error(request);
    let chosen = RwSignal::new(Vec::<i64>::new());
    let kind = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let live = use_live();
    let names: Vec<(i64, String)> = choices
        .contractors
        .iter()
        .map(|c| (c.id, c.company_name.clone()))
        .collect();
    // The verdict on each chosen contractor for this work, as soon as it is chosen: the agent
    // learns of a block (and may give a reason) before writing the rest.
    let verdicts = resource(
        move || {
            (
                chosen.get(),
                kind.get(),
                due.get(),
                live.certification.get(),
            )
        },
        move |(ids, kind, due, _)| {
            let names = names.clone();
            async move {
                let mut blocked = Vec::new();
                for id in ids {
                    let check = check_works(id, Some(kind.clone()), Some(due.clone())).await?;
                    if !check.problems.is_empty() {
                        let name = names
                            .iter()
                            .find(|(c, _)| *c == id)
                            .map(|(_, n)| n.clone())
                            .unwrap_or_default();
                        blocked.push((name, check.problems, check.can_override));
                    }
                }
                Ok::<_, ApiError>(blocked)
            }
        },
    );
    // Read through an effect (browser only), so the server's page and the hydrating one agree.
    let asks_reason = RwSignal::new(false);
    Effect::new(move |_| {
        let asks = verdicts
            .get()
            .and_then(|v| v.ok())
            .is_some_and(|v| !v.is_empty() && v.iter().all(|(_, _, may)| *may));
        asks_reason.set(asks);
    });
    let outcome = move || request.value().get().and_then(|r| r.ok());
    Effect::new(move |_| {
        if let Some(QuoteRequestOutcome::Requested { request_id, .. }) = outcome() {
            go_to(&format!("/agent/quotes/{request_id}?sent=1"));
        }
    });
    let blocked_with_override = move || {
        matches!(
            outcome(),
            Some(QuoteRequestOutcome::Blocked {
                can_override: true,
                ..
            })
        ) || asks_reason.get()
    };
    let verdict_view = move || {
        Suspend::new(async move {
            match verdicts.await {
                Ok(blocked) if blocked.is_empty() => ().into_any(),
                Ok(blocked) => view! { <Blocked blocked=blocked.into_iter().map(|(n, p, _)| (n, p)).collect() sent=false/> }.into_any(),
                Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
            }
        })
    };
    let refused = move || match outcome() {
        Some(QuoteRequestOutcome::Blocked { blocked, .. }) => {
            Some(view! { <Blocked blocked sent=true/> })
        }
        _ => None,
    };
    let properties = choices
        .properties
        .into_iter()
        .map(|(id, address)| view! { <option value=id.to_string()>{address}</option> })
        .collect_view();
    let boxes = choices
        .contractors
        .into_iter()
        .map(|c| {
            let id = c.id;
            let standing = if c.suspended {
                view! { <span class="suspended-tag">"Suspended for new work"</span> }.into_any()
            } else {
                light_badge(c.light).into_any()
            };
            view! {
                <label class="checkbox contractor-choice">
                    <input type="checkbox" prop:checked=move || chosen.with(|v| v.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|v| {
                                v.retain(|x| *x != id);
                                if on {
                                    v.push(id);
                                }
                            });
                        }/>
                    " " {c.company_name} " " {c.trade.map(|t| format!("({t})"))} " " {standing}
                </label>
            }
        })
        .collect_view();
    let kind_select = (!choices.work_kinds.is_empty()).then(|| {
        let options = choices
            .work_kinds
            .iter()
            .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
            .collect_view();
        view! {
            <label for="quote-kind">"Kind of work"</label>
            <select id="quote-kind" name="request[work_kind]"
                on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="">"Any (every certificate asked of the contractor)"</option>
                {options}
            </select>
            <FieldError id="quote-kind-error" field="work_kind" error/>
        }
    });
    view! {
        <ActionForm action=request attr:class="stacked-form panel">
            <label for="quote-property">"Property"</label>
            <select id="quote-property" name="request[property_id]" required>{properties}</select>
            <FieldError id="quote-property-error" field="property_id" error/>

            <label for="quote-title">"What needs pricing"</label>
            <input id="quote-title" name="request[title]" type="text" required maxlength="200"
                placeholder="e.g. Replace the bathroom extractor fan"/>
            <FieldError id="quote-title-error" field="title" error/>

            <label for="quote-description">"Description"</label>
            <textarea id="quote-description" name="request[description]" rows="3" maxlength="4000"></textarea>
            <FieldError id="quote-description-error" field="description" error/>

            {kind_select}
            <div class="field-row">
                <div>
                    <label for="quote-due">"Wanted by"</label>
                    <input id="quote-due" name="request[due_date]" type="date"
                        on:input=move |ev| due.set(event_target_value(&ev))/>
                    <FieldError id="quote-due-error" field="due_date" error/>
                </div>
                <div>
                    <label for="quote-priority">"Priority"</label>
                    <select id="quote-priority" name="request[priority]">
                        <option value="low">"Low"</option>
                        <option value="normal" selected=true>"Normal"</option>
                        <option value="high">"High"</option>
                        <option value="urgent">"Urgent"</option>
                    </select>
                </div>
            </div>

            <fieldset aria-describedby="quote-contractors-hint">
                <legend>"Contractors to ask"</legend>
                <p class="hint" id="quote-contractors-hint">"Up to 10. A red contractor is judged as when instructing works."</p>
                {boxes}
                <input type="hidden" name="request[contractors]"
                    prop:value=move || chosen.with(|v| v.iter().map(i64::to_string).collect::<Vec<_>>().join(","))/>
            </fieldset>
            <FieldError id="quote-contractors-error" field="contractors" error/>

            <div aria-live="polite" data-testid="quote-verdict">
                <Transition fallback=|| ()>{verdict_view}</Transition>
            </div>
            {refused}
            <Show when=blocked_with_override>
                <label for="quote-reason">"Reason for overriding the compliance block"</label>
                <textarea id="quote-reason" name="request[override_reason]" rows="2" required></textarea>
            </Show>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=move || request.pending().get()>
                    {move || if request.pending().get() { "Sending…" } else { "Send requests" }}
                </button>
            </div>
        </ActionForm>
    }
}

/// Contractors the compliance rule refuses, each with its certificates at fault.
#[component]
fn Blocked(blocked: Vec<(String, Vec<String>)>, sent: bool) -> impl IntoView {
    let items = blocked
        .into_iter()
        .map(|(name, problems)| {
            view! {
                <li><strong>{name}</strong>": " {problems.join("; ")}</li>
            }
        })
        .collect_view();
    let lead = if sent {
        "Nothing was sent. These contractors are not compliant for this work:"
    } else {
        "Not compliant for this work, today or on the date wanted:"
    };
    view! {
        <div class="blocked" role=if sent { "alert" } else { "note" }>
            <p><strong>{lead}</strong></p>
            <ul>{items}</ul>
            <p>"Untick them, or if your role may override, give a reason below."</p>
        </div>
    }
}

#[component]
pub fn QuoteRequestPage() -> impl IntoView {
    let id = use_id_param();
    let live = use_live();
    let changed = RwSignal::new(0u64);
    let detail = resource(
        move || (id(), live.quote.get(), changed.get()),
        |(id, ..)| load_quote_request(id),
    );
    let viewer = use_viewer();
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match detail.await {
                Ok(d) => view! { <RequestView d format changed/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    let sent = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("sent")
        .is_some();
    view! {
        <Title text="Quotes"/>
        <p><A href="/agent/quotes">"All quotes"</A></p>
        {sent.then(|| view! {
            <p class="form-success" role="status">"Requests sent. Each contractor was emailed; their answers appear here as they come."</p>
        })}
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn RequestView(d: QuoteRequestDetail, format: DateFormat, changed: RwSignal<u64>) -> impl IntoView {
    let accept = ServerAction::<AcceptQuote>::new();
    let withdraw = ServerAction::<WithdrawQuoteRequest>::new();
    let accept_error = action_error(accept);
    let withdraw_error = action_error(withdraw);
    // The quote whose acceptance was blocked, awaiting a reason.
    let blocked_quote = RwSignal::new(None::<i64>);
    Effect::new(move |_| match accept.value().get() {
        Some(Ok(InstructOutcome::Instructed { task_id, .. })) => {
            go_to(&format!("/agent/tasks/{task_id}"))
        }
        Some(Err(_)) => changed.update(|v| *v += 1),
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = withdraw.value().get() {
            changed.update(|v| *v += 1);
        }
    });
    let cheapest = lowest(&d.quotes);
    let open = d.state == RequestState::Open;
    let can_accept = d.can_accept && open;
    let rows = d
        .quotes
        .iter()
        .cloned()
        .map(|q| quote_row(q, cheapest, can_accept, accept, blocked_quote))
        .collect_view();
    let facts = view! {
        <dl class="details">
            <dt>"Property"</dt><dd>{d.address.clone()}</dd>
            <dt>"Wanted by"</dt><dd>{d.due_date.map(|day| format.format(day)).unwrap_or_else(|| "Not set".into())}</dd>
            <dt>"Priority"</dt><dd>{capitalised(&d.priority)}</dd>
            {d.work_kind.clone().map(|k| view! { <dt>"Kind of work"</dt><dd>{k}</dd> })}
            <dt>"Requested"</dt><dd>{format!("{}{}", d.requested, d.requested_by.as_ref().map(|w| format!(" by {w}")).unwrap_or_default())}</dd>
            <dt>"State"</dt><dd>{state_tag(d.state)}</dd>
        </dl>
    };
    let task = d.task.clone().map(|(task_id, reference)| {
        view! {
            <p class="form-success" role="status">
                {format!("Accepted: the works were instructed as {reference}. ")}
                <A href=format!("/agent/tasks/{task_id}")>"Open the task"</A>
            </p>
        }
    });
    let override_form = move || {
        let outcome = accept.value().get().and_then(|r| r.ok());
        match (outcome, blocked_quote.get()) {
            (Some(o @ InstructOutcome::Blocked { can_override, .. }), Some(quote_id)) => {
                let reason = RwSignal::new(String::new());
                let form = can_override.then(|| view! {
                    <form class="stacked-form" on:submit=move |ev| {
                        ev.prevent_default();
                        accept.dispatch(AcceptQuote { quote_id, override_reason: Some(reason.get_untracked()) });
                    }>
                        <label for="accept-reason">"Reason for overriding the compliance block"</label>
                        <textarea id="accept-reason" rows="2" required
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        <div class="form-actions">
                            <button type="submit" disabled=move || accept.pending().get()>"Accept anyway"</button>
                        </div>
                    </form>
                });
                Some(view! { <Outcome o/> {form} })
            }
            _ => None,
        }
    };
    let on_withdraw = move |_| {
        if confirm("Withdraw this request? Every contractor still asked is told it is closed.") {
            withdraw.dispatch(WithdrawQuoteRequest { request_id: d.id });
        }
    };
    view! {
        <h1>{format!("{}: {}", d.reference, d.title)}</h1>
        {task}
        <section class="panel" aria-labelledby="quote-facts">
            <h2 id="quote-facts" class="visually-hidden">"The works"</h2>
            {facts}
            {d.description.clone().map(|text| view! { <p class="message-body">{text}</p> })}
        </section>
        <section aria-labelledby="compare-heading">
            <h2 id="compare-heading">"Quotes"</h2>
            <div class="table-wrap">
                <table class="data-table" data-testid="quotes">
                    <thead><tr>
                        <th scope="col">"Contractor"</th><th scope="col">"Compliance"</th>
                        <th scope="col">"Amount"</th><th scope="col">"Note"</th>
                        <th scope="col">"Document"</th><th scope="col">"Answered"</th>
                        <th scope="col">"Status"</th>
                        {can_accept.then(|| view! { <th scope="col"><span class="visually-hidden">"Action"</span></th> })}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <FormError error=accept_error/>
            {override_form}
        </section>
        {can_accept.then(|| view! {
            <section class="panel" aria-labelledby="withdraw-heading">
                <h2 id="withdraw-heading">"Withdraw"</h2>
                <p class="hint">"No longer needed? Withdraw the request; the contractors are told."</p>
                <FormError error=withdraw_error/>
                <button type="button" class="secondary" on:click=on_withdraw
                    disabled=move || withdraw.pending().get()>"Withdraw request"</button>
            </section>
        })}
    }
}

fn quote_row(
    q: QuoteLine,
    cheapest: Option<i64>,
    can_accept: bool,
    accept: ServerAction<AcceptQuote>,
    blocked_quote: RwSignal<Option<i64>>,
) -> impl IntoView {
    let is_lowest = q.amount_pence.is_some() && q.amount_pence == cheapest;
    let amount = q.amount_pence.map(|a| {
        view! {
            <strong>{format_amount(a)}</strong>
            {is_lowest.then(|| view! { " " <span class="lowest-tag">"Lowest"</span> })}
        }
    });
    let standing = if q.suspended {
        view! { <span class="suspended-tag">"Suspended"</span> }.into_any()
    } else {
        light_badge(q.light).into_any()
    };
    let document = match q.document.clone() {
        Some(name) => {
            view! { <a href=format!("/files/quotes/{}/document", q.id)>{name}</a> }.into_any()
        }
        None => "—".into_any(),
    };
    let quote_id = q.id;
    let company = q.company_name.clone();
    let shown = q.amount_pence.map(format_amount).unwrap_or_default();
    let action = (can_accept && q.status == QuoteStatus::Quoted).then(|| {
        let question = format!(
            "Accept {company}'s quote of {shown}? The works are instructed to {company}, and the other contractors are told they were not chosen."
        );
        view! {
            <button type="button" disabled=move || accept.pending().get()
                aria-label=format!("Accept {company}'s quote")
                on:click=move |_| {
                    if confirm(&question) {
                        blocked_quote.set(Some(quote_id));
                        accept.dispatch(AcceptQuote { quote_id, override_reason: None });
                    }
                }>"Accept"</button>
        }
    });
    view! {
        <tr class:lowest=is_lowest>
            <th scope="row">{q.company_name}</th>
            <td>{standing}</td>
            <td>{amount}</td>
            <td>{q.note}</td>
            <td>{document}</td>
            <td>{q.answered}</td>
            <td>{q.status.label()}</td>
            {can_accept.then(|| view! { <td>{action}</td> })}
        </tr>
    }
}
