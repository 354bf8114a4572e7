//! Long-term keys off the disk: `keys import` moves a profile's keys from the credentials file
//! into the key store, `keys export` puts them back, `keys remove` forgets them, `keys list` says
//! what is stored. The credentials file is rewritten atomically, only in the profile's section,
//! and never backed up with the keys in it; when a step fails, the keys stay where they were.

use std::path::PathBuf;

use crate::aws::error::AuthError;
use crate::config::AwsFiles;
use crate::domain::keystore::{Backend, StoredKeys};
use crate::domain::profile::{FileKind, Key, ProfileSet};
use crate::domain::text::display_safe;
use crate::keystore::{Keystore, Passphrase};

/// The store a profile's keys are in: its `xrole_keystore`, else `XROLE_KEYSTORE`, else the
/// platform's default.
pub fn backend_for(set: &ProfileSet, profile: &str) -> Result<Backend, AuthError> {
    let named = set
        .get(profile)
        .and_then(|p| p.get(Key::XroleKeystore))
        .map(str::to_owned)
        .or_else(|| {
            std::env::var("XROLE_KEYSTORE")
                .ok()
                .filter(|v| !v.trim().is_empty())
        });
    match named {
        Some(n) => Backend::parse(&n).map_err(AuthError::Config),
        None => Ok(Backend::default_for(
            cfg!(target_os = "macos"),
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty()),
        )),
    }
}

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// Where the keys went.
    pub backend: Backend,
    /// Their access key id.
    pub access_key_id: String,
    /// The credentials file rewritten.
    pub file: PathBuf,
}

/// How this program is named in the `credential_process` line: `xrole-tui` when that is what
/// `PATH` finds, else its full path.
pub fn program_name() -> String {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("xrole-tui"))
            .find(|c| c.is_file())
            .and_then(|c| c.canonicalize().ok())
    });
    match (me, on_path) {
        (Some(me), Some(found)) if me == found => "xrole-tui".into(),
        (Some(me), _) => me.display().to_string(),
        _ => "xrole-tui".into(),
    }
}

/// Moves `profile`'s keys from the credentials file into `store`.
pub async fn import(
    files: &AwsFiles,
    set: &ProfileSet,
    profile: &str,
    store: &Keystore,
    ask: &mut dyn Passphrase,
) -> Result<Imported, AuthError> {
    let p = set.get(profile).ok_or_else(|| {
        AuthError::Config(format!("there is no profile {:?}", display_safe(profile)))
    })?;
    let (Some(id), Some(secret)) = (p.get(Key::AwsAccessKeyId), p.get(Key::AwsSecretAccessKey))
    else {
        return Err(AuthError::Config(format!(
            "profile {:?} has no aws_access_key_id and aws_secret_access_key to import",
            display_safe(profile)
        )));
    };
    if p.get(Key::AwsSessionToken).is_some() {
        return Err(AuthError::Config(format!(
            "profile {:?} holds temporary keys (aws_session_token): only long-term keys belong in a key store",
            display_safe(profile)
        )));
    }
    if p.credentials_line.is_none() {
        return Err(AuthError::Config(format!(
            "the keys of profile {:?} are in the config file; move them to the credentials file, then import",
            display_safe(profile)
        )));
    }
    let keys = StoredKeys {
        access_key_id: id.to_owned(),
        secret_access_key: zeroize::Zeroizing::new(secret.to_owned()),
    };
    let path = files.path(FileKind::Credentials).to_owned();
    let shown = display_safe(&path.display().to_string()).into_owned();
    let old = read_user_file(&path)?;
    let lines =
        crate::domain::keys_file::store_lines(&program_name(), profile, store.backend().as_str());
    let new =
        crate::domain::keys_file::without_keys(&old, profile, &lines).map_err(AuthError::Config)?;
    // The store first: if the file cannot be rewritten, the keys are still in it.
    store.put(profile, &keys, ask).await?;
    if let Err(e) = crate::config::rewrite_user_file(&path, old.as_bytes(), new.as_bytes(), false) {
        let _ = store.remove(profile, ask).await;
        return Err(AuthError::LocalFile(format!(
            "the keys were not moved: {shown} could not be rewritten ({e}); they are still there"
        )));
    }
    Ok(Imported {
        backend: store.backend(),
        access_key_id: keys.access_key_id.clone(),
        file: path,
    })
}

/// Puts `profile`'s keys back into the credentials file, then forgets them in the store.
pub async fn export(
    files: &AwsFiles,
    profile: &str,
    store: &Keystore,
    ask: &mut dyn Passphrase,
) -> Result<PathBuf, AuthError> {
    let keys = store.get(profile, ask).await?;
    let path = files.path(FileKind::Credentials).to_owned();
    let old = read_user_file(&path)?;
    let new = crate::domain::keys_file::with_keys(
        &old,
        profile,
        &keys.access_key_id,
        &keys.secret_access_key,
    )
    .map_err(AuthError::Config)?;
    crate::config::rewrite_user_file(&path, old.as_bytes(), new.as_bytes(), false).map_err(
        |e| {
            AuthError::LocalFile(format!(
                "cannot rewrite {}: {e}",
                display_safe(&path.display().to_string())
            ))
        },
    )?;
    store.remove(profile, ask).await?;
    Ok(path)
}

/// When IAM says `profile`'s stored key was made, if the store opens without asking (a held
/// key, the environment's passphrase, an unlocked desktop store) and the key may list itself.
pub async fn created(
    set: &ProfileSet,
    profile: &str,
    store: &Keystore,
    broker: &crate::aws::broker::Broker,
) -> Option<String> {
    let target = set.target(profile).ok()?;
    let keys = store
        .get(
            profile,
            &mut crate::keystore::AskPassphrase::without_prompt(),
        )
        .await
        .ok()?;
    let creds = crate::domain::session::Credentials {
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    };
    let iam = broker.iam(&target, &creds).ok()?;
    let listed = crate::aws::access_keys::list(&iam, "").await.ok()?;
    listed
        .into_iter()
        .find(|k| k.id == keys.access_key_id)
        .and_then(|k| k.created)
}

fn read_user_file(path: &std::path::Path) -> Result<String, AuthError> {
    let shown = display_safe(&path.display().to_string()).into_owned();
    let bytes = crate::config::read_small_file(path, crate::config::MAX_FILE_BYTES)
        .map_err(|why| AuthError::LocalFile(format!("cannot read {shown}: {why}")))?
        .ok_or_else(|| AuthError::LocalFile(format!("{shown} does not exist")))?;
    String::from_utf8(bytes).map_err(|_| {
        AuthError::LocalFile(format!("{shown} is not UTF-8 text; it is not rewritten"))
    })
}
