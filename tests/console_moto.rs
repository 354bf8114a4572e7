//! `console` through the real binary: the sign-in exchange against moto and a loopback stand-in
//! for the federation endpoint, switch-role links, and S3 console destinations.
//!
//! The federation endpoint has no emulator: `support::federation` is a loopback server that
//! follows AWS's documented contract.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use support::federation::federation;
use support::world::*;

#[test]
fn console_print_signs_in_with_the_roles_temporary_credentials() {
    let _g = serial();
    let w = World::new();
    let (endpoint, got) = federation();
    let mut c = w.command(&["console", "app", "--print", "--s3", "s3://shared/reports/"]);
    c.env("XROLE_SIGNIN_ENDPOINT", &endpoint);
    let out = ok(&w.run_with(c, ""));
    let url = out.trim();
    assert!(
        url.starts_with(&format!(
            "{endpoint}?Action=login&Issuer=xrole-tui&Destination="
        )),
        "{url}"
    );
    assert!(url.ends_with("&SigninToken=loopback%2Dtoken%2D1"), "{url}");
    assert!(
        url.contains("s3%2Fbuckets%2Fshared%3Fprefix%3Dreports%252F"),
        "the S3 console as the destination: {url}"
    );
    let sessions = got.lock().unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_ne!(
        s["sessionId"], "AKIABASE000000000001",
        "never the long-term key"
    );
    assert_ne!(s["sessionKey"], "base-secret");
    assert!(!s["sessionToken"].as_str().unwrap().is_empty());
}

#[test]
fn a_user_without_a_role_signs_in_with_a_federation_token() {
    let _g = serial();
    let w = World::new();
    let (endpoint, got) = federation();
    let mut c = w.command(&["console", "base", "--print"]);
    c.env("XROLE_SIGNIN_ENDPOINT", &endpoint);
    let out = w.run_with(c, "");
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no MFA context"));
    let sessions = got.lock().unwrap();
    assert_ne!(sessions[0]["sessionKey"], "base-secret");
}

#[test]
fn a_chain_of_two_signs_in_as_the_first_and_offers_the_switch() {
    let _g = serial();
    let w = World::new();
    let (endpoint, _) = federation();
    let mut c = w.command(&["console", "hop2", "--print"]);
    c.env("XROLE_SIGNIN_ENDPOINT", &endpoint);
    let out = ok(&w.run_with(c, ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[1],
        "https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=hop2&displayName=hop2"
    );
    let out = w.run(&["console", "hop3", "--print"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chain of 3 roles"));
}

#[test]
fn switch_role_links_need_no_credentials() {
    let _g = serial();
    let w = World::new();
    w.append(
        ".aws/config",
        "[profile pathed]\nrole_arn = arn:aws:iam::444444444444:role/team/ops\nsource_profile = base\n\
         xrole_account_name = Operations\nxrole_env = prod\n",
    );
    let link = ok(&w.run(&["console", "pathed", "--switch-role", "--print"], ""));
    assert_eq!(
        link.trim(),
        "https://signin.aws.amazon.com/switchrole?account=444444444444&roleName=team%2Fops&displayName=pathed%20%40%20Operations&color=F2B0A9"
    );
    // No call at all: a closed endpoint does not matter.
    let mut c = w.command(&["console", "app", "--switch-role", "--print"]);
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    assert!(ok(&w.run_with(c, "")).contains("roleName=app&displayName=app"));
    let out = w.run(&["console", "base", "--switch-role", "--print"], "");
    assert_eq!(out.status.code(), Some(2));
}
