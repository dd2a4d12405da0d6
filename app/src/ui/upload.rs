//! Uploading a certificate document: the file and its dates, sent with a progress bar. The form
//! posts multipart to `/files/certificates`; in the browser a script sends it so the page stays
//! and shows progress, and the answer's message lands beside the field it is about.

use crate::api::ApiError;
use crate::domain::compliance::Reminder;
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

#[component]
pub fn UploadForm(
    contractor_id: i64,
    certificate_type_id: i64,
    #[prop(into)] certificate_type: String,
    /// Agents may record a document they have checked as valid at once.
    offer_valid: bool,
    /// Called with the certificate type after a successful upload.
    on_done: Callback<String>,
) -> impl IntoView {
    let state = RwSignal::new(UploadState::Idle);
    let error = Signal::derive(move || match state.get() {
        UploadState::Failed(e) => Some(e),
        _ => None,
    });
    let label = format!("Upload a {certificate_type} document");
    let certificate_type = StoredValue::new(certificate_type);
    let prefix = format!("upload-{certificate_type_id}");
    let id = move |name: &str| format!("{prefix}-{name}");
    let reminders = Reminder::ALL
        .into_iter()
        .map(|r| view! { <option value=r.name()>{reminder_label(r)}</option> })
        .collect_view();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        send(ev, state, on_done, certificate_type.get_value());
        #[cfg(not(feature = "hydrate"))]
        let _ = (state, on_done, certificate_type);
    };
    let busy = move || matches!(state.get(), UploadState::Sending(_));
    view! {
        <form class="upload-form" method="post" action="/files/certificates"
            enctype="multipart/form-data" on:submit=on_submit
            aria-label=label>
            <input type="hidden" name="contractor_id" value=contractor_id.to_string()/>
            <input type="hidden" name="certificate_type_id" value=certificate_type_id.to_string()/>
            <label for=id("file")>"File (PDF, JPEG, PNG or HEIC, up to 10 MB)"</label>
            <input id=id("file") type="file" name="file" required
                accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic"/>
            <FieldError id=id("file-error") field="file" error/>
            <div class="field-row">
                <div>
                    <label for=id("start")>"Start date"</label>
                    <input id=id("start") type="date" name="start_date"/>
                    <FieldError id=id("start-error") field="start_date" error/>
                </div>
                <div>
                    <label for=id("end")>"Expiry date"</label>
                    <input id=id("end") type="date" name="end_date"/>
                    <FieldError id=id("end-error") field="end_date" error/>
                </div>
            </div>
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

fn reminder_label(r: Reminder) -> String {
    match r {
        Reminder::Weeks(1) => "1 week before".into(),
        Reminder::Weeks(n) => format!("{n} weeks before"),
        Reminder::Months(1) => "1 month before".into(),
        Reminder::Months(n) => format!("{n} months before"),
    }
}

#[cfg(feature = "hydrate")]
fn send(
    ev: leptos::ev::SubmitEvent,
    state: RwSignal<UploadState>,
    on_done: Callback<String>,
    certificate_type: String,
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
        "/files/certificates",
        move |percent| state.set(UploadState::Sending(percent)),
        move |status, body| {
            if status == 201 {
                state.set(UploadState::Idle);
                sent.reset();
                on_done.run(certificate_type);
            } else {
                state.set(UploadState::Failed(crate::ui::xhr::answer_error(
                    status, &body,
                )));
            }
        },
    );
}
