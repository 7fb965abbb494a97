//! Per-key rate limits over HTTP: headers on every answer, 429 when the bucket is empty, buckets
//! kept apart per key. (Refill over time is tested on the limiter with paused time, in
//! `hookline-api`'s `rate_limit` module.)

use hookline_api::rate_limit::RateLimitConfig;
use hookline_testkit::{TestResponse, spawn_app_with};
use reqwest::Method;
use serde_json::json;

use crate::callers::{Auth, call, key_token};

fn header<'a>(response: &'a TestResponse, name: &str) -> &'a str {
    response
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("text header")
}

#[tokio::test]
async fn a_key_that_empties_its_bucket_gets_429_with_retry_after_and_others_do_not() {
    let app = spawn_app_with(|mut config| {
        config.rate_limit = RateLimitConfig {
            per_second: 1,
            burst: 3,
        };
        config
    })
    .await;
    let key = Auth::Bearer(key_token(&app, json!({ "name": "busy" })).await);
    let first = call(&app, &key, Method::GET, "/api/v1/app", None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(header(&first, "ratelimit-limit"), "3");
    assert_eq!(header(&first, "ratelimit-remaining"), "2");
    let reset: u64 = header(&first, "ratelimit-reset").parse().expect("seconds");
    assert_eq!(reset, 1, "one token is missing, refilled in one second");

    // The bucket holds three and refills one a second, so a quick run of requests empties it
    // (however slow the machine, it cannot refill faster than we send).
    let mut limited = None;
    for _ in 0..50 {
        let response = call(&app, &key, Method::GET, "/api/v1/app", None).await;
        if response.status == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let limited = limited.expect("the bucket never emptied");
    assert_eq!(limited.body["code"], "rate_limited");
    assert!(limited.body["detail"].is_string());
    let retry: u64 = header(&limited, "retry-after").parse().expect("seconds");
    assert!(retry >= 1);
    assert_eq!(header(&limited, "ratelimit-limit"), "3");
    assert_eq!(header(&limited, "ratelimit-remaining"), "0");

    // The admin token has its own bucket.
    let admin = app.get("/api/v1/app").await;
    assert_eq!(admin.status, 200);

    // Unauthenticated requests are refused before they can spend anyone's tokens.
    let anonymous = call(&app, &Auth::Missing, Method::GET, "/api/v1/app", None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn limits_can_be_turned_off() {
    let app = spawn_app_with(|mut config| {
        config.rate_limit = RateLimitConfig::OFF;
        config
    })
    .await;
    let response = app.get("/api/v1/app").await;
    assert_eq!(response.status, 200);
    assert!(response.headers.get("ratelimit-limit").is_none());
}
