//! Loopback stand-ins for IAM Identity Center, which has no emulator (moto has no SSO portal).
//! Each follows the documented REST contract of its service and refuses anything else:
//!
//! - the portal's `GetRoleCredentials`: `GET /federation/credentials?account_id=…&role_name=…`
//!   with the access token in the `x-amz-sso_bearer_token` header, answered with
//!   `{"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration (ms)}}`, or
//!   `UnauthorizedException` (401) for a token it does not know;
//! - SSO-OIDC `CreateToken`: `POST /token` with a JSON body of `clientId`, `clientSecret`,
//!   `grantType` = `refresh_token` and `refreshToken`, answered with `accessToken`,
//!   `expiresIn`, `refreshToken` and `tokenType`, or `InvalidGrantException` (400).
//!
//! A new access token from `CreateToken` is then accepted by the portal, as with AWS.
//!
//! For a login (`sso login`), SSO-OIDC's other calls and its browser page:
//! - `RegisterClient`: `POST /client/register`, answered with `clientId`, `clientSecret` and
//!   `clientSecretExpiresAt` (seconds);
//! - `StartDeviceAuthorization`: `POST /device_authorization` with the registered client and
//!   `startUrl`, answered with `deviceCode`, `userCode`, `verificationUri(Complete)`,
//!   `expiresIn` and `interval`;
//! - `CreateToken` with `grantType` = the device-code grant: `AuthorizationPendingException`
//!   (400) until the code is approved (after a set number of polls), then the token;
//! - `GET /authorize` (the page a browser opens): checks `response_type=code`, a registered
//!   client, a loopback `redirect_uri` on `/oauth/callback` (any port, as RFC 8252 allows for
//!   the registered `http://127.0.0.1/oauth/callback`), `code_challenge_method=S256`, a
//!   challenge and a `state`; "signs the person in" and answers 302 to the redirect with a
//!   `code` and the same `state`;
//! - `CreateToken` with `grantType` = `authorization_code`: the code, the same `redirectUri`,
//!   and a `codeVerifier` whose base64url SHA-256 is the challenge;
//! - the portal's `ListAccounts` (`GET /assignment/accounts`), `ListAccountRoles`
//!   (`GET /assignment/roles?account_id=…`), both paged by `next_token`, and `Logout`
//!   (`POST /logout`), which makes the portal forget the bearer token.

mod oidc;
mod portal;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A vendor's `[sso-session corp]`, its SSO profile, a role chained from it and a legacy
/// `sso_start_url` profile.
pub const SSO_CONFIG: &str = "
[sso-session corp]
sso_start_url = https://corp.awsapps.example/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
[profile vendor-sso]
sso_session = corp
sso_account_id = 555555555555
sso_role_name = VendorAdmin
region = eu-west-1
[profile vendor-access]
role_arn = arn:aws:iam::666666666666:role/VendorAccessRole
source_profile = vendor-sso
region = eu-west-1
[profile legacy-sso]
sso_start_url = https://legacy.awsapps.example/start
sso_region = eu-west-1
sso_account_id = 555555555555
sso_role_name = VendorAdmin
region = eu-west-1
";

/// The role behind the portal's credentials.
pub const SSO_ROLE: &str = "arn:aws:iam::555555555555:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_VendorAdmin_0123456789abcdef";

/// Role credentials the portal hands out (minted from moto, so moto knows them).
#[derive(Clone, Debug)]
pub struct RoleCreds {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

/// One request the portal answered or refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalCall {
    pub account_id: String,
    pub role_name: String,
    pub bearer: String,
}

#[derive(Default)]
struct State {
    /// Access tokens the portal accepts.
    tokens: Vec<String>,
    /// (account, role) → credentials.
    roles: HashMap<(String, String), RoleCreds>,
    /// The refresh grant `CreateToken` accepts: client id, secret, refresh token.
    grant: Option<(String, String, String)>,
    portal_calls: Vec<PortalCall>,
    token_calls: Vec<serde_json::Value>,
    issued: u32,
    /// Registered clients: id → (secret, the request).
    clients: HashMap<String, (String, serde_json::Value)>,
    /// Device codes: code → (client id, polls still answered "pending").
    devices: HashMap<String, (String, u32)>,
    /// How many polls of a new device code are answered "pending".
    pending_polls: u32,
    /// Authorization codes: code → (client id, redirect_uri, challenge).
    codes: HashMap<String, (String, String, String)>,
    /// `GET /authorize` queries seen.
    authorize_calls: Vec<HashMap<String, String>>,
    /// Accounts of the portal: (id, name), in the order listed.
    accounts: Vec<(String, String)>,
    /// Bearer tokens that `Logout` was called with.
    logouts: Vec<String>,
}

/// Both stand-ins, sharing what the portal accepts.
#[derive(Clone)]
pub struct Sso {
    pub portal_url: String,
    pub oidc_url: String,
    state: Arc<Mutex<State>>,
}

struct Req {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

type Answer = (u16, Option<&'static str>, String);

impl Sso {
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let portal = serve(Arc::clone(&state), portal::portal);
        let oidc = serve(Arc::clone(&state), oidc::oidc);
        Sso {
            portal_url: portal,
            oidc_url: oidc,
            state,
        }
    }

    /// The portal accepts `token` from now on.
    pub fn accept_token(&self, token: &str) {
        self.state.lock().unwrap().tokens.push(token.to_owned());
    }

    /// The portal forgets every token (a user signed out, an admin revoked the session).
    pub fn revoke_tokens(&self) {
        self.state.lock().unwrap().tokens.clear();
    }

    /// `account`/`role` is assigned to the user, with these credentials.
    pub fn assign(&self, account: &str, role: &str, creds: RoleCreds) {
        self.state
            .lock()
            .unwrap()
            .roles
            .insert((account.to_owned(), role.to_owned()), creds);
    }

    /// `CreateToken` accepts this grant.
    pub fn allow_refresh(&self, client_id: &str, client_secret: &str, refresh_token: &str) {
        self.state.lock().unwrap().grant = Some((
            client_id.to_owned(),
            client_secret.to_owned(),
            refresh_token.to_owned(),
        ));
    }

    pub fn portal_calls(&self) -> Vec<PortalCall> {
        self.state.lock().unwrap().portal_calls.clone()
    }

    pub fn token_calls(&self) -> Vec<serde_json::Value> {
        self.state.lock().unwrap().token_calls.clone()
    }

    /// A new device code is answered "pending" this many times before it is approved.
    pub fn set_pending_polls(&self, n: u32) {
        self.state.lock().unwrap().pending_polls = n;
    }

    /// The bodies of `RegisterClient` calls.
    pub fn registrations(&self) -> Vec<serde_json::Value> {
        let s = self.state.lock().unwrap();
        s.clients.values().map(|(_, body)| body.clone()).collect()
    }

    pub fn authorize_calls(&self) -> Vec<HashMap<String, String>> {
        self.state.lock().unwrap().authorize_calls.clone()
    }

    /// The portal lists `account` (named `name`); its roles are those [`Sso::assign`]ed.
    pub fn add_account(&self, account: &str, name: &str) {
        self.state
            .lock()
            .unwrap()
            .accounts
            .push((account.to_owned(), name.to_owned()));
    }

    /// `account`/`role` is no longer assigned.
    pub fn unassign(&self, account: &str, role: &str) {
        self.state
            .lock()
            .unwrap()
            .roles
            .remove(&(account.to_owned(), role.to_owned()));
    }

    pub fn logouts(&self) -> Vec<String> {
        self.state.lock().unwrap().logouts.clone()
    }

    pub fn accepts(&self, token: &str) -> bool {
        self.state.lock().unwrap().tokens.iter().any(|t| t == token)
    }
}

fn query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
            (k.to_owned(), v.into_owned())
        })
        .collect()
}

fn not_the_contract() -> Answer {
    error(400, "ValidationException", "not the documented request")
}

fn error(status: u16, code: &'static str, message: &str) -> Answer {
    (
        status,
        Some(code),
        serde_json::json!({ "message": message }).to_string(),
    )
}

/// Serves `answer` on a loopback port from a thread; returns the URL.
fn serve(state: Arc<Mutex<State>>, answer: fn(&mut State, &Req) -> Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
            let Some(req) = read_request(&conn) else {
                continue;
            };
            let (status, code, body) = answer(&mut state.lock().unwrap(), &req);
            let mut code = code.map_or(String::new(), |c| format!("x-amzn-ErrorType: {c}\r\n"));
            let body = if status == 302 {
                code = format!("Location: {body}\r\n");
                String::new()
            } else {
                body
            };
            let mut conn = conn;
            let _ = write!(
                conn,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{code}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn read_request(conn: &std::net::TcpStream) -> Option<Req> {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? <= 2 {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Req {
        method,
        target,
        headers,
        body,
    })
}

/// Credentials for `role_arn` minted by moto's AssumeRole, so moto knows the identity behind
/// them (as AWS knows the `AWSReservedSSO_…` role behind a portal's credentials).
pub fn mint(moto_endpoint: &str, role_arn: &str, session: &str) -> RoleCreds {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(moto_endpoint)
            .region(aws_config::Region::from_static("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIASEED", "seed", None, None, "test",
            ))
            .load()
            .await;
        let out = aws_sdk_sts::Client::new(&config)
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session)
            .send()
            .await
            .unwrap();
        let c = out.credentials().unwrap();
        RoleCreds {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().to_owned(),
        }
    })
}
