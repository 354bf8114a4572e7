//! The credential endpoint of `exec`, through the real binary against moto: the AWS CLI in the
//! child reaches the role through it, the child's environment holds no secret, the default
//! profile cannot shadow it, strangers are refused, and the credentials rotate with no failed
//! call from one MFA code.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use support::serving::{get, serving_child};
use support::world::*;

fn aws_cli() -> String {
    std::env::var("AWS_CLI").unwrap_or_else(|_| "aws".into())
}

#[test]
fn the_aws_cli_in_exec_reaches_the_role_and_the_environment_holds_no_secret() {
    let _g = serial();
    let w = World::new();
    let script = format!(
        "env > \"$HOME/child-env\"; \"{}\" sts get-caller-identity --query Account --output text",
        aws_cli()
    );
    let mut c = w.command(&["exec", "app", "--", "sh", "-c", &script]);
    c.env("AWS_DEFAULT_REGION", "us-east-1");
    let out = ok(&w.run_with(c, ""));
    assert_eq!(out.trim(), "222222222222");
    let env = std::fs::read_to_string(w.home().join("child-env")).unwrap();
    assert!(
        env.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"),
        "{env}"
    );
    assert!(env.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN="));
    for absent in [
        "AWS_ACCESS_KEY_ID=",
        "AWS_SECRET_ACCESS_KEY=",
        "AWS_SESSION_TOKEN=",
        "base-secret",
    ] {
        assert!(!env.contains(absent), "{absent} in the child's environment");
    }
}

#[test]
fn keys_under_default_do_not_shadow_the_endpoint() {
    let _g = serial();
    let w = World::new();
    // The bastion user's keys as the default profile, and a role that starts from them.
    w.append(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret\n",
    );
    w.append(
        ".aws/config",
        "[default]\nregion = us-east-1\n[profile via-default]\nrole_arn = arn:aws:iam::555555555555:role/x\nsource_profile = default\nregion = us-east-1\n",
    );
    let cli = aws_cli();
    let script = format!(
        "\"{cli}\" sts get-caller-identity --query Account --output text; \
         \"{cli}\" --profile via-default sts get-caller-identity --query Account --output text 2>&1; \
         ls -l \"$AWS_CONFIG_FILE\" \"$AWS_SHARED_CREDENTIALS_FILE\" | cut -c1-10; echo \"$AWS_CONFIG_FILE\" > \"$HOME/files\""
    );
    let out = ok(&w.run(&["exec", "app", "--", "sh", "-c", &script], ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[0], "222222222222",
        "profile-less: the role, not the default user"
    );
    assert_eq!(
        lines[1], "555555555555",
        "source_profile = default still works"
    );
    assert_eq!(&lines[2..4], ["-rw-------", "-rw-------"]);
    let copy = std::fs::read_to_string(w.home().join("files")).unwrap();
    assert!(
        !std::path::Path::new(copy.trim()).exists(),
        "the copies are removed"
    );
}

#[test]
fn strangers_are_refused() {
    let _g = serial();
    let w = World::new();
    let (mut child, url, token) = serving_child(&w, "app", &[], 30);
    assert!(token.len() >= 64, "256 bits at least");
    let (status, body) = get(&url, None, Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"AccessKeyId\"") && body.contains("\"Expiration\""),
        "{body}"
    );
    assert_eq!(get(&url, None, None).0, 403, "no token");
    let mut wrong = token.clone();
    wrong.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
    assert_eq!(get(&url, None, Some(&wrong)).0, 403, "a wrong token");
    assert_eq!(
        get(&url, None, Some(&format!("{token}x"))).0,
        403,
        "a longer token"
    );
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    let (status, body) = get(&url, Some(&format!("evil.example:{port}")), Some(&token));
    assert_eq!(status, 403, "another Host (DNS rebinding)");
    assert!(body.contains("\"message\""), "{body}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn credentials_rotate_with_no_failed_call_from_one_mfa_code() {
    let _g = serial();
    let w = World::new();
    let count = w.home().join("codes");
    w.append(
        ".aws/config",
        &format!(
            "[profile counted]\nmfa_process = sh -c 'echo x >> {}; echo {CODE}'\n\
             [profile rotating]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = counted\n\
             mfa_serial = arn:aws:iam::111111111111:mfa/carol\nduration_seconds = 900\n",
            count.display()
        ),
    );
    w.append(
        ".aws/credentials",
        "[counted]\naws_access_key_id = AKIACOUNTED000000001\naws_secret_access_key = counted-secret\n",
    );
    // Renewed when less than 890 s are left: every ten seconds or so.
    let (mut child, url, token) = serving_child(&w, "rotating", &[("XROLE_MIN_TTL", "890")], 40);
    let mut keys: Vec<String> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(32) {
        let (status, body) = get(&url, None, Some(&token));
        assert_eq!(
            status,
            200,
            "a failed call at {:?}: {body}",
            start.elapsed()
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let key = v["AccessKeyId"].as_str().unwrap().to_owned();
        if keys.last() != Some(&key) {
            keys.push(key);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(keys.len() >= 3, "rotated at least twice: {keys:?}");
    let codes = std::fs::read_to_string(&count).unwrap().lines().count();
    assert_eq!(codes, 1, "one MFA code for the whole run");
}

/// `xrole-tui ARGS` as the served child's own commands would run it: with its `XROLE_CONTROL`.
fn in_shell(w: &World, control: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut c = w.command(args);
    c.env("XROLE_CONTROL", control);
    w.run_with(c, stdin)
}

#[test]
fn unlock_brings_back_a_shell_whose_mfa_session_ended() {
    let _g = serial();
    let w = World::new();
    w.append(
        ".aws/config",
        "[profile locked]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = hub\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nduration_seconds = 900\n",
    );
    let out = w.home().join("control");
    let script = format!(
        "printf '%s %s %s' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" \"$XROLE_CONTROL\" > {0}.tmp; mv {0}.tmp {0}; sleep 60",
        out.display()
    );
    let mut c = w.command(&["exec", "locked", "--", "sh", "-c", &script]);
    c.env("XROLE_MIN_TTL", "890");
    let mut child = c.spawn().unwrap();
    // The first code, as a script gives it; hub has no mfa_process, so no later code can come
    // without a person.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{CODE}\n").as_bytes())
        .unwrap();
    let start = Instant::now();
    let text = support::serving::written_by_child(&out);
    let parts: Vec<&str> = text.split(' ').collect();
    let (url, token, control) = (parts[0], parts[1], parts[2]);
    let first = get(url, None, Some(token)).1;

    // The MFA session ends (its cache entry goes: the one without an identity), so the
    // renewal due in ~10 s needs a code. The role's own entry stays: removing it would be
    // forgetting the session, which stops the serving at once (see the test below).
    for e in std::fs::read_dir(w.cache()).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
            if v["arn"].is_null() {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
    }
    let trouble = loop {
        let v: serde_json::Value =
            serde_json::from_str(&ok(&in_shell(&w, control, &["status", "--json"], ""))).unwrap();
        if let Some(m) = v["message"].as_str() {
            break m.to_owned();
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "no renewal failed: {v}"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(trouble.contains("xrole-tui unlock"), "{trouble}");
    let (status, _) = get(url, None, Some(token));
    assert_eq!(
        status, 200,
        "still served until the held credentials expire"
    );

    // The next code of the device: the first one was accepted seconds ago, so it is refused
    // locally (a used code is remembered for 60 s).
    let said = ok(&in_shell(&w, control, &["unlock"], "246810\n"));
    assert!(said.contains("unlocked"), "{said}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&in_shell(&w, control, &["status", "--json"], ""))).unwrap();
    assert_eq!(v["serving"], true);
    assert_eq!(v["message"], serde_json::Value::Null, "{v}");
    let plain = ok(&in_shell(&w, control, &["status"], ""));
    assert!(
        plain.starts_with("locked 14m") || plain.starts_with("locked 15m"),
        "{plain}"
    );
    let (status, after) = get(url, None, Some(token));
    assert_eq!(status, 200);
    assert_ne!(first, after, "new credentials from the new session");
    let _ = child.kill();
    let _ = child.wait();

    let outside = w.run(&["status"], "");
    assert_eq!(outside.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&outside.stderr).contains("not inside a shell served"));
}

#[test]
fn a_rust_sdk_program_in_exec_reaches_the_role() {
    let _g = serial();
    let w = World::new();
    // `cargo test` builds the examples beside the test binaries.
    let program = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap()
        .join("examples/sdk_whoami");
    assert!(
        program.exists(),
        "{} is missing: run the whole `cargo test`, which builds the examples",
        program.display()
    );
    let mut c = w.command(&["exec", "app", "--", program.to_str().unwrap()]);
    c.env("AWS_DEFAULT_REGION", "us-east-1");
    assert_eq!(ok(&w.run_with(c, "")).trim(), "222222222222");
}

#[test]
fn a_forgotten_session_is_no_longer_served() {
    let _g = serial();
    let w = World::new();
    // No code needed: forgetting makes the endpoint open a new session at once.
    let (mut child, url, token) = serving_child(&w, "app", &[], 60);
    let (status, before) = get(&url, None, Some(&token));
    assert_eq!(status, 200);
    ok(&w.run(&["clear", "app"], ""));
    let start = Instant::now();
    let after = support::serving::until_changed(&url, &token, &before);
    // A figure for BENCHMARKS.md, not a bound: the store's watch wakes the endpoint.
    eprintln!(
        "forgotten session replaced {} ms after clear ended",
        start.elapsed().as_millis()
    );
    let key =
        |b: &str| serde_json::from_str::<serde_json::Value>(b).unwrap()["AccessKeyId"].clone();
    assert_ne!(
        key(&before),
        key(&after),
        "new credentials, not the forgotten ones"
    );
    let _ = child.kill();
    let _ = child.wait();

    // A code is needed: after `clear`, nothing is served until `xrole-tui unlock`.
    let out = w.home().join("endpoint-dev");
    let script = support::serving::endpoint_script(&out, 60);
    let mut c = w.command(&["exec", "dev", "--", "sh", "-c", &script]);
    c.stdin(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"135791\n").unwrap();
    let text = support::serving::written_by_child(&out);
    let (url, token) = text.split_once(' ').unwrap();
    assert_eq!(get(url, None, Some(token)).0, 200);
    ok(&w.run(&["clear"], ""));
    let start = Instant::now();
    let body = loop {
        let (status, body) = get(url, None, Some(token));
        if status == 503 {
            break body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "still served after clear"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(body.contains("unlock"), "{body}");
    let _ = child.kill();
    let _ = child.wait();
}

/// The AWS CLI inside `exec` for `profile`: its `sts get-caller-identity` output, or the failure.
fn aws_in_exec(w: &World, profile: &str) -> std::process::Output {
    let script = format!("\"{}\" sts get-caller-identity --output json", aws_cli());
    let mut c = w.command(&["exec", profile, "--", "sh", "-c", &script]);
    c.env("AWS_DEFAULT_REGION", "us-east-1");
    w.run_with(c, "")
}

#[test]
fn temporary_keys_without_an_expiry_are_served_with_one_and_the_aws_cli_runs() {
    let _g = serial();
    let w = World::new();
    // Keys pasted from the SSO portal: a session token, and no expiry anywhere.
    w.add_pasted_keys();
    let out = aws_in_exec(&w, "pasted");
    let text = ok(&out);
    assert!(text.contains("\"Account\""), "{text}");
    let (mut child, url, token) = serving_child(&w, "pasted", &[], 20);
    let (status, body) = get(&url, None, Some(&token));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    for field in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
        assert!(
            v[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} in {body}"
        );
    }
}

#[test]
fn a_credential_process_of_long_term_keys_is_served_through_a_session() {
    let _g = serial();
    let w = World::new();
    w.append(".aws/config", HELPER_PROFILE);
    let out = aws_in_exec(&w, "helper");
    let text = ok(&out);
    assert!(text.contains("\"Account\""), "{text}");
    let (mut child, url, token) = serving_child(&w, "helper", &[], 20);
    let (status, body) = get(&url, None, Some(&token));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    assert!(
        !body.contains("AKIAHELPER") && !body.contains("helper-secret"),
        "the long-term key reached the child: {body}"
    );
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["Token"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    // --no-session opts out: then the keys go in the environment, and exec says so.
    let out = w.run(
        &[
            "exec",
            "--no-session",
            "helper",
            "--",
            "sh",
            "-c",
            "echo $AWS_ACCESS_KEY_ID",
        ],
        "",
    );
    assert_eq!(ok(&out).trim(), "AKIAHELPER0000000001");
    assert!(String::from_utf8_lossy(&out.stderr).contains("instead of an endpoint"));
}

#[test]
fn endpoint_errors_carry_string_codes() {
    let _g = serial();
    let w = World::new();
    let (mut child, url, _token) = serving_child(&w, "app", &[], 20);
    let (status, body) = get(&url, None, Some("wrong"));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 403);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["code"].is_string() && v["Code"].is_string(), "{body}");
    assert!(v["message"].as_str().unwrap().contains("token"), "{body}");
}
