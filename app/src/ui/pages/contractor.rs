//! A contractor's certification, as an agent sees it on the contractor's profile and as the
//! contractor's office sees its own in the portal: each required certificate type as a tile with
//! its status, documents and the actions the viewer may take (request, upload, tick Valid), and
//! for agents the history of who did what.

use crate::api::compliance::{
    load_contractor_certification, own_certification, RequestCertificate, UndoValidation,
    ValidateDocument,
};
use crate::api::work_kinds::SetContractorWorkKinds;
use crate::domain::certificate_reading::{pounds, DocumentCheck, ReadOutcome, Value};
use crate::domain::compliance::Reminder;
use crate::domain::dates::DateFormat;
use crate::domain::identity::UserKind;
use crate::domain::records::{
    ContractorCertification, DocumentSummary, RequirementDetail, WorkKindChoice,
};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::live::use_live;
use crate::ui::render_once::before_the_view;
use crate::ui::resource::resource;
use crate::ui::session::{date_format, use_id_param, use_viewer};
use crate::ui::upload::UploadForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// `/agent/contractors/:id`
#[component]
pub fn ContractorProfile() -> impl IntoView {
    let id = use_id_param();
    view! {
        <Title text="Contractor"/>
        <p><A href="/agent/contractors">"← Contractors"</A></p>
        <CertificationPage load=Callback::new(move |()| id())/>
    }
}

/// `/desk/certificates`: the contractor's office uploads what the agency asks for.
#[component]
pub fn OwnCertificates() -> impl IntoView {
    view! {
        <Title text="Certificates"/>
        <CertificationPage load=Callback::new(|()| 0)/>
    }
}

/// Loads and shows a contractor's certification; `load` gives the contractor's id, or 0 for the
/// signed-in office's own company. Reloads after each action and on live changes.
#[component]
fn CertificationPage(load: Callback<(), i64>) -> impl IntoView {
    let request = ServerAction::<RequestCertificate>::new();
    let validate = ServerAction::<ValidateDocument>::new();
    let undo = ServerAction::<UndoValidation>::new();
    let live = use_live();
    let certification = resource(
        move || {
            (
                load.run(()),
                request.version().get(),
                validate.version().get(),
                undo.version().get(),
                live.certification.get(),
            )
        },
        |(id, ..)| async move {
            if id == 0 {
                own_certification().await
            } else {
                load_contractor_certification(id).await
            }
        },
    );
    let viewer = use_viewer();
    let error = Signal::derive(move || {
        request
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| validate.value().get().and_then(|r| r.err()))
            .or_else(|| undo.value().get().and_then(|r| r.err()))
    });
    // The tiles are drawn again after an upload, so the confirmation lives above them.
    let notice = RwSignal::new(None::<String>);
    let uploaded = Callback::new(move |certificate: String| {
        notice.set(Some(format!("Uploaded: {certificate}.")));
        live.bump();
    });
    let kinds_saved = Callback::new(move |()| {
        notice.set(Some("Kinds of work saved.".into()));
        live.bump();
    });
    // `?certificate=<type id>` (the matrix's icons): that certificate is brought into view.
    let query = use_query_map();
    let focus = move || {
        query
            .read_untracked()
            .get("certificate")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            let is_agent = matches!(viewer.await, Ok(Some(v)) if v.kind == UserKind::Agent);
            let certification = certification.await;
            before_the_view().await;
            match certification {
                Ok(c) => view! {
                    <Certification c format is_agent request validate undo uploaded kinds_saved
                        focus=focus()/>
                }
                .into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <FormError error/>
        <Show when=move || notice.get().is_some()>
            <p class="form-success" role="status">{move || notice.get()}</p>
        </Show>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn Certification(
    c: ContractorCertification,
    format: DateFormat,
    is_agent: bool,
    request: ServerAction<RequestCertificate>,
    validate: ServerAction<ValidateDocument>,
    undo: ServerAction<UndoValidation>,
    uploaded: Callback<String>,
    kinds_saved: Callback<()>,
    focus: Option<i64>,
) -> impl IntoView {
    let request_error = action_error(request);
    // In the browser, once the tiles are in the page (the next frame: a transition swaps them in
    // after this runs): the certificate asked for (or, when it is not required yet, the request
    // form) is scrolled to and focused. A live update draws the tiles again; focus goes back to
    // the tile only if nothing else has it, so nothing the person is using is taken away.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(type_id) = focus {
            request_animation_frame(move || {
                use wasm_bindgen::JsCast;
                // `document` alone is this module's document tile.
                let page = leptos::prelude::document();
                let free = page
                    .active_element()
                    .is_none_or(|e| e.tag_name().eq_ignore_ascii_case("body"));
                let found = page
                    .get_element_by_id(&format!("certificate-{type_id}"))
                    .or_else(|| page.get_element_by_id("request-type"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let (true, Some(element)) = (free, found) {
                    element.scroll_into_view();
                    let _ = element.focus();
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = focus;
    });
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
    let actions = TileActions {
        contractor_id: c.contractor_id,
        can_manage: c.can_manage,
        can_upload: c.can_upload,
        is_agent,
        validate,
        undo,
        uploaded,
    };
    let tiles = if c.requirements.is_empty() {
        let text = if is_agent {
            "No certificates are required of this contractor yet."
        } else {
            "The agency has not asked you for any certificates."
        };
        view! { <div class="empty-state"><p>{text}</p></div> }.into_any()
    } else {
        view! {
            <ul class="certificate-tiles">
                {c.requirements.into_iter().map(|r| tile(r, format, actions)).collect_view()}
            </ul>
        }
        .into_any()
    };
    let heading = if is_agent {
        c.company_name.clone()
    } else {
        "Your certificates".to_string()
    };
    let instruct = is_agent.then(|| {
        view! {
            <A href=format!("/agent/instruct?contractor={}", c.contractor_id) attr:class="button-link">
                "Instruct works"
            </A>
        }
    });
    let history = (!c.history.is_empty()).then(|| {
        let rows = c
            .history
            .into_iter()
            .map(|h| view! { <tr><td>{h.when}</td><td>{h.who}</td><td>{h.what}</td></tr> })
            .collect_view();
        view! {
            <section class="panel" aria-labelledby="history-heading">
                <h2 id="history-heading">"History"</h2>
                <table class="history">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    view! {
        <h1>{heading}</h1>
        <p class="profile-actions">
            <span class=format!("light light-{}", c.light.slug()) data-testid="contractor-light">
                <span class="light-dot" aria-hidden="true"></span>
                {c.light.label()}
            </span>
            " " {instruct}
        </p>
        {c.suspension.map(|s| view! { <p class="suspension" role="note">{s}". A valid certificate lifts it."</p> })}
        <WorkKinds contractor_id=c.contractor_id kinds=c.work_kinds can_manage=c.can_manage
            saved=kinds_saved/>
        <section class="panel" aria-labelledby="certification-heading">
            <h2 id="certification-heading">"Certification"</h2>
            {request_form}
            {tiles}
        </section>
        {history}
    }
}

/// The kinds of work the contractor does: ticked by an agent who manages certification (saving
/// requests the certificates they need), read by everyone else.
#[component]
fn WorkKinds(
    contractor_id: i64,
    kinds: Vec<WorkKindChoice>,
    can_manage: bool,
    saved: Callback<()>,
) -> impl IntoView {
    if kinds.is_empty() {
        return ().into_any();
    }
    if !can_manage {
        let held = kinds
            .iter()
            .filter(|k| k.held)
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let text = if held.is_empty() {
            "None".to_string()
        } else {
            held
        };
        return view! { <p data-testid="work-kinds">"Kinds of work: " {text}</p> }.into_any();
    }
    let save = ServerAction::<SetContractorWorkKinds>::new();
    let error = action_error(save);
    // The page draws this section again once it has reloaded, so the confirmation lives above.
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saved.run(());
        }
    });
    let held = RwSignal::new(
        kinds
            .iter()
            .filter(|k| k.held)
            .map(|k| k.id)
            .collect::<Vec<_>>(),
    );
    let boxes = kinds
        .into_iter()
        .map(|k| {
            let id = k.id;
            view! {
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || held.with(|h| h.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            held.update(|h| {
                                h.retain(|x| *x != id);
                                if on {
                                    h.push(id);
                                }
                            });
                        }/>
                    " " {k.name}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="work-kinds-heading">
            <h2 id="work-kinds-heading">"Kinds of work"</h2>
            <ActionForm action=save attr:class="stacked-form">
                <input type="hidden" name="contractor_id" value=contractor_id.to_string()/>
                <fieldset>
                    <legend class="visually-hidden">"Kinds of work this contractor does"</legend>
                    {boxes}
                    <input type="hidden" name="kinds"
                        prop:value=move || held.with(|h| h.iter().map(i64::to_string).collect::<Vec<_>>().join(","))/>
                </fieldset>
                <p class="hint">"Saving asks the contractor for the certificates these kinds need that it was not yet asked for."</p>
                <FormError error/>
                <FieldError id="work-kinds-error" field="work_kind" error/>
                <div class="form-actions">
                    <button type="submit" disabled=move || save.pending().get()>"Save kinds of work"</button>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// What a tile lets the viewer do.
#[derive(Clone, Copy)]
struct TileActions {
    contractor_id: i64,
    can_manage: bool,
    can_upload: bool,
    is_agent: bool,
    validate: ServerAction<ValidateDocument>,
    undo: ServerAction<UndoValidation>,
    uploaded: Callback<String>,
}

fn tile(r: RequirementDetail, format: DateFormat, actions: TileActions) -> impl IntoView {
    let status = r.status.status;
    let until = r
        .status
        .valid_until
        .map(|d| view! { <p class="hint">"Valid until " {format.format(d)}</p> });
    let waiting = r
        .status
        .awaiting_validation
        .then(|| view! { <p class="awaiting">"A document is waiting for validation"</p> });
    let shortfall = r
        .status
        .shortfall
        .map(|s| view! { <p class="shortfall" role="note">{s.reason(&r.certificate_type)}</p> });
    let minimum = r
        .minimum_cover
        .map(|m| view! { <p class="hint">"Cover of at least " {pounds(m)} " required"</p> });
    let chasing = r
        .chasing
        .map(|line| view! { <p class="chasing" data-testid="chasing">{line}</p> });
    let documents = r
        .documents
        .into_iter()
        .map(|d| document(d, format, actions))
        .collect_view();
    // The form is drawn once its tile's "Upload a document" is opened: every tile's form drawn
    // up front was most of the page's HTML and of the server's work to render it.
    let upload = actions.can_upload.then(|| {
        let open = RwSignal::new(false);
        let certificate_type = r.certificate_type.clone();
        view! {
            <details class="upload" on:toggle=move |ev| {
                open.set(event_target::<leptos::web_sys::Element>(&ev).has_attribute("open"));
            }>
                <summary>"Upload a document"</summary>
                <Show when=move || open.get()>
                    <UploadForm contractor_id=actions.contractor_id
                        certificate_type_id=r.certificate_type_id
                        certificate_type=certificate_type.clone()
                        offer_valid=actions.is_agent && actions.can_manage
                        minimum_cover=r.minimum_cover
                        on_done=actions.uploaded/>
                </Show>
            </details>
        }
    });
    view! {
        <li class="certificate-tile card" aria-label=r.certificate_type.clone()
            id=format!("certificate-{}", r.certificate_type_id) tabindex="-1">
            <h3>{r.certificate_type.clone()}</h3>
            <p class=format!("status status-{}", status.slug())>{status.label()}</p>
            {until}
            {shortfall}
            {minimum}
            {waiting}
            {chasing}
            <ul class="documents">{documents}</ul>
            {upload}
        </li>
    }
}

fn document(d: DocumentSummary, format: DateFormat, actions: TileActions) -> impl IntoView {
    let dates = match (d.start_date, d.end_date) {
        (Some(s), Some(e)) => format!("{} to {}", format.format(s), format.format(e)),
        (None, Some(e)) => format!("until {}", format.format(e)),
        (Some(s), None) => format!("from {}, no end date", format.format(s)),
        (None, None) => "no dates".to_string(),
    };
    let label = d
        .description
        .clone()
        .or_else(|| d.file_name.clone())
        .unwrap_or_else(|| "Document".to_string());
    let file = d.file_name.clone().map(|name| {
        view! {
            " · "
            <a href=format!("/files/certificates/{}", d.id) download=name.clone() rel="external">
                {format!("Download {name}")}
            </a>
        }
    });
    let validate = actions.validate;
    // Ticking Valid asks first, with the document in view (an image is shown; a PDF opens), since
    // the contractor then counts as holding it until its end date.
    let action = (!d.validated && actions.can_manage).then(|| {
        let id = d.id;
        let label = label.clone();
        let confirming = RwSignal::new(false);
        let confirm_ref = NodeRef::<leptos::html::Button>::new();
        Effect::new(move |_| {
            if confirming.get() {
                if let Some(button) = confirm_ref.get() {
                    let _ = button.focus();
                }
            }
        });
        let preview = match (&d.file_name, d.is_image) {
            (Some(_), true) => view! {
                <img class="certificate-preview" src=format!("/files/certificates/{id}")
                    alt=format!("The uploaded document: {label}")/>
            }
            .into_any(),
            (Some(name), false) => view! {
                <p>
                    <a href=format!("/files/certificates/{id}") download=name.clone() rel="external">
                        {format!("Open {name} to check it")}
                    </a>
                </p>
            }
            .into_any(),
            (None, _) => view! { <p>"No file was uploaded: check the details above."</p> }.into_any(),
        };
        view! {
            <button type="button" aria-label=format!("Tick Valid: {label}")
                aria-expanded=move || confirming.get().to_string()
                disabled=move || validate.pending().get()
                on:click=move |_| confirming.set(true)>
                "Tick Valid"
            </button>
            <div class="confirm-valid" role="group" aria-label=format!("Confirm Valid: {label}")
                hidden=move || !confirming.get()>
                {preview}
                <p>"Tick it Valid only once you have checked the document: the contractor then counts as holding this certificate until its end date."</p>
                <div class="form-actions">
                    <button type="button" class="primary" node_ref=confirm_ref
                        disabled=move || validate.pending().get()
                        on:click=move |_| {
                            confirming.set(false);
                            validate.dispatch(ValidateDocument { document_id: id });
                        }>
                        "Confirm: it's valid"
                    </button>
                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </div>
        }
        .into_any()
    });
    let undo = actions.undo;
    let undo_action = (d.validated && d.undoable && actions.can_manage).then(|| {
        let id = d.id;
        view! {
            <button type="button" class="link-button" aria-label=format!("Undo Valid: {label}")
                disabled=move || undo.pending().get()
                on:click=move |_| { undo.dispatch(UndoValidation { document_id: id }); }>
                "Undo"
            </button>
        }
    });
    let by = d
        .uploaded_by
        .clone()
        .map(|who| format!(" · uploaded by {who}"));
    let facts = [
        d.issuer.clone(),
        d.reference.clone(),
        d.cover.map(|c| format!("cover {}", pounds(c))),
        d.reminder
            .as_deref()
            .and_then(|r| Reminder::parse(r).ok())
            .map(|r| format!("reminder {}", r.label())),
    ]
    .into_iter()
    .flatten()
    .map(|fact| format!(" · {fact}"))
    .collect::<String>();
    // Before ticking Valid, the agent sees whether what was typed agrees with the document.
    let check = (!d.validated).then(|| d.check.clone()).flatten().map(|check| {
        let show = move |v: Value| v.show(|date| format.format(date));
        let (class, text) = match check {
            DocumentCheck::Matches => ("check-matches", "Dates match the document.".to_string()),
            DocumentCheck::Differs(differences) => (
                "check-differs",
                differences
                    .into_iter()
                    .map(|d| match d.typed {
                        Some(typed) => format!(
                            "The document says {} {}; typed {}.",
                            d.field,
                            show(d.document),
                            show(typed)
                        ),
                        None => format!("The document says {} {}; none typed.", d.field, show(d.document)),
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            DocumentCheck::NothingStated => (
                "check-unknown",
                "The document states no dates we could read: check them by eye.".to_string(),
            ),
            DocumentCheck::NotRead(outcome) => (
                "check-unknown",
                match outcome {
                    ReadOutcome::NoText => "This PDF has no text (a scan): check the dates by eye.",
                    _ => "This PDF could not be read: check the dates by eye.",
                }
                .to_string(),
            ),
        };
        view! { <p class=format!("document-check {class}") data-testid="document-check">{text}</p> }
    });
    view! {
        <li>
            <span class="document-name">{label}</span>
            " · " {dates} " · "
            {if d.validated { "Valid" } else { "Awaiting validation" }}
            {facts}
            {by}
            {file}
            " " {action}
            {undo_action}
            {check}
        </li>
    }
}
