//! Serving a child on a hostile machine, through the real binary against moto: the private
//! directories under umask 000 and 022 against a second local user, a SIGKILL of the serving
//! process, a background job that outlives its command, and the console's page on SIGTERM.
//! (The endpoint's own defences are in `endpoint_hostile.rs`.)
//!
//! The second local user is uid 65534 (`nobody`), entered with `setpriv`; where the tests do not
//! run as root or `setpriv` is missing, the tests that need it say so and are skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::serving::*;
use support::world::*;

#[test]
fn private_directories_are_private_under_any_umask_and_another_user_cannot_touch_them() {
    let _g = serial();
    for umask in ["000", "022"] {
        let w = World::new();
        with_default_keys(&w);
        let tmp = shared_tmp(&w);
        let (child, vars) = served(&w, &tmp, umask, "exec sleep 30");
        let config = PathBuf::from(var(&vars, "AWS_CONFIG_FILE"));
        let control = PathBuf::from(var(&vars, "XROLE_CONTROL"));
        assert!(config.starts_with(&tmp), "{config:?} under TMPDIR");
        let base = tmp.join(format!("xrole-tui-{}", rustix::process::getuid().as_raw()));
        for dir in [
            base.as_path(),
            config.parent().unwrap(),
            control.parent().unwrap(),
        ] {
            assert_eq!(mode(dir), 0o700, "umask {umask}: {dir:?}");
        }
        for file in [
            &config,
            &PathBuf::from(var(&vars, "AWS_SHARED_CREDENTIALS_FILE")),
        ] {
            assert_eq!(mode(file), 0o600, "umask {umask}: {file:?}");
            let text = std::fs::read_to_string(file).unwrap();
            for secret in [HUB_SECRET, "base-secret", "default-secret", "AKIA"] {
                assert!(
                    !text.contains(secret),
                    "a long-term key in the copy {file:?}:\n{text}"
                );
            }
        }
        if second_user() {
            let script = format!(
                "printf '[profile x]\\ncredential_process = /bin/true\\n' > '{0}' 2>/dev/null && echo wrote-config; \
                 rm -f '{1}' 2>/dev/null && echo removed-socket; ls '{2}' >/dev/null 2>&1 && echo listed-base; true",
                config.display(),
                control.display(),
                base.display()
            );
            let out = as_nobody(&script).output().unwrap();
            let said = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                said.trim(),
                "",
                "umask {umask}: the other user could: {said}"
            );
            assert!(control.exists());
        }
        stop(child);
    }
}

#[test]
fn a_killed_server_takes_its_child_along_and_its_copies_are_swept_at_the_next_start() {
    let _g = serial();
    let w = World::new();
    with_default_keys(&w);
    let tmp = shared_tmp(&w);
    let (mut child, vars) = served(&w, &tmp, "022", "exec sleep 60");
    let pid: i32 = var(&vars, "PID").parse().unwrap();
    let copies = PathBuf::from(var(&vars, "AWS_CONFIG_FILE"))
        .parent()
        .unwrap()
        .to_owned();
    child.kill().unwrap(); // SIGKILL: no clean-up of its own
    child.wait().unwrap();
    let start = Instant::now();
    let gone = loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie_or_gone = state.is_empty()
            || state
                .rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'));
        if zombie_or_gone {
            break true;
        }
        if start.elapsed() > Duration::from_secs(10) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !gone {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(gone, "the child outlived the endpoint");
    assert!(
        copies.exists(),
        "SIGKILL leaves the copies for the next start to sweep"
    );
    let (next, _) = served(&w, &tmp, "022", "true");
    stop(next);
    assert!(!copies.exists(), "the copies of a dead process are swept");
}

#[test]
fn the_consoles_page_is_removed_when_sigterm_comes_during_its_wait() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (endpoint, _got) = support::federation::federation();
    let opened = w.home().join("opened");
    let browser = w.home().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut c = w.command(&["console", "app"]);
    c.env("XROLE_SIGNIN_ENDPOINT", &endpoint)
        .env("BROWSER", &browser)
        .env("TMPDIR", &tmp);
    let child = c.spawn().unwrap();
    let start = Instant::now();
    let page = loop {
        if let Ok(t) = std::fs::read_to_string(&opened) {
            if !t.trim().is_empty() {
                break PathBuf::from(t.trim().trim_start_matches("file://"));
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the browser was never opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        page.exists(),
        "the page is there while the browser reads it"
    );
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    assert!(!page.exists(), "the sign-in page outlived SIGTERM");
    assert!(!page.parent().unwrap().exists());
}

#[test]
fn a_background_job_that_outlives_its_command_gets_a_refusal_and_the_port_stays_held() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let job_pid = w.home().join("job-pid");
    // The command starts a job that outlives it, then ends at once.
    let then = format!(
        "(exec sleep 6) > /dev/null 2>&1 & echo $! > '{}'",
        job_pid.display()
    );
    let (child, vars) = served(&w, &tmp, "022", &then);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, token, authority) = endpoint_of(&vars);
    let token = token.as_str();
    let head = format!(
        "GET /credentials HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(
        request(&authority, &head),
        403,
        "the job is refused, by the holder"
    );
    assert!(
        std::net::TcpListener::bind(&authority).is_err(),
        "nobody else can take the port while the job runs"
    );
    // The job ends; so does the holder, within a few looks.
    let job: i32 = std::fs::read_to_string(&job_pid)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let start = Instant::now();
    while Path::new(&format!("/proc/{job}")).exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let start = Instant::now();
    let freed = loop {
        if TcpStream::connect(&authority).is_err() {
            break true;
        }
        if start.elapsed() > Duration::from_secs(15) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(freed, "the holder stayed after the job ended");
}
