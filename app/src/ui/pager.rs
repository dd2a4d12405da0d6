//! Previous and Next under a paged list.

use leptos::prelude::*;
use leptos_router::components::A;

/// Links to the neighbouring pages; `href(n)` is page `n`'s address, pages counted from 1.
#[component]
pub fn Pager(page: u64, pages: u64, href: impl Fn(u64) -> String) -> impl IntoView {
    let previous = (page > 1).then(|| view! { <A href=href(page - 1)>"← Previous"</A> });
    let next = (page < pages).then(|| view! { <A href=href(page + 1)>"Next →"</A> });
    view! { <nav class="pager" aria-label="Pages">{previous} " " {next}</nav> }
}
