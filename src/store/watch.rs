//! Following the store's directories. A change is reported once per burst (an atomic replace
//! is several file events), within [`SETTLE`] of the last event of the burst. Where no watch
//! can be set (no inotify left, a file system without events), the directories are rescanned
//! every [`RESCAN`] instead, and the same changes come out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Change, Dirs};

/// Events closer together than this are one change.
const SETTLE: Duration = Duration::from_millis(60);
/// How often the directories are rescanned when they cannot be watched.
const RESCAN: Duration = Duration::from_secs(2);

/// A running watch; stopped when dropped.
pub struct Watch {
    _watcher: Option<notify::RecommendedWatcher>,
    task: JoinHandle<()>,
    /// True when the directories are rescanned instead of watched.
    pub polling: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a file event in `dirs` means, if anything: temporary files, locks and the digests of
/// used MFA codes are not sessions.
fn classify(dirs: &Dirs, path: &Path, removed: bool) -> Option<Change> {
    let name = path.file_name()?.to_str()?;
    if name.starts_with('.') {
        return None;
    }
    let parent = path.parent()?;
    if dirs.cache.as_deref() == Some(parent) {
        return name.ends_with(".json").then_some(if removed {
            Change::Forgotten
        } else {
            Change::Opened
        });
    }
    if dirs.state.as_deref() == Some(parent) {
        return matches!(name, "usage.json" | "download-dir").then_some(Change::Used);
    }
    if dirs.sso.as_deref() == Some(parent) {
        return name.ends_with(".json").then_some(Change::SsoToken);
    }
    None
}

/// Watches `dirs` (the cache and state directories are made, 0700, when missing) and calls
/// `on_change` for each change, from a task of the current Tokio runtime.
pub fn watch(dirs: &Dirs, on_change: impl Fn(Change) + Send + Sync + 'static) -> Watch {
    let on_change = Arc::new(on_change);
    for dir in [&dirs.cache, &dirs.state].into_iter().flatten() {
        let _ = crate::config::ensure_private_dir(dir);
    }
    let (tx, rx) = mpsc::unbounded_channel::<Change>();
    let mine = dirs.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let removed = matches!(event.kind, EventKind::Remove(_))
            || matches!(
                event.kind,
                EventKind::Modify(notify::event::ModifyKind::Name(
                    notify::event::RenameMode::From
                ))
            );
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in &event.paths {
            if let Some(change) = classify(&mine, path, removed) {
                let _ = tx.send(change);
            }
        }
    });
    let watched = watcher.ok().and_then(|mut w| {
        let mut any = false;
        for dir in [&dirs.cache, &dirs.state, &dirs.sso].into_iter().flatten() {
            any |= w.watch(dir, RecursiveMode::NonRecursive).is_ok();
        }
        any.then_some(w)
    });
    let polling = watched.is_none();
    let task = if polling {
        tokio::spawn(rescan(dirs.clone(), on_change))
    } else {
        tokio::spawn(settle(rx, on_change))
    };
    Watch {
        _watcher: watched,
        task,
        polling,
    }
}

/// Passes changes on, one per burst.
async fn settle(
    mut rx: mpsc::UnboundedReceiver<Change>,
    on_change: Arc<dyn Fn(Change) + Send + Sync>,
) {
    while let Some(first) = rx.recv().await {
        let mut burst = BTreeSet::from([first]);
        loop {
            match tokio::time::timeout(SETTLE, rx.recv()).await {
                Ok(Some(more)) => {
                    burst.insert(more);
                }
                Ok(None) => return,
                Err(_) => break,
            }
        }
        for change in burst {
            on_change(change);
        }
    }
}

/// A directory's entries, by name: modification time and length.
type Listing = BTreeMap<PathBuf, (SystemTime, u64)>;

fn list(dir: &Path) -> Listing {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((e.path(), (meta.modified().ok()?, meta.len())))
        })
        .collect()
}

/// The fallback: the same changes from a rescan every [`RESCAN`].
async fn rescan(dirs: Dirs, on_change: Arc<dyn Fn(Change) + Send + Sync>) {
    let all: Vec<PathBuf> = [dirs.cache.clone(), dirs.state.clone(), dirs.sso.clone()]
        .into_iter()
        .flatten()
        .collect();
    let mut before: Vec<Listing> = all.iter().map(|d| list(d)).collect();
    loop {
        tokio::time::sleep(RESCAN).await;
        let mut burst = BTreeSet::new();
        for (dir, old) in all.iter().zip(before.iter_mut()) {
            let now = list(dir);
            for (path, stamp) in &now {
                if old.get(path) != Some(stamp) {
                    burst.extend(classify(&dirs, path, false));
                }
            }
            for path in old.keys().filter(|p| !now.contains_key(*p)) {
                burst.extend(classify(&dirs, path, true));
            }
            *old = now;
        }
        for change in burst {
            on_change(change);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_events_mean_what_the_store_holds() {
        let dirs = Dirs {
            cache: Some("/c".into()),
            state: Some("/s".into()),
            sso: Some("/t".into()),
        };
        let c = |p: &str, removed| classify(&dirs, Path::new(p), removed);
        assert_eq!(c("/c/ab12.json", false), Some(Change::Opened));
        assert_eq!(c("/c/ab12.json", true), Some(Change::Forgotten));
        assert_eq!(c("/c/.tmp-x1", false), None);
        assert_eq!(c("/c/ab12.lock", false), None);
        assert_eq!(c("/c/ab12.used", false), None);
        assert_eq!(c("/s/usage.json", false), Some(Change::Used));
        assert_eq!(c("/s/other", false), None);
        assert_eq!(c("/t/0f.json", false), Some(Change::SsoToken));
        assert_eq!(c("/elsewhere/a.json", false), None);
    }
}
