//! Sending a form from the browser with XMLHttpRequest, which reports upload progress (fetch
//! does not). Used by every form the page sends itself: uploads and imports, and the forms a
//! technician acts with, which post to their server function as the browser would.

/// Posts `form` (with the button that sent it, as the browser would) to `url`: as multipart when
/// the form says so (it has files), otherwise URL-encoded, which is what server functions read.
/// `progress` gets the percent sent, `done` the status and body (status 0 when the connection
/// failed).
#[cfg(feature = "hydrate")]
pub fn post_form(
    form: &web_sys::HtmlFormElement,
    submitter: Option<&web_sys::HtmlElement>,
    url: &str,
    progress: impl Fn(u32) + 'static,
    done: impl FnOnce(u16, String) + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{FormData, ProgressEvent, UrlSearchParams, XmlHttpRequest};

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
    // The button that sent the form says which of its acts is meant (name and value), as the
    // browser's own post would.
    if let Some(button) = submitter {
        if let (Some(name), Some(value)) =
            (button.get_attribute("name"), button.get_attribute("value"))
        {
            let _ = data.append_with_str(&name, &value);
        }
    }
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
    let sent = if is_multipart(form) {
        request.send_with_opt_form_data(Some(&data))
    } else {
        // A FormData is a sequence of name and value pairs, which is what URLSearchParams takes.
        UrlSearchParams::new_with_str_sequence_sequence(&data).and_then(|fields| {
            request.set_request_header("Content-Type", "application/x-www-form-urlencoded")?;
            request.send_with_opt_str(Some(&String::from(fields.to_string())))
        })
    };
    if sent.is_err() {
        finish(0, String::new());
    }
}

/// Whether the form sends files (and so is sent as multipart).
#[cfg(feature = "hydrate")]
pub fn is_multipart(form: &web_sys::HtmlFormElement) -> bool {
    form.enctype() == "multipart/form-data"
}

#[cfg(feature = "hydrate")]
/// The error an upload route answered: the same JSON a server function answers with (see
/// `ApiError`'s `IntoResponse`), or, from a proxy or a limit in front of the app, a bare status.
pub fn answer_error(status: u16, body: &str) -> crate::api::ApiError {
    use crate::api::ApiError;
    match status {
        0 => ApiError::Transport("the connection dropped".into()),
        // from_slice, as server functions decode their errors: one copy of the decoder in the WASM.
        _ => serde_json::from_slice(body.as_bytes()).unwrap_or_else(|_| match status {
            413 => ApiError::Invalid {
                field: "file".into(),
                message: "The file is larger than the server takes. Make it smaller or split it."
                    .into(),
            },
            _ => ApiError::Refused(format!("The server answered {status}. Try again.")),
        }),
    }
}
