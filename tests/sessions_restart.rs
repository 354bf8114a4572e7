//! Sessions outlive the process that opened them: a TUI started later shows what is live in the
//! cache, `x` forgets the selected profile's sessions, and `clear` forgets from the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use support::pty::Pane;
use support::world::*;

fn cached_files(w: &World) -> usize {
    std::fs::read_dir(w.cache())
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn clear_forgets_one_profile_or_every_session() {
    let _g = serial();
    let w = World::new();
    ok(&w.run(&["whoami", "dev"], &format!("{CODE}\n")));
    ok(&w.run(&["whoami", "app"], ""));
    // dev: the MFA session and the role; app: its role (hop from base's keys).
    let before = cached_files(&w);
    assert!(before >= 3, "{before}");

    let out = ok(&w.run(&["clear", "dev"], ""));
    assert!(out.contains("forgot 2 cached sessions of dev"), "{out}");
    // Without a code on stdin, dev cannot be opened any more: its MFA session is gone.
    let again = w.run(&["whoami", "dev"], "");
    assert_ne!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("MFA"));
    // app is untouched.
    let moto_calls = moto().count("AssumeRole");
    ok(&w.run(&["whoami", "app"], ""));
    assert_eq!(
        moto().count("AssumeRole"),
        moto_calls,
        "app came from the cache"
    );

    let out = ok(&w.run(&["clear"], ""));
    assert!(out.contains("of every profile"), "{out}");
    assert_eq!(cached_files(&w), 0);

    let unknown = w.run(&["clear", "nope"], "");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn a_new_tui_shows_the_sessions_of_earlier_runs_and_x_forgets_them() {
    let _g = serial();
    let w = World::new();
    ok(&w.run(&["whoami", "dev"], &format!("{CODE}\n")));
    let home = w.home();
    let script = format!(
        "{} --profile dev; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, &script, &env, 110, 40);
    // The identity bar and dev's row, without any call or code.
    let screen = pane.wait_for("dev · 222222222222", 30);
    assert!(
        screen.contains("⏱ 59m") || screen.contains("⏱ 1h"),
        "{screen}"
    );
    assert!(screen.contains("live sessions"), "{screen}");
    // prod shares dev's MFA session: no code needed for it.
    assert!(screen.contains("[MFA ✓"), "{screen}");
    // dev's MFA session is prod's too: `x` asks first, naming prod.
    pane.keys(&["x"]);
    let asked = pane.wait_for("also use: they will ask for a code again", 10);
    assert!(asked.contains("which ops, prod also use"), "{asked}");
    pane.keys(&["y"]);
    let screen = pane.wait_for("forgot 2 cached sessions", 30);
    assert!(screen.contains("no role assumed yet"), "{screen}");
    assert!(!screen.contains("[MFA ✓"), "{screen}");
    assert_eq!(cached_files(&w), 0);
    pane.keys(&["q"]);
}

/// Waits until `pred` holds for the pane's screen; the last screen either way.
fn wait_until(pane: &Pane, secs: u64, pred: impl Fn(&str) -> bool) -> (bool, String) {
    let start = std::time::Instant::now();
    loop {
        let screen = pane.screen();
        if pred(&screen) {
            return (true, screen);
        }
        if start.elapsed() > std::time::Duration::from_secs(secs) {
            return (false, screen);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The row of `profile` in the list (the left pane) on the screen.
fn row<'a>(screen: &'a str, profile: &str) -> &'a str {
    screen
        .lines()
        .map(|l| l.split("││").next().unwrap_or(l))
        .find(|l| l.trim_start_matches(['│', ' ']).split_whitespace().next() == Some(profile))
        .unwrap_or("")
}

#[test]
fn an_open_tui_follows_what_other_processes_open_forget_and_use() {
    let _g = serial();
    let w = World::new();
    let home = w.home();
    let script = format!("{}; sleep 600", env!("CARGO_BIN_EXE_xrole-tui"));
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, &script, &env, 120, 40);
    pane.wait_for("hub", 30);
    assert!(!row(&pane.screen(), "prod").contains('⏱'));

    // Another process opens prod: its countdown appears, and dev's badge says its MFA session
    // is there (the one prod opened).
    ok(&w.run(&["whoami", "prod"], &format!("{CODE}\n")));
    let (seen, screen) = wait_until(&pane, 2, |s| row(s, "prod").contains('⏱'));
    assert!(
        seen,
        "prod's countdown did not appear within 2 s:\n{screen}"
    );
    let (seen, screen) = wait_until(&pane, 2, |s| row(s, "dev").contains("MFA ✓"));
    assert!(seen, "dev's badge did not follow:\n{screen}");

    // Another process forgets prod: its countdown goes.
    ok(&w.run(&["clear", "prod"], ""));
    let (gone, screen) = wait_until(&pane, 2, |s| !row(s, "prod").contains('⏱'));
    assert!(gone, "prod's countdown stayed after clear:\n{screen}");

    // Uses by other processes reach the recent group.
    ok(&w.run(&["whoami", "app"], ""));
    let (seen, screen) = wait_until(&pane, 3, |s| s.contains("recent"));
    assert!(seen, "no recent group after uses elsewhere:\n{screen}");
    pane.keys(&["q"]);
}

#[test]
fn a_code_given_in_the_tui_shows_at_once_on_the_roles_that_share_it() {
    let _g = serial();
    let w = World::new();
    let home = w.home();
    let script = format!("{}; sleep 600", env!("CARGO_BIN_EXE_xrole-tui"));
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, &script, &env, 120, 40);
    pane.wait_for("hub", 30);
    assert!(!row(&pane.screen(), "prod").contains("MFA ✓"));
    pane.keys(&["/"]);
    pane.type_text("dev");
    pane.keys(&["Enter"]);
    pane.keys(&["i"]);
    pane.wait_for("MFA code", 30);
    pane.type_text(CODE);
    pane.keys(&["Enter"]);
    pane.wait_for("dev authenticated", 30);
    pane.keys(&["Escape"]);
    let (seen, screen) = wait_until(&pane, 2, |s| row(s, "prod").contains("MFA ✓"));
    assert!(seen, "prod's badge did not follow dev's code:\n{screen}");
    pane.keys(&["q"]);
}

#[test]
fn status_in_a_shell_switched_in_place_asks_the_store() {
    let _g = serial();
    let w = World::new();
    let bin = env!("CARGO_BIN_EXE_xrole-tui");
    let script = format!(
        "eval \"$('{bin}' env app)\" && '{bin}' status --json; echo \"exit=$?\"; '{bin}' clear app >/dev/null; '{bin}' status; echo \"exit=$?\""
    );
    let mut c = std::process::Command::new("sh");
    c.args(["-c", &script])
        .env_clear()
        .env("HOME", w.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let first: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(first["profile"], "app", "{text}");
    assert_eq!(first["serving"], true, "{text}");
    assert_eq!(lines.next(), Some("exit=0"));
    let after = lines.next().unwrap_or_default();
    assert!(
        after.contains("app not served") && after.contains("forgotten"),
        "{text}"
    );
    assert_eq!(lines.next(), Some("exit=3"), "{text}");
}
