//! Cursor pagination: items in id order, a page at a time; the cursor is where the last page
//! ended, so a row added meanwhile neither repeats nor skips another.

use super::problem::Problem;
use axum::http::StatusCode;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

/// The page after `cursor` of at most `limit` items, ordered by id, and the cursor of the next
/// page when there is one.
pub fn page<T>(
    mut items: Vec<T>,
    id: impl Fn(&T) -> i64,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<(Vec<T>, Option<String>), Problem> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Problem::field(
            StatusCode::BAD_REQUEST,
            "limit",
            format!("Ask for 1 to {MAX_LIMIT} items a page."),
        ));
    }
    let after = match cursor {
        None => i64::MIN,
        Some(text) => text.parse::<i64>().map_err(|_| {
            Problem::field(
                StatusCode::BAD_REQUEST,
                "cursor",
                "Use the next_cursor of the previous page, unchanged.",
            )
        })?,
    };
    items.retain(|item| id(item) > after);
    items.sort_by_key(&id);
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = more
        .then(|| items.last().map(|item| id(item).to_string()))
        .flatten();
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_one_another_without_repeats() {
        let items: Vec<i64> = vec![5, 1, 3, 2, 4];
        let (first, next) = page(items.clone(), |i| *i, None, Some(2)).unwrap();
        assert_eq!(first, vec![1, 2]);
        assert_eq!(next.as_deref(), Some("2"));
        let (second, next) = page(items.clone(), |i| *i, next.as_deref(), Some(2)).unwrap();
        assert_eq!(second, vec![3, 4]);
        let (last, next) = page(items, |i| *i, next.as_deref(), Some(2)).unwrap();
        assert_eq!(last, vec![5]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_bad_limit_or_cursor_names_the_field() {
        assert_eq!(
            page(vec![1i64], |i| *i, None, Some(0))
                .unwrap_err()
                .field
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            page(vec![1i64], |i| *i, None, Some(101))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            page(vec![1i64], |i| *i, Some("x"), None)
                .unwrap_err()
                .field
                .as_deref(),
            Some("cursor")
        );
    }
}
