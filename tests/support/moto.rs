//! A moto server on a free loopback port, for one test binary; stopped when dropped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `moto_server`.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The port.
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// Runs its arguments (moto) in the background; stops them on SIGTERM, or when the parent (the
/// test process) is gone.
const WATCHDOG: &str = r#""$@" & moto=$!
trap 'kill $moto 2>/dev/null; wait $moto; exit 0' TERM INT HUP
while kill -0 "$PPID" 2>/dev/null && kill -0 "$moto" 2>/dev/null; do sleep 0.3; done
kill "$moto" 2>/dev/null
wait "$moto"
"#;

fn moto_binary() -> String {
    let name = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
    let found = Command::new(&name)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`{name}` was not found. These tests need a real moto server: run \
         `pip install 'moto[server]'` (or .ci/run, which installs it), or set MOTO_SERVER to its path."
    );
    name
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Moto {
    /// Starts moto and waits until it answers.
    pub fn start() -> Self {
        let binary = moto_binary();
        let mut last_log = String::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("temp dir");
            let log = dir.path().join("moto.log");
            let port = free_port();
            let out = std::fs::File::create(&log).expect("moto log file");
            let err = out.try_clone().expect("moto log file");
            // Through a watchdog: a shared server lives in a static that is never dropped, so
            // the watchdog stops moto when this test process ends, however it ends.
            let child = Command::new("sh")
                .args(["-c", WATCHDOG, "sh", &binary])
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env_remove("MOTO_ACCOUNT_ID")
                .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording"))
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("start moto_server");
            let mut moto = Moto {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
                port,
                log,
                _dir: dir,
            };
            if moto.wait_ready(Duration::from_secs(60)) {
                return moto;
            }
            last_log = std::fs::read_to_string(&moto.log).unwrap_or_default();
        }
        panic!("moto_server did not start; its output:\n{last_log}");
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if self
                .get("/moto-api/")
                .is_some_and(|r| r.starts_with("HTTP/1."))
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// A raw HTTP request to moto; returns the whole response.
    pub fn request(&self, method: &str, path: &str, body: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(req.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    }

    fn get(&self, path: &str) -> Option<String> {
        self.request("GET", path, "")
    }

    /// Forgets every resource (`POST /moto-api/reset`).
    pub fn reset(&self) {
        self.request("POST", "/moto-api/reset", "")
            .expect("moto reset");
    }

    /// Starts recording every request moto receives (see [`Moto::actions`]).
    pub fn start_recording(&self) {
        self.request("POST", "/moto-api/recorder/reset-recording", "")
            .expect("moto reset-recording");
        self.request("POST", "/moto-api/recorder/start-recording", "")
            .expect("moto start-recording");
    }

    /// Every query-protocol request (STS) recorded since [`Moto::start_recording`]: its
    /// `Action` and its whole form body.
    pub fn actions_with_bodies(&self) -> Vec<(String, String)> {
        let response = self
            .request("GET", "/moto-api/recorder/download-recording", "")
            .expect("moto download-recording");
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        body.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|v| {
                let raw = v.get("body")?.as_str()?;
                let body =
                    if v.get("body_encoded").and_then(serde_json::Value::as_bool) == Some(false) {
                        raw.to_owned()
                    } else {
                        String::from_utf8(aws_smithy_types::base64::decode(raw).ok()?).ok()?
                    };
                let action = body
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("Action="))?
                    .to_owned();
                Some((action, body))
            })
            .collect()
    }

    /// Method and URL of every request recorded since [`Moto::start_recording`].
    pub fn requests(&self) -> Vec<(String, String)> {
        let response = self
            .request("GET", "/moto-api/recorder/download-recording", "")
            .expect("moto download-recording");
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        body.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|v| {
                Some((
                    v.get("method")?.as_str()?.to_owned(),
                    v.get("url")?.as_str()?.to_owned(),
                ))
            })
            .collect()
    }

    /// The `Action` of every recorded query-protocol request.
    pub fn actions(&self) -> Vec<String> {
        self.actions_with_bodies()
            .into_iter()
            .map(|(a, _)| a)
            .collect()
    }

    /// How many recorded requests were `action`.
    pub fn count(&self, action: &str) -> usize {
        self.actions().iter().filter(|a| *a == action).count()
    }
}

/// An S3 client for seeding moto in `region`: keys of moto's default account, path-style
/// addressing (a bucket cannot be a host name on loopback).
pub async fn seeding_s3(endpoint: &str, region: &'static str) -> aws_sdk_s3::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .empty_test_environment()
        .endpoint_url(endpoint)
        .region(aws_config::Region::from_static(region))
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKIASEED", "seed", None, None, "test",
        ))
        .load()
        .await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}

impl Drop for Moto {
    fn drop(&mut self) {
        // SIGTERM lets the watchdog stop moto; SIGKILL would leave moto behind.
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(0));
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python that can import boto3: moto's own, else python3.
pub fn boto3_python() -> std::path::PathBuf {
    std::env::var_os("MOTO_SERVER")
        .map(std::path::PathBuf::from)
        .and_then(|m| m.parent().map(|d| d.join("python")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| std::path::PathBuf::from("python3"))
}
