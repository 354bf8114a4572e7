//! Sessions shared across processes, through the real binary against moto: concurrent callers
//! wait on the broker's lock and use one result, and a holder killed with SIGKILL blocks no one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use support::world::*;

/// Adds three roles on one MFA device (carol's) whose code comes from `mfa_process`.
fn add_carol(w: &World, mfa_process: &str) {
    w.append(
        ".aws/config",
        &format!(
        "[profile carol]\nmfa_process = {mfa_process}\n\
         [profile c-dev]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = carol\nmfa_serial = arn:aws:iam::111111111111:mfa/carol\n\
         [profile c-prod]\nrole_arn = arn:aws:iam::333333333333:role/admin\nsource_profile = carol\nmfa_serial = arn:aws:iam::111111111111:mfa/carol\n\
         [profile c-ops]\nrole_arn = arn:aws:iam::444444444444:role/ops\nsource_profile = carol\nmfa_serial = arn:aws:iam::111111111111:mfa/carol\n"
        ),
    );
    w.append(
        ".aws/credentials",
        "[carol]\naws_access_key_id = AKIACAROL00000000001\naws_secret_access_key = carol-secret\n",
    );
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn twenty_parallel_credential_processes_share_one_code_and_one_call_per_step() {
    let _g = serial();
    let w = World::new();
    let asked = w.home().join("asked");
    // Slow enough that the waiters pass the 2 s mark and say whom they wait for.
    add_carol(
        &w,
        &format!(
            "sh -c 'echo x >> {}; sleep 2.5; echo {CODE}'",
            asked.display()
        ),
    );
    moto().start_recording();
    let profiles = ["c-dev", "c-prod", "c-ops"];
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut c = w.command(&["credential-process", profiles[i % 3]]);
            c.stdin(std::process::Stdio::null());
            (profiles[i % 3], c.spawn().unwrap())
        })
        .collect();
    let mut waiting_said = false;
    for (profile, child) in children {
        let out = child.wait_with_output().unwrap();
        let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
        assert!(
            v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
            "{profile}: {v}"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        waiting_said |= err.contains("waiting for process")
            && err.contains("asking for an MFA code for arn:aws:iam::111111111111:mfa/carol");
    }
    assert_eq!(lines(&asked), 1, "one code for twenty processes");
    assert_eq!(moto().count("GetSessionToken"), 1);
    assert_eq!(moto().count("AssumeRole"), 3);
    assert!(waiting_said, "a waiter names the process holding the lock");
}

#[test]
fn a_holder_killed_with_sigkill_blocks_no_one() {
    let _g = serial();
    let w = World::new();
    let pid_file = w.home().join("helper.pid");
    // The first run's helper never answers in time: it is killed while it holds the lock.
    add_carol(
        &w,
        &format!(
            "sh -c 'echo $$ > {}; sleep 60; echo {CODE}'",
            pid_file.display()
        ),
    );
    let mut first = w.command(&["credential-process", "c-dev"]);
    first.stdin(std::process::Stdio::null());
    let mut first = first.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let prompting = loop {
        let found = std::fs::read_dir(w.cache()).ok().and_then(|d| {
            d.flatten()
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .find(|t| t.contains("\tprompting\t"))
        });
        if let Some(text) = found {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "the first run never took the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        prompting.starts_with(&first.id().to_string()),
        "{prompting}"
    );
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    if let Ok(pid) = std::fs::read_to_string(&pid_file) {
        if let Ok(pid) = pid.trim().parse::<i32>() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }

    // The next run gets the code from a quick helper and is not held up by the dead one.
    let config = std::fs::read_to_string(w.home().join(".aws/config")).unwrap();
    let quick = config
        .lines()
        .map(|l| {
            if l.starts_with("mfa_process = sh -c 'echo $$") {
                format!("mfa_process = echo {CODE}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(w.home().join(".aws/config"), quick + "\n").unwrap();
    let out = w.run(&["credential-process", "c-dev"], "");
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("gave up"), "{err}");
}

/// A loopback server that answers every request with `response`, counting requests; it ends
/// when the returned guard is dropped (its port is closed by a last connection).
struct Stub {
    port: u16,
    count: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    /// Forwards each connection to `upstream` (a plain HTTP proxy for absolute-form requests),
    /// or answers `status` when there is none.
    fn start(upstream: Option<u16>, status: u16) -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = std::sync::Arc::new(AtomicUsize::new(0));
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let (c, s) = (count.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                match upstream {
                    Some(up) => {
                        let mut out = std::net::TcpStream::connect(("127.0.0.1", up)).unwrap();
                        let (mut a, mut b) = (conn.try_clone().unwrap(), out.try_clone().unwrap());
                        std::thread::spawn(move || {
                            let _ = std::io::copy(&mut a, &mut b);
                        });
                        let _ = std::io::copy(&mut out, &mut conn);
                    }
                    None => {
                        let mut buf = [0u8; 8192];
                        let _ = std::io::Read::read(&mut conn, &mut buf);
                        let _ = write!(
                            conn,
                            "HTTP/1.1 {status} Oops\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        );
                    }
                }
            }
        });
        Stub {
            port,
            count,
            stop,
            thread: Some(thread),
        }
    }

    fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_sts_endpoint_variable_beats_the_general_one() {
    let _g = serial();
    let w = World::new();
    let mut c = w.command(&["whoami", "app", "--json"]);
    c.env(
        "AWS_ENDPOINT_URL",
        format!("http://127.0.0.1:{}", closed_port()),
    )
    .env("AWS_ENDPOINT_URL_STS", &moto().endpoint);
    let v = json(&w.run_with(c, ""));
    assert_eq!(v["account"], "222222222222");
}

#[test]
fn a_services_section_in_the_config_reaches_sts() {
    let _g = serial();
    let w = World::new();
    w.append(
        ".aws/config",
        &format!(
        "[profile svc]\nrole_arn = arn:aws:iam::222222222222:role/app\nsource_profile = base\nservices = emulator\n\
         [services emulator]\nsts =\n  endpoint_url = {}\n",
        moto().endpoint
        ),
    );
    let mut c = w.command(&["whoami", "svc", "--json"]);
    c.env_remove("AWS_ENDPOINT_URL");
    let v = json(&w.run_with(c, ""));
    assert_eq!(v["account"], "222222222222");
}

#[test]
fn requests_go_through_the_proxy_of_the_environment() {
    let _g = serial();
    let w = World::new();
    let proxy = Stub::start(Some(moto().port), 0);
    let mut c = w.command(&["whoami", "app", "--json"]);
    c.env("HTTP_PROXY", format!("http://127.0.0.1:{}", proxy.port));
    let v = json(&w.run_with(c, ""));
    assert_eq!(v["account"], "222222222222");
    assert!(proxy.count() >= 1, "no request went through the proxy");
}

#[test]
fn max_attempts_from_the_environment_bounds_the_retries() {
    let _g = serial();
    let w = World::new();
    let failing = Stub::start(None, 500);
    let mut c = w.command(&["whoami", "app"]);
    c.env(
        "AWS_ENDPOINT_URL",
        format!("http://127.0.0.1:{}", failing.port),
    )
    .env("AWS_MAX_ATTEMPTS", "2");
    let out = w.run_with(c, "");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        failing.count(),
        2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn instance_metadata_that_is_turned_off_is_said_at_once() {
    let _g = serial();
    let w = World::new();
    w.append(
        ".aws/config",
        "[profile on-ec2]\nrole_arn = arn:aws:iam::222222222222:role/app\ncredential_source = Ec2InstanceMetadata\n",
    );
    let out = w.run(&["whoami", "on-ec2"], "");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AWS_EC2_METADATA_DISABLED"), "{err}");
}

#[test]
fn long_term_keys_never_leave_the_process() {
    let _g = serial();
    let w = World::new();
    for args in [&["env", "base"][..], &["credential-process", "base"]] {
        let out = ok(&w.run(args, ""));
        assert!(
            !out.contains("AKIABASE000000000001") && !out.contains("base-secret"),
            "{args:?} handed out the long-term keys: {out}"
        );
        assert!(
            out.contains("AWS_SESSION_TOKEN") || out.contains("SessionToken"),
            "{args:?}: temporary keys instead: {out}"
        );
    }
    let out = ok(&w.run(
        &[
            "exec",
            "--static",
            "base",
            "--",
            "sh",
            "-c",
            "echo id=$AWS_ACCESS_KEY_ID token=${#AWS_SESSION_TOKEN}",
        ],
        "",
    ));
    assert!(
        !out.contains("AKIABASE") && !out.contains("token=0"),
        "{out}"
    );
}

#[test]
fn no_session_hands_out_the_long_term_keys_only_when_asked() {
    let _g = serial();
    let w = World::new();
    let out = w.run(&["env", "--no-session", "base"], "");
    let text = ok(&out);
    assert!(
        text.contains("AKIABASE000000000001") && !text.contains("AWS_SESSION_TOKEN='"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("long-term keys themselves"));
    w.append(
        ".aws/credentials",
        "[raw]\naws_access_key_id = AKIARAW0000000000001\naws_secret_access_key = raw-secret\n",
    );
    w.append(".aws/config", "[profile raw]\nxrole_session = none\n");
    assert!(ok(&w.run(&["env", "raw"], "")).contains("AKIARAW0000000000001"));
    let listed = ok(&w.run(&["list", "--json"], ""));
    assert!(
        listed.contains("long-term keys themselves are handed out"),
        "the list says which applies"
    );
    let out = w.run(&["env", "--no-session", "app"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--no-session applies to a profile of long-term keys"));
}
