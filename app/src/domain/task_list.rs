//! The task dashboard's questions: filters, sort order, page, and the columns a person chose.
//! Read from the page's address (so a filtered list can be bookmarked and shared), answered by
//! the server in one query.

use super::dates::from_storage;
use super::query::{decode, query_string};
use super::task_status::TaskStatus;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 50;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskSort {
    #[default]
    Due,
    Reference,
    Title,
    Property,
    Scheduled,
    Priority,
    Status,
}

impl TaskSort {
    pub const ALL: [TaskSort; 7] = [
        TaskSort::Due,
        TaskSort::Reference,
        TaskSort::Title,
        TaskSort::Property,
        TaskSort::Scheduled,
        TaskSort::Priority,
        TaskSort::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskSort::Due => "due",
            TaskSort::Reference => "reference",
            TaskSort::Title => "title",
            TaskSort::Property => "property",
            TaskSort::Scheduled => "scheduled",
            TaskSort::Priority => "priority",
            TaskSort::Status => "status",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What the dashboard asks for. Everything optional; an empty filter lists every task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// Part of the property's address or postcode.
    pub property: Option<String>,
    pub technician_id: Option<i64>,
    /// Part of the reference, title or address.
    pub text: Option<String>,
    /// `Some(false)`: only tasks not archived; `Some(true)`: only archived ones; `None`: both.
    #[serde(default)]
    pub archived: Option<bool>,
    pub sort: TaskSort,
    pub descending: bool,
    /// From 1.
    pub page: u32,
}

impl TaskFilter {
    /// Reads the page's query parameters; anything unreadable is left out rather than refused,
    /// so an old bookmark still opens.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .map(|v| v.chars().take(100).collect::<String>())
        };
        TaskFilter {
            status: text("status").as_deref().and_then(TaskStatus::parse),
            due_from: text("from").as_deref().and_then(from_storage),
            due_to: text("to").as_deref().and_then(from_storage),
            property: text("property"),
            technician_id: text("technician").and_then(|t| t.parse().ok()),
            text: text("q"),
            archived: match text("archived").as_deref() {
                Some("no") => Some(false),
                Some("only") => Some(true),
                _ => None,
            },
            sort: text("sort")
                .as_deref()
                .and_then(TaskSort::parse)
                .unwrap_or_default(),
            descending: text("dir").as_deref() == Some("desc"),
            page: text("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// Reads a query string as written by [`TaskFilter::to_query`] or a browser's form.
    pub fn from_query_string(query: &str) -> Self {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                Some((decode(k), decode(v)))
            })
            .collect();
        Self::from_query(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// The query string for this filter (without `?`), leaving out what is default.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(s) = self.status {
            pairs.push(("status", s.as_str().into()));
        }
        if let Some(d) = self.due_from {
            pairs.push(("from", d.to_string()));
        }
        if let Some(d) = self.due_to {
            pairs.push(("to", d.to_string()));
        }
        if let Some(p) = &self.property {
            pairs.push(("property", p.clone()));
        }
        if let Some(t) = self.technician_id {
            pairs.push(("technician", t.to_string()));
        }
        if let Some(q) = &self.text {
            pairs.push(("q", q.clone()));
        }
        if let Some(archived) = self.archived {
            pairs.push(("archived", if archived { "only" } else { "no" }.into()));
        }
        if self.sort != TaskSort::Due {
            pairs.push(("sort", self.sort.as_str().into()));
        }
        if self.descending {
            pairs.push(("dir", "desc".into()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        query_string(&pairs)
    }

    /// The same filter sorted by `sort`: ascending first, descending when already ascending.
    pub fn sorted_by(&self, sort: TaskSort) -> Self {
        TaskFilter {
            sort,
            descending: self.sort == sort && !self.descending,
            page: 1,
            ..self.clone()
        }
    }

    pub fn on_page(&self, page: u32) -> Self {
        TaskFilter {
            page,
            ..self.clone()
        }
    }

    /// `LIKE` pattern for a search text: lower case, its own wildcards matched literally.
    pub fn like_pattern(text: &str) -> String {
        let mut pattern = String::from("%");
        for c in text.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

/// A column of the task dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskColumn {
    Reference,
    Title,
    Property,
    Contractor,
    Due,
    Scheduled,
    Priority,
    Technicians,
    Status,
}

impl TaskColumn {
    pub const ALL: [TaskColumn; 9] = [
        TaskColumn::Reference,
        TaskColumn::Title,
        TaskColumn::Property,
        TaskColumn::Contractor,
        TaskColumn::Due,
        TaskColumn::Scheduled,
        TaskColumn::Priority,
        TaskColumn::Technicians,
        TaskColumn::Status,
    ];
    pub const DEFAULT: [TaskColumn; 7] = [
        TaskColumn::Reference,
        TaskColumn::Title,
        TaskColumn::Property,
        TaskColumn::Due,
        TaskColumn::Scheduled,
        TaskColumn::Technicians,
        TaskColumn::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskColumn::Reference => "reference",
            TaskColumn::Title => "title",
            TaskColumn::Property => "property",
            TaskColumn::Contractor => "contractor",
            TaskColumn::Due => "due",
            TaskColumn::Scheduled => "scheduled",
            TaskColumn::Priority => "priority",
            TaskColumn::Technicians => "technicians",
            TaskColumn::Status => "status",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskColumn::Reference => "Reference",
            TaskColumn::Title => "Title",
            TaskColumn::Property => "Property",
            TaskColumn::Contractor => "Contractor",
            TaskColumn::Due => "Due",
            TaskColumn::Scheduled => "Scheduled",
            TaskColumn::Priority => "Priority",
            TaskColumn::Technicians => "Technicians",
            TaskColumn::Status => "Status",
        }
    }

    /// The sort a column's header offers, if any.
    pub fn sort(self) -> Option<TaskSort> {
        match self {
            TaskColumn::Reference => Some(TaskSort::Reference),
            TaskColumn::Title => Some(TaskSort::Title),
            TaskColumn::Property => Some(TaskSort::Property),
            TaskColumn::Due => Some(TaskSort::Due),
            TaskColumn::Scheduled => Some(TaskSort::Scheduled),
            TaskColumn::Priority => Some(TaskSort::Priority),
            TaskColumn::Status => Some(TaskSort::Status),
            TaskColumn::Contractor | TaskColumn::Technicians => None,
        }
    }

    /// A stored choice ("reference,due,status"), in the order of `ALL`: unknown names and
    /// repeats dropped, the reference always kept (it is the link to the task); nothing stored
    /// means the default.
    pub fn parse_choice(stored: Option<&str>) -> Vec<TaskColumn> {
        let Some(stored) = stored.filter(|s| !s.trim().is_empty()) else {
            return Self::DEFAULT.to_vec();
        };
        let named: Vec<&str> = stored.split(',').map(str::trim).collect();
        Self::ALL
            .into_iter()
            .filter(|c| *c == TaskColumn::Reference || named.contains(&c.as_str()))
            .collect()
    }

    pub fn store_choice(columns: &[TaskColumn]) -> String {
        Self::parse_choice(Some(
            &columns
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ))
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
    }
}

/// The tasks ticked on the dashboard for a bulk edit: some ids, or every task matching the
/// filter (`total` of them) once the person asks for all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskSelection {
    /// In the order they were ticked.
    pub ids: Vec<i64>,
    /// Every task matching the filter, this many.
    pub all_matching: Option<u64>,
    /// The row last ticked or unticked on this page, where a shift-click range starts.
    pub anchor: Option<usize>,
}

impl TaskSelection {
    pub fn contains(&self, id: i64) -> bool {
        self.all_matching.is_some() || self.ids.contains(&id)
    }

    pub fn count(&self) -> u64 {
        self.all_matching.unwrap_or(self.ids.len() as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Ticks or unticks the row at `index` of `page`; with `extend` (shift held), every row
    /// from the anchor to it takes the same state.
    pub fn click(&mut self, page: &[i64], index: usize, on: bool, extend: bool) {
        if self.all_matching.take().is_some() {
            // Leaving "all matching": what is left is this page, less the row unticked.
            self.ids = page.to_vec();
        }
        let range = match (extend, self.anchor) {
            (true, Some(anchor)) if anchor < page.len() => anchor.min(index)..=anchor.max(index),
            _ => index..=index,
        };
        for i in range {
            if let Some(id) = page.get(i).copied() {
                self.set(id, on);
            }
        }
        self.anchor = Some(index);
    }

    /// Ticks every row of the page, or unticks them all.
    pub fn whole_page(&mut self, page: &[i64], on: bool) {
        self.all_matching = None;
        for id in page {
            self.set(*id, on);
        }
        self.anchor = None;
    }

    /// Every row of the page is ticked.
    pub fn has_page(&self, page: &[i64]) -> bool {
        !page.is_empty() && page.iter().all(|id| self.contains(*id))
    }

    fn set(&mut self, id: i64, on: bool) {
        let present = self.ids.contains(&id);
        if on && !present {
            self.ids.push(id);
        } else if !on && present {
            self.ids.retain(|x| *x != id);
        }
    }
}

/// Whether a task in a list is late: work still to do on site whose due date has passed (the
/// agency's today). Performed work waiting for its documents is not late work.
pub fn overdue(
    status: TaskStatus,
    due: Option<NaiveDate>,
    archived: bool,
    today: NaiveDate,
) -> bool {
    use TaskStatus as S;
    !archived
        && matches!(
            status,
            S::Assigned | S::Accepted | S::InProgress | S::Revisit
        )
        && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn query(pairs: &[(&str, &str)]) -> TaskFilter {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TaskFilter::from_query(|k| map.get(k).cloned())
    }

    #[test]
    fn an_empty_query_lists_everything_by_due_date_from_page_one() {
        let f = query(&[]);
        assert_eq!(
            f,
            TaskFilter {
                page: 1,
                ..TaskFilter::default()
            }
        );
        assert_eq!(f.to_query(), "");
    }

    #[test]
    fn only_open_work_past_its_due_date_is_overdue() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let yesterday = NaiveDate::from_ymd_opt(2026, 12, 2);
        assert!(overdue(TaskStatus::Accepted, yesterday, false, today));
        assert!(overdue(TaskStatus::Revisit, yesterday, false, today));
        assert!(
            !overdue(TaskStatus::Accepted, Some(today), false, today),
            "due today is not late"
        );
        assert!(!overdue(TaskStatus::Accepted, None, false, today));
        assert!(
            !overdue(TaskStatus::Accepted, yesterday, true, today),
            "archived"
        );
        for done in [
            TaskStatus::PerformedNeedDocs,
            TaskStatus::Performed,
            TaskStatus::Completed,
            TaskStatus::Rejected,
            TaskStatus::Draft,
        ] {
            assert!(!overdue(done, yesterday, false, today), "{done:?}");
        }
    }

    #[test]
    fn a_query_round_trips() {
        let f = query(&[
            ("status", "accepted"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("property", "Harbour Road"),
            ("technician", "7"),
            ("q", "boiler & co"),
            ("archived", "only"),
            ("sort", "status"),
            ("dir", "desc"),
            ("page", "3"),
        ]);
        assert_eq!(f.status, Some(TaskStatus::Accepted));
        assert_eq!(f.property.as_deref(), Some("Harbour Road"));
        assert_eq!(f.archived, Some(true));
        assert_eq!(query(&[("archived", "no")]).archived, Some(false));
        assert_eq!(query(&[("archived", "maybe")]).archived, None);
        assert_eq!(f.page, 3);
        assert_eq!(TaskFilter::from_query_string(&f.to_query()), f);
        assert_eq!(
            TaskFilter::from_query_string("?q=gas+safety%20check&bad=%zz&page=%"),
            TaskFilter {
                text: Some("gas safety check".into()),
                page: 1,
                ..TaskFilter::default()
            }
        );
    }

    #[test]
    fn unreadable_values_are_left_out() {
        let f = query(&[
            ("status", "finished"),
            ("from", "31/02/2026"),
            ("technician", "x"),
            ("sort", "colour"),
            ("page", "0"),
            ("q", "   "),
        ]);
        assert_eq!(
            f,
            TaskFilter {
                page: 1,
                ..TaskFilter::default()
            }
        );
    }

    #[test]
    fn sorting_by_the_same_column_again_reverses_and_goes_to_page_one() {
        let f = query(&[("page", "4")]);
        let by_status = f.sorted_by(TaskSort::Status);
        assert_eq!(
            (by_status.sort, by_status.descending, by_status.page),
            (TaskSort::Status, false, 1)
        );
        let again = by_status.sorted_by(TaskSort::Status);
        assert!(again.descending);
        assert!(!again.sorted_by(TaskSort::Status).descending);
        assert!(!again.sorted_by(TaskSort::Due).descending);
    }

    #[test]
    fn search_wildcards_match_literally() {
        assert_eq!(TaskFilter::like_pattern("50%_Off"), "%50\\%\\_off%");
    }

    #[test]
    fn a_column_choice_keeps_the_reference_and_the_order() {
        assert_eq!(TaskColumn::parse_choice(None), TaskColumn::DEFAULT.to_vec());
        assert_eq!(
            TaskColumn::parse_choice(Some(" ")),
            TaskColumn::DEFAULT.to_vec()
        );
        assert_eq!(
            TaskColumn::parse_choice(Some("status,bogus,due,status")),
            vec![TaskColumn::Reference, TaskColumn::Due, TaskColumn::Status]
        );
        assert_eq!(
            TaskColumn::store_choice(&[TaskColumn::Technicians, TaskColumn::Title]),
            "reference,title,technicians"
        );
    }

    #[test]
    fn a_shift_click_ticks_the_range_from_the_last_row_clicked() {
        let page = [10, 11, 12, 13, 14];
        let mut s = TaskSelection::default();
        s.click(&page, 1, true, false);
        s.click(&page, 3, true, true);
        assert_eq!(s.ids, [11, 12, 13]);
        // Shift-unticking a range from the new anchor upwards.
        s.click(&page, 2, false, true);
        assert_eq!(s.ids, [11]);
        // Without shift only the row changes, and a shift-click with no anchor is a click.
        let mut t = TaskSelection::default();
        t.click(&page, 4, true, true);
        assert_eq!(t.ids, [14]);
    }

    #[test]
    fn a_page_and_all_matching_are_selected_and_left() {
        let page = [1, 2, 3];
        let mut s = TaskSelection::default();
        assert!(s.is_empty() && !s.has_page(&page));
        s.whole_page(&page, true);
        assert!(s.has_page(&page));
        assert_eq!(s.count(), 3);
        s.all_matching = Some(120);
        assert_eq!(s.count(), 120);
        assert!(s.contains(999), "every matching task, on any page");
        // Unticking one row while all are selected keeps the rest of this page.
        s.click(&page, 0, false, false);
        assert_eq!((s.all_matching, s.ids.clone()), (None, vec![2, 3]));
        s.whole_page(&page, false);
        assert!(s.is_empty());
    }
}
