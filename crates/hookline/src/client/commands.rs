//! Each client command as the API request it makes and the view its answer is shown in.

use std::io::Write;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::ClientError;
use super::args::{
    AppCommand, AttemptCommand, AttemptListArgs, ClientCommand, EndpointCommand, EventTypeCommand,
    ListArgs, MsgCommand, OutputFormat,
};
use super::http::{Api, Request};
use super::output::{Column, pretty, record, table, views};

/// Runs `command` against `api`, showing its answer on `out` in `format`.
pub(super) async fn execute(
    command: ClientCommand,
    api: &Api,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<(), ClientError> {
    let mut show = Show { format, out };
    match command {
        ClientCommand::App(args) => match args.command {
            AppCommand::List(list) => show.list(api, &["app"], &list, views::APP).await,
            AppCommand::Create { name, uid } => {
                let body = json!({ "name": name, "uid": uid });
                let answer = post(api, &["app"], body).await?;
                show.one(&answer, views::APP)
            }
            AppCommand::Get { app } => show.one(&get(api, &["app", &app]).await?, views::APP),
            AppCommand::Delete { app } => {
                let answer = delete(api, &["app", &app]).await?;
                show.done(&answer, &format!("deleted application {app}"))
            }
        },
        ClientCommand::Endpoint(args) => endpoint(args.command, api, &mut show).await,
        ClientCommand::EventType(args) => match args.command {
            EventTypeCommand::List(list) => {
                show.list(api, &["event-type"], &list, views::EVENT_TYPE)
                    .await
            }
            EventTypeCommand::Create { name, description } => {
                let body = json!({ "name": name, "description": description });
                let answer = post(api, &["event-type"], body).await?;
                show.one(&answer, views::EVENT_TYPE)
            }
            EventTypeCommand::Get { name } => {
                let answer = get(api, &["event-type", &name]).await?;
                show.one(&answer, views::EVENT_TYPE)
            }
            EventTypeCommand::Delete { name, expunge } => {
                let query = [("expunge", expunge.then_some("true"))];
                let url = api.url(&["event-type", &name], &query);
                let answer = api.send(Method::DELETE, url, Request::default()).await?;
                let done = if expunge { "removed" } else { "archived" };
                show.done(&answer, &format!("{done} event type {name}"))
            }
        },
        ClientCommand::Msg(args) => message(args.command, api, &mut show).await,
        ClientCommand::Attempt(args) => {
            let AttemptCommand::List(AttemptListArgs {
                app,
                msg,
                endpoint,
                list,
            }) = args.command;
            let by = match (&msg, &endpoint) {
                (Some(msg), _) => ["msg", msg.as_str()],
                (None, Some(endpoint)) => ["endpoint", endpoint.as_str()],
                (None, None) => {
                    return Err(ClientError::Usage("give --msg or --endpoint".into()));
                }
            };
            let path = ["app", &app, "attempt", by[0], by[1]];
            show.list(api, &path, &list, views::ATTEMPT).await
        }
        ClientCommand::Resend(args) => {
            let path = [
                "app",
                &args.app,
                "msg",
                &args.msg,
                "endpoint",
                &args.endpoint,
                "resend",
            ];
            let url = api.url(&path, &[]);
            let answer = api.send(Method::POST, url, Request::default()).await?;
            let done = format!("queued {} for endpoint {}", args.msg, args.endpoint);
            show.done(&answer, &done)
        }
        ClientCommand::Recover(args) => {
            let body = json!({ "since": args.since, "until": args.until });
            let path = ["app", &args.app, "endpoint", &args.endpoint, "recover"];
            let answer = post(api, &path, body).await?;
            show.one(&answer, views::TASK)
        }
    }
}

async fn endpoint(
    command: EndpointCommand,
    api: &Api,
    show: &mut Show<'_>,
) -> Result<(), ClientError> {
    match command {
        EndpointCommand::List { app, list } => {
            let path = ["app", &app, "endpoint"];
            show.list(api, &path, &list, views::ENDPOINT).await
        }
        EndpointCommand::Create {
            app,
            endpoint_url,
            event_types,
            uid,
            description,
        } => {
            let event_types = (!event_types.is_empty()).then_some(event_types);
            let body = json!({
                "url": endpoint_url,
                "filterTypes": event_types,
                "uid": uid,
                "description": description,
            });
            let answer = post(api, &["app", &app, "endpoint"], body).await?;
            show.one(&answer, views::ENDPOINT)
        }
        EndpointCommand::Get { app, endpoint } => {
            let answer = get(api, &["app", &app, "endpoint", &endpoint]).await?;
            show.one(&answer, views::ENDPOINT)
        }
        EndpointCommand::Update {
            app,
            endpoint,
            endpoint_url,
            event_types,
            all_event_types,
            description,
            enable,
            disable,
        } => {
            let mut body = serde_json::Map::new();
            if let Some(url) = endpoint_url {
                body.insert("url".into(), json!(url));
            }
            if all_event_types {
                body.insert("eventTypes".into(), Value::Null);
            } else if !event_types.is_empty() {
                body.insert("eventTypes".into(), json!(event_types));
            }
            if let Some(description) = description {
                body.insert("description".into(), json!(description));
            }
            if enable || disable {
                body.insert("disabled".into(), json!(disable));
            }
            if body.is_empty() {
                return Err(ClientError::Usage(
                    "nothing to change: give --endpoint-url, --event-type, --all-event-types, \
                     --description, --enable or --disable"
                        .into(),
                ));
            }
            let request = Request {
                body: Some(Value::Object(body).to_string()),
                headers: Vec::new(),
            };
            let url = api.url(&["app", &app, "endpoint", &endpoint], &[]);
            let answer = api.send(Method::PATCH, url, request).await?;
            show.one(&answer, views::ENDPOINT)
        }
        EndpointCommand::Delete { app, endpoint } => {
            let answer = delete(api, &["app", &app, "endpoint", &endpoint]).await?;
            show.done(&answer, &format!("deleted endpoint {endpoint}"))
        }
        EndpointCommand::Secret { app, endpoint } => {
            let answer = get(api, &["app", &app, "endpoint", &endpoint, "secret"]).await?;
            show.one(&answer, views::SECRET)
        }
    }
}

/// `MessageIn`, with the payload's text kept exactly as given.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageIn<'a> {
    event_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    channels: &'a [String],
    payload: &'a RawValue,
}

async fn message(command: MsgCommand, api: &Api, show: &mut Show<'_>) -> Result<(), ClientError> {
    match command {
        MsgCommand::Send {
            app,
            event_type,
            payload,
            event_id,
            channels,
            idempotency_key,
        } => {
            let payload = read_payload(&payload)?;
            let body = MessageIn {
                event_type: &event_type,
                event_id: event_id.as_deref(),
                channels: &channels,
                payload: &payload,
            };
            let body = serde_json::to_string(&body)
                .map_err(|e| ClientError::Usage(format!("cannot encode the message: {e}")))?;
            let key = idempotency_key.unwrap_or_else(random_uuid);
            let request = Request {
                body: Some(body),
                headers: vec![("idempotency-key", key)],
            };
            let url = api.url(&["app", &app, "msg"], &[]);
            let answer = api.send(Method::POST, url, request).await?;
            show.one(&answer, views::MESSAGE)
        }
        MsgCommand::List { app, list } => {
            let path = ["app", &app, "msg"];
            show.list(api, &path, &list, views::MESSAGE).await
        }
        MsgCommand::Get { app, msg } => {
            let answer = get(api, &["app", &app, "msg", &msg]).await?;
            show.one(&answer, views::MESSAGE_FULL)
        }
    }
}

/// The payload argument: JSON text, `@path` for a file's contents, `@-` for stdin.
fn read_payload(arg: &str) -> Result<Box<RawValue>, ClientError> {
    let (text, source) = match arg.strip_prefix('@') {
        Some("-") => {
            let text = std::io::read_to_string(std::io::stdin())
                .map_err(|e| ClientError::Usage(format!("cannot read the payload: {e}")))?;
            (text, "the payload on stdin".to_owned())
        }
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ClientError::Usage(format!("cannot read the payload from {path}: {e}"))
            })?;
            (text, format!("the payload in {path}"))
        }
        None => (arg.to_owned(), "the payload".to_owned()),
    };
    RawValue::from_string(text.trim().to_owned())
        .map_err(|e| ClientError::Usage(format!("{source} is not JSON: {e}")))
}

/// A random (version 4) UUID, as the default `Idempotency-Key`.
pub(super) fn random_uuid() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

async fn get(api: &Api, path: &[&str]) -> Result<String, ClientError> {
    api.get(api.url(path, &[])).await
}

async fn delete(api: &Api, path: &[&str]) -> Result<String, ClientError> {
    let url = api.url(path, &[]);
    api.send(Method::DELETE, url, Request::default()).await
}

/// `POST`s `body` without its `null` members (absent and `null` mean the same to the API).
async fn post(api: &Api, path: &[&str], mut body: Value) -> Result<String, ClientError> {
    if let Value::Object(fields) = &mut body {
        fields.retain(|_, value| !value.is_null());
    }
    let request = Request {
        body: Some(body.to_string()),
        headers: Vec::new(),
    };
    api.send(Method::POST, api.url(path, &[]), request).await
}

/// One page of a list, its items kept as the server wrote them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    data: Vec<Box<RawValue>>,
    iterator: Option<String>,
    prev_iterator: Option<String>,
    done: bool,
}

/// Where answers go, and how.
struct Show<'a> {
    format: OutputFormat,
    out: &'a mut dyn Write,
}

impl Show<'_> {
    /// One resource.
    fn one(&mut self, answer: &str, view: &[Column]) -> Result<(), ClientError> {
        match self.format {
            OutputFormat::Json => writeln!(self.out, "{}", pretty(answer))?,
            OutputFormat::Table => write!(self.out, "{}", record(&parse(answer)?, view))?,
        }
        Ok(())
    }

    /// An action's answer (often empty); `message` says what happened in table form.
    fn done(&mut self, answer: &str, message: &str) -> Result<(), ClientError> {
        match self.format {
            OutputFormat::Json if answer.trim().is_empty() => {}
            OutputFormat::Json => writeln!(self.out, "{}", pretty(answer))?,
            OutputFormat::Table => writeln!(self.out, "{message}")?,
        }
        Ok(())
    }

    /// A list: one page as the API pages it, or with `--all` every page as one list.
    async fn list(
        &mut self,
        api: &Api,
        path: &[&str],
        args: &ListArgs,
        view: &[Column],
    ) -> Result<(), ClientError> {
        let limit = args.limit.map(|l| l.to_string());
        let mut iterator = args.iterator.clone();
        let mut all: Option<Page> = None;
        loop {
            let query = [
                ("limit", limit.as_deref()),
                ("iterator", iterator.as_deref()),
            ];
            let answer = api.get(api.url(path, &query)).await?;
            let page: Page = serde_json::from_str(&answer)
                .map_err(|e| ClientError::Unexpected(format!("not a list: {e}")))?;
            if !args.all {
                return self.page(&answer, page, view);
            }
            let next = page.iterator.clone();
            let last = page.done || next.is_none();
            if !last && next == iterator {
                return Err(ClientError::Unexpected("the list does not advance".into()));
            }
            all = Some(match all {
                None => page,
                Some(mut gathered) => {
                    gathered.data.extend(page.data);
                    gathered.iterator = page.iterator;
                    gathered.done = page.done;
                    gathered
                }
            });
            if last {
                break;
            }
            iterator = next;
        }
        let gathered = all.ok_or_else(|| ClientError::Unexpected("no page".into()))?;
        let answer =
            serde_json::to_string(&gathered).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        self.page(&answer, gathered, view)
    }

    fn page(&mut self, answer: &str, page: Page, view: &[Column]) -> Result<(), ClientError> {
        if self.format == OutputFormat::Json {
            writeln!(self.out, "{}", pretty(answer))?;
            return Ok(());
        }
        let rows = page
            .data
            .iter()
            .map(|item| parse(item.get()))
            .collect::<Result<Vec<_>, _>>()?;
        write!(self.out, "{}", table(&rows, view))?;
        if let (false, Some(iterator)) = (page.done, &page.iterator) {
            writeln!(self.out, "(more: --iterator {iterator}, or --all)")?;
        }
        Ok(())
    }
}

fn parse(answer: &str) -> Result<Value, ClientError> {
    serde_json::from_str(answer).map_err(|e| ClientError::Unexpected(format!("not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_uuids_are_version_4_and_differ() {
        let (a, b) = (random_uuid(), random_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn a_payload_argument_is_kept_as_written_and_must_be_json() {
        let payload = read_payload(r#" {"b": 1.50, "a": [ ]} "#).expect("JSON");
        assert_eq!(payload.get(), r#"{"b": 1.50, "a": [ ]}"#);
        let err = read_payload("{not json").expect_err("not JSON");
        assert_eq!(err.exit_code(), 2);
        let err = read_payload("@/nonexistent/payload.json").expect_err("no file");
        assert!(
            err.to_string().contains("/nonexistent/payload.json"),
            "{err}"
        );
    }
}
