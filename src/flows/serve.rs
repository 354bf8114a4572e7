//! Serving a child: `exec`'s command and the TUI's role shell. The child gets the session
//! through a credential endpoint (or, for `--static`, `xrole_credentials = static` or when no
//! endpoint can be made, as keys in its environment) and runs until it ends.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use super::open::Opened;
use crate::config::{AwsFiles, RawFiles};
use crate::domain::shell_env;
use crate::serve::endpoint::Reporter;
use crate::serve::served_child::ServedChild;

/// What to run, and how.
pub struct Child<'a> {
    /// The command and its arguments; empty for `$SHELL`.
    pub command: &'a [OsString],
    /// Where it starts; `Some` also follows its working directory while it runs.
    pub dir: Option<&'a Path>,
    /// Keys in the environment instead of an endpoint (`exec --static`).
    pub static_keys: bool,
}

/// How the child ended.
pub struct Ran {
    /// Its status, or why it could not run.
    pub status: Result<ExitStatus, String>,
    /// The last working directory seen (with [`Child::dir`]).
    pub ended_in: Option<PathBuf>,
}

/// Runs `child` served with `opened`'s session. `files` are the AWS files the profile came
/// from; `raw` is their text when already read (the private copies are made from it, then it
/// is wiped). Notes and the endpoint's trouble go to `report`; `started` is called once the
/// child's environment is ready, just before it starts (the role shell's banner).
pub async fn serve(
    opened: Opened,
    files: &AwsFiles,
    raw: Option<RawFiles>,
    child: Child<'_>,
    report: Reporter,
    started: impl FnOnce(),
) -> Ran {
    let Opened {
        session,
        target,
        broker,
        ..
    } = opened;
    let mut raw = raw;
    let region = target.region.clone();
    let stored_root = match &target.plan.source {
        crate::domain::Source::Stored { profile, backend } => {
            crate::domain::keystore::Backend::parse(backend)
                .ok()
                .map(|b| (profile.clone(), b))
        }
        _ => None,
    };
    let served = if child.static_keys || target.static_credentials {
        None
    } else {
        let start = ServedChild::start(broker, target, &session, files, raw.take(), report.clone());
        match start.await {
            Ok(s) => Some(s),
            Err(why) => {
                report(format!(
                    "note: the keys go in the environment instead of an endpoint: {why}"
                ));
                None
            }
        }
    };
    if let (Some(_), Some((profile, backend))) = (&served, &stored_root) {
        // Renewals past the passphrase hold read these (see `keystore::keep_for_renewal`).
        if let Err(why) = crate::keystore::keep_for_renewal(profile, *backend).await {
            report(format!(
                "note: the key store's keys could not be kept for renewals ({why}); once the store locks again, the role is renewed only while its MFA session lasts"
            ));
        }
    }
    if let Some((mut config, mut credentials)) = raw.take() {
        // Not needed for copies after all: the keys in them are wiped now.
        zeroize::Zeroize::zeroize(&mut config);
        zeroize::Zeroize::zeroize(&mut credentials);
    }
    let delivery = served
        .as_ref()
        .map_or(shell_env::Delivery::Static, ServedChild::delivery);
    let env = shell_env::child_env(std::env::vars_os(), &session, region.as_deref(), delivery);
    started();
    let (status, ended_in) = crate::serve::child::run_in(env, child.command, child.dir).await;
    if let Some(s) = served {
        s.finish();
    }
    Ran { status, ended_in }
}
