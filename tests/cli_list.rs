//! `xrole-tui list` as a process: files from the environment, table, JSON, exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::Path;
use std::process::{Command, Output};

fn list(config: &Path, credentials: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .arg("list")
        .args(args)
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
        .output()
        .expect("run xrole-tui")
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

const CONFIG: &str = "\
[default]
region = eu-west-1
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
xrole_account_name = Development
[profile broken]
role_arn = arn:aws:iam::222222222222:role/admin
[profile evil\u{1b}]0;pwned\u{7}\u{202e}x]
region = us-east-1
";

#[test]
fn json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "config", CONFIG);
    let creds = write(
        dir.path(),
        "credentials",
        "[hub]\naws_access_key_id = AKIA1\naws_secret_access_key = hub-secret-value\n",
    );
    let out = list(&config, &creds, &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
        "no raw control or bidi character: {text:?}"
    );
    assert!(text.contains("\\u202e"), "escaped as JSON does");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .any(|r| r["name"] == "evil\u{1b}]0;pwned\u{7}\u{202e}x"),
        "the name itself survives the escapes"
    );
    let dev = rows.iter().find(|r| r["name"] == "dev").unwrap();
    for key in [
        "name",
        "kind",
        "account",
        "role_arn",
        "source_profile",
        "mfa_serial",
        "region",
        "chain",
        "error",
    ] {
        assert!(dev.get(key).is_some(), "missing {key}");
    }
    assert_eq!(dev["kind"], "role");
    assert_eq!(dev["account"], "222222222222");
    assert_eq!(dev["chain"], serde_json::json!(["dev", "hub"]));
    assert_eq!(dev["error"], serde_json::Value::Null);
    let broken = rows.iter().find(|r| r["name"] == "broken").unwrap();
    assert_eq!(broken["kind"], "invalid");
    assert!(broken["error"].as_str().unwrap().contains("config line 9"));
    let hub = rows.iter().find(|r| r["name"] == "hub").unwrap();
    assert_eq!(hub["kind"], "static");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hub-secret-value"));
}

#[test]
fn table_is_safe_to_print() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "config", CONFIG);
    let out = list(&config, &dir.path().join("none"), &[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("PROFILE"), "{text}");
    assert!(text.contains("Development"));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(
        text.contains("evil\\u{1b}]0;pwned\\u{7}\\u{202e}x"),
        "{text}"
    );
    assert!(text.contains("neither source_profile nor credential_source"));
}

#[test]
fn missing_config_is_an_empty_list_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = list(
        &dir.path().join("config"),
        &dir.path().join("credentials"),
        &["--json"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn unreadable_config_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = list(dir.path(), &dir.path().join("credentials"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a directory, not a file") && err.contains(&*dir.path().to_string_lossy()),
        "{err}"
    );
}

#[test]
fn default_paths_are_under_home() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aws")).unwrap();
    write(
        &dir.path().join(".aws"),
        "config",
        "[profile from-home]\nregion = x\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(["list", "--json"])
        .env_clear()
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("from-home"));
}

#[test]
fn shells_complete_profile_names_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "config",
        "[profile dev]\n[profile devops]\n[profile prod]\n[profile evil\u{1b}[2J]\n",
    );
    let complete = |shell: &str, words: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
            .args(["--", "xrole-tui"])
            .args(words)
            .env_clear()
            .env("HOME", "/nonexistent-home")
            .env("AWS_CONFIG_FILE", &config)
            .env("COMPLETE", shell)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let got = complete("fish", &["whoami", "d"]);
    let names: Vec<&str> = got.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, ["dev", "devops"]);
    let got = complete("fish", &["clear", "dev", "p"]);
    assert_eq!(
        got.lines().next().map(|l| l.split('\t').next().unwrap()),
        Some("prod")
    );
    let all = complete("fish", &["exec", "--static", "--", ""]);
    assert!(
        !all.contains('\u{1b}'),
        "no control character reaches the shell: {all:?}"
    );
    // The registration script for each shell.
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
            .env_clear()
            .env("COMPLETE", shell)
            .output()
            .unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
}
