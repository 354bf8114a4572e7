//! `sso populate`: the accounts and roles the portal offers a signed-in person, as profiles in the
//! session's own block of the config file (see `domain::sso_populate`). `--diff` only says what
//! would change; `--write` keeps a backup and replaces the file atomically, and writes nothing
//! when nothing changes.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use super::SsoSpec;
use crate::aws::error::AuthError;
use crate::aws::sso::{SsoSdk, Who};
use crate::config::AwsFiles;
use crate::domain::profile::{FileKind, ProfileSet};
use crate::domain::sso_populate::{self as rules, Offered, Populated};
use crate::domain::target::SsoSettings;
use crate::domain::text::display_safe;

/// What to populate.
pub struct Request<'a> {
    /// The session.
    pub spec: &'a SsoSpec,
    /// The name template (`{account_name}-{role}`).
    pub template: &'a str,
    /// The profiles' region (default: the session's `sso_region`).
    pub region: Option<&'a str>,
    /// Remove profiles whose assignment is gone.
    pub prune: bool,
    /// Write the file (else only say what would change).
    pub write: bool,
}

/// What populating did or would do.
#[derive(Debug)]
pub struct Outcome {
    /// The block made again and how it differs.
    pub populated: Populated,
    /// The config file.
    pub path: PathBuf,
    /// Whether the file would change.
    pub changes: bool,
    /// The backup, when the file was written.
    pub backup: Option<PathBuf>,
}

/// Lists what the portal offers and makes the session's block again.
pub async fn populate(
    files: &AwsFiles,
    set: &ProfileSet,
    sdk: &SsoSdk,
    req: &Request<'_>,
) -> Result<Outcome, AuthError> {
    rules::check_template(req.template).map_err(AuthError::Config)?;
    let spec = req.spec;
    let Some(session) = spec.session.as_deref() else {
        return Err(AuthError::Config(
            "sso populate needs an [sso-session]; a profile with only sso_start_url has none"
                .into(),
        ));
    };
    let settings = SsoSettings {
        start_url: Some(spec.start_url.clone()),
        region: Some(spec.region.clone()),
        session: Some(session.to_owned()),
        registration_scopes: None,
    };
    let token =
        crate::aws::sso::access_token(Who::Session(session), &settings, sdk, SystemTime::now())
            .await?;
    let offered = offered(&sdk.portal, &spec.region, &token).await?;
    let path = files.path(FileKind::Config).to_owned();
    let shown = display_safe(&path.display().to_string()).into_owned();
    let bytes = crate::config::read_small_file(&path, crate::config::MAX_FILE_BYTES)
        .map_err(|why| AuthError::LocalFile(format!("cannot read {shown}: {why}")))?
        .unwrap_or_default();
    let text = String::from_utf8(bytes).map_err(|_| {
        AuthError::LocalFile(format!("{shown} is not UTF-8 text; it is not rewritten"))
    })?;
    let block = rules::find_block(&text, session);
    let current = block
        .clone()
        .map(|r| rules::read_block(&text[r]))
        .unwrap_or_default();
    let taken = taken_outside(set, &text, block);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let populated = rules::populate(
        &rules::Request {
            session,
            template: req.template,
            region: req.region.unwrap_or(&spec.region),
            prune: req.prune,
            newline,
        },
        &offered,
        &current,
        &taken,
    );
    let new = rules::splice(&text, session, &populated.text, newline);
    let changes = new != text;
    let backup = if req.write && changes {
        crate::config::rewrite_user_file(&path, text.as_bytes(), new.as_bytes(), true)
            .map_err(|e| AuthError::LocalFile(format!("cannot write {shown}: {e}")))?
    } else {
        None
    };
    Ok(Outcome {
        populated,
        path,
        changes,
        backup,
    })
}

/// Every account and role the portal offers the token's person, one row each.
pub async fn offered(
    portal: &aws_config::SdkConfig,
    region: &str,
    token: &str,
) -> Result<Vec<Offered>, AuthError> {
    Ok(crate::aws::sso_portal::assignments(portal, region, token)
        .await?
        .into_iter()
        .flat_map(|a| {
            a.roles.into_iter().map(move |role| Offered {
                account_id: a.account_id.clone(),
                account_name: a.account_name.clone(),
                role,
            })
        })
        .collect())
}

/// One line for a person: what was written (or would be), and where.
pub fn summary(done: &Outcome) -> String {
    let p = &done.populated;
    let file = display_safe(&done.path.display().to_string()).into_owned();
    let counts = format!(
        "{} to add, {} to remove, {} no longer offered and kept, {} unchanged",
        p.added.len(),
        p.removed.len(),
        p.stale.len(),
        p.kept
    );
    match (&done.backup, done.changes) {
        (Some(backup), _) => format!(
            "wrote {file}: {counts}; the file as it was is in {}",
            display_safe(&backup.display().to_string())
        ),
        (None, false) => format!("{file} is up to date: {counts}"),
        (None, true) => format!("{counts}; run with --write to change {file}"),
    }
}

/// Profile names defined anywhere but inside the block (the credentials file, other blocks,
/// the user's own sections): a populated profile never takes one of them.
fn taken_outside(
    set: &ProfileSet,
    text: &str,
    block: Option<std::ops::Range<usize>>,
) -> HashSet<String> {
    let lines = block.map(|r| {
        let first = text[..r.start].matches('\n').count() + 1;
        let last = first + text[r].matches('\n').count();
        first..last
    });
    set.profiles()
        .iter()
        .filter(|p| {
            let inside = match (&lines, p.config_line) {
                (Some(range), Some(line)) => range.contains(&(line as usize)),
                _ => false,
            };
            !inside || p.credentials_line.is_some()
        })
        .map(|p| p.name.clone())
        .collect()
}
