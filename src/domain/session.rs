//! Temporary credentials, the identity they belong to, and how long they last.

use std::fmt;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

/// Cached credentials are reused only while more than this remains.
pub const REUSE_WINDOW: Duration = Duration::from_secs(5 * 60);
/// The countdown turns yellow below this.
pub const WARN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A set of AWS credentials. `Debug` shows only the last four characters of the key id.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `AKIA…` (long-term) or `ASIA…` (temporary).
    pub access_key_id: String,
    /// The secret key; wiped on drop.
    pub secret_access_key: Zeroizing<String>,
    /// The session token of temporary credentials; wiped on drop.
    pub session_token: Option<Zeroizing<String>>,
    /// When they stop working; `None` for long-term keys.
    pub expiration: Option<SystemTime>,
}

impl Credentials {
    /// The key id as aws-vault shows it: all but the last four characters masked.
    pub fn masked_key_id(&self) -> String {
        let id = &self.access_key_id;
        let keep = id.len().saturating_sub(4);
        let tail = id.get(keep..).unwrap_or_default();
        format!("{}{tail}", "*".repeat(keep.min(16)))
    }

    /// Time left before expiry at `now` (zero once expired; `None` when they never expire).
    pub fn remaining(&self, now: SystemTime) -> Option<Duration> {
        self.expiration
            .map(|e| e.duration_since(now).unwrap_or(Duration::ZERO))
    }

    /// True when they may be reused from a cache: more than [`REUSE_WINDOW`] left.
    pub fn reusable(&self, now: SystemTime) -> bool {
        self.remaining(now).is_none_or(|left| left > REUSE_WINDOW)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.masked_key_id())
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration.map(rfc3339))
            .finish()
    }
}

/// Who a set of credentials belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// 12-digit account id.
    pub account: String,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `arn:aws:iam::ACCOUNT:user/NAME`, …
    pub arn: String,
    /// The unique id (`AROA…:session`, `AIDA…`); empty when not known.
    pub user_id: String,
}

impl CallerIdentity {
    /// Builds an identity from an ARN, taking the account from it.
    pub fn from_arn(arn: &str, user_id: &str) -> Option<Self> {
        let account = arn.split(':').nth(4)?;
        super::validate::is_account_id(account).then(|| Self {
            account: account.to_owned(),
            arn: arn.to_owned(),
            user_id: user_id.to_owned(),
        })
    }

    /// The readable end of the ARN: `role/session` or the user name.
    pub fn name(&self) -> &str {
        let resource = self.arn.splitn(6, ':').nth(5).unwrap_or(&self.arn);
        resource
            .strip_prefix("assumed-role/")
            .or_else(|| resource.strip_prefix("user/"))
            .unwrap_or(resource)
    }
}

/// Credentials for a profile, with the identity when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The profile they were made for.
    pub profile: String,
    /// The credentials.
    pub credentials: Credentials,
    /// The identity, when the calls made told it.
    pub identity: Option<CallerIdentity>,
}

/// How the countdown is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStatus {
    /// More than 15 minutes left, or no expiry.
    Valid,
    /// 15 minutes or less.
    Expiring,
    /// 5 minutes or less.
    Critical,
    /// Gone.
    Expired,
}

impl ExpiryStatus {
    /// The status with `left` remaining (`None` = never expires).
    pub fn of(left: Option<Duration>) -> Self {
        match left {
            None => ExpiryStatus::Valid,
            Some(d) if d.is_zero() => ExpiryStatus::Expired,
            Some(d) if d <= REUSE_WINDOW => ExpiryStatus::Critical,
            Some(d) if d <= WARN_WINDOW => ExpiryStatus::Expiring,
            Some(_) => ExpiryStatus::Valid,
        }
    }
}

/// `1h 02m 03s`, `4m 05s`, `9s`: the countdown text.
pub fn countdown(left: Duration) -> String {
    let s = left.as_secs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// RFC 3339 in UTC with whole seconds: `2026-11-23T06:03:39Z`.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Parses an RFC 3339 timestamp.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expiration: Option<SystemTime>) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLEKEY123456".into(),
            secret_access_key: Zeroizing::new("secret-canary".into()),
            session_token: Some(Zeroizing::new("token-canary".into())),
            expiration,
        }
    }

    #[test]
    fn debug_is_redacted() {
        let d = format!("{:?}", creds(None));
        assert!(!d.contains("secret-canary") && !d.contains("token-canary"));
        assert!(!d.contains("ASIAEXAMPLEKEY12") && d.contains("3456"), "{d}");
    }

    #[test]
    fn reuse_and_status_boundaries() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let c = creds(Some(t0 + Duration::from_secs(301)));
        assert!(c.reusable(t0));
        assert!(!c.reusable(t0 + Duration::from_secs(1)));
        assert_eq!(ExpiryStatus::of(c.remaining(t0)), ExpiryStatus::Expiring);
        assert_eq!(
            ExpiryStatus::of(c.remaining(t0 + Duration::from_secs(1))),
            ExpiryStatus::Critical
        );
        assert_eq!(
            ExpiryStatus::of(Some(Duration::from_secs(900))),
            ExpiryStatus::Expiring
        );
        assert_eq!(
            ExpiryStatus::of(Some(Duration::from_secs(901))),
            ExpiryStatus::Valid
        );
        assert_eq!(
            ExpiryStatus::of(c.remaining(t0 + Duration::from_secs(400))),
            ExpiryStatus::Expired
        );
        assert_eq!(countdown(Duration::from_secs(3723)), "1h 02m 03s");
        assert_eq!(countdown(Duration::from_secs(245)), "4m 05s");
    }

    #[test]
    fn identity_names() {
        let i = CallerIdentity::from_arn(
            "arn:aws:sts::111111111111:assumed-role/admin/alice",
            "AROA:alice",
        )
        .unwrap();
        assert_eq!(i.account, "111111111111");
        assert_eq!(i.name(), "admin/alice");
        assert!(CallerIdentity::from_arn("nonsense", "").is_none());
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_500_000);
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        assert!(rfc3339(t).ends_with('Z'));
    }
}
