use super::Upcoming;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <section class="panel" aria-labelledby="compliance-panel">
            <h2 id="compliance-panel">"Contractor certification compliance"</h2>
            <Upcoming what="Counts of valid, expiring and expired certificates and the upcoming renewals will show here."/>
        </section>
    }
}

#[component]
pub fn Contractors() -> impl IntoView {
    view! {
        <Title text="Contractors"/>
        <h1>"Contractors"</h1>
        <Upcoming what="Your contractors with a compliance traffic light for each will be listed here."/>
    }
}

#[component]
pub fn Certification() -> impl IntoView {
    view! {
        <Title text="Contractor certification"/>
        <h1>"Contractor certification"</h1>
        <Upcoming what="The matrix of contractors by certificate type, with filters by type, status and name, will show here."/>
    }
}
