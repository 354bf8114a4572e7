//! Opening a link in the user's browser without putting it on a command line: the browser gets
//! a private file (0600 in a 0700 directory) that redirects to the link, removed a few seconds
//! later. A console sign-in link carries a token that signs in; `ps` must not show it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

use zeroize::Zeroizing;

/// How long the redirecting file stays for the browser to read it.
const KEEP: Duration = Duration::from_secs(5);

/// Opens `url`; blocks for a few seconds while the browser reads the redirecting file.
pub fn open(url: &str) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("xrole-console-")
        .tempdir()
        .map_err(|e| format!("cannot make a private directory: {e}"))?;
    let page = dir.path().join("open.html");
    let escaped = url
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let html = Zeroizing::new(format!(
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=\"0;url={escaped}\"><title>xrole-tui</title>\n"
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&page)
        .and_then(|mut f| f.write_all(html.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", page.display()))?;
    let launched = launch(&format!("file://{}", page.display()));
    if launched.is_ok() {
        std::thread::sleep(KEEP);
    }
    drop(dir);
    launched
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
