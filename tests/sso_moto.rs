//! IAM Identity Center end to end: the token `aws sso login` leaves in `~/.aws/sso/cache` (the
//! `sso_session` form and the legacy `sso_start_url` form), the portal's `GetRoleCredentials`
//! and SSO-OIDC's `CreateToken` on loopback stand-ins (moto has no SSO portal; see
//! `support::sso`), and a cross-account role on moto with the portal's credentials as its source
//! (SSO → `VendorAccessRole`), through `whoami`, `exec` and the TUI.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use support::pty::Pane;
use support::sso::{mint, PortalCall, Sso, SSO_CONFIG, SSO_ROLE};
use support::world::*;
use xrole_tui::domain::session::rfc3339;
use xrole_tui::domain::sso_token::file_name;

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
    std::fs::create_dir_all(w.home().join(".aws/sso/cache")).unwrap();
    Setup { w, sso }
}

fn at(offset_secs: i64) -> String {
    let now = SystemTime::now();
    let d = Duration::from_secs(offset_secs.unsigned_abs());
    rfc3339(if offset_secs < 0 { now - d } else { now + d })
}

impl Setup {
    fn token_path(&self, identifier: &str) -> PathBuf {
        self.w
            .home()
            .join(".aws/sso/cache")
            .join(file_name(identifier))
    }

    /// A token as `aws sso login` writes it, valid for `secs` (negative: expired).
    fn login(&self, identifier: &str, access: &str, secs: i64, refresh: bool) {
        let mut token = serde_json::json!({
            "startUrl": "https://corp.awsapps.example/start",
            "region": "eu-west-1",
            "accessToken": access,
            "expiresAt": at(secs),
        });
        if refresh {
            token["clientId"] = "client-1".into();
            token["clientSecret"] = "client-secret-1".into();
            token["registrationExpiresAt"] = at(90 * 86400).into();
            token["refreshToken"] = "refresh-1".into();
        }
        std::fs::write(self.token_path(identifier), token.to_string()).unwrap();
        self.sso.accept_token(access);
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = self.w.command(args);
        c.env("AWS_ENDPOINT_URL_SSO", &self.sso.portal_url)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &self.sso.oidc_url);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.w.run_with(self.command(args), "")
    }
}

fn call(bearer: &str) -> PortalCall {
    PortalCall {
        account_id: "555555555555".into(),
        role_name: "VendorAdmin".into(),
        bearer: bearer.into(),
    }
}

#[test]
fn an_sso_session_profile_works_directly_and_as_the_source_of_the_vendor_role() {
    let _g = serial();
    let s = setup();
    s.login("corp", "corp-access-1", 3600, false);

    let v = json(&s.run(&["whoami", "vendor-sso", "--json"]));
    assert_eq!(v["account"], "555555555555", "{v}");
    assert!(
        v["arn"]
            .as_str()
            .unwrap()
            .contains("assumed-role/AWSReservedSSO_VendorAdmin_0123456789abcdef/alice"),
        "{v}"
    );
    assert_eq!(s.sso.portal_calls(), [call("corp-access-1")]);

    let v = json(&s.run(&["whoami", "vendor-access", "--json"]));
    assert_eq!(v["account"], "666666666666", "{v}");
    assert!(
        v["arn"].as_str().unwrap().contains("VendorAccessRole"),
        "{v}"
    );

    let out = ok(&s.run(&[
        "exec",
        "--static",
        "vendor-access",
        "--",
        "sh",
        "-c",
        "printf '%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$XROLE_PROFILE\"",
    ]));
    let (key, profile) = out.split_once('|').unwrap();
    assert!(key.starts_with("ASIA"), "{out}");
    assert_eq!(profile, "vendor-access");
    // The portal's credentials never reach the child: the role's do.
    let minted = mint(&moto().endpoint, SSO_ROLE, "other");
    assert_ne!(key, minted.access_key_id);
    // The token was never expired or near its end, so nothing was refreshed.
    assert!(s.sso.token_calls().is_empty());
}

#[test]
fn the_legacy_start_url_form_reads_the_token_named_by_the_start_url() {
    let _g = serial();
    let s = setup();
    s.login(
        "https://legacy.awsapps.example/start",
        "legacy-access",
        3600,
        false,
    );
    let v = json(&s.run(&["whoami", "legacy-sso", "--json"]));
    assert_eq!(v["account"], "555555555555", "{v}");
    assert_eq!(s.sso.portal_calls(), [call("legacy-access")]);
}

#[test]
fn an_expired_session_token_is_refreshed_through_create_token_and_saved() {
    let _g = serial();
    let s = setup();
    s.login("corp", "stale-access", -600, true);
    s.sso.revoke_tokens(); // the stale token would be refused anyway
    s.sso
        .allow_refresh("client-1", "client-secret-1", "refresh-1");

    let v = json(&s.run(&["whoami", "vendor-access", "--json"]));
    assert_eq!(v["account"], "666666666666", "{v}");
    let calls = s.sso.token_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["grantType"], "refresh_token");
    assert_eq!(calls[0]["clientId"], "client-1");
    assert_eq!(calls[0]["clientSecret"], "client-secret-1");
    assert_eq!(calls[0]["refreshToken"], "refresh-1");
    assert_eq!(s.sso.portal_calls(), [call("refreshed-access-1")]);

    // The new token is saved as the AWS CLI saves it, privately, keeping the other fields.
    let path = s.token_path("corp");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["accessToken"], "refreshed-access-1");
    assert_eq!(saved["refreshToken"], "rotated-refresh-1");
    assert_eq!(saved["startUrl"], "https://corp.awsapps.example/start");
    assert_eq!(saved["clientId"], "client-1");

    // A second process uses the saved token without refreshing again.
    let v = json(&s.run(&["whoami", "vendor-sso", "--json", "--no-cache"]));
    assert_eq!(v["account"], "555555555555");
    assert_eq!(s.sso.token_calls().len(), 1);

    // And the AWS CLI reads the file this tool wrote.
    let aws = std::env::var("AWS_CLI").unwrap_or_else(|_| "aws".into());
    let out = Command::new(&aws)
        .args(["sts", "get-caller-identity", "--profile", "vendor-sso"])
        .env_clear()
        .env("HOME", s.w.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .env("AWS_ENDPOINT_URL_SSO", &s.sso.portal_url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &s.sso.oidc_url)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("`{aws}` (the AWS CLI) is needed here: {e}"));
    assert_eq!(json(&out)["Account"], "555555555555");
    assert_eq!(s.sso.token_calls().len(), 1);
}

/// An endpoint that takes connections and never answers: a network wait would last until the
/// bounds below, far past the test's own bound.
fn silent_endpoint() -> (std::net::TcpListener, String) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    (l, url)
}

fn run_bounded(mut c: Command, limit: Duration) -> Output {
    c.env("XROLE_CALL_TIMEOUT", "600")
        .env("XROLE_ATTEMPT_TIMEOUT", "600")
        .env("XROLE_CONNECT_TIMEOUT", "600")
        .stdin(Stdio::null());
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("still waiting after {limit:?}: the login message must not depend on the network");
}

#[test]
fn without_a_usable_token_the_login_message_comes_without_any_network_wait() {
    let _g = serial();
    let s = setup();
    let (_portal, silent) = silent_endpoint();
    let cases: [(&str, &dyn Fn(), &str); 4] = [
        // Expired, legacy form: the AWS CLI never refreshes these.
        (
            "legacy-sso",
            &|| s.login("https://legacy.awsapps.example/start", "old", -60, true),
            "its token has expired",
        ),
        // Expired, session form, no refresh grant.
        (
            "vendor-access",
            &|| s.login("corp", "old", -60, false),
            "its token has expired",
        ),
        // No token at all.
        (
            "vendor-sso",
            &|| {
                let _ = std::fs::remove_file(s.token_path("corp"));
            },
            "there is no token for it",
        ),
        // A token file that is not JSON.
        (
            "vendor-sso",
            &|| std::fs::write(s.token_path("corp"), "{").unwrap(),
            "it is not JSON",
        ),
    ];
    for (profile, prepare, why) in cases {
        prepare();
        let mut c = s.w.command(&["whoami", profile]);
        c.env("AWS_ENDPOINT_URL_SSO", &silent)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &silent)
            .env("AWS_ENDPOINT_URL_STS", &silent);
        let out = run_bounded(c, Duration::from_secs(60));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{profile}: {err}");
        let root = if profile == "legacy-sso" {
            "legacy-sso"
        } else {
            "vendor-sso"
        };
        assert!(
            err.contains(&format!("Run `xrole-tui sso login {root}`")) && err.contains(why),
            "{profile}: {err}"
        );
        assert!(!err.contains("old"), "no token in the message: {err}");
    }
}

#[test]
fn a_failed_refresh_or_a_revoked_login_asks_for_a_new_login() {
    let _g = serial();
    let s = setup();
    // The refresh grant is not accepted (the user signed out elsewhere).
    s.login("corp", "stale-access", -60, true);
    let out = s.run(&["whoami", "vendor-sso"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("InvalidGrantException"), "{err}");
    assert!(err.contains("xrole-tui sso login vendor-sso"), "{err}");
    assert_eq!(s.sso.token_calls().len(), 1);
    assert!(s.sso.portal_calls().is_empty());

    // A token that looks valid, but that the portal no longer accepts.
    s.login("corp", "revoked-access", 3600, false);
    s.sso.revoke_tokens();
    let out = s.run(&["whoami", "vendor-sso"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("no longer accepts the login of profile \"vendor-sso\""),
        "{err}"
    );
    assert!(!err.contains("revoked-access"), "{err}");

    // A role the SSO user is not assigned.
    s.w.append(
        ".aws/config",
        "[profile other-role]\nsso_session = corp\nsso_account_id = 555555555555\nsso_role_name = Admin\n",
    );
    s.login("corp", "fresh-access", 3600, false);
    let out = s.run(&["whoami", "other-role"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("not assigned that role"), "{err}");
}

#[test]
fn the_tui_opens_the_vendor_role_from_an_sso_login() {
    let _g = serial();
    let s = setup();
    s.login("corp", "corp-access-tui", 3600, false);
    let dir = s.w.home();
    let script = format!(
        "SHELL=/bin/sh PS1='role$ ' {} --profile vendor-access; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("AWS_ENDPOINT_URL_SSO", s.sso.portal_url.clone()));
    env.push(("AWS_ENDPOINT_URL_SSO_OIDC", s.sso.oidc_url.clone()));
    let pane = Pane::start(&dir, &script, &env, 100, 30);
    pane.wait_for("vendor-access", 30);
    pane.keys(&["Enter"]);
    pane.wait_for("role$", 30);
    pane.type_text("echo \"in=$XROLE_ACCOUNT as=$XROLE_PROFILE\"");
    pane.keys(&["Enter"]);
    pane.wait_for("in=666666666666 as=vendor-access", 30);
    pane.type_text("exit");
    pane.keys(&["Enter"]);
    let back = pane.wait_for("role shell ended", 30);
    assert!(back.contains("666666666666"), "{back}");
    let calls = s.sso.portal_calls();
    assert!(
        !calls.is_empty() && calls.iter().all(|c| *c == call("corp-access-tui")),
        "{calls:?}"
    );
}

#[test]
fn processes_refreshing_at_once_all_get_in_although_the_refresh_token_rotates() {
    let _g = serial();
    let s = setup();
    s.login("corp", "stale-access", -60, true);
    s.sso.revoke_tokens();
    s.sso
        .allow_refresh("client-1", "client-secret-1", "refresh-1");
    // Each CreateToken spends its refresh token, so a process that refreshes second with the
    // old one is refused: it must then take the token the first one saved.
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut c = s.command(&["whoami", "vendor-sso", "--no-cache"]);
            c.stdin(Stdio::null());
            c.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!s.sso.token_calls().is_empty());
}

#[test]
fn role_credentials_from_the_portal_are_cached_and_clear_forgets_them() {
    let _g = serial();
    let s = setup();
    s.login("corp", "corp-access-cache", 3600, false);
    for _ in 0..3 {
        let v = json(&s.run(&["whoami", "vendor-sso", "--json"]));
        assert_eq!(v["account"], "555555555555");
    }
    assert_eq!(
        s.sso.portal_calls().len(),
        1,
        "one GetRoleCredentials, then the cache"
    );
    ok(&s.run(&["clear", "vendor-sso"]));
    ok(&s.run(&["whoami", "vendor-sso"]));
    assert_eq!(s.sso.portal_calls().len(), 2, "forgotten, so asked again");
    // Without the cache every call asks the portal, as before.
    ok(&s.run(&["whoami", "vendor-sso", "--no-cache"]));
    assert_eq!(s.sso.portal_calls().len(), 3);
}

#[test]
fn a_refreshed_token_that_cannot_be_saved_is_used_and_said() {
    let _g = serial();
    let s = setup();
    s.login("corp", "stale-access", -600, true);
    s.sso
        .allow_refresh("client-1", "client-secret-1", "refresh-1");
    // A full disk, as the save sees it (a fault only debug builds inject).
    let mut c = s.command(&["whoami", "vendor-sso", "--json", "--no-cache"]);
    c.env("XROLE_TEST_FAIL_SAVE", "1");
    let out = s.w.run_with(c, "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let path = s.token_path("corp");
    assert!(
        err.contains("could not be saved to") && err.contains(&path.display().to_string()),
        "{err}"
    );
    assert!(
        !err.contains("rotated-refresh"),
        "no token in the message: {err}"
    );
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(kept["accessToken"], "stale-access", "the file is as it was");
}
