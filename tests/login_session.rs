//! `login_session` profiles (what `aws login` writes) as the root of a chain, against moto and a
//! loopback stand-in of AWS Sign-In's token endpoint (see `support::signin`): credentials read
//! from `~/.aws/login/cache` without a call while they last, refreshed through aws-config's own
//! login provider (a DPoP-signed `CreateOAuth2Token`) when they end within five minutes, one
//! refresh at a time across processes, and a clear "sign in again" when the session is over.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use sha2::Digest;
use support::signin::SignIn;
use support::sso::{mint, RoleCreds};
use support::world::*;
use xrole_tui::domain::session::rfc3339;

const ARN: &str = "arn:aws:iam::111111111111:user/alice";
const USER_ROLE: &str = "arn:aws:iam::111111111111:role/AliceConsole";

const CONFIG: &str = "
[profile signin]
login_session = arn:aws:iam::111111111111:user/alice
region = eu-west-1
[profile signin-role]
role_arn = arn:aws:iam::666666666666:role/VendorAccessRole
source_profile = signin
region = eu-west-1
";

struct Setup {
    w: World,
    signin: SignIn,
    first: RoleCreds,
}

fn setup() -> Setup {
    let w = World::new();
    w.append(".aws/config", CONFIG);
    std::fs::create_dir_all(w.home().join(".aws/login/cache")).unwrap();
    Setup {
        w,
        signin: SignIn::start(),
        first: mint(&moto().endpoint, USER_ROLE, "alice"),
    }
}

fn dpop_key() -> String {
    let out = Command::new("openssl")
        .args(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

impl Setup {
    fn cache(&self) -> PathBuf {
        let name = xrole_tui::domain::text::hex(&sha2::Sha256::digest(ARN.as_bytes()));
        self.w.home().join(format!(".aws/login/cache/{name}.json"))
    }

    /// The file `aws login` leaves, with credentials for `secs` more seconds.
    fn signed_in(&self, secs: u64, refresh: &str) {
        let c = &self.first;
        let body = serde_json::json!({
            "accessToken": {
                "accessKeyId": c.access_key_id, "secretAccessKey": c.secret_access_key,
                "sessionToken": c.session_token, "accountId": "111111111111",
                "expiresAt": rfc3339(SystemTime::now() + Duration::from_secs(secs)),
            },
            "tokenType": "aws_sigv4", "refreshToken": refresh,
            "clientId": "arn:aws:signin:::devtools/same-device", "dpopKey": dpop_key(),
        });
        std::fs::write(self.cache(), body.to_string()).unwrap();
        std::fs::set_permissions(self.cache(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = self.w.command(args);
        c.env("AWS_ENDPOINT_URL_SIGNIN", &self.signin.url)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn saved(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.cache()).unwrap()).unwrap()
    }
}

#[test]
fn a_login_session_opens_itself_and_a_role_chained_from_it_without_a_call_while_it_lasts() {
    let _g = serial();
    let s = setup();
    s.signed_in(3600, "signin-refresh-0");
    let v = json(&s.run(&["whoami", "signin", "--json"]));
    assert!(v["arn"].as_str().unwrap().contains("AliceConsole"), "{v}");
    let v = json(&s.run(&["whoami", "signin-role", "--json"]));
    assert_eq!(v["account"], "666666666666", "{v}");
    assert!(s.signin.calls().is_empty(), "nothing to refresh");
    let list = json(&s.run(&["list", "--json"]));
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "signin")
        .unwrap()
        .clone();
    assert_eq!(row["kind"], "login", "{row}");
}

#[test]
fn an_ending_session_is_refreshed_once_with_a_dpop_proof_even_by_processes_at_once() {
    let _g = serial();
    let s = setup();
    s.signed_in(60, "signin-refresh-0");
    let fresh = mint(&moto().endpoint, USER_ROLE, "alice-again");
    s.signin.allow(
        "arn:aws:signin:::devtools/same-device",
        "signin-refresh-0",
        fresh.clone(),
    );
    // Four processes at once, with --no-cache so that each needs the root's credentials.
    let children: Vec<_> = (0..4)
        .map(|_| {
            s.command(&["whoami", "signin-role", "--json", "--no-cache"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
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
    let calls = s.signin.calls();
    assert_eq!(calls.len(), 1, "one refresh for all four: {calls:?}");
    let (body, head, claims) = &calls[0];
    assert_eq!(body["grantType"], "refresh_token");
    assert_eq!(body["refreshToken"], "signin-refresh-0");
    assert_eq!(head["typ"], "dpop+jwt");
    assert_eq!(claims["htm"], "POST");
    let saved = s.saved();
    assert_eq!(
        saved["accessToken"]["accessKeyId"],
        fresh.access_key_id.as_str()
    );
    assert_eq!(saved["refreshToken"], "signin-refresh-1");
}

#[test]
fn an_ended_session_says_to_sign_in_again() {
    let _g = serial();
    let s = setup();
    // Expired, and the refresh token is no longer accepted (its 12 hours are over).
    s.signed_in(0, "spent");
    for profile in ["signin", "signin-role"] {
        let out = s.run(&["whoami", profile]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{profile}: {err}");
        assert!(
            err.contains("aws login --profile signin"),
            "{profile}: {err}"
        );
        assert!(!err.contains(&s.first.secret_access_key), "{err}");
    }
    // No cached session at all.
    std::fs::remove_file(s.cache()).unwrap();
    let out = s.run(&["whoami", "signin"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("no cached session"), "{err}");
}

#[test]
fn at_a_terminal_an_ended_session_is_signed_in_again_with_aws_login() {
    let _g = serial();
    let s = setup();
    s.signed_in(0, "spent");
    // What `aws login` would leave: a fresh session, ready in a file the fake CLI copies.
    let fresh = s.w.home().join("fresh.json");
    let saved = s.cache();
    s.signed_in(3600, "signin-refresh-9");
    std::fs::rename(&saved, &fresh).unwrap();
    s.signed_in(0, "spent");
    let bin = s.w.home().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let aws = bin.join("aws");
    std::fs::write(
        &aws,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  --version) echo 'aws-cli/2.32.3 Python/3.13.7 Linux/6 exe/x86_64' ;;\n  login) echo \"aws login $*\" >> '{log}'; cp '{fresh}' '{saved}' ;;\nesac\n",
            log = s.w.home().join("aws.log").display(),
            fresh = fresh.display(),
            saved = saved.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = s.w.home();
    // The fake AWS CLI first on the PATH of the pane's shell.
    let script = format!(
        "export PATH='{}':\"$PATH\"; {} whoami signin; echo \"exit=$?\"; sleep 600",
        bin.display(),
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("AWS_ENDPOINT_URL_SIGNIN", s.signin.url.clone()));
    let pane = support::pty::Pane::start(&dir, &script, &env, 120, 30);
    let screen = pane.wait_for("exit=", 60);
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(screen.contains("aws login --profile signin"), "{screen}");
    let log = std::fs::read_to_string(s.w.home().join("aws.log")).unwrap();
    assert_eq!(log.trim(), "aws login login --profile signin");
}
