//! The S3 browser's keys: one table for moving through a listing (also drawn as the pane's
//! legend and on the help screen), and the line editor in the modes that take text.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::input::{Edit, LineInput};
use super::s3::{Ask, Browser, Entry, Mode};
use crate::domain::s3_path::S3Location;
use crate::domain::text::display_safe;

/// What a key of the listing does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move by rows (`isize::MIN / 2`: first).
    Move(isize),
    /// The last key, loading every page.
    Last,
    /// Open a bucket or folder; preview an object.
    Enter,
    /// Up one level.
    Up,
    /// Filter what is loaded.
    Filter,
    /// Open a bucket by name.
    Bucket,
    /// Download the object or folder.
    Download,
    /// `HeadObject` on the object.
    Details,
    /// Open the S3 console here.
    Console,
    /// Copy the selected entry's `s3://` URI.
    Copy,
    /// Copy the selected entry's ARN.
    CopyArn,
    /// Authenticate again after an expiry.
    Reauthenticate,
    /// Close the preview, else the browser.
    Back,
}

/// One key of the listing: keys, how the legend names them, what they do.
pub struct Binding {
    /// The keys.
    pub keys: &'static [KeyCode],
    /// Their name in the legend.
    pub label: &'static str,
    /// What they do.
    pub action: Action,
    /// The help screen's words.
    pub help: &'static str,
    /// The pane's legend word, for the keys it names.
    pub short: Option<&'static str>,
}

/// The listing's keys.
pub const KEYS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑ k",
        action: Action::Move(-1),
        help: "up",
        short: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓ j",
        action: Action::Move(1),
        help: "down",
        short: None,
    },
    Binding {
        keys: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::Move(-10),
        help: "page up",
        short: None,
    },
    Binding {
        keys: &[KeyCode::PageDown],
        label: "PgDn",
        action: Action::Move(10),
        help: "page down",
        short: None,
    },
    Binding {
        keys: &[KeyCode::Home, KeyCode::Char('g')],
        label: "g",
        action: Action::Move(isize::MIN / 2),
        help: "first",
        short: Some("first"),
    },
    Binding {
        keys: &[KeyCode::End, KeyCode::Char('G')],
        label: "G",
        action: Action::Last,
        help: "last (loads every page)",
        short: Some("last"),
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Enter,
        help: "open / preview",
        short: Some("open"),
    },
    Binding {
        keys: &[KeyCode::Backspace],
        label: "Backspace",
        action: Action::Up,
        help: "up a level",
        short: Some("up"),
    },
    Binding {
        keys: &[KeyCode::Char('d')],
        label: "d",
        action: Action::Download,
        help: "download (a folder: all of it)",
        short: Some("download"),
    },
    Binding {
        keys: &[KeyCode::Char('i')],
        label: "i",
        action: Action::Details,
        help: "details (HeadObject)",
        short: Some("details"),
    },
    Binding {
        keys: &[KeyCode::Char('o')],
        label: "o",
        action: Action::Console,
        help: "open in the S3 console",
        short: Some("console"),
    },
    Binding {
        keys: &[KeyCode::Char('y')],
        label: "y",
        action: Action::Copy,
        help: "copy the s3:// URI of the selection (else of here)",
        short: None,
    },
    Binding {
        keys: &[KeyCode::Char('Y')],
        label: "Y",
        action: Action::CopyArn,
        help: "copy the ARN of the selection (else of here)",
        short: None,
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        label: "/",
        action: Action::Filter,
        help: "filter what is loaded",
        short: Some("filter"),
    },
    Binding {
        keys: &[KeyCode::Char('b')],
        label: "b",
        action: Action::Bucket,
        help: "open a bucket by name",
        short: Some("bucket"),
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        label: "r",
        action: Action::Reauthenticate,
        help: "authenticate again (after an expiry)",
        short: None,
    },
    Binding {
        keys: &[KeyCode::Esc, KeyCode::Char('q')],
        label: "Esc",
        action: Action::Back,
        help: "close the preview, else back to the profiles",
        short: Some("back"),
    },
];

impl Browser {
    /// Handles a key; returns what IO is needed.
    pub fn key(&mut self, key: KeyEvent) -> Ask {
        match &mut self.mode {
            Mode::DownloadTo { at, dir } => {
                if key.code == KeyCode::Tab {
                    return Ask::Complete(dir.text().to_owned());
                }
                match dir.key(key) {
                    Edit::Cancel => self.mode = Mode::Browse,
                    Edit::Submit => {
                        let (at, dir) = (at.clone(), PathBuf::from(dir.text()));
                        // Remembered for the next download of this session.
                        self.download_dir = dir.clone();
                        self.mode = Mode::Browse;
                        return Ask::Download(at, dir, false);
                    }
                    Edit::Changed | Edit::Refused | Edit::Other => {}
                }
                Ask::Nothing
            }
            Mode::CreateDir { at, typed, .. } => {
                let (at, typed) = (at.clone(), typed.clone());
                self.mode = Mode::Browse;
                if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                    return Ask::Download(at, typed, true);
                }
                Ask::Nothing
            }
            Mode::Bucket(name) => {
                match name.key(key) {
                    Edit::Cancel => self.mode = Mode::Browse,
                    Edit::Submit => match S3Location::parse(name.text()) {
                        Ok(at) => {
                            self.mode = Mode::Browse;
                            return self.go(at);
                        }
                        Err(e) => self.error = Some(display_safe(&e).into_owned()),
                    },
                    Edit::Changed | Edit::Refused | Edit::Other => {}
                }
                Ask::Nothing
            }
            Mode::Filter => {
                let mut field = LineInput::with_text(&self.filter);
                match field.key(key) {
                    Edit::Cancel => {
                        self.mode = Mode::Browse;
                        self.filter.clear();
                    }
                    Edit::Submit => self.mode = Mode::Browse,
                    Edit::Changed => self.filter = field.text().to_owned(),
                    Edit::Refused | Edit::Other => return Ask::Nothing,
                }
                self.refilter();
                Ask::Nothing
            }
            Mode::Browse => {
                let Some(action) = KEYS.iter().find(|b| b.keys.contains(&key.code)) else {
                    return Ask::Nothing;
                };
                let ask = self.act(action.action);
                match ask {
                    Ask::Nothing if self.wants_more() => Ask::List(self.next.clone()),
                    other => other,
                }
            }
        }
    }

    fn act(&mut self, action: Action) -> Ask {
        let last = self.visible.len().saturating_sub(1);
        if matches!(action, Action::Move(_) | Action::Last) {
            // A message is about what was there: moving on clears it (not an expiry, which
            // `r` answers).
            if !self.expired {
                self.error = None;
            }
            self.to_end = false;
        }
        match action {
            Action::Move(d) => self.selected = self.selected.saturating_add_signed(d).min(last),
            Action::Last => {
                self.selected = last;
                if self.next.is_some() && self.filter.is_empty() {
                    self.to_end = true;
                    if self.loading.is_none() {
                        return Ask::List(self.next.clone());
                    }
                }
            }
            Action::Enter => return self.enter(),
            Action::Up => return self.up(),
            Action::Filter => self.mode = Mode::Filter,
            Action::Bucket => self.mode = Mode::Bucket(LineInput::new()),
            Action::Reauthenticate if self.error.is_some() && self.expired => {
                return Ask::Reauthenticate;
            }
            Action::Reauthenticate => {}
            Action::Back if self.preview.is_some() => self.preview = None,
            Action::Back => return Ask::Close,
            Action::Details => {
                if let (Some(Entry::Object(o)), Some(at)) = (self.selected_entry(), &self.at) {
                    return Ask::Head(S3Location {
                        bucket: at.bucket.clone(),
                        key: o.key.clone(),
                    });
                }
            }
            Action::Console => {
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
            Action::Copy => return self.copy(false),
            Action::CopyArn => return self.copy(true),
            Action::Download => {
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
                    let dir = LineInput::with_text(&self.download_dir.display().to_string());
                    self.mode = Mode::DownloadTo { at, dir };
                }
            }
        }
        Ask::Nothing
    }

    /// `y`: the selection's `s3://` URI; `Y` (`arn`): its ARN, in the profile's partition.
    fn copy(&self, arn: bool) -> Ask {
        let Some(uri) = self.selected_uri() else {
            return Ask::Nothing;
        };
        if !arn {
            return Ask::Copy(uri);
        }
        let partition = crate::domain::console::partition_of(&self.target.plan)
            .map_or("aws", crate::domain::console::Partition::arn_name);
        let path = uri.trim_start_matches("s3://");
        Ask::Copy(format!("arn:{partition}:s3:::{path}"))
    }

    /// The `s3://` URI of the selected entry (an object, a folder, a bucket), else of here.
    fn selected_uri(&self) -> Option<String> {
        match (self.selected_entry(), &self.at) {
            (Some(Entry::Object(o)), Some(at)) => Some(format!("s3://{}/{}", at.bucket, o.key)),
            (Some(Entry::Prefix(p)), Some(at)) => Some(format!("s3://{}/{p}", at.bucket)),
            (Some(Entry::Bucket(b)), _) => Some(format!("s3://{b}")),
            (None, Some(at)) => Some(format!("s3://{}/{}", at.bucket, at.as_prefix())),
            _ => None,
        }
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
}
