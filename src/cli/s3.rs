//! `s3 ls` and `s3 get`: S3 in the assumed role, without the TUI.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use super::creds::{open, Opts};
use super::Failure;
use crate::aws::s3;
use crate::config::AwsFiles;
use crate::domain::s3_path::{local_name, S3Location};
use crate::domain::text::display_safe;

fn location(s: &str) -> Result<S3Location, Failure> {
    S3Location::parse(s).map_err(|e| Failure::config(display_safe(&e).into_owned()))
}

/// `s3 ls PROFILE s3://BUCKET[/PREFIX]`: one level, printed page by page as the pages arrive.
pub async fn ls(files: &AwsFiles, profile: &str, at: &str, opts: Opts) -> Result<u8, Failure> {
    let at = location(at)?;
    let opened = open(files, profile, opts, false).await?;
    let client = opened.broker.s3(&opened.target, &opened.outcome.session)?;
    let prefix = at.as_prefix();
    let mut token = None;
    let mut out = io::stdout().lock();
    loop {
        let page = s3::list_page(&client, &at, token).await?;
        let mut text = String::new();
        for p in &page.prefixes {
            let name = p.strip_prefix(prefix.as_str()).unwrap_or(p);
            text.push_str(&format!("{:>30} {}\n", "PRE", display_safe(name)));
        }
        for o in &page.objects {
            let name = o.key.strip_prefix(prefix.as_str()).unwrap_or(&o.key);
            let when = o.modified.map_or_else(
                || " ".repeat(19),
                |t| {
                    humantime::format_rfc3339_seconds(t)
                        .to_string()
                        .replace('T', " ")
                        .trim_end_matches('Z')
                        .to_owned()
                },
            );
            text.push_str(&format!("{when} {:>10} {}\n", o.size, display_safe(name)));
        }
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(0),
            Err(e) => return Err(Failure::config(format!("cannot write: {e}"))),
            Ok(()) => {}
        }
        match page.next {
            Some(t) => token = Some(t),
            None => return Ok(0),
        }
    }
}

/// `s3 get PROFILE s3://BUCKET/KEY [DEST]`: DEST may be a directory (the key's file name is
/// used) or a new file; an existing file is never replaced.
pub async fn get(
    files: &AwsFiles,
    profile: &str,
    at: &str,
    dest: Option<PathBuf>,
    opts: Opts,
) -> Result<u8, Failure> {
    let at = location(at)?;
    if at.key.is_empty() || at.key.ends_with('/') {
        return Err(Failure::config(format!(
            "{} names a prefix, not an object",
            display_safe(&at.to_string())
        )));
    }
    let dest = match dest {
        Some(d) if d.is_dir() => d.join(local_name(&at.key).map_err(Failure::config)?),
        Some(d) => d,
        None => PathBuf::from(local_name(&at.key).map_err(Failure::config)?),
    };
    let opened = open(files, profile, opts, false).await?;
    let client = opened.broker.s3(&opened.target, &opened.outcome.session)?;
    let bar = io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let bytes = s3::download(&client, &at, &dest, |done, total| {
        if let Some(bar) = &bar {
            if let Some(t) = total {
                bar.set_length(t);
            }
            bar.set_position(done);
        }
    })
    .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let bytes = bytes?;
    let _ = writeln!(
        io::stderr(),
        "{} → {} ({})",
        display_safe(&at.to_string()),
        display_safe(&dest.display().to_string()),
        crate::domain::s3_path::human_size(bytes)
    );
    Ok(0)
}
