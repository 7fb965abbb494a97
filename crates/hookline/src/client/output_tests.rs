//! The JSON re-indenter and the table views.

use super::*;
use serde_json::json;

#[test]
fn pretty_json_keeps_key_order_numbers_and_escapes_as_received() {
    let raw = r#"{"z":1,"a":1.50,"s":"a,b:{c}\"[d]\\","e":{},"l":[ ],"n":[1,{"k":null}]}"#;
    let expected = r#"{
  "z": 1,
  "a": 1.50,
  "s": "a,b:{c}\"[d]\\",
  "e": {},
  "l": [],
  "n": [
    1,
    {
      "k": null
    }
  ]
}"#;
    assert_eq!(pretty(raw), expected);
}

#[test]
fn pretty_json_is_stable_when_run_twice_and_keeps_spaces_inside_strings() {
    let raw = "{ \"a b\" : [ \"x  y\" ,\n 2 ] }\n";
    let once = pretty(raw);
    assert_eq!(once, "{\n  \"a b\": [\n    \"x  y\",\n    2\n  ]\n}");
    assert_eq!(pretty(&once), once);
    assert_eq!(pretty("{}"), "{}");
    assert_eq!(pretty("\"text\""), "\"text\"");
}

#[test]
fn tables_align_columns_and_show_missing_fields_as_dashes() {
    let rows = [
        json!({"id": "app_1", "uid": "acme", "name": "Acme Corp", "createdAt": "2026-01-01T00:00:00Z"}),
        json!({"id": "app_22", "uid": null, "name": "B", "createdAt": "2026-01-02T00:00:00Z"}),
    ];
    let expected = "\
ID      UID   NAME       CREATED
app_1   acme  Acme Corp  2026-01-01T00:00:00Z
app_22  -     B          2026-01-02T00:00:00Z
";
    assert_eq!(table(&rows, views::APP), expected);
}

#[test]
fn an_empty_list_is_just_the_headings() {
    assert_eq!(
        table(&[], views::EVENT_TYPE),
        "NAME  DESCRIPTION  ARCHIVED\n"
    );
}

#[test]
fn a_record_shows_one_field_per_line() {
    let attempt = json!({
        "id": "atmpt_1", "msgId": "msg_1", "endpointId": "ep_1", "statusText": "fail",
        "responseStatusCode": 500, "errorCode": null, "timestamp": "2026-01-01T00:00:00Z"
    });
    let expected = "\
ID         atmpt_1
MESSAGE    msg_1
ENDPOINT   ep_1
STATUS     fail
CODE       500
ERROR      -
TIMESTAMP  2026-01-01T00:00:00Z
";
    assert_eq!(record(&attempt, views::ATTEMPT), expected);
}

#[test]
fn cells_join_lists_and_flatten_line_breaks() {
    assert_eq!(cell(Some(&json!(["a.b", "c.d"]))), "a.b,c.d");
    assert_eq!(cell(Some(&json!([]))), "-");
    assert_eq!(cell(Some(&json!(""))), "-");
    assert_eq!(cell(Some(&json!("two\nlines"))), "two lines");
    // A customer's text cannot drive the operator's terminal.
    assert_eq!(
        cell(Some(&json!("a\u{1b}]0;pwned\u{7}b\u{202e}c"))),
        "a\\u{1b}]0;pwned\\u{7}b\\u{202e}c"
    );
    assert_eq!(cell(Some(&json!(true))), "true");
    assert_eq!(cell(Some(&json!({"a": 1}))), r#"{"a":1}"#);
    assert_eq!(cell(None), "-");
}
