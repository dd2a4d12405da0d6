//! The two outboxes (mail, webhook deliveries) are queues of rows that workers on several
//! instances take turns on: a row is due when not done, not given up, its time has come and no
//! live lease holds it; a worker takes a lease with one conditional `UPDATE`, so exactly one of
//! several workers gets it, and a worker that dies leaves the row to the next once the lease ends.

use sqlx::{Any, Executor};

/// One such queue: its table and the column that marks a row done.
pub(crate) struct Queue {
    pub table: &'static str,
    pub done: &'static str,
}

impl Queue {
    /// Ids of rows due at `now` and not leased, oldest first.
    pub(crate) async fn due<'c, E: Executor<'c, Database = Any>>(
        &self,
        e: E,
        now: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar(&format!(
            "SELECT id FROM {} WHERE {} IS NULL AND gave_up_at IS NULL \
             AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
             ORDER BY next_attempt_at, id LIMIT $2",
            self.table, self.done
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(e)
        .await
    }

    /// Takes a lease on one row until `lease_until`, counting the attempt; true when this
    /// worker has it.
    pub(crate) async fn claim<'c, E: Executor<'c, Database = Any>>(
        &self,
        e: E,
        id: i64,
        now: i64,
        lease_until: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET locked_until = $3, attempts = attempts + 1 \
             WHERE id = $1 AND {} IS NULL AND gave_up_at IS NULL \
             AND (locked_until IS NULL OR locked_until < $2)",
            self.table, self.done
        ))
        .bind(id)
        .bind(now)
        .bind(lease_until)
        .execute(e)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
