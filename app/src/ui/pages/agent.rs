use crate::api::compliance::{compliance_matrix, compliance_summary, contractor_page};
use crate::domain::compliance::{ComplianceStatus, TrafficLight};
use crate::domain::dates::DateFormat;
use crate::domain::query::with_query;
use crate::domain::records::{ComplianceSummary, ContractorListPage, ContractorRow, MatrixPage};
use crate::ui::forms::LoadError;
use crate::ui::live::use_live;
use crate::ui::matrix_grid::{rows_html, status_icon};
use crate::ui::pager::Pager;
use crate::ui::refresh::RefreshOn;
use crate::ui::render_once::before_the_view;
use crate::ui::resource::resource;
use crate::ui::session::{date_format, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
pub fn Dashboard() -> impl IntoView {
    let live = use_live();
    let summary = resource(move || live.certification.get(), |_| compliance_summary());
    let viewer = use_viewer();
    let panel = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match summary.await {
                Ok(s) => view! { <CompliancePanel s format/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <RefreshOn certification=true/>
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
    let param = move |key: &str| query.read().get(key).filter(|v| !v.is_empty());
    let live = use_live();
    let contractors = resource(
        move || {
            (
                param("light"),
                param("name"),
                param("page"),
                param("kind"),
                live.certification.get(),
            )
        },
        |(light, name, page, kind, _)| {
            contractor_page(
                light,
                name,
                page.and_then(|p| p.parse().ok()),
                kind.and_then(|k| k.parse().ok()),
            )
        },
    );
    let content = move || {
        Suspend::new(async move {
            match contractors.await {
                Ok(p) => {
                    let (light, name, kind) =
                        untrack(|| (param("light"), param("name"), param("kind")));
                    let filters = ListFilters { light, name, kind };
                    view! { <ContractorList p filters/> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Contractors"/>
        <h1>"Contractors"</h1>
        <RefreshOn certification=true/>
        <p class="page-links">
            <a href="/exports/contractors.csv" rel="external" download="">"Export as import CSV"</a>
            <A href="/agent/import">"Import certification"</A>
        </p>
        <Transition fallback=|| view! { <p role="status">"Loading contractors…"</p> }>{content}</Transition>
    }
}

/// The contractor list's filters, as the address gives them.
#[derive(Clone, Debug, Default)]
struct ListFilters {
    light: Option<String>,
    name: Option<String>,
    kind: Option<String>,
}

impl ListFilters {
    /// The contractor list's address for these filters, another light, and a page.
    fn href(&self, light: Option<&str>, page: u64) -> String {
        let page = (page > 1).then(|| page.to_string());
        with_query(
            "/agent/contractors",
            &[
                ("light", light),
                ("name", self.name.as_deref()),
                ("kind", self.kind.as_deref()),
                ("page", page.as_deref()),
            ],
        )
    }
}

/// The "Kind of work" filter's choice, when the agency has kinds.
fn kind_select(
    id: &'static str,
    kinds: &[(i64, String)],
    chosen: Option<&str>,
) -> Option<impl IntoView> {
    if kinds.is_empty() {
        return None;
    }
    let options = kinds
        .iter()
        .map(|(kind, name)| {
            let value = kind.to_string();
            let selected = chosen == Some(value.as_str());
            view! { <option value=value selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    Some(view! {
        <label for=id>"Kind of work"</label>
        <select id=id name="kind"><option value="">"Any kind"</option>{options}</select>
    })
}

#[component]
fn ContractorList(p: ContractorListPage, filters: ListFilters) -> impl IntoView {
    let ListFilters { light, name, kind } = filters.clone();
    let everyone: u32 = p.lights.iter().sum();
    let chips = std::iter::once((None, "All", everyone))
        .chain(
            TrafficLight::ALL
                .into_iter()
                .map(|l| (Some(l.slug()), l.label(), p.lights[l.index()])),
        )
        .map(|(value, label, count)| {
            let current = light.as_deref() == value;
            view! {
                // A plain link: the router's would mark the chosen chip as the page itself.
                <a href=filters.href(value, 1)
                    class=format!("filter-chip light-{}", value.unwrap_or(""))
                    aria-current=current.then_some("true")>
                    {label} " " <span class="chip-count">{count}</span>
                </a>
            }
        })
        .collect_view();
    let pages = u64::from(p.total.div_ceil(p.page_size).max(1));
    let filtered = light.is_some() || name.is_some() || kind.is_some();
    let table = if p.rows.is_empty() {
        let message = if filtered {
            "No contractors match these filters."
        } else {
            "No contractors yet."
        };
        view! { <div class="empty-state"><p>{message}</p></div> }.into_any()
    } else {
        view! { <ContractorTable list=p.rows/> }.into_any()
    };
    // Finding by name keeps the chosen light.
    let keep_light = light
        .clone()
        .map(|l| view! { <input type="hidden" name="light" value=l/> });
    let name_value = name.clone().unwrap_or_default();
    let kinds = kind_select("contractors-kind", &p.work_kinds, kind.as_deref());
    let href = move |page: u64| filters.href(light.as_deref(), page);
    view! {
        <Form method="get" action="/agent/contractors" attr:class="filter-form" attr:role="search" attr:aria-label="Find a contractor">
            {keep_light}
            <label for="contractors-name">"Contractor"</label>
            <input id="contractors-name" name="name" type="search" value=name_value
                placeholder="Company name or reference"/>
            {kinds}
            <button type="submit">"Find"</button>
        </Form>
        <nav class="filter-row" aria-label="Filter by compliance">{chips}</nav>
        <p class="hint" role="status">
            {format!("{} contractor{} · page {} of {pages}", p.total, if p.total == 1 { "" } else { "s" }, p.page)}
        </p>
        {table}
        <Pager page=u64::from(p.page) pages href/>
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
                    <td>
                        <A href=href>{row.company_name}</A>
                        {row.suspended.then_some(view! { " " <span class="suspended-tag">"Suspended for new work"</span> })}
                    </td>
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
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).filter(|v| !v.is_empty());
    let live = use_live();
    let matrix = resource(
        move || {
            (
                param("type"),
                param("status"),
                param("name"),
                param("page"),
                param("kind"),
                live.certification.get(),
            )
        },
        |(type_id, status, name, page, kind, _)| {
            compliance_matrix(
                type_id.and_then(|t| t.parse().ok()),
                status,
                name,
                page.and_then(|p| p.parse().ok()),
                kind.and_then(|k| k.parse().ok()),
            )
        },
    );
    let content = move || {
        Suspend::new(async move {
            let matrix = matrix.await;
            before_the_view().await;
            match matrix {
                Ok(m) => {
                    // Untracked: a new query re-renders once its matrix arrives, not also at
                    // once with the old matrix (which made the Filter click slow).
                    let (type_id, status, name, kind) =
                        untrack(|| (param("type"), param("status"), param("name"), param("kind")));
                    view! { <MatrixView m type_id status name kind/> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Contractor certification"/>
        <h1>"Contractor certification"</h1>
        <RefreshOn certification=true/>
        <p class="page-links">
            <A href="/agent/certificate-types">"Certificate types"</A>
            <A href="/agent/kinds-of-work">"Kinds of work"</A>
            <A href="/agent/import">"Import from a spreadsheet"</A>
        </p>
        <Transition fallback=|| view! { <p role="status">"Loading the matrix…"</p> }>{content}</Transition>
    }
}

#[component]
fn MatrixView(
    m: MatrixPage,
    type_id: Option<String>,
    status: Option<String>,
    name: Option<String>,
    kind: Option<String>,
) -> impl IntoView {
    let kinds = kind_select("matrix-kind", &m.work_kinds, kind.as_deref());
    let type_options = m
        .types
        .iter()
        .map(|(id, n)| view! { <option value=id.to_string() selected=type_id.as_deref() == Some(id.to_string().as_str())>{n.clone()}</option> })
        .collect_view();
    let status_options = ComplianceStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.slug() selected=status.as_deref() == Some(s.slug())>{s.label()}</option> })
        .collect_view();
    let header = m
        .types
        .iter()
        .map(|(_, n)| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let rows = rows_html(&m);
    let pages = m.total.div_ceil(m.page_size).max(1);
    let name_value = name.clone().unwrap_or_default();
    // The matrix counts its pages from 0 in the address.
    let link = move |page: u64| {
        let page = (page - 1).to_string();
        with_query(
            "/agent/certification",
            &[
                ("page", Some(page.as_str())),
                ("type", type_id.as_deref()),
                ("status", status.as_deref()),
                ("name", name.as_deref()),
                ("kind", kind.as_deref()),
            ],
        )
    };
    view! {
        <Form method="get" action="/agent/certification" attr:class="filter-form" attr:role="search" attr:aria-label="Filter the matrix">
            <label for="matrix-type">"Certificate"</label>
            <select id="matrix-type" name="type"><option value="">"All types"</option>{type_options}</select>
            <label for="matrix-status">"Status"</label>
            <select id="matrix-status" name="status"><option value="">"Any status"</option>{status_options}</select>
            <label for="matrix-name">"Contractor"</label>
            <input id="matrix-name" name="name" type="search" value=name_value/>
            {kinds}
            <button type="submit">"Filter"</button>
        </Form>
        <p class="hint" role="status">
            {format!("{} contractor{} · page {} of {pages}", m.total, if m.total == 1 { "" } else { "s" }, m.page + 1)}
        </p>
        <ul class="matrix-legend" aria-label="What the icons mean">
            {ComplianceStatus::ALL
                .into_iter()
                .map(|s| view! {
                    <li><span class=format!("legend-icon status-{}", s.slug()) aria-hidden="true">{status_icon(s)}</span> {s.label()}</li>
                })
                .collect_view()}
            <li><span class="legend-icon awaiting-dot" aria-hidden="true">"•"</span> "A newer document waits for validation"</li>
        </ul>
        <div class="table-wrap">
            <table class="data-table matrix">
                <caption class="visually-hidden">"Compliance of each contractor by certificate type"</caption>
                <thead><tr><th scope="col">"Contractor"</th>{header}</tr></thead>
                <tbody inner_html=rows></tbody>
            </table>
        </div>
        <Pager page=u64::from(m.page) + 1 pages=u64::from(pages) href=link/>
    }
}

/// `/agent/tasks`: every task of the agency, to follow and review.
#[component]
pub fn Tasks() -> impl IntoView {
    view! {
        <Title text="Tasks"/>
        <RefreshOn tasks=true/>
        <h1>"Tasks"</h1>
        <p class="page-links"><A href="/agent/instruct">"Instruct works"</A></p>
        <crate::ui::task_board::TaskBoard base="/agent/tasks" link_base="/agent/tasks"
            empty="No tasks yet. Instruct works to send a task to a contractor."/>
    }
}
