//! The live stream: Server-Sent Events with `Last-Event-ID` resume.

use hookline_testkit::{PATIENCE, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

use crate::pull_feed::send_many;

/// A minimal SSE reader over a streaming response.
struct EventReader {
    response: reqwest::Response,
    buffer: String,
}

/// One parsed event: its `id` and its `data` as JSON.
struct SseEvent {
    id: String,
    data: Value,
}

impl EventReader {
    async fn connect(app: &TestApp, app_id: &str, last_event_id: Option<&str>) -> Self {
        let mut request = app
            .client
            .get(format!("{}/api/v1/app/{app_id}/events/stream", app.address))
            .bearer_auth(&app.token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("connect");
        assert_eq!(response.status(), StatusCode::OK);
        let kind = response.headers()["content-type"].to_str().expect("type");
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event carrying data (comments and keep-alives are skipped).
    async fn next(&mut self) -> SseEvent {
        let read = async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let (mut id, mut data) = (None, String::new());
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("id:") {
                            id = Some(v.trim().to_owned());
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim_start());
                        }
                    }
                    if let Some(id) = id.filter(|_| !data.is_empty()) {
                        let data = serde_json::from_str(&data).expect("JSON data");
                        return SseEvent { id, data };
                    }
                    continue;
                }
                let chunk = self
                    .response
                    .chunk()
                    .await
                    .expect("read")
                    .expect("stream open");
                self.buffer
                    .push_str(std::str::from_utf8(&chunk).expect("utf-8"));
            }
        };
        tokio::time::timeout(PATIENCE, read)
            .await
            .expect("no event in time")
    }
}

#[tokio::test]
async fn the_stream_resumes_after_a_disconnect_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let mut stream = EventReader::connect(&app, &app_id, None).await;
    let mut sent = send_many(&app, &app_id, "a", 3).await;
    let mut seen = Vec::new();
    let mut last_id = String::new();
    for _ in 0..3 {
        let event = stream.next().await;
        seen.push(event.data["id"].as_str().expect("id").to_owned());
        last_id = event.id;
    }
    drop(stream);

    // Sent while no one listens; the reconnecting client asks for what follows its last id.
    sent.extend(send_many(&app, &app_id, "a", 3).await);
    let mut stream = EventReader::connect(&app, &app_id, Some(&last_id)).await;
    for _ in 0..3 {
        seen.push(
            stream.next().await.data["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    // And it stays live.
    sent.extend(send_many(&app, &app_id, "a", 1).await);
    let live = stream.next().await;
    seen.push(live.data["id"].as_str().expect("id").to_owned());
    assert_eq!(live.data["payload"]["n"], 0);
    assert_eq!(seen, sent);
}

#[tokio::test]
async fn a_stream_only_carries_its_own_application() {
    let app = spawn_app().await;
    let acme = app.create_app("Acme").await;
    let globex = app.create_app("Globex").await;
    let mut stream = EventReader::connect(&app, &acme, None).await;
    send_many(&app, &globex, "a", 2).await;
    let mine = send_many(&app, &acme, "b", 1).await;
    let event = stream.next().await;
    assert_eq!(event.data["id"].as_str(), Some(mine[0].as_str()));
    assert_eq!(event.data["eventType"], "b");
}

#[tokio::test]
async fn a_bad_or_future_resume_point_is_refused() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let answer = app
        .client
        .get(format!("{}/api/v1/app/{app_id}/events/stream", app.address))
        .bearer_auth(&app.token)
        .header("Last-Event-ID", "not-a-position")
        .send()
        .await
        .expect("request");
    let answer = TestApp::read(answer).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body["detail"][0]["loc"][1], "Last-Event-ID");

    let ahead = app
        .get(&format!("/api/v1/app/{app_id}/events/stream?iterator=77"))
        .await;
    assert_eq!(ahead.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        ahead.body["detail"][0]["loc"],
        serde_json::json!(["query", "iterator"])
    );
}

#[tokio::test]
async fn shutting_down_ends_open_streams_and_answers_held_long_polls() {
    let mut app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let mut waiting = app.feed.waiting();
    let mut stream = EventReader::connect(&app, &app_id, None).await;
    let poll = app
        .client
        .get(format!(
            "{}/api/v1/app/{app_id}/events?wait=30",
            app.address
        ))
        .bearer_auth(&app.token)
        .send();
    let poll = tokio::spawn(poll);
    tokio::time::timeout(PATIENCE, waiting.wait_for(|n| *n >= 2))
        .await
        .expect("the stream and the long-poll never parked")
        .expect("signal");

    // `stop` fails the test unless the server finishes within its patience, far below 30 s.
    app.stop().await;
    let answer = poll
        .await
        .expect("task")
        .expect("the long-poll was answered");
    let answer = TestApp::read(answer).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["data"], serde_json::json!([]));
    let ended = tokio::time::timeout(PATIENCE, async {
        while let Ok(Some(_)) = stream.response.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream stayed open after shutdown");
}
