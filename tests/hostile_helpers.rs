//! Helper commands that hang, flood or leave children behind, and an MFA code from an endless
//! standard input: each stops within its bound, and nothing it started is left running.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use xrole_tui::helper::{self, Bounds, HelperError, Stderr};

const SHORT: Bounds = Bounds {
    time: Duration::from_secs(2),
    output: 1024,
};

fn alive(pid_file: &Path) -> bool {
    let pid = std::fs::read_to_string(pid_file).unwrap();
    Path::new(&format!("/proc/{}", pid.trim())).exists() && {
        // A zombie is dead for our purpose.
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        !stat.contains(") Z ")
    }
}

#[test]
fn a_helper_that_never_ends_is_stopped_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let pid = dir.path().join("pid");
    let cmd = format!("sleep 300 & echo $! > {}; wait", pid.display());
    let start = Instant::now();
    let err = helper::run(&cmd, SHORT, Stderr::Capture).err().unwrap();
    assert_eq!(err, HelperError::Timeout(SHORT.time));
    assert!(start.elapsed() < Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(&pid), "the helper's child was stopped too");

    // An answer followed by a wait that never ends: still a timeout, not a hang.
    let err = helper::run("echo 123456; sleep 300", SHORT, Stderr::Capture).err();
    assert_eq!(err, Some(HelperError::Timeout(SHORT.time)));
}

#[test]
fn a_child_left_holding_the_output_is_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let pid = dir.path().join("pid");
    let cmd = format!("echo 123456; sleep 300 & echo $! > {}", pid.display());
    let start = Instant::now();
    let done = helper::run(&cmd, SHORT, Stderr::Capture).unwrap();
    assert!(done.status.success());
    assert_eq!(String::from_utf8_lossy(&done.stdout).trim(), "123456");
    assert!(start.elapsed() < SHORT.time);
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(&pid), "the leftover holding the pipe was stopped");
}

#[test]
fn a_flood_is_cut_at_the_output_bound() {
    let start = Instant::now();
    let err = helper::run("yes", SHORT, Stderr::Capture).err();
    assert_eq!(err, Some(HelperError::TooMuch(1024)));
    assert!(start.elapsed() < SHORT.time);
    let done = helper::run("echo oops >&2; exit 3", SHORT, Stderr::Capture).unwrap();
    assert_eq!(done.status.code(), Some(3));
    assert_eq!(done.stderr.trim(), "oops");
}

/// Runs the binary with `config`, bounded: a hang fails the test instead of stalling it.
fn xrole(config: &str, args: &[&str], env: &[(&str, &str)], stdin: Stdio) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(args)
        .env_clear()
        .env("HOME", dir.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("XROLE_CACHE", "none")
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .envs(env.iter().copied())
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("xrole-tui {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_mfa_code_from_an_endless_stdin_is_refused() {
    let config = "[profile hub]\n[profile dev]\nrole_arn = arn:aws:iam::222222222222:role/a\n\
                  source_profile = hub\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n";
    let keys = "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = s\n";
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(&creds, keys).unwrap();
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = xrole(
        config,
        &["env", "dev"],
        &[("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap())],
        Stdio::from(zero),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("longer than 64 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn slow_and_flooding_helpers_end_the_command_with_a_message() {
    let config = "[profile hub]\nmfa_process = sleep 300\n[profile dev]\n\
                  role_arn = arn:aws:iam::222222222222:role/a\nsource_profile = hub\n\
                  mfa_serial = arn:aws:iam::111111111111:mfa/me\n\
                  [profile proc]\ncredential_process = yes\n\
                  [profile slowproc]\ncredential_process = sleep 300\n\
                  [profile liar]\ncredential_process = echo '{\"Version\": 1}'\n\
                  [profile stale]\ncredential_process = echo '{\"Version\": 1, \"AccessKeyId\": \"ASIASTALE\", \"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", \"Expiration\": \"2020-01-01T00:00:00Z\"}'\n\
                  [profile ctl]\ncredential_process = echo '{\"Version\": 1, \"AccessKeyId\": \"ASIACTL\", \"SecretAccessKey\": \"se\\u0007cret\"}'\n";
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = s\n",
    )
    .unwrap();
    let env = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("XROLE_MFA_PROCESS_TIMEOUT", "1"),
        ("XROLE_CREDENTIAL_PROCESS_TIMEOUT", "1"),
    ];
    for (profile, says) in [
        (
            "dev",
            "mfa_process of profile \"dev\" did not finish within 1 s",
        ),
        (
            "proc",
            "credential_process of profile \"proc\" printed more than 1048576 bytes",
        ),
        ("slowproc", "did not finish within 1 s"),
        ("liar", "no AccessKeyId"),
        ("stale", "expired at 2020-01-01T00:00:00Z"),
        (
            "ctl",
            "the secret access key has a character that is not printable ASCII",
        ),
    ] {
        let out = xrole(config, &["env", profile], &env, Stdio::null());
        assert_ne!(out.status.code(), Some(0), "{profile}");
        assert!(out.stdout.is_empty(), "{profile}: nothing handed out");
        assert!(stderr(&out).contains(says), "{profile}: {}", stderr(&out));
    }
    let _ = std::io::stderr().flush();
}

#[test]
fn an_sso_session_without_a_start_url_is_said_not_a_panic() {
    let config = "[profile sso]\nsso_session = corp\nsso_account_id = 555555555555\nsso_role_name = Vendor\n\
                  [sso-session corp]\nsso_region = eu-central-1\n";
    let out = xrole(config, &["whoami", "sso"], &[], Stdio::null());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[sso-session corp] has no sso_start_url"),
        "{}",
        stderr(&out)
    );
}
