//! With moto's IAM authorisation on: the vendor role (which may not call ListBuckets) reads the
//! shared bucket's objects by name, and a GetObject it is not allowed is explained.
//!
//! Listings are not checked here: with authorisation on, moto 5.2 rejects every signed
//! ListObjectsV2 that carries a query string (`SignatureDoesNotMatch`), from boto3 as from the
//! Rust SDK; listings are covered with authorisation off in `s3_moto.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::moto::{boto3_python as python, Moto};

fn run(home: &Path, env_dir: &Path, endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", env_dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", env_dir.join("credentials"))
        .env("AWS_ENDPOINT_URL", endpoint)
        .output()
        .unwrap()
}

#[test]
fn vendor_role_reads_the_shared_bucket_by_name_and_denials_are_explained() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("aws");
    let seeded = Command::new(python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/world.py"))
        .arg(&moto.endpoint)
        .arg(&world)
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "seeding: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let on = moto.request("POST", "/moto-api/reset-auth", "0").unwrap();
    assert!(on.starts_with("HTTP/1.1 200"), "{on}");

    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let dest = dir.path().join("dl");
    std::fs::create_dir_all(&dest).unwrap();
    let get = run(
        &home,
        &world,
        &moto.endpoint,
        &[
            "s3",
            "get",
            "vendor",
            "s3://company-shared/data/customers.csv",
            dest.to_str().unwrap(),
        ],
    );
    assert!(
        get.status.success(),
        "{}",
        String::from_utf8_lossy(&get.stderr)
    );
    assert!(std::fs::read_to_string(dest.join("customers.csv"))
        .unwrap()
        .starts_with("id,name"));

    let denied = run(
        &home,
        &world,
        &moto.endpoint,
        &[
            "s3",
            "get",
            "vendor",
            "s3://company-private/salaries.csv",
            dest.to_str().unwrap(),
        ],
    );
    assert_eq!(denied.status.code(), Some(3));
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(err.contains("access denied: the role may not s3:GetObject on arn:aws:s3:::company-private/salaries.csv"), "{err}");
    assert!(!dest.join("salaries.csv").exists());
}
