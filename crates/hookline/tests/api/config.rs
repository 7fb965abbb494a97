//! `hookline config`: defaults < `hookline.toml` < environment < flags, validated, secrets hidden.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `hookline` binary in `dir` with only the given `HOOKLINE_*` variables set.
fn hookline(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookline"));
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("HOOKLINE_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("run hookline")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_effective_config_layers_file_then_environment_then_flags_and_hides_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("hookline.toml"),
        r#"
listen = "127.0.0.1:7000"
admin_token = "file-token-0123456789"
max_payload_bytes = 2048
request_timeout = 20
retry_schedule = [1, 2, 3]
cors_origins = ["https://a.example.com", "https://b.example.com"]
"#,
    )
    .expect("write the file");
    let output = hookline(
        dir.path(),
        &[
            ("HOOKLINE_REQUEST_TIMEOUT", "30"),
            ("HOOKLINE_LISTEN", "127.0.0.1:7001"),
            ("HOOKLINE_TASK_RETENTION_DAYS", "7"),
        ],
        &["config", "--listen", "127.0.0.1:7002"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let shown: toml::Table = text.parse().expect("the output is TOML");
    assert_eq!(
        shown["listen"].as_str(),
        Some("127.0.0.1:7002"),
        "flag wins"
    );
    assert_eq!(
        shown["request_timeout"].as_integer(),
        Some(30),
        "env beats file"
    );
    assert_eq!(
        shown["max_payload_bytes"].as_integer(),
        Some(2048),
        "file beats default"
    );
    assert_eq!(shown["retry_schedule"].as_str(), Some("1,2,3"));
    assert_eq!(shown["task_retention_days"].as_integer(), Some(7));
    assert_eq!(
        shown["retention_days"].as_integer(),
        Some(90),
        "the default is shown"
    );
    assert_eq!(
        shown["cors_origins"].as_str(),
        Some("https://a.example.com,https://b.example.com")
    );
    assert_eq!(
        shown["log_format"].as_str(),
        Some("text"),
        "defaults fill the rest"
    );
    assert_eq!(shown["admin_token"].as_str(), Some("<redacted>"));
    assert!(
        !text.contains("file-token-0123456789"),
        "the token leaked:\n{text}"
    );
}

#[test]
fn an_explicit_config_file_is_read_and_a_missing_one_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("custom.toml");
    std::fs::write(&file, "data_dir = \"/srv/hookline\"\n").expect("write");
    let file = file.to_str().expect("utf-8 path");
    let output = hookline(dir.path(), &[], &["config", "--config", file]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("data_dir = \"/srv/hookline\""));

    let missing = hookline(dir.path(), &[("HOOKLINE_CONFIG", "nope.toml")], &["config"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("nope.toml"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn invalid_settings_are_refused_naming_each_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("hookline.toml"),
        "max_payload_bytes = \"lots\"\n",
    )
    .expect("write");
    let wrong_type = hookline(dir.path(), &[], &["config"]);
    assert!(!wrong_type.status.success());
    let message = stderr(&wrong_type);
    assert!(message.contains("max_payload_bytes"), "{message}");
    assert!(message.contains("hookline.toml"), "{message}");

    std::fs::write(
        dir.path().join("hookline.toml"),
        "lissen = \"0.0.0.0:80\"\n",
    )
    .expect("write");
    let unknown = hookline(dir.path(), &[], &["config"]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("lissen"), "{}", stderr(&unknown));

    std::fs::remove_file(dir.path().join("hookline.toml")).expect("remove");
    let out_of_range = hookline(
        dir.path(),
        &[
            ("HOOKLINE_REQUEST_TIMEOUT", "99"),
            ("HOOKLINE_CORS_ORIGINS", "example.com"),
            ("HOOKLINE_TLS_CERT", "cert.pem"),
            ("HOOKLINE_TASK_RETENTION_DAYS", "0"),
        ],
        &["config", "--max-payload-bytes", "10"],
    );
    assert!(!out_of_range.status.success());
    let message = stderr(&out_of_range);
    for named in [
        "HOOKLINE_REQUEST_TIMEOUT",
        "HOOKLINE_CORS_ORIGINS",
        "HOOKLINE_MAX_PAYLOAD_BYTES",
        "HOOKLINE_TLS_KEY",
        "HOOKLINE_TASK_RETENTION_DAYS",
    ] {
        assert!(message.contains(named), "{named} not named in: {message}");
    }
}

#[test]
fn the_database_settings_are_shown_with_the_password_hidden() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = hookline(
        dir.path(),
        &[
            (
                "HOOKLINE_DATABASE_URL",
                "postgres://hook:pg-s3cret@db.internal:5432/hookline?sslmode=verify-full",
            ),
            ("HOOKLINE_ROLE", "worker"),
        ],
        &["config", "--database-pool-size", "32"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let shown: toml::Table = text.parse().expect("the output is TOML");
    assert_eq!(
        shown["database_url"].as_str(),
        Some("postgres://hook:<redacted>@db.internal:5432/hookline?sslmode=verify-full")
    );
    assert_eq!(shown["database_pool_size"].as_integer(), Some(32));
    assert_eq!(shown["role"].as_str(), Some("worker"));
    assert!(!text.contains("pg-s3cret"), "the password leaked:\n{text}");

    let sqlite = hookline(dir.path(), &[], &["config"]);
    assert!(sqlite.status.success(), "{}", stderr(&sqlite));
    let shown: toml::Table = String::from_utf8_lossy(&sqlite.stdout)
        .parse()
        .expect("TOML");
    assert_eq!(shown["role"].as_str(), Some("all"));
    assert_eq!(shown["database_pool_size"].as_integer(), Some(16));
    assert!(shown.get("database_url").is_none(), "unset means SQLite");

    let wrong = hookline(
        dir.path(),
        &[("HOOKLINE_DATABASE_URL", "sqlite:///var/lib/hookline.db")],
        &["config"],
    );
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("HOOKLINE_DATABASE_URL"),
        "{}",
        stderr(&wrong)
    );
}
