//! Keyset pagination over any listing, as `../sqlite/list.rs` does it: one place builds the
//! `WHERE key > $n ORDER BY key` part. Conditions are written with `?` placeholders (numbered
//! `$1, $2, ...` here, in order), so a condition reads the same in both backends.

use tokio_postgres::types::ToSql;

use super::Db;
use crate::StoreResult;
use crate::page::{Order, Page, PageRequest};

/// A query parameter of any type PostgreSQL accepts.
pub(crate) type Param = Box<dyn ToSql + Sync + Send>;

/// A listing query under construction: a `SELECT ... FROM ...` plus conditions and parameters.
pub(crate) struct Listing {
    select: String,
    key: &'static str,
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Listing {
    /// A listing of `select` rows, ordered and paged by the unique column `key`.
    pub(crate) fn new(select: String, key: &'static str) -> Self {
        Self {
            select,
            key,
            conditions: Vec::new(),
            params: Vec::new(),
        }
    }

    /// Adds a condition with `?` placeholders and their values, in order.
    pub(crate) fn filter(mut self, condition: impl Into<String>, params: Vec<Param>) -> Self {
        self.conditions.push(condition.into());
        self.params.extend(params);
        self
    }

    /// Adds a condition only when a value is present.
    pub(crate) fn filter_if<T>(
        self,
        value: Option<T>,
        condition: &str,
        param: impl FnOnce(T) -> Vec<Param>,
    ) -> Self {
        match value {
            Some(v) => self.filter(condition, param(v)),
            None => self,
        }
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// Runs the listing for one page.
    pub(crate) async fn fetch<T>(
        mut self,
        db: &Db,
        page: &PageRequest,
        map: impl Fn(&tokio_postgres::Row) -> StoreResult<T>,
        key_of: impl Fn(&T) -> String,
    ) -> StoreResult<Page<T>> {
        let cursor = page.cursor();
        let backwards = cursor.is_some_and(|(back, _)| back);
        let walking_up = (page.order == Order::Ascending) != backwards;
        if let Some((_, key)) = cursor {
            let cmp = if walking_up { ">" } else { "<" };
            self.conditions.push(format!("{} {cmp} ?", self.key));
            self.params.push(Box::new(key.to_owned()));
        }
        let direction = if walking_up { "ASC" } else { "DESC" };
        let sql = format!(
            "{}{} ORDER BY {} {direction} LIMIT {}",
            self.select,
            self.where_clause(),
            self.key,
            page.limit + 1
        );
        let rows = query(db, &sql, &self.params).await?;
        let rows = rows.iter().map(map).collect::<StoreResult<Vec<T>>>()?;
        Ok(Page::from_rows(rows, page.limit, backwards, key_of))
    }

    /// Counts the matching rows, stopping at `cap`; returns the count and whether it was capped.
    pub(crate) async fn count(self, db: &Db, cap: u64) -> StoreResult<(u64, bool)> {
        let sql = format!(
            "SELECT COUNT(*) FROM ({}{} LIMIT {}) AS capped",
            self.select,
            self.where_clause(),
            cap + 1
        );
        let rows = query(db, &sql, &self.params).await?;
        let found: i64 = rows.first().map(|row| row.get(0)).unwrap_or(0);
        let found = found.max(0) as u64;
        Ok((found.min(cap), found > cap))
    }
}

/// Runs `sql` with `?` placeholders numbered in order.
pub(crate) async fn query(
    db: &Db,
    sql: &str,
    params: &[Param],
) -> StoreResult<Vec<tokio_postgres::Row>> {
    let sql = number_placeholders(sql);
    let params: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let client = db.client().await?;
    let statement = client.prepare_cached(&sql).await?;
    Ok(client.query(&statement, &params).await?)
}

/// `a = ? AND b > ?` becomes `a = $1 AND b > $2`.
pub(crate) fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A text parameter.
pub(crate) fn text(value: impl Into<String>) -> Vec<Param> {
    vec![Box::new(value.into())]
}

/// An integer parameter.
pub(crate) fn int(value: i64) -> Vec<Param> {
    vec![Box::new(value)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            super::number_placeholders("a = ? AND (b > ? OR c IN (?, ?))"),
            "a = $1 AND (b > $2 OR c IN ($3, $4))"
        );
    }
}
