//! Signing in to IAM Identity Center as the AWS CLI v2 does it, in plain Rust: which OAuth flow
//! to use, the PKCE pair and the authorize link of the authorization-code flow, the client
//! registration the AWS CLI caches (and the name of its cache file), the redirect the browser
//! comes back with, the device flow's polling interval, and the token file that results.
//!
//! The calls themselves are in `aws::sso_oidc`; the login is put together in `flows::sso`.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::session::{parse_rfc3339, rfc3339};
use super::sso_token::REFRESH_WINDOW;

/// The scope the authorization-code flow asks for when the session names none.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// The redirect registered with the client: a loopback address, which OAuth matches on any port
/// (RFC 8252, 7.3), so one registration serves every login.
pub const REGISTERED_REDIRECT: &str = "http://127.0.0.1/oauth/callback";

/// The path the browser is sent back to.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// The grants of an authorization-code registration.
pub const AUTH_CODE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];

/// The device flow's grant type.
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The longest wait for the browser to come back or the device code to be approved (the AWS
/// CLI's bound as well).
pub const LOGIN_WAIT: Duration = Duration::from_secs(10 * 60);

/// How a person proves who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Authorization code with PKCE: the browser comes back to a loopback listener.
    AuthCode,
    /// Device authorization: a code typed into the portal's page, from any device.
    DeviceCode,
}

/// What decides the flow besides the user's flag.
#[derive(Debug, Clone, Copy, Default)]
pub struct FlowEnv {
    /// A graphical session is there (`DISPLAY`/`WAYLAND_DISPLAY`, or macOS).
    pub display: bool,
    /// This is an SSH session (`SSH_CONNECTION`/`SSH_TTY`): a browser opened here could not reach
    /// the loopback listener of the machine the person sits at.
    pub ssh: bool,
}

/// The flow for a login: the device flow when asked for, for a legacy profile (no
/// `sso_session`, as the AWS CLI does), or when no browser here could come back to us.
pub fn choose_flow(has_session: bool, asked_device: bool, env: FlowEnv) -> Flow {
    if asked_device || !has_session || !env.display || env.ssh {
        Flow::DeviceCode
    } else {
        Flow::AuthCode
    }
}

/// `sso_registration_scopes` as the AWS CLI splits it: commas, blanks trimmed, empties dropped.
pub fn parse_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The proof key of one authorization-code login (RFC 7636, S256).
pub struct Pkce {
    /// Sent with the code, never shown.
    pub verifier: Zeroizing<String>,
    /// Goes into the authorize link: base64url of the verifier's SHA-256, without padding.
    pub challenge: String,
}

impl Pkce {
    /// A verifier of 64 unreserved characters drawn from `random` (6 bits of each byte, so each
    /// character is uniform), and its challenge.
    pub fn from_random(random: &[u8; 64]) -> Self {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let verifier: String = random
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 63)]))
            .collect();
        let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
        Self {
            verifier: Zeroizing::new(verifier),
            challenge,
        }
    }
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `state`: 128 random bits in hex, checked when the browser comes back.
pub fn state_from_random(random: &[u8; 16]) -> String {
    super::text::hex(random)
}

/// The loopback address the browser comes back to, on the listener's port.
pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{CALLBACK_PATH}")
}

/// The link that starts an authorization-code login: SSO-OIDC's `/authorize` on the same
/// endpoint as its API (so `AWS_ENDPOINT_URL_SSO_OIDC` moves both).
pub fn authorize_url(
    oidc_base: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    scopes: &[String],
    challenge: &str,
) -> String {
    let scopes = if scopes.is_empty() {
        DEFAULT_SCOPE.to_owned()
    } else {
        scopes.join(" ")
    };
    let mut url = format!("{}/authorize?", oidc_base.trim_end_matches('/'));
    for (i, (k, v)) in [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge_method", "S256"),
        ("scopes", scopes.as_str()),
        ("code_challenge", challenge),
    ]
    .into_iter()
    .enumerate()
    {
        let sep = if i == 0 { "" } else { "&" };
        let _ = write!(url, "{sep}{k}={}", query_escape(v));
    }
    url
}

fn query_escape(v: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const QUERY: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(v, QUERY).to_string()
}

/// The file name of the client registration the AWS CLI caches in `~/.aws/sso/cache`: the SHA-1
/// of Python's `json.dumps` (sorted keys) of the tool, start URL, region, scopes and session.
pub fn registration_file_name(
    start_url: &str,
    region: &str,
    scopes: Option<&[String]>,
    session: Option<&str>,
) -> String {
    let scopes = match scopes {
        Some(list) => {
            let items: Vec<String> = list.iter().map(|s| py_json_str(s)).collect();
            format!("[{}]", items.join(", "))
        }
        None => "null".to_owned(),
    };
    let session = session.map_or_else(|| "null".to_owned(), py_json_str);
    let args = format!(
        "{{\"region\": {}, \"scopes\": {scopes}, \"session_name\": {session}, \"startUrl\": {}, \"tool\": \"botocore\"}}",
        py_json_str(region),
        py_json_str(start_url),
    );
    let mut name = super::text::hex(&Sha1::digest(args.as_bytes()));
    name.push_str(".json");
    name
}

/// The name of a session's login lock: the SHA-1 of its identifier, as its token file is named.
pub fn lock_name(identifier: &str) -> String {
    super::text::hex(&Sha1::digest(identifier.as_bytes()))
}

/// A string as Python's `json.dumps` writes it (`ensure_ascii`): only printable ASCII stays.
fn py_json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// A client registration with SSO-OIDC, as the AWS CLI caches it.
pub struct Registration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret` (a signed blob; kept out of `Debug`).
    pub client_secret: Zeroizing<String>,
    /// `expiresAt`: when the registration ends.
    pub expires_at: SystemTime,
    /// `scopes`, when registered with some.
    pub scopes: Option<Vec<String>>,
    /// `grantTypes`; absent for a device-flow registration.
    pub grant_types: Option<Vec<String>>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("expires_at", &rfc3339(self.expires_at))
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// Reads a cached registration; `None` when it is not one.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let text = |k: &str| value.get(k).and_then(Value::as_str);
        let list = |k: &str| {
            value.get(k).and_then(Value::as_array).map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
        };
        Some(Self {
            client_id: text("clientId").filter(|s| !s.is_empty())?.to_owned(),
            client_secret: Zeroizing::new(
                text("clientSecret").filter(|s| !s.is_empty())?.to_owned(),
            ),
            expires_at: text("expiresAt").and_then(parse_rfc3339)?,
            scopes: list("scopes"),
            grant_types: list("grantTypes"),
        })
    }

    /// The cache file's JSON.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let mut v = json!({
            "clientId": self.client_id,
            "clientSecret": self.client_secret.as_str(),
            "expiresAt": rfc3339(self.expires_at),
        });
        if let Some(s) = &self.scopes {
            v["scopes"] = json!(s);
        }
        if let Some(g) = &self.grant_types {
            v["grantTypes"] = json!(g);
        }
        Zeroizing::new(serde_json::to_vec(&v).unwrap_or_default())
    }

    /// Whether the AWS CLI would reuse it at `now` for `flow`: not within 15 minutes of its end,
    /// and registered for that flow (an authorization-code one names its grant).
    pub fn usable(&self, now: SystemTime, flow: Flow) -> bool {
        let lasting = self
            .expires_at
            .duration_since(now)
            .is_ok_and(|left| left >= REFRESH_WINDOW);
        let for_code = self
            .grant_types
            .as_ref()
            .is_some_and(|g| g.iter().any(|t| t == "authorization_code"));
        lasting && (for_code == (flow == Flow::AuthCode))
    }
}

/// The token file `sso login` writes, in the AWS CLI's fields: the start URL and region, the
/// access token and its end, and the registration with the refresh token that renews it.
pub fn token_file(
    start_url: &str,
    region: &str,
    access_token: &str,
    expires_at: SystemTime,
    registration: &Registration,
    refresh_token: Option<&str>,
) -> Zeroizing<Vec<u8>> {
    let mut fields = Map::new();
    let mut put = |k: &str, v: &str| fields.insert(k.to_owned(), Value::String(v.to_owned()));
    put("startUrl", start_url);
    put("region", region);
    put("accessToken", access_token);
    put("expiresAt", &rfc3339(expires_at));
    put("clientId", &registration.client_id);
    put("clientSecret", &registration.client_secret);
    put("registrationExpiresAt", &rfc3339(registration.expires_at));
    if let Some(r) = refresh_token.filter(|r| !r.is_empty()) {
        put("refreshToken", r);
    }
    Zeroizing::new(serde_json::to_vec(&fields).unwrap_or_default())
}

/// What came to the loopback listener.
#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    /// The redirect with a code and the state it carried.
    Code {
        /// The authorization code (one use, a few minutes).
        code: Zeroizing<String>,
        /// The `state` sent back.
        state: String,
    },
    /// The redirect with an OAuth error (the person declined, or the portal refused).
    Refused(String),
    /// Anything else (a favicon, a scanner): answered 404 and waited past.
    Other,
}

/// Reads the request target of a request to the listener.
pub fn read_callback(target: &str) -> Callback {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return Callback::Other;
    }
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_encoding::percent_decode_str(&v.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        match k {
            "code" => code = Some(v),
            "state" => state = Some(v),
            "error" => error = Some(v),
            "error_description" => description = Some(v),
            _ => {}
        }
    }
    match (error, code, state) {
        (Some(e), _, _) => Callback::Refused(match description {
            Some(d) => format!("{e}: {d}"),
            None => e,
        }),
        (None, Some(code), Some(state)) if !code.is_empty() => Callback::Code {
            code: Zeroizing::new(code),
            state,
        },
        _ => Callback::Other,
    }
}

/// The device flow's wait between two `CreateToken` calls: the interval the service gave
/// (5 s when none, as RFC 8628 says), 5 s longer after each `slow_down`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevicePoll {
    /// The current wait.
    pub interval: Duration,
}

impl DevicePoll {
    /// The first interval, from `StartDeviceAuthorization`'s `interval` (seconds).
    pub fn new(given: Option<i32>) -> Self {
        let secs = given.and_then(|s| u64::try_from(s).ok()).filter(|&s| s > 0);
        Self {
            interval: Duration::from_secs(secs.unwrap_or(5).min(60)),
        }
    }

    /// After a `slow_down` answer.
    pub fn slow_down(&mut self) {
        self.interval = (self.interval + Duration::from_secs(5)).min(Duration::from_secs(60));
    }
}

#[cfg(test)]
mod tests;
