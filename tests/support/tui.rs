//! Building app states for the app-flow and screen tests: a fixed clock and scripted messages.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use xrole_tui::app::{App, Authenticated, Effect, Msg, RequestId};
use xrole_tui::aws::error::AuthError;
use xrole_tui::domain::session::{CallerIdentity, Credentials, Session};
use xrole_tui::domain::ProfileSet;
use zeroize::Zeroizing;

pub const CONFIG: &str = "\
[profile hub]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
xrole_account_name = Development
[profile prod]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
xrole_account_name = Production
xrole_env = prod
[profile readonly]
role_arn = arn:aws:iam::333333333333:role/readonly
source_profile = dev
xrole_account_name = Production
[profile vendor]
role_arn = arn:aws:iam::444444444444:role/VendorAccessRole
source_profile = hub
external_id = partner-42
xrole_buckets = company-shared/reports
[profile broken]
role_arn = arn:aws:iam::555555555555:role/x
";
pub const CREDENTIALS: &str =
    "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = hub-secret\n";

/// 2026-11-23T06:00:00Z.
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_413_600)
}

pub fn set() -> Arc<ProfileSet> {
    Arc::new(ProfileSet::parse(
        Some(CONFIG.as_bytes()),
        Some(CREDENTIALS.as_bytes()),
    ))
}

pub fn app() -> App {
    App::new(set(), None, t0())
}

pub fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn chars(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c)), t0()))
        .collect()
}

pub fn select(app: &mut App, name: &str) {
    assert!(app.list.select_name(name), "{name}");
}

pub fn session(profile: &str, account: &str, expires: SystemTime) -> Authenticated {
    Authenticated {
        session: Session {
            profile: profile.into(),
            credentials: Credentials {
                access_key_id: "ASIATEST000000000001".into(),
                secret_access_key: Zeroizing::new("tui-secret".into()),
                session_token: Some(Zeroizing::new("tui-token".into())),
                expiration: Some(expires),
            },
            identity: CallerIdentity::from_arn(
                &format!("arn:aws:sts::{account}:assumed-role/admin/xrole-{profile}"),
                "AROA:x",
            ),
        },
        notes: Vec::new(),
        target: None,
    }
}

/// The request id of the only Authenticate effect.
pub fn auth_req(effects: &[Effect]) -> RequestId {
    match effects {
        [Effect::Authenticate { req, .. }] => *req,
        other => panic!("expected one Authenticate, got {other:?}"),
    }
}

/// An app authenticated as `dev` with `left` on the clock.
pub fn logged_in(left: Duration) -> App {
    let mut app = app();
    select(&mut app, "dev");
    let req = auth_req(&app.update(key(KeyCode::Char('i')), t0()));
    app.update(
        Msg::AuthDone {
            req,
            result: Ok(session("dev", "222222222222", t0() + left)),
        },
        t0(),
    );
    app
}

pub fn rejected(app: &mut App, req: RequestId) {
    app.update(
        Msg::AuthDone {
            req,
            result: Err(AuthError::Mfa(
                "MFA code rejected for arn:aws:iam::111111111111:mfa/alice: wait for the next code and try again".into(),
            )),
        },
        t0(),
    );
}

/// Enter on `dev`, the engine asks for a code, `111111` is typed and rejected: the modal is back
/// with the message. Returns the app and the rejected request.
pub fn code_rejected() -> (App, RequestId) {
    let mut app = app();
    select(&mut app, "dev");
    let req = auth_req(&app.update(key(KeyCode::Enter), t0()));
    app.update(
        Msg::MfaNeeded {
            req,
            serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        },
        t0(),
    );
    chars(&mut app, "111111");
    app.update(key(KeyCode::Enter), t0());
    rejected(&mut app, req);
    (app, req)
}

/// An app whose S3 browser is open in `vendor`'s role, inside `company-shared`, with one page
/// loaded (two prefixes, objects `a.txt` .. and a next-page token). Returns the app.
pub fn browsing() -> App {
    use xrole_tui::aws::s3::{Object, Page};
    let mut app = app();
    select(&mut app, "vendor");
    let req = auth_req(&app.update(key(KeyCode::Char('s')), t0()));
    app.update(
        Msg::AuthDone {
            req,
            result: Ok(session(
                "vendor",
                "444444444444",
                t0() + Duration::from_secs(3600),
            )),
        },
        t0(),
    );
    app.update(
        Msg::S3Buckets {
            req: RequestId(0),
            result: Err(AuthError::Denied(
                "access denied: the role may not s3:ListAllMyBuckets on *".into(),
            )),
        },
        t0(),
    );
    let effects = app.update(key(KeyCode::Enter), t0());
    let req = match effects.as_slice() {
        [Effect::S3List {
            req,
            at,
            token: None,
            ..
        }] => {
            assert_eq!(at.bucket, "company-shared");
            *req
        }
        other => panic!("{other:?}"),
    };
    let objects = (0..30)
        .map(|i| Object {
            key: format!("reports/file-{i:02}.txt"),
            size: 1000 + i,
            modified: Some(t0()),
            storage_class: (i % 3 == 0).then(|| "STANDARD_IA".to_owned()),
            etag: Some(format!("9b2cf535f27731c974343645a3985328{i:02}")),
        })
        .collect();
    app.update(
        Msg::S3Page {
            req,
            result: Ok(Page {
                prefixes: vec!["reports/2026/".into(), "reports/old/".into()],
                objects,
                next: Some("token-2".into()),
            }),
        },
        t0(),
    );
    app
}
