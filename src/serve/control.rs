//! The control socket of a served child: `xrole-tui status` asks it for the live expiry (a
//! shell's environment cannot change), and `xrole-tui unlock` hands it an MFA code when the
//! MFA session behind the endpoint has ended and the shell owns the terminal.
//!
//! A Unix socket, 0600 in a 0700 directory, named in the child's `XROLE_CONTROL`; only this
//! user's processes are answered (the peer's uid is checked). One request line, one JSON line.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use super::endpoint::{read, Shared};
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::domain::serving::{Answer, Served};
use crate::domain::session::rfc3339;

/// A request line is short; anything longer is not ours.
const MAX_LINE: u64 = 256;
/// A client that sends nothing is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// An unlock includes the STS calls made with the code.
const UNLOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// A listening control socket; removed when dropped.
pub struct Control {
    /// The socket's path (`XROLE_CONTROL`).
    pub path: PathBuf,
    _dir: super::private_dir::PrivateDir,
    task: JoinHandle<()>,
}

impl Drop for Control {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Control {
    /// Listens for `shared`'s endpoint.
    pub fn start(shared: Arc<Shared>) -> Result<Self, String> {
        use std::os::unix::fs::PermissionsExt;
        let dir = super::private_dir::PrivateDir::new("control")
            .map_err(|e| format!("cannot make a private directory for the control socket: {e}"))?;
        let path = dir.path().join("control.sock");
        let listener = UnixListener::bind(&path)
            .map_err(|e| format!("cannot listen on {}: {e}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot make {} private: {e}", path.display()))?;
        let task = tokio::spawn(async move {
            let mut backoff = Duration::ZERO;
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => {
                        backoff = Duration::ZERO;
                        stream
                    }
                    Err(_) => {
                        // Out of descriptors: wait and try again, never spin or give up.
                        backoff =
                            (backoff * 2).clamp(Duration::from_millis(5), Duration::from_secs(1));
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                };
                let ours = stream
                    .peer_cred()
                    .is_ok_and(|c| c.uid() == rustix::process::getuid().as_raw());
                if ours {
                    tokio::spawn(answer(stream, Arc::clone(&shared)));
                }
            }
        });
        Ok(Self {
            path,
            _dir: dir,
            task,
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

async fn answer(stream: UnixStream, shared: Arc<Shared>) {
    let (reader, mut writer) = stream.into_split();
    let mut line = Zeroizing::new(String::new());
    let mut limited = BufReader::new(tokio::io::AsyncReadExt::take(reader, MAX_LINE));
    let read_line = tokio::time::timeout(READ_TIMEOUT, limited.read_line(&mut line)).await;
    if !matches!(read_line, Ok(Ok(n)) if n > 0) {
        return;
    }
    let reply = match line.trim().split_once(' ').unwrap_or((line.trim(), "")) {
        ("status", _) => status(&shared),
        ("mfa", _) => serde_json::json!({ "serial": shared.target.plan.mfa_serial() }),
        ("unlock", code) => unlock(&shared, code).await,
        _ => serde_json::json!({ "ok": false, "message": "unknown request" }),
    };
    let _ = writer.write_all(format!("{reply}\n").as_bytes()).await;
}

fn status(shared: &Shared) -> serde_json::Value {
    let state = read(&shared.state);
    let trouble = match &*state {
        Served::Fresh { trouble, .. } => trouble.clone(),
        Served::Failed(_) => None,
    };
    let (serving, expiration, message) = match state.answer(SystemTime::now()) {
        // Still served, but the last renewal failed: said, so a prompt can show it in time.
        Answer::Credentials(c) => (true, c.expiration.map(rfc3339), trouble),
        Answer::Unavailable(why) => (false, None, Some(why)),
    };
    let renewable_until = shared
        .broker
        .renewable_until(&shared.target, SystemTime::now())
        .map(rfc3339);
    serde_json::json!({
        "profile": shared.target.name,
        "account": shared.target.account(),
        "serving": serving,
        "expiration": expiration,
        "renewable_until": renewable_until,
        "message": message,
    })
}

/// A code handed in by `xrole-tui unlock`, used once.
struct GivenCode(Option<Zeroizing<String>>);

impl MfaInput for GivenCode {
    fn code(
        &mut self,
        serial: &str,
        _profile: &str,
    ) -> impl std::future::Future<Output = Result<Zeroizing<String>, AuthError>> + Send {
        let code = self.0.take().ok_or_else(|| {
            AuthError::Mfa(format!(
                "a second MFA code is needed for {serial}; run unlock again"
            ))
        });
        async move { code }
    }
}

async fn unlock(shared: &Shared, code: &str) -> serde_json::Value {
    if crate::domain::validate::mfa_code(code).is_err() {
        return serde_json::json!({ "ok": false, "message": "an MFA code is exactly 6 digits" });
    }
    let mut given = GivenCode(Some(Zeroizing::new(code.to_owned())));
    match tokio::time::timeout(UNLOCK_TIMEOUT, shared.renew(&mut given)).await {
        Ok(Ok(expiration)) => serde_json::json!({
            "ok": true,
            "code_used": given.0.is_none(),
            "expiration": expiration.map(rfc3339),
        }),
        Ok(Err(e)) => serde_json::json!({ "ok": false, "message": e.to_string() }),
        Err(_) => serde_json::json!({ "ok": false, "message": "STS did not answer in time" }),
    }
}
