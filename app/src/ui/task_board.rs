//! The task dashboard, for the Desk view (`/desk`) and the agency (`/agent/tasks`): filters in
//! the address (status, due dates, property, technician, text), sortable columns, the columns
//! each person chose (remembered on the server), and pages of 50.

use crate::api::tasks::{board_technicians, list_tasks, SaveTaskColumns};
use crate::domain::dates::DateFormat;
use crate::domain::records::{TaskListPage, TaskSummary};
use crate::domain::task_count::thousands;
use crate::domain::task_list::{TaskColumn, TaskFilter, TaskSelection};
use crate::domain::task_status::TaskStatus;
use crate::ui::assign::BulkEdit;
use crate::ui::forms::LoadError;
use crate::ui::live::use_live;
use crate::ui::pager::Pager;
use crate::ui::post_form::PostForm;
use crate::ui::render_once::before_the_view;
use crate::ui::resource::resource;
use crate::ui::session::{date_format, use_viewer};
use crate::ui::task_cells::{cell_html, Cell};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
pub fn TaskBoard(
    /// Where the board lives (`/desk` or `/agent/tasks`): filter links point here.
    base: &'static str,
    /// Where a task opens: `/desk/tasks` or `/agent/tasks`.
    link_base: &'static str,
    #[prop(into)] empty: String,
) -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| TaskFilter::from_query(|k| q.get(k))));
    let live = use_live();
    // Moved on when a bulk edit is done.
    let saved = RwSignal::new(0u64);
    let page = resource(
        move || (filter.get().to_query(), live.task.get().0, saved.get()),
        |(query, ..)| list_tasks(query),
    );
    let viewer = use_viewer();
    let empty = StoredValue::new(empty);
    // The contractor's office edits tasks in bulk; the selection outlives live reloads of the
    // page but not a change of filter.
    let bulk = link_base.starts_with("/desk");
    let selection = RwSignal::new(TaskSelection::default());
    Effect::new(move |previous: Option<String>| {
        let query = filter.with(|f| f.to_query());
        if previous.is_some_and(|p| p != query) {
            selection.set(TaskSelection::default());
        }
        query
    });
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            let page = page.await;
            before_the_view().await;
            match page {
                Ok(p) => view! {
                    <BoardView p filter=filter.get_untracked() format base link_base
                        empty=empty.get_value() selection=bulk.then_some(selection)/>
                }
                .into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    // Fetched once: a live reload of the list must not rebuild the form.
    let technicians = resource(|| (), |_| board_technicians());
    let agent = link_base.starts_with("/agent");
    let filters = move || {
        let filter = filter.get();
        Suspend::new(async move {
            let technicians = technicians.await.unwrap_or_default();
            view! { <TaskFilters filter base agent technicians/> }
        })
    };
    view! {
        <Suspense>{filters}</Suspense>
        <Transition fallback=|| view! { <p role="status">"Loading tasks…"</p> }>{content}</Transition>
        {bulk.then(|| view! { <BulkEdit selection filter done=saved/> })}
    }
}

#[component]
fn BoardView(
    p: TaskListPage,
    filter: TaskFilter,
    format: DateFormat,
    base: &'static str,
    link_base: &'static str,
    empty: String,
    selection: Option<RwSignal<TaskSelection>>,
) -> impl IntoView {
    let page_ids: Vec<i64> = p.rows.iter().map(|t| t.id).collect();
    let page_ids = StoredValue::new(page_ids);
    let href = move |f: &TaskFilter| {
        let q = f.to_query();
        if q.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{q}")
        }
    };
    let columns = p.columns.clone();
    let header = columns
        .iter()
        .map(|column| {
            let label = column.label();
            match column.sort() {
                Some(sort) => {
                    let sorted = filter.sort == sort;
                    let aria = if !sorted {
                        "none"
                    } else if filter.descending {
                        "descending"
                    } else {
                        "ascending"
                    };
                    let arrow = match aria {
                        "ascending" => " ▲",
                        "descending" => " ▼",
                        _ => "",
                    };
                    view! {
                        <th scope="col" aria-sort=aria>
                            <a href=href(&filter.sorted_by(sort))>{label}{arrow}</a>
                        </th>
                    }
                    .into_any()
                }
                None => view! { <th scope="col">{label}</th> }.into_any(),
            }
        })
        .collect_view();
    let select_header = selection.map(|selection| {
        view! {
            <th scope="col" class="select-cell">
                <input type="checkbox" aria-label="Select every task on this page"
                    prop:checked=move || selection.with(|s| page_ids.try_with_value(|ids| s.has_page(ids)).unwrap_or(false))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        page_ids.with_value(|ids| selection.update(|s| s.whole_page(ids, on)));
                    }/>
            </th>
        }
    });
    let rows = p
        .rows
        .into_iter()
        .enumerate()
        .map(|(index, t)| {
            let select = selection.map(|selection| select_cell(selection, page_ids, index, &t));
            row(t, &columns, format, link_base, select)
        })
        .collect_view();
    let total = p.count;
    let select_all = selection.map(|selection| {
        move || {
            let s = selection.get();
            // A live reload can dispose of the page's rows while this still runs once.
            let whole_page = page_ids
                .try_with_value(|ids| s.has_page(ids))
                .unwrap_or(false);
            if s.all_matching.is_some() {
                view! {
                    " · " <strong>{format!("All {} matching tasks selected", s.count())}</strong>
                }
                .into_any()
            } else if !s.is_empty() {
                // Beyond the count's limit a bulk action would be refused: say so instead.
                let more = whole_page.then(|| match total.exact() {
                    Some(total) if total > s.count() => view! {
                        " "
                        <button type="button" class="link-button"
                            on:click=move |_| selection.update(|s| s.all_matching = Some(total))>
                            {format!("Select all {} matching tasks", thousands(total))}
                        </button>
                    }
                    .into_any(),
                    Some(_) => ().into_any(),
                    None => view! {
                        " · " {format!("{}: narrow the filters to select them all.", total.label())}
                    }
                    .into_any(),
                });
                view! { " · " {format!("{} selected", s.count())} {more} }.into_any()
            } else {
                ().into_any()
            }
        }
    });
    let pages = p.count.pages(p.page_size);
    let filtered = is_filtered(&filter);
    let table = if p.count.is_zero() {
        let message = if filtered {
            "No tasks match these filters.".to_string()
        } else {
            empty
        };
        view! { <div class="empty-state"><p>{message}</p></div> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="data-table task-table">
                    <caption class="visually-hidden">"Tasks"</caption>
                    <thead><tr>{select_header}{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let pager_href = {
        let filter = filter.clone();
        move |n: u64| href(&filter.on_page(n as u32))
    };
    view! {
        <ColumnChooser chosen=p.columns.clone() agent=link_base.starts_with("/agent")/>
        <p class="hint" role="status">
            {format!("{} · {}", p.count.label(), p.count.page_label(p.page, p.page_size))}
            {select_all}
        </p>
        {table}
        <Pager page=u64::from(p.page) pages href=pager_href/>
    }
}

/// Whether anything narrows the list (sorting and paging do not).
fn is_filtered(filter: &TaskFilter) -> bool {
    filter.to_query().split('&').any(|pair| {
        !pair.is_empty()
            && !pair.starts_with("sort=")
            && !pair.starts_with("dir=")
            && !pair.starts_with("page=")
    })
}

/// The filter form. Rendered apart from the list, so a live reload of the list (another
/// person's change) never resets what the person is typing here; it follows the address only.
#[component]
fn TaskFilters(
    filter: TaskFilter,
    base: &'static str,
    /// Agents see drafts; the contractor's office never does.
    agent: bool,
    /// The office's technicians, to filter by; none for agents.
    technicians: Vec<(i64, String)>,
) -> impl IntoView {
    let filtered = is_filtered(&filter);
    let status_options = TaskStatus::ALL
        .into_iter()
        .filter(|s| *s != TaskStatus::Draft || agent)
        .map(|s| {
            view! { <option value=s.as_str() selected=filter.status == Some(s)>{s.label()}</option> }
        })
        .collect_view();
    let technician_filter = (!technicians.is_empty()).then(|| {
        let options = technicians
            .iter()
            .map(|(id, name)| {
                view! {
                    <option value=id.to_string() selected=filter.technician_id == Some(*id)>
                        {name.clone()}
                    </option>
                }
            })
            .collect_view();
        view! {
            <div>
                <label for="tasks-technician">"Technician"</label>
                <select id="tasks-technician" name="technician">
                    <option value="">"Anyone"</option>{options}
                </select>
            </div>
        }
    });
    let date_value = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        // Where the whole page hydrates (the Desk view), filtering navigates in the page and
        // only the list is fetched again; on the agency's task list, an island page, the form
        // loads the page.
        <Form method="get" action=base attr:class="filter-form task-filters" attr:role="search" attr:aria-label="Filter the tasks">
            <div>
                <label for="tasks-status">"Status"</label>
                <select id="tasks-status" name="status"><option value="">"Any status"</option>{status_options}</select>
            </div>
            <div>
                <label for="tasks-from">"Due from"</label>
                <input id="tasks-from" type="date" name="from" value=date_value(filter.due_from)/>
            </div>
            <div>
                <label for="tasks-to">"Due to"</label>
                <input id="tasks-to" type="date" name="to" value=date_value(filter.due_to)/>
            </div>
            <div>
                <label for="tasks-property">"Property"</label>
                <input id="tasks-property" type="search" name="property"
                    value=filter.property.clone().unwrap_or_default() placeholder="Address or postcode"/>
            </div>
            {technician_filter}
            <div>
                <label for="tasks-archived">"Archived"</label>
                <select id="tasks-archived" name="archived">
                    <option value="" selected=filter.archived.is_none()>"Included"</option>
                    <option value="no" selected=filter.archived == Some(false)>"Left out"</option>
                    <option value="only" selected=filter.archived == Some(true)>"Only archived"</option>
                </select>
            </div>
            <div>
                <label for="tasks-text">"Search"</label>
                <input id="tasks-text" type="search" name="q" value=filter.text.clone().unwrap_or_default()
                    placeholder="Reference, title or address"/>
            </div>
            <div class="form-actions">
                <button type="submit">"Filter"</button>
                {filtered.then(|| view! { <A href=base>"Clear filters"</A> })}
            </div>
        </Form>
    }
}

/// The row's tick box: a click ticks it, shift-click the range from the last row clicked.
fn select_cell(
    selection: RwSignal<TaskSelection>,
    page_ids: StoredValue<Vec<i64>>,
    index: usize,
    t: &TaskSummary,
) -> impl IntoView {
    let id = t.id;
    view! {
        <td class="select-cell">
            <input type="checkbox" aria-label=format!("Select {}", t.reference)
                prop:checked=move || selection.with(|s| s.contains(id))
                on:click=move |ev| {
                    let on = event_target_checked(&ev);
                    let extend = ev.shift_key();
                    page_ids.with_value(|ids| selection.update(|s| s.click(ids, index, on, extend)));
                }/>
        </td>
    }
}

fn row(
    t: TaskSummary,
    columns: &[TaskColumn],
    format: DateFormat,
    link_base: &str,
    select: Option<impl IntoView>,
) -> impl IntoView {
    let cells = columns
        .iter()
        .map(|column| {
            let Cell { header, html } = cell_html(*column, &t, format, link_base);
            if header {
                Either::Left(view! { <th scope="row" inner_html=html></th> })
            } else {
                Either::Right(view! { <td inner_html=html></td> })
            }
        })
        .collect_view();
    view! { <tr data-reference=t.reference>{select}{cells}</tr> }
}

/// Which columns to show, remembered for this person; saving loads the page again with them.
#[component]
fn ColumnChooser(chosen: Vec<TaskColumn>, agent: bool) -> impl IntoView {
    let boxes = TaskColumn::ALL
        .into_iter()
        .filter(|c| agent || *c != TaskColumn::Contractor)
        .map(|column| {
            let id = format!("column-{}", column.as_str());
            let locked = column == TaskColumn::Reference;
            view! {
                <label class="checkbox">
                    <input id=id type="checkbox" disabled=locked checked=chosen.contains(&column)
                        data-join="columns" value=column.as_str()/>
                    " " {column.label()}
                </label>
            }
        })
        .collect_view();
    let shown = chosen
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    view! {
        <details class="column-chooser">
            <summary>"Columns"</summary>
            <PostForm action=SaveTaskColumns::url().to_string() done="Columns saved.".to_string()
                class=String::new()>
                <fieldset>
                    <legend class="visually-hidden">"Columns to show"</legend>
                    {boxes}
                </fieldset>
                <input type="hidden" name="columns" data-joins="" value=shown/>
                <button type="submit">"Save columns"</button>
            </PostForm>
        </details>
    }
}
