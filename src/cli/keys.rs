//! `keys import|list|remove|export|unlock|rotate`: long-term keys in a key store instead of
//! `~/.aws/credentials`.

use std::io::{IsTerminal, Write};

use clap::Subcommand;

use super::complete::profile_names;
use super::Failure;
use crate::config::AwsFiles;
use crate::domain::keystore::Backend;
use crate::domain::text::display_safe;
use crate::flows::keys;
use crate::keystore::{AskPassphrase, Keystore};

/// The `keys` commands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Move a profile's long-term keys from the credentials file into the key store. The
    /// section keeps everything else and gets `credential_process = xrole-tui credential-process
    /// PROFILE`, so the AWS CLI and the SDKs keep working; nothing is changed if a step fails.
    #[command(
        after_help = "The store: --store, else XROLE_KEYSTORE, else the keychain (macOS), the Secret\nService (a desktop session), or the encrypted file (headless, WSL, CI; its passphrase is\nasked, or XROLE_KEYSTORE_PASSPHRASE, and held 15 minutes in the kernel's keyring)."
    )]
    Import {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// secret-service, keychain or file.
        #[arg(long, value_name = "STORE")]
        store: Option<String>,
    },
    /// The profiles whose keys are stored, with the store and access key id (never a secret).
    List,
    /// Forget a profile's stored keys (asks first).
    Remove {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Put a profile's keys back into the credentials file, in plain text (asks first).
    Export {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// A new access key for an imported user: made, stored, checked, and only then the old one
    /// deleted; when a step fails the old key stays. Refused when the user has two keys already.
    Rotate {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Ask the file store's passphrase once and hold its key for 15 minutes
    /// (XROLE_KEYSTORE_HOLD seconds), for the TUI and served shells, which cannot ask.
    Unlock,
}

/// Runs a `keys` command.
pub async fn run(files: &AwsFiles, command: KeysCommand) -> Result<u8, Failure> {
    let set = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?
        .set;
    let mut ask = crate::keystore::passphrase_source();
    match command {
        KeysCommand::Import { profile, store } => {
            let backend = match store {
                Some(s) => Backend::parse(&s).map_err(Failure::config)?,
                None => keys::backend_for(&set, &profile)?,
            };
            let store = Keystore::new(backend)?;
            let done = keys::import(files, &set, &profile, &store, &mut ask).await?;
            eprintln!(
                "xrole-tui: the keys of profile {} ({}) are in the {} key store now; {} has a credential_process line in their place",
                display_safe(&profile),
                display_safe(&done.access_key_id),
                done.backend,
                display_safe(&done.file.display().to_string())
            );
            Ok(0)
        }
        KeysCommand::List => list(&set).await,
        KeysCommand::Remove { profile, yes } => {
            let store = Keystore::new(keys::backend_for(&set, &profile)?)?;
            confirm(yes, &format!("Forget the stored keys of profile {}? The profile cannot sign in until they are imported again.", display_safe(&profile)))?;
            let had = store.remove(&profile, &mut ask).await?;
            eprintln!(
                "xrole-tui: {} in the {} key store",
                if had {
                    "removed the keys"
                } else {
                    "there were no keys"
                },
                store.backend()
            );
            Ok(0)
        }
        KeysCommand::Export { profile, yes } => {
            let store = Keystore::new(keys::backend_for(&set, &profile)?)?;
            confirm(yes, &format!("Put the keys of profile {} back into the credentials file in plain text? Any program of yours, a backup or a sync tool can then read them; the key store keeps them encrypted.", display_safe(&profile)))?;
            let path = keys::export(files, &profile, &store, &mut ask).await?;
            eprintln!(
                "xrole-tui: the keys of profile {} are back in {}, and gone from the {} key store",
                display_safe(&profile),
                display_safe(&path.display().to_string()),
                store.backend()
            );
            Ok(0)
        }
        KeysCommand::Rotate { profile, yes } => rotate(&set, &profile, yes, &mut ask).await,
        KeysCommand::Unlock => {
            let store = Keystore::new(Backend::File)?;
            let n = store.unlock(&mut ask).await?;
            eprintln!("xrole-tui: the file key store ({n} profiles) is unlocked for this user for a while");
            Ok(0)
        }
    }
}

/// `keys rotate PROFILE`.
async fn rotate(
    set: &crate::domain::ProfileSet,
    profile: &str,
    yes: bool,
    ask: &mut AskPassphrase,
) -> Result<u8, Failure> {
    let profile = profile.to_owned();
    let store = Keystore::new(keys::backend_for(set, &profile)?)?;
    confirm(yes, &format!("Make a new access key for profile {}'s user and delete the old one once the new one works?", display_safe(&profile)))?;
    let broker = crate::aws::broker::Broker::from_env(false).map_err(Failure::config)?;
    let mut mfa = super::mfa::HeadlessMfa {
        prefer_terminal: true,
    };
    let done = crate::flows::rotate::rotate(set, &profile, &store, ask, &broker, &mut mfa).await?;
    if let Some(w) = &done.warning {
        eprintln!("xrole-tui: warning: {}", display_safe(w));
    }
    eprintln!(
        "xrole-tui: user {} now signs in with {} (stored in the {} key store); {} is deleted, and {} cached session{} of it forgotten",
        display_safe(&done.user),
        display_safe(&done.new_id),
        store.backend(),
        display_safe(&done.old_id),
        done.forgotten,
        if done.forgotten == 1 { "" } else { "s" }
    );
    Ok(0)
}

/// Every store's profiles.
async fn list(set: &crate::domain::ProfileSet) -> Result<u8, Failure> {
    let broker = crate::aws::broker::Broker::from_env(false).map_err(Failure::config)?;
    let mut any = false;
    for backend in [Backend::File, Backend::SecretService, Backend::Keychain] {
        if backend == Backend::Keychain && !cfg!(target_os = "macos") {
            continue;
        }
        let store = Keystore::new(backend)?;
        match store.list().await {
            Ok(found) => {
                for (profile, l) in found {
                    any = true;
                    // The key's own age, as IAM reports it, when the store opens without asking.
                    let made = keys::created(set, &profile, &store, &broker).await;
                    let made =
                        made.map_or(String::new(), |m| format!("\tmade {}", display_safe(&m)));
                    let _ = writeln!(
                        std::io::stdout().lock(),
                        "{}\t{}\t{}\tstored {}{made}",
                        display_safe(&profile),
                        backend,
                        display_safe(&l.access_key_id),
                        display_safe(&l.added)
                    );
                }
            }
            // A desktop store that is not running here is not an error of `list`.
            Err(e) if backend == Backend::SecretService => {
                let _ = e;
            }
            Err(e) => return Err(crate::aws::error::AuthError::from(e).into()),
        }
    }
    if !any {
        eprintln!("xrole-tui: no keys are stored; `xrole-tui keys import PROFILE` moves a profile's keys in");
    }
    Ok(0)
}

/// Asks `question` on the terminal unless `yes`; without a terminal, `--yes` is needed.
fn confirm(yes: bool, question: &str) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::config(format!(
            "{question} Run again with --yes to confirm."
        )));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::config("nothing was changed"))
    }
}

impl From<crate::keystore::KeystoreError> for Failure {
    fn from(e: crate::keystore::KeystoreError) -> Self {
        crate::aws::error::AuthError::from(e).into()
    }
}
