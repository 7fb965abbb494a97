//! Rendering the API's answers: its JSON re-indented without being re-serialised (so key order,
//! numbers such as `1.50` and escapes stay as the server sent them), or a table of the main
//! fields of each resource.

use serde_json::Value;

/// One column of a table view: its heading and the field (a JSON pointer) it shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    heading: &'static str,
    pointer: &'static str,
}

const fn col(heading: &'static str, pointer: &'static str) -> Column {
    Column { heading, pointer }
}

/// The fields shown of each resource.
pub(crate) mod views {
    use super::{Column, col};

    pub(crate) const APP: &[Column] = &[
        col("ID", "/id"),
        col("UID", "/uid"),
        col("NAME", "/name"),
        col("CREATED", "/createdAt"),
    ];
    pub(crate) const ENDPOINT: &[Column] = &[
        col("ID", "/id"),
        col("UID", "/uid"),
        col("URL", "/url"),
        col("EVENT TYPES", "/filterTypes"),
        col("DISABLED", "/disabled"),
        col("DESCRIPTION", "/description"),
    ];
    pub(crate) const EVENT_TYPE: &[Column] = &[
        col("NAME", "/name"),
        col("DESCRIPTION", "/description"),
        col("ARCHIVED", "/archived"),
    ];
    pub(crate) const MESSAGE: &[Column] = &[
        col("ID", "/id"),
        col("EVENT TYPE", "/eventType"),
        col("EVENT ID", "/eventId"),
        col("CHANNELS", "/channels"),
        col("TIMESTAMP", "/timestamp"),
    ];
    /// A message on its own also shows its payload.
    pub(crate) const MESSAGE_FULL: &[Column] = &[
        col("ID", "/id"),
        col("EVENT TYPE", "/eventType"),
        col("EVENT ID", "/eventId"),
        col("CHANNELS", "/channels"),
        col("TIMESTAMP", "/timestamp"),
        col("PAYLOAD", "/payload"),
    ];
    pub(crate) const ATTEMPT: &[Column] = &[
        col("ID", "/id"),
        col("MESSAGE", "/msgId"),
        col("ENDPOINT", "/endpointId"),
        col("STATUS", "/statusText"),
        col("CODE", "/responseStatusCode"),
        col("ERROR", "/errorCode"),
        col("TIMESTAMP", "/timestamp"),
    ];
    pub(crate) const SECRET: &[Column] = &[col("KEY", "/key")];
    pub(crate) const TASK: &[Column] = &[
        col("ID", "/id"),
        col("TASK", "/task"),
        col("STATUS", "/status"),
        col("UPDATED", "/updatedAt"),
    ];
}

/// `raw` JSON with one value or member per line, indented by two spaces; every token is kept as
/// written. Text that is not JSON comes back re-indented as far as it goes, never dropped.
pub(crate) fn pretty(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = raw.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                skip_whitespace(&mut chars);
                // Empty containers stay on one line: `{}`, `[]`.
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_whitespace(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) {
    while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
}

/// `rows` as a table: a heading line, then one line per row, columns aligned and separated by
/// two spaces; trailing spaces trimmed.
pub(crate) fn table(rows: &[Value], columns: &[Column]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| cell(row.pointer(c.pointer)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .chain([column.heading.len()])
                .max()
                .unwrap_or_default()
        })
        .collect();
    let mut out = String::new();
    let headings = columns.iter().map(|c| c.heading.to_owned()).collect();
    for line in std::iter::once(headings).chain(cells) {
        let mut text = String::new();
        for (value, width) in line.iter().zip(&widths) {
            text.push_str(&format!("{value:<width$}  "));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// One resource as `FIELD  value` lines, aligned.
pub(crate) fn record(item: &Value, columns: &[Column]) -> String {
    let width = columns.iter().map(|c| c.heading.len()).max().unwrap_or(0);
    columns
        .iter()
        .map(|c| {
            let line = format!("{:<width$}  {}", c.heading, cell(item.pointer(c.pointer)));
            format!("{}\n", line.trim_end())
        })
        .collect()
}

/// A field as one short line: strings bare, lists comma-separated, absent and `null` as `-`.
/// `text` safe to print on a terminal: line breaks and tabs become spaces, and other control
/// characters (an escape sequence in a customer's endpoint description, say) and bidirectional
/// overrides are shown as `\u{..}` instead of acted on.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&c.escape_unicode().to_string());
            }
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(text)) if text.is_empty() => "-".to_owned(),
        Some(Value::String(text)) => printable(text),
        Some(Value::Array(items)) if items.is_empty() => "-".to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| cell(Some(item)))
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
