//! Every refusal, including the ones the HTTP framework makes itself, has the contract's body.

use hookline_testkit::spawn_app;
use reqwest::Method;

#[tokio::test]
async fn framework_refusals_use_the_contract_error_body() {
    let app = spawn_app().await;
    let wrong_method = app.request(Method::DELETE, "/api/v1/app", None).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.body["code"], "method_not_allowed");
    assert!(wrong_method.body["detail"].is_string());
    assert!(wrong_method.headers.get("allow").is_some(), "Allow is kept");

    let bad_path = app.get("/api/v1/app/%FF%FE").await;
    assert!(bad_path.status.is_client_error(), "{}", bad_path.status);
    assert!(bad_path.body["code"].is_string(), "{}", bad_path.body);
    assert!(bad_path.body["detail"].is_string());

    let unknown = app.get("/api/v1/no-such-thing").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["code"], "not_found");
}
