//! The TUI binary in a pseudo-terminal against moto: the whole role-shell round trip, and the
//! terminal restored after quit, panic and SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;
use std::sync::OnceLock;

use nix::sys::signal::Signal;
use support::moto::Moto;
use support::pty::{child_named, signal, wait_file, Pane};

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

const CONFIG: &str = "\
[profile hub]
region = eu-west-1
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
xrole_account_name = Development
[profile evil\u{1b}]0;pwned\u{7}\u{1b}[2J]
region = eu-west-1
";

/// Runs xrole-tui in a pane, recording `stty -g` before and after, and its exit code.
fn start(dir: &Path, extra: &[(&str, String)]) -> Pane {
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(home.join(".aws/config"), CONFIG).unwrap();
    std::fs::write(
        home.join(".aws/credentials"),
        "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = pty-secret\n",
    )
    .unwrap();
    let d = dir.display();
    let script = format!(
        "stty -g > {d}/before; SHELL=/bin/sh PS1='role$ ' {} ; echo $? > {d}/rc; stty -g > {d}/after; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = vec![
        ("HOME", home.display().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TERM", "xterm-256color".into()),
        ("AWS_ENDPOINT_URL", moto().endpoint.clone()),
        (
            "AWS_CLI",
            std::env::var("AWS_CLI").unwrap_or_else(|_| "aws".into()),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    Pane::start(dir, &script, &env, 100, 30)
}

fn restored(dir: &Path) -> (String, String) {
    let rc = wait_file(&dir.join("rc"), 30);
    let after = wait_file(&dir.join("after"), 10);
    let before = std::fs::read_to_string(dir.join("before")).unwrap();
    assert_eq!(
        before, after,
        "terminal settings after exit differ from before"
    );
    (rc.trim().to_owned(), after)
}

#[test]
fn role_shell_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let pane = start(dir.path(), &[]);
    let screen = pane.wait_for("profiles (3)", 30);
    // Hostile names are shown escaped: no escape sequence reached the terminal.
    assert!(
        screen.contains("evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
        "{screen}"
    );
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles /dev", 5);
    pane.keys(&["Enter"]);
    pane.wait_for("MFA code", 30);
    pane.type_text("12345");
    pane.keys(&["Enter"]);
    pane.wait_for("exactly 6 digits", 5);
    pane.type_text("6");
    pane.keys(&["Enter"]);
    pane.wait_for("role$", 30);
    pane.type_text("\"$AWS_CLI\" sts get-caller-identity --query Account --output text; echo \"in=$XROLE_ACCOUNT keys=${AWS_SECRET_ACCESS_KEY:-none} served=${AWS_CONTAINER_CREDENTIALS_FULL_URI%%:*}\"");
    pane.keys(&["Enter"]);
    let shell = pane.wait_for("in=222222222222", 60);
    assert!(
        shell.contains("keys=none served=http"),
        "the shell is served by the endpoint and holds no key:\n{shell}"
    );
    assert!(
        shell.contains("\n222222222222"),
        "the AWS CLI in the shell sees the role's account:\n{shell}"
    );
    pane.type_text("exit 3");
    pane.keys(&["Enter"]);
    let back = pane.wait_for("role shell ended: exit status 3", 30);
    assert!(
        back.contains("⏱ 59m") || back.contains("⏱ 1h"),
        "countdown running:\n{back}"
    );
    assert!(back.contains("Development · 222222222222"));
    pane.keys(&["q"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "0");
}

#[test]
fn panic_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let pane = start(dir.path(), &[("XROLE_TEST_PANIC", "render".into())]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "101");
    let screen = pane.screen();
    assert!(screen.contains("test panic while drawing"), "{screen}");
    assert!(!screen.contains("pty-secret"));
}

#[test]
fn panic_in_a_background_task_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let pane = start(dir.path(), &[("XROLE_TEST_PANIC", "task".into())]);
    pane.wait_for("profiles (3)", 30);
    pane.keys(&["i"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "101");
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let pane = start(dir.path(), &[]);
    pane.wait_for("profiles (3)", 30);
    let pid = child_named(pane.pid(), "xrole-tui").expect("xrole-tui is running");
    signal(pid, Signal::SIGTERM);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "143");
}

#[test]
fn killed_shell_brings_the_tui_back() {
    let dir = tempfile::tempdir().unwrap();
    let pane = start(dir.path(), &[]);
    pane.wait_for("profiles (3)", 30);
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter", "Enter"]);
    pane.wait_for("MFA code", 30);
    pane.type_text("123456");
    pane.keys(&["Enter"]);
    pane.wait_for("role$", 30);
    let tui = child_named(pane.pid(), "xrole-tui").expect("xrole-tui is running");
    let shell = child_named(tui, "sh").expect("the role shell runs under the TUI");
    signal(shell, Signal::SIGKILL);
    pane.wait_for("role shell ended: killed by signal 9", 30);
    pane.keys(&["q"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "0");
}

#[test]
fn s3_browser_in_the_vendor_role() {
    let dir = tempfile::tempdir().unwrap();
    // The company's bucket, written with seeding keys; the vendor role reads it (moto allows
    // cross-account access by default).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s3 = support::moto::seeding_s3(&moto().endpoint, "eu-west-1").await;
        let _ = s3
            .create_bucket()
            .bucket("pty-shared")
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                    .build(),
            )
            .send()
            .await;
        for (k, v) in [
            ("reports/q1.txt", "Q1 numbers are up\n"),
            ("top.txt", "top\n"),
        ] {
            s3.put_object()
                .bucket("pty-shared")
                .key(k)
                .body(v.as_bytes().to_vec().into())
                .send()
                .await
                .unwrap();
        }
    });
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        "[profile vendor]\nrole_arn = arn:aws:iam::444444444444:role/VendorAccessRole\nsource_profile = vendor-bot\nregion = eu-west-1\n[profile vendor-bot]\nregion = eu-west-1\n",
    )
    .unwrap();
    std::fs::write(
        home.join(".aws/credentials"),
        "[vendor-bot]\naws_access_key_id = AKIAVENDOR0000000001\naws_secret_access_key = v\n",
    )
    .unwrap();
    let d = dir.path().display();
    let script = format!(
        "stty -g > {d}/before; {} --profile vendor; echo $? > {d}/rc; stty -g > {d}/after; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let env = vec![
        ("HOME", home.display().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TERM", "xterm-256color".into()),
        ("AWS_ENDPOINT_URL", moto().endpoint.clone()),
    ];
    let pane = Pane::start(dir.path(), &script, &env, 100, 30);
    pane.wait_for("profiles (2)", 30);
    pane.keys(&["s"]);
    pane.wait_for("choose a bucket", 30);
    pane.keys(&["b"]);
    pane.type_text("pty-shared");
    pane.keys(&["Enter"]);
    pane.wait_for("reports/", 30);
    pane.keys(&["Enter"]);
    pane.wait_for("pty-shared › reports", 30);
    pane.wait_for("q1.txt", 30);
    pane.keys(&["Enter"]);
    pane.wait_for("Q1 numbers are up", 30);
    // Keys sent one at a time: ESC followed at once by a letter reads as Alt+letter.
    pane.keys(&["Escape"]);
    pane.wait_for("Backspace up", 10);
    pane.keys(&["d"]);
    pane.wait_for("to directory", 10);
    pane.keys(&["C-u"]);
    pane.type_text(&downloads.display().to_string());
    pane.keys(&["Enter"]);
    pane.wait_for("downloaded to", 30);
    assert_eq!(
        std::fs::read_to_string(downloads.join("q1.txt")).unwrap(),
        "Q1 numbers are up\n"
    );
    pane.keys(&["Escape"]);
    pane.wait_for("profiles (2)", 10);
    pane.keys(&["q"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "0");
}

/// Waits until `path` exists and holds something; returns it.
fn wait_nonempty(path: &Path, secs: u64) -> String {
    let start = std::time::Instant::now();
    loop {
        if let Ok(t) = std::fs::read_to_string(path) {
            if !t.is_empty() {
                return t;
            }
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(secs),
            "waited {secs}s for {}",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn c_signs_in_to_the_console_through_the_mfa_modal() {
    let dir = tempfile::tempdir().unwrap();
    // The federation endpoint's loopback stand-in (support::federation), and a "browser" that
    // keeps the page it was given.
    let (endpoint, got) = support::federation::federation();
    let opened = dir.path().join("opened.html");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\ncp \"${{1#file://}}\" {}.tmp && mv {0}.tmp {0}\n",
            opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let pane = start(
        dir.path(),
        &[
            ("XROLE_SIGNIN_ENDPOINT", endpoint.clone()),
            ("BROWSER", browser.display().to_string()),
        ],
    );
    pane.wait_for("profiles (3)", 30);
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter"]);
    pane.keys(&["c"]);
    pane.wait_for("MFA code", 30);
    pane.type_text("123456");
    pane.keys(&["Enter"]);
    let page = wait_nonempty(&opened, 30);
    assert!(page.contains("Action=login&amp;Issuer=xrole-tui"), "{page}");
    assert!(page.contains("SigninToken=loopback%2Dtoken%2D1"), "{page}");
    pane.wait_for("console opened for dev", 30);
    let sessions = got.lock().unwrap();
    assert_ne!(
        sessions[0]["sessionKey"], "pty-secret",
        "never the long-term key"
    );
    drop(sessions);
    pane.keys(&["q"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "0");
}

#[test]
fn without_a_browser_the_console_link_is_shown_without_its_token_and_y_copies_it() {
    let dir = tempfile::tempdir().unwrap();
    // The federation endpoint's loopback stand-in (support::federation); no browser can start.
    let (endpoint, _got) = support::federation::federation();
    let pane = start(
        dir.path(),
        &[
            ("XROLE_SIGNIN_ENDPOINT", endpoint.clone()),
            (
                "BROWSER",
                dir.path().join("no-such-browser").display().to_string(),
            ),
        ],
    );
    // tmux keeps what a program copies with OSC 52 as a paste buffer.
    pane.command(&["set-option", "-g", "set-clipboard", "on"]);
    pane.wait_for("profiles (3)", 30);
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter"]);
    pane.keys(&["c"]);
    pane.wait_for("MFA code", 30);
    pane.type_text("123456");
    pane.keys(&["Enter"]);
    let shown = pane.wait_for("y = copy the whole link", 30);
    assert!(shown.contains("No browser could be opened"), "{shown}");
    assert!(shown.contains("SigninToken=••••"), "{shown}");
    assert!(
        !shown.contains("loopback-token"),
        "the token is on screen:\n{shown}"
    );
    pane.keys(&["y"]);
    pane.wait_for("copied", 10);
    let copied = pane.command(&["show-buffer"]);
    assert!(
        copied.contains("SigninToken=loopback%2Dtoken%2D1") && copied.contains("Action=login"),
        "the clipboard holds: {copied}"
    );
    pane.keys(&["q"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "0");
}

#[test]
fn capital_r_revokes_after_a_confirmation_naming_the_role_and_account() {
    let dir = tempfile::tempdir().unwrap();
    // The role must exist in its account: created with credentials of that account (moto keeps
    // one IAM per account, chosen by the caller's keys).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let seed = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(&moto().endpoint)
            .region(aws_config::Region::from_static("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIASEED", "seed", None, None, "test",
            ))
            .load()
            .await;
        let c = aws_sdk_sts::Client::new(&seed)
            .assume_role()
            .role_arn("arn:aws:iam::222222222222:role/seeder")
            .role_session_name("seed")
            .send()
            .await
            .unwrap();
        let c = c.credentials().unwrap();
        let there = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(&moto().endpoint)
            .region(aws_config::Region::from_static("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_owned()),
                None,
                "test",
            ))
            .load()
            .await;
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
        let _ = aws_sdk_iam::Client::new(&there)
            .create_role()
            .role_name("admin")
            .assume_role_policy_document(trust)
            .send()
            .await;
    });
    let pane = start(dir.path(), &[]);
    pane.wait_for("profiles (3)", 30);
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter"]);
    pane.keys(&["R"]);
    let asked = pane.wait_for("revoke sessions", 10);
    assert!(
        asked.contains("role arn:aws:iam::222222222222:role/admin in account 222222222222"),
        "{asked}"
    );
    pane.keys(&["y"]);
    pane.wait_for("MFA code", 30);
    pane.type_text("123456");
    pane.keys(&["Enter"]);
    pane.wait_for("revoked: every session of role", 30);
    // The revoked session's countdown goes with it (its cache file is gone).
    let start = std::time::Instant::now();
    let countdown = |s: &str| s.lines().any(|l| l.contains("dev") && l.contains('⏱'));
    let mut screen = pane.screen();
    while countdown(&screen) && start.elapsed().as_secs() < 2 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        screen = pane.screen();
    }
    assert!(
        !countdown(&screen),
        "dev still counts down after R:\n{screen}"
    );
    pane.keys(&["q"]);
    let (rc, _) = restored(dir.path());
    assert_eq!(rc, "0");
}

#[test]
fn a_long_run_shell_opens_an_mfa_session_that_covers_it() {
    let dir = tempfile::tempdir().unwrap();
    let pane = start(dir.path(), &[]);
    pane.wait_for("profiles (3)", 30);
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles /dev", 5);
    pane.keys(&["L"]);
    pane.wait_for("How long will the run last?", 10);
    pane.type_text("soon");
    pane.keys(&["Enter"]);
    pane.wait_for("a duration of a minute or more", 10);
    pane.keys(&["C-u"]);
    pane.type_text("20h");
    pane.keys(&["Enter"]);
    pane.wait_for("MFA code", 30);
    pane.type_text("123456");
    pane.keys(&["Enter"]);
    pane.wait_for("role$", 30);
    pane.type_text(&format!(
        "'{}' status --json | grep -o 'renewable_until\":\"[^\"]*' | cut -d'\"' -f3 | sed 's/^/until=/'",
        env!("CARGO_BIN_EXE_xrole-tui")
    ));
    pane.keys(&["Enter"]);
    let shell = pane.wait_for("until=2", 30);
    let line = shell
        .lines()
        .find_map(|l| l.trim().strip_prefix("until="))
        .unwrap_or_default()
        .to_owned();
    let until = humantime::parse_rfc3339(&line).unwrap();
    let left = until.duration_since(std::time::SystemTime::now()).unwrap();
    assert!(left.as_secs() >= 20 * 3600 - 300, "{line}");
    pane.type_text("exit");
    pane.keys(&["Enter"]);
    pane.wait_for("role shell ended", 30);
    pane.keys(&["q"]);
}
