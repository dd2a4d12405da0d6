//! The task dashboard's cells as escaped HTML, each set as its cell's content: a page of 50 rows
//! is then one string per cell to write instead of a tree of views, and its plain links are
//! still followed by the router. Only the row's tick box stays a view (it is interactive).

use crate::domain::dates::DateFormat;
use crate::domain::records::TaskSummary;
use crate::domain::task_list::TaskColumn;
use html_escape::{encode_double_quoted_attribute as attribute, encode_text as text};
use std::fmt::Write;

/// One cell of a task's row.
#[derive(Debug, PartialEq)]
pub struct Cell {
    /// The row's header: the reference names the row.
    pub header: bool,
    /// Its content, escaped.
    pub html: String,
}

/// The cell of `column` for `t`, its links to the task under `link_base`.
pub fn cell_html(column: TaskColumn, t: &TaskSummary, format: DateFormat, link_base: &str) -> Cell {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| format.format(d)).unwrap_or_default();
    let mut html = String::new();
    // write! into a String cannot fail.
    match column {
        TaskColumn::Reference => {
            let reference = text(&t.reference);
            let _ = write!(html, "<a href=\"{link_base}/{}\">{reference}</a>", t.id);
            // The office opens a task in the Desk view, or as its technicians do to work on
            // site itself.
            if link_base.starts_with("/desk") {
                let _ = write!(
                    html,
                    " <a class=\"tech-link\" href=\"/tech/tasks/{}\" aria-label=\"Open {} in the Tech view\">Tech view</a>",
                    t.id,
                    attribute(&t.reference)
                );
            }
            return Cell { header: true, html };
        }
        TaskColumn::Title => html.push_str(&text(&t.title)),
        TaskColumn::Property => html.push_str(&text(&t.address)),
        TaskColumn::Contractor => html.push_str(&text(t.contractor.as_deref().unwrap_or(""))),
        TaskColumn::Due => {
            html.push_str(&date(t.due_date));
            if t.overdue {
                html.push_str(" <span class=\"overdue-tag\">Overdue</span>");
            }
        }
        TaskColumn::Scheduled => html.push_str(&date(t.scheduled_date)),
        TaskColumn::Priority => html.push_str(&text(&t.priority)),
        TaskColumn::Technicians => html.push_str(&text(&t.technicians.join(", "))),
        TaskColumn::Status => {
            let _ = write!(
                html,
                "<span class=\"task-status status-{}\">{}</span>",
                t.status.as_str(),
                t.status.label()
            );
            if t.archived {
                html.push_str(" <span class=\"task-archived\">Archived</span>");
            }
        }
    }
    Cell {
        header: false,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::task_status::TaskStatus;

    fn task() -> TaskSummary {
        TaskSummary {
            id: 7,
            reference: "T-000007".into(),
            title: "Boiler <b>service</b> & check".into(),
            status: TaskStatus::Accepted,
            priority: "high".into(),
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 8, 26),
            scheduled_date: None,
            address: "1 \"Quoted\" Road".into(),
            archived: true,
            contractor: None,
            technicians: vec!["Ann".into(), "Bob".into()],
            contact_phone: None,
            overdue: true,
        }
    }

    #[test]
    fn the_reference_heads_the_row_and_links_the_task_and_for_the_office_its_tech_view() {
        let cell = cell_html(
            TaskColumn::Reference,
            &task(),
            DateFormat::default(),
            "/desk/tasks",
        );
        assert!(cell.header);
        assert_eq!(
            cell.html,
            "<a href=\"/desk/tasks/7\">T-000007</a> <a class=\"tech-link\" href=\"/tech/tasks/7\" aria-label=\"Open T-000007 in the Tech view\">Tech view</a>"
        );
        let agent = cell_html(
            TaskColumn::Reference,
            &task(),
            DateFormat::default(),
            "/agent/tasks",
        );
        assert_eq!(agent.html, "<a href=\"/agent/tasks/7\">T-000007</a>");
    }

    #[test]
    fn what_people_typed_cannot_break_out_of_the_markup() {
        let cell = |c| cell_html(c, &task(), DateFormat::default(), "/desk/tasks").html;
        assert_eq!(
            cell(TaskColumn::Title),
            "Boiler &lt;b&gt;service&lt;/b&gt; &amp; check"
        );
        assert_eq!(cell(TaskColumn::Property), "1 \"Quoted\" Road");
        assert_eq!(cell(TaskColumn::Technicians), "Ann, Bob");
    }

    #[test]
    fn dates_as_the_agency_writes_them_with_overdue_and_archived_flagged() {
        let cell = |c| cell_html(c, &task(), DateFormat::default(), "/desk/tasks");
        assert_eq!(
            cell(TaskColumn::Due),
            Cell {
                header: false,
                html: "26/08/2026 <span class=\"overdue-tag\">Overdue</span>".into()
            }
        );
        assert_eq!(cell(TaskColumn::Scheduled).html, "");
        assert_eq!(
            cell(TaskColumn::Status).html,
            "<span class=\"task-status status-accepted\">Accepted</span> <span class=\"task-archived\">Archived</span>"
        );
    }
}
