//! Files that are not what they seem, through the real binary: named pipes, devices, oversized
//! and planted cache entries, a missing `~/.cache` under umask 000. Every run here has a bound:
//! a hang is a failure, not a stuck suite.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::world::*;

/// Runs `cmd` to its end, or kills it and fails after `limit`.
fn bounded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn xrole(config: &Path, credentials: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xrole-tui"));
    c.args(args)
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .env("XROLE_CACHE", "none")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials);
    c
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_named_pipe_as_either_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let plain = dir.path().join("config");
    std::fs::write(&plain, "[profile a]\nregion = eu-west-1\n").unwrap();
    for (config, credentials) in [(&fifo, &plain), (&plain, &fifo)] {
        for args in [&["list"][..], &["env", "a"], &["whoami", "a"]] {
            let out = bounded(xrole(config, credentials, args), Duration::from_secs(20));
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains("named pipe (FIFO)") && err.contains(&*fifo.to_string_lossy()),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn dev_null_is_an_empty_file_and_dev_zero_is_too_big() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile a]\nregion = eu-west-1\n").unwrap();
    let out = bounded(
        xrole(&config, Path::new("/dev/null"), &["list", "--json"]),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"name\":\"a\""));

    let out = bounded(
        xrole(Path::new("/dev/zero"), &config, &["list"]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/dev/zero") && stderr(&out).contains("more than"));
}

fn cache_entries(w: &World) -> Vec<PathBuf> {
    std::fs::read_dir(w.cache())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect()
}

fn env_bounded(w: &World, profile: &str) -> Output {
    bounded(w.command(&["env", profile]), Duration::from_secs(60))
}

#[test]
fn a_pipe_or_an_oversized_file_in_place_of_a_cache_entry_is_a_miss() {
    let _guard = serial();
    let w = World::new();
    ok(&env_bounded(&w, "app"));
    let entries = cache_entries(&w);
    assert!(!entries.is_empty());
    for e in &entries {
        std::fs::remove_file(e).unwrap();
        mkfifo(e);
    }
    let out = env_bounded(&w, "app");
    assert!(ok(&out).contains("AWS_SESSION_TOKEN"));

    // An entry of 200 KiB: the shape of one, padded. Not read whole, not trusted, replaced.
    for e in cache_entries(&w) {
        let mut text = std::fs::read_to_string(&e).unwrap_or_default();
        text.insert_str(1, &format!("\"pad\":\"{}\",", "x".repeat(200 * 1024)));
        std::fs::write(&e, text).unwrap();
        std::fs::set_permissions(&e, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    ok(&env_bounded(&w, "app"));
    for e in cache_entries(&w) {
        assert!(
            std::fs::metadata(&e).unwrap().len() < 4096,
            "{e:?} was replaced"
        );
    }
}

#[test]
fn a_missing_cache_directory_is_private_even_under_umask_000() {
    let _guard = serial();
    let w = World::new();
    let cache_home = w.home().join("fresh/.cache");
    let mut c = w.command(&[]);
    c.env("XDG_CACHE_HOME", &cache_home);
    let mut sh = Command::new("sh");
    sh.args(["-c", "umask 000; exec \"$0\" env app"])
        .arg(c.get_program())
        .env_clear()
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    let out = bounded(sh, Duration::from_secs(60));
    ok(&out);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache_home), 0o700, "~/.cache made by us");
    assert_eq!(mode(&cache_home.join("xrole-tui")), 0o700);
    for e in std::fs::read_dir(cache_home.join("xrole-tui"))
        .unwrap()
        .flatten()
    {
        assert_eq!(mode(&e.path()), 0o600, "{:?}", e.path());
    }
}

#[test]
fn a_named_pipe_as_the_ca_bundle_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("bundle");
    mkfifo(&fifo);
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile app]\nrole_arn = arn:aws:iam::222222222222:role/app\nsource_profile = base\n",
    )
    .unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = s\n",
    )
    .unwrap();
    let mut cmd = xrole(&config, &creds, &["env", "app"]);
    cmd.env("AWS_CA_BUNDLE", &fifo)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    let out = bounded(cmd, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read the CA bundle"),
        "{}",
        stderr(&out)
    );
}
