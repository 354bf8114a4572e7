//! Starting the TUI, for the TUI itself and for `pick`: the files are read, the broker made and
//! the screen run. The screen is passed in (`runtime::Terminal`), so that the command line
//! never depends on the TUI's loop.

use std::sync::Arc;

use crate::aws::broker::Broker;
use crate::config::AwsFiles;
use crate::domain::session::Session;
use crate::domain::text::display_safe;
use crate::domain::{ProfileSet, Target};

/// What the TUI is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The TUI: Enter opens a role shell.
    Tui,
    /// `pick`: Enter ends the TUI with the session.
    Pick,
}

/// How the TUI ended.
#[derive(Debug)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// A signal ended it (its number).
    Signal(i32),
    /// `pick`: a profile was chosen, with its session.
    Picked(Box<(Session, Arc<Target>)>),
}

/// What the TUI starts with.
pub struct Start {
    /// The profiles, read once.
    pub set: Arc<ProfileSet>,
    /// The profile selected first.
    pub preselect: Option<String>,
    /// Opens sessions (shared with every process through the cache).
    pub broker: Broker,
    /// Where the profiles came from (watched for changes, copied for served children).
    pub files: AwsFiles,
    /// TUI or picker.
    pub mode: Mode,
}

/// A screen that runs the TUI until it ends.
pub trait Screen {
    /// Runs it; an `Err` is a terminal error.
    fn run(&self, start: Start) -> std::io::Result<Exit>;
}

/// The profile selected first.
#[derive(Debug, Clone, Default)]
pub struct Preselect {
    /// Named on the command line: a name that is no profile is an error, with the closest
    /// name, said before the screen changes.
    pub named: Option<String>,
    /// From the environment (`AWS_PROFILE`, `XROLE_PROFILE`): selected when it is a profile.
    pub remembered: Option<String>,
}

/// Reads `files` and runs the TUI on `screen` in `mode`. A broken file, a bad setting or a
/// named profile that does not exist is said before the screen changes.
pub fn start(
    files: &AwsFiles,
    preselect: Preselect,
    no_cache: bool,
    mode: Mode,
    screen: &dyn Screen,
) -> Result<Exit, String> {
    let loaded = files
        .load()
        .map_err(|e| display_safe(&e.to_string()).into_owned())?;
    if let Some(name) = &preselect.named {
        if loaded.set.index_of(name).is_none() {
            let hint = loaded.set.closest_name(name).map_or_else(String::new, |s| {
                format!("; did you mean {:?}?", display_safe(s))
            });
            return Err(format!(
                "there is no profile {:?}{hint}",
                display_safe(name)
            ));
        }
    }
    let preselect = preselect.named.or(preselect.remembered);
    let broker = Broker::from_env(no_cache)?;
    screen
        .run(Start {
            set: Arc::new(loaded.set),
            preselect,
            broker,
            files: files.clone(),
            mode,
        })
        .map_err(|e| format!("terminal error: {e}"))
}
