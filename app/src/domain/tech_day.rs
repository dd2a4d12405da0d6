//! The order of a technician's day on the Tech view: what is on today first, then work that is
//! late, then what is coming, so the first card on the phone is the next job; finished work
//! (performed, waiting for the office) in its own section at the end.

use super::records::{TaskSummary, TechTasks};
use super::task_status::TaskStatus;
use chrono::NaiveDate;

/// Where a task goes on a technician's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TechSection {
    Today,
    Overdue,
    Upcoming,
    Finished,
}

/// A task's section: finished once performed; otherwise by its visit date, or by its due date
/// when no visit is booked.
pub fn section(task: &TaskSummary, today: NaiveDate) -> TechSection {
    if matches!(
        task.status,
        TaskStatus::Performed | TaskStatus::PerformedNeedDocs | TaskStatus::Completed
    ) {
        return TechSection::Finished;
    }
    match (task.scheduled_date, task.due_date) {
        (Some(visit), _) if visit == today => TechSection::Today,
        (Some(visit), _) if visit < today => TechSection::Overdue,
        (None, Some(due)) if due < today => TechSection::Overdue,
        _ => TechSection::Upcoming,
    }
}

/// `None` last.
fn dated(date: Option<NaiveDate>) -> (bool, Option<NaiveDate>) {
    (date.is_none(), date)
}

/// The tasks in their sections, each in working order: by visit date (booked before unbooked),
/// then due date, then reference; finished work most recent first.
pub fn arrange(tasks: Vec<TaskSummary>, today: NaiveDate) -> TechTasks {
    let mut out = TechTasks::default();
    for task in tasks {
        match section(&task, today) {
            TechSection::Today => out.today.push(task),
            TechSection::Overdue => out.overdue.push(task),
            TechSection::Upcoming => out.upcoming.push(task),
            TechSection::Finished => out.finished.push(task),
        }
    }
    let working_order = |a: &TaskSummary, b: &TaskSummary| {
        (dated(a.scheduled_date), dated(a.due_date), &a.reference).cmp(&(
            dated(b.scheduled_date),
            dated(b.due_date),
            &b.reference,
        ))
    };
    out.today.sort_by(working_order);
    out.overdue.sort_by(working_order);
    out.upcoming.sort_by(working_order);
    out.finished.sort_by(|a, b| working_order(b, a));
    out
}

/// A link that opens the address in the phone's maps app (the universal maps URL, which phones
/// hand to their maps app).
pub fn maps_url(address: &str) -> String {
    format!(
        "https://www.google.com/maps/search/?api=1&query={}",
        super::query::encode(address)
    )
}

/// A `tel:` link for a number as typed: digits and a leading `+` only ("+44 (0)117" dials
/// without its "(0)").
pub fn tel_url(phone: &str) -> String {
    let dialled: String = phone
        .replace("(0)", "")
        .trim()
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect();
    format!("tel:{dialled}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn task(
        reference: &str,
        status: TaskStatus,
        visit: Option<u32>,
        due: Option<u32>,
    ) -> TaskSummary {
        TaskSummary {
            id: 0,
            reference: reference.into(),
            title: String::new(),
            status,
            priority: "normal".into(),
            due_date: due.map(day),
            scheduled_date: visit.map(day),
            address: String::new(),
            archived: false,
            contractor: None,
            technicians: Vec::new(),
            contact_phone: None,
            overdue: false,
        }
    }

    fn references(tasks: &[TaskSummary]) -> Vec<&str> {
        tasks.iter().map(|t| t.reference.as_str()).collect()
    }

    #[test]
    fn todays_work_comes_first_then_late_then_coming_and_finished_apart() {
        let today = day(10);
        let arranged = arrange(
            vec![
                task("performed-yesterday", TaskStatus::Performed, Some(9), None),
                task("upcoming-unbooked", TaskStatus::Accepted, None, Some(20)),
                task("late-visit", TaskStatus::Accepted, Some(8), None),
                task("today-second", TaskStatus::InProgress, Some(10), Some(12)),
                task("upcoming-booked", TaskStatus::Accepted, Some(14), None),
                task("late-unbooked", TaskStatus::Assigned, None, Some(5)),
                task("today-first", TaskStatus::Accepted, Some(10), Some(11)),
                task("revisit-no-dates", TaskStatus::Revisit, None, None),
                task("needs-docs", TaskStatus::PerformedNeedDocs, Some(10), None),
            ],
            today,
        );
        assert_eq!(references(&arranged.today), ["today-first", "today-second"]);
        assert_eq!(
            references(&arranged.overdue),
            ["late-visit", "late-unbooked"]
        );
        assert_eq!(
            references(&arranged.upcoming),
            ["upcoming-booked", "upcoming-unbooked", "revisit-no-dates"]
        );
        assert_eq!(
            references(&arranged.finished),
            ["needs-docs", "performed-yesterday"],
            "performed work is not open work, however recent"
        );
    }

    #[test]
    fn maps_and_phone_links_carry_the_address_and_the_digits() {
        assert_eq!(
            maps_url("27 Harbour Row, Bristol BS1 5TT"),
            "https://www.google.com/maps/search/?api=1&query=27%20Harbour%20Row%2C%20Bristol%20BS1%205TT"
        );
        assert_eq!(tel_url("07700 900-101"), "tel:07700900101");
        assert_eq!(tel_url("+44 (0)117 496 0000"), "tel:+441174960000");
    }
}
