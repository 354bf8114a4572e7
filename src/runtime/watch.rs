//! Reloading the AWS files when they change while the TUI runs: both paths are looked at once a
//! second (a `stat` each: no watcher thread, nothing held open), and a change of size, time or
//! file reads them again in the background. A file that cannot be read keeps the old profiles.

use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::Msg;
use crate::config::AwsFiles;
use crate::domain::text::display_safe;

/// How often the files are looked at.
const EVERY: Duration = Duration::from_secs(1);

/// What identifies a file's version: its inode, size and modification time (in nanoseconds).
type Stamp = Option<(u64, u64, i64, i64)>;

fn stamp(path: &std::path::Path) -> Stamp {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
}

/// Watches `files`; sends [`Msg::Reloaded`] after each change.
pub fn spawn(files: AwsFiles, tx: mpsc::UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let stamps = |f: &AwsFiles| (stamp(&f.config), stamp(&f.credentials));
        let mut seen = stamps(&files);
        loop {
            tokio::time::sleep(EVERY).await;
            let now = stamps(&files);
            if now == seen {
                continue;
            }
            // An editor may write in several steps: read once the file has stayed the same
            // for a moment.
            tokio::time::sleep(Duration::from_millis(150)).await;
            let settled = stamps(&files);
            if settled != now {
                continue;
            }
            seen = settled;
            let f = files.clone();
            let loaded = tokio::task::spawn_blocking(move || f.load()).await;
            let msg = match loaded {
                Ok(Ok(l)) => Msg::Reloaded(Ok(Arc::new(l.set))),
                Ok(Err(e)) => Msg::Reloaded(Err(display_safe(&e.to_string()).into_owned())),
                Err(e) => Msg::Reloaded(Err(e.to_string())),
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    })
}
