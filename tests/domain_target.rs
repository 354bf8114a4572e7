//! A profile resolved once: the plan and every setting its consumers read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use xrole_tui::domain::{ProfileSet, Source, TargetError};

const CONFIG: &str = "\
[profile hub]
mfa_process = echo 123456
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
xrole_env = prod
xrole_account_name = Development
xrole_buckets = shared, s3://logs/2026/, Bad_Bucket
services = local
[services local]
s3 =
  endpoint_url = http://127.0.0.1:9000
[profile guarded]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
xrole_expected_account = 999999999999
xrole_env = Prod
[profile sso]
sso_session = corp
sso_account_id = 555555555555
sso_role_name = Vendor
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
[profile loop-a]
role_arn = arn:aws:iam::222222222222:role/a
source_profile = loop-b
[profile loop-b]
role_arn = arn:aws:iam::222222222222:role/b
source_profile = loop-a
";
const CREDENTIALS: &str =
    "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = hub-secret-canary\n";

fn set() -> ProfileSet {
    ProfileSet::parse(Some(CONFIG.as_bytes()), Some(CREDENTIALS.as_bytes()))
}

#[test]
fn a_role_profile_carries_everything_its_consumers_read() {
    let t = set().target("dev").unwrap();
    assert_eq!(t.name, "dev");
    assert_eq!(t.region.as_deref(), Some("eu-west-1"));
    assert!(t.is_prod());
    assert_eq!(t.account_name.as_deref(), Some("Development"));
    assert_eq!(t.expected_account.as_deref(), Some("222222222222"));
    assert_eq!(
        t.mfa_process.as_deref(),
        Some("echo 123456"),
        "found down the chain"
    );
    assert_eq!(t.root_profile(), "hub");
    assert_eq!(
        t.root_keys.as_ref().map(|k| k.access_key_id.as_str()),
        Some("AKIAHUB0000000000001")
    );
    assert_eq!(
        t.endpoints.per_service.get("s3").map(String::as_str),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(t.endpoints.per_service.get("sts"), None);
    assert_eq!(t.endpoints.all, None);
    assert_eq!(t.bookmarks.len(), 3);
    assert_eq!(t.bookmarks[0], Ok(("shared".into(), String::new())));
    assert_eq!(t.bookmarks[1], Ok(("logs".into(), "2026/".into())));
    assert!(t.bookmarks[2].is_err());
    assert_eq!(t.plan.steps.len(), 2);
}

#[test]
fn the_secret_never_shows_in_debug() {
    let t = set().target("dev").unwrap();
    let text = format!("{t:?}");
    assert!(!text.contains("hub-secret-canary"), "{text}");
    assert!(text.contains("redacted"));
}

#[test]
fn an_expected_account_overrides_the_role_account() {
    let t = set().target("guarded").unwrap();
    assert_eq!(t.expected_account.as_deref(), Some("999999999999"));
}

#[test]
fn sso_settings_come_from_the_session_section() {
    let t = set().target("sso").unwrap();
    assert!(matches!(t.plan.source, Source::Sso { .. }));
    let sso = t.sso.unwrap();
    assert_eq!(
        sso.start_url.as_deref(),
        Some("https://corp.awsapps.com/start")
    );
    assert_eq!(sso.region.as_deref(), Some("eu-central-1"));
    assert_eq!(sso.session.as_deref(), Some("corp"));
    assert!(t.root_keys.is_none());
}

#[test]
fn unknown_and_invalid_profiles_say_why() {
    assert_eq!(
        set().target("nope").unwrap_err(),
        TargetError::NoProfile {
            name: "nope".into(),
            suggestion: None
        }
    );
    // A typo, or the right name in another case, gets a suggestion.
    let typo = set().target("loop-aa").unwrap_err().to_string();
    assert!(typo.ends_with("did you mean \"loop-a\"?"), "{typo}");
    let case = set().target("LOOP-B").unwrap_err().to_string();
    assert!(case.ends_with("did you mean \"loop-b\"?"), "{case}");
    let err = set().target("loop-a").unwrap_err();
    assert!(err.to_string().contains("loop-a"), "{err}");
    assert!(matches!(err, TargetError::Invalid { .. }));
}

#[test]
fn the_target_and_the_lists_facts_agree() {
    let set = set();
    let guarded = set.target("guarded").unwrap();
    assert!(guarded.is_prod(), "any case, as the list's [prod] badge");
    for i in 0..set.len() {
        let s = xrole_tui::domain::summary::Summary::new(&set, i);
        let Ok(t) = set.target_at(i) else {
            assert!(s.plan.is_err());
            continue;
        };
        assert_eq!(t.is_prod(), s.facts.is_prod(), "{}", t.name);
        assert_eq!(t.region.as_deref(), s.facts.region);
        assert_eq!(t.role_arn.as_deref(), s.facts.role_arn);
        assert_eq!(t.account_name.as_deref(), s.facts.account_name);
        assert_eq!(t.name, s.facts.name);
    }
}

#[test]
fn the_account_is_one_rule_for_the_list_and_a_target() {
    let set = set();
    let mut seen = 0;
    for index in 0..set.len() {
        let Ok(target) = set.target_at(index) else {
            continue;
        };
        let summary = xrole_tui::domain::summary::Summary::new(&set, index);
        assert_eq!(target.account(), summary.account, "profile {}", target.name);
        seen += 1;
    }
    assert!(seen >= 4);
    assert_eq!(set.target("sso").unwrap().account(), Some("555555555555"));
    assert_eq!(
        set.target("guarded").unwrap().account(),
        Some("999999999999")
    );
    assert_eq!(set.target("hub").unwrap().account(), None);
}
