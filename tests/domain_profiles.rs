//! The profile model and the plan resolver: INI text in, profiles and plans out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use xrole_tui::domain::profile::Key;
use xrole_tui::domain::summary::{Kind, Summary};
use xrole_tui::domain::{FileKind, PlanError, ProfileSet, Severity, Source, Step};

fn set(config: &str, credentials: &str) -> ProfileSet {
    ProfileSet::parse(Some(config.as_bytes()), Some(credentials.as_bytes()))
}

fn error_of(set: &ProfileSet, name: &str) -> String {
    set.plan(name).expect_err(name).to_string()
}

const HUB: &str = "\
[default]
region = eu-west-1

[profile hub]
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
role_session_name = alice
external_id = ext-123
region = eu-central-1
xrole_account_name = Development
xrole_buckets = shared-bucket/reports, other-bucket

[profile deep]
role_arn = arn:aws:iam::333333333333:role/reader
source_profile = dev
duration_seconds = 3600

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile vendor-sso]
sso_session = corp
sso_account_id = 444444444444
sso_role_name = ReadOnly

[profile tool]
credential_process = C:\\tools\\new.exe --profile x

[profile ec2]
role_arn = arn:aws:iam::555555555555:role/app
credential_source = Ec2InstanceMetadata
";

const HUB_CREDENTIALS: &str = "\
[hub]
aws_access_key_id = AKIAHUBEXAMPLE
aws_secret_access_key = hub-secret

[creds-only]
aws_access_key_id = AKIAONLY
aws_secret_access_key = only-secret
aws_session_token = only-token
";

#[test]
fn profiles_from_both_files_in_order() {
    let s = set(HUB, HUB_CREDENTIALS);
    let names: Vec<&str> = s.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "default",
            "hub",
            "dev",
            "deep",
            "vendor-sso",
            "tool",
            "ec2",
            "creds-only"
        ]
    );
    assert!(
        s.get("corp").is_none(),
        "sso-session sections are not profiles"
    );
    assert_eq!(
        s.sso_session("corp").and_then(|c| c.region.as_deref()),
        Some("eu-west-1")
    );
    let hub = s.get("hub").unwrap();
    assert_eq!(hub.config_line, Some(4));
    assert_eq!(hub.credentials_line, Some(1));
    assert!(hub.has_static_keys());
}

#[test]
fn credentials_file_wins_over_config() {
    let s = set(
        "[profile p]\nregion = eu-west-1\naws_access_key_id = AKIACONFIG\naws_secret_access_key = a\n",
        "[p]\naws_access_key_id = AKIACREDS\n",
    );
    let p = s.get("p").unwrap();
    assert_eq!(p.get(Key::AwsAccessKeyId), Some("AKIACREDS"));
    assert_eq!(p.get(Key::Region), Some("eu-west-1"));
    assert_eq!(
        p.location_of(Key::AwsAccessKeyId).map(|l| (l.file, l.line)),
        Some((FileKind::Credentials, 2))
    );
}

#[test]
fn plans_of_the_three_workflows() {
    let s = set(HUB, HUB_CREDENTIALS);
    let dev = s.plan("dev").unwrap();
    assert_eq!(dev.chain, ["dev", "hub"]);
    assert_eq!(
        dev.source,
        Source::StaticKeys {
            profile: "hub".into(),
            temporary: false
        }
    );
    // One MFA session (GetSessionToken), then the role without its own code.
    assert!(
        matches!(&dev.steps[0], Step::SessionToken { mfa_serial: Some(serial), .. } if serial.ends_with("mfa/alice"))
    );
    match &dev.steps[1] {
        Step::AssumeRole {
            role_arn,
            mfa_serial,
            external_id,
            session_name,
            ..
        } => {
            assert_eq!(role_arn.account(), "222222222222");
            assert_eq!(mfa_serial, &None);
            assert_eq!(external_id.as_deref(), Some("ext-123"));
            assert_eq!(session_name.as_deref(), Some("alice"));
        }
        other => panic!("{other:?}"),
    }
    let deep = s.plan("deep").unwrap();
    assert_eq!(deep.chain, ["deep", "dev", "hub"]);
    assert_eq!(deep.steps.len(), 3);
    assert_eq!(deep.final_role().unwrap().account(), "333333333333");

    let sso = s.plan("vendor-sso").unwrap();
    assert!(
        matches!(sso.source, Source::Sso { ref account_id, .. } if account_id == "444444444444")
    );
    assert!(sso.steps.is_empty());

    let tool = s.plan("tool").unwrap();
    assert_eq!(
        tool.source,
        Source::Process {
            profile: "tool".into(),
            command: "C:\\tools\\new.exe --profile x".into()
        }
    );
    let ec2 = s.plan("ec2").unwrap();
    assert!(
        matches!(ec2.source, Source::CredentialSource { ref kind, .. } if kind == "Ec2InstanceMetadata")
    );
}

#[test]
fn summaries_give_kind_account_and_chain() {
    let s = set(HUB, HUB_CREDENTIALS);
    let kinds: Vec<(String, Kind, Option<String>)> = (0..s.len())
        .map(|i| {
            let sum = Summary::new(&s, i);
            (
                sum.profile.name.clone(),
                sum.kind,
                sum.account.map(str::to_owned),
            )
        })
        .collect();
    let find = |n: &str| kinds.iter().find(|k| k.0 == n).cloned().unwrap();
    assert_eq!(find("default").1, Kind::Environment);
    assert_eq!(find("hub").1, Kind::Static);
    assert_eq!(
        find("dev"),
        ("dev".into(), Kind::Role, Some("222222222222".into()))
    );
    assert_eq!(find("vendor-sso").2.as_deref(), Some("444444444444"));
    assert_eq!(find("tool").1, Kind::Process);
    assert_eq!(find("creds-only").1, Kind::Static);
}

#[test]
fn long_role_duration_skips_the_shared_mfa_session_and_says_why() {
    let s = set(
        "[profile u]\n[profile r]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = u\nmfa_serial = arn:aws:iam::111111111111:mfa/u\nduration_seconds = 7200\n",
        "[u]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n",
    );
    let plan = s.plan("r").unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert!(matches!(
        &plan.steps[0],
        Step::AssumeRole {
            mfa_serial: Some(_),
            duration: Some(7200),
            ..
        }
    ));
    assert!(plan.notes[0].contains("7200"), "{:?}", plan.notes);
}

#[test]
fn chained_role_over_one_hour_is_flagged() {
    let s = set(
        "[profile a]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = k\n[profile b]\nrole_arn = arn:aws:iam::333333333333:role/b\nsource_profile = a\nduration_seconds = 7200\n",
        "[k]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n",
    );
    let plan = s.plan("b").unwrap();
    assert!(
        plan.notes.iter().any(|n| n.contains("role chaining")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn chain_errors_name_the_problem() {
    let s = set(
        "\
[profile a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = b
[profile b]
role_arn = arn:aws:iam::111111111111:role/b
source_profile = c
[profile c]
role_arn = arn:aws:iam::111111111111:role/c
source_profile = a
[profile self]
role_arn = arn:aws:iam::111111111111:role/s
source_profile = self
[profile selfkeys]
role_arn = arn:aws:iam::111111111111:role/s
source_profile = selfkeys
[profile missing]
role_arn = arn:aws:iam::111111111111:role/m
source_profile = nowhere
[profile neither]
role_arn = arn:aws:iam::111111111111:role/n
[profile both]
role_arn = arn:aws:iam::111111111111:role/n
source_profile = a
credential_source = Environment
[profile bogus]
role_arn = arn:aws:iam::111111111111:role/n
credential_source = Bogus
[profile on-bad]
role_arn = arn:aws:iam::111111111111:role/n
source_profile = bogus
[profile ok]
role_arn = arn:aws:iam::111111111111:role/ok
credential_source = Environment
",
        "[selfkeys]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n",
    );
    assert_eq!(error_of(&s, "a"), "source_profile loop: a → b → c → a");
    assert_eq!(error_of(&s, "c"), "source_profile loop: c → a → b → c");
    assert_eq!(error_of(&s, "self"), "source_profile loop: self → self");
    assert!(
        s.plan("selfkeys").is_ok(),
        "self-reference with keys is allowed"
    );
    assert_eq!(
        error_of(&s, "missing"),
        "source_profile \"nowhere\" referenced in profile \"missing\" does not exist"
    );
    assert!(error_of(&s, "neither").contains("neither source_profile nor credential_source"));
    assert!(error_of(&s, "both").contains("both source_profile and credential_source"));
    let bogus = error_of(&s, "bogus");
    assert!(
        bogus.contains("\"Bogus\"") && bogus.contains("config line 27"),
        "{bogus}"
    );
    assert!(error_of(&s, "on-bad").starts_with("source profile \"bogus\" is invalid"));
    assert!(s.plan("ok").is_ok(), "good profiles stay usable");
    assert!(matches!(s.plan("nope"), Err(PlanError::NoSuchProfile(_))));
}

#[test]
fn invalid_values_are_attached_to_their_profile() {
    let cases = [
        ("role_arn = arn:aws:iam::1:role/x", "not 12 digits"),
        (
            "role_arn = arn:aws:iam::111111111111:user/x",
            "not a role ARN",
        ),
        ("role_arn = admin", "not an ARN"),
        ("duration_seconds = 899", "900 to 43200"),
        ("duration_seconds = 43201", "900 to 43200"),
        ("duration_seconds = abc", "not a whole number"),
        ("duration_seconds = 1e3", "not a whole number"),
        ("duration_seconds = -1", "not a whole number"),
        ("role_session_name = a", "2 to 64"),
        ("role_session_name = bad name!", "contains ' '"),
        ("external_id = x", "2 to 1224"),
        ("external_id = has space", "contains ' '"),
        (
            "mfa_serial = arn:aws:iam::111111111111:user/alice",
            "user ARN",
        ),
        ("mfa_serial = short", "9 to 256"),
        ("region = eu west 1", "region \"eu west 1\" contains ' '"),
        ("region = evil.example.com/x", "contains '.'"),
        ("region = -eu-west-1", "start and end"),
        ("region = eu-west-1-", "start and end"),
        (
            "sso_region = eu_west_1",
            "sso_region \"eu_west_1\" contains '_'",
        ),
    ];
    for (line, expected) in cases {
        let role = if line.starts_with("role_arn") {
            "output = json"
        } else {
            "role_arn = arn:aws:iam::111111111111:role/ok"
        };
        let text = format!(
            "[profile good]\nregion = x\n[profile p]\n{line}\n{role}\ncredential_source = Environment\n"
        );
        let s = set(&text, "");
        let err = error_of(&s, "p");
        assert!(err.contains(expected), "{line}: {err}");
        assert!(err.contains("config line 4"), "{line}: {err}");
        assert!(s.plan("good").is_ok());
    }
}

#[test]
fn duplicates_name_file_and_line() {
    let s = set(
        "[profile a]\nregion = x\n\n[profile a]\nregion = y\n[profile b]\nregion = x\nRegion = y\n[profile c]\n",
        "[c]\naws_access_key_id = A\naws_access_key_id = B\naws_secret_access_key = s\n",
    );
    let a = s.get("a").unwrap().error().unwrap().to_string();
    assert_eq!(
        a,
        "config line 4: section [profile a] appears twice in the same file (first on line 1)"
    );
    let b = s.get("b").unwrap().error().unwrap().to_string();
    assert_eq!(
        b,
        "config line 8: key 'region' is given twice (first on line 7)"
    );
    let c = s.get("c").unwrap().error().unwrap().to_string();
    assert!(c.starts_with("credentials line 3:"), "{c}");
    assert!(!c.contains('B') || !c.contains("secret"), "{c}");
}

#[test]
fn default_and_profile_default_are_the_same_profile() {
    let s = set("[default]\nregion = a\n[profile default]\nregion = b\n", "");
    assert_eq!(s.len(), 1);
    assert!(s.get("default").unwrap().error().is_some());
}

#[test]
fn exact_parsing_bom_crlf_case_and_literal_values() {
    let text = "\u{feff}[profile w]\r\nCredential_Process = C:\\tools\\new.exe \"a b\" # kept\r\nREGION=us-east-1\r\n";
    let s = set(text, "");
    let w = s.get("w").unwrap();
    assert_eq!(
        w.get(Key::CredentialProcess),
        Some("C:\\tools\\new.exe \"a b\" # kept")
    );
    assert_eq!(w.get(Key::Region), Some("us-east-1"));
    assert!(w.problems.is_empty(), "{:?}", w.problems);
}

#[test]
fn syntax_errors_spare_the_other_profiles() {
    let s = set(
        "[profile a]\nregion = x\n[profile broken\nregion = y\n[profile c]\nthis is not a key\nregion = z\n[profile d]\nregion = w\n",
        "",
    );
    assert!(s.plan("a").is_ok());
    assert!(s.plan("d").is_ok());
    assert!(error_of(&s, "broken").contains("config line 3"));
    assert!(error_of(&s, "c").contains("config line 6"));
    assert_eq!(s.get("c").unwrap().get(Key::Region), Some("z"));
}

#[test]
fn non_profile_sections_are_reported_not_listed() {
    let s = set(
        "[oops]\nregion = x\n[services s]\nx = y\n[profile ok]\n",
        "",
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s.file_problems.len(), 1);
    assert!(s.file_problems[0].message.contains("[profile oops]"));
}

#[test]
fn sso_problems() {
    let s = set(
        "[profile a]\nsso_session = nope\nsso_account_id = 111111111111\nsso_role_name = R\n[profile b]\nsso_account_id = 111111111111\n[profile c]\nsso_start_url = https://x\nsso_region = eu-west-1\nsso_account_id = 12\nsso_role_name = R\n",
        "",
    );
    assert!(error_of(&s, "a").contains("[sso-session nope]"));
    let b = &s.get("b").unwrap().problems;
    assert!(
        b.iter().any(|p| p.message.contains("no sso_role_name")),
        "{b:?}"
    );
    assert!(error_of(&s, "c").contains("12-digit"));
}

#[test]
fn debug_output_redacts_secrets() {
    let s = set("", "[k]\naws_access_key_id = AKIA1\naws_secret_access_key = very-secret-value\naws_session_token = token-value-xyz\n");
    let debug = format!("{s:?}");
    assert!(!debug.contains("very-secret-value"));
    assert!(!debug.contains("token-value-xyz"));
    assert!(debug.contains("AKIA1"));
}

#[test]
fn warnings_do_not_invalidate() {
    let s = set(
        "[profile p]\nxrole_buckets = Bad_Bucket, good-bucket/prefix\nxrole_colour = red\n",
        "",
    );
    let p = s.get("p").unwrap();
    assert!(p.error().is_none());
    let warnings: Vec<_> = p
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn what_the_aws_cli_reads_differently_is_reported() {
    let s = set(
        "[profile a]\n[DEFAULT]\nregion = eu-west-1\n[profile b]\nregion = us-east-1\n[ profile c ]\n",
        "[]\naws_access_key_id = AKIAX\n[b]\n",
    );
    let messages: Vec<&str> = s.file_problems.iter().map(|p| p.message.as_str()).collect();
    // [DEFAULT] is read as the AWS CLI reads it: its keys go to every section without them.
    assert_eq!(s.get("a").unwrap().get(Key::Region), Some("eu-west-1"));
    assert_eq!(s.get("b").unwrap().get(Key::Region), Some("us-east-1"));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("the AWS CLI refuses this whole file ([] names no section)")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("[ profile c ] has blanks")),
        "{messages:?}"
    );
    assert!(s.get("DEFAULT").is_none() && s.get("").is_none() && s.get("c").is_none());
    let bom = ProfileSet::parse(Some(b"\xEF\xBB\xBF[profile a]\n"), None);
    assert!(bom.get("a").is_some());
    assert!(bom
        .file_problems
        .iter()
        .any(|p| p.message.contains("byte order mark")));
}

#[test]
fn keys_with_mfa_serial_and_no_role_are_said_to_differ_from_the_aws_cli() {
    let set = ProfileSet::parse(
        Some(b"[profile me]\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n[profile role]\nrole_arn = arn:aws:iam::222222222222:role/r\nsource_profile = me\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n"),
        Some(b"[me]\naws_access_key_id = AKIAXXXXXXXXXXXXXXXX\naws_secret_access_key = s\n"),
    );
    let warned = |name: &str| {
        let index = set.index_of(name).unwrap();
        xrole_tui::domain::summary::Summary::new(&set, index)
            .warnings
            .iter()
            .any(|w| w.contains("the AWS CLI ignores this mfa_serial"))
    };
    assert!(warned("me"));
    assert!(!warned("role"), "a role's mfa_serial is the AWS CLI's too");
}
