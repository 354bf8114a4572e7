//! Copying to the clipboard. The terminal is asked first with OSC 52, which reaches the
//! user's own clipboard over SSH and through tmux (`set-clipboard`); where a local clipboard
//! tool is found (wl-copy on Wayland, xclip on X11, pbcopy on macOS) it gets the text too,
//! on its standard input: the text never appears on a command line.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

use crate::domain::text::SecretText;

/// How long a clipboard tool may take.
const TOOL_TIME: Duration = Duration::from_secs(2);

/// The OSC 52 sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Writes the OSC 52 sequence on the terminal (stdout, which the TUI draws on). Called from
/// the loop's thread, so it cannot interleave with a frame being drawn.
pub fn to_terminal(text: &SecretText) -> std::io::Result<()> {
    let sequence = zeroize::Zeroizing::new(osc52(text.expose()));
    let mut out = std::io::stdout().lock();
    out.write_all(sequence.as_bytes())?;
    out.flush()
}

/// Gives `text` to a local clipboard tool when one fits this session; its name, or `None`.
pub fn to_local_tool(text: &SecretText) -> Result<Option<&'static str>, String> {
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some();
    let x11 = std::env::var_os("DISPLAY").is_some();
    let candidates: &[(&str, &[&str], bool)] = &[
        ("wl-copy", &[], wayland),
        ("xclip", &["-selection", "clipboard"], x11),
        ("pbcopy", &[], cfg!(target_os = "macos")),
    ];
    for (tool, args, fits) in candidates {
        if !fits || !on_path(tool) {
            continue;
        }
        return run_tool(tool, args, text).map(|()| Some(*tool));
    }
    Ok(None)
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(tool).is_file()))
}

fn run_tool(tool: &str, args: &[&str], text: &SecretText) -> Result<(), String> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {tool}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.expose().as_bytes())
            .map_err(|e| format!("cannot give the text to {tool}: {e}"))?;
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{tool} failed ({status})")),
            Ok(None) if start.elapsed() < TOOL_TIME => {
                std::thread::sleep(Duration::from_millis(20))
            }
            // xclip stays to serve the selection: it has the text, which is what counts.
            Ok(None) => return Ok(()),
            Err(e) => return Err(format!("{tool}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_carries_the_text_in_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        let long = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=abc";
        let seq = osc52(long);
        let body = &seq[7..seq.len() - 1];
        let back = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert_eq!(back, long.as_bytes());
    }
}
