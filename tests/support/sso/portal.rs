//! The portal stand-in: `GetRoleCredentials`, `ListAccounts`, `ListAccountRoles` and `Logout`
//! (the contract is in the parent module's documentation).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::{error, not_the_contract, query, Answer, PortalCall, Req, State};

pub(super) fn portal(state: &mut State, req: &Req) -> Answer {
    let (path, q) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let bearer = req
        .headers
        .get("x-amz-sso_bearer_token")
        .cloned()
        .unwrap_or_default();
    match (req.method.as_str(), path) {
        ("GET", "/federation/credentials") => {}
        ("GET", "/assignment/accounts") | ("GET", "/assignment/roles") => {
            return listing(state, path, &query(q), &bearer)
        }
        ("POST", "/logout") => {
            state.logouts.push(bearer.clone());
            if !state.tokens.contains(&bearer) {
                return error(
                    401,
                    "UnauthorizedException",
                    "Session token not found or invalid",
                );
            }
            state.tokens.retain(|t| t != &bearer);
            return (200, None, String::new());
        }
        _ => return not_the_contract(),
    }
    let params = query(q);
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

/// `ListAccounts` and `ListAccountRoles`, one entry per page so that paging is exercised.
fn listing(state: &State, path: &str, q: &HashMap<String, String>, bearer: &str) -> Answer {
    if !state.tokens.iter().any(|t| t == bearer) {
        return error(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        );
    }
    let start: usize = q
        .get("next_token")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let (key, items): (&str, Vec<serde_json::Value>) = if path == "/assignment/accounts" {
        let items = state
            .accounts
            .iter()
            .map(|(id, name)| serde_json::json!({"accountId": id, "accountName": name, "emailAddress": "x@example.com"}))
            .collect();
        ("accountList", items)
    } else {
        let Some(account) = q.get("account_id") else {
            return not_the_contract();
        };
        let mut roles: Vec<&String> = state
            .roles
            .keys()
            .filter(|(a, _)| a == account)
            .map(|(_, r)| r)
            .collect();
        roles.sort();
        let items = roles
            .into_iter()
            .map(|r| serde_json::json!({"roleName": r, "accountId": account}))
            .collect();
        ("roleList", items)
    };
    let mut body =
        serde_json::json!({ key: items.get(start).into_iter().cloned().collect::<Vec<_>>() });
    if start + 1 < items.len() {
        body["nextToken"] = (start + 1).to_string().into();
    }
    (200, None, body.to_string())
}
