//! The S3 browser's state: bucket choice, one level of a listing loaded page by page, preview,
//! download. Pure, like the rest of the app: IO goes out as effects and comes back as messages.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::input::{Edit, LineInput};
use super::{Effect, RequestId};
use crate::aws::s3::{Object, Page};
use crate::domain::s3_path::{local_name, S3Location};
use crate::domain::session::Session;
use crate::domain::text::display_safe;
use crate::domain::Target;
use std::sync::Arc;

/// Load the next page when the selection comes this close to the end of what is loaded.
const PREFETCH: usize = 20;

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

/// A download in progress or asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    /// Asking where to: the directory being typed.
    Choosing {
        /// The object.
        at: S3Location,
        /// The directory (editable).
        dir: LineInput,
    },
    /// Running.
    Running {
        /// The request.
        req: RequestId,
        /// The object.
        at: S3Location,
        /// Bytes so far.
        done: u64,
        /// Bytes in all, when known.
        total: Option<u64>,
        /// A folder download: files finished and files in all.
        files: Option<(usize, usize)>,
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
    visible: Vec<usize>,
    /// The selection among the shown entries.
    pub selected: usize,
    /// The filter over what is loaded.
    pub filter: String,
    /// True while keys go to the filter.
    pub filtering: bool,
    /// A bucket name being typed (the vendor case: no `ListBuckets`).
    pub typing_bucket: Option<LineInput>,
    /// The token of the next page, when there is one.
    pub next: Option<String>,
    /// The listing request in flight.
    pub loading: Option<RequestId>,
    /// The preview request in flight.
    pub previewing: Option<RequestId>,
    /// The preview.
    pub preview: Option<Preview>,
    /// The download.
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
    /// Download this object into this directory.
    Download(S3Location, PathBuf),
    /// Close the browser.
    Close,
    /// Authenticate the role again (its credentials expired).
    Reauthenticate,
    /// Open the S3 console here (`s3://bucket/prefix` or an object).
    Console(String),
    /// `HeadObject` on this object.
    Head(S3Location),
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
            filtering: false,
            typing_bucket: None,
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

    fn selected_entry(&self) -> Option<&Entry> {
        self.visible.get(self.selected).map(|&i| &self.entries[i])
    }

    fn refilter(&mut self) {
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
    fn wants_more(&self) -> bool {
        self.next.is_some()
            && self.loading.is_none()
            && self.filter.is_empty()
            && self.selected + PREFETCH >= self.visible.len()
    }

    /// Handles a key; returns what IO is needed.
    pub fn key(&mut self, key: KeyEvent) -> Ask {
        if let Some(Download::Choosing { at, dir }) = &mut self.download {
            match dir.key(key) {
                Edit::Cancel => self.download = None,
                Edit::Submit => {
                    let (at, dir) = (at.clone(), PathBuf::from(dir.text()));
                    // Remembered for the next download of this session.
                    self.download_dir = dir.clone();
                    return Ask::Download(at, dir);
                }
                Edit::Changed | Edit::Refused | Edit::Other => {}
            }
            return Ask::Nothing;
        }
        if let Some(name) = &mut self.typing_bucket {
            match name.key(key) {
                Edit::Cancel => self.typing_bucket = None,
                Edit::Submit => match S3Location::parse(name.text()) {
                    Ok(at) => {
                        self.typing_bucket = None;
                        return self.go(at);
                    }
                    Err(e) => self.error = Some(display_safe(&e).into_owned()),
                },
                Edit::Changed | Edit::Refused | Edit::Other => {}
            }
            return Ask::Nothing;
        }
        if self.filtering {
            let mut field = LineInput::with_text(&self.filter);
            match field.key(key) {
                Edit::Cancel => {
                    self.filtering = false;
                    self.filter.clear();
                }
                Edit::Submit => self.filtering = false,
                Edit::Changed => self.filter = field.text().to_owned(),
                Edit::Refused | Edit::Other => return Ask::Nothing,
            }
            self.refilter();
            return Ask::Nothing;
        }
        let last = self.visible.len().saturating_sub(1);
        let moves = matches!(
            key.code,
            KeyCode::Up
                | KeyCode::Down
                | KeyCode::PageUp
                | KeyCode::PageDown
                | KeyCode::Home
                | KeyCode::End
                | KeyCode::Char('k' | 'j' | 'g' | 'G')
        );
        // A message is about what was there: moving on clears it (not an expiry, which `r`
        // answers).
        if moves && !self.expired {
            self.error = None;
        }
        if moves {
            self.to_end = false;
        }
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::PageDown => self.selected = (self.selected + 10).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => {
                self.selected = last;
                if self.next.is_some() && self.filter.is_empty() {
                    self.to_end = true;
                    if self.loading.is_none() {
                        return Ask::List(self.next.clone());
                    }
                }
            }
            KeyCode::Char('i') => {
                if let (Some(Entry::Object(o)), Some(at)) = (self.selected_entry(), &self.at) {
                    return Ask::Head(S3Location {
                        bucket: at.bucket.clone(),
                        key: o.key.clone(),
                    });
                }
            }
            KeyCode::Char('/') => self.filtering = true,
            KeyCode::Char('b') => self.typing_bucket = Some(LineInput::new()),
            KeyCode::Char('r') if self.error.is_some() && self.expired => {
                return Ask::Reauthenticate;
            }
            KeyCode::Esc if self.preview.is_some() => self.preview = None,
            KeyCode::Esc | KeyCode::Char('q') => return Ask::Close,
            KeyCode::Backspace => return self.up(),
            KeyCode::Enter => return self.enter(),
            KeyCode::Char('o') => {
                // The selected object, else the current bucket and prefix.
                let here = match (self.selected_entry(), &self.at) {
                    (Some(Entry::Object(o)), Some(at)) => {
                        Some(format!("s3://{}/{}", at.bucket, o.key))
                    }
                    (_, Some(at)) => Some(format!("s3://{}/{}", at.bucket, at.as_prefix())),
                    (Some(Entry::Bucket(b)), None) => Some(format!("s3://{b}")),
                    _ => None,
                };
                if let Some(here) = here {
                    return Ask::Console(here);
                }
            }
            KeyCode::Char('d') => {
                // An object, or a folder with everything under it.
                let key = match self.selected_entry() {
                    Some(Entry::Object(o)) => Some(o.key.clone()),
                    Some(Entry::Prefix(p)) => Some(p.clone()),
                    _ => None,
                };
                if let (Some(key), Some(at)) = (key, &self.at) {
                    let at = S3Location {
                        bucket: at.bucket.clone(),
                        key,
                    };
                    self.download = Some(Download::Choosing {
                        at,
                        dir: LineInput::with_text(&self.download_dir.display().to_string()),
                    });
                }
            }
            _ => {}
        }
        if self.wants_more() {
            return Ask::List(self.next.clone());
        }
        Ask::Nothing
    }

    fn enter(&mut self) -> Ask {
        let Some(entry) = self.selected_entry().cloned() else {
            return Ask::Nothing;
        };
        match (entry, &self.at) {
            (Entry::Bucket(b), _) => match S3Location::parse(&b) {
                Ok(at) => self.go(at),
                Err(e) => {
                    self.error = Some(e);
                    Ask::Nothing
                }
            },
            (Entry::Prefix(p), Some(at)) => {
                let next = S3Location {
                    bucket: at.bucket.clone(),
                    key: p,
                };
                self.go(next)
            }
            (Entry::Object(o), Some(at)) => Ask::Preview(S3Location {
                bucket: at.bucket.clone(),
                key: o.key,
            }),
            _ => Ask::Nothing,
        }
    }

    fn up(&mut self) -> Ask {
        let Some(at) = self.at.clone() else {
            return Ask::Nothing;
        };
        let trimmed = at.key.trim_end_matches('/');
        if trimmed.is_empty() {
            return Ask::Nothing; // the top of the bucket
        }
        let parent = trimmed
            .rfind('/')
            .map_or(String::new(), |i| trimmed[..=i].to_owned());
        self.go(S3Location {
            bucket: at.bucket,
            key: parent,
        })
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
        });
    }
    let name = local_name(&at.key)?;
    Ok(Effect::S3Download {
        req,
        session: session.clone(),
        target: Arc::clone(target),
        at,
        dest: dir.join(name),
    })
}
