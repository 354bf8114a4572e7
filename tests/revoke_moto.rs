//! `revoke` through the real binary against moto: the console's policy on the role, with AWS's
//! time; the cached sessions dropped; `--dry-run` makes no call; no terminal and no `--yes`
//! refuses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::time::{Duration, SystemTime};

use support::world::*;

fn iam() -> (tokio::runtime::Runtime, aws_sdk_iam::Client) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(&moto().endpoint)
            .region(aws_config::Region::from_static("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIASEED", "seed", None, None, "test",
            ))
            .load(),
    );
    (rt, aws_sdk_iam::Client::new(&config))
}

fn cache_entries(w: &World) -> usize {
    std::fs::read_dir(w.cache())
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn revoke_puts_the_policy_with_awss_time_and_drops_the_cached_session() {
    let _g = serial();
    let w = World::new();
    let (rt, iam) = iam();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let _ = rt.block_on(
        iam.create_role()
            .role_name("app")
            .assume_role_policy_document(trust)
            .send(),
    );
    let key = |w: &World| {
        ok(&w.run(&["env", "app"], ""))
            .lines()
            .find(|l| l.starts_with("export AWS_ACCESS_KEY_ID="))
            .unwrap()
            .to_owned()
    };
    let first = key(&w);
    assert_eq!(key(&w), first, "served from the cache");
    assert!(cache_entries(&w) >= 1);

    let out = w.run(&["revoke", "app", "--as", "base", "--yes"], "");
    let said = ok(&out);
    assert!(
        said.contains("revoked") && said.contains("role arn:aws:iam::222222222222:role/app"),
        "{said}"
    );
    assert_ne!(
        key(&w),
        first,
        "the role's cached session is gone: a new AssumeRole"
    );

    let got = rt
        .block_on(
            iam.get_role_policy()
                .role_name("app")
                .policy_name("AWSRevokeOlderSessions")
                .send(),
        )
        .unwrap();
    let doc = percent_encoding::percent_decode_str(got.policy_document())
        .decode_utf8_lossy()
        .into_owned();
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["Statement"][0]["Effect"], "Deny");
    let when = v["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
        .as_str()
        .unwrap();
    let when = xrole_tui::domain::session::parse_rfc3339(when).unwrap();
    let apart = SystemTime::now()
        .duration_since(when)
        .unwrap_or_else(|e| e.duration());
    assert!(apart < Duration::from_secs(60), "{apart:?}");
}

#[test]
fn dry_run_makes_no_call_and_scripts_must_say_yes() {
    let _g = serial();
    let w = World::new();
    let mut c = w.command(&["revoke", "app", "--dry-run"]);
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    let out = ok(&w.run_with(c, ""));
    assert!(
        out.starts_with("iam:PutRolePolicy RoleName=app PolicyName=AWSRevokeOlderSessions"),
        "{out}"
    );
    assert!(out.contains("aws:TokenIssueTime"));
    let out = w.run(&["revoke", "app"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --yes"));
}
