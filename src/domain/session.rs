//! Temporary credentials, the identity they belong to, and how long they last.

use std::fmt;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

mod process;
mod time;

pub use process::parse_process_output;
pub use time::{countdown, min_ttl, parse_rfc3339, rfc3339, short_countdown};

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
    /// Checks that every part can go into a request (the SDK's signer panics on a header
    /// value with a control character); the message names the part, never its value.
    pub fn check_sendable(&self) -> Result<(), String> {
        super::validate::access_key_id(&self.access_key_id)?;
        super::validate::secret_text("the secret access key", &self.secret_access_key)?;
        if let Some(token) = &self.session_token {
            super::validate::secret_text("the session token", token)?;
        }
        Ok(())
    }

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
        self.reusable_for(now, REUSE_WINDOW)
    }

    /// True when more than `min_ttl` is left (`XROLE_MIN_TTL`).
    pub fn reusable_for(&self, now: SystemTime, min_ttl: Duration) -> bool {
        self.remaining(now).is_none_or(|left| left > min_ttl)
    }

    /// When they should be replaced: `min_ttl` before they expire (`None`: never).
    pub fn refresh_at(&self, min_ttl: Duration) -> Option<SystemTime> {
        self.expiration
            .map(|e| e.checked_sub(min_ttl).unwrap_or(SystemTime::UNIX_EPOCH))
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

/// What a lifetime says about credentials that were just opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Nothing to say.
    Fine,
    /// Usable, but the machine's clock looks off (a note for the user).
    ClockOff(String),
    /// Already expired by this machine's clock: never handed out.
    Expired(String),
}

/// STS issues temporary credentials for 15 minutes at least and 36 hours at most.
const STS_SHORTEST: Duration = Duration::from_secs(15 * 60);
const STS_LONGEST: Duration = Duration::from_secs(36 * 3600);
/// Slack for the time a call takes and for a clock a little off.
const SLACK: Duration = Duration::from_secs(2 * 60);

/// Checks `creds` at `now`. `just_issued` is true when STS made them moments ago: then a
/// lifetime outside what STS gives can only mean this machine's clock is off.
pub fn freshness(creds: &Credentials, just_issued: bool, now: SystemTime) -> Freshness {
    let Some(expiration) = creds.expiration else {
        return Freshness::Fine;
    };
    let when = rfc3339(expiration);
    match expiration.duration_since(now) {
        Err(e) if just_issued => Freshness::Expired(format!(
            "the credentials STS just issued expire at {when}, {} ago by this machine's clock: the clock is at least that far ahead; set the time (e.g. enable NTP) and retry",
            countdown(e.duration())
        )),
        Err(e) => Freshness::Expired(format!(
            "the credentials expired at {when} ({} ago); get new ones from their source",
            countdown(e.duration())
        )),
        Ok(left) if just_issued && left + SLACK < STS_SHORTEST => Freshness::ClockOff(format!(
            "credentials STS just issued expire in {} by this machine's clock, less than STS ever gives: the clock looks about {} ahead",
            countdown(left),
            countdown(STS_SHORTEST - left)
        )),
        Ok(left) if just_issued && left > STS_LONGEST + SLACK => Freshness::ClockOff(format!(
            "credentials STS just issued expire in {} by this machine's clock, more than STS ever gives: the clock looks at least {} behind",
            countdown(left),
            countdown(left - STS_LONGEST)
        )),
        Ok(_) => Freshness::Fine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_time() {
        let ttl = Duration::from_secs(890);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let c = creds(Some(t0 + Duration::from_secs(900)));
        assert_eq!(c.refresh_at(ttl), Some(t0 + Duration::from_secs(10)));
        assert!(c.reusable_for(t0 + Duration::from_secs(9), ttl));
        assert!(!c.reusable_for(t0 + Duration::from_secs(10), ttl));
        assert_eq!(creds(None).refresh_at(ttl), None);
    }

    fn creds(expiration: Option<SystemTime>) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLEKEY123456".into(),
            secret_access_key: Zeroizing::new("secret-canary".into()),
            session_token: Some(Zeroizing::new("token-canary".into())),
            expiration,
        }
    }

    #[test]
    fn freshness_catches_expired_credentials_and_a_clock_that_is_off() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |secs: i64| {
            Some(if secs >= 0 {
                now + Duration::from_secs(secs.unsigned_abs())
            } else {
                now - Duration::from_secs(secs.unsigned_abs())
            })
        };
        assert_eq!(freshness(&creds(None), true, now), Freshness::Fine);
        assert_eq!(freshness(&creds(at(3600)), true, now), Freshness::Fine);
        assert_eq!(freshness(&creds(at(60)), false, now), Freshness::Fine);
        // A clock two hours ahead: a one-hour role looks an hour gone.
        match freshness(&creds(at(-3600)), true, now) {
            Freshness::Expired(m) => assert!(m.contains("clock") && m.contains("1h"), "{m}"),
            other => panic!("{other:?}"),
        }
        match freshness(&creds(at(-10)), false, now) {
            Freshness::Expired(m) => assert!(m.contains("expired at"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(freshness(&creds(at(300)), true, now), Freshness::ClockOff(m) if m.contains("ahead"))
        );
        assert!(
            matches!(freshness(&creds(at(40 * 3600)), true, now), Freshness::ClockOff(m) if m.contains("behind"))
        );
        assert_eq!(
            freshness(&creds(at(40 * 3600)), false, now),
            Freshness::Fine
        );
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
}
