//! The IAM Identity Center token that `aws sso login` leaves in `~/.aws/sso/cache`, and the
//! AWS CLI's rules for it: where it lives, when it is used as it is, when it is refreshed
//! through SSO-OIDC `CreateToken`, and when only a new `aws sso login` helps.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use super::session::{parse_rfc3339, rfc3339};

/// A token expiring within this window is refreshed first, when it can be (botocore's
/// `_REFRESH_WINDOW`).
pub const REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The largest token file read; `aws sso login` writes well under 4 KiB.
pub const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// The file name of the token of `identifier`: the SHA-1 of the `sso_session` name, or of
/// `sso_start_url` for a profile in the legacy form, in lowercase hex, then `.json`.
pub fn file_name(identifier: &str) -> String {
    let mut name = super::text::hex(&Sha1::digest(identifier.as_bytes()));
    name.push_str(".json");
    name
}

/// A cached token. Fields this tool does not use are kept, so a refreshed file loses nothing.
#[derive(Clone)]
pub struct CachedToken {
    /// `accessToken`.
    pub access_token: Zeroizing<String>,
    /// `expiresAt`.
    pub expires_at: SystemTime,
    fields: Map<String, Value>,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("access_token", &"** redacted **")
            .field("expires_at", &rfc3339(self.expires_at))
            .finish_non_exhaustive()
    }
}

/// What to do with a cached token at a given time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send it as it is.
    Use,
    /// Refresh it first; if that fails and it has not expired, use it anyway.
    Refresh,
    /// It has expired and cannot be refreshed: `aws sso login` is needed.
    Login,
}

/// The refresh grant of a token: present only when all of it is.
pub struct Grant<'a> {
    /// `clientId` of the registration.
    pub client_id: &'a str,
    /// `clientSecret` of the registration.
    pub client_secret: &'a str,
    /// `refreshToken`.
    pub refresh_token: &'a str,
}

impl CachedToken {
    /// Reads a token file; the error says what is wrong, never a value.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("it is not JSON ({e})"))?;
        let Value::Object(fields) = value else {
            return Err("it is not a JSON object".into());
        };
        let text = |key: &str| fields.get(key).and_then(Value::as_str);
        let access_token = text("accessToken")
            .filter(|t| !t.is_empty())
            .ok_or("it has no accessToken")?;
        let expires = text("expiresAt").ok_or("it has no expiresAt")?;
        let expires_at = parse_expiry(expires)
            .ok_or_else(|| format!("its expiresAt {expires:?} is not a time"))?;
        Ok(Self {
            access_token: Zeroizing::new(access_token.to_owned()),
            expires_at,
            fields,
        })
    }

    /// The refresh grant, when the token has one and its registration has not expired at `now`.
    pub fn grant(&self, now: SystemTime) -> Option<Grant<'_>> {
        let text = |key: &str| {
            self.fields
                .get(key)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
        };
        let registration = text("registrationExpiresAt").and_then(parse_expiry)?;
        if registration <= now {
            return None;
        }
        Some(Grant {
            client_id: text("clientId")?,
            client_secret: text("clientSecret")?,
            refresh_token: text("refreshToken")?,
        })
    }

    /// The AWS CLI's rule at `now`. Only the `sso_session` form refreshes (`refreshable`); a
    /// legacy `sso_start_url` token is used until it expires.
    pub fn decide(&self, now: SystemTime, refreshable: bool) -> Decision {
        let expired = self.expires_at <= now;
        let soon = self
            .expires_at
            .duration_since(now)
            .map_or(true, |left| left < REFRESH_WINDOW);
        let can = refreshable && self.grant(now).is_some();
        match (expired, soon && can) {
            (_, true) => Decision::Refresh,
            (true, false) => Decision::Login,
            (false, false) => Decision::Use,
        }
    }

    /// The token after a `CreateToken` answer at `now`: the new access token and expiry, and
    /// the new refresh token when one came. Other fields stay as they were.
    pub fn refreshed(
        mut self,
        access_token: &str,
        expires_in: Duration,
        refresh_token: Option<&str>,
        now: SystemTime,
    ) -> Self {
        self.expires_at = now + expires_in;
        self.access_token = Zeroizing::new(access_token.to_owned());
        self.fields
            .insert("accessToken".into(), Value::String(access_token.to_owned()));
        self.fields
            .insert("expiresAt".into(), Value::String(rfc3339(self.expires_at)));
        if let Some(r) = refresh_token.filter(|r| !r.is_empty()) {
            self.fields
                .insert("refreshToken".into(), Value::String(r.to_owned()));
        }
        self
    }

    /// The file's JSON.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(serde_json::to_vec(&self.fields).unwrap_or_default())
    }
}

/// `expiresAt` as the AWS CLI writes it (`2026-11-23T20:00:00Z`), as older versions wrote it
/// (`2026-11-23T20:00:00UTC`), or with a numeric offset.
fn parse_expiry(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    match s.strip_suffix("UTC") {
        Some(base) => parse_rfc3339(&format!("{base}Z")),
        None => parse_rfc3339(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        parse_rfc3339(s).expect("time")
    }

    const FULL: &str = r#"{"startUrl":"https://d-1.awsapps.com/start","region":"eu-west-1",
        "accessToken":"tok","expiresAt":"2026-11-23T20:00:00Z","clientId":"cid",
        "clientSecret":"csec","registrationExpiresAt":"2026-12-23T20:00:00Z",
        "refreshToken":"ref"}"#;

    #[test]
    fn file_names_are_the_sha1_of_the_identifier() {
        // As Python computes it: hashlib.sha1(start_url.encode()).hexdigest().
        assert_eq!(
            file_name("https://d-abc123.awsapps.com/start"),
            "40a89917e3175433e361b710a9d43528d7f1890a.json"
        );
    }

    #[test]
    fn the_refresh_window_and_the_registration_decide() {
        let t = CachedToken::parse(FULL.as_bytes()).expect("parses");
        assert_eq!(t.decide(at("2026-11-23T19:00:00Z"), true), Decision::Use);
        assert_eq!(
            t.decide(at("2026-11-23T19:50:00Z"), true),
            Decision::Refresh
        );
        assert_eq!(
            t.decide(at("2026-11-23T21:00:00Z"), true),
            Decision::Refresh
        );
        // The legacy form never refreshes.
        assert_eq!(t.decide(at("2026-11-23T19:50:00Z"), false), Decision::Use);
        assert_eq!(t.decide(at("2026-11-23T21:00:00Z"), false), Decision::Login);
        // An expired registration cannot refresh.
        assert_eq!(t.decide(at("2026-12-24T00:00:00Z"), true), Decision::Login);
    }

    #[test]
    fn a_refresh_keeps_the_other_fields() {
        let t = CachedToken::parse(FULL.as_bytes()).expect("parses");
        let now = at("2026-11-23T19:55:00Z");
        let r = t.refreshed("new", Duration::from_secs(3600), None, now);
        let back: Value = serde_json::from_slice(&r.to_json()).expect("json");
        assert_eq!(back["accessToken"], "new");
        assert_eq!(back["expiresAt"], "2026-11-23T20:55:00Z");
        assert_eq!(back["refreshToken"], "ref");
        assert_eq!(back["startUrl"], "https://d-1.awsapps.com/start");
    }

    #[test]
    fn bad_files_say_what_is_missing_and_never_the_token() {
        for (text, says) in [
            ("[]", "not a JSON object"),
            ("{", "not JSON"),
            (r#"{"expiresAt":"2026-11-23T20:00:00Z"}"#, "no accessToken"),
            (r#"{"accessToken":"secret-x"}"#, "no expiresAt"),
            (
                r#"{"accessToken":"secret-x","expiresAt":"soon"}"#,
                "\"soon\" is not a time",
            ),
        ] {
            let e = CachedToken::parse(text.as_bytes()).expect_err(text);
            assert!(e.contains(says), "{text}: {e}");
            assert!(!e.contains("secret-x"), "{e}");
        }
        let old = r#"{"accessToken":"t","expiresAt":"2026-11-23T20:00:00UTC"}"#;
        let t = CachedToken::parse(old.as_bytes()).expect("old form");
        assert_eq!(t.expires_at, at("2026-11-23T20:00:00Z"));
        assert!(!format!("{t:?}").contains("\"t\""));
    }
}
