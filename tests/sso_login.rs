//! `sso login` and `sso logout` end to end, on loopback stand-ins of SSO-OIDC and the portal
//! that follow their documented contracts (no emulator has them; see `support::sso`), with moto
//! behind the portal's role credentials. The token file is read back by botocore's own SSO token
//! loader, so the AWS CLI and the SDKs use what this tool wrote.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::botocore::python;
use support::sso::{mint, Sso, SSO_CONFIG, SSO_ROLE};
use support::world::*;
use xrole_tui::domain::sso_login::registration_file_name;
use xrole_tui::domain::sso_token::file_name;

const START: &str = "https://corp.awsapps.example/start";

struct Setup {
    w: World,
    sso: Sso,
}

fn setup() -> Setup {
    let w = World::new();
    w.append(".aws/config", SSO_CONFIG);
    let sso = Sso::start();
    sso.assign(
        "555555555555",
        "VendorAdmin",
        mint(&moto().endpoint, SSO_ROLE, "alice@vendor.example"),
    );
    Setup { w, sso }
}

impl Setup {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = self.w.command(args);
        c.env("AWS_ENDPOINT_URL_SSO", &self.sso.portal_url)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &self.sso.oidc_url)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        bounded(self.command(args).spawn().unwrap(), Duration::from_secs(60))
    }

    fn cache(&self) -> PathBuf {
        self.w.home().join(".aws/sso/cache")
    }

    fn token(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.cache().join(file_name("corp"))).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn registration(&self) -> serde_json::Value {
        let name = registration_file_name(
            START,
            "eu-west-1",
            Some(&["sso:account:access".to_owned()]),
            Some("corp"),
        );
        serde_json::from_str(&std::fs::read_to_string(self.cache().join(name)).unwrap()).unwrap()
    }

    /// botocore's SSO token loader, as the AWS CLI and boto3 read the token.
    fn botocore_token(&self) -> serde_json::Value {
        let script = "import json, sys\nfrom botocore.utils import SSOTokenLoader\nfrom botocore.credentials import JSONFileCache\nt = SSOTokenLoader(JSONFileCache(sys.argv[1]))(sys.argv[2], session_name='corp')\nprint(json.dumps({k: t.get(k) for k in ('accessToken', 'startUrl', 'region', 'refreshToken', 'expiresAt')}))";
        let out = Command::new(python())
            .args(["-c", script])
            .arg(self.cache())
            .arg(START)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// Waits for `child` within `limit`; kills it and fails past that.
fn bounded(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    panic!(
        "still running after {limit:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One GET, as a browser that does not follow redirects: the status and the `Location`.
fn get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut conn = TcpStream::connect(authority).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let location = answer
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .map(str::to_owned);
    (status, location, answer)
}

#[test]
fn the_device_code_login_polls_through_pending_and_writes_a_token_botocore_reads() {
    let _g = serial();
    let s = setup();
    s.sso.set_pending_polls(2);
    // No display here, so the device flow is chosen without being asked for.
    let out = s.run(&["sso", "login", "--sso-session", "corp", "--no-browser"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("https://device.sso.example/"), "{err}");
    assert!(err.contains("WXYZ-1234"), "the user code is printed: {err}");
    assert!(err.contains("logged in"), "{err}");
    let calls = s.sso.token_calls();
    assert_eq!(
        calls.len(),
        3,
        "two pending answers, then the token: {calls:?}"
    );
    assert!(calls
        .iter()
        .all(|c| c["grantType"] == "urn:ietf:params:oauth:grant-type:device_code"));

    let path = s.cache().join(file_name("corp"));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let t = s.botocore_token();
    assert_eq!(t["accessToken"], "login-access-1", "{t}");
    assert_eq!(t["startUrl"], START);
    assert_eq!(t["region"], "eu-west-1");
    assert_eq!(t["refreshToken"], "login-refresh-1");
    assert!(
        s.registration().get("grantTypes").is_none(),
        "a device registration"
    );
    assert!(
        !err.contains("login-access-1") && !err.contains("client-secret"),
        "{err}"
    );

    // The token opens the profile and the role chained from it.
    let v = json(&s.run(&["whoami", "vendor-access", "--json"]));
    assert_eq!(v["account"], "666666666666", "{v}");

    // A second login reuses the cached registration, as the AWS CLI does.
    s.sso.set_pending_polls(0);
    ok(&s.run(&[
        "sso",
        "login",
        "vendor-sso",
        "--use-device-code",
        "--no-browser",
    ]));
    assert_eq!(s.sso.registrations().len(), 1);
    assert_eq!(s.token()["accessToken"], "login-access-2");
}

#[test]
fn the_pkce_login_comes_back_to_its_listener_with_the_right_state_only() {
    let _g = serial();
    let s = setup();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = s.command(&[
        "sso",
        "login",
        "vendor-sso",
        "--no-browser",
        "--redirect-port",
        &port.to_string(),
    ]);
    c.env("DISPLAY", ":0");
    let mut child = c.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut shown = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "ended: {shown}");
        shown.push_str(&line);
        if let Some(u) = line
            .trim()
            .strip_prefix(&format!("{}/authorize?", s.sso.oidc_url))
        {
            break format!("{}/authorize?{u}", s.sso.oidc_url);
        }
    };
    assert!(
        !shown.contains("WXYZ"),
        "no device code in this flow: {shown}"
    );
    let callback = format!("http://127.0.0.1:{port}/oauth/callback");
    // Strangers are waited past: another path, and a code with the wrong state.
    assert_eq!(get(&format!("http://127.0.0.1:{port}/favicon.ico")).0, 404);
    assert_eq!(get(&format!("{callback}?code=forged&state=wrong")).0, 400);

    // The test plays the browser: the portal's page sends it back with a code.
    let (status, location, page) = get(&url);
    assert_eq!(status, 302, "{page}");
    let location = location.unwrap();
    assert!(location.starts_with(&callback), "{location}");
    let (status, _, page) = get(&location);
    assert_eq!(status, 200);
    assert!(page.contains("Signed in"), "{page}");

    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    child.stderr = None;
    let out = bounded(child, Duration::from_secs(30));
    assert!(out.status.success(), "{shown}{rest}");
    let q = &s.sso.authorize_calls()[0];
    assert_eq!(q["redirect_uri"], callback);
    assert_eq!(q["scopes"], "sso:account:access");
    let reg = s.registration();
    assert_eq!(
        reg["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    let t = s.botocore_token();
    assert_eq!(t["accessToken"], "login-access-1", "{t}");
    assert_eq!(t["refreshToken"], "login-refresh-1");
    let v = json(&s.run(&["whoami", "vendor-sso", "--json"]));
    assert_eq!(v["account"], "555555555555", "{v}");
}

#[test]
fn logout_reaches_the_portal_and_the_next_use_asks_for_a_login() {
    let _g = serial();
    let s = setup();
    s.sso.set_pending_polls(0);
    ok(&s.run(&[
        "sso",
        "login",
        "--sso-session",
        "corp",
        "--use-device-code",
        "--no-browser",
    ]));
    ok(&s.run(&["whoami", "vendor-access"]));

    let out = s.run(&["sso", "logout", "--sso-session", "corp"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(s.sso.logouts(), ["login-access-1"]);
    assert!(!s.sso.accepts("login-access-1"));
    assert!(!s.cache().join(file_name("corp")).exists());
    assert!(err.contains("1 token file removed"), "{err}");
    assert!(
        !err.contains(" 0 cached role sessions"),
        "the role sessions go too: {err}"
    );

    for profile in ["vendor-sso", "vendor-access"] {
        let out = s.run(&["whoami", profile]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{profile}: {err}");
        assert!(
            err.contains("xrole-tui sso login vendor-sso"),
            "{profile}: {err}"
        );
    }
}

/// The TUI on the pane, with the stand-ins' endpoints and no display (so the device flow).
fn tui(s: &Setup) -> support::pty::Pane {
    let dir = s.w.home();
    let script = format!(
        "{} --profile vendor-access; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("AWS_ENDPOINT_URL_SSO", s.sso.portal_url.clone()));
    env.push(("AWS_ENDPOINT_URL_SSO_OIDC", s.sso.oidc_url.clone()));
    env.push(("BROWSER", "true".into()));
    support::pty::Pane::start(&dir, &script, &env, 100, 30)
}

#[test]
fn the_tui_signs_in_where_the_login_is_missing_then_opens_the_role() {
    let _g = serial();
    let s = setup();
    s.sso.set_pending_polls(2);
    let pane = tui(&s);
    pane.wait_for("vendor-access", 30);
    pane.keys(&["i"]);
    let shown = pane.wait_for("WXYZ-1234", 30);
    assert!(shown.contains("IAM Identity Center"), "{shown}");
    assert!(shown.contains("https://device.sso.example/"), "{shown}");
    assert!(shown.contains("A browser was opened"), "{shown}");
    // Approved on the portal after two polls: the window goes and the role opens.
    let start = Instant::now();
    let after = loop {
        let screen = pane.screen();
        let top = screen.lines().next().unwrap_or_default().to_owned();
        if !top.contains("no role assumed yet") || start.elapsed() > Duration::from_secs(30) {
            break screen;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let top = after.lines().next().unwrap_or_default();
    assert!(top.contains("666666666666"), "{after}");
    assert!(!after.contains("WXYZ-1234"), "{after}");
    assert_eq!(s.token()["accessToken"], "login-access-1");
}

#[test]
fn esc_cancels_a_sign_in_from_the_tui() {
    let _g = serial();
    let s = setup();
    s.sso.set_pending_polls(1000);
    let pane = tui(&s);
    pane.wait_for("vendor-access", 30);
    pane.keys(&["i"]);
    pane.wait_for("WXYZ-1234", 30);
    pane.keys(&["Escape"]);
    let after = pane.wait_for("sign-in cancelled", 10);
    assert!(!after.contains("WXYZ-1234"), "{after}");
    assert!(!s.cache().join(file_name("corp")).exists());
}
