//! Settings from the command line and the environment, validated into a `Config`.

use super::*;
use crate::database::Database;
use crate::settings::{days, parse_schedule};
use hookline_api::rate_limit::RateLimitConfig;
use hookline_delivery::keyring::{HeaderStyle, KeyKind};
use std::time::Duration;

fn serve_args(args: &[&str]) -> ServeArgs {
    let cli = Cli::try_parse_from(args).expect("parses");
    let Command::Serve(args) = cli.command else {
        panic!("expected serve");
    };
    *args
}

fn config_with(extra: &[&str]) -> anyhow::Result<Config> {
    let mut argv = vec!["hookline", "serve"];
    argv.extend_from_slice(extra);
    serve_args(&argv).to_config()
}

#[test]
fn schedules_parse_and_bad_entries_are_named() {
    assert_eq!(
        parse_schedule("5, 300").expect("valid"),
        vec![Duration::from_secs(5), Duration::from_secs(300)]
    );
    let err = parse_schedule("5,soon").expect_err("invalid");
    assert!(err.contains("'soon'"));
}

#[test]
fn defaults_make_a_valid_config() {
    let config = serve_args(&["hookline", "serve"])
        .to_config()
        .expect("valid");
    assert_eq!(config.max_body_bytes, 1024 * 1024);
    assert_eq!(config.delivery.retry_schedule.max_attempts(), 8);
    assert_eq!(config.maintenance.retention, days(90));
    assert_eq!(config.maintenance.task_retention, days(30));
    assert_eq!(config.maintenance.disable_after, days(5));
    assert_eq!(config.header_style, HeaderStyle::Webhook);
    assert_eq!(config.key_kind, KeyKind::Hmac);
}

#[test]
fn rate_limits_parse_and_a_zero_burst_is_refused() {
    let config = config_with(&["--rate-limit", "5", "--rate-limit-burst", "10"]).expect("valid");
    assert_eq!(
        config.rate_limit,
        RateLimitConfig {
            per_second: 5,
            burst: 10
        }
    );
    let off = config_with(&["--rate-limit", "0"]).expect("valid");
    assert_eq!(off.rate_limit.per_second, 0);
    let err = config_with(&["--rate-limit", "5", "--rate-limit-burst", "0"]).expect_err("invalid");
    assert!(
        err.to_string().contains("HOOKLINE_RATE_LIMIT_BURST"),
        "{err}"
    );
}

#[test]
fn lifecycle_settings_parse_and_bad_values_are_named() {
    let config =
        config_with(&["--header-style", "svix", "--signing-key-type", "ed25519"]).expect("valid");
    assert_eq!(config.header_style, HeaderStyle::Svix);
    assert_eq!(config.key_kind, KeyKind::Ed25519);
    let err = config_with(&["--header-style", "x-custom"]).expect_err("refused");
    assert!(err.to_string().contains("HOOKLINE_HEADER_STYLE"), "{err}");
    let err = config_with(&["--signing-key-type", "rsa"]).expect_err("refused");
    assert!(
        err.to_string().contains("HOOKLINE_SIGNING_KEY_TYPE"),
        "{err}"
    );
    let err = config_with(&["--retention-days", "0"]).expect_err("refused");
    assert!(err.to_string().contains("HOOKLINE_RETENTION_DAYS"), "{err}");
    let config = config_with(&["--task-retention-days", "7"]).expect("valid");
    assert_eq!(config.maintenance.task_retention, days(7));
    let err = config_with(&["--task-retention-days", "0"]).expect_err("refused");
    assert!(
        err.to_string().contains("HOOKLINE_TASK_RETENTION_DAYS"),
        "{err}"
    );
}

#[test]
fn a_postgres_url_and_a_role_split_the_work_and_sqlite_refuses_to_split() {
    let default = config_with(&[]).expect("valid");
    assert_eq!(default.database, Database::Sqlite);
    assert!(default.api && default.deliver);

    let url = "postgresql://hook:pw@127.0.0.1:5432/hookline";
    let worker = config_with(&["--database-url", url, "--role", "worker"]).expect("valid");
    assert_eq!(
        worker.database,
        Database::Postgres {
            url: url.into(),
            pool_size: 16
        }
    );
    assert!(!worker.api && worker.deliver);
    let api = config_with(&[
        "--database-url",
        url,
        "--role",
        "api",
        "--database-pool-size",
        "4",
    ])
    .expect("valid");
    assert!(api.api && !api.deliver);
    assert!(matches!(
        api.database,
        Database::Postgres { pool_size: 4, .. }
    ));

    let err = config_with(&["--role", "api"]).expect_err("SQLite cannot be shared");
    assert!(err.to_string().contains("HOOKLINE_ROLE"), "{err}");
    let err = config_with(&["--database-url", "mysql://root:pw@db/x"]).expect_err("refused");
    assert!(err.to_string().contains("HOOKLINE_DATABASE_URL"), "{err}");
    assert!(!err.to_string().contains("pw@"), "{err}");
    let err =
        config_with(&["--database-url", url, "--database-pool-size", "0"]).expect_err("refused");
    assert!(
        err.to_string().contains("HOOKLINE_DATABASE_POOL_SIZE"),
        "{err}"
    );
}

#[test]
fn engine_settings_are_range_checked_by_name() {
    let config =
        config_with(&["--connect-timeout", "3", "--endpoint-concurrency", "4"]).expect("valid");
    assert_eq!(config.delivery.connect_timeout, Duration::from_secs(3));
    assert_eq!(config.delivery.lanes.concurrency, 4);
    let err = config_with(&["--connect-timeout", "0"]).expect_err("refused");
    assert!(
        err.to_string().contains("HOOKLINE_CONNECT_TIMEOUT"),
        "{err}"
    );
    let err = config_with(&["--trusted-proxies", "not-a-cidr"]).expect_err("refused");
    assert!(
        err.to_string().contains("HOOKLINE_TRUSTED_PROXIES"),
        "{err}"
    );
}

#[test]
fn the_docs_script_url_is_a_url_or_an_absolute_path_that_fits_in_the_page() {
    assert_eq!(config_with(&[]).expect("valid").docs_script_url, None);
    for good in ["https://assets.example.com/scalar.js", "/assets/scalar.js"] {
        let config = config_with(&["--docs-script-url", good]).expect(good);
        assert_eq!(config.docs_script_url.as_deref(), Some(good));
    }
    for bad in [
        "scalar.js",
        "//cdn.example.com/x.js",
        "javascript:alert(1)",
        "/x.js\"><script>alert(1)</script>",
        "/a b.js",
    ] {
        let err = config_with(&["--docs-script-url", bad]).expect_err(bad);
        assert!(
            err.to_string().contains("HOOKLINE_DOCS_SCRIPT_URL"),
            "{bad}: {err}"
        );
    }
}

fn client(args: &[&str]) -> crate::client::ClientCommand {
    let Command::Client(command) = Cli::try_parse_from(args).expect("parses").command else {
        panic!("expected a client command");
    };
    command
}

#[test]
fn client_options_go_before_or_after_the_action_and_an_endpoint_url_is_not_the_server_url() {
    use crate::client::args::{ClientCommand, EndpointCommand};
    let command = client(&[
        "hookline",
        "endpoint",
        "--url",
        "http://127.0.0.1:9999",
        "create",
        "acme",
        "https://example.com/hook",
        "--event-type",
        "a.b",
        "--event-type",
        "c.d",
        "--output",
        "json",
    ]);
    assert_eq!(command.options().url, "http://127.0.0.1:9999");
    assert_eq!(
        command.options().output,
        Some(crate::client::OutputFormat::Json)
    );
    let ClientCommand::Endpoint(args) = command else {
        panic!("expected endpoint");
    };
    let EndpointCommand::Create {
        endpoint_url,
        event_types,
        ..
    } = args.command
    else {
        panic!("expected create");
    };
    assert_eq!(endpoint_url, "https://example.com/hook");
    assert_eq!(event_types, ["a.b", "c.d"]);
}

#[test]
fn client_usage_errors_exit_2_and_the_token_never_shows_in_debug_output() {
    for argv in [
        &["hookline", "attempt", "list", "acme"][..],
        &[
            "hookline",
            "attempt",
            "list",
            "acme",
            "--msg",
            "m",
            "--endpoint",
            "e",
        ],
        &["hookline", "recover", "acme", "ep", "--since", "yesterday"],
        &["hookline", "app", "list", "--limit", "0"],
    ] {
        let err = Cli::try_parse_from(argv).expect_err("a usage error");
        assert_eq!(err.exit_code(), 2, "{argv:?}");
    }
    let command = client(&["hookline", "app", "list", "--token", "hl_secret_0123456789"]);
    assert!(!format!("{command:?}").contains("hl_secret"));
}

#[test]
fn every_setting_of_serve_is_documented_where_users_look() {
    use clap::CommandFactory;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut docs = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push_str(&std::fs::read_to_string(&path).expect("doc page"));
        }
    }
    let cli = Cli::command();
    let serve = cli.find_subcommand("serve").expect("serve");
    let settings: Vec<String> = serve
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .collect();
    assert!(settings.len() > 30, "found only {settings:?}");
    let undocumented: Vec<&String> = settings
        .iter()
        .filter(|env| !docs.contains(&format!("`{env}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "settings of `hookline serve` named in no README or docs/ table: {undocumented:?}"
    );
}
