//! Signing in: password, emailed link (request and confirm), forgotten password (request and
//! choose a new one).

use crate::api::auth::{
    pending_password_reset, pending_sign_in_link, ConfirmSignInLink, RequestEmailLink,
    ResetPassword, SignIn,
};
use crate::api::ApiError;
use crate::domain::identity::{LinkPurpose, LinkRequestAnswer, UserKind, PASSWORD_MIN_CHARS};
use crate::domain::records::LinkPreview;
use crate::ui::forms::{FieldError, FormError};
use crate::ui::resource::{blocking_resource, Loaded};
use crate::ui::send_form::{answering_form, Sending};
use crate::ui::session::go_to;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// After a successful answer that names the next page, open it as a fresh page load.
fn follow(answer: RwSignal<Option<String>>) {
    Effect::new(move |_| {
        if let Some(path) = answer.get() {
            go_to(&path);
        }
    });
}

/// Whether this page has sent its form itself (so what the address says of a form the browser
/// sent before the page was live no longer applies).
fn sent_here(state: RwSignal<Sending>, answer: RwSignal<Option<String>>) -> bool {
    state.get() != Sending::Idle || answer.get().is_some()
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    // Set when the form was sent before the page's client loaded and the server sent it back.
    let failed = query.read_untracked().get("failed").is_some();
    view! {
        <Title text="Sign in"/>
        <section class="auth-page">
            <h1>"Sign in"</h1>
            <SignInForm next failed/>
            <p><A href="/forgot-password">"Forgot your password?"</A></p>
            <div class="auth-alternative">
                <h2>"No password?"</h2>
                <p>"Technicians, and anyone who prefers it, sign in with a link sent by email."</p>
                <p><A href="/sign-in/email" attr:class="button">"Email me a sign-in link"</A></p>
            </div>
        </section>
    }
}

/// The password form. `next` is the page the person was going to; `failed`, that the form was
/// sent before the page's client loaded and the server sent it back.
#[island(lazy)]
fn SignInForm(next: String, failed: bool) -> impl IntoView {
    let answer = RwSignal::new(None);
    let (state, error, on_submit) = answering_form(SignIn::url().to_string(), answer);
    follow(answer);
    let failed = move || failed && !sent_here(state, answer);
    view! {
        <Show when=failed>
            <p class="form-error" role="alert">
                "Signing in did not work. Check your email and password and try again."
            </p>
        </Show>
        // A plain form as served (method and action), so a press before the client has loaded
        // still signs in, and the server opens the page the person wanted.
        <form method="post" action=SignIn::url() class="stack-form" on:submit=on_submit>
            <input type="hidden" name="next" value=next/>
            <label for="email">"Email"</label>
            <input id="email" name="email" type="email" autocomplete="username" required
                aria-describedby="email-error"/>
            <FieldError id="email-error" field="email" error/>
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete="current-password"
                required aria-describedby="password-error"/>
            <FieldError id="password-error" field="password" error/>
            <FormError error/>
            <button type="submit" class="primary" disabled=move || state.get().busy()>
                {move || if state.get().busy() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}

/// The answer a browser-sent "email me a link" form came back with, from the page's address:
/// the message, as `(answer, refusal)`.
fn answer_in_address() -> (Option<String>, Option<String>) {
    let query = use_query_map();
    let query = query.read_untracked();
    match LinkRequestAnswer::from_query(|key| query.get(key)).map(LinkRequestAnswer::message) {
        Some((message, true)) => (None, Some(message)),
        Some((message, false)) => (Some(message), None),
        None => (None, None),
    }
}

/// "Email me a link" and "forgot password": one field, one neutral answer. `sent` and
/// `refused`: what the server answered when the browser sent the form itself (before the page's
/// client was live), shown until this page sends its own request.
#[island(lazy)]
fn EmailLinkForm(
    purpose: LinkPurpose,
    button: String,
    sent: Option<String>,
    refused: Option<String>,
) -> impl IntoView {
    let answered = RwSignal::new(None);
    let (state, error, on_submit) = answering_form(RequestEmailLink::url().to_string(), answered);
    let answer = move || {
        if sent_here(state, answered) {
            answered.get()
        } else {
            sent.clone()
        }
    };
    let refusal = move || refused.clone().filter(|_| !sent_here(state, answered));
    let purpose = match purpose {
        LinkPurpose::PasswordReset => "PasswordReset",
        _ => "SignIn",
    };
    view! {
        {move || refusal().map(|message| view! {
            <p class="form-error" role="alert">{message}</p>
        })}
        <form method="post" action=RequestEmailLink::url() class="stack-form" on:submit=on_submit>
            <input type="hidden" name="purpose" value=purpose/>
            <label for="email">"Email"</label>
            <input id="email" name="email" type="email" autocomplete="email" required
                aria-describedby="email-error"/>
            <FieldError id="email-error" field="email" error/>
            <FormError error/>
            <button type="submit" class="primary" disabled=move || state.get().busy()>
                {move || if state.get().busy() { "Sending…".to_string() } else { button.clone() }}
            </button>
        </form>
        {move || answer().map(|message| view! {
            <p class="form-success" role="status">{message}</p>
        })}
    }
}

#[component]
pub fn EmailLinkPage() -> impl IntoView {
    let (sent, refused) = answer_in_address();
    view! {
        <Title text="Email me a sign-in link"/>
        <section class="auth-page">
            <h1>"Email me a sign-in link"</h1>
            <p>"Enter the address your agency or contractor has for you. The link works once."</p>
            <EmailLinkForm purpose=LinkPurpose::SignIn button="Email me a link".to_string() sent refused/>
            <p><A href="/sign-in">"Sign in with a password instead"</A></p>
        </section>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let (sent, refused) = answer_in_address();
    view! {
        <Title text="Forgot your password?"/>
        <section class="auth-page">
            <h1>"Forgot your password?"</h1>
            <p>"We will email you a link to choose a new one."</p>
            <EmailLinkForm purpose=LinkPurpose::PasswordReset button="Email me a reset link".to_string() sent refused/>
            <p><A href="/sign-in">"Back to sign in"</A></p>
        </section>
    }
}

/// A link that cannot be used: why, and the way to a new one.
#[component]
fn LinkRefused(error: ApiError) -> impl IntoView {
    // Server functions' statuses do not reach the page: it says so itself.
    #[cfg(feature = "ssr")]
    if let ApiError::Link(problem) = error {
        crate::api::request::set_link_status(problem);
    }
    view! {
        <section class="auth-page message-page" role="alert">
            <h1>"This link cannot be used"</h1>
            <p>{error.to_string()}</p>
            <p><A href="/sign-in/email" attr:class="button">"Email me a new sign-in link"</A></p>
            <p><A href="/sign-in">"Sign in with a password"</A></p>
        </section>
    }
}

fn describe_kind(kind: UserKind) -> &'static str {
    match kind {
        UserKind::Agent => "agency staff",
        UserKind::Contractor => "contractor office",
        UserKind::Technician => "technician",
    }
}

/// The page an emailed link opens (the session holds the link, read with `preview`): `show` with
/// what the link is for, or why it cannot be used. Loaded before the page is sent, so the title
/// and the answer are in its HTML.
fn link_page(
    title: &'static str,
    preview: Loaded<Result<LinkPreview, ApiError>>,
    show: impl Fn(LinkPreview) -> AnyView + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <Suspense fallback=|| view! { <p role="status">"Checking your link…"</p> }>
            {move || preview.get().map(|answer| match answer {
                Ok(p) => show(p),
                Err(e) => view! { <LinkRefused error=e/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn ConfirmLinkPage() -> impl IntoView {
    let preview = blocking_resource(|| (), |_| pending_sign_in_link());
    link_page("Confirm sign-in", preview, |p| {
        view! {
            <section class="auth-page">
                <h1>"Sign in as " {p.name.clone()} "?"</h1>
                <p>{p.email.clone()} " · " {describe_kind(p.kind)}</p>
                <ConfirmLinkForm/>
                <p class="hint">"Not you? Close this page: nothing happens until you continue."</p>
            </section>
        }
        .into_any()
    })
}

/// "Continue": uses the link the session holds.
#[island(lazy)]
fn ConfirmLinkForm() -> impl IntoView {
    let answer = RwSignal::new(None);
    let (state, error, on_submit) = answering_form(ConfirmSignInLink::url().to_string(), answer);
    follow(answer);
    view! {
        <form method="post" action=ConfirmSignInLink::url() class="stack-form" on:submit=on_submit>
            <FormError error/>
            <button type="submit" class="primary" disabled=move || state.get().busy()>
                {move || if state.get().busy() { "Signing in…" } else { "Continue" }}
            </button>
        </form>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    // Set when the form was sent before the page's client loaded and the server sent it back.
    let failed = use_query_map().read_untracked().get("failed").is_some();
    let preview = blocking_resource(|| (), |_| pending_password_reset());
    link_page("Choose a password", preview, move |p| {
        let heading = if p.purpose == LinkPurpose::Invitation {
            "Choose your password"
        } else {
            "Choose a new password"
        };
        view! {
            <section class="auth-page">
                <h1>{heading}</h1>
                <p>"For " {p.email.clone()} ". Use at least " {PASSWORD_MIN_CHARS} " characters; a short sentence works well."</p>
                <ResetPasswordForm email=p.email failed/>
            </section>
        }
        .into_any()
    })
}

/// The new password, twice; `email` is filled in for password managers; `failed`, that the form
/// was sent before the page's client loaded and the server sent it back.
#[island(lazy)]
fn ResetPasswordForm(email: String, failed: bool) -> impl IntoView {
    let answer = RwSignal::new(None);
    let (state, error, on_submit) = answering_form(ResetPassword::url().to_string(), answer);
    follow(answer);
    let failed = move || failed && !sent_here(state, answer);
    view! {
        <Show when=failed>
            <p class="form-error" role="alert">
                "The password was not saved. Use at least " {PASSWORD_MIN_CHARS}
                " characters, and type the same password twice."
            </p>
        </Show>
        <form method="post" action=ResetPassword::url() class="stack-form" on:submit=on_submit>
            <input type="hidden" name="username" autocomplete="username" prop:value=email/>
            <label for="password">"New password"</label>
            <input id="password" name="password" type="password" autocomplete="new-password"
                required minlength=PASSWORD_MIN_CHARS aria-describedby="password-error"/>
            <FieldError id="password-error" field="password" error/>
            <label for="confirm">"The same password again"</label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password"
                required aria-describedby="confirm-error"/>
            <FieldError id="confirm-error" field="confirm" error/>
            <FormError error/>
            <button type="submit" class="primary" disabled=move || state.get().busy()>
                {move || if state.get().busy() { "Saving…" } else { "Save and sign in" }}
            </button>
        </form>
    }
}
