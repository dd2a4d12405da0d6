//! `/agent/import`: certification from a spreadsheet (docs/product.md, "Importing certification"). Download a template or the
//! contractor export, upload a .csv or .xlsx, read every row's outcome, then import; the rows
//! that would not import download as a report to fix and import again.

use crate::api::ApiError;
use crate::domain::import::Outcome;
use crate::domain::records::{ImportPreview, ImportResult, PreviewRow};
use crate::ui::forms::{FieldError, FormError};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

// Only the browser's script moves past Idle.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Idle,
    /// Percent of the file sent; 100 while the server reads the rows.
    Checking(u32),
    Previewed(ImportPreview),
    Importing(u32),
    Imported(ImportResult),
    Failed(ApiError),
}

/// Rows shown in the preview table; problems are always shown.
const SHOWN_ROWS: usize = 500;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import certification"/>
        <h1>"Import certification"</h1>
        <section class="panel" aria-labelledby="prepare-heading">
            <h2 id="prepare-heading">"1. Prepare the spreadsheet"</h2>
            <p>"Start from a template. Copy each contractor's ContractorUserTypeID, reference and name from the contractor export, then one row per certificate. Dates as your agency writes them; reminders Week1 to Week4 or Month1 to Month3; Valid Yes, No or blank (blank: you validate it later)."</p>
            <ul class="link-list">
                <li><a href="/imports/certifications/template.xlsx" rel="external" download="">"Excel template (.xlsx, with drop-down lists)"</a></li>
                <li><a href="/imports/certifications/template.csv" rel="external" download="">"CSV template"</a></li>
                <li><a href="/exports/contractors.csv" rel="external" download="">"Export contractors as import CSV"</a></li>
            </ul>
        </section>
        <section class="panel" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"2. Check and import"</h2>
            <ImportForm/>
        </section>
    }
}

/// The file sent for checking, then for importing, with progress; the rows' outcomes and what
/// was imported. Lazy: only this page shows it.
#[island(lazy)]
fn ImportForm() -> impl IntoView {
    let step = RwSignal::new(Step::Idle);
    let form = NodeRef::<html::Form>::new();
    let error = Signal::derive(move || match step.get() {
        Step::Failed(e) => Some(e),
        _ => None,
    });
    let send = move |url: &'static str| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form.get() {
            let importing = url.ends_with("commit");
            step.set(if importing {
                Step::Importing(0)
            } else {
                Step::Checking(0)
            });
            crate::ui::xhr::post_form(
                &form,
                None,
                url,
                move |p| {
                    step.set(if importing {
                        Step::Importing(p)
                    } else {
                        Step::Checking(p)
                    })
                },
                move |status, body| {
                    step.set(match status {
                        200 if importing => serde_json::from_str(&body)
                            .map(Step::Imported)
                            .unwrap_or_else(|_| Step::Failed(ApiError::Server)),
                        200 => serde_json::from_str(&body)
                            .map(Step::Previewed)
                            .unwrap_or_else(|_| Step::Failed(ApiError::Server)),
                        _ => Step::Failed(crate::ui::xhr::answer_error(status, &body)),
                    })
                },
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (url, form);
    };
    let busy = move || matches!(step.get(), Step::Checking(_) | Step::Importing(_));
    let previewed = move || match step.get() {
        Step::Previewed(p) => Some(p),
        _ => None,
    };
    let importable = move || previewed().map(|p| p.creates + p.updates).unwrap_or(0);
    let has_errors = move || previewed().is_some_and(|p| p.errors > 0);
    let can_import = move || importable() > 0;
    view! {
        <form node_ref=form class="stacked-form" method="post" action="/imports/certifications/errors"
            enctype="multipart/form-data">
            <label for="import-file">"Spreadsheet (.csv or .xlsx)"</label>
            <input id="import-file" type="file" name="file" required accept=".csv,.xlsx,text/csv"
                on:change=move |_| step.set(Step::Idle)/>
            <FieldError id="import-file-error" field="file" error/>
            <label class="checkbox">
                <input type="checkbox" name="all_or_nothing"/>
                " All or nothing: import only if every row is right"
            </label>
            <FormError error/>
            <div class="form-actions">
                <button type="button" disabled=busy on:click=move |_| send("/imports/certifications/preview")>
                    "Check the rows"
                </button>
                <Show when=can_import>
                    <button type="button" disabled=busy on:click=move |_| send("/imports/certifications/commit")>
                        {move || format!("Import {} certificate{}", importable(), if importable() == 1 { "" } else { "s" })}
                    </button>
                </Show>
                <Show when=has_errors>
                    // A plain form submission: the browser downloads the report.
                    <button type="submit" class="secondary">"Download the error report"</button>
                </Show>
                {move || match step.get() {
                    Step::Checking(p) | Step::Importing(p) => view! {
                        <progress max="100" value=p.to_string() aria-label="Upload progress"></progress>
                        <span role="status">{if p < 100 { "Sending the file…" } else if matches!(step.get(), Step::Importing(_)) { "Importing…" } else { "Checking the rows…" }}</span>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
        </form>
        {move || match step.get() {
            Step::Previewed(p) => view! { <Preview p/> }.into_any(),
            Step::Imported(r) => view! {
                <p class="form-success" role="status">
                    {format!("Imported {} certificate{}.", r.imported, if r.imported == 1 { "" } else { "s" })}
                    {(r.skipped > 0).then(|| format!(" {} row{} left out ({} with errors).", r.skipped, if r.skipped == 1 { " was" } else { "s were" }, r.errors))}
                </p>
            }.into_any(),
            _ => ().into_any(),
        }}
    }
}

fn outcome_text(outcome: &Outcome) -> (String, &'static str) {
    match outcome {
        Outcome::Create => ("Will create".into(), "create"),
        Outcome::Update => ("Will update (adds a certificate)".into(), "update"),
        Outcome::Unchanged => ("Already recorded: left alone".into(), "unchanged"),
        Outcome::Duplicate { of_line } => {
            (format!("Same as row {of_line}: imported once"), "unchanged")
        }
        Outcome::Error(problems) => (
            problems
                .iter()
                .map(|p| format!("{}: {}", p.column, p.reason))
                .collect::<Vec<_>>()
                .join(" "),
            "error",
        ),
    }
}

#[component]
fn Preview(p: ImportPreview) -> impl IntoView {
    let total = p.rows.len();
    let (problems, others): (Vec<PreviewRow>, Vec<PreviewRow>) = p
        .rows
        .into_iter()
        .partition(|r| matches!(r.outcome, Outcome::Error(_)));
    let hidden = others.len().saturating_sub(SHOWN_ROWS);
    let rows = problems
        .into_iter()
        .chain(others.into_iter().take(SHOWN_ROWS))
        .map(|r| {
            let (text, class) = outcome_text(&r.outcome);
            view! {
                <tr class=format!("outcome-{class}")>
                    <td>{r.line}</td>
                    <td>{r.contractor}</td>
                    <td>{r.certificate}</td>
                    <td>{r.start.unwrap_or_default()}</td>
                    <td>{r.end.unwrap_or_default()}</td>
                    <td>{text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {p.note.map(|note| view! { <p class="hint" role="note">{note}</p> })}
        <p role="status" class="import-summary">
            {format!(
                "{total} rows: {} to create, {} to update, {} already recorded, {} repeated, {} with errors. Nothing has changed yet.",
                p.creates, p.updates, p.unchanged, p.duplicates, p.errors
            )}
        </p>
        <table class="history" aria-label="Rows of the file">
            <thead><tr><th scope="col">"Row"</th><th scope="col">"Contractor"</th><th scope="col">"Certificate"</th><th scope="col">"Starts"</th><th scope="col">"Ends"</th><th scope="col">"Outcome"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {(hidden > 0).then(|| view! { <p class="hint">{format!("{hidden} more rows without problems are not listed.")}</p> })}
    }
}
