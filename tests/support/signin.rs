//! A loopback stand-in of AWS Sign-In's token endpoint (`CreateOAuth2Token`, `POST /v1/token`),
//! which no emulator has, following the contract aws-config's login provider and its tests use:
//! a JSON body of `clientId`, `grantType` = `refresh_token` and `refreshToken`, sent with a
//! `DPoP` header (a JWT of type `dpop+jwt`, ES256, with the public key as `jwk` and the method
//! and URL as `htm`/`htu`); answered with `accessToken` {accessKeyId, secretAccessKey,
//! sessionToken}, `tokenType`, `expiresIn` and a new `refreshToken`, or
//! `AccessDeniedException` with `error` = `TOKEN_EXPIRED` for a refresh token it does not know.
//! Each accepted refresh token is spent: the answer carries the next one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::sso::RoleCreds;

#[derive(Default)]
struct State {
    /// The refresh token accepted next, and the client it belongs to.
    refresh: Option<(String, String)>,
    /// Credentials handed out by a refresh.
    creds: Option<RoleCreds>,
    /// Each call: the body and the decoded DPoP header and payload.
    calls: Vec<(serde_json::Value, serde_json::Value, serde_json::Value)>,
}

#[derive(Clone)]
pub struct SignIn {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl SignIn {
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                let (status, code, body) = answer(&shared, &conn);
                let code = code.map_or(String::new(), |c| format!("x-amzn-ErrorType: {c}\r\n"));
                let mut conn = conn;
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{code}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        SignIn { url, state }
    }

    /// `CreateOAuth2Token` accepts `refresh` of `client` once, and hands out `creds`.
    pub fn allow(&self, client: &str, refresh: &str, creds: RoleCreds) {
        let mut s = self.state.lock().unwrap();
        s.refresh = Some((client.to_owned(), refresh.to_owned()));
        s.creds = Some(creds);
    }

    pub fn calls(&self) -> Vec<(serde_json::Value, serde_json::Value, serde_json::Value)> {
        self.state.lock().unwrap().calls.clone()
    }
}

fn jwt_part(part: &str) -> serde_json::Value {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::Value::Null)
}

fn answer(state: &Mutex<State>, conn: &std::net::TcpStream) -> (u16, Option<&'static str>, String) {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || !line.starts_with("POST /v1/token ") {
        return (400, Some("ValidationException"), "{}".into());
    }
    let mut dpop = String::new();
    let mut len = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) <= 2 {
            break;
        }
        let (k, v) = h.split_once(':').unwrap_or((&h, ""));
        match k.trim().to_ascii_lowercase().as_str() {
            "dpop" => dpop = v.trim().to_owned(),
            "content-length" => len = v.trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let parts: Vec<&str> = dpop.split('.').collect();
    let (head, claims) = match parts.as_slice() {
        [h, c, sig] if !sig.is_empty() => (jwt_part(h), jwt_part(c)),
        _ => (serde_json::Value::Null, serde_json::Value::Null),
    };
    let mut s = state.lock().unwrap();
    s.calls.push((body.clone(), head.clone(), claims.clone()));
    let proof_ok = head["typ"] == "dpop+jwt"
        && head["alg"] == "ES256"
        && head["jwk"]["crv"] == "P-256"
        && claims["htm"] == "POST"
        && claims["htu"]
            .as_str()
            .is_some_and(|u| u.ends_with("/v1/token"))
        && claims["jti"].is_string();
    if !proof_ok {
        return (
            400,
            Some("ValidationException"),
            r#"{"message":"bad DPoP proof"}"#.into(),
        );
    }
    let offered = (
        body["clientId"].as_str().unwrap_or_default().to_owned(),
        body["refreshToken"].as_str().unwrap_or_default().to_owned(),
    );
    if body["grantType"] != "refresh_token" || s.refresh.as_ref() != Some(&offered) {
        return (
            400,
            Some("AccessDeniedException"),
            r#"{"error":"TOKEN_EXPIRED","message":"refresh token expired or spent"}"#.into(),
        );
    }
    let n = s.calls.len();
    s.refresh = Some((offered.0, format!("signin-refresh-{n}")));
    let c = s.creds.clone().unwrap();
    let answer = serde_json::json!({
        "accessToken": {"accessKeyId": c.access_key_id, "secretAccessKey": c.secret_access_key, "sessionToken": c.session_token},
        "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": format!("signin-refresh-{n}"),
    });
    (200, None, answer.to_string())
}
