//! Leaving and coming back: Ctrl-Z and `kill -TSTP` under a wrapper script in a shell with job
//! control, Ctrl-Z where no shell could continue the job, a lone bracketed-paste start, and a
//! panic in a background task. The real binary in tmux.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;

use nix::sys::signal::Signal;
use support::pty::{descendant_named, signal, wait_file, Pane};

const CONFIG: &str = "[profile hub]\nregion = eu-west-1\n[profile dev]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = hub\n";

fn home(dir: &Path) -> String {
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(home.join(".aws/config"), CONFIG).unwrap();
    home.display().to_string()
}

fn env(dir: &Path, extra: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("HOME", home(dir)),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TERM", "xterm-256color".into()),
        ("XR", env!("CARGO_BIN_EXE_xrole-tui").into()),
        // No endpoint is ever called here.
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".into()),
    ];
    for (k, v) in extra {
        let k: &'static str = Box::leak(k.to_string().into_boxed_str());
        env.push((k, (*v).to_owned()));
    }
    env
}

#[test]
fn ctrl_z_and_kill_tstp_stop_the_whole_job_and_fg_brings_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let pane = Pane::start(
        dir.path(),
        "bash --norc --noprofile -i",
        &env(dir.path(), &[]),
        100,
        30,
    );
    pane.type_text("PS1='bash$ '; sh -c '\"$XR\"; echo wrapper-done-$?'");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles (2)", 30);
    assert_eq!(pane.format("#{alternate_on}"), "1");

    // Ctrl-Z: the wrapper stops with the TUI, so the shell gets the terminal back.
    pane.keys(&["C-z"]);
    pane.wait_for("Stopped", 10);
    assert_eq!(
        pane.format("#{alternate_on}"),
        "0",
        "the normal screen is back"
    );
    assert_eq!(pane.format("#{cursor_flag}"), "1", "the cursor is shown");
    pane.type_text("echo alive-$((20+22))");
    pane.keys(&["Enter"]);
    pane.wait_for("alive-42", 10);
    pane.type_text("fg");
    pane.keys(&["Enter"]);
    // Drawn again without a key being pressed.
    pane.wait_for("profiles (2)", 10);
    assert_eq!(pane.format("#{alternate_on}"), "1");

    // SIGTSTP from outside: the same, the terminal restored first.
    let tui = descendant_named(pane.pid(), "xrole-tui").expect("xrole-tui runs");
    signal(tui, Signal::SIGTSTP);
    pane.wait_for("Stopped", 10);
    assert_eq!(pane.format("#{alternate_on}"), "0");
    pane.type_text("fg");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles (2)", 10);
    pane.keys(&["q"]);
    pane.wait_for("wrapper-done-0", 10);
}

/// Runs the TUI straight under a non-interactive shell, recording its exit code.
fn plain(dir: &Path, extra: &[(&str, &str)]) -> Pane {
    let d = dir.display();
    let script =
        format!("stty -g > {d}/before; \"$XR\"; echo $? > {d}/rc; stty -g > {d}/after; sleep 600");
    Pane::start(dir, &script, &env(dir, extra), 100, 30)
}

fn exit_code(dir: &Path) -> String {
    let rc = wait_file(&dir.join("rc"), 30);
    let before = std::fs::read_to_string(dir.join("before")).unwrap();
    assert_eq!(
        before,
        wait_file(&dir.join("after"), 10),
        "terminal settings restored"
    );
    rc.trim().to_owned()
}

#[test]
fn ctrl_z_without_job_control_says_so_and_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let pane = plain(dir.path(), &[]);
    pane.wait_for("profiles (2)", 30);
    pane.keys(&["C-z"]);
    pane.wait_for("cannot be suspended", 10);
    pane.keys(&["j"]);
    pane.keys(&["q"]);
    assert_eq!(exit_code(dir.path()), "0");
}

#[test]
fn a_lone_bracketed_paste_start_does_not_take_ctrl_c_away() {
    let dir = tempfile::tempdir().unwrap();
    let pane = plain(dir.path(), &[]);
    pane.wait_for("profiles (2)", 30);
    pane.type_text("\u{1b}[200~");
    pane.type_text("jjj");
    pane.keys(&["C-c"]);
    assert_eq!(exit_code(dir.path()), "0");
    assert_eq!(pane.format("#{alternate_on}"), "0");
}

#[test]
fn a_panic_in_a_background_task_leaves_no_frame_and_shows_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let pane = plain(dir.path(), &[("XROLE_TEST_PANIC", "task")]);
    pane.wait_for("profiles (2)", 30);
    pane.keys(&["i"]);
    assert_eq!(exit_code(dir.path()), "101");
    let screen = pane.screen();
    assert!(
        screen.contains("test panic in a background task"),
        "{screen}"
    );
    assert!(
        !screen.contains("profiles ("),
        "no frame after the restore:\n{screen}"
    );
    assert_eq!(pane.format("#{cursor_flag}"), "1", "the cursor is shown");
    assert_eq!(pane.format("#{alternate_on}"), "0");
}
