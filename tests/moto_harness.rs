//! The moto harness itself: the SDK reaches moto through `AWS_ENDPOINT_URL`, STS and S3 answer.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use aws_credential_types::Credentials;
use aws_sdk_s3::primitives::ByteStream;
use xrole_tui::aws::sdk;

#[tokio::test]
async fn sts_and_s3_round_trips_through_aws_endpoint_url() {
    let moto = support::moto::Moto::start();
    // This binary holds this one test, so changing the process environment races with nothing.
    std::env::set_var("AWS_ENDPOINT_URL", &moto.endpoint);
    std::env::set_var("AWS_REGION", "eu-west-1");
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/xrole-test-config");
    std::env::set_var(
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/xrole-test-credentials",
    );
    moto.start_recording();
    let spec = sdk::resolve(None, &sdk::ClientEnv::from_env()).unwrap();
    let config = sdk::config(&spec, sdk::Service::Sts, None);
    assert_eq!(config.endpoint_url(), Some(moto.endpoint.as_str()));

    let keys = Credentials::new("AKIAHARNESSTEST00001", "harness-secret", None, None, "test");
    let sts = sdk::sts_client(&config, keys);
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(me.account(), Some("123456789012"));

    let assumed = sts
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/harness")
        .role_session_name("harness")
        .send()
        .await
        .expect("AssumeRole");
    let c = assumed.credentials().expect("credentials");
    let role_keys = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "test",
    );
    let role_sts = sdk::sts_client(&config, role_keys.clone());
    let who = role_sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity as role");
    assert_eq!(who.account(), Some("111111111111"));
    assert!(who
        .arn()
        .unwrap_or_default()
        .ends_with(":assumed-role/harness/harness"));

    let s3 = sdk::s3_client(&sdk::config(&spec, sdk::Service::S3, None), role_keys);
    s3.create_bucket()
        .bucket("harness-bucket")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket (path-style)");
    s3.put_object()
        .bucket("harness-bucket")
        .key("dir/hello.txt")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .expect("PutObject");
    let listed = s3
        .list_objects_v2()
        .bucket("harness-bucket")
        .delimiter("/")
        .send()
        .await
        .expect("ListObjectsV2");
    let prefixes: Vec<_> = listed
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, ["dir/"]);
    assert_eq!(moto.count("AssumeRole"), 1);
    assert_eq!(moto.count("GetCallerIdentity"), 2);
}
