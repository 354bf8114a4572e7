//! Serving a child on a hostile machine: a served `exec` whose child reports its serving
//! variables, a shared temporary directory another user can reach, and that other user
//! (uid 65534, entered with `setpriv`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::world::*;

pub const NOBODY: &str = "65534";

/// A temporary directory that another user can reach (`TMPDIR` of the served process): the
/// test's own tree is opened for traversal, and `tmp` is world-writable and sticky, like `/tmp`.
pub fn shared_tmp(w: &World) -> PathBuf {
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
pub fn second_user() -> bool {
    let root = rustix::process::getuid().is_root();
    let setpriv = Path::new("/usr/bin/setpriv").exists();
    if !(root && setpriv) {
        eprintln!("SKIPPED: a second local user needs root and setpriv (root: {root}, setpriv: {setpriv})");
    }
    root && setpriv
}

pub fn as_nobody(script: &str) -> Command {
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
pub fn with_default_keys(w: &World) {
    w.append(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret\n",
    );
}

/// `exec PROFILE` whose child writes `name=value` lines of its serving variables to a file,
/// then runs `then`; returns the process and the variables.
pub fn served(w: &World, tmp: &Path, umask: &str, then: &str) -> (Child, Vec<(String, String)>) {
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
    let text = written_by_child(&out);
    let vars = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (child, vars)
}

pub fn var<'a>(vars: &'a [(String, String)], name: &str) -> &'a str {
    vars.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The served child's endpoint: its URL, its token and its `HOST:PORT`.
pub fn endpoint_of(vars: &[(String, String)]) -> (String, String, String) {
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

pub fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

pub fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A raw request; returns the status code.
pub fn request(authority: &str, head: &str) -> u16 {
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

/// Starts `exec PROFILE` whose child writes the endpoint's URL and token to a file and waits.
pub fn serving_child(
    w: &World,
    profile: &str,
    extra: &[(&str, &str)],
    seconds: u32,
) -> (std::process::Child, String, String) {
    serving_child_with(w, profile, seconds, |c| {
        c.envs(extra.iter().copied());
    })
}

/// [`serving_child`], its command first given to `configure`.
pub fn serving_child_with(
    w: &World,
    profile: &str,
    seconds: u32,
    configure: impl FnOnce(&mut Command),
) -> (std::process::Child, String, String) {
    let out = w.home().join("endpoint");
    let script = endpoint_script(&out, seconds);
    let mut c = w.command(&["exec", profile, "--", "sh", "-c", &script]);
    configure(&mut c);
    let child = c.spawn().unwrap();
    let text = written_by_child(&out);
    let (url, token) = text.split_once(' ').unwrap();
    (child, url.to_owned(), token.to_owned())
}

/// A raw GET; returns the status code and the body.
pub fn get(url: &str, host: Option<&str>, token: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let mut s = TcpStream::connect(authority).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!(
        "GET /{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        host.unwrap_or(authority)
    );
    if let Some(t) = token {
        req.push_str(&format!("Authorization: {t}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        resp.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned(),
    )
}

/// The endpoint's first answer (within 20 s) that is a 200 and not `before`.
pub fn until_changed(url: &str, token: &str, before: &str) -> String {
    let start = Instant::now();
    loop {
        let (status, body) = get(url, None, Some(token));
        if status == 200 && body != before {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "still serving the old session: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child's script that writes its endpoint's URL and token to `out` (whole, by a rename),
/// then waits `seconds`.
pub fn endpoint_script(out: &Path, seconds: u32) -> String {
    format!(
        "printf '%s %s' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > {0}.tmp; mv {0}.tmp {0}; sleep {seconds}",
        out.display()
    )
}

/// What a served child wrote to `out`, once it is there (within 30 s).
pub fn written_by_child(out: &Path) -> String {
    let start = Instant::now();
    loop {
        if let Ok(t) = std::fs::read_to_string(out) {
            return t;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the child never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
