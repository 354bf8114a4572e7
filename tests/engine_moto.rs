//! The headless commands as processes against a real moto server: role chains, MFA, the cache,
//! `credential-process` read by the AWS CLI, and a scan for leaked secrets.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::world::*;

#[test]
fn static_keys_to_role() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    let v = json(&w.run(&["whoami", "app", "--json"], ""));
    assert_eq!(v["account"], "222222222222");
    assert!(v["arn"]
        .as_str()
        .unwrap()
        .ends_with(":assumed-role/app/xrole-app"));
    assert!(v["expiration"].as_str().unwrap().ends_with('Z'));
    assert_eq!(moto().count("AssumeRole"), 1);
    assert_eq!(moto().count("GetCallerIdentity"), 1);
}

#[test]
fn mfa_role_sends_serial_and_code_once_and_shares_the_session() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    let out = w.run(&["env", "dev", "--format", "json"], &format!("{CODE}\n"));
    let vars = json(&out);
    assert!(vars["AWS_ACCESS_KEY_ID"]
        .as_str()
        .unwrap()
        .starts_with("ASIA"));
    assert_eq!(vars["XROLE_ACCOUNT"], "222222222222");
    let bodies = recorded_bodies(moto());
    let gst: Vec<_> = bodies
        .iter()
        .filter(|b| b.contains("Action=GetSessionToken"))
        .collect();
    assert_eq!(gst.len(), 1);
    assert!(gst[0].contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A111111111111%3Amfa%2Falice"));
    assert!(gst[0].contains(&format!("TokenCode={CODE}")));
    let assume: Vec<_> = bodies
        .iter()
        .filter(|b| b.contains("Action=AssumeRole"))
        .collect();
    assert!(
        !assume[0].contains("TokenCode"),
        "the role is assumed from the MFA session"
    );

    // Two more roles on the same device: no code asked (stdin is empty), no GetSessionToken.
    for (profile, account) in [("prod", "333333333333"), ("ops", "444444444444")] {
        let vars = json(&w.run(&["env", profile, "--format", "json"], ""));
        assert_eq!(vars["XROLE_ACCOUNT"], account);
    }
    assert_eq!(
        moto().count("GetSessionToken"),
        1,
        "one MFA session for three roles"
    );
    assert_eq!(moto().count("AssumeRole"), 3);

    // Again: everything from the cache, zero STS requests.
    moto().start_recording();
    for profile in ["dev", "prod", "ops"] {
        ok(&w.run(&["env", profile], ""));
    }
    assert_eq!(moto().actions().len(), 0);

    // --no-cache asks again and calls again.
    let out = w.run(&["--no-cache", "env", "dev"], "");
    assert_eq!(
        out.status.code(),
        Some(3),
        "no code on stdin: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs an MFA code"));
}

#[test]
fn chain_across_three_accounts() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    for (profile, account) in [
        ("hop1", "222222222222"),
        ("hop2", "333333333333"),
        ("hop3", "444444444444"),
    ] {
        let v = json(&w.run(&["--no-cache", "whoami", profile, "--json"], ""));
        assert_eq!(v["account"], account, "{profile}");
    }
    assert_eq!(moto().count("AssumeRole"), 1 + 2 + 3);
}

#[test]
fn external_id_and_session_name_are_sent() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    let v = json(&w.run(&["whoami", "partner", "--json"], ""));
    assert_eq!(v["account"], "555555555555");
    assert!(v["arn"]
        .as_str()
        .unwrap()
        .ends_with("/VendorAccessRole/alice-session"));
    let bodies = recorded_bodies(moto());
    let assume = bodies
        .iter()
        .find(|b| b.contains("Action=AssumeRole"))
        .unwrap();
    assert!(assume.contains("ExternalId=partner-42"), "{assume}");
    assert!(assume.contains("RoleSessionName=alice-session"), "{assume}");
}

#[test]
fn expected_account_guard_refuses_a_mismatch() {
    let _g = serial();
    let w = World::new();
    let out = w.run(&["env", "guarded"], "");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be in account 999999999999"), "{err}");
    assert!(out.stdout.is_empty(), "no credentials printed");
}

#[test]
fn mfa_process_supplies_the_code() {
    let _g = serial();
    let w = World::new();
    moto().start_recording();
    let v = json(&w.run(&["whoami", "auto", "--json"], ""));
    assert_eq!(v["account"], "222222222222");
    let bodies = recorded_bodies(moto());
    assert!(bodies
        .iter()
        .any(|b| b.contains(&format!("TokenCode={CODE}"))));
}

#[test]
fn credential_process_output_is_read_by_the_aws_cli() {
    let _g = serial();
    let w = World::new();
    // Warm the MFA session so that the AWS CLI's child needs no code.
    ok(&w.run(&["env", "dev"], &format!("{CODE}\n")));
    let out = w.run(&["credential-process", "dev"], "");
    let v = json(&out);
    assert_eq!(v["Version"], 1);
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(v["Expiration"].as_str().unwrap().ends_with('Z'));

    let aws = std::env::var("AWS_CLI").unwrap_or_else(|_| "aws".into());
    let out = Command::new(&aws)
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "via-xrole",
            "--output",
            "json",
        ])
        .env_clear()
        .env("HOME", w.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "`{aws}` (the AWS CLI) must be installed for this test; .ci/run installs it: {e}"
            )
        });
    let v = json(&out);
    assert_eq!(v["Account"], "222222222222");
}

#[test]
fn nothing_secret_leaks_and_cache_files_are_private() {
    let _g = serial();
    for umask in ["000", "022"] {
        let w = World::new();
        let mut c = Command::new("sh");
        c.args([
            "-c",
            &format!("umask {umask}; exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_xrole-tui"),
            "env",
            "dev",
        ]);
        let inner = w.command(&[]);
        for (k, v) in inner.get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let env_out = ok(&w.run_with(c, &format!("{CODE}\n")));
        let token = env_out
            .lines()
            .find_map(|l| l.strip_prefix("export AWS_SESSION_TOKEN='"))
            .unwrap()
            .trim_end_matches('\'')
            .to_owned();
        let role_secret = env_out
            .lines()
            .find_map(|l| l.strip_prefix("export AWS_SECRET_ACCESS_KEY='"))
            .unwrap()
            .trim_end_matches('\'')
            .to_owned();

        let dir_mode = std::fs::metadata(w.cache()).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700, "umask {umask}");
        let mut files = 0;
        for e in std::fs::read_dir(w.cache()).unwrap() {
            let e = e.unwrap();
            let mode = e.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "umask {umask}: {:?}", e.path());
            // Lock files (`.lock`) sit beside the entries under the same rules.
            if e.path().extension().is_some_and(|x| x == "json") {
                files += 1;
            }
        }
        assert_eq!(files, 2, "the MFA session and the role");

        // Every other output of a full run: stderr of each command, stdout of whoami and list.
        let mut seen = String::new();
        for args in [
            &["whoami", "dev"][..],
            &["list"],
            &["list", "--json"],
            &["env", "prod"],
        ] {
            let out = w.run(args, "");
            seen.push_str(&String::from_utf8_lossy(&out.stderr));
            if args[0] != "env" {
                seen.push_str(&String::from_utf8_lossy(&out.stdout));
            }
        }
        let bad = w.run(&["--no-cache", "env", "dev"], "12345\n");
        seen.push_str(&String::from_utf8_lossy(&bad.stderr));
        // Files written anywhere under HOME except the AWS files and the 0600 cache.
        for file in walk(&w.home()) {
            if file.starts_with(w.home().join(".aws")) || file.starts_with(w.cache()) {
                continue;
            }
            seen.push_str(&String::from_utf8_lossy(&std::fs::read(&file).unwrap()));
        }
        for canary in [HUB_SECRET, SESSION_SECRET, &token, &role_secret, CODE] {
            assert!(
                !seen.contains(canary),
                "umask {umask}: {canary:.12}… leaked"
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
