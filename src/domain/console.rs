//! Links to the AWS web console: the switch-role link (no credentials involved), S3 console
//! pages, and which credentials a console sign-in can use for a plan (AWS's rules for the
//! federation endpoint's `getSigninToken`).

use super::plan::{Plan, Source, Step};
use super::s3_path::S3Location;
use super::validate::RoleArn;

/// The console's red, for a `prod` profile's switch-role link.
pub const PROD_COLOR: &str = "F2B0A9";
/// The console cuts a switch-role display name at this many characters.
const MAX_DISPLAY_NAME: usize = 64;

/// An AWS partition: its sign-in and console hosts differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// `aws`.
    Aws,
    /// `aws-cn`.
    China,
    /// `aws-us-gov`.
    GovCloud,
}

impl Partition {
    /// The partition of an ARN (`arn:PARTITION:…`).
    pub fn of_arn(arn: &str) -> Result<Self, String> {
        match arn.split(':').nth(1) {
            Some("aws") => Ok(Partition::Aws),
            Some("aws-cn") => Ok(Partition::China),
            Some("aws-us-gov") => Ok(Partition::GovCloud),
            other => Err(format!(
                "partition {:?} has no console this tool knows (aws, aws-cn, aws-us-gov)",
                other.unwrap_or_default()
            )),
        }
    }

    /// The partition's name in ARNs: `aws`, `aws-cn`, `aws-us-gov`.
    pub fn arn_name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::China => "aws-cn",
            Partition::GovCloud => "aws-us-gov",
        }
    }

    /// `https://signin…`: the sign-in host.
    pub fn signin(self) -> &'static str {
        match self {
            Partition::Aws => "https://signin.aws.amazon.com",
            Partition::China => "https://signin.amazonaws.cn",
            Partition::GovCloud => "https://signin.amazonaws-us-gov.com",
        }
    }

    /// The federation endpoint (`getSigninToken` and `login`).
    pub fn federation(self) -> String {
        format!("{}/federation", self.signin())
    }

    /// `https://console…/`: the console's home.
    pub fn console(self) -> &'static str {
        match self {
            Partition::Aws => "https://console.aws.amazon.com/",
            Partition::China => "https://console.amazonaws.cn/",
            Partition::GovCloud => "https://console.amazonaws-us-gov.com/",
        }
    }

    /// The S3 console's host.
    fn s3_console(self) -> &'static str {
        match self {
            Partition::Aws => "https://s3.console.aws.amazon.com",
            Partition::China => "https://console.amazonaws.cn",
            Partition::GovCloud => "https://console.amazonaws-us-gov.com",
        }
    }
}

/// Everything but RFC 3986's unreserved characters is escaped.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY).to_string()
}

/// The name the console shows for a switched role: the profile, then ` @ ` and the account's
/// name when there is one, at most 64 characters.
pub fn display_name(profile: &str, account_name: Option<&str>) -> String {
    let full = match account_name {
        Some(a) if !a.is_empty() => format!("{profile} @ {a}"),
        _ => profile.to_owned(),
    };
    full.chars().take(MAX_DISPLAY_NAME).collect()
}

/// The console's switch-role link for `role`: account, role name with its path, display name,
/// and the console's red for a production profile.
pub fn switch_role_url(role: &RoleArn, display: &str, prod: bool) -> Result<String, String> {
    let partition = Partition::of_arn(role.as_str())?;
    let name = role
        .as_str()
        .split_once(":role/")
        .map_or(role.name(), |(_, n)| n);
    let mut url = format!(
        "{}/switchrole?account={}&roleName={}&displayName={}",
        partition.signin(),
        role.account(),
        encode(name),
        encode(display)
    );
    if prod {
        url.push_str("&color=");
        url.push_str(PROD_COLOR);
    }
    Ok(url)
}

/// The S3 console page of a bucket, a prefix (a key ending in `/`) or an object.
pub fn s3_console_url(at: &S3Location, region: Option<&str>, partition: Partition) -> String {
    let host = partition.s3_console();
    let region = region
        .map(|r| format!("&region={}", encode(r)))
        .unwrap_or_default();
    if at.key.is_empty() {
        format!(
            "{host}/s3/buckets/{}?tab=objects{region}",
            encode(&at.bucket)
        )
    } else if at.key.ends_with('/') {
        format!(
            "{host}/s3/buckets/{}?prefix={}{region}",
            encode(&at.bucket),
            encode(&at.key)
        )
    } else {
        format!(
            "{host}/s3/object/{}?prefix={}{region}",
            encode(&at.bucket),
            encode(&at.key)
        )
    }
}

/// The partition of a plan's role (`aws` without a role).
pub fn partition_of(plan: &Plan) -> Result<Partition, String> {
    plan.final_role()
        .map_or(Ok(Partition::Aws), |r| Partition::of_arn(r.as_str()))
}

/// Where the console opens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// `--service ec2`: that service's home.
    pub service: Option<String>,
    /// `--path cloudwatch/home#alarms`: that path of the console.
    pub path: Option<String>,
    /// `--s3 s3://bucket/prefix`: the S3 console there.
    pub s3: Option<String>,
}

/// The console page to land on, in `region` (default us-east-1).
pub fn destination(
    page: &Page,
    region: Option<&str>,
    partition: Partition,
) -> Result<String, String> {
    if let Some(s3) = &page.s3 {
        let at = S3Location::parse(s3)?;
        return Ok(s3_console_url(&at, region, partition));
    }
    if let Some(path) = &page.path {
        return Ok(format!(
            "{}{}",
            partition.console(),
            path.trim_start_matches('/')
        ));
    }
    let service = page.service.as_deref().unwrap_or("console");
    if service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "--service {:?} is not a console service name (like ec2, s3, iam)",
            super::text::display_safe(service)
        ));
    }
    Ok(format!(
        "{}{service}/home?region={}",
        partition.console(),
        encode(region.unwrap_or("us-east-1"))
    ))
}

/// How a console sign-in can be made for a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A user's long-term keys: `GetFederationToken` (the console session has no MFA context).
    FederationToken {
        /// The profile holding the keys.
        profile: String,
    },
    /// Sign in as the plan's role at `step`. `drop_duration`: assume it again without
    /// `DurationSeconds` (its source is an MFA session or another role, and a sign-in token
    /// refuses such credentials when a duration was set).
    Role {
        /// Index of the AssumeRole step.
        step: usize,
        /// Assume it without `DurationSeconds`.
        drop_duration: bool,
        /// A second role to switch to in the console once signed in.
        then_switch_to: Option<RoleArn>,
    },
    /// Credentials from IAM Identity Center: role credentials the federation endpoint takes.
    Sso,
}

/// Which credentials sign in to the console for `plan`, or why none can.
pub fn sign_in(plan: &Plan) -> Result<SignIn, String> {
    let roles: Vec<(usize, &RoleArn)> = plan
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Step::AssumeRole { role_arn, .. } => Some((i, role_arn)),
            Step::SessionToken { .. } => None,
        })
        .collect();
    let from_long_term_keys = |step: usize| step == 0 && plan.source.is_long_term();
    let role = |step: usize, then| {
        let duration_set = matches!(
            &plan.steps[step],
            Step::AssumeRole {
                duration: Some(_),
                ..
            }
        );
        SignIn::Role {
            step,
            drop_duration: duration_set && !from_long_term_keys(step),
            then_switch_to: then,
        }
    };
    match roles.as_slice() {
        [] => match &plan.source {
            Source::StaticKeys {
                profile,
                temporary: false,
            } => Ok(SignIn::FederationToken {
                profile: profile.clone(),
            }),
            Source::Sso { .. } => Ok(SignIn::Sso),
            Source::StaticKeys { .. } => Err(
                "the profile holds session keys, and the console's sign-in takes only role or federation credentials".into(),
            ),
            other => Err(format!(
                "credentials from {} are of no kind the console's sign-in is known to take; use a role profile",
                other.kind()
            )),
        },
        [(step, _)] => Ok(role(*step, None)),
        [(first, _), (_, second)] => Ok(role(*first, Some((*second).clone()))),
        more => Err(format!(
            "a chain of {} roles cannot sign in: the console signs in as one role and switches once from it; sign in as the first and switch by hand",
            more.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::ProfileSet;

    fn arn(s: &str) -> RoleArn {
        RoleArn::parse(s).unwrap()
    }

    #[test]
    fn switch_role_links() {
        let plain = switch_role_url(&arn("arn:aws:iam::222222222222:role/admin"), "dev", false);
        assert_eq!(
            plain.unwrap(),
            "https://signin.aws.amazon.com/switchrole?account=222222222222&roleName=admin&displayName=dev"
        );
        let path = switch_role_url(
            &arn("arn:aws:iam::222222222222:role/team/ops/deploy"),
            &display_name("ops", Some("Platform & Ops")),
            true,
        )
        .unwrap();
        assert!(path.contains("roleName=team%2Fops%2Fdeploy"), "{path}");
        assert!(
            path.contains("displayName=ops%20%40%20Platform%20%26%20Ops"),
            "{path}"
        );
        assert!(path.ends_with("&color=F2B0A9"));
        let gov = switch_role_url(&arn("arn:aws-us-gov:iam::222222222222:role/x"), "g", false);
        assert!(gov
            .unwrap()
            .starts_with("https://signin.amazonaws-us-gov.com/switchrole?"));
        assert_eq!(display_name(&"p".repeat(70), None).len(), 64);
        assert_eq!(display_name("dev", Some("")), "dev");
    }

    #[test]
    fn s3_console_links() {
        let at = |s: &str| S3Location::parse(s).unwrap();
        let p = Partition::Aws;
        assert_eq!(
            s3_console_url(&at("s3://shared"), Some("eu-west-1"), p),
            "https://s3.console.aws.amazon.com/s3/buckets/shared?tab=objects&region=eu-west-1"
        );
        assert_eq!(
            s3_console_url(&at("s3://shared/reports/2026/"), None, p),
            "https://s3.console.aws.amazon.com/s3/buckets/shared?prefix=reports%2F2026%2F"
        );
        assert_eq!(
            s3_console_url(&at("s3://shared/data/a b+c.csv"), Some("us-east-1"), p),
            "https://s3.console.aws.amazon.com/s3/object/shared?prefix=data%2Fa%20b%2Bc.csv&region=us-east-1"
        );
    }

    #[test]
    fn which_credentials_sign_in() {
        let set = ProfileSet::parse(
            Some(
                b"[profile hub]\nmfa_serial = arn:aws:iam::111111111111:mfa/a\n\
                  [profile dev]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = hub\n\
                  mfa_serial = arn:aws:iam::111111111111:mfa/a\nduration_seconds = 3600\n\
                  [profile direct]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = keys\nduration_seconds = 7200\n\
                  [profile hop2]\nrole_arn = arn:aws:iam::333333333333:role/b\nsource_profile = direct\n\
                  [profile hop3]\nrole_arn = arn:aws:iam::444444444444:role/c\nsource_profile = hop2\n\
                  [profile keys]\n",
            ),
            Some(
                b"[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = s\n\
                  [keys]\naws_access_key_id = AKIAKEYS000000000001\naws_secret_access_key = s\n",
            ),
        );
        let plan = |n: &str| set.plan(n).unwrap();
        // From an MFA session with a duration: assumed again without it.
        assert!(matches!(
            sign_in(&plan("dev")),
            Ok(SignIn::Role {
                step: 1,
                drop_duration: true,
                then_switch_to: None
            })
        ));
        // Straight from long-term keys, a duration is allowed.
        assert!(matches!(
            sign_in(&plan("direct")),
            Ok(SignIn::Role {
                step: 0,
                drop_duration: false,
                ..
            })
        ));
        match sign_in(&plan("hop2")).unwrap() {
            SignIn::Role {
                step: 0,
                then_switch_to: Some(r),
                ..
            } => {
                assert_eq!(r.as_str(), "arn:aws:iam::333333333333:role/b");
            }
            other => panic!("{other:?}"),
        }
        assert!(sign_in(&plan("hop3"))
            .unwrap_err()
            .contains("chain of 3 roles"));
        assert_eq!(
            sign_in(&plan("keys")),
            Ok(SignIn::FederationToken {
                profile: "keys".into()
            })
        );
    }
}
