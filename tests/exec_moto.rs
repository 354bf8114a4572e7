//! `exec` as a process against moto: the command's environment, its exit code, the nested-shell
//! refusal, and signals passed on to it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::process::Stdio;

use support::world::*;

#[test]
fn exec_sets_the_environment_and_forwards_the_exit_code() {
    let _g = serial();
    let w = World::new();
    let mut c = w.command(&[
        "exec",
        "--static",
        "app",
        "--",
        "sh",
        "-c",
        "printf '%s|%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"${AWS_PROFILE-unset}\" \"$XROLE_PROFILE\" \"$AWS_ENDPOINT_URL\"; exit 7",
    ]);
    c.env("AWS_PROFILE", "other")
        .env("AWS_SECURITY_TOKEN", "stale");
    let out = w.run_with(c, "");
    assert_eq!(out.status.code(), Some(7));
    let text = String::from_utf8_lossy(&out.stdout);
    let parts: Vec<&str> = text.split('|').collect();
    assert!(parts[0].starts_with("ASIA"), "{text}");
    assert_eq!(&parts[1..], ["unset", "app", moto().endpoint.as_str()]);

    let mut nested = w.command(&["exec", "app", "--", "true"]);
    nested.env("XROLE_PROFILE", "prod");
    let out = w.run_with(nested, "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("already inside a role shell for profile \"prod\""));
}

#[test]
fn exec_passes_sigterm_to_the_command() {
    use std::io::{BufRead, BufReader};
    let _g = serial();
    let w = World::new();
    let mut c = w.command(&[
        "exec",
        "app",
        "--",
        "sh",
        "-c",
        "trap 'echo got-term; exit 9' TERM; echo ready; while :; do sleep 0.1; done",
    ]);
    c.stdin(Stdio::null());
    let mut child = c.spawn().unwrap();
    // A lost signal would leave the command looping and this test reading forever. The
    // watchdog ends with the test (its sender is dropped), or ends the run after 60 s.
    let (_alive, watch) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watch.recv_timeout(std::time::Duration::from_secs(60))
            == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        {
            eprintln!("exec_passes_sigterm_to_the_command: no answer after 60 s");
            std::process::exit(1);
        }
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "got-term");
    assert_eq!(
        child.wait().unwrap().code(),
        Some(9),
        "the command's own exit code"
    );
}

#[test]
fn the_command_follows_the_profile_without_a_double_dash() {
    let _g = serial();
    let w = World::new();
    let script = "printf '%s|%s' \"$XROLE_PROFILE\" \"$1\"";
    let out = ok(&w.run(
        &[
            "exec",
            "--static",
            "app",
            "sh",
            "-c",
            script,
            "sh",
            "--flag-of-the-command",
        ],
        "",
    ));
    assert_eq!(out, "app|--flag-of-the-command");
    // One `--` after the profile is still accepted.
    let out = ok(&w.run(
        &[
            "exec", "--static", "app", "--", "sh", "-c", script, "sh", "x",
        ],
        "",
    ));
    assert_eq!(out, "app|x");
}

#[test]
fn a_missing_command_exits_127_before_any_call_and_typos_get_a_suggestion() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    let out = w.run(&["exec", "dev", "no-such-command-xyz", "plan"], "");
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("command not found: no-such-command-xyz"));
    assert!(
        moto().actions().is_empty(),
        "no STS call and no MFA code for a typo"
    );
    let plain = w.home().join("not-a-program");
    std::fs::write(&plain, "echo hi\n").unwrap();
    let out = w.run(&["exec", "app", plain.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(126));
    // Options go before the profile.
    let out = w.run(&["exec", "--nope", "app"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = w.run(&["whoami", "devv"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("there is no profile \"devv\"; did you mean \"dev\"?"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn exec_for_20h_opens_an_mfa_session_that_covers_the_run_and_40h_is_refused_before_any_call() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    let out = w.run(&["exec", "--for", "40h", "dev", "--", "true"], "");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("36h") && said.contains("--for"), "{said}");
    assert!(moto().actions().is_empty(), "refused before any call");

    let status_cmd = format!("'{}' status --json", env!("CARGO_BIN_EXE_xrole-tui"));
    let out = w.run(
        &["exec", "--for", "20h", "dev", "--", "sh", "-c", &status_cmd],
        &format!("{CODE}\n"),
    );
    let status: serde_json::Value = serde_json::from_str(ok(&out).trim()).unwrap();
    let bodies = recorded_bodies(moto());
    let gst: Vec<&String> = bodies
        .iter()
        .filter(|b| b.contains("Action=GetSessionToken"))
        .collect();
    assert_eq!(gst.len(), 1, "{bodies:?}");
    let duration: u64 = gst[0]
        .split('&')
        .find_map(|kv| kv.strip_prefix("DurationSeconds="))
        .expect("a DurationSeconds")
        .parse()
        .unwrap();
    assert!(duration >= 72_000, "{duration}");
    let horizon = status["renewable_until"]
        .as_str()
        .expect("status names the horizon");
    let until = humantime::parse_rfc3339(horizon).unwrap();
    let left = until.duration_since(std::time::SystemTime::now()).unwrap();
    assert!(left.as_secs() >= 72_000 - 120, "{horizon}");
}

#[test]
fn exec_reads_each_aws_file_once_and_resolves_the_client_settings_once() {
    let _g = serial();
    let w = World::new();
    // The default profile has keys, so the child gets copies: made from the same read.
    w.append(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret\n",
    );
    for profile in ["app", "hop3"] {
        let mut c = w.command(&["exec", profile, "--", "true"]);
        c.env("XROLE_TEST_COUNTS", "1");
        let out = w.run_with(c, "");
        ok(&out);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("counts: files read 2, settings resolved 1"),
            "{profile}: {said}"
        );
    }
}
