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
    let client = opened.broker.s3(&opened.target, &opened.session)?;
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
        return get_folder(files, profile, &at, dest, opts).await;
    }
    if dest.as_deref() == Some(std::path::Path::new("-")) {
        return get_to_stdout(files, profile, &at, opts).await;
    }
    let dest = match dest {
        Some(d) if d.is_dir() => d.join(local_name(&at.key).map_err(Failure::config)?),
        Some(d) => d,
        None => PathBuf::from(local_name(&at.key).map_err(Failure::config)?),
    };
    let opened = open(files, profile, opts, false).await?;
    let client = opened.broker.s3(&opened.target, &opened.session)?;
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

/// `s3 get PROFILE s3://BUCKET/KEY -`: the object on standard output.
async fn get_to_stdout(
    files: &AwsFiles,
    profile: &str,
    at: &S3Location,
    opts: Opts,
) -> Result<u8, Failure> {
    let opened = open(files, profile, opts, false).await?;
    let client = opened.broker.s3(&opened.target, &opened.session)?;
    let mut out = io::stdout().lock();
    let done = s3::stream(&client, at, |chunk| out.write_all(chunk), |_, _| {}).await;
    match done {
        Ok(_) => out.flush().map(|()| 0).or_else(|e| broken_pipe_is_fine(&e)),
        Err(s3::Streamed::Remote(e)) => Err(e.into()),
        Err(s3::Streamed::Local(e)) => broken_pipe_is_fine(&e),
    }
}

/// A reader that stops early (`| head`) is not an error.
fn broken_pipe_is_fine(e: &io::Error) -> Result<u8, Failure> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(0)
    } else {
        Err(Failure::config(format!(
            "cannot write to standard output: {}",
            s3::os_text(e)
        )))
    }
}

/// `s3 get PROFILE s3://BUCKET/PREFIX/ [DIR]`: every object under the prefix, into DIR (default:
/// a directory named after the prefix's last part), as `aws s3 cp --recursive` lays them out.
async fn get_folder(
    files: &AwsFiles,
    profile: &str,
    at: &S3Location,
    dest: Option<PathBuf>,
    opts: Opts,
) -> Result<u8, Failure> {
    let dir = match dest {
        Some(d) => d,
        None => {
            let last = at
                .key
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let name = if last.is_empty() {
                at.bucket.as_str()
            } else {
                last
            };
            PathBuf::from(local_name(name).map_err(Failure::config)?)
        }
    };
    let opened = open(files, profile, opts, false).await?;
    let client = opened.broker.s3(&opened.target, &opened.session)?;
    let bar = io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let result = crate::aws::s3_tree::download_tree(&client, at, &dir, |p| {
        if let Some(bar) = &bar {
            bar.set_length(p.bytes);
            bar.set_position(p.bytes_done);
            bar.set_message(format!("{} of {} files", p.files_done, p.files));
        }
    })
    .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let done = result?;
    let _ = writeln!(
        io::stderr(),
        "{} → {} ({} files, {})",
        display_safe(&at.to_string()),
        display_safe(&dir.display().to_string()),
        done.files_done,
        crate::domain::s3_path::human_size(done.bytes_done)
    );
    Ok(0)
}
