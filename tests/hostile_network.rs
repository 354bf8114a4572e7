//! Endpoints that drop packets or never answer, through the real binary: each call ends within
//! its documented bound with a message, never a hang.
//!
//! "Drops packets" is a loopback listener whose accept queue is full: Linux then ignores new
//! connection attempts, as a firewall does, so the client waits for its connect timeout.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

/// A listener that never accepts, its queue filled. Keep the result alive while testing.
fn black_hole() -> (Socket, Vec<TcpStream>, u16) {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&addr.into()).unwrap();
    socket.listen(0).unwrap();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    let target: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut fillers = Vec::new();
    while let Ok(s) = TcpStream::connect_timeout(&target, Duration::from_millis(300)) {
        fillers.push(s);
        assert!(fillers.len() < 64, "the accept queue never filled");
    }
    (socket, fillers, port)
}

const CONFIG: &str =
    "[profile app]\nrole_arn = arn:aws:iam::222222222222:role/app\nsource_profile = base\n";
const KEYS: &str = "[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = s\n";

fn env_app(port: u16, extra: &[(&str, &str)]) -> (Output, Duration) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), CONFIG).unwrap();
    std::fs::write(dir.path().join("credentials"), KEYS).unwrap();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(["env", "app"])
        .env_clear()
        .env("HOME", dir.path())
        .env("XROLE_CACHE", "none")
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("credentials"),
        )
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .envs(extra.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            child.kill().unwrap();
            panic!("xrole-tui env hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out, start.elapsed())
}

#[test]
fn an_endpoint_that_drops_packets_costs_one_connect_timeout() {
    let (_listener, _fillers, port) = black_hole();
    let (out, took) = env_app(port, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("timed out connecting to the STS endpoint"),
        "{err}"
    );
    assert!(!err.contains("DispatchFailure"), "no debug dump: {err}");
    // 3 s to connect, and no second attempt (three attempts took 11 s); the bound is 5 s.
    assert!(took >= Duration::from_secs(3), "{took:?}");
    assert!(
        took < Duration::from_secs(5) + Duration::from_secs(3),
        "{took:?}"
    );
}

#[test]
fn an_endpoint_that_never_answers_ends_at_the_call_bound() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // Accepts and reads, never writes.
    std::thread::spawn(move || {
        for conn in silent.incoming().flatten() {
            std::thread::spawn(move || {
                let mut conn = conn;
                let mut buf = [0u8; 4096];
                while conn.read(&mut buf).is_ok_and(|n| n > 0) {}
            });
        }
    });
    let (out, took) = env_app(
        port,
        &[
            ("XROLE_ATTEMPT_TIMEOUT", "0.5"),
            ("XROLE_CALL_TIMEOUT", "1.2"),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("timed out"), "{err}");
    assert!(took < Duration::from_secs(10), "{took:?}");

    let (out, _) = env_app(port, &[("XROLE_CALL_TIMEOUT", "soon")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("XROLE_CALL_TIMEOUT is \"soon\""), "{err}");
}
