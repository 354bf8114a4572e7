//! The client settings the broker builds from a resolved profile and the environment, rule by
//! rule (the SDK no longer reads the files, so each rule it used to apply is checked here).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::HashMap;

use xrole_tui::aws::sdk::{self, ClientEnv, RetryMode, Service};
use xrole_tui::domain::{ProfileSet, Target};

fn target(config: &str, name: &str) -> Target {
    ProfileSet::parse(Some(config.as_bytes()), None)
        .target(name)
        .unwrap()
}

fn env(pairs: &[(&str, &str)]) -> ClientEnv {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ClientEnv::from_lookup(|k| map.get(k).cloned())
}

const CONFIG: &str = "\
[profile plain]
region = eu-west-1
[profile local]
region = eu-central-1
endpoint_url = http://profile.example:1
services = local-services
[services local-services]
sts =
  endpoint_url = http://sts-section.example:2
s3 =
  endpoint_url = http://s3-section.example:3
[profile tuned]
max_attempts = 7
retry_mode = adaptive
use_fips_endpoint = true
use_dualstack_endpoint = TRUE
ca_bundle = /etc/ssl/extra.pem
[profile bad-retries]
max_attempts = lots
[profile bad-fips]
use_fips_endpoint = yes
[profile ignoring]
endpoint_url = http://profile.example:1
ignore_configured_endpoint_urls = true
";

#[test]
fn endpoints_follow_the_documented_precedence() {
    let t = target(CONFIG, "local");
    // Files only: the [services] entry, else the profile's endpoint_url.
    let spec = sdk::resolve(Some(&t), &env(&[])).unwrap();
    assert_eq!(
        spec.endpoint(Service::Sts),
        Some("http://sts-section.example:2")
    );
    assert_eq!(
        spec.endpoint(Service::S3),
        Some("http://s3-section.example:3")
    );
    assert_eq!(
        spec.endpoint(Service::Iam),
        Some("http://profile.example:1")
    );
    // AWS_ENDPOINT_URL beats the profile's endpoint_url but not a [services] entry.
    let spec = sdk::resolve(
        Some(&t),
        &env(&[("AWS_ENDPOINT_URL", "http://env.example:4")]),
    )
    .unwrap();
    assert_eq!(
        spec.endpoint(Service::Sts),
        Some("http://sts-section.example:2")
    );
    assert_eq!(spec.endpoint(Service::Iam), Some("http://env.example:4"));
    assert_eq!(
        spec.endpoint(Service::SsoOidc),
        Some("http://env.example:4")
    );
    // A service's own variable beats everything.
    let spec = sdk::resolve(
        Some(&t),
        &env(&[
            ("AWS_ENDPOINT_URL", "http://env.example:4"),
            ("AWS_ENDPOINT_URL_STS", "http://sts-env.example:5"),
            ("AWS_ENDPOINT_URL_SSO", "http://sso-env.example:6"),
            ("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc-env.example:7"),
            ("AWS_ENDPOINT_URL_IAM", "http://iam-env.example:8"),
            ("AWS_ENDPOINT_URL_S3", "http://s3-env.example:9"),
        ]),
    )
    .unwrap();
    assert_eq!(
        spec.endpoint(Service::Sts),
        Some("http://sts-env.example:5")
    );
    assert_eq!(
        spec.endpoint(Service::Sso),
        Some("http://sso-env.example:6")
    );
    assert_eq!(
        spec.endpoint(Service::SsoOidc),
        Some("http://oidc-env.example:7")
    );
    assert_eq!(
        spec.endpoint(Service::Iam),
        Some("http://iam-env.example:8")
    );
    assert_eq!(spec.endpoint(Service::S3), Some("http://s3-env.example:9"));
    // No override at all: the SDK's own endpoint.
    let spec = sdk::resolve(Some(&target(CONFIG, "plain")), &env(&[])).unwrap();
    assert!(spec.endpoints.is_empty());
}

#[test]
fn configured_endpoints_can_be_ignored_from_the_profile_or_the_environment() {
    let spec = sdk::resolve(Some(&target(CONFIG, "ignoring")), &env(&[])).unwrap();
    assert!(spec.endpoints.is_empty());
    let spec = sdk::resolve(
        Some(&target(CONFIG, "local")),
        &env(&[
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ("AWS_ENDPOINT_URL", "http://env.example:4"),
        ]),
    )
    .unwrap();
    assert!(spec.endpoints.is_empty());
}

#[test]
fn the_profile_region_comes_first_then_the_environment_then_us_east_1() {
    let e = env(&[
        ("AWS_REGION", "ap-south-1"),
        ("AWS_DEFAULT_REGION", "sa-east-1"),
    ]);
    assert_eq!(
        sdk::resolve(Some(&target(CONFIG, "plain")), &e)
            .unwrap()
            .region,
        "eu-west-1"
    );
    let none = target(CONFIG, "tuned");
    assert_eq!(sdk::resolve(Some(&none), &e).unwrap().region, "ap-south-1");
    let e = env(&[("AWS_DEFAULT_REGION", "sa-east-1")]);
    assert_eq!(sdk::resolve(Some(&none), &e).unwrap().region, "sa-east-1");
    assert_eq!(
        sdk::resolve(Some(&none), &env(&[])).unwrap().region,
        "us-east-1"
    );
    assert_eq!(sdk::resolve(None, &env(&[])).unwrap().region, "us-east-1");
    // A region goes into host names: a bad one is refused here, naming where it came from.
    let e = env(&[("AWS_REGION", "us-east-1.evil.test")]);
    let err = sdk::resolve(Some(&none), &e).unwrap_err();
    assert!(
        err.starts_with("AWS_REGION \"us-east-1.evil.test\""),
        "{err}"
    );
    let e = env(&[("AWS_DEFAULT_REGION", "a b")]);
    assert!(sdk::resolve(None, &e)
        .unwrap_err()
        .contains("AWS_DEFAULT_REGION"));
}

#[test]
fn retries_fips_dual_stack_and_ca_bundle_from_the_profile_and_the_environment() {
    let t = target(CONFIG, "tuned");
    let spec = sdk::resolve(Some(&t), &env(&[])).unwrap();
    assert_eq!(spec.max_attempts, 7);
    assert_eq!(spec.retry_mode, RetryMode::Adaptive);
    assert!(spec.use_fips && spec.use_dualstack);
    assert_eq!(spec.ca_bundle.as_deref(), Some("/etc/ssl/extra.pem"));
    let spec = sdk::resolve(
        Some(&t),
        &env(&[
            ("AWS_MAX_ATTEMPTS", "2"),
            ("AWS_RETRY_MODE", "standard"),
            ("AWS_USE_FIPS_ENDPOINT", "false"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "false"),
            ("AWS_CA_BUNDLE", "/tmp/other.pem"),
        ]),
    )
    .unwrap();
    assert_eq!(spec.max_attempts, 2);
    assert_eq!(spec.retry_mode, RetryMode::Standard);
    assert!(!spec.use_fips && !spec.use_dualstack);
    assert_eq!(spec.ca_bundle.as_deref(), Some("/tmp/other.pem"));
    let plain = sdk::resolve(Some(&target(CONFIG, "plain")), &env(&[])).unwrap();
    assert_eq!(plain.max_attempts, sdk::DEFAULT_ATTEMPTS);
    assert!(!plain.use_fips && !plain.use_dualstack && plain.ca_bundle.is_none());
}

#[test]
fn bad_values_name_the_setting_and_where_it_came_from() {
    let err = sdk::resolve(Some(&target(CONFIG, "bad-retries")), &env(&[])).unwrap_err();
    assert!(
        err.contains("max_attempts of profile \"bad-retries\""),
        "{err}"
    );
    assert!(err.contains("\"lots\""), "{err}");
    let err = sdk::resolve(Some(&target(CONFIG, "bad-fips")), &env(&[])).unwrap_err();
    assert!(err.contains("use_fips_endpoint"), "{err}");
    let err = sdk::resolve(None, &env(&[("AWS_RETRY_MODE", "eager")])).unwrap_err();
    assert!(
        err.contains("AWS_RETRY_MODE") && err.contains("eager"),
        "{err}"
    );
    let err = sdk::resolve(None, &env(&[("AWS_MAX_ATTEMPTS", "0")])).unwrap_err();
    assert!(err.contains("AWS_MAX_ATTEMPTS"), "{err}");
}

#[test]
fn the_built_configuration_carries_the_settings() {
    let spec = sdk::resolve(
        Some(&target(CONFIG, "local")),
        &env(&[("AWS_USE_FIPS_ENDPOINT", "true")]),
    )
    .unwrap();
    let sts = sdk::config(&spec, Service::Sts, None);
    assert_eq!(sts.endpoint_url(), Some("http://sts-section.example:2"));
    assert_eq!(sts.region().map(|r| r.as_ref()), Some("eu-central-1"));
    assert_eq!(sts.use_fips(), Some(true));
    assert_eq!(sts.retry_config().map(|r| r.max_attempts()), Some(3));
    let s3 = sdk::config(&spec, Service::S3, None);
    assert_eq!(s3.endpoint_url(), Some("http://s3-section.example:3"));
}

#[test]
fn a_ca_bundle_that_cannot_be_used_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("bundle.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    for (path, why) in [
        (dir.path().join("missing.pem"), "No such file"),
        (not_pem, "no PEM certificate"),
    ] {
        let p = path.display().to_string();
        let spec = sdk::resolve(None, &env(&[("AWS_CA_BUNDLE", &p)])).unwrap();
        let err = sdk::http_client(&spec, &env(&[])).map(|_| ()).unwrap_err();
        assert!(err.contains(&p) && err.contains(why), "{err}");
    }
}
