use super::Upcoming;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyTasks() -> impl IntoView {
    view! {
        <Title text="Tech view"/>
        <h1>"My tasks"</h1>
        <Upcoming what="The tasks assigned to you will be listed here."/>
    }
}
