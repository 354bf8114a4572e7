//! The port of an ended child's endpoint, held while programs it served are still running.
//!
//! A background job can outlive the shell that started it (`cmd &` then `exit`, `nohup`). It
//! still holds the endpoint's address; were the port let go, another local user could bind it,
//! serve the job their own credentials and read its token. So when the child ends and a process
//! still carries the endpoint's URL in its environment, the listening socket is handed to a
//! small detached process of this binary ([`HOLDER`]) that refuses every request with a reason,
//! and ends once no such process is left (looked at every few seconds, for a day at most).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// The first argument that makes this binary a holder: `HOLDER URL`, the listener as stdin.
pub const HOLDER: &str = "__xrole-hold-endpoint";
/// The one variable a holder keeps from its parent's environment.
const RUN_MARKER: &str = "XROLE_TEST_RUN";
/// How often a holder looks for the programs it waits for.
const LOOK_EVERY: Duration = Duration::from_secs(3);
/// A holder never stays longer.
const AT_MOST: Duration = Duration::from_secs(24 * 3600);

/// Whether a process of this user (other than this one) has `url` as its endpoint.
pub fn still_served(url: &str) -> bool {
    let marker = format!("AWS_CONTAINER_CREDENTIALS_FULL_URI={url}");
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
            return false;
        };
        pid != me
            && std::fs::read(e.path().join("environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|kv| kv == marker.as_bytes()))
    })
}

/// Hands `listener` to a detached holder when a program still uses `url`; otherwise lets it
/// go. Best effort: a holder that cannot start leaves the port free, as before.
pub fn hand_off(listener: OwnedFd, url: &str) {
    if !still_served(url) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut cmd = std::process::Command::new(exe);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let spawned = cmd
        .arg(HOLDER)
        .arg(url)
        .env_clear()
        // A supervisor's marker (the test suite finds its own processes by it) is kept.
        .envs(std::env::var_os(RUN_MARKER).map(|v| (RUN_MARKER, v)))
        .stdin(std::process::Stdio::from(listener))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = spawned {
        // Reaped in the background when the holder ends before this process does.
        std::thread::spawn(move || child.wait());
    }
}

/// The holder's side: refuses requests on the listener given as stdin until no process uses
/// `url` any more. Never returns.
pub fn holder_main(url: &str) -> ! {
    let listener = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(TcpListener::from);
    // The socket was non-blocking in the server's event loop; the flag is the socket's own.
    let Ok(listener) = listener.and_then(|l| l.set_nonblocking(false).map(|()| l)) else {
        std::process::exit(1);
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            refuse(stream);
        }
    });
    let start = Instant::now();
    while start.elapsed() < AT_MOST && still_served(url) {
        std::thread::sleep(LOOK_EVERY);
    }
    std::process::exit(0);
}

fn refuse(mut stream: std::net::TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let mut head = [0u8; 4096];
    let _ = stream.read(&mut head);
    let message = "xrole-tui: the shell or command this endpoint served has ended; its background jobs get no more credentials";
    let body = format!(
        "{{\"code\":\"AccessDenied\",\"Code\":\"AccessDenied\",\"message\":\"{message}\",\"Message\":\"{message}\"}}"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
