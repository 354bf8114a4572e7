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
    pane.keys(&["x"]);
    let screen = pane.wait_for("forgot 2 cached sessions", 30);
    assert!(screen.contains("no role assumed yet"), "{screen}");
    assert!(!screen.contains("[MFA ✓"), "{screen}");
    assert_eq!(cached_files(&w), 0);
    pane.keys(&["q"]);
}
