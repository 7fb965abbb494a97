//! Keyset pagination over any listing: one place builds the `WHERE key > ? ORDER BY key` part.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};

use crate::StoreResult;
use crate::page::{Order, Page, PageRequest};

/// A listing query under construction: a `SELECT ... FROM ...` plus conditions and parameters.
#[derive(Debug)]
pub(crate) struct Listing {
    select: String,
    key: &'static str,
    conditions: Vec<String>,
    params: Vec<Value>,
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
    pub(crate) fn filter(mut self, condition: impl Into<String>, params: Vec<Value>) -> Self {
        self.conditions.push(condition.into());
        self.params.extend(params);
        self
    }

    /// Adds a condition only when a value is present.
    pub(crate) fn filter_if<T>(
        self,
        value: Option<T>,
        condition: &str,
        param: impl FnOnce(T) -> Vec<Value>,
    ) -> Self {
        match value {
            Some(v) => self.filter(condition, param(v)),
            None => self,
        }
    }

    /// Runs the listing for one page.
    pub(crate) fn fetch<T>(
        mut self,
        conn: &Connection,
        page: &PageRequest,
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
        key_of: impl Fn(&T) -> String,
    ) -> StoreResult<Page<T>> {
        let cursor = page.cursor();
        let backwards = cursor.is_some_and(|(back, _)| back);
        let walking_up = (page.order == Order::Ascending) != backwards;
        if let Some((_, key)) = cursor {
            let cmp = if walking_up { ">" } else { "<" };
            self.conditions.push(format!("{} {cmp} ?", self.key));
            self.params.push(Value::Text(key.to_owned()));
        }
        let where_clause = if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        };
        let direction = if walking_up { "ASC" } else { "DESC" };
        let sql = format!(
            "{}{where_clause} ORDER BY {} {direction} LIMIT {}",
            self.select,
            self.key,
            page.limit + 1
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(self.params.iter()), |row| map(row))?
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Page::from_rows(rows, page.limit, backwards, key_of))
    }
}

impl Listing {
    /// Counts the matching rows, stopping at `cap`; returns the count and whether it was capped.
    pub(crate) fn count(self, conn: &Connection, cap: u64) -> StoreResult<(u64, bool)> {
        let where_clause = if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT COUNT(*) FROM ({}{where_clause} LIMIT {})",
            self.select,
            cap + 1
        );
        let found: i64 = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(self.params.iter()), |row| row.get(0))?;
        let found = found.max(0) as u64;
        Ok((found.min(cap), found > cap))
    }
}

/// A text parameter.
pub(crate) fn text(value: impl Into<String>) -> Vec<Value> {
    vec![Value::Text(value.into())]
}

/// An integer parameter.
pub(crate) fn int(value: i64) -> Vec<Value> {
    vec![Value::Integer(value)]
}
