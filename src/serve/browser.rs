//! Opening a link in the user's browser without putting it on a command line: the browser gets
//! a private file (0600 in a 0700 directory, see `private_dir`) that redirects to the link,
//! removed a few seconds later. A console sign-in link carries a token that signs in; `ps` must
//! not show it.

use std::time::Duration;

use zeroize::Zeroizing;

use super::private_dir::PrivateDir;

/// How long the redirecting file stays for the browser to read it.
const KEEP: Duration = Duration::from_secs(5);

/// The redirecting page of an opened link: removed when dropped, so a caller that is stopped
/// (a signal, the TUI quitting) removes it too.
#[derive(Debug)]
pub struct OpenedPage {
    _dir: PrivateDir,
}

impl OpenedPage {
    /// Keeps the page while the browser reads it, then removes it.
    pub async fn keep(self) {
        tokio::time::sleep(KEEP).await;
    }
}

/// Opens `url` in the browser; the page it reads is removed when the result is dropped.
pub fn open(url: &str) -> Result<OpenedPage, String> {
    let dir = PrivateDir::new("console")?;
    let escaped = url
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let html = Zeroizing::new(format!(
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=\"0;url={escaped}\"><title>xrole-tui</title>\n"
    ));
    let page = dir.write("open.html", html.as_bytes())?;
    launch(&format!("file://{}", page.display()))?;
    Ok(OpenedPage { _dir: dir })
}

/// Opens a link that is no secret (an IAM Identity Center sign-in page) directly.
pub fn open_plain(url: &str) -> Result<(), String> {
    launch(url)
}

/// [`open`], then keeps the page for the browser; Ctrl-C, SIGTERM or SIGHUP meanwhile remove
/// it before this process ends as the signal asks. For the command line.
pub async fn open_and_wait(url: &str) -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let kinds = [
        SignalKind::interrupt(),
        SignalKind::terminate(),
        SignalKind::hangup(),
    ];
    // Listening starts before the page is written, so no signal can miss the removal.
    let mut streams: Vec<_> = kinds.iter().filter_map(|k| signal(*k).ok()).collect();
    let page = open(url)?;
    let any_signal = futures::future::select_all(streams.iter_mut().map(|s| Box::pin(s.recv())));
    tokio::select! {
        () = page.keep() => Ok(()),
        (_, index, _) = any_signal => {
            // The page is gone (dropped with `keep`'s future); end as the signal would have.
            let code = [130, 143, 129][index];
            std::process::exit(code);
        }
    }
}

/// `$BROWSER` (its first command; `%s` is replaced by the URL), else the platform's opener,
/// started without waiting for it.
fn launch(url: &str) -> Result<(), String> {
    let command: Vec<String> = match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(b) => {
            let first = b.split(':').next().unwrap_or_default();
            let mut parts: Vec<String> = first.split_whitespace().map(str::to_owned).collect();
            if parts.iter().any(|p| p.contains("%s")) {
                for p in &mut parts {
                    *p = p.replace("%s", url);
                }
            } else {
                parts.push(url.to_owned());
            }
            parts
        }
        None if cfg!(target_os = "macos") => vec!["open".into(), url.into()],
        None => vec!["xdg-open".into(), url.into()],
    };
    let (program, args) = command.split_first().ok_or("BROWSER is empty")?;
    std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|mut child| {
            // Reaped in the background: a long-running TUI keeps no zombie per link.
            std::thread::spawn(move || child.wait());
        })
        .map_err(|e| format!("{program}: {e}"))
}
