//! MFA that knows about TOTP, on the real binary in tmux: the terminal prompt asks again after a
//! typo, a code already accepted on the device is refused locally, and the TUI runs
//! `mfa_process` instead of opening its modal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use support::pty::Pane;
use support::world::*;

fn pane(w: &World, command: &str) -> Pane {
    let home = w.home();
    let script = format!(
        "SHELL=/bin/sh PS1='role$ ' {} {command}; echo \"rc=$?\"; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let env = support::pty::tui_env(&home, &moto().endpoint);
    Pane::start(&home, &script, &env, 110, 30)
}

#[test]
fn the_prompt_asks_again_and_a_used_code_is_refused_before_aws_sees_it() {
    let _g = serial();
    let w = World::new();
    let p = pane(&w, "whoami dev");
    p.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice", 30);
    p.type_text("12345");
    p.keys(&["Enter"]);
    let screen = p.wait_for("exactly 6 digits", 10);
    assert!(
        screen.matches("MFA code for").count() >= 2,
        "asked again:\n{screen}"
    );
    p.type_text(CODE);
    p.keys(&["Enter"]);
    p.wait_for("rc=0", 30);
    drop(p);

    // The sessions are forgotten, but the code stays used for its window.
    ok(&w.run(&["clear"], ""));
    moto().start_recording();
    let p = pane(&w, "whoami dev");
    p.wait_for("MFA code for", 30);
    p.type_text(CODE);
    p.keys(&["Enter"]);
    p.wait_for(
        "already used on arn:aws:iam::111111111111:mfa/alice: wait for the next code",
        10,
    );
    assert_eq!(moto().count("GetSessionToken"), 0, "nothing was sent");
    p.type_text("246810");
    p.keys(&["Enter"]);
    p.wait_for("rc=0", 30);
    assert_eq!(moto().count("GetSessionToken"), 1);
}

#[test]
fn the_tui_uses_mfa_process_and_says_so() {
    let _g = serial();
    let w = World::new();
    let p = pane(&w, "--profile auto");
    p.wait_for("profiles (", 30);
    p.keys(&["Enter"]);
    let screen = p.wait_for("role$", 30);
    assert!(!screen.contains("MFA code"), "no modal:\n{screen}");
    p.type_text("echo \"in=$XROLE_ACCOUNT\"");
    p.keys(&["Enter"]);
    p.wait_for("in=222222222222", 30);
    p.type_text("exit");
    p.keys(&["Enter"]);
    p.wait_for("role shell ended", 30);
    p.keys(&["q"]);
}
