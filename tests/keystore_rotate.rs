//! `keys rotate` against moto: a new key made, stored, checked, the old one deleted, and on any
//! failure the old key kept usable in the store. The user is a real moto IAM user, so moto knows
//! which user a key belongs to.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::process::{Command, Output, Stdio};

use support::world::*;

fn iam() -> aws_sdk_iam::Client {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(&moto().endpoint)
            .region(aws_config::Region::from_static("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIASEED", "seed", None, None, "test",
            ))
            .load()
            .await;
        aws_sdk_iam::Client::new(&config)
    })
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

/// A moto user with one key, as the profile `rotor` of the credentials file.
fn user(w: &World, name: &str) -> String {
    let iam = iam();
    block(iam.create_user().user_name(name).send()).unwrap();
    let key = block(iam.create_access_key().user_name(name).send()).unwrap();
    let k = key.access_key().unwrap();
    w.append(
        ".aws/credentials",
        &format!(
            "[rotor]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            k.access_key_id(),
            k.secret_access_key()
        ),
    );
    w.append(".aws/config", "[profile rotor]\nregion = us-east-1\n");
    k.access_key_id().to_owned()
}

fn keys_of(name: &str) -> Vec<String> {
    let iam = iam();
    let out = block(iam.list_access_keys().user_name(name).send()).unwrap();
    out.access_key_metadata()
        .iter()
        .map(|k| k.access_key_id().unwrap().to_owned())
        .collect()
}

fn run(w: &World, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut c: Command = w.command(args);
    c.env("XROLE_KEYSTORE", "file")
        .env("XROLE_KEYSTORE_PASSPHRASE", "rotation passphrase")
        .env("XROLE_KEYSTORE_HOLD", "0")
        .env("XDG_STATE_HOME", w.home().join("state"))
        .stdin(Stdio::null());
    for (k, v) in extra {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", std::process::id() ^ rand_part())
}

fn rand_part() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

#[test]
fn rotation_leaves_exactly_the_new_key_and_it_works() {
    let _g = serial();
    let w = World::new();
    let name = unique("rotor");
    let old = user(&w, &name);
    ok(&run(&w, &["keys", "import", "rotor"], &[]));
    ok(&run(&w, &["whoami", "rotor"], &[]));
    let out = run(&w, &["keys", "rotate", "rotor", "--yes"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let now = keys_of(&name);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now[0], old);
    assert!(err.contains(&now[0]) && err.contains("forgotten"), "{err}");
    let list = ok(&run(&w, &["keys", "list"], &[]));
    assert!(list.contains(&format!("rotor\tfile\t{}", now[0])), "{list}");
    // The key's age as IAM reports it: the store opens without asking here.
    let line = list.lines().find(|l| l.starts_with("rotor\t")).unwrap();
    assert!(line.contains("\tmade 20"), "{line}");
    // The old key's sessions were forgotten: this one is opened with the new key.
    ok(&run(&w, &["whoami", "rotor"], &[]));
}

#[test]
fn a_failed_check_keeps_the_old_key_and_deletes_the_new_one() {
    let _g = serial();
    let w = World::new();
    let name = unique("rotor");
    let old = user(&w, &name);
    ok(&run(&w, &["keys", "import", "rotor"], &[]));
    let out = run(
        &w,
        &["keys", "rotate", "rotor", "--yes"],
        &[("XROLE_TEST_FAIL_CHECK", "1")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("stays in the store"), "{err}");
    assert_eq!(
        keys_of(&name),
        std::slice::from_ref(&old),
        "only the old key is left"
    );
    let list = ok(&run(&w, &["keys", "list"], &[]));
    assert!(list.contains(&format!("rotor\tfile\t{old}")), "{list}");
    ok(&run(&w, &["whoami", "rotor", "--no-cache"], &[]));
}

#[test]
fn a_refused_create_changes_nothing_and_two_keys_are_named() {
    let _g = serial();
    let w = World::new();
    // Keys moto does not know belong to no user it has: CreateAccessKey is refused.
    ok(&run(&w, &["keys", "import", "base"], &[]));
    let sealed = std::fs::read(w.home().join("state/xrole-tui/keys.json")).unwrap();
    let out = run(&w, &["keys", "rotate", "base", "--yes"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("iam:"), "{err}");
    assert_eq!(
        std::fs::read(w.home().join("state/xrole-tui/keys.json")).unwrap(),
        sealed
    );

    let name = unique("rotor");
    user(&w, &name);
    let iam = iam();
    let second = block(iam.create_access_key().user_name(&name).send()).unwrap();
    let second = second.access_key().unwrap().access_key_id().to_owned();
    ok(&run(&w, &["keys", "import", "rotor"], &[]));
    let out = run(&w, &["keys", "rotate", "rotor", "--yes"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("two access keys") && err.contains(&second),
        "{err}"
    );
    assert_eq!(keys_of(&name).len(), 2);
}
