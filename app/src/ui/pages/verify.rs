//! `/verify/:code`: the public page a service report's QR code and address lead to. It shows
//! only what proves the record, and checks a copy of the PDF against the hash it was issued
//! with. No sign-in. Served in islands mode: the server renders the record, and only the form
//! that checks a copy comes alive in the browser.

use crate::api::reports::verify_report_code;
use crate::api::ApiError;
use crate::domain::records::ReportVerification;
use crate::ui::forms::LoadError;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn VerifyReportPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let record = resource(code, verify_report_code);
    let content = move || {
        Suspend::new(async move {
            match record.await {
                Ok(v) => view! { <Record v code=code()/> }.into_any(),
                Err(e) => {
                    #[cfg(feature = "ssr")]
                    if let (Some(response), ApiError::NotFound(_)) =
                        (use_context::<leptos_axum::ResponseOptions>(), &e)
                    {
                        response.set_status(axum::http::StatusCode::NOT_FOUND);
                    }
                    let message = match e {
                        ApiError::NotFound(_) => "No report was issued with this code. Check the address against the one printed on the report.".to_string(),
                        other => other.to_string(),
                    };
                    view! { <p class="form-error" role="alert">{message}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Verify a service report"/>
        <section class="message-page verify-page">
            <h1>"Verify a service report"</h1>
            <Transition fallback=|| view! { <p role="status">"Looking up the code…"</p> }>{content}</Transition>
        </section>
    }
}

#[component]
fn Record(v: ReportVerification, code: String) -> impl IntoView {
    let superseded = (v.latest_version > v.version).then(|| {
        view! {
            <p class="hint" role="note">{format!(
                "A newer version ({}) of this report has been issued since. Ask the agency for it.",
                v.latest_version
            )}</p>
        }
    });
    let signatures = if v.signatures.is_empty() {
        view! { <li>"Nobody signed on site."</li> }.into_any()
    } else {
        v.signatures
            .into_iter()
            .map(|s| view! { <li>{s}</li> })
            .collect_view()
            .into_any()
    };
    view! {
        <p>{format!(
            "This code belongs to version {} of a service report issued by {}.",
            v.version, v.agency
        )}</p>
        {superseded}
        <dl class="details verify-record">
            <dt>"Agency"</dt><dd>{v.agency.clone()}</dd>
            <dt>"Task reference"</dt><dd>{v.reference}</dd>
            <dt>"Property postcode"</dt><dd>{v.postcode}</dd>
            <dt>"Performed"</dt><dd>{v.performed_on.unwrap_or_else(|| "—".into())}</dd>
            <dt>"Version"</dt><dd>{format!("{}, issued {}", v.version, v.issued)}</dd>
            <dt>"Signed"</dt><dd><ul class="plain-list">{signatures}</ul></dd>
            <dt>"SHA-256 of the PDF as issued"</dt><dd><code class="hash">{v.sha256}</code></dd>
        </dl>
        <CheckCopy code/>
    }
}

/// Sends a copy of the PDF to be hashed on the server and compared; nothing of it is kept. The
/// page is served in islands mode (whoever scans a report's QR code downloads only this form's
/// code beside the small client); lazy, as the Tech view's pages do not show it.
#[island(lazy)]
fn CheckCopy(code: String) -> impl IntoView {
    let url = format!("/verify/{code}/check");
    let answer: RwSignal<Option<Result<(bool, String), ApiError>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let submit_url = url.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            busy.set(true);
            answer.set(None);
            crate::ui::xhr::post_form(
                &form,
                None,
                &submit_url,
                |_| {},
                move |status, body| {
                    busy.set(false);
                    let read: Option<serde_json::Value> = serde_json::from_str(&body).ok();
                    answer.set(Some(match read {
                        Some(v) if (200..300).contains(&status) => Ok((
                            v["unaltered"].as_bool().unwrap_or(false),
                            v["message"].as_str().unwrap_or_default().to_string(),
                        )),
                        _ => Err(crate::ui::xhr::answer_error(status, &body)),
                    }));
                },
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &submit_url;
    };
    let result = move || {
        answer.get().map(|a| match a {
            Ok((true, message)) => {
                view! { <p class="verify-ok" role="status">{message}</p> }.into_any()
            }
            Ok((false, message)) => {
                view! { <p class="verify-altered" role="alert">{message}</p> }.into_any()
            }
            Err(e) => view! { <LoadError e/> }.into_any(),
        })
    };
    view! {
        <form class="upload-form" method="post" action=url enctype="multipart/form-data"
            on:submit=on_submit aria-label="Check a copy">
            <label for="report-copy">"Check that a copy is unaltered: choose the PDF you were given"</label>
            <input id="report-copy" type="file" name="file" accept="application/pdf,.pdf" required/>
            <p class="hint">"The file is compared with the report as issued and is not kept."</p>
            <div class="form-actions">
                <button type="submit" disabled=move || busy.get()>"Check the file"</button>
            </div>
        </form>
        {result}
    }
}
