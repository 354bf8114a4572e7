//! The S3 browser's state: bucket choice, one level of a listing loaded page by page, preview,
//! download. Pure, like the rest of the app: IO goes out as effects and comes back as messages.

use std::path::PathBuf;

use super::input::LineInput;
use super::{Effect, RequestId};
use crate::aws::s3::{Object, Page};
use crate::domain::s3_path::{local_name, S3Location};
use crate::domain::session::Session;
use crate::domain::text::display_safe;
use crate::domain::Target;
use std::sync::Arc;

/// Load the next page when the selection comes this close to the end of what is loaded.
pub(super) const PREFETCH: usize = 20;

/// One line of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A bucket to open (the bucket choice).
    Bucket(String),
    /// A "folder".
    Prefix(String),
    /// An object.
    Object(Object),
}

/// What the preview pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// The first bytes of a text object, made safe to draw.
    Text {
        /// The key.
        key: String,
        /// Lines.
        lines: Vec<String>,
        /// True when the object is longer than what was fetched.
        truncated: bool,
    },
    /// Not text: not shown.
    Binary {
        /// The key.
        key: String,
        /// Its size.
        size: u64,
    },
}

/// A download running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The request.
    pub req: RequestId,
    /// The object, or the folder (a key ending in `/`).
    pub at: S3Location,
    /// Bytes so far.
    pub done: u64,
    /// Bytes in all, when known.
    pub total: Option<u64>,
    /// A folder download: files finished and files in all.
    pub files: Option<(usize, usize)>,
}

/// What keys go to: one mode at a time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Moving through the listing.
    #[default]
    Browse,
    /// Typing the filter over what is loaded.
    Filter,
    /// Typing a bucket name (the vendor case: no `ListBuckets`).
    Bucket(LineInput),
    /// Choosing where a download goes.
    DownloadTo {
        /// The object, or the folder.
        at: S3Location,
        /// The directory.
        dir: LineInput,
    },
    /// The download's directory does not exist: make it?
    CreateDir {
        /// The object, or the folder.
        at: S3Location,
        /// The directory as typed.
        typed: PathBuf,
        /// The directory, expanded.
        dir: PathBuf,
    },
}

/// The browser.
#[derive(Debug, Clone)]
pub struct Browser {
    /// The role's credentials.
    pub session: Session,
    /// The profile they belong to.
    pub target: Arc<Target>,
    /// Where we are; `None` while choosing a bucket.
    pub at: Option<S3Location>,
    /// What is loaded at this level.
    pub entries: Vec<Entry>,
    /// Shown entries (indices into `entries`), after the filter.
    pub(super) visible: Vec<usize>,
    /// The selection among the shown entries.
    pub selected: usize,
    /// The filter over what is loaded.
    pub filter: String,
    /// What keys go to.
    pub mode: Mode,
    /// The token of the next page, when there is one.
    pub next: Option<String>,
    /// The listing request in flight.
    pub loading: Option<RequestId>,
    /// The preview request in flight.
    pub previewing: Option<RequestId>,
    /// The preview.
    pub preview: Option<Preview>,
    /// The download running, if any.
    pub download: Option<Download>,
    /// The last error, in place.
    pub error: Option<String>,
    /// True when that error says the credentials expired (`r` authenticates again).
    pub expired: bool,
    /// Where downloads go by default: the last directory chosen.
    pub download_dir: PathBuf,
    /// `HeadObject` of an object (`i`): its key and the answer, or why not.
    pub head: Option<(String, Result<crate::aws::s3::ObjectHead, String>)>,
    /// The `HeadObject` request in flight.
    pub heading: Option<RequestId>,
    /// End (or `G`) was pressed with more pages to come: each page moves the selection to its
    /// end and asks for the next, until the last.
    pub to_end: bool,
}

/// What the browser asks of the app (it owns the request counter).
pub enum Ask {
    /// Nothing.
    Nothing,
    /// List the page `token` of the current location.
    List(Option<String>),
    /// `ListBuckets`.
    Buckets,
    /// Preview this object.
    Preview(S3Location),
    /// Download this object into this directory (as typed), making it when `true`.
    Download(S3Location, PathBuf, bool),
    /// Complete the download prompt's path.
    Complete(String),
    /// Close the browser.
    Close,
    /// Authenticate the role again (its credentials expired).
    Reauthenticate,
    /// Open the S3 console here (`s3://bucket/prefix` or an object).
    Console(String),
    /// `HeadObject` on this object.
    Head(S3Location),
    /// Copy this text (an `s3://` URI).
    Copy(String),
}

impl Browser {
    /// A browser in `session`'s role, offering the profile's bookmarks.
    pub fn new(session: Session, target: Arc<Target>, download_dir: PathBuf) -> Self {
        let entries: Vec<Entry> = target
            .bookmarks
            .iter()
            .filter_map(|b| b.as_ref().ok())
            .map(|(b, p)| {
                Entry::Bucket(if p.is_empty() {
                    b.clone()
                } else {
                    format!("{b}/{p}")
                })
            })
            .collect();
        let visible = (0..entries.len()).collect();
        Self {
            session,
            target,
            expired: false,
            at: None,
            entries,
            visible,
            selected: 0,
            filter: String::new(),
            mode: Mode::Browse,
            next: None,
            loading: None,
            previewing: None,
            preview: None,
            download: None,
            error: None,
            download_dir,
            head: None,
            heading: None,
            to_end: false,
        }
    }

    /// The selected entry.
    pub fn selected(&self) -> Option<&Entry> {
        self.selected_entry()
    }

    /// The shown entries.
    pub fn visible(&self) -> impl ExactSizeIterator<Item = &Entry> + '_ {
        self.visible.iter().map(|&i| &self.entries[i])
    }

    pub(super) fn selected_entry(&self) -> Option<&Entry> {
        self.visible.get(self.selected).map(|&i| &self.entries[i])
    }

    pub(super) fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        self.visible = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| needle.is_empty() || label(e).to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// Goes to `at`: clears the level and asks for its first page.
    pub(crate) fn go(&mut self, at: S3Location) -> Ask {
        self.at = Some(at);
        self.entries.clear();
        self.visible.clear();
        self.selected = 0;
        self.filter.clear();
        self.next = None;
        self.preview = None;
        self.error = None;
        self.to_end = false;
        Ask::List(None)
    }

    /// A page arrived: prefixes first, then objects, appended to what is loaded.
    pub fn page_listed(&mut self, page: Page) {
        self.loading = None;
        self.next = page.next;
        // Keep "folders first" across pages: new prefixes go before the first object.
        let first_object = self
            .entries
            .iter()
            .position(|e| matches!(e, Entry::Object(_)))
            .unwrap_or(self.entries.len());
        let prefixes = page.prefixes.into_iter().map(Entry::Prefix);
        self.entries.splice(first_object..first_object, prefixes);
        self.entries
            .extend(page.objects.into_iter().map(Entry::Object));
        self.refilter();
        if self.to_end {
            self.selected = self.visible.len().saturating_sub(1);
            self.to_end = self.next.is_some();
        }
    }

    /// Buckets from `ListBuckets`, added to the bookmarks.
    pub fn buckets_listed(&mut self, buckets: Vec<String>) {
        for b in buckets {
            if !self
                .entries
                .iter()
                .any(|e| matches!(e, Entry::Bucket(x) if *x == b))
            {
                self.entries.push(Entry::Bucket(b));
            }
        }
        self.refilter();
    }

    /// Whether the selection is near the end of what is loaded and more exists.
    pub(super) fn wants_more(&self) -> bool {
        self.next.is_some()
            && self.loading.is_none()
            && self.filter.is_empty()
            && self.selected + PREFETCH >= self.visible.len()
    }

    /// The breadcrumb: `bucket › a › b`.
    pub fn breadcrumb(&self) -> String {
        match &self.at {
            None => "choose a bucket".into(),
            Some(at) => {
                let mut parts = vec![display_safe(&at.bucket).into_owned()];
                parts.extend(
                    at.key
                        .split('/')
                        .filter(|p| !p.is_empty())
                        .map(|p| display_safe(p).into_owned()),
                );
                parts.join(" › ")
            }
        }
    }

    /// Position of the selection and number of shown entries.
    pub fn position(&self) -> (usize, usize) {
        (self.selected, self.visible.len())
    }
}

/// The text of an entry (relative to the current prefix for prefixes and objects).
pub fn label(e: &Entry) -> String {
    match e {
        Entry::Bucket(b) => b.clone(),
        Entry::Prefix(p) => {
            let trimmed = p.trim_end_matches('/');
            format!("{}/", trimmed.rsplit('/').next().unwrap_or(trimmed))
        }
        Entry::Object(o) => o.key.rsplit('/').next().unwrap_or(&o.key).to_owned(),
    }
}

/// Turns fetched bytes into a preview: binary (a NUL, or mostly not text) is not shown; text is
/// split into lines with control characters escaped.
pub fn preview_of(key: &str, bytes: &[u8], total: u64) -> Preview {
    let text = String::from_utf8_lossy(bytes);
    let odd = text
        .chars()
        .filter(|c| *c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
        .count();
    if bytes.contains(&0) || odd * 10 > text.chars().count().max(1) {
        return Preview::Binary {
            key: key.to_owned(),
            size: total,
        };
    }
    Preview::Text {
        key: key.to_owned(),
        lines: text
            .lines()
            .take(2000)
            .map(|l| display_safe(&l.replace('\t', "    ")).into_owned())
            .collect(),
        truncated: total > bytes.len() as u64,
    }
}

/// The download's effect, once its directory is chosen.
pub fn download_effect(
    req: RequestId,
    session: &Session,
    target: &Arc<Target>,
    at: S3Location,
    dir: PathBuf,
    create: bool,
) -> Result<Effect, String> {
    if at.key.ends_with('/') {
        // A folder: into a directory named after it, inside the one chosen.
        let name = local_name(at.key.trim_end_matches('/'))?;
        return Ok(Effect::S3DownloadTree {
            req,
            session: session.clone(),
            target: Arc::clone(target),
            at,
            dir: dir.join(name),
            create,
        });
    }
    let name = local_name(&at.key)?;
    Ok(Effect::S3Download {
        req,
        session: session.clone(),
        target: Arc::clone(target),
        at,
        dest: dir.join(name),
        create,
    })
}
