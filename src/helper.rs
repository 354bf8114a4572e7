//! The user's helper commands (`mfa_process`, `credential_process`), run with bounds: a time
//! limit and an output limit, after which the helper's whole process group is killed. A helper
//! that prints its answer and leaves a background child holding the pipe is not waited for.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// How long a helper may run and how much it may print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Time from the start to the end of its output.
    pub time: Duration,
    /// Bytes of standard output.
    pub output: usize,
}

/// A code from `mfa_process` (the first line of its output), within its bounds; the error
/// says what went wrong, for a person (see `aws::authenticate::mfa_process_code`).
pub fn mfa_code(command: &str, profile: &str) -> Result<Zeroizing<String>, String> {
    use crate::domain::text::display_safe;
    let fail = |why: String| {
        format!(
            "mfa_process of profile {:?} {}",
            display_safe(profile),
            display_safe(&why)
        )
    };
    let done =
        run(command, mfa_process_bounds(), Stderr::Inherit).map_err(|e| fail(e.to_string()))?;
    if !done.status.success() {
        return Err(fail(format!("failed ({})", done.status)));
    }
    let text = String::from_utf8_lossy(&done.stdout);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or_default().trim().to_owned(),
    ))
}

/// The bounds of `mfa_process`: 60 s (a security key may need a touch), 1 KiB;
/// `XROLE_MFA_PROCESS_TIMEOUT` (seconds) changes the time.
pub fn mfa_process_bounds() -> Bounds {
    Bounds {
        time: seconds_from_env("XROLE_MFA_PROCESS_TIMEOUT", 60),
        output: 1024,
    }
}

/// The bounds of `credential_process`: 60 s, 1 MiB; `XROLE_CREDENTIAL_PROCESS_TIMEOUT`
/// (seconds) changes the time.
pub fn credential_process_bounds() -> Bounds {
    Bounds {
        time: seconds_from_env("XROLE_CREDENTIAL_PROCESS_TIMEOUT", 60),
        output: 1024 * 1024,
    }
}

/// A whole number of seconds from `var`, else `default` (a bad value is ignored, not fatal:
/// the default bound still holds).
pub fn seconds_from_env(var: &str, default: u64) -> Duration {
    let secs = std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=86_400).contains(s))
        .unwrap_or(default);
    Duration::from_secs(secs)
}

/// Where the helper's standard error goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stderr {
    /// To ours: the helper may talk to the person ("touch your key").
    Inherit,
    /// Kept (its first 4 KiB) for the error message: a TUI must not be drawn over.
    Capture,
}

/// What a helper did.
pub struct Finished {
    /// Its standard output (may hold secrets: wiped when dropped).
    pub stdout: Zeroizing<Vec<u8>>,
    /// Its captured standard error, when captured.
    pub stderr: String,
    /// How it ended.
    pub status: ExitStatus,
}

/// Why a helper gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelperError {
    /// It could not be started.
    #[error("did not start: {0}")]
    Start(String),
    /// It ran past its time.
    #[error("did not finish within {} s and was stopped", .0.as_secs())]
    Timeout(Duration),
    /// It printed too much.
    #[error("printed more than {0} bytes and was stopped")]
    TooMuch(usize),
}

const STDERR_KEEP: usize = 4096;
/// After the helper itself exits, how long a child it left holding the pipe may keep it.
const AFTER_EXIT: Duration = Duration::from_millis(200);

/// Runs `command` with `/bin/sh -c` in a process group of its own, within `bounds`.
pub fn run(command: &str, bounds: Bounds, stderr: Stderr) -> Result<Finished, HelperError> {
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", command])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .process_group(0);
    cmd.stderr(match stderr {
        Stderr::Inherit => Stdio::inherit(),
        Stderr::Capture => Stdio::piped(),
    });
    let mut child = cmd.spawn().map_err(|e| HelperError::Start(e.to_string()))?;
    let (tx, rx) = mpsc::channel::<Option<Vec<u8>>>();
    if let Some(mut out) = child.stdout.take() {
        // Not joined: if a grandchild escaped the group and holds the pipe, this thread stays
        // blocked on it, and the caller does not.
        std::thread::spawn(move || pump(&mut out, &tx));
    }
    let captured = child.stderr.take().map(|mut err| {
        let (etx, erx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 1024];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let room = STDERR_KEEP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            let _ = etx.send(kept);
        });
        erx
    });
    let start = Instant::now();
    let mut stdout = Zeroizing::new(Vec::new());
    let mut exited: Option<(ExitStatus, Instant)> = None;
    loop {
        if start.elapsed() >= bounds.time {
            kill_group(&mut child);
            return Err(HelperError::Timeout(bounds.time));
        }
        if exited.is_none() {
            if let Ok(Some(status)) = child.try_wait() {
                exited = Some((status, Instant::now()));
            }
        }
        if let Some((status, at)) = exited {
            if at.elapsed() >= AFTER_EXIT {
                // Done. What still holds our pipe is a leftover the helper forgot: stopped.
                kill_group(&mut child);
                return Ok(finish(stdout, status, captured));
            }
        }
        match rx.recv_timeout(Duration::from_millis(10)) {
            Ok(Some(chunk)) => {
                let chunk = Zeroizing::new(chunk);
                if stdout.len() + chunk.len() > bounds.output {
                    kill_group(&mut child);
                    return Err(HelperError::TooMuch(bounds.output));
                }
                stdout.extend_from_slice(&chunk);
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                // End of output: wait for the exit, within the same time bound.
                let left = bounds.time.saturating_sub(start.elapsed());
                return match wait_for(&mut child, left) {
                    // A clean end: children it started on purpose (an agent) are left alone.
                    Some(status) => Ok(finish(stdout, status, captured)),
                    None => {
                        kill_group(&mut child);
                        Err(HelperError::Timeout(bounds.time))
                    }
                };
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

fn pump(out: &mut impl Read, tx: &mpsc::Sender<Option<Vec<u8>>>) {
    let mut buf = Zeroizing::new(vec![0u8; 8192]);
    loop {
        match out.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(None);
                return;
            }
            Ok(n) => {
                if tx.send(Some(buf[..n].to_vec())).is_err() {
                    return;
                }
            }
        }
    }
}

fn finish(
    stdout: Zeroizing<Vec<u8>>,
    status: ExitStatus,
    captured: Option<mpsc::Receiver<Vec<u8>>>,
) -> Finished {
    let stderr = captured
        .and_then(|rx| rx.recv_timeout(Duration::from_millis(100)).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Finished {
        stdout,
        stderr,
        status,
    }
}

fn wait_for(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if start.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGKILL to the helper's process group (its children too), then reaps the helper.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
