//! Real SDK clients inside `exec`, against moto: the JavaScript SDK v3 and v2 and the Go SDK v2
//! each call `sts:GetCallerIdentity` through the credential endpoint for a role, a profile of
//! temporary keys with no expiry, a `credential_process` of long-term keys and a `[default]`
//! with keys of its own; and a request with a wrong token fails with a line on the terminal.
//!
//! `scripts/test.sh` installs the clients (`scripts/tools.sh`, `ensure_sdk_clients`) and names
//! them in `XROLE_JS_MODULES` and `XROLE_GO_STS`. A client that is not there is reported as
//! skipped, never passed. The AWS CLI and boto3 are tested in `tests/endpoint_moto.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::process::Output;

use support::world::*;

/// A client: its name and the command that runs it.
struct Client {
    name: &'static str,
    command: Vec<String>,
    modules: Option<String>,
}

fn clients() -> Vec<Client> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients");
    let mut found = Vec::new();
    match std::env::var("XROLE_JS_MODULES") {
        Ok(modules) => {
            for (name, file) in [("JavaScript SDK v3", "sts_v3.js"), ("JavaScript SDK v2", "sts_v2.js")] {
                found.push(Client {
                    name,
                    command: vec!["node".into(), format!("{dir}/{file}")],
                    modules: Some(modules.clone()),
                });
            }
        }
        Err(_) => eprintln!("SKIPPED: the JavaScript SDKs (XROLE_JS_MODULES is not set; scripts/test.sh installs them)"),
    }
    match std::env::var("XROLE_GO_STS") {
        Ok(bin) => found.push(Client {
            name: "Go SDK v2",
            command: vec![bin],
            modules: None,
        }),
        Err(_) => {
            eprintln!("SKIPPED: the Go SDK v2 (XROLE_GO_STS is not set; scripts/test.sh builds it)")
        }
    }
    found
}

/// `exec PROFILE -- sh -c 'PREFIX CLIENT'`.
fn in_exec(w: &World, profile: &str, client: &Client, prefix: &str) -> Output {
    let quoted: Vec<String> = client
        .command
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let script = format!("{prefix} {}", quoted.join(" "));
    let mut c = w.command(&["exec", profile, "--", "sh", "-c", &script]);
    c.env("AWS_REGION", "us-east-1")
        .env("AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE", "1");
    if let Some(m) = &client.modules {
        c.env("NODE_PATH", m);
    }
    w.run_with(c, "")
}

fn world() -> World {
    let w = World::new();
    w.add_pasted_keys();
    w.append(".aws/config", HELPER_PROFILE);
    w
}

fn account(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn every_client_reaches_the_role_temporary_keys_and_a_credential_process_through_the_endpoint() {
    let _g = serial();
    let w = world();
    for client in clients() {
        let role = account(&in_exec(&w, "app", &client, ""), client.name);
        assert_eq!(role, "222222222222", "{}", client.name);
        for profile in ["pasted", "helper"] {
            let got = account(
                &in_exec(&w, profile, &client, ""),
                &format!("{} {profile}", client.name),
            );
            assert_eq!(got.len(), 12, "{} {profile}: {got}", client.name);
        }
    }
}

#[test]
fn a_default_profile_with_keys_does_not_answer_for_the_role() {
    let _g = serial();
    let w = world();
    w.append(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret\n",
    );
    for client in clients() {
        let got = account(&in_exec(&w, "app", &client, ""), client.name);
        assert_eq!(
            got, "222222222222",
            "{} answered as the default user",
            client.name
        );
    }
}

#[test]
fn a_refused_request_is_said_on_the_terminal_and_go_shows_the_endpoints_message() {
    let _g = serial();
    let w = world();
    for client in clients() {
        let out = in_exec(
            &w,
            "app",
            &client,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong",
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: {stderr}", client.name);
        let said = stderr
            .lines()
            .filter(|l| l.contains("refused a request"))
            .count();
        assert_eq!(said, 1, "{}: {stderr}", client.name);
        if client.name.starts_with("Go") {
            assert!(
                stderr.contains("xrole-tui: missing or wrong authorization token"),
                "Go hides the message: {stderr}"
            );
        }
    }
}
