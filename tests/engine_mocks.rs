//! The credential engine against errors a real STS gives but moto cannot: each one ends in a
//! message a person can act on, and locally invalid input makes no request.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_sts::operation::assume_role::{AssumeRoleError, AssumeRoleOutput};
use aws_sdk_sts::operation::get_session_token::{GetSessionTokenError, GetSessionTokenOutput};
use aws_sdk_sts::types::error::ExpiredTokenException;
use aws_sdk_sts::types::{AssumedRoleUser, Credentials as StsCredentials};
use aws_sdk_sts::Client;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::DateTime;
use xrole_tui::aws::authenticate::{Engine, Outcome};
use xrole_tui::aws::cache::Cache;
use xrole_tui::aws::error::AuthError;
use xrole_tui::aws::mfa::MfaInput;
use xrole_tui::domain::ProfileSet;
use zeroize::Zeroizing;

const CONFIG: &str = "\
[profile hub]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile ext]
role_arn = arn:aws:iam::222222222222:role/vendor
source_profile = hub
external_id = partner-42
[profile deep]
role_arn = arn:aws:iam::333333333333:role/reader
source_profile = dev
duration_seconds = 7200
[profile short]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
duration_seconds = 899
";
const CREDENTIALS: &str =
    "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = hub-secret\n";

struct Codes {
    code: &'static str,
    asked: usize,
}

impl MfaInput for Codes {
    fn code(
        &mut self,
        _serial: &str,
        _profile: &str,
    ) -> impl std::future::Future<Output = Result<Zeroizing<String>, AuthError>> + Send {
        self.asked += 1;
        let code = self.code;
        async move { Ok(Zeroizing::new(code.to_owned())) }
    }
}

fn in_hours(h: i64) -> DateTime {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    DateTime::from_secs(now + h * 3600)
}

fn sts_creds(id: &str) -> StsCredentials {
    StsCredentials::builder()
        .access_key_id(id)
        .secret_access_key("mock-secret")
        .session_token("mock-token")
        .expiration(in_hours(1))
        .build()
        .unwrap()
}

fn session_ok() -> Rule {
    mock!(Client::get_session_token).then_output(|| {
        GetSessionTokenOutput::builder()
            .credentials(sts_creds("ASIASESSION000000001"))
            .build()
    })
}

fn role_ok(account: &'static str) -> Rule {
    mock!(Client::assume_role).then_output(move || {
        AssumeRoleOutput::builder()
            .credentials(sts_creds("ASIAROLE000000000001"))
            .assumed_role_user(
                AssumedRoleUser::builder()
                    .arn(format!(
                        "arn:aws:sts::{account}:assumed-role/admin/xrole-dev"
                    ))
                    .assumed_role_id("AROAEXAMPLE:xrole-dev")
                    .build()
                    .unwrap(),
            )
            .build()
    })
}

fn role_error(code: &'static str, message: &'static str) -> Rule {
    mock!(Client::assume_role).then_error(move || {
        AssumeRoleError::generic(ErrorMetadata::builder().code(code).message(message).build())
    })
}

fn session_error(code: &'static str, message: &'static str) -> Rule {
    mock!(Client::get_session_token).then_error(move || {
        GetSessionTokenError::generic(ErrorMetadata::builder().code(code).message(message).build())
    })
}

async fn sdk() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .empty_test_environment()
        .no_credentials()
        .region(aws_config::Region::from_static("us-east-1"))
        .load()
        .await
}

async fn engine(rules: &[&Rule], cache: Option<Cache>) -> Engine {
    let rules: Vec<Rule> = rules.iter().map(|r| (*r).clone()).collect();
    Engine {
        sdk: sdk().await,
        cache,
        customize: Some(Arc::new(move |b: aws_sdk_sts::config::Builder| {
            // Each client gets its own interceptor over the same rules (their counts are shared).
            let interceptor = rules.iter().fold(
                MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
                |i, r| i.with_rule(r),
            );
            b.http_client(create_mock_http_client())
                .interceptor(interceptor)
                .retry_config(
                    RetryConfig::standard()
                        .with_max_attempts(3)
                        .with_initial_backoff(Duration::from_millis(1)),
                )
        })),
        sso: Default::default(),
    }
}

async fn run(
    engine: &Engine,
    profile: &str,
    code: &'static str,
) -> (Result<Outcome, AuthError>, usize) {
    let set = ProfileSet::parse(Some(CONFIG.as_bytes()), Some(CREDENTIALS.as_bytes()));
    let mut mfa = Codes { code, asked: 0 };
    let target = match set.target(profile) {
        Ok(t) => t,
        Err(e) => return (Err(AuthError::Config(e.to_string())), 0),
    };
    let r = engine
        .authenticate(&target, &mut mfa, SystemTime::now())
        .await;
    (r, mfa.asked)
}

fn message(r: Result<Outcome, AuthError>) -> AuthError {
    r.expect_err("the call should fail")
}

#[tokio::test]
async fn happy_path_uses_one_mfa_session() {
    let (s, a) = (session_ok(), role_ok("222222222222"));
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&[&s, &a], Some(Cache::at(dir.path().join("c")))).await;
    let (r, asked) = run(&e, "dev", "123456").await;
    let out = r.unwrap();
    assert_eq!(
        (asked, out.sts_calls, s.num_calls(), a.num_calls()),
        (1, 2, 1, 1)
    );
    assert_eq!(out.session.identity.unwrap().account, "222222222222");
    // Second time: everything from the cache, no code asked, no request.
    let (r, asked) = run(&e, "dev", "123456").await;
    assert_eq!(
        (asked, r.unwrap().sts_calls, s.num_calls(), a.num_calls()),
        (0, 0, 1, 1)
    );
}

#[tokio::test]
async fn rejected_mfa_code_says_wait_for_the_next_one_and_caches_nothing() {
    let s = session_error(
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    );
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("c");
    let e = engine(&[&s], Some(Cache::at(cache_dir.clone()))).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(matches!(err, AuthError::Mfa(_)), "{err:?}");
    assert!(err.to_string().contains("wait for the next code"), "{err}");
    assert!(
        err.to_string()
            .contains("arn:aws:iam::111111111111:mfa/alice"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 3);
    assert_eq!(s.num_calls(), 1, "never resent automatically");
    // Lock files may remain (they hold no credentials); no entry does.
    let entries = std::fs::read_dir(&cache_dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(entries, 0);
}

#[tokio::test]
async fn wrong_mfa_serial_points_at_mfa_serial() {
    let s = session_error(
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
    );
    let e = engine(&[&s], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("check mfa_serial"), "{err}");
}

#[tokio::test]
async fn invalid_or_expired_source_keys() {
    let s = session_error(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    let e = engine(&[&s], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(
        err.to_string()
            .contains("does not accept the keys of profile \"hub\""),
        "{err}"
    );

    let (s, a) = (
        session_ok(),
        mock!(Client::assume_role).then_error(|| {
            AssumeRoleError::ExpiredTokenException(
                ExpiredTokenException::builder()
                    .message("The security token included in the request is expired")
                    .meta(
                        ErrorMetadata::builder()
                            .code("ExpiredTokenException")
                            .build(),
                    )
                    .build(),
            )
        }),
    );
    let e = engine(&[&s, &a], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(
        matches!(err, AuthError::Expired(_)) && err.to_string().contains("expired"),
        "{err}"
    );
}

#[tokio::test]
async fn access_denied_names_the_role_and_the_likely_causes() {
    let a = role_error(
        "AccessDenied",
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/vendor",
    );
    let e = engine(&[&a], None).await;
    let err = message(run(&e, "ext", "123456").await.0);
    let text = err.to_string();
    assert!(
        text.contains("sts:AssumeRole on arn:aws:iam::222222222222:role/vendor"),
        "{text}"
    );
    assert!(
        text.contains("trust policy") && text.contains("external_id does not match"),
        "{text}"
    );
    assert!(text.contains("requires MFA"), "{text}");
}

#[tokio::test]
async fn role_chaining_limit_and_clock_skew_are_explained() {
    let (s, a) = (session_ok(), role_error(
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    ));
    let e = engine(&[&s, &a], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("3600 seconds"), "{err}");

    let s = session_error(
        "SignatureDoesNotMatch",
        "Signature expired: 20261123T050000Z is now earlier than 20261123T051500Z (20261123T053000Z - 15 min.)",
    );
    let e = engine(&[&s], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("clock is off"), "{err}");
}

#[tokio::test]
async fn chained_role_duration_is_lowered_to_one_hour_before_the_call() {
    let s = session_ok();
    let a = mock!(Client::assume_role)
        .match_requests(|r| r.duration_seconds().is_none_or(|d| d <= 3600))
        .then_output(|| {
            AssumeRoleOutput::builder()
                .credentials(sts_creds("ASIAROLE000000000002"))
                .assumed_role_user(
                    AssumedRoleUser::builder()
                        .arn("arn:aws:sts::333333333333:assumed-role/reader/x")
                        .assumed_role_id("AROAX:x")
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let dev = role_ok("222222222222");
    let e = engine(&[&s, &a, &dev], None).await;
    let (r, _) = run(&e, "deep", "123456").await;
    let out = r.expect("deep resolves with a 3600 s request");
    assert!(
        out.notes.iter().any(|n| n.contains("3600s is requested")),
        "{:?}",
        out.notes
    );
}

#[tokio::test]
async fn throttling_is_retried_a_bounded_number_of_times() {
    let throttled = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
    let s = mock!(Client::get_session_token)
        .sequence()
        .http_status(400, Some(throttled.into()))
        .times(2)
        .output(|| {
            GetSessionTokenOutput::builder()
                .credentials(sts_creds("ASIAS"))
                .build()
        })
        .build();
    let a = role_ok("222222222222");
    let e = engine(&[&s, &a], None).await;
    assert!(run(&e, "dev", "123456").await.0.is_ok());
    assert_eq!(s.num_calls(), 3);

    let always = mock!(Client::get_session_token)
        .sequence()
        .http_status(400, Some(throttled.into()))
        .times(10)
        .build();
    let e = engine(&[&always], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("throttled"), "{err}");
    assert_eq!(
        always.num_calls(),
        3,
        "three attempts, then the user is told"
    );
}

#[tokio::test]
async fn wrong_account_is_refused_without_an_extra_call() {
    let (s, a) = (session_ok(), role_ok("999999999999"));
    let e = engine(&[&s, &a], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(matches!(err, AuthError::WrongAccount(_)), "{err:?}");
    assert!(
        err.to_string().contains("must be in account 222222222222"),
        "{err}"
    );
    assert_eq!(a.num_calls(), 1);
}

#[tokio::test]
async fn locally_invalid_input_makes_no_request() {
    for bad in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
        let (s, a) = (session_ok(), role_ok("222222222222"));
        let e = engine(&[&s, &a], None).await;
        let err = message(run(&e, "dev", bad).await.0);
        assert!(err.to_string().contains("exactly 6 digits"), "{bad}: {err}");
        assert_eq!(s.num_calls() + a.num_calls(), 0, "{bad}");
    }
    let (s, a) = (session_ok(), role_ok("222222222222"));
    let e = engine(&[&s, &a], None).await;
    let err = message(run(&e, "short", "123456").await.0);
    assert!(
        matches!(err, AuthError::Config(_)) && err.to_string().contains("899"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 2);
    assert_eq!(s.num_calls() + a.num_calls(), 0);
}

async fn real_engine(endpoint: String) -> Engine {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .empty_test_environment()
        .no_credentials()
        .region(aws_config::Region::from_static("us-east-1"))
        .endpoint_url(endpoint)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(500))
                .operation_attempt_timeout(Duration::from_millis(500))
                .operation_timeout(Duration::from_secs(2))
                .build(),
        )
        .load()
        .await;
    Engine {
        sdk,
        cache: None,
        customize: None,
        sso: Default::default(),
    }
}

#[tokio::test]
async fn endpoint_down_and_endpoint_that_never_answers() {
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = real_engine(format!("http://127.0.0.1:{closed}")).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(
        err.to_string().contains("cannot reach the STS endpoint"),
        "{err}"
    );

    // Accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let e = real_engine(format!("http://127.0.0.1:{port}")).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("timed out"), "{err}");
    drop(silent);
}

#[tokio::test]
async fn a_partial_sts_answer_is_refused_and_never_cached() {
    let empty_secret = mock!(Client::get_session_token).then_output(|| {
        GetSessionTokenOutput::builder()
            .credentials(
                StsCredentials::builder()
                    .access_key_id("ASIASESSION000000001")
                    .secret_access_key("")
                    .session_token("mock-token")
                    .expiration(in_hours(1))
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let a = role_ok("222222222222");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("c");
    let e = engine(&[&empty_secret, &a], Some(Cache::at(cache.clone()))).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("without SecretAccessKey"), "{err}");
    assert_eq!(a.num_calls(), 0, "nothing is built on a partial answer");
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .into_iter()
        .collect();
    assert!(
        entries.iter().all(|&n| n == 0),
        "nothing cached: {entries:?}"
    );

    let no_credentials =
        mock!(Client::assume_role).then_output(|| AssumeRoleOutput::builder().build());
    let e = engine(&[&session_ok(), &no_credentials], None).await;
    let err = message(run(&e, "dev", "123456").await.0);
    assert!(err.to_string().contains("without credentials"), "{err}");
}
