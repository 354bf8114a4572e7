//! What one request to the endpoint gets: the checks (Host, token, path, method), then the
//! credentials in the form every current SDK accepts (all four fields, strings only), or an
//! error whose `code` is a string (the Go SDKs decode it as one; a number hides the message).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::Reporter;
use crate::domain::serving::{Answer, Served};
use crate::domain::session::rfc3339;

/// The path credentials are served on (some SDKs ignore a URI without one).
pub const PATH: &str = "/credentials";
/// Credentials with no known expiry are promised for this long: clients come back for the
/// same keys, and the promise is true.
const NO_EXPIRY_PROMISE: Duration = Duration::from_secs(3600);

/// What a request must match, and where refusals are told (once per kind).
pub struct Check {
    /// `127.0.0.1:PORT`.
    pub host: String,
    /// The token of `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub token: Zeroizing<String>,
    /// Tells the user of a refusal (the terminal).
    pub report: Reporter,
    /// A wrong or missing token was told.
    told_token: AtomicBool,
    /// A wrong Host was told.
    told_host: AtomicBool,
}

impl Check {
    /// The checks of the endpoint at `host`.
    pub fn new(host: String, token: Zeroizing<String>, report: Reporter) -> Self {
        Self {
            host,
            token,
            report,
            told_token: AtomicBool::new(false),
            told_host: AtomicBool::new(false),
        }
    }

    fn refused(&self, flag: &AtomicBool, why: &str) {
        if !flag.swap(true, Ordering::Relaxed) {
            (self.report)(format!(
                "the credential endpoint http://{}{PATH} refused a request: {why} (said once)",
                self.host
            ));
        }
    }
}

/// An answer: its status and JSON body.
pub type Answered = (StatusCode, Bytes);

/// `answer` as a hyper response.
pub fn into_response((status, body): Answered) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The answer to `req` from `peer`.
pub fn respond<B>(
    req: &Request<B>,
    peer: SocketAddr,
    check: &Check,
    state: &RwLock<Served>,
) -> Answered {
    if !peer.ip().is_loopback() {
        return error(StatusCode::FORBIDDEN, "only this machine may ask");
    }
    let mut hosts = req.headers().get_all(hyper::header::HOST).iter();
    let (host, second) = (hosts.next(), hosts.next());
    if second.is_some() {
        // RFC 9112, 3.2: more than one Host field is a bad request.
        return error(StatusCode::BAD_REQUEST, "more than one Host header");
    }
    if req
        .uri()
        .authority()
        .is_some_and(|a| a.as_str() != check.host)
    {
        // An absolute-form target naming another server: this endpoint is no proxy.
        return error(StatusCode::BAD_REQUEST, "the request names another server");
    }
    if host.map(hyper::header::HeaderValue::as_bytes) != Some(check.host.as_bytes()) {
        // DNS rebinding: a web page's request names its own host.
        check.refused(&check.told_host, "wrong Host header (not this endpoint's)");
        return error(StatusCode::FORBIDDEN, "wrong Host for this endpoint");
    }
    let token = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .map_or(&b""[..], |t| t.as_bytes());
    if !bool::from(token.ct_eq(check.token.as_bytes())) {
        check.refused(
            &check.told_token,
            "missing or wrong AWS_CONTAINER_AUTHORIZATION_TOKEN (a program holding another shell's variables?)",
        );
        return error(
            StatusCode::FORBIDDEN,
            "missing or wrong authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN)",
        );
    }
    if req.uri().path() != PATH {
        return error(
            StatusCode::NOT_FOUND,
            "credentials are served on /credentials",
        );
    }
    if req.method() != hyper::Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "use GET");
    }
    let now = SystemTime::now();
    match super::read(state).answer(now) {
        Answer::Credentials(c) => {
            let expiration = c.expiration.unwrap_or(now + NO_EXPIRY_PROMISE);
            let body = serde_json::json!({
                "AccessKeyId": c.access_key_id,
                "SecretAccessKey": c.secret_access_key.as_str(),
                // Never empty in practice: long-term keys are served through a session.
                "Token": c.session_token.as_ref().map_or("", |t| t.as_str()),
                "Expiration": rfc3339(expiration),
            });
            json(StatusCode::OK, &body)
        }
        Answer::Unavailable(why) => error(StatusCode::SERVICE_UNAVAILABLE, &why),
    }
}

/// An error body: `code`/`Code` as strings (the Go SDKs decode a string), `message`/`Message`.
pub fn error(status: StatusCode, message: &str) -> Answered {
    let message = format!("xrole-tui: {message}");
    let code = match status {
        StatusCode::BAD_REQUEST => "BadRequest",
        StatusCode::FORBIDDEN => "AccessDenied",
        StatusCode::NOT_FOUND => "NotFound",
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
        _ => "ServiceUnavailable",
    };
    json(
        status,
        &serde_json::json!({ "code": code, "Code": code, "message": message, "Message": message }),
    )
}

fn json(status: StatusCode, body: &serde_json::Value) -> Answered {
    (status, Bytes::from(body.to_string()))
}
