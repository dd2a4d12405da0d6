use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Compliant contractors, work that moves"</h1>
            <p class="lead">
                "Request and track contractor certificates, send work only to compliant contractors, "
                "and let contractors run their tasks from the office and on site."
            </p>
            <p><A href="/sign-in" attr:class="button primary">"Sign in"</A></p>
        </section>
        <ul class="audience-cards">
            <li class="card">
                <h2><A href="/agent">"Agency"</A></h2>
                <p>"Certificates requested, uploaded, validated and tracked to expiry; the compliance matrix; instructing works."</p>
            </li>
            <li class="card">
                <h2><A href="/desk">"Desk view"</A></h2>
                <p>"For the contractor's office: accept or reject, schedule, assign technicians and complete tasks with reports and invoices."</p>
            </li>
            <li class="card">
                <h2><A href="/tech">"Tech view"</A></h2>
                <p>"For technicians on their phones: on site, results, defects, photos and signatures."</p>
            </li>
        </ul>
    }
}
