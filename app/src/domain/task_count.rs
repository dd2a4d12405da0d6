//! How many tasks match the dashboard's filters, counted only as far as anyone acts on.
//!
//! Counting every match of a common word among 100,000 tasks cost more than the page itself
//! (measured by `bench/load.sh`), and no one acts on 18,000 versus 19,000. So the count stops
//! `COUNT_LIMIT` tasks past the page shown, which is also the most a bulk action takes at once.

use serde::{Deserialize, Serialize};

/// Tasks counted past the first one of the page shown; the same as the bulk actions' limit.
pub const COUNT_LIMIT: u64 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskCount {
    Exactly(u64),
    /// Past the limit: at least this many match, and there are more.
    MoreThan(u64),
}

impl TaskCount {
    /// At most this many rows are counted for a page starting at `offset`: one more than the
    /// limit, so that "more" can be told from "exactly".
    pub fn rows_to_count(offset: u64) -> u64 {
        offset + COUNT_LIMIT + 1
    }

    /// The count read with `rows_to_count(offset)` as its cap.
    pub fn from_counted(counted: u64, offset: u64) -> Self {
        let limit = offset + COUNT_LIMIT;
        if counted > limit {
            TaskCount::MoreThan(limit)
        } else {
            TaskCount::Exactly(counted)
        }
    }

    /// The count a page itself tells, without counting: a page that is not full holds the last
    /// matches, so they are `offset` plus its rows. An empty page past the first tells nothing
    /// (the matches may end before it), nor does a full one.
    pub fn from_page(offset: u64, rows: usize, page_size: u32) -> Option<Self> {
        let rows = rows as u64;
        let last_page = rows < u64::from(page_size) && (rows > 0 || offset == 0);
        last_page.then_some(TaskCount::Exactly(offset + rows))
    }

    pub fn exact(self) -> Option<u64> {
        match self {
            TaskCount::Exactly(n) => Some(n),
            TaskCount::MoreThan(_) => None,
        }
    }

    pub fn is_zero(self) -> bool {
        self == TaskCount::Exactly(0)
    }

    /// Pages to offer: those known to be full, and one more while the count is open.
    pub fn pages(self, page_size: u32) -> u64 {
        match self {
            TaskCount::Exactly(n) => n.div_ceil(u64::from(page_size)).max(1),
            TaskCount::MoreThan(n) => n.div_ceil(u64::from(page_size)) + 1,
        }
    }

    /// "1 task", "240 tasks", "More than 1,000 tasks".
    pub fn label(self) -> String {
        match self {
            TaskCount::Exactly(1) => "1 task".into(),
            TaskCount::Exactly(n) => format!("{} tasks", thousands(n)),
            TaskCount::MoreThan(n) => format!("More than {} tasks", thousands(n)),
        }
    }

    /// "page 2 of 5", or "page 21" while the count is open.
    pub fn page_label(self, page: u32, page_size: u32) -> String {
        match self {
            TaskCount::Exactly(_) => format!("page {page} of {}", self.pages(page_size)),
            TaskCount::MoreThan(_) => format!("page {page}"),
        }
    }
}

/// 18240 -> "18,240".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_up_to_the_limit_past_the_page_is_exact() {
        assert_eq!(TaskCount::rows_to_count(0), 1_001);
        assert_eq!(TaskCount::from_counted(0, 0), TaskCount::Exactly(0));
        assert_eq!(TaskCount::from_counted(1_000, 0), TaskCount::Exactly(1_000));
        assert_eq!(
            TaskCount::from_counted(1_001, 0),
            TaskCount::MoreThan(1_000)
        );
        // On page 21 the count reaches 1,000 past the page's first task.
        assert_eq!(TaskCount::rows_to_count(1_000), 2_001);
        assert_eq!(
            TaskCount::from_counted(1_500, 1_000),
            TaskCount::Exactly(1_500)
        );
        assert_eq!(
            TaskCount::from_counted(2_001, 1_000),
            TaskCount::MoreThan(2_000)
        );
    }

    #[test]
    fn a_page_that_is_not_full_tells_the_count() {
        assert_eq!(TaskCount::from_page(0, 0, 50), Some(TaskCount::Exactly(0)));
        assert_eq!(TaskCount::from_page(0, 7, 50), Some(TaskCount::Exactly(7)));
        assert_eq!(
            TaskCount::from_page(100, 49, 50),
            Some(TaskCount::Exactly(149))
        );
        // A full page may be followed by more; an empty one past the first by fewer.
        assert_eq!(TaskCount::from_page(0, 50, 50), None);
        assert_eq!(TaskCount::from_page(100, 0, 50), None);
    }

    #[test]
    fn an_open_count_offers_one_page_more_than_it_knows() {
        assert_eq!(TaskCount::Exactly(0).pages(50), 1);
        assert_eq!(TaskCount::Exactly(50).pages(50), 1);
        assert_eq!(TaskCount::Exactly(51).pages(50), 2);
        assert_eq!(TaskCount::MoreThan(1_000).pages(50), 21);
        assert_eq!(TaskCount::Exactly(51).exact(), Some(51));
        assert_eq!(TaskCount::MoreThan(1_000).exact(), None);
        assert!(TaskCount::Exactly(0).is_zero());
        assert!(!TaskCount::MoreThan(0).is_zero());
    }

    #[test]
    fn counts_read_as_a_person_writes_them() {
        assert_eq!(TaskCount::Exactly(1).label(), "1 task");
        assert_eq!(TaskCount::Exactly(0).label(), "0 tasks");
        assert_eq!(TaskCount::Exactly(240).label(), "240 tasks");
        assert_eq!(TaskCount::MoreThan(1_000).label(), "More than 1,000 tasks");
        assert_eq!(TaskCount::Exactly(240).page_label(2, 50), "page 2 of 5");
        assert_eq!(TaskCount::MoreThan(2_000).page_label(21, 50), "page 21");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(18_240), "18,240");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
