//! Serving a child on a hostile machine, through the real binary against moto: the private
//! directories under umask 000 and 022 against a second local user, a SIGKILL of the serving
//! process, a descriptor flood from another user, malformed Host headers, and the console's
//! page on SIGTERM.
//!
//! The second local user is uid 65534 (`nobody`), entered with `setpriv`; where the tests do not
//! run as root or `setpriv` is missing, the tests that need it say so and are skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::world::*;

const NOBODY: &str = "65534";

/// A temporary directory that another user can reach (`TMPDIR` of the served process): the
/// test's own tree is opened for traversal, and `tmp` is world-writable and sticky, like `/tmp`.
fn shared_tmp(w: &World) -> PathBuf {
    let mut dir = w.home();
    while let Some(parent) = dir.parent() {
        if parent == std::env::temp_dir() || parent == Path::new("/") {
            break;
        }
        dir = parent.to_owned();
    }
    for d in [dir.clone(), w.home()] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    let tmp = w.home().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    tmp
}

/// Whether a second user can be played here; says why not otherwise.
fn second_user() -> bool {
    let root = rustix::process::getuid().is_root();
    let setpriv = Path::new("/usr/bin/setpriv").exists();
    if !(root && setpriv) {
        eprintln!("SKIPPED: a second local user needs root and setpriv (root: {root}, setpriv: {setpriv})");
    }
    root && setpriv
}

fn as_nobody(script: &str) -> Command {
    let mut c = Command::new("/usr/bin/setpriv");
    c.args([
        "--reuid",
        NOBODY,
        "--regid",
        NOBODY,
        "--clear-groups",
        "sh",
        "-c",
        script,
    ]);
    c
}

/// The bastion's keys as the default profile: the child then gets rewritten copies.
fn with_default_keys(w: &World) {
    w.append(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret\n",
    );
}

/// `exec PROFILE` whose child writes `name=value` lines of its serving variables to a file,
/// then runs `then`; returns the process and the variables.
fn served(w: &World, tmp: &Path, umask: &str, then: &str) -> (Child, Vec<(String, String)>) {
    let out = w.home().join("vars");
    let _ = std::fs::remove_file(&out);
    let script = format!(
        "for v in AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN XROLE_CONTROL AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE; do \
           eval \"printf '%s=%s\\n' $v \\\"\\$$v\\\"\"; done > {0}.tmp; echo \"PID=$$\" >> {0}.tmp; mv {0}.tmp {0}; {then}",
        out.display()
    );
    let bin = env!("CARGO_BIN_EXE_xrole-tui");
    let mut c = Command::new("sh");
    c.args([
        "-c",
        &format!("umask {umask}; exec \"$0\" \"$@\""),
        bin,
        "exec",
        "app",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    c.env_clear()
        .env("HOME", w.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    let start = Instant::now();
    let text = loop {
        if let Ok(t) = std::fs::read_to_string(&out) {
            break t;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the child never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let vars = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (child, vars)
}

fn var<'a>(vars: &'a [(String, String)], name: &str) -> &'a str {
    vars.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The served child's endpoint: its URL, its token and its `HOST:PORT`.
fn endpoint_of(vars: &[(String, String)]) -> (String, String, String) {
    let url = var(vars, "AWS_CONTAINER_CREDENTIALS_FULL_URI").to_owned();
    let token = var(vars, "AWS_CONTAINER_AUTHORIZATION_TOKEN").to_owned();
    let authority = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    (url, token, authority)
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn private_directories_are_private_under_any_umask_and_another_user_cannot_touch_them() {
    let _g = serial();
    for umask in ["000", "022"] {
        let w = World::new();
        with_default_keys(&w);
        let tmp = shared_tmp(&w);
        let (child, vars) = served(&w, &tmp, umask, "exec sleep 30");
        let config = PathBuf::from(var(&vars, "AWS_CONFIG_FILE"));
        let control = PathBuf::from(var(&vars, "XROLE_CONTROL"));
        assert!(config.starts_with(&tmp), "{config:?} under TMPDIR");
        let base = tmp.join(format!("xrole-tui-{}", rustix::process::getuid().as_raw()));
        for dir in [
            base.as_path(),
            config.parent().unwrap(),
            control.parent().unwrap(),
        ] {
            assert_eq!(mode(dir), 0o700, "umask {umask}: {dir:?}");
        }
        for file in [
            &config,
            &PathBuf::from(var(&vars, "AWS_SHARED_CREDENTIALS_FILE")),
        ] {
            assert_eq!(mode(file), 0o600, "umask {umask}: {file:?}");
            let text = std::fs::read_to_string(file).unwrap();
            for secret in [HUB_SECRET, "base-secret", "default-secret", "AKIA"] {
                assert!(
                    !text.contains(secret),
                    "a long-term key in the copy {file:?}:\n{text}"
                );
            }
        }
        if second_user() {
            let script = format!(
                "printf '[profile x]\\ncredential_process = /bin/true\\n' > '{0}' 2>/dev/null && echo wrote-config; \
                 rm -f '{1}' 2>/dev/null && echo removed-socket; ls '{2}' >/dev/null 2>&1 && echo listed-base; true",
                config.display(),
                control.display(),
                base.display()
            );
            let out = as_nobody(&script).output().unwrap();
            let said = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                said.trim(),
                "",
                "umask {umask}: the other user could: {said}"
            );
            assert!(control.exists());
        }
        stop(child);
    }
}

#[test]
fn a_killed_server_takes_its_child_along_and_its_copies_are_swept_at_the_next_start() {
    let _g = serial();
    let w = World::new();
    with_default_keys(&w);
    let tmp = shared_tmp(&w);
    let (mut child, vars) = served(&w, &tmp, "022", "exec sleep 60");
    let pid: i32 = var(&vars, "PID").parse().unwrap();
    let copies = PathBuf::from(var(&vars, "AWS_CONFIG_FILE"))
        .parent()
        .unwrap()
        .to_owned();
    child.kill().unwrap(); // SIGKILL: no clean-up of its own
    child.wait().unwrap();
    let start = Instant::now();
    let gone = loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie_or_gone = state.is_empty()
            || state
                .rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'));
        if zombie_or_gone {
            break true;
        }
        if start.elapsed() > Duration::from_secs(10) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !gone {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(gone, "the child outlived the endpoint");
    assert!(
        copies.exists(),
        "SIGKILL leaves the copies for the next start to sweep"
    );
    let (next, _) = served(&w, &tmp, "022", "true");
    stop(next);
    assert!(!copies.exists(), "the copies of a dead process are swept");
}

/// A raw request; returns the status code.
fn request(authority: &str, head: &str) -> u16 {
    let mut s = TcpStream::connect(authority).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn two_host_headers_and_another_authority_are_bad_requests_and_refusals_are_said_once() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (child, vars) = served(&w, &tmp, "022", "exec sleep 30");
    let (url, token, authority) = endpoint_of(&vars);
    let (url, token) = (url.as_str(), token.as_str());
    let get = |target: &str, hosts: &[&str], token: &str| {
        let mut head = format!("GET {target} HTTP/1.1\r\n");
        for h in hosts {
            head.push_str(&format!("Host: {h}\r\n"));
        }
        head.push_str(&format!(
            "Authorization: {token}\r\nConnection: close\r\n\r\n"
        ));
        request(&authority, &head)
    };
    assert_eq!(get("/credentials", &[&authority], token), 200);
    assert_eq!(
        get("/credentials", &[&authority, &authority], token),
        400,
        "two Host headers"
    );
    assert_eq!(
        get("http://evil.example/credentials", &[&authority], token),
        400,
        "another authority"
    );
    assert_eq!(
        get(url, &[&authority], token),
        200,
        "absolute form naming this endpoint"
    );
    // The same requests arriving in two pieces go through hyper, not the fast path: same answers.
    let split = |target: &str, hosts: &[&str], token: &str| {
        let mut head = format!("GET {target} HTTP/1.1\r\n");
        for h in hosts {
            head.push_str(&format!("Host: {h}\r\n"));
        }
        head.push_str(&format!(
            "Authorization: {token}\r\nConnection: close\r\n\r\n"
        ));
        let mut s = TcpStream::connect(&authority).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let (a, b) = head.split_at(10);
        s.write_all(a.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        s.write_all(b.as_bytes()).unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        resp.split(' ')
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
            .unwrap_or(0)
    };
    assert_eq!(split("/credentials", &[&authority], token), 200);
    assert_eq!(split("/credentials", &[&authority, &authority], token), 400);
    assert_eq!(
        split("http://evil.example/credentials", &[&authority], token),
        400
    );
    for _ in 0..3 {
        assert_eq!(get("/credentials", &[&authority], "wrong-token"), 403);
    }
    let stderr = stop(child);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("refused a request"))
        .collect();
    assert_eq!(lines.len(), 1, "said once: {stderr}");
    assert!(
        lines[0].contains(&authority) && !lines[0].contains(token),
        "{}",
        lines[0]
    );
}

#[test]
fn a_descriptor_flood_from_another_user_leaves_the_child_and_the_control_socket_served() {
    let _g = serial();
    if !second_user() {
        return;
    }
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (child, vars) = served(&w, &tmp, "022", "exec sleep 60");
    let (_, token, authority) = endpoint_of(&vars);
    let control = var(&vars, "XROLE_CONTROL").to_owned();
    let (host, port) = authority.split_once(':').unwrap();
    // 1,500 connections that each send half a request head and hold it.
    let flood = format!(
        "ulimit -n 4096; exec /usr/bin/perl -MIO::Socket::INET -e '\
         my @s; for (1..1500) {{ my $c = IO::Socket::INET->new(PeerAddr => \"{host}\", PeerPort => {port}, Timeout => 2) or next; \
         print $c \"GET /credentials HTTP/1.1\\r\\nX: \"; push @s, $c; }} print scalar(@s), \"\\n\"; $| = 1; sleep 20;'"
    );
    let mut flooder = as_nobody(&flood).stdout(Stdio::piped()).spawn().unwrap();
    let mut opened = String::new();
    let mut out = flooder.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        opened.push(byte[0] as char);
    }
    let server_pid = child.id();
    let cpu = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let f: Vec<u64> = stat
            .rsplit(')')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0)
    };
    let before = cpu(server_pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu(server_pid) - before;
    let head = format!(
        "GET /credentials HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    );
    let served_ok = (0..20).any(|_| {
        let ok = request(&authority, &head) == 200;
        if !ok {
            std::thread::sleep(Duration::from_millis(250));
        }
        ok
    });
    let mut status = w.command(&["status", "--json"]);
    status.env("XROLE_CONTROL", &control);
    let status = w.run_with(status, "");
    let _ = flooder.kill();
    let _ = flooder.wait();
    stop(child);
    assert!(
        opened.trim().parse::<u32>().unwrap_or(0) > 100,
        "the flood opened {opened}"
    );
    assert!(served_ok, "the child was not served during the flood");
    assert!(
        status.status.success(),
        "status: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    // Clock ticks of 10 ms: a spinning accept loop would spend most of the 2 s.
    assert!(
        spent < 100,
        "the server spent {spent} ticks in 2 s during the flood"
    );
}

#[test]
fn the_consoles_page_is_removed_when_sigterm_comes_during_its_wait() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (endpoint, _got) = support::federation::federation();
    let opened = w.home().join("opened");
    let browser = w.home().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut c = w.command(&["console", "app"]);
    c.env("XROLE_SIGNIN_ENDPOINT", &endpoint)
        .env("BROWSER", &browser)
        .env("TMPDIR", &tmp);
    let child = c.spawn().unwrap();
    let start = Instant::now();
    let page = loop {
        if let Ok(t) = std::fs::read_to_string(&opened) {
            if !t.trim().is_empty() {
                break PathBuf::from(t.trim().trim_start_matches("file://"));
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the browser was never opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        page.exists(),
        "the page is there while the browser reads it"
    );
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    assert!(!page.exists(), "the sign-in page outlived SIGTERM");
    assert!(!page.parent().unwrap().exists());
}

#[test]
fn a_background_job_that_outlives_its_command_gets_a_refusal_and_the_port_stays_held() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let job_pid = w.home().join("job-pid");
    // The command starts a job that outlives it, then ends at once.
    let then = format!(
        "(exec sleep 6) > /dev/null 2>&1 & echo $! > '{}'",
        job_pid.display()
    );
    let (child, vars) = served(&w, &tmp, "022", &then);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, token, authority) = endpoint_of(&vars);
    let token = token.as_str();
    let head = format!(
        "GET /credentials HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(
        request(&authority, &head),
        403,
        "the job is refused, by the holder"
    );
    assert!(
        std::net::TcpListener::bind(&authority).is_err(),
        "nobody else can take the port while the job runs"
    );
    // The job ends; so does the holder, within a few looks.
    let job: i32 = std::fs::read_to_string(&job_pid)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let start = Instant::now();
    while Path::new(&format!("/proc/{job}")).exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let start = Instant::now();
    let freed = loop {
        if TcpStream::connect(&authority).is_err() {
            break true;
        }
        if start.elapsed() > Duration::from_secs(15) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(freed, "the holder stayed after the job ended");
}

#[test]
fn a_client_that_keeps_its_connection_gets_a_second_answer_on_it() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (child, vars) = served(&w, &tmp, "022", "exec sleep 30");
    let (_, token, authority) = endpoint_of(&vars);
    let token = token.as_str();
    let head =
        format!("GET /credentials HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\n\r\n");
    let mut s = TcpStream::connect(&authority).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answers = Vec::new();
    for _ in 0..2 {
        s.write_all(head.as_bytes()).unwrap();
        // Read one response: its head, then as many bytes as its content-length says.
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\r\n\r\n") {
            assert_eq!(s.read(&mut byte).unwrap(), 1, "the connection closed early");
            got.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&got).to_lowercase();
        let len: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).unwrap();
        answers.push((text.split(' ').nth(1).unwrap_or("").to_owned(), body));
    }
    stop(child);
    for (status, body) in &answers {
        assert_eq!(status, "200");
        assert!(String::from_utf8_lossy(body).contains("\"Token\""));
    }
}
