//! The signed-in person's own page: who they are, signing out here or everywhere.

use crate::api::auth::{SignOut, SignOutEverywhere};
use crate::ui::forms::{action_error, FormError};
use crate::ui::session::{confirm, go_to, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let viewer = use_viewer();
    let details = move || {
        Suspend::new(async move {
            viewer.await.ok().flatten().map(|v| {
                view! {
                    <dl class="details">
                        <dt>"Name"</dt><dd>{v.name.clone()}</dd>
                        <dt>"Email"</dt><dd>{v.email.clone()}</dd>
                        <dt>"Agency"</dt><dd>{v.agency_name.clone()}</dd>
                        {v.company_name.clone().map(|c| view! { <dt>"Company"</dt><dd>{c}</dd> })}
                    </dl>
                }
            })
        })
    };
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <Suspense fallback=|| ()>{details}</Suspense>
        <p><a href="/calendar">"Calendar: your tasks or certificate expiries in your calendar app"</a></p>
        <section class="panel">
            <h2>"Signing out"</h2>
            <SigningOut/>
            <p class="hint">"Signing out everywhere ends your sessions on every phone and computer, for example after losing a device."</p>
        </section>
    }
}

/// Signs out here or on every device, then opens the sign-in page. The page is served in islands
/// mode (a technician's phone reaches it from the Tech view); lazy, as the Tech view's own pages
/// do not show it.
#[island(lazy)]
fn SigningOut() -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let error = action_error(everywhere);
    Effect::new(move |_| {
        let done = matches!(sign_out.value().get(), Some(Ok(())))
            || matches!(everywhere.value().get(), Some(Ok(())));
        if done {
            go_to("/sign-in");
        }
    });
    view! {
        <div class="button-row">
            <ActionForm action=sign_out attr:class="inline-form">
                <button type="submit">"Sign out"</button>
            </ActionForm>
            <button
                type="button"
                class="danger"
                disabled=move || everywhere.pending().get()
                on:click=move |_| {
                    if confirm("Sign out on every device, this one included?") {
                        everywhere.dispatch(SignOutEverywhere {});
                    }
                }
            >
                "Sign out everywhere"
            </button>
        </div>
        <FormError error/>
    }
}
