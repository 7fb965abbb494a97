//! Cursor pagination, as the contract defines it.
//!
//! A page carries `iterator` (the key of its last item: pass it to get the next page) and
//! `prev_iterator` (`-` followed by the key of its first item: pass it to get the previous page).

/// Direction of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Oldest (or alphabetically first) first.
    #[default]
    Ascending,
    /// Newest first.
    Descending,
}

/// Which page of a listing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page (1 to 250).
    pub limit: u32,
    /// A cursor returned by a previous page.
    pub iterator: Option<String>,
    /// Direction of the listing.
    pub order: Order,
}

impl PageRequest {
    /// The largest page the API serves.
    pub const MAX_LIMIT: u32 = 250;
    /// The page size when none is asked for.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// The first page of a listing in the given order.
    pub fn first(limit: u32, order: Order) -> Self {
        Self {
            limit,
            iterator: None,
            order,
        }
    }

    /// The cursor split into its direction and key: `(backwards, key)`.
    pub fn cursor(&self) -> Option<(bool, &str)> {
        let raw = self.iterator.as_deref()?;
        Some(match raw.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, raw),
        })
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in listing order.
    pub items: Vec<T>,
    /// Cursor for the next page.
    pub iterator: Option<String>,
    /// Cursor for the previous page.
    pub prev_iterator: Option<String>,
    /// True when no items follow this page.
    pub done: bool,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in the walking direction; the extra
    /// row only tells whether more follow. `backwards` rows arrive reversed and are put back in
    /// listing order.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: u32,
        backwards: bool,
        key: impl Fn(&T) -> String,
    ) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        if backwards {
            rows.reverse();
        }
        let iterator = rows.last().map(&key);
        let prev_iterator = rows.first().map(|item| format!("-{}", key(item)));
        Self {
            items: rows,
            iterator,
            prev_iterator,
            done: if backwards { false } else { !more },
        }
    }

    /// The same page with each item transformed.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            iterator: self.iterator,
            prev_iterator: self.prev_iterator,
            done: self.done,
        }
    }
}
