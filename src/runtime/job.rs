//! Stopping the job for Ctrl-Z: every process of our process group (a wrapper script too), and
//! only when a shell with job control is there to continue it.

use nix::sys::signal::{killpg, Signal};
use nix::unistd::{getpgid, getpgrp, getppid, getsid, Pid};

/// True when the process group is not orphaned: some ancestor outside the group is in the same
/// session (the shell that started the job). An orphaned group would stay stopped for good, so
/// the kernel discards stop signals to it, and so do we.
pub fn can_stop() -> bool {
    let (group, session) = (getpgrp(), getsid(None));
    let Ok(session) = session else {
        return false;
    };
    let mut pid = getppid();
    for _ in 0..64 {
        if pid.as_raw() <= 1 {
            return false;
        }
        let Ok(pg) = getpgid(Some(pid)) else {
            return false;
        };
        if pg != group {
            return getsid(Some(pid)).is_ok_and(|s| s == session);
        }
        match parent_of(pid) {
            Some(p) => pid = p,
            None => return false,
        }
    }
    false
}

/// Stops the whole group at once with SIGSTOP (a wrapper shell too, so the job's shell sees
/// the job stopped). One signal to the group, rather than one to the others and then one to
/// ourselves: a `fg` that came in between would otherwise find us not yet stopped, and we
/// would stop after it for good. A SIGCONT sent after this discards a stop still pending.
pub fn stop() {
    let _ = killpg(getpgrp(), Signal::SIGSTOP);
}

/// The parent of `pid`, from `/proc/PID/stat` (the field after the command name).
fn parent_of(pid: Pid) -> Option<Pid> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
    Some(Pid::from_raw(ppid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_is_read_from_proc() {
        assert_eq!(parent_of(nix::unistd::getpid()), Some(getppid()));
        assert_eq!(parent_of(Pid::from_raw(i32::MAX)), None);
    }
}
