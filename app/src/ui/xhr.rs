//! Sending a form with its files from the browser with XMLHttpRequest, which reports upload
//! progress (fetch does not). Used by certificate uploads and imports.

/// Posts `form` to `url` as multipart; `progress` gets the percent sent, `done` the status and
/// body (status 0 when the connection failed).
#[cfg(feature = "hydrate")]
pub fn post_form(
    form: &web_sys::HtmlFormElement,
    url: &str,
    progress: impl Fn(u32) + 'static,
    done: impl FnOnce(u16, String) + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{FormData, ProgressEvent, XmlHttpRequest};

    let done = Rc::new(RefCell::new(Some(done)));
    let finish = {
        let done = done.clone();
        move |status: u16, body: String| {
            if let Some(done) = done.borrow_mut().take() {
                done(status, body);
            }
        }
    };
    let (Ok(data), Ok(request)) = (FormData::new_with_form(form), XmlHttpRequest::new()) else {
        finish(0, String::new());
        return;
    };
    if request.open("POST", url).is_err() {
        finish(0, String::new());
        return;
    }
    let _ = request.set_request_header("Accept", "application/json");
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress((e.loaded() / e.total() * 100.0) as u32);
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    on_progress.forget();
    let answered = request.clone();
    let on_load = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = answered.status().unwrap_or(0);
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            finish(status, body);
        })
    };
    request.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let on_error = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || finish(0, String::new()))
    };
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    if request.send_with_opt_form_data(Some(&data)).is_err() {
        finish(0, String::new());
    }
}

#[cfg(feature = "hydrate")]
/// The error a JSON answer `{"field": ..., "message": ...}` carries, as the forms show it.
pub fn answer_error(status: u16, body: &str) -> crate::api::ApiError {
    use crate::api::ApiError;
    if status == 0 {
        return ApiError::Transport("the connection dropped".into());
    }
    let answer: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = answer
        .as_ref()
        .and_then(|a| a["field"].as_str())
        .unwrap_or("")
        .to_string();
    let message = answer
        .as_ref()
        .and_then(|a| a["message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("The server answered {status}. Try again."));
    if field.is_empty() {
        ApiError::Refused(message)
    } else {
        ApiError::Invalid { field, message }
    }
}
