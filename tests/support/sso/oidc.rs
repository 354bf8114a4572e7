//! The SSO-OIDC stand-in: `RegisterClient`, `StartDeviceAuthorization`, `CreateToken` (refresh,
//! device code and authorization code with PKCE) and the `/authorize` page (the contract is in
//! the parent module's documentation).

use std::collections::HashMap;
use std::time::SystemTime;

use super::{error, not_the_contract, query, Answer, Req, State};

pub(super) fn oidc(state: &mut State, req: &Req) -> Answer {
    let (path, q) = req.target.split_once('?').unwrap_or((&req.target, ""));
    match (req.method.as_str(), path) {
        ("GET", "/authorize") => return authorize(state, &query(q)),
        ("POST", "/token") => {}
        ("POST", "/client/register") | ("POST", "/device_authorization") => {
            let Ok(body) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
                return not_the_contract();
            };
            return if path == "/client/register" {
                register(state, body)
            } else {
                start_device(state, &body)
            };
        }
        _ => return not_the_contract(),
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
        return not_the_contract();
    };
    state.token_calls.push(body.clone());
    let field = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let client_ok = state
        .clients
        .get(&field("clientId"))
        .is_some_and(|(secret, _)| *secret == field("clientSecret"));
    match field("grantType").as_str() {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let Some((client, pending)) = state.devices.get_mut(&field("deviceCode")) else {
                return error(400, "InvalidGrantException", "unknown device code");
            };
            if !client_ok || *client != field("clientId") {
                return error(400, "InvalidClientException", "wrong client");
            }
            if *pending > 0 {
                *pending -= 1;
                return error(
                    400,
                    "AuthorizationPendingException",
                    "authorization_pending",
                );
            }
            state.devices.remove(&field("deviceCode"));
            return issue(state, &field("clientId"));
        }
        "authorization_code" => {
            let Some((client, redirect, challenge)) = state.codes.remove(&field("code")) else {
                return error(400, "InvalidGrantException", "unknown or used code");
            };
            use base64::Engine;
            use sha2::Digest;
            let proof = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(field("codeVerifier").as_bytes()));
            if !client_ok
                || client != field("clientId")
                || redirect != field("redirectUri")
                || proof != challenge
            {
                return error(
                    400,
                    "InvalidGrantException",
                    "the code, redirect or verifier does not match",
                );
            }
            return issue(state, &field("clientId"));
        }
        _ => {}
    }
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

fn register(state: &mut State, body: serde_json::Value) -> Answer {
    if body["clientType"] != "public" || !body["clientName"].is_string() {
        return not_the_contract();
    }
    let id = format!("client-{}", state.clients.len() + 1);
    let secret = format!("client-secret-{}", state.clients.len() + 1);
    state.clients.insert(id.clone(), (secret.clone(), body));
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let answer = serde_json::json!({
        "clientId": id, "clientSecret": secret,
        "clientIdIssuedAt": now, "clientSecretExpiresAt": now + 90 * 86400,
    });
    (200, None, answer.to_string())
}

fn start_device(state: &mut State, body: &serde_json::Value) -> Answer {
    let id = body["clientId"].as_str().unwrap_or_default().to_owned();
    let known = state
        .clients
        .get(&id)
        .is_some_and(|(secret, _)| body["clientSecret"] == secret.as_str());
    if !known || !body["startUrl"].is_string() {
        return error(400, "InvalidClientException", "unknown client");
    }
    let code = format!("device-{}", state.devices.len() + 1);
    state
        .devices
        .insert(code.clone(), (id, state.pending_polls));
    let answer = serde_json::json!({
        "deviceCode": code, "userCode": "WXYZ-1234",
        "verificationUri": "https://device.sso.example/",
        "verificationUriComplete": "https://device.sso.example/?user_code=WXYZ-1234",
        "expiresIn": 600, "interval": 1,
    });
    (200, None, answer.to_string())
}

/// The browser's page: the person is signed in at once, and sent back with a code.
fn authorize(state: &mut State, q: &HashMap<String, String>) -> Answer {
    state.authorize_calls.push(q.clone());
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let redirect = get("redirect_uri");
    let loopback = redirect
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.split_once('/'))
        .is_some_and(|(port, path)| port.parse::<u16>().is_ok() && path == "oauth/callback");
    let registered = state
        .clients
        .get(&get("client_id"))
        .is_some_and(|(_, body)| {
            body["redirectUris"] == serde_json::json!(["http://127.0.0.1/oauth/callback"])
                && body["grantTypes"] == serde_json::json!(["authorization_code", "refresh_token"])
        });
    if get("response_type") != "code"
        || !registered
        || !loopback
        || get("code_challenge_method") != "S256"
        || get("code_challenge").len() != 43
        || get("state").is_empty()
    {
        return not_the_contract();
    }
    let code = format!("auth-code-{}", state.codes.len() + 1);
    state.codes.insert(
        code.clone(),
        (get("client_id"), redirect.clone(), get("code_challenge")),
    );
    let location = format!("{redirect}?code={code}&state={}", get("state"));
    (302, None, location)
}

/// A new access and refresh token for `client`, which the portal accepts and `CreateToken`
/// can refresh.
fn issue(state: &mut State, client: &str) -> Answer {
    state.issued += 1;
    let access = format!("login-access-{}", state.issued);
    let refresh = format!("login-refresh-{}", state.issued);
    state.tokens.push(access.clone());
    let secret = state
        .clients
        .get(client)
        .map(|c| c.0.clone())
        .unwrap_or_default();
    state.grant = Some((client.to_owned(), secret, refresh.clone()));
    let body = serde_json::json!({
        "accessToken": access, "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": refresh,
    });
    (200, None, body.to_string())
}
