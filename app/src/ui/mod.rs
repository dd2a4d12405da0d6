//! Components and pages. They render and call server functions; rules live in `domain`.

mod assign;
pub mod client;
#[cfg(feature = "ssr")]
pub mod csp;
mod forms;
mod layout;
mod live;
mod matrix_grid;
mod pager;
pub mod pages;
mod post_form;
mod refresh;
mod render_once;
mod resource;
mod send_form;
mod session;
mod signature_pad;
mod task_board;
mod task_card;
mod task_cells;
mod upload;
mod xhr;

use layout::Layout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};
use pages::{
    account, admin, agent, api_keys, calendar, certificate_types, contractor, desk, desk_quotes,
    home, import, instruct, mailbox, not_found::NotFound, preferences, properties, quotes,
    settings, sign_in, task, team, tech, verify, webhooks, work_kinds,
};

/// Written into the Tech view's pages (a few hundred bytes compressed, no request of its own):
/// registers the service worker that keeps the technician's open tasks on the phone
/// (`public/tech-sw.js`) and asks it to save them.
const TECH_OFFLINE: &str = include_str!("tech_offline.js");

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::provide_page_nonce();
    let islands = client::rendering_islands_page();
    let tech_view = client::rendering_tech_view_page();
    let scripts = if islands {
        client::islands_options(&options)
    } else {
        options.clone()
    };
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options=scripts islands/>
                {tech_view.then(|| view! {
                    <script nonce=leptos::nonce::use_nonce() inner_html=TECH_OFFLINE></script>
                })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    client::islands_as_components();
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Link rel="manifest" href="/manifest.webmanifest"/>
        <Link rel="apple-touch-icon" href="/icon-192.png"/>
        <Meta name="description" content="Contractor certification compliance and the contractor portal"/>
        <Meta name="theme-color" content="#1f4e79"/>
        <Title formatter=|text: String| if text.is_empty() { "Certidesk".to_string() } else { format!("{text} · Certidesk") }/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=home::HomePage/>
                    <Route path=path!("/agent") view=agent::Dashboard/>
                    <Route path=path!("/agent/tasks") view=agent::Tasks ssr=SsrMode::InOrder/>
                    <Route path=path!("/agent/contractors") view=agent::Contractors/>
                    <Route path=path!("/agent/contractors/:id") view=contractor::ContractorProfile/>
                    <Route path=path!("/agent/certification") view=agent::Certification/>
                    <Route path=path!("/agent/properties") view=properties::PropertiesPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/agent/instruct") view=instruct::InstructWorksPage/>
                    <Route path=path!("/agent/quotes") view=quotes::QuotesPage/>
                    <Route path=path!("/agent/quotes/new") view=quotes::RequestQuotesPage/>
                    <Route path=path!("/agent/quotes/:id") view=quotes::QuoteRequestPage/>
                    <Route path=path!("/agent/import") view=import::ImportPage/>
                    <Route path=path!("/agent/certificate-types") view=certificate_types::CertificateTypesPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/agent/kinds-of-work") view=work_kinds::WorkKindsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/desk") view=desk::TaskDashboard/>
                    <Route path=path!("/desk/certificates") view=contractor::OwnCertificates/>
                    <Route path=path!("/desk/quotes") view=desk_quotes::DeskQuotesPage/>
                    <Route path=path!("/desk/team") view=team::TeamPage/>
                    <Route path=path!("/desk/preferences") view=preferences::PreferencesPage/>
                    <Route path=path!("/desk/tasks/:id") view=task::TaskPage/>
                    // In order: the task arrives as HTML in its place, with no script to move it
                    // there, so the page and its plain forms work before its client is live.
                    <Route path=path!("/tech/tasks/:id") view=task::TaskPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/agent/tasks/:id") view=task::TaskPage/>
                    <Route path=path!("/tech") view=tech::MyTasks/>
                    <Route path=path!("/sign-in") view=sign_in::SignInPage/>
                    <Route path=path!("/sign-in/email") view=sign_in::EmailLinkPage/>
                    <Route path=path!("/sign-in/confirm") view=sign_in::ConfirmLinkPage/>
                    <Route path=path!("/forgot-password") view=sign_in::ForgotPasswordPage/>
                    <Route path=path!("/reset-password") view=sign_in::ResetPasswordPage/>
                    <Route path=path!("/account") view=account::AccountPage/>
                    <Route path=path!("/admin/users") view=admin::UsersPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/admin/settings") view=settings::SettingsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/admin/api") view=api_keys::ApiKeysPage/>
                    <Route path=path!("/admin/webhooks") view=webhooks::WebhooksPage/>
                    <Route path=path!("/calendar") view=calendar::CalendarPage/>
                    <Route path=path!("/dev/mailbox") view=mailbox::MailboxPage/>
                    <Route path=path!("/verify/:code") view=verify::VerifyReportPage/>
                </Routes>
            </Layout>
        </Router>
    }
}
