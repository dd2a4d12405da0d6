//! The development mailbox (demo mode): what the product would have emailed, with live links.

use crate::api::mailbox::dev_mailbox;
use crate::domain::records::MailView;
use crate::ui::forms::LoadError;
use crate::ui::resource::blocking_resource;
use leptos::prelude::*;
use leptos_meta::Title;

/// Text with its web addresses as links.
fn linked(text: &str) -> impl IntoView {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                let rest = word[trimmed.len()..].to_string();
                view! { <a href=trimmed.to_string()>{trimmed.to_string()}</a>{rest} }.into_any()
            } else {
                word.to_string().into_any()
            }
        })
        .collect_view()
}

fn message(mail: MailView) -> impl IntoView {
    view! {
        <article class="mail card" aria-label=format!("Email to {}: {}", mail.to, mail.subject)>
            <header>
                <h2 class="mail-subject">{mail.subject.clone()}</h2>
                <p class="mail-meta">"To " {mail.to.clone()} " · " {mail.state.clone()}</p>
            </header>
            <pre class="mail-body">{linked(&mail.body_text)}</pre>
        </article>
    }
}

#[component]
pub fn MailboxPage() -> impl IntoView {
    let mail = blocking_resource(|| (), |_| dev_mailbox());
    let list = move || {
        mail.get().map(|answer| match answer {
            Ok(list) if list.is_empty() => view! {
                <div class="empty-state"><p>"No emails yet. Ask for a sign-in link and it shows here."</p></div>
            }
            .into_any(),
            Ok(list) => list.into_iter().map(message).collect_view().into_any(),
            Err(e) => view! { <LoadError e/> }.into_any(),
        })
    };
    view! {
        <Title text="Development mailbox"/>
        <h1>"Development mailbox"</h1>
        <p class="hint">"Demo mode sends no real email: every message the product writes is listed here, newest first."</p>
        <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>{list}</Suspense>
    }
}
