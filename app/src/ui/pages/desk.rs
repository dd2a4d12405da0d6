use super::Upcoming;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TaskDashboard() -> impl IntoView {
    view! {
        <Title text="Desk view"/>
        <h1>"Tasks"</h1>
        <Upcoming what="Every task assigned to you by this agency, with filters and columns, will be listed here."/>
    }
}
