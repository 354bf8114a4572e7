//! The real binary in a real pseudo-terminal: a private tmux server, keys in, screen text out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server (its own socket) running one pane.
pub struct Pane {
    socket: PathBuf,
}

fn tmux_available() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "tmux is needed for the terminal tests: install it (apt-get install tmux) or run .ci/run, which does");
}

impl Pane {
    /// Runs `script` (a shell command line) in a `w`×`h` pane with exactly `env`.
    pub fn start(dir: &Path, script: &str, env: &[(&str, String)], w: u16, h: u16) -> Self {
        tmux_available();
        let socket = dir.join("tmux.sock");
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-s", "t"]);
        cmd.args(["-x", &w.to_string(), "-y", &h.to_string()]);
        for (k, v) in env {
            cmd.args(["-e", &format!("{k}={v}")]);
        }
        cmd.arg(script);
        let out = cmd
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Pane { socket }
    }

    /// Runs a tmux command on this pane's server (for example `set-option`, `show-buffer`).
    #[allow(dead_code)] // not every test binary uses it
    pub fn command(&self, args: &[&str]) -> String {
        self.tmux(args)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types keys (tmux key names: `Enter`, `Escape`, `C-c`, or literal text).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// The pid of the pane's first process.
    pub fn pid(&self) -> u32 {
        self.tmux(&["display-message", "-p", "-t", "t", "#{pane_pid}"])
            .trim()
            .parse()
            .unwrap()
    }

    /// A tmux format of the pane (`#{cursor_flag}`, `#{alternate_on}`).
    pub fn format(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", format])
            .trim()
            .to_owned()
    }

    /// Waits until `text` is on screen; fails with the screen after `secs` seconds.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "waited {secs}s for {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// Waits until `path` exists and returns its contents.
pub fn wait_file(path: &Path, secs: u64) -> String {
    let start = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with('\n') {
                return s;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "waited {secs}s for {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pid of a child of `parent` whose command name is `name` (read from /proc, no pgrep).
pub fn child_named(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (head, tail) = stat.rsplit_once(')')?;
        let comm = head.split_once('(')?.1;
        let ppid: u32 = tail.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm == name).then_some(pid)
    })
}

/// The pid of a process named `name` under `root`, at any depth.
pub fn descendant_named(root: u32, name: &str) -> Option<u32> {
    let mut parents = vec![root];
    for _ in 0..8 {
        if let Some(pid) = parents.iter().find_map(|&p| child_named(p, name)) {
            return Some(pid);
        }
        parents = std::fs::read_dir("/proc")
            .ok()?
            .flatten()
            .filter_map(|e| {
                let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                let ppid: u32 = stat
                    .rsplit_once(')')?
                    .1
                    .split_whitespace()
                    .nth(1)?
                    .parse()
                    .ok()?;
                parents.contains(&ppid).then_some(pid)
            })
            .collect();
    }
    None
}

/// Sends `signal` to `pid`.
pub fn signal(pid: u32, signal: nix::sys::signal::Signal) {
    let pid = i32::try_from(pid).unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).unwrap();
}

/// The environment of a pane that runs the binary against moto at `endpoint`, with `home` as
/// its home: nothing else of this process's environment gets in.
pub fn tui_env(home: &Path, endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.display().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TERM", "xterm-256color".into()),
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
    ]
}
