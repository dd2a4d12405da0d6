//! Uploading a certificate document: the file and its dates, sent with a progress bar. The form
//! posts multipart to `/files/certificates`; in the browser a script sends it so the page stays
//! and shows progress, and the answer's message lands beside the field it is about.

use crate::api::ApiError;
use crate::domain::certificate_reading::{pounds, Reading};
use crate::domain::compliance::Reminder;
use crate::domain::dates::DateFormat;
use crate::ui::forms::{FieldError, FormError};
use leptos::prelude::*;

// Only the browser's script moves past Idle.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum UploadState {
    Idle,
    /// Percent sent.
    Sending(u32),
    Failed(ApiError),
}

/// The form's values that reading the document can fill, and which of them it did.
#[derive(Clone, Copy)]
struct Proposed {
    start: RwSignal<String>,
    end: RwSignal<String>,
    issuer: RwSignal<String>,
    reference: RwSignal<String>,
    cover: RwSignal<String>,
    /// Fields filled from the document and not changed since: start, end, issuer, reference, cover.
    read: RwSignal<[bool; 5]>,
    /// What reading said ("Read from the document: check…"), or that it is reading.
    note: RwSignal<Option<String>>,
}

impl Proposed {
    fn new() -> Self {
        Proposed {
            start: RwSignal::new(String::new()),
            end: RwSignal::new(String::new()),
            issuer: RwSignal::new(String::new()),
            reference: RwSignal::new(String::new()),
            cover: RwSignal::new(String::new()),
            read: RwSignal::new([false; 5]),
            note: RwSignal::new(None),
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn clear(&self) {
        for field in [
            self.start,
            self.end,
            self.issuer,
            self.reference,
            self.cover,
        ] {
            field.set(String::new());
        }
        self.read.set([false; 5]);
        self.note.set(None);
    }

    /// Fills what the document states, replacing values an earlier document filled but never
    /// what the person typed.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn fill(&self, reading: &Reading) {
        let values = [
            reading
                .start_date
                .map(|d| DateFormat::YearMonthDay.format(d)),
            reading.end_date.map(|d| DateFormat::YearMonthDay.format(d)),
            reading.issuer.clone(),
            reading.reference.clone(),
            reading.cover.map(|c| c.to_string()),
        ];
        let fields = [
            self.start,
            self.end,
            self.issuer,
            self.reference,
            self.cover,
        ];
        let mut read = self.read.get_untracked();
        for (i, (field, value)) in fields.into_iter().zip(values).enumerate() {
            let typed_by_person = !field.get_untracked().is_empty() && !read[i];
            if typed_by_person {
                continue;
            }
            read[i] = value.is_some();
            field.set(value.unwrap_or_default());
        }
        self.read.set(read);
    }
}

/// A text or date input bound to a proposed value; typing in it drops the "read" mark.
#[component]
fn ProposedInput(
    id: String,
    name: &'static str,
    #[prop(into)] label: String,
    kind: &'static str,
    value: RwSignal<String>,
    read: RwSignal<[bool; 5]>,
    index: usize,
    #[prop(optional)] placeholder: &'static str,
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let mark_id = format!("{id}-read");
    let described = format!("{mark_id} {error_id}");
    view! {
        <div>
            <label for=id.clone()>{label}</label>
            <input id=id type=kind name=name placeholder=placeholder maxlength="200"
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    read.update(|r| r[index] = false);
                }/>
            <span id=mark_id class="read-mark" aria-live="polite">
                {move || read.get()[index].then_some("Read from the document")}
            </span>
            <FieldError id=error_id field=name error/>
        </div>
    }
}

#[component]
pub fn UploadForm(
    contractor_id: i64,
    certificate_type_id: i64,
    #[prop(into)] certificate_type: String,
    /// Agents may record a document they have checked as valid at once.
    offer_valid: bool,
    /// The least cover the type requires, in whole pounds: the form asks for the cover.
    minimum_cover: Option<i64>,
    /// Called with the certificate type after a successful upload.
    on_done: Callback<String>,
) -> impl IntoView {
    let state = RwSignal::new(UploadState::Idle);
    let proposed = Proposed::new();
    let error = Signal::derive(move || match state.get() {
        UploadState::Failed(e) => Some(e),
        _ => None,
    });
    let label = format!("Upload a {certificate_type} document");
    let certificate_type = StoredValue::new(certificate_type);
    let id = move |name: &str| format!("upload-{certificate_type_id}-{name}");
    let reminders = Reminder::ALL
        .into_iter()
        .map(|r| view! { <option value=r.name()>{r.label()}</option> })
        .collect_view();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        send(ev, state, on_done, certificate_type.get_value(), proposed);
        #[cfg(not(feature = "hydrate"))]
        let _ = (state, on_done, certificate_type);
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        read_document(ev, proposed);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let asks_cover = move || minimum_cover.is_some() || !proposed.cover.get().is_empty();
    let cover_label = match minimum_cover {
        Some(m) => format!("Cover in pounds (at least {} required)", pounds(m)),
        None => "Cover in pounds".to_string(),
    };
    let busy = move || matches!(state.get(), UploadState::Sending(_));
    view! {
        <form class="upload-form" method="post" action="/files/certificates"
            enctype="multipart/form-data" on:submit=on_submit
            aria-label=label>
            <input type="hidden" name="contractor_id" value=contractor_id.to_string()/>
            <input type="hidden" name="certificate_type_id" value=certificate_type_id.to_string()/>
            <label for=id("file")>"File (PDF, JPEG, PNG or HEIC, up to 10 MB)"</label>
            <input id=id("file") type="file" name="file" required on:change=on_file
                accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic"/>
            <FieldError id=id("file-error") field="file" error/>
            <p class="reading-note" role="status">{move || proposed.note.get()}</p>
            <div class="field-row">
                <ProposedInput id=id("start") name="start_date" label="Start date" kind="date"
                    value=proposed.start read=proposed.read index=0 error/>
                <ProposedInput id=id("end") name="end_date" label="Expiry date" kind="date"
                    value=proposed.end read=proposed.read index=1 error/>
            </div>
            <div class="field-row">
                <ProposedInput id=id("issuer") name="issuer" label="Insurer or issuing body" kind="text"
                    value=proposed.issuer read=proposed.read index=2 error/>
                <ProposedInput id=id("reference") name="reference" label="Policy or registration number"
                    kind="text" value=proposed.reference read=proposed.read index=3 error/>
            </div>
            <Show when=asks_cover>
                <ProposedInput id=id("cover") name="cover" label=cover_label.clone() kind="text"
                    placeholder="e.g. 5000000 or £5m"
                    value=proposed.cover read=proposed.read index=4 error/>
            </Show>
            <label for=id("description")>"Description"</label>
            <input id=id("description") type="text" name="description" maxlength="200"
                placeholder="e.g. policy number or certificate number"/>
            <div class="field-row">
                <div>
                    <label for=id("reminder")>"Reminder"</label>
                    <select id=id("reminder") name="reminder">
                        <option value="">"No reminder"</option>
                        {reminders}
                    </select>
                </div>
                <div>
                    <label for=id("relates")>"Counted back from"</label>
                    <select id=id("relates") name="relates_to">
                        <option value="EndDate">"the expiry date"</option>
                        <option value="StartDate">"the start date"</option>
                    </select>
                </div>
            </div>
            {offer_valid.then(|| view! {
                <label class="checkbox">
                    <input type="checkbox" name="validated"/>
                    " I have checked this document: tick it Valid now"
                </label>
            })}
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=busy>
                    {move || if busy() { "Uploading…" } else { "Upload" }}
                </button>
                {move || match state.get() {
                    UploadState::Sending(percent) => view! {
                        <progress max="100" value=percent.to_string()
                            aria-label="Upload progress">{format!("{percent}%")}</progress>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
        </form>
    }
}

/// Sends the chosen file to be read and fills the form with what the document states.
#[cfg(feature = "hydrate")]
fn read_document(ev: leptos::ev::Event, proposed: Proposed) {
    use wasm_bindgen::JsCast;
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.form())
    else {
        return;
    };
    #[derive(serde::Deserialize)]
    struct Answer {
        message: Option<String>,
        reading: Reading,
    }
    proposed.note.set(Some("Reading the document…".into()));
    crate::ui::xhr::post_form(
        &form,
        None,
        "/files/certificates/read",
        |_| {},
        move |status, body| match serde_json::from_str::<Answer>(&body) {
            Ok(answer) if status == 200 => {
                proposed.fill(&answer.reading);
                proposed.note.set(answer.message);
            }
            // A file the upload itself will refuse says why when it is sent.
            _ => proposed.note.set(None),
        },
    );
}

#[cfg(feature = "hydrate")]
fn send(
    ev: leptos::ev::SubmitEvent,
    state: RwSignal<UploadState>,
    on_done: Callback<String>,
    certificate_type: String,
    proposed: Proposed,
) {
    use wasm_bindgen::JsCast;
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    state.set(UploadState::Sending(0));
    let sent = form.clone();
    crate::ui::xhr::post_form(
        &form,
        None,
        "/files/certificates",
        move |percent| state.set(UploadState::Sending(percent)),
        move |status, body| {
            if status == 201 {
                state.set(UploadState::Idle);
                sent.reset();
                proposed.clear();
                on_done.run(certificate_type);
            } else {
                state.set(UploadState::Failed(crate::ui::xhr::answer_error(
                    status, &body,
                )));
            }
        },
    );
}
