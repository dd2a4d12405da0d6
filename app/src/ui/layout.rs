use leptos::prelude::*;
use leptos_router::components::A;

use super::live::{connect, provide_live, use_live};
use super::pages::error::ErrorPage;
use super::session::{go_to, provide_viewer};
use crate::api::auth::SignOut;
use crate::api::compliance::{outstanding_certificates, to_validate};
use crate::api::quotes::quotes_to_answer;
use crate::domain::identity::UserKind;
use crate::domain::records::Viewer;

/// Header, navigation for the signed-in person's view, and the main area.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let viewer = provide_viewer();
    provide_live();
    let (menu_open, set_menu_open) = signal(false);
    // Marks the page as interactive: end-to-end tests wait for it before clicking.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

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
            <button
                type="button"
                class="menu-toggle"
                aria-controls="main-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| set_menu_open.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            <nav
                id="main-nav"
                class="main-nav"
                class:open=move || menu_open.get()
                aria-label="Main"
                // A followed link closes the phone menu.
                on:click=move |_| set_menu_open.set(false)
            >
                <Suspense fallback=|| ()>{nav}</Suspense>
            </nav>
        </header>
        <OfflineNotice/>
        <main id="main" class="site-main" tabindex="-1">
            <ErrorBoundary fallback=|errors| view! { <ErrorPage errors/> }>{children()}</ErrorBoundary>
        </main>
    }
}

/// Says so while the device is offline (a phone on site loses signal): the page stays, what was
/// typed stays in its fields, and sending works again once the connection is back.
#[component]
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
    let sign_out = ServerAction::<SignOut>::new();
    let live = use_live();
    // Effects run in the browser only: one event stream per page load, for signed-in people.
    Effect::new(move |_| connect(live));
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go_to("/sign-in");
        }
    });
    let links = match viewer.kind {
        UserKind::Agent => view! {
            <A href="/agent" exact=true>"Dashboard"</A>
            <A href="/agent/tasks" exact=true>"Tasks"</A>
            <A href="/agent/contractors">"Contractors"</A>
            <A href="/agent/properties">"Properties"</A>
            <A href="/agent/certification">
                "Certification"
                {viewer.permissions.manage_certification.then(|| view! {
                    <CountBadge count=to_validate one="1 upload to validate" many="uploads to validate"
                        testid="to-validate-badge"/>
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
                <CountBadge count=outstanding_certificates one="1 certificate to provide"
                    many="certificates to provide" testid="certificate-badge"/>
            </A>
            <A href="/desk/quotes">
                "Quotes"
                <CountBadge count=quotes_to_answer one="1 request waiting for your quote"
                    many="requests waiting for your quote" testid="quote-badge"/>
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
            <ActionForm action=sign_out attr:class="inline-form">
                <button type="submit" class="link-button" disabled=move || sign_out.pending().get()>
                    "Sign out"
                </button>
            </ActionForm>
        </div>
    }
}

/// A count beside a navigation link (certificates the office still has to provide, uploads the
/// agent has to validate); nothing when none. Read in the browser only (a local resource), so the
/// server-rendered header never disagrees with the hydrating one; read again on live changes.
#[component]
fn CountBadge<F, Fut>(
    count: F,
    one: &'static str,
    many: &'static str,
    testid: &'static str,
) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<u32, crate::api::ApiError>> + 'static,
{
    let live = use_live();
    let outstanding = LocalResource::new(move || {
        live.certification.track();
        live.quote.track();
        count()
    });
    move || match outstanding.get() {
        Some(Ok(n)) if n > 0 => {
            let label = if n == 1 {
                one.to_string()
            } else {
                format!("{n} {many}")
            };
            view! {
                <span class="badge" data-testid=testid aria-label=label.clone() title=label>
                    {n}
                </span>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}
