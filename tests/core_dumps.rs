//! No core dump holds a secret: xrole-tui makes itself non-dumpable (the kernel resets the flag
//! for the programs it starts, at exec).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn cores(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("core"))
        .collect()
}

fn abort_and_wait(child: &mut Child) {
    std::thread::sleep(Duration::from_millis(500));
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGABRT).unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no end after SIGABRT"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `sh -c 'ulimit -c unlimited; exec ARGS'` in `dir`.
fn with_cores(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new("sh");
    c.current_dir(dir)
        .arg("-c")
        .arg("ulimit -c unlimited 2>/dev/null; exec \"$@\"")
        .arg("sh")
        .args(args);
    c
}

#[test]
fn a_waiting_process_holding_a_long_term_key_leaves_no_core() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    std::fs::write(
        files.path().join("config"),
        "[profile hub]\n[profile dev]\nrole_arn = arn:aws:iam::222222222222:role/a\n\
         source_profile = hub\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n",
    )
    .unwrap();
    std::fs::write(
        files.path().join("credentials"),
        "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = core-canary\n",
    )
    .unwrap();
    // Waits for an MFA code on a pipe that never gets one, the key already read.
    let mut child = with_cores(dir.path(), &[env!("CARGO_BIN_EXE_xrole-tui"), "env", "dev"])
        .env_clear()
        .env("HOME", files.path())
        .env("XROLE_CACHE", "none")
        .env("AWS_CONFIG_FILE", files.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            files.path().join("credentials"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    abort_and_wait(&mut child);
    assert_eq!(
        cores(dir.path()),
        Vec::<String>::new(),
        "xrole-tui left a core"
    );

    // The control: a program in the same conditions does dump, so the check above means
    // something on this machine. Where cores go elsewhere (a core_pattern pipe), say so.
    let control = tempfile::tempdir().unwrap();
    let mut sleeper = with_cores(control.path(), &["sleep", "30"])
        .spawn()
        .unwrap();
    abort_and_wait(&mut sleeper);
    if cores(control.path()).is_empty() {
        eprintln!(
            "note: this machine writes no core files in the working directory (core_pattern {:?}); only the absence above was checked",
            std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default().trim()
        );
    }
}
