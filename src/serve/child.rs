//! The one child runner, for `exec` and the TUI's role shell: a clean environment, the
//! command (default `$SHELL`), SIGINT and SIGQUIT left to the child (which shares the
//! terminal's foreground group), SIGTERM and SIGHUP sent to this process passed on to it.
//!
//! The child never outlives this process: it is started through this same binary
//! ([`LAUNCHER`]), which asks the kernel for a signal when its parent dies (`PR_SET_PDEATHSIG`,
//! kept across `execve`) and then becomes the command. Killed with SIGKILL, the endpoint is gone,
//! and so is the child it served: SIGHUP for a shell (which passes it on to its jobs), SIGTERM for
//! a command.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::process::ExitStatus;

use tokio::signal::unix::{signal, SignalKind};

use crate::domain::text::display_safe;

/// The program and arguments to run: `command`, or `$SHELL` (else `/bin/sh`) when empty.
pub fn program(command: &[OsString]) -> (OsString, Vec<OsString>) {
    match command.split_first() {
        Some((p, rest)) => (p.clone(), rest.to_vec()),
        None => (
            std::env::var_os("SHELL")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| OsString::from("/bin/sh")),
            Vec::new(),
        ),
    }
}

/// Checks that `program` can be run, as a shell would find it (through `PATH` unless it holds
/// a `/`), before anything else is done for it: a mistyped command must not cost an MFA code.
/// The error carries the shell's exit code: 127 for not found, 126 for not executable.
pub fn check_runnable(
    program: &OsString,
    path: Option<&std::ffi::OsStr>,
) -> Result<(), (u8, String)> {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    let name = display_safe(&program.to_string_lossy()).into_owned();
    let runnable =
        |p: &Path| std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.is_empty() {
        return Err((127, "the command is empty".into()));
    }
    if program.to_string_lossy().contains('/') {
        return match runnable(Path::new(program)) {
            Ok(true) => Ok(()),
            Ok(false) => Err((126, format!("{name}: not an executable file"))),
            Err(e) => Err((127, format!("{name}: {e}"))),
        };
    }
    let dirs: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let mut found_not_executable = false;
    for dir in dirs {
        match runnable(&dir.join(program)) {
            Ok(true) => return Ok(()),
            Ok(false) => found_not_executable = true,
            Err(_) => {}
        }
    }
    if found_not_executable {
        Err((126, format!("{name}: found in PATH, but not executable")))
    } else {
        Err((127, format!("command not found: {name}")))
    }
}

/// The first argument that makes this binary the launcher of a served child.
pub const LAUNCHER: &str = "__xrole-served-child";

/// The launcher's side, in the new process: `LAUNCHER PARENT SIGNAL PROGRAM ARGS…`. Asks for
/// `SIGNAL` when the parent dies, checks that the parent is still `PARENT` (it may have died
/// before the request), then becomes the program. Never returns.
pub fn launcher_main(args: Vec<OsString>) -> ! {
    use std::os::unix::process::CommandExt;
    let number = |a: Option<&OsString>| a.and_then(|a| a.to_str()?.parse::<i32>().ok());
    let (Some(parent), Some(signal)) = (number(args.first()), number(args.get(1))) else {
        eprintln!("xrole-tui: {LAUNCHER} is for xrole-tui's own use");
        std::process::exit(2);
    };
    let Some((program, rest)) = args.get(2..).and_then(<[OsString]>::split_first) else {
        std::process::exit(2);
    };
    let signal = nix::sys::signal::Signal::try_from(signal).unwrap_or(nix::sys::signal::SIGTERM);
    if nix::sys::prctl::set_pdeathsig(signal).is_err() || nix::unistd::getppid().as_raw() != parent
    {
        // The parent is gone already (or the kernel would not watch it): nothing serves us.
        std::process::exit(125);
    }
    let err = std::process::Command::new(program).args(rest).exec();
    let name = display_safe(&program.to_string_lossy()).into_owned();
    eprintln!("xrole-tui: cannot run {name}: {err}");
    std::process::exit(if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    });
}

/// The command that runs `program` through the launcher, or `program` itself when this binary
/// cannot be found again.
fn launched(program: &OsString, args: &[OsString], shell: bool) -> tokio::process::Command {
    let Ok(exe) = std::env::current_exe().and_then(std::fs::canonicalize) else {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args);
        return cmd;
    };
    let signal = if shell { libc::SIGHUP } else { libc::SIGTERM };
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg(LAUNCHER)
        .arg(std::process::id().to_string())
        .arg(signal.to_string())
        .arg(program)
        .args(args);
    cmd
}

/// Runs `command` (see [`program`]) with exactly `env` and waits for it.
pub async fn run(
    env: BTreeMap<OsString, OsString>,
    command: &[OsString],
) -> Result<ExitStatus, String> {
    run_in(env, command, None).await.0
}

/// How often a role shell's directory is looked at: `cd` then `exit` takes a person longer.
const CWD_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// [`run`], starting in `dir` when given (and still a directory), and following the child's
/// working directory while it runs (Linux's `/proc/PID/cwd`): returns the last one seen, where
/// the next role shell starts.
pub async fn run_in(
    env: BTreeMap<OsString, OsString>,
    command: &[OsString],
    dir: Option<&std::path::Path>,
) -> (Result<ExitStatus, String>, Option<std::path::PathBuf>) {
    let mut last_dir = None;
    let status = run_tracked(env, command, dir, &mut last_dir).await;
    (status, last_dir)
}

async fn run_tracked(
    env: BTreeMap<OsString, OsString>,
    command: &[OsString],
    dir: Option<&std::path::Path>,
    last_dir: &mut Option<std::path::PathBuf>,
) -> Result<ExitStatus, String> {
    let (program, args) = program(command);
    // Holding these keeps SIGINT and SIGQUIT from ending this process; the child, in the same
    // foreground process group, gets them from the terminal and decides for itself.
    let _interrupt = signal(SignalKind::interrupt());
    let _quit = signal(SignalKind::quit());
    // Listening starts before the command does, so no SIGTERM or SIGHUP is missed.
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    let mut cmd = launched(&program, &args, command.is_empty());
    cmd.env_clear().envs(env);
    if let Some(d) = dir.filter(|d| d.is_dir()) {
        cmd.current_dir(d);
    }
    let tracking = dir.is_some();
    let mut poll = tokio::time::interval(CWD_POLL);
    let mut child = cmd.spawn().map_err(|e| {
        format!(
            "cannot run {}: {e}",
            display_safe(&program.to_string_lossy())
        )
    })?;
    let pid = child
        .id()
        .and_then(|p| i32::try_from(p).ok())
        .map(nix::unistd::Pid::from_raw);
    let cwd_link = pid.map(|p| std::path::PathBuf::from(format!("/proc/{p}/cwd")));
    loop {
        let forward = tokio::select! {
            status = child.wait() => {
                return status.map_err(|e| format!("waiting for the command failed: {e}"));
            }
            _ = poll.tick(), if tracking => {
                if let Some(now) = cwd_link.as_ref().and_then(|l| std::fs::read_link(l).ok()) {
                    *last_dir = Some(now);
                }
                continue;
            }
            Some(()) = async { term.as_mut()?.recv().await } => nix::sys::signal::Signal::SIGTERM,
            Some(()) = async { hup.as_mut()?.recv().await } => nix::sys::signal::Signal::SIGHUP,
        };
        if let Some(pid) = pid {
            let _ = nix::sys::signal::kill(pid, forward);
        }
    }
}

/// The child's exit code, or 128 + the signal that ended it, as shells report it.
pub fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => u8::try_from(c & 0xff).unwrap_or(1),
        (None, Some(s)) => u8::try_from(128 + (s & 0x7f)).unwrap_or(1),
        _ => 1,
    }
}

/// How the child ended, for the TUI's status line.
pub fn describe(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "ended".to_owned(),
    }
}
