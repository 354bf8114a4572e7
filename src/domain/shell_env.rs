//! The environment of a role shell (`exec` and the TUI's shell): what is set and what is removed.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::time::SystemTime;

use super::session::{rfc3339, Session};

/// Set in every role shell; its presence means "already inside one".
pub const MARKER: &str = "XROLE_PROFILE";

/// Set by `env` and `pick`, whose variables go into the user's own shell: a profile switched
/// in place, with no parent process to return to (so nothing says "type exit", and `exec` or
/// the TUI may start from it).
pub const IN_PLACE: &str = "XROLE_IN_PLACE";

/// What `env --unset` removes: every variable `env` sets, so a switch leaves nothing of the
/// profile before.
pub const SET_BY_ENV: [&str; 11] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    MARKER,
    "XROLE_ACCOUNT",
    IN_PLACE,
    "AWS_SECURITY_TOKEN",
];

/// Variables removed so that nothing shadows the role's credentials.
pub const REMOVED: [&str; 16] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    CONTROL,
    IN_PLACE,
];

/// The control socket of the process serving this shell (`xrole-tui status`, `unlock`).
pub const CONTROL: &str = "XROLE_CONTROL";

/// Refuses to start inside a role shell, naming the role it holds. A profile switched in place
/// (`in_place`: `env` or `pick` in the user's own shell) is not a role shell: there is nothing
/// to exit to, and the new role's variables replace it.
pub fn check_not_nested(current: Option<&OsStr>, in_place: bool) -> Result<(), String> {
    match current {
        Some(p) if !p.is_empty() && !in_place => Err(format!(
            "already inside a role shell for profile {:?}; type 'exit' to leave it first (or unset {MARKER})",
            super::text::display_safe(&p.to_string_lossy())
        )),
        _ => Ok(()),
    }
}

/// How a child gets its credentials.
#[derive(Debug, Clone, Copy)]
pub enum Delivery<'a> {
    /// The keys themselves, in its environment (`env`, `exec --static`).
    Static,
    /// A credential endpoint to ask, and, when the default profile had to be hidden, the
    /// rewritten config and credentials files to read instead of the user's.
    Endpoint {
        /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
        url: &'a str,
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
        token: &'a str,
        /// The files' copies: config, credentials.
        files: Option<(&'a Path, &'a Path)>,
        /// The control socket.
        control: Option<&'a Path>,
        /// Until when the endpoint can serve without a new MFA code (the MFA session's end);
        /// `None` when no code is ever needed.
        until: Option<SystemTime>,
    },
}

/// The variables to set for `session`, in a stable order.
pub fn variables(
    session: &Session,
    region: Option<&str>,
    delivery: Delivery<'_>,
) -> Vec<(String, String)> {
    let c = &session.credentials;
    let mut vars = Vec::new();
    // What a prompt shows: when the keys end (static), or when the shell stops being served
    // without a new code (endpoint; absent when it never needs one).
    let expiration = match delivery {
        Delivery::Static => c.expiration,
        Delivery::Endpoint { until, .. } => until,
    };
    match delivery {
        Delivery::Static => {
            vars.push(("AWS_ACCESS_KEY_ID".to_owned(), c.access_key_id.clone()));
            vars.push((
                "AWS_SECRET_ACCESS_KEY".to_owned(),
                c.secret_access_key.as_str().to_owned(),
            ));
            if let Some(token) = &c.session_token {
                vars.push(("AWS_SESSION_TOKEN".into(), token.as_str().to_owned()));
            }
        }
        Delivery::Endpoint {
            url,
            token,
            files,
            control,
            ..
        } => {
            if let Some(c) = control {
                vars.push((CONTROL.into(), c.to_string_lossy().into_owned()));
            }
            vars.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI".into(), url.to_owned()));
            vars.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN".into(), token.to_owned()));
            if let Some((config, credentials)) = files {
                let path = |p: &Path| p.to_string_lossy().into_owned();
                vars.push(("AWS_CONFIG_FILE".into(), path(config)));
                vars.push(("AWS_SHARED_CREDENTIALS_FILE".into(), path(credentials)));
                // The JavaScript SDK v2 reads AWS_SHARED_CREDENTIALS_FILE only with this set;
                // without it, it reads ~/.aws/credentials and answers as the default user.
                vars.push(("AWS_SDK_LOAD_CONFIG".into(), "1".into()));
            }
        }
    }
    if let Some(exp) = expiration {
        vars.push(("AWS_CREDENTIAL_EXPIRATION".into(), rfc3339(exp)));
        vars.push(("AWS_SESSION_EXPIRATION".into(), rfc3339(exp)));
    }
    if let Some(r) = region {
        vars.push(("AWS_REGION".into(), r.to_owned()));
        vars.push(("AWS_DEFAULT_REGION".into(), r.to_owned()));
    }
    vars.push((MARKER.into(), session.profile.clone()));
    if let Some(id) = &session.identity {
        vars.push(("XROLE_ACCOUNT".into(), id.account.clone()));
    }
    vars
}

/// The whole child environment: `base` without [`REMOVED`], plus [`variables`].
/// Endpoint variables (`AWS_ENDPOINT_URL*`) and everything else pass through.
pub fn child_env(
    base: impl IntoIterator<Item = (OsString, OsString)>,
    session: &Session,
    region: Option<&str>,
    delivery: Delivery<'_>,
) -> BTreeMap<OsString, OsString> {
    let mut env: BTreeMap<OsString, OsString> = base
        .into_iter()
        .filter(|(k, _)| !REMOVED.iter().any(|r| OsStr::new(r) == k))
        .collect();
    for (k, v) in variables(session, region, delivery) {
        env.insert(k.into(), v.into());
    }
    env
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use zeroize::Zeroizing;

    use super::*;
    use crate::domain::session::{CallerIdentity, Credentials};

    fn session() -> Session {
        Session {
            profile: "dev".into(),
            credentials: Credentials {
                access_key_id: "ASIANEW".into(),
                secret_access_key: Zeroizing::new("new-secret".into()),
                session_token: Some(Zeroizing::new("new-token".into())),
                expiration: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
            },
            identity: CallerIdentity::from_arn(
                "arn:aws:sts::222222222222:assumed-role/admin/x",
                "",
            ),
        }
    }

    #[test]
    fn replaces_and_removes() {
        let base = [
            ("AWS_PROFILE", "old"),
            ("AWS_ACCESS_KEY_ID", "AKIAOLD"),
            ("AWS_SECURITY_TOKEN", "stale"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://x"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let env = child_env(
            base.clone(),
            &session(),
            Some("eu-west-1"),
            Delivery::Static,
        );
        let get = |k: &str| {
            env.get(OsStr::new(k))
                .map(|v| v.to_string_lossy().into_owned())
        };
        assert_eq!(get("AWS_ACCESS_KEY_ID").as_deref(), Some("ASIANEW"));
        assert_eq!(get("AWS_PROFILE"), None);
        assert_eq!(get("AWS_SECURITY_TOKEN"), None);
        assert_eq!(get("AWS_CONTAINER_CREDENTIALS_FULL_URI"), None);
        assert_eq!(
            get("AWS_ENDPOINT_URL").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(get("PATH").as_deref(), Some("/bin"));
        assert_eq!(
            get("AWS_CREDENTIAL_EXPIRATION").as_deref(),
            Some("2027-01-15T08:00:00Z")
        );
        assert_eq!(get("AWS_REGION").as_deref(), Some("eu-west-1"));
        assert_eq!(get("XROLE_PROFILE").as_deref(), Some("dev"));
        assert_eq!(get("XROLE_ACCOUNT").as_deref(), Some("222222222222"));
    }

    /// Served by an endpoint: no key at all, the endpoint and (here) the rewritten files.
    #[test]
    fn served_gets_the_endpoint_and_no_key() {
        let base = [("AWS_ACCESS_KEY_ID", "AKIAOLD"), ("PATH", "/bin")]
            .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let env = child_env(
            base,
            &session(),
            None,
            Delivery::Endpoint {
                url: "http://127.0.0.1:4242/credentials",
                token: "t0k",
                files: Some((Path::new("/run/x/config"), Path::new("/run/x/credentials"))),
                control: Some(Path::new("/run/x/control.sock")),
                until: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_036_000)),
            },
        );
        let get = |k: &str| {
            env.get(OsStr::new(k))
                .map(|v| v.to_string_lossy().into_owned())
        };
        for k in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            assert_eq!(get(k), None, "{k}");
        }
        assert!(!env
            .values()
            .any(|v| v.to_string_lossy().contains("new-secret")));
        assert_eq!(
            get("AWS_CONTAINER_CREDENTIALS_FULL_URI").as_deref(),
            Some("http://127.0.0.1:4242/credentials")
        );
        assert_eq!(
            get("AWS_CONTAINER_AUTHORIZATION_TOKEN").as_deref(),
            Some("t0k")
        );
        assert_eq!(get("AWS_CONFIG_FILE").as_deref(), Some("/run/x/config"));
        assert_eq!(get("AWS_SDK_LOAD_CONFIG").as_deref(), Some("1"));
        assert_eq!(get("XROLE_CONTROL").as_deref(), Some("/run/x/control.sock"));
        assert_eq!(
            get("AWS_CREDENTIAL_EXPIRATION").as_deref(),
            Some("2027-01-15T18:00:00Z"),
            "the end of the MFA session, not of the current keys"
        );
        assert_eq!(get("XROLE_PROFILE").as_deref(), Some("dev"));
    }

    #[test]
    fn nested_shell_is_refused() {
        assert!(check_not_nested(None, false).is_ok());
        let e = check_not_nested(Some(OsStr::new("prod")), false).unwrap_err();
        assert!(e.contains("\"prod\""), "{e}");
        // Switched in place: no parent to exit to, so not refused.
        assert!(check_not_nested(Some(OsStr::new("prod")), true).is_ok());
        // A role shell never carries the in-place mark down.
        assert!(REMOVED.contains(&IN_PLACE));
    }
}
