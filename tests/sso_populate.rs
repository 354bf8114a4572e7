//! `sso populate` against a loopback stand-in of the IAM Identity Center portal (ListAccounts and
//! ListAccountRoles, paged; see `support::sso`), checked by botocore reading the written file:
//! `--diff` writes nothing, `--write` twice changes nothing the second time, the user's own
//! lines keep every byte, `--prune` removes only the block's own profiles, and two Identity
//! Center instances keep separate blocks without taking each other's names.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use support::botocore::python;
use support::sso::{mint, Sso};
use support::world::*;
use xrole_tui::domain::session::rfc3339;
use xrole_tui::domain::sso_token::file_name;

/// The user's own file, with comments, odd spacing and no final newline: none of it may change.
const USER: &str = "# my settings\n[default]\nregion=us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.example/start\nsso_region = eu-west-1\n\n[sso-session other]\nsso_start_url = https://other.awsapps.example/start\nsso_region = us-west-2\n\n[profile Vendor-Prod-VendorAdmin]   ; taken by hand\nregion = ap-south-1";

const SSO_ROLE: &str = "arn:aws:iam::555555555555:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_VendorAdmin_0123456789abcdef";

struct Setup {
    w: World,
    sso: Sso,
}

fn setup() -> Setup {
    let w = World::new();
    std::fs::write(w.home().join(".aws/config"), USER).unwrap();
    let sso = Sso::start();
    let creds = mint(&moto().endpoint, SSO_ROLE, "alice@vendor.example");
    sso.add_account("555555555555", "Vendor Prod");
    sso.add_account("666666666666", "Shared Data");
    sso.assign("555555555555", "VendorAdmin", creds.clone());
    sso.assign("666666666666", "ReadOnly", creds.clone());
    sso.assign("666666666666", "Admin", creds);
    let cache = w.home().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    for (session, token) in [("corp", "corp-token"), ("other", "other-token")] {
        let expires = rfc3339(SystemTime::now() + Duration::from_secs(3600));
        let body =
            serde_json::json!({"accessToken": token, "expiresAt": expires, "region": "eu-west-1"});
        std::fs::write(cache.join(file_name(session)), body.to_string()).unwrap();
        sso.accept_token(token);
    }
    Setup { w, sso }
}

impl Setup {
    fn run(&self, args: &[&str]) -> Output {
        let mut c = self.w.command(args);
        c.env("AWS_ENDPOINT_URL_SSO", &self.sso.portal_url)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &self.sso.oidc_url)
            .stdin(Stdio::null());
        c.output().unwrap()
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.w.home().join(".aws/config")).unwrap()
    }

    /// botocore's profiles: name → (sso_session, sso_account_id, sso_role_name, region).
    fn botocore(&self) -> serde_json::Value {
        let script = "import json, sys\nfrom botocore.configloader import raw_config_parse, build_profile_map\np = build_profile_map(raw_config_parse(sys.argv[1]))['profiles']\nprint(json.dumps({n: [v.get(k) for k in ('sso_session', 'sso_account_id', 'sso_role_name', 'region')] for n, v in p.items()}))";
        let out = Command::new(python())
            .args(["-c", script])
            .arg(self.w.home().join(".aws/config"))
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

#[test]
fn populate_diffs_writes_once_and_prunes_only_its_own() {
    let _g = serial();
    let s = setup();
    let diff = ok(&s.run(&["sso", "populate", "--sso-session", "corp"]));
    assert_eq!(s.config(), USER, "--diff writes nothing");
    assert!(
        diff.contains(
            "+ [profile Shared-Data-Admin]  account 666666666666 (Shared Data), role Admin"
        ),
        "{diff}"
    );
    // The name the user took by hand gets the account id.
    assert!(
        diff.contains("+ [profile Vendor-Prod-VendorAdmin-555555555555]"),
        "{diff}"
    );
    assert!(
        diff.contains("3 to add") && diff.contains("--write"),
        "{diff}"
    );

    let wrote = ok(&s.run(&["sso", "populate", "--sso-session", "corp", "--write"]));
    let config = s.config();
    assert!(config.starts_with(USER), "the user's bytes stay: {config}");
    let backup = s.w.home().join(".aws/config.xrole-tui.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), USER, "{wrote}");
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = ok(&s.run(&["sso", "populate", "--sso-session", "corp", "--write"]));
    assert!(again.contains("up to date"), "{again}");
    assert_eq!(s.config(), config, "writing twice changes nothing");

    let b = s.botocore();
    assert_eq!(
        b["Shared-Data-ReadOnly"],
        serde_json::json!(["corp", "666666666666", "ReadOnly", "eu-west-1"])
    );
    assert_eq!(
        b["Shared-Data-Admin"],
        serde_json::json!(["corp", "666666666666", "Admin", "eu-west-1"])
    );
    assert_eq!(
        b["Vendor-Prod-VendorAdmin-555555555555"],
        serde_json::json!(["corp", "555555555555", "VendorAdmin", "eu-west-1"])
    );
    assert_eq!(
        b["Vendor-Prod-VendorAdmin"],
        serde_json::json!([null, null, null, "ap-south-1"])
    );
    // A written profile works as it is.
    let v = json(&s.run(&["whoami", "Vendor-Prod-VendorAdmin-555555555555", "--json"]));
    assert_eq!(v["account"], "555555555555", "{v}");

    // A second instance gets its own block; the names of the first are taken.
    ok(&s.run(&[
        "sso",
        "populate",
        "--sso-session",
        "other",
        "--write",
        "--region",
        "us-west-2",
    ]));
    let b = s.botocore();
    assert_eq!(
        b["Shared-Data-Admin-666666666666"],
        serde_json::json!(["other", "666666666666", "Admin", "us-west-2"])
    );
    assert_eq!(b["Shared-Data-Admin"][0], "corp");
    let both = s.config();

    // An assignment goes: kept and said, until --prune; the other block is untouched.
    s.sso.unassign("666666666666", "Admin");
    let kept = ok(&s.run(&["sso", "populate", "--sso-session", "corp", "--write"]));
    assert!(kept.contains("! [profile Shared-Data-Admin]"), "{kept}");
    assert_eq!(s.config(), both);
    let pruned = ok(&s.run(&[
        "sso",
        "populate",
        "--sso-session",
        "corp",
        "--write",
        "--prune",
    ]));
    assert!(pruned.contains("- [profile Shared-Data-Admin]"), "{pruned}");
    let b = s.botocore();
    assert!(b.get("Shared-Data-Admin").is_none(), "{b}");
    assert_eq!(b["Shared-Data-Admin-666666666666"][0], "other");
    assert!(s.config().starts_with(USER));
}

#[test]
fn populate_needs_a_login_and_a_good_template() {
    let _g = serial();
    let s = setup();
    let out = s.run(&[
        "sso",
        "populate",
        "--sso-session",
        "corp",
        "--name",
        "{acount}-{role}",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown placeholder"));
    s.sso.revoke_tokens();
    let out = s.run(&["sso", "populate", "--sso-session", "corp", "--write"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("log in again"), "{err}");
    assert_eq!(s.config(), USER);
    let out = s.run(&["sso", "populate", "--sso-session", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no [sso-session nosuch]"));
}

#[test]
fn p_in_the_tui_writes_the_sessions_profiles_and_the_list_shows_them() {
    let _g = serial();
    let s = setup();
    s.w.append(
        ".aws/config",
        "\n[profile corp-start]\nsso_session = corp\nsso_account_id = 555555555555\nsso_role_name = VendorAdmin\n",
    );
    let dir = s.w.home();
    let script = format!(
        "{} --profile corp-start; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("AWS_ENDPOINT_URL_SSO", s.sso.portal_url.clone()));
    env.push(("AWS_ENDPOINT_URL_SSO_OIDC", s.sso.oidc_url.clone()));
    let pane = support::pty::Pane::start(&dir, &script, &env, 120, 40);
    pane.wait_for("corp-start", 30);
    pane.keys(&["p"]);
    pane.wait_for("[sso-session corp] offers", 10);
    pane.keys(&["y"]);
    let done = pane.wait_for("wrote", 30);
    assert!(done.contains("3 to add"), "{done}");
    // The config file changed, so the list reads it again.
    pane.wait_for("Shared-Data-ReadOnly", 30);
    assert!(s.config().contains("[profile Shared-Data-ReadOnly]"));
}

#[test]
fn a_in_the_tui_browses_the_portal_and_opens_a_role_that_is_not_a_profile_yet() {
    let _g = serial();
    let s = setup();
    s.sso.assign(
        "666666666666",
        "ReadOnly",
        mint(
            &moto().endpoint,
            "arn:aws:iam::666666666666:role/ReadOnly",
            "alice@vendor.example",
        ),
    );
    s.w.append(
        ".aws/config",
        "\n[profile corp-start]\nsso_session = corp\nsso_account_id = 555555555555\nsso_role_name = VendorAdmin\n",
    );
    let dir = s.w.home();
    let script = format!(
        "{} --profile corp-start; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("AWS_ENDPOINT_URL_SSO", s.sso.portal_url.clone()));
    env.push(("AWS_ENDPOINT_URL_SSO_OIDC", s.sso.oidc_url.clone()));
    let pane = support::pty::Pane::start(&dir, &script, &env, 120, 40);
    pane.wait_for("corp-start", 30);
    pane.keys(&["A"]);
    let shown = pane.wait_for("offers 3 account roles", 30);
    assert!(
        shown.contains("Shared Data (666666666666) · ReadOnly  not a profile yet"),
        "{shown}"
    );
    assert!(
        shown.contains("Vendor Prod (555555555555) · VendorAdmin  profile corp-start"),
        "{shown}"
    );
    // `/` filters (any case): only Shared Data's ReadOnly is left, and it is selected.
    pane.keys(&["/"]);
    pane.type_text("READ");
    let filtered = pane.wait_for("(1 shown)", 10);
    assert!(!filtered.contains("VendorAdmin  profile"), "{filtered}");
    pane.keys(&["Enter"]);
    pane.keys(&["i"]);
    let start = std::time::Instant::now();
    let after = loop {
        let screen = pane.screen();
        let top = screen.lines().next().unwrap_or_default().to_owned();
        if top.contains("666666666666") || start.elapsed() > Duration::from_secs(30) {
            break screen;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let top = after.lines().next().unwrap_or_default();
    assert!(
        top.contains("Shared Data/ReadOnly") && top.contains("666666666666"),
        "{after}"
    );
    assert_eq!(
        s.config().matches("[profile").count(),
        2,
        "nothing was written"
    );
}
