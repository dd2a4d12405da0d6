use super::Upcoming;
use crate::api::compliance::list_contractors;
use crate::domain::records::ContractorRow;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

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
    let query = use_query_map();
    let light = move || query.read().get("light").unwrap_or_default();
    let contractors = Resource::new(light, |light| {
        list_contractors((!light.is_empty()).then_some(light))
    });
    let filters = [
        ("", "All"),
        ("red", "Not compliant"),
        ("orange", "Attention needed"),
        ("green", "Compliant"),
    ]
    .into_iter()
    .map(|(value, label)| {
        let href = if value.is_empty() {
            "/agent/contractors".to_string()
        } else {
            format!("/agent/contractors?light={value}")
        };
        view! {
            <a href=href class=format!("filter-chip light-{value}")
                aria-current=move || (light() == value).then_some("true")>
                {label}
            </a>
        }
    })
    .collect_view();
    let rows = move || {
        Suspend::new(async move {
            match contractors.await {
                Ok(list) if list.is_empty() => view! {
                    <div class="empty-state"><p>"No contractors with this light."</p></div>
                }
                .into_any(),
                Ok(list) => view! { <ContractorTable list/> }.into_any(),
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Contractors"/>
        <h1>"Contractors"</h1>
        <nav class="filter-row" aria-label="Filter by compliance">{filters}</nav>
        <Transition fallback=|| view! { <p role="status">"Loading contractors…"</p> }>{rows}</Transition>
    }
}

fn problems_text(row: &ContractorRow) -> String {
    if row.problems.is_empty() {
        return "All required certificates valid".to_string();
    }
    row.problems
        .iter()
        .map(|(status, n)| format!("{n} {}", status.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn ContractorTable(list: Vec<ContractorRow>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|row| {
            let light = row.light;
            let (href, problems) = (
                format!("/agent/contractors/{}", row.id),
                problems_text(&row),
            );
            view! {
                <tr>
                    <td>
                        <span class=format!("light light-{}", light.slug())>
                            <span class="light-dot" aria-hidden="true"></span>
                            {light.label()}
                        </span>
                    </td>
                    <td><A href=href>{row.company_name}</A></td>
                    <td>{row.external_ref.unwrap_or_default()}</td>
                    <td>{row.trade.unwrap_or_default()}</td>
                    <td>{problems}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Contractors and their compliance"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Compliance"</th>
                        <th scope="col">"Contractor"</th>
                        <th scope="col">"Reference"</th>
                        <th scope="col">"Trade"</th>
                        <th scope="col">"Certificates"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
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
