//! A contractor's profile, Certification tab: each required certificate type as a tile with its
//! status and documents, requesting another type, and ticking documents Valid.

use crate::api::compliance::{load_contractor_certification, RequestCertificate, ValidateDocument};
use crate::domain::dates::DateFormat;
use crate::domain::records::{ContractorCertification, DocumentSummary, RequirementDetail};
use crate::ui::forms::{action_error, FormError};
use crate::ui::session::{date_format, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContractorProfile() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let request = ServerAction::<RequestCertificate>::new();
    let validate = ServerAction::<ValidateDocument>::new();
    let certification = Resource::new(
        move || (id(), request.version().get(), validate.version().get()),
        |(id, _, _)| load_contractor_certification(id),
    );
    let viewer = use_viewer();
    let error = Signal::derive(move || {
        request
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| validate.value().get().and_then(|r| r.err()))
    });
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match certification.await {
                Ok(c) => view! { <Certification c format request validate/> }.into_any(),
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Contractor"/>
        <p><A href="/agent/contractors">"← Contractors"</A></p>
        <FormError error/>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn Certification(
    c: ContractorCertification,
    format: DateFormat,
    request: ServerAction<RequestCertificate>,
    validate: ServerAction<ValidateDocument>,
) -> impl IntoView {
    let request_error = action_error(request);
    let options = c
        .requestable
        .iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
        .collect_view();
    let request_form = (c.can_manage && !c.requestable.is_empty()).then(|| {
        view! {
            <ActionForm action=request attr:class="inline-request">
                <input type="hidden" name="contractor_id" value=c.contractor_id.to_string()/>
                <label for="request-type">"Request a certificate"</label>
                <select id="request-type" name="certificate_type_id">{options}</select>
                <button type="submit" disabled=move || request.pending().get()>
                    {move || if request.pending().get() { "Requesting…" } else { "Request" }}
                </button>
            </ActionForm>
            <FormError error=request_error/>
        }
    });
    let can_manage = c.can_manage;
    let tiles = if c.requirements.is_empty() {
        view! { <div class="empty-state"><p>"No certificates are required of this contractor yet."</p></div> }
            .into_any()
    } else {
        view! {
            <ul class="certificate-tiles">
                {c.requirements.into_iter().map(|r| tile(r, format, can_manage, validate)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <h1>{c.company_name.clone()}</h1>
        <p>
            <span class=format!("light light-{}", c.light.slug())>
                <span class="light-dot" aria-hidden="true"></span>
                {c.light.label()}
            </span>
        </p>
        <section class="panel" aria-labelledby="certification-heading">
            <h2 id="certification-heading">"Certification"</h2>
            {request_form}
            {tiles}
        </section>
    }
}

fn tile(
    r: RequirementDetail,
    format: DateFormat,
    can_manage: bool,
    validate: ServerAction<ValidateDocument>,
) -> impl IntoView {
    let status = r.status.status;
    let until = r
        .status
        .valid_until
        .map(|d| view! { <p class="hint">"Valid until " {format.format(d)}</p> });
    let waiting = r
        .status
        .awaiting_validation
        .then(|| view! { <p class="awaiting">"A document is waiting for validation"</p> });
    let documents = r
        .documents
        .into_iter()
        .map(|d| document(d, format, can_manage, validate))
        .collect_view();
    view! {
        <li class="certificate-tile card" aria-label=r.certificate_type.clone()>
            <h3>{r.certificate_type.clone()}</h3>
            <p class=format!("status status-{}", status.slug())>{status.label()}</p>
            {until}
            {waiting}
            <ul class="documents">{documents}</ul>
        </li>
    }
}

fn document(
    d: DocumentSummary,
    format: DateFormat,
    can_manage: bool,
    validate: ServerAction<ValidateDocument>,
) -> impl IntoView {
    let dates = match (d.start_date, d.end_date) {
        (Some(s), Some(e)) => format!("{} to {}", format.format(s), format.format(e)),
        (None, Some(e)) => format!("until {}", format.format(e)),
        (Some(s), None) => format!("from {}, no end date", format.format(s)),
        (None, None) => "no dates".to_string(),
    };
    let label = d
        .description
        .clone()
        .unwrap_or_else(|| "Document".to_string());
    let action = (!d.validated && can_manage).then(|| {
        let id = d.id;
        let label = label.clone();
        view! {
            <button type="button" aria-label=format!("Tick Valid: {label}")
                disabled=move || validate.pending().get()
                on:click=move |_| { validate.dispatch(ValidateDocument { document_id: id }); }>
                "Tick Valid"
            </button>
        }
    });
    view! {
        <li>
            <span class="document-name">{label}</span>
            " · " {dates} " · "
            {if d.validated { "Valid" } else { "Awaiting validation" }}
            " " {action}
        </li>
    }
}
