//! The help of each command: options appear only where they mean something, and the text is
//! wrapped to the terminal's width.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::process::Command;

fn help(args: &[&str], columns: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(args)
        .arg("--help")
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn session_options_only_on_commands_that_open_sessions() {
    for cmd in [&["status"][..], &["unlock"], &["list"], &["clear"]] {
        let text = help(cmd, "100");
        for option in ["--no-cache", "--no-session"] {
            assert!(!text.contains(option), "{cmd:?} offers {option}:\n{text}");
        }
    }
    for cmd in [
        &["whoami"][..],
        &["exec"],
        &["env"],
        &["console"],
        &["revoke"],
        &["pick"],
        &["s3", "get"],
        &["s3", "ls"],
        &[],
    ] {
        let text = help(cmd, "100");
        for option in ["--no-cache", "--no-session"] {
            assert!(text.contains(option), "{cmd:?} lacks {option}:\n{text}");
        }
    }
}

#[test]
fn help_is_wrapped_to_the_terminal() {
    for width in [60usize, 80, 120] {
        for cmd in [&["exec"][..], &["whoami"], &["console"], &[]] {
            let text = help(cmd, &width.to_string());
            let widest = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("xrole-tui ") && !l.contains("xr()"))
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            assert!(
                widest <= width,
                "{cmd:?} at {width} columns: {widest}\n{text}"
            );
        }
    }
}

#[test]
fn session_options_work_before_and_after_the_command() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["--no-cache", "env", "nosuch"][..],
        &["env", "--no-cache", "nosuch"],
        &["env", "nosuch", "--no-cache"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains("there is no profile"), "{args:?}: {said}");
    }
}
