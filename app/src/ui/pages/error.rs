use leptos::prelude::*;
use leptos_meta::Title;

/// What a person sees when a page fails: the reasons, and a way on.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| view! { <li>{error.to_string()}</li> })
            .collect_view()
    };
    view! {
        <Title text="Something went wrong"/>
        <section class="message-page" role="alert">
            <h1>"Something went wrong"</h1>
            <ul class="error-list">{messages}</ul>
            <p>"Try again in a moment. If it keeps happening, tell your administrator what you were doing."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}
