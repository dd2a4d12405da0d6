use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

use super::live::{connect, provide_live, Live};
use super::pages::error::ErrorPage;
use super::send_form::sending_form;
use super::session::{go_to, provide_viewer};
use crate::api::auth::SignOut;
use crate::api::compliance::{outstanding_certificates, to_validate};
use crate::api::quotes::quotes_to_answer;
use crate::domain::identity::UserKind;
use crate::domain::records::Viewer;

/// Header, navigation for the signed-in person's view, and the main area. Rendered on the server
/// on every page; its interactive parts are islands, so the pages served in islands mode (the
/// Tech view) keep them without the rest of the client.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let viewer = provide_viewer();
    provide_live();

    // Awaited rather than read: reading one resource from several Suspense boundaries can stall
    // server rendering (leptos issues #4578, #4851).
    let nav = move || {
        Suspend::new(async move {
            match viewer.await {
                Ok(Some(v)) => view! { <SignedInNav viewer=v/> }.into_any(),
                _ => view! {
                    <div class="nav-group">
                        <A href="/sign-in">"Sign in"</A>
                    </div>
                }
                .into_any(),
            }
        })
    };

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"✓"</span>
                "Certidesk"
            </A>
            <MenuToggle/>
            <nav id="main-nav" class="main-nav" aria-label="Main">
                <Suspense fallback=|| ()>{nav}</Suspense>
            </nav>
        </header>
        <OfflineNotice/>
        <main id="main" class="site-main" tabindex="-1">
            <ErrorBoundary fallback=|errors| view! { <ErrorPage errors/> }>{children()}</ErrorBoundary>
        </main>
        <HydratedMark/>
    }
}

/// Marks the page as interactive; end-to-end tests wait for it before clicking. The last island
/// of every page, and islands come alive in document order, so it means "every island is live".
#[island]
fn HydratedMark() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Opens and closes the navigation on a phone. The navigation itself (`#main-nav`) is rendered
/// by the server beside it, so this island holds only the button and the class it sets there.
#[island]
fn MenuToggle() -> impl IntoView {
    let open = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let nav = document().get_element_by_id("main-nav");
        if let Some(nav) = nav.clone() {
            // A followed link closes the menu.
            let close = Closure::<dyn FnMut()>::new(move || open.set(false));
            let _ = nav.add_event_listener_with_callback("click", close.as_ref().unchecked_ref());
            close.forget();
        }
        Effect::new(move |_| {
            if let Some(nav) = &nav {
                let _ = nav.class_list().toggle_with_force("open", open.get());
            }
        });
    }
    view! {
        <button
            type="button"
            class="menu-toggle"
            aria-controls="main-nav"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|open| *open = !*open)
        >
            "Menu"
        </button>
    }
}

/// Says so while the device is offline (a phone on site loses signal): the page stays, what was
/// typed stays in its fields, and sending works again once the connection is back.
#[island]
fn OfflineNotice() -> impl IntoView {
    let offline = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| offline.set(!window().navigator().on_line()));
        let gone = window_event_listener(leptos::ev::offline, move |_| offline.set(true));
        let back = window_event_listener(leptos::ev::online, move |_| offline.set(false));
        on_cleanup(move || {
            gone.remove();
            back.remove();
        });
    }
    view! {
        <Show when=move || offline.get()>
            <p class="offline-notice" role="status">
                "You are offline. Nothing you have typed is lost: it stays on this page. Send it again once you have signal."
            </p>
        </Show>
    }
}

/// The links of the person's own view, who they are, and signing out.
#[component]
fn SignedInNav(viewer: Viewer) -> impl IntoView {
    // Effects run in the browser only, and this one only where the whole page hydrates: one
    // event stream per page load, for signed-in people. Pages in islands mode open theirs from
    // the first island that needs it (`Live::here`).
    if let Some(live) = use_context::<Live>() {
        Effect::new(move |_| connect(live));
    }
    let links = match viewer.kind {
        UserKind::Agent => view! {
            <A href="/agent" exact=true>"Dashboard"</A>
            <A href="/agent/tasks" exact=true>"Tasks"</A>
            <A href="/agent/contractors">"Contractors"</A>
            <A href="/agent/properties">"Properties"</A>
            <A href="/agent/certification">
                "Certification"
                {viewer.permissions.manage_certification.then(|| view! {
                    <CountBadge badge=Badge::ToValidate/>
                })}
            </A>
            {viewer.permissions.instruct_work.then(|| view! {
                <A href="/agent/instruct">"Instruct works"</A>
            })}
            <A href="/agent/quotes">"Quotes"</A>
            {viewer.permissions.manage_users.then(|| view! {
                <A href="/admin/users">"Users"</A>
                <A href="/admin/settings">"Settings"</A>
                <A href="/admin/api">"API"</A>
            })}
        }
        .into_any(),
        UserKind::Contractor => view! {
            <A href="/desk" exact=true>"Desk view"</A>
            <A href="/desk/certificates">
                "Certificates"
                <CountBadge badge=Badge::CertificatesToProvide/>
            </A>
            <A href="/desk/quotes">
                "Quotes"
                <CountBadge badge=Badge::QuotesToAnswer/>
            </A>
            <A href="/desk/team">"Team"</A>
            <A href="/desk/preferences">"Preferences"</A>
            <A href="/calendar">"Calendar"</A>
        }
        .into_any(),
        UserKind::Technician => view! {
            <A href="/tech">"My tasks"</A>
            <A href="/calendar">"Calendar"</A>
        }
        .into_any(),
    };
    let organisation = viewer
        .company_name
        .clone()
        .unwrap_or_else(|| viewer.agency_name.clone());
    view! {
        <div class="nav-group">{links}</div>
        <div class="nav-group nav-account">
            <A href="/account" attr:class="who" attr:title=viewer.email.clone()>
                <span class="who-name">{viewer.name.clone()}</span>
                <span class="who-org">{organisation}</span>
            </A>
            <SignOutButton/>
        </div>
    }
}

/// Signs out, then opens the sign-in page afresh. A form the browser posts without the script
/// too; sent like the task's forms (`sending_form`), not through a `ServerAction`, so every page
/// of the islands client is free of the server function client.
#[island]
fn SignOutButton() -> impl IntoView {
    let signed_out = RwSignal::new(0u64);
    let (state, _, on_submit) = sending_form(SignOut::url().to_string(), signed_out);
    Effect::new(move |_| {
        if signed_out.get() > 0 {
            // What the tab kept for this person (drafts with signatures) goes with the session.
            #[cfg(feature = "hydrate")]
            if let Ok(Some(session)) = window().session_storage() {
                let _ = session.clear();
            }
            go_to("/sign-in");
        }
    });
    // The server renders it enabled without reading the state: a server render whose Suspend
    // had already dropped this island's owner panicked reading it ("already disposed").
    #[cfg(feature = "hydrate")]
    let busy = move || state.get().busy();
    #[cfg(not(feature = "hydrate"))]
    let busy = move || {
        let _ = state;
        false
    };
    view! {
        <form method="post" action=SignOut::url() class="inline-form" on:submit=on_submit>
            <button type="submit" class="link-button" disabled=busy>
                "Sign out"
            </button>
        </form>
    }
}

/// What a count beside a navigation link counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Badge {
    /// Uploads the agent has to validate.
    ToValidate,
    /// Certificates the contractor's office still has to provide.
    CertificatesToProvide,
    /// Requests for quotes waiting for the office's answer.
    QuotesToAnswer,
}

impl Badge {
    fn testid(self) -> &'static str {
        match self {
            Badge::ToValidate => "to-validate-badge",
            Badge::CertificatesToProvide => "certificate-badge",
            Badge::QuotesToAnswer => "quote-badge",
        }
    }

    fn label(self, n: u32) -> String {
        let (one, many) = match self {
            Badge::ToValidate => ("1 upload to validate", "uploads to validate"),
            Badge::CertificatesToProvide => ("1 certificate to provide", "certificates to provide"),
            Badge::QuotesToAnswer => (
                "1 request waiting for your quote",
                "requests waiting for your quote",
            ),
        };
        if n == 1 {
            one.to_string()
        } else {
            format!("{n} {many}")
        }
    }

    // Asked in the browser only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    async fn count(self) -> Result<u32, crate::api::ApiError> {
        match self {
            Badge::ToValidate => to_validate().await,
            Badge::CertificatesToProvide => outstanding_certificates().await,
            Badge::QuotesToAnswer => quotes_to_answer().await,
        }
    }
}

/// A count beside a navigation link; nothing when none. Read in the browser only, so the
/// server-rendered header never disagrees with the hydrating one; read again on live changes.
/// Not a local resource: read while the server rendered the navigation in islands mode, its
/// never-ending wait left the whole navigation empty.
#[island(lazy)]
fn CountBadge(badge: Badge) -> impl IntoView {
    let outstanding = RwSignal::new(None::<u32>);
    #[cfg(feature = "hydrate")]
    {
        let live = Live::here();
        Effect::new(move |_| {
            live.certification.track();
            live.quote.track();
            leptos::task::spawn_local(async move {
                if let Ok(n) = badge.count().await {
                    // The page may have moved on (the full client's router) meanwhile.
                    let _ = outstanding.try_set(Some(n));
                }
            });
        });
    }
    move || match outstanding.get() {
        Some(n) if n > 0 => {
            let label = badge.label(n);
            view! {
                <span class="badge" data-testid=badge.testid() aria-label=label.clone() title=label>
                    {n}
                </span>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}
