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

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

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
        let portal = serve(Arc::clone(&state), portal);
        let oidc = serve(Arc::clone(&state), create_token);
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
}

fn portal(state: &mut State, req: &Req) -> Answer {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    if req.method != "GET" || path != "/federation/credentials" {
        return not_the_contract();
    }
    let params: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
            (k.to_owned(), v.into_owned())
        })
        .collect();
    let call = PortalCall {
        account_id: params.get("account_id").cloned().unwrap_or_default(),
        role_name: params.get("role_name").cloned().unwrap_or_default(),
        bearer: req
            .headers
            .get("x-amz-sso_bearer_token")
            .cloned()
            .unwrap_or_default(),
    };
    state.portal_calls.push(call.clone());
    if !state.tokens.contains(&call.bearer) {
        return error(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        );
    }
    let Some(creds) = state.roles.get(&(call.account_id, call.role_name)) else {
        return error(403, "ForbiddenException", "No access");
    };
    let expiration = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        + Duration::from_secs(3600);
    let body = serde_json::json!({"roleCredentials": {
        "accessKeyId": creds.access_key_id,
        "secretAccessKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
        "expiration": expiration.as_millis() as u64,
    }});
    (200, None, body.to_string())
}

fn create_token(state: &mut State, req: &Req) -> Answer {
    if req.method != "POST" || req.target != "/token" {
        return not_the_contract();
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
        return not_the_contract();
    };
    state.token_calls.push(body.clone());
    let field = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let offered = (
        field("clientId"),
        field("clientSecret"),
        field("refreshToken"),
    );
    if field("grantType") != "refresh_token" || state.grant.as_ref() != Some(&offered) {
        return error(400, "InvalidGrantException", "Invalid grant provided");
    }
    state.issued += 1;
    let access = format!("refreshed-access-{}", state.issued);
    let refresh = format!("rotated-refresh-{}", state.issued);
    state.tokens.push(access.clone());
    state.grant = Some((offered.0, offered.1, refresh.clone()));
    let body = serde_json::json!({
        "accessToken": access, "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": refresh,
    });
    (200, None, body.to_string())
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
            let code = code.map_or(String::new(), |c| format!("x-amzn-ErrorType: {c}\r\n"));
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
