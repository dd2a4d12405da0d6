use super::Upcoming;
use crate::api::compliance::{compliance_summary, list_contractors};
use crate::domain::dates::DateFormat;
use crate::domain::records::{ComplianceSummary, ContractorRow};
use crate::ui::session::use_viewer;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Dashboard() -> impl IntoView {
    let summary = Resource::new(|| (), |_| compliance_summary());
    let viewer = use_viewer();
    let panel = move || {
        Suspend::new(async move {
            let format = viewer
                .await
                .ok()
                .flatten()
                .map(|v| v.date_format)
                .unwrap_or_default();
            match summary.await {
                Ok(s) => view! { <CompliancePanel s format/> }.into_any(),
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <section class="panel" aria-labelledby="compliance-panel">
            <h2 id="compliance-panel">"Contractor certification compliance"</h2>
            <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{panel}</Transition>
        </section>
    }
}

#[component]
fn CompliancePanel(s: ComplianceSummary, format: DateFormat) -> impl IntoView {
    let lights = [("red", "Not compliant"), ("orange", "Attention needed"), ("green", "Compliant")]
        .into_iter()
        .zip(s.lights)
        .map(|((slug, label), n)| {
            view! {
                <li>
                    <a href=format!("/agent/contractors?light={slug}") class=format!("light light-{slug}")>
                        <span class="light-dot" aria-hidden="true"></span>
                        <span class="count">{n}</span>
                        " " {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    let statuses = s
        .statuses
        .into_iter()
        .map(|(status, n)| {
            view! { <li class=format!("status status-{}", status.slug())>{n} " " {status.label().to_lowercase()}</li> }
        })
        .collect_view();
    let renewals = if s.renewals.is_empty() {
        view! { <p class="hint">"No validated certificate ends in the coming months."</p> }
            .into_any()
    } else {
        view! {
            <table class="data-table">
                <caption>"Upcoming renewals"</caption>
                <thead><tr><th scope="col">"Ends"</th><th scope="col">"Contractor"</th><th scope="col">"Certificate"</th></tr></thead>
                <tbody>
                    {s.renewals.into_iter().map(|(id, company, certificate, end)| view! {
                        <tr>
                            <td>{format.format(end)}</td>
                            <td><A href=format!("/agent/contractors/{id}")>{company}</A></td>
                            <td>{certificate}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <ul class="light-counts">{lights}</ul>
        <ul class="status-counts">{statuses}</ul>
        <div class="table-wrap">{renewals}</div>
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
