//! `/admin/webhooks`: administrators register addresses that receive the agency's events, send
//! a test event, read each endpoint's delivery log, and enable one that was disabled for
//! failing. An endpoint's signing secret is shown once, when it is registered.

use crate::api::webhooks::{
    field_name, list_webhooks, webhook_deliveries, CreateWebhook, DeleteWebhook, EnableWebhook,
    SendTestWebhook,
};
use crate::domain::webhooks::{DeliveryState, EndpointSummary, EventType};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::confirm;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    delete: ServerAction<DeleteWebhook>,
    enable: ServerAction<EnableWebhook>,
    test: ServerAction<SendTestWebhook>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let actions = Actions {
        delete: ServerAction::new(),
        enable: ServerAction::new(),
        test: ServerAction::new(),
    };
    let endpoints = resource(
        move || {
            (
                create.version().get(),
                actions.delete.version().get(),
                actions.enable.version().get(),
            )
        },
        |_| list_webhooks(),
    );
    let error = action_error(create);
    let delete_error = action_error(actions.delete);
    let enable_error = action_error(actions.enable);
    let test_error = action_error(actions.test);
    let made = move || create.value().get().and_then(|r| r.ok());
    let event_boxes = EventType::SUBSCRIBABLE
        .into_iter()
        .map(|event| {
            let field = format!("hook[{}]", field_name(event.as_str()));
            view! {
                <label class="checkbox">
                    <input type="checkbox" name=field/>
                    <span><code>{event.as_str()}</code> ": " {event.describe()}</span>
                </label>
            }
        })
        .collect_view();
    let content = move || {
        Suspend::new(async move {
            match endpoints.await {
                Ok(list) if list.is_empty() => view! {
                    <p class="empty">"No webhook endpoints yet. Register one to have your other systems told of changes as they happen."</p>
                }
                .into_any(),
                Ok(list) => list
                    .into_iter()
                    .map(|endpoint| view! { <Endpoint endpoint actions/> })
                    .collect_view()
                    .into_any(),
                Err(e) => {
                    view! { <LoadError e/> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Webhooks"/>
        <h1>"Webhooks"</h1>
        <p>
            "Certidesk posts a JSON event to each address registered here when something it subscribed to happens. "
            "Every delivery is signed the "
            <a href="https://www.standardwebhooks.com/" rel="external">"Standard Webhooks"</a>
            " way: check the " <code>"webhook-signature"</code> " header with the endpoint's secret, and use "
            <code>"webhook-id"</code> " to ignore a delivery you already have. A delivery that fails is tried again for about a day; "
            "an endpoint that fails every attempt for a day is disabled and the administrators are emailed. "
            "To read from or write to Certidesk, make an "<a href="/admin/api">"API key"</a>"."
        </p>
        {move || made().map(|shown| view! {
            <section class="form-success" role="status" aria-labelledby="new-hook-heading">
                <h2 id="new-hook-heading">"Endpoint registered"</h2>
                <p>{format!("Deliveries to {} are signed with this secret. Copy it now: it is not shown again.", shown.url)}</p>
                <label for="new-hook-secret">"Signing secret"</label>
                <input id="new-hook-secret" data-testid="new-hook-secret" readonly value=shown.secret
                    on:focus=|ev| { event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); }/>
            </section>
        })}
        <h2>"Register an endpoint"</h2>
        <ActionForm action=create attr:class="stack-form">
            <label for="hook-url">"Address"</label>
            <input id="hook-url" name="hook[url]" type="url" required maxlength="500"
                placeholder="https://example.com/hooks/certidesk" aria-describedby="hook-url-error"/>
            <FieldError id="hook-url-error" field="url" error/>
            <label for="hook-description">"Description (optional)"</label>
            <input id="hook-description" name="hook[description]" maxlength="120"
                placeholder="Arthur sync" aria-describedby="hook-description-error"/>
            <FieldError id="hook-description-error" field="description" error/>
            <fieldset aria-describedby="hook-events-error">
                <legend>"Send"</legend>
                {event_boxes}
            </fieldset>
            <FieldError id="hook-events-error" field="events" error/>
            <FormError error/>
            <button type="submit" class="primary" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Registering…" } else { "Register endpoint" }}
            </button>
        </ActionForm>
        <h2>"Endpoints"</h2>
        <FormError error=delete_error/>
        <FormError error=enable_error/>
        <FormError error=test_error/>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn Endpoint(endpoint: EndpointSummary, actions: Actions) -> impl IntoView {
    let id = endpoint.id;
    let url = endpoint.url.clone();
    let events = endpoint
        .events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (status, status_class) = match &endpoint.disabled {
        Some(why) => (format!("Disabled {why}"), "status-expired"),
        None if endpoint.failures > 0 => (
            format!("Active, {} failed attempts in a row", endpoint.failures),
            "status-expiring-soon",
        ),
        None => ("Active".to_string(), "status-valid"),
    };
    let disabled = endpoint.disabled.is_some();
    let show_log = RwSignal::new(false);
    let refreshes = RwSignal::new(0u32);
    let tested = Signal::derive(move || actions.test.version().get());
    let delete_url = url.clone();
    view! {
        <section class="card webhook" data-testid="webhook-endpoint" aria-label=format!("Endpoint {url}")>
            <h3><code>{url.clone()}</code></h3>
            {(!endpoint.description.is_empty()).then(|| view! { <p>{endpoint.description.clone()}</p> })}
            <p><span class=status_class data-testid="webhook-status">{status}</span></p>
            <p>"Events: " {events}</p>
            <p>{format!("Registered {}", endpoint.created)}</p>
            <div class="button-row">
                {(!disabled).then(|| view! {
                    <button type="button" on:click=move |_| {
                        actions.test.dispatch(SendTestWebhook { endpoint_id: id });
                        show_log.set(true);
                    }>"Send test event"</button>
                })}
                {disabled.then(|| view! {
                    <button type="button" on:click=move |_| {
                        actions.enable.dispatch(EnableWebhook { endpoint_id: id });
                    }>"Enable again"</button>
                })}
                <button type="button" aria-expanded=move || show_log.get().to_string()
                    on:click=move |_| show_log.update(|open| *open = !*open)>
                    {move || if show_log.get() { "Hide deliveries" } else { "Show deliveries" }}
                </button>
                <button type="button" class="danger"
                    aria-label=format!("Delete the endpoint {url}")
                    on:click=move |_| {
                        let question = format!("Delete the endpoint {delete_url}? Nothing more is sent to it, and deliveries still waiting are dropped.");
                        if confirm(&question) {
                            actions.delete.dispatch(DeleteWebhook { endpoint_id: id });
                        }
                    }>
                    "Delete"
                </button>
            </div>
            <Show when=move || show_log.get()>
                <DeliveryLog endpoint_id=id refreshes tested/>
            </Show>
        </section>
    }
}

#[component]
fn DeliveryLog(endpoint_id: i64, refreshes: RwSignal<u32>, tested: Signal<usize>) -> impl IntoView {
    let deliveries = resource(
        move || (refreshes.get(), tested.get()),
        move |_| webhook_deliveries(endpoint_id),
    );
    let rows = move || {
        Suspend::new(async move {
            match deliveries.await {
                Ok(list) if list.is_empty() => view! {
                    <p class="empty">"Nothing sent yet. Events appear here as they happen; try \u{201c}Send test event\u{201d}."</p>
                }
                .into_any(),
                Ok(list) => {
                    let rows = list
                        .into_iter()
                        .map(|d| {
                            let class = match d.state {
                                DeliveryState::Delivered => "status-valid",
                                DeliveryState::Waiting | DeliveryState::Retrying => "status-expiring-soon",
                                DeliveryState::GaveUp => "status-expired",
                            };
                            let answer = match (d.last_status, d.last_error) {
                                (_, Some(error)) => error,
                                (Some(status), None) => format!("HTTP {status}"),
                                (None, None) => "\u{2014}".to_string(),
                            };
                            view! {
                                <tr>
                                    <td><code>{d.event_type}</code></td>
                                    <td><code>{d.event_id}</code></td>
                                    <td>{d.created}</td>
                                    <td><span class=class>{d.state.label()}</span></td>
                                    <td>{d.attempts}</td>
                                    <td>{answer}</td>
                                    <td>{d.when.unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="webhook-deliveries">
                                <caption class="visually-hidden">"Deliveries to this endpoint, newest first"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Event"</th><th scope="col">"Id"</th><th scope="col">"Happened"</th>
                                        <th scope="col">"State"</th><th scope="col">"Attempts"</th><th scope="col">"Last answer"</th>
                                        <th scope="col">"Delivered or next try"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }
                Err(e) => {
                    view! { <LoadError e/> }.into_any()
                }
            }
        })
    };
    view! {
        <h4>"Deliveries"</h4>
        <button type="button" on:click=move |_| refreshes.update(|n| *n += 1)>"Refresh"</button>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{rows}</Transition>
    }
}
