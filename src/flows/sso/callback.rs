//! The loopback listener the browser comes back to after an authorization-code login. It is
//! bound before the browser opens, answers only `GET /oauth/callback` with a `code` and the
//! expected `state` (compared in constant time), and waits past anything else: a favicon, a port
//! scanner, a stale tab with another state. Every read and the whole wait are bounded.

use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zeroize::Zeroizing;

use crate::aws::error::AuthError;
use crate::domain::sso_login::{read_callback, Callback, LOGIN_WAIT};

/// The largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// The longest a connection may take to send its head.
const HEAD_WAIT: Duration = Duration::from_secs(10);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>xrole-tui</title><h1>Signed in</h1><p>You can close this tab and go back to the terminal.</p>\n";
const REFUSED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>xrole-tui</title><h1>Not signed in</h1><p>The sign-in was not completed. Go back to the terminal.</p>\n";

/// A bound listener on 127.0.0.1.
pub struct Listener {
    inner: TcpListener,
    port: u16,
}

impl Listener {
    /// Binds 127.0.0.1 on `port` (0: any free port).
    pub async fn bind(port: Option<u16>) -> Result<Self, AuthError> {
        let want = port.unwrap_or(0);
        let inner = TcpListener::bind(("127.0.0.1", want)).await.map_err(|e| {
            AuthError::Config(format!(
                "cannot listen on 127.0.0.1:{want} for the browser's return: {e}"
            ))
        })?;
        let port = inner
            .local_addr()
            .map_err(|e| AuthError::Config(format!("the login listener has no address: {e}")))?
            .port();
        Ok(Self { inner, port })
    }

    /// The port the browser is sent back to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for the redirect that carries `state`; gives its code.
    pub async fn code(&self, state: &str) -> Result<Zeroizing<String>, AuthError> {
        let deadline = Instant::now() + LOGIN_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let accepted = tokio::time::timeout(left, self.inner.accept()).await;
            let Ok(accepted) = accepted else {
                return Err(AuthError::Expired(format!(
                    "the browser did not come back within {} minutes; log in again",
                    LOGIN_WAIT.as_secs() / 60
                )));
            };
            let Ok((mut conn, _)) = accepted else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let Some(target) = read_target(&mut conn).await else {
                continue;
            };
            match read_callback(&target) {
                Callback::Code { code, state: given }
                    if bool::from(given.as_bytes().ct_eq(state.as_bytes())) =>
                {
                    answer(&mut conn, 200, DONE_PAGE).await;
                    return Ok(code);
                }
                Callback::Refused(why) => {
                    answer(&mut conn, 200, REFUSED_PAGE).await;
                    return Err(AuthError::Denied(format!(
                        "the sign-in was refused: {}",
                        crate::domain::text::display_safe(&why)
                    )));
                }
                Callback::Code { .. } => answer(&mut conn, 400, REFUSED_PAGE).await,
                Callback::Other => answer(&mut conn, 404, "").await,
            }
        }
    }
}

/// The request target of a `GET`, read within [`HEAD_WAIT`] and [`MAX_HEAD`].
async fn read_target(conn: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let read = async {
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            let n = conn.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Some(())
    };
    tokio::time::timeout(HEAD_WAIT, read).await.ok()??;
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let mut parts = line.split(' ');
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

async fn answer(conn: &mut TcpStream, status: u16, page: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = tokio::time::timeout(HEAD_WAIT, conn.write_all(text.as_bytes())).await;
    let _ = conn.shutdown().await;
}
