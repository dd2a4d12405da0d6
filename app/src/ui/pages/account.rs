//! The signed-in person's own page: who they are, signing out here or everywhere.

use crate::api::auth::{SignOut, SignOutEverywhere};
use crate::ui::forms::FormError;
use crate::ui::send_form::sending_form;
use crate::ui::session::{confirm, go_to, use_viewer};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
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
    let signed_out = RwSignal::new(0u64);
    let (_, _, sign_out) = sending_form(SignOut::url().to_string(), signed_out);
    let (everywhere, error, sign_out_everywhere) =
        sending_form(SignOutEverywhere::url().to_string(), signed_out);
    Effect::new(move |_| {
        if signed_out.get() > 0 {
            go_to("/sign-in");
        }
    });
    // Effects run in the browser alone, once the island is live.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let ask_first = move |ev: leptos::ev::SubmitEvent| {
        if confirm("Sign out on every device, this one included?") {
            sign_out_everywhere(ev);
        } else {
            ev.prevent_default();
        }
    };
    view! {
        <div class="button-row">
            <form method="post" action=SignOut::url() class="inline-form" on:submit=sign_out>
                <button type="submit">"Sign out"</button>
            </form>
            <form method="post" action=SignOutEverywhere::url() class="inline-form"
                on:submit=ask_first>
                // Served disabled: before the page is live, a press would skip the question.
                <button type="submit" class="danger"
                    disabled=move || !live.get() || everywhere.get().busy()>
                    "Sign out everywhere"
                </button>
            </form>
        </div>
        <FormError error/>
    }
}
