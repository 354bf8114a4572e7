//! The key store: long-term keys in the desktop's Secret Service, the macOS keychain, or the
//! encrypted file (`domain::keystore`), chosen by `XROLE_KEYSTORE` or the profile's
//! `xrole_keystore`. Every wait is bounded: a store that does not answer, is locked, missing or
//! corrupt gives an error naming the backend and what to do, never a hang.
//!
//! The file's key is derived from a passphrase asked once; on Linux it is then held in the
//! kernel's user keyring for a bounded time (15 minutes by default, `XROLE_KEYSTORE_HOLD`), so
//! that the many processes of a session (served shells, `credential-process` calls) do not each
//! ask. The passphrase itself is never kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::domain::keystore::{Backend, Kdf, Listed, SealedFile, StoredKeys, WRONG_PASSPHRASE};
use crate::domain::session::rfc3339;

mod hold;
mod kept;
mod keychain;
mod secret_service;

pub use kept::keep_for_renewal;

/// The largest store file read.
const MAX_FILE: u64 = 4 * 1024 * 1024;
/// The longest wait for an OS key store.
pub const WAIT: Duration = Duration::from_secs(10);

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The passphrase is wrong (or none could be asked).
    #[error("{0}")]
    Passphrase(String),
    /// The store is there but cannot be used now: locked, not answering, not running.
    #[error("{0}")]
    Unavailable(String),
    /// Nothing is stored for the profile.
    #[error("{0}")]
    Missing(String),
    /// The store's content is not what this tool wrote.
    #[error("{0}")]
    Corrupt(String),
}

/// Where the passphrase of the file comes from: the terminal, `XROLE_KEYSTORE_PASSPHRASE`, or
/// nobody (a served child's renewal, which then relies on the held key).
pub trait Passphrase: Send {
    /// The passphrase, for `why` (said to a person); `new` asks for one to set.
    fn passphrase(&mut self, why: &str, new: bool) -> Result<Zeroizing<String>, String>;
}

/// Whether this process may ask for the passphrase on its terminal: the commands may; the TUI
/// (whose screen a prompt would break) and a served child's renewals may not.
static TERMINAL_PROMPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets this process ask for the passphrase on its terminal (or stops it).
pub fn allow_terminal_prompt(on: bool) {
    TERMINAL_PROMPT.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Where the engine gets the passphrase: [`AskPassphrase`], at the terminal when this process
/// may ask there.
pub fn passphrase_source() -> AskPassphrase {
    AskPassphrase {
        terminal: TERMINAL_PROMPT.load(std::sync::atomic::Ordering::Relaxed),
    }
}

/// The passphrase from `XROLE_KEYSTORE_PASSPHRASE`, else from the terminal when `terminal` is
/// set (twice for a new store), else none: then only a key held from an earlier unlock opens
/// the store.
pub struct AskPassphrase {
    /// Whether the terminal may be asked.
    pub terminal: bool,
}

impl AskPassphrase {
    /// Never asks a person: the environment's passphrase or a held key, or nothing.
    pub fn without_prompt() -> Self {
        Self { terminal: false }
    }
}

impl Passphrase for AskPassphrase {
    fn passphrase(&mut self, why: &str, new: bool) -> Result<Zeroizing<String>, String> {
        if let Some(p) = std::env::var_os("XROLE_KEYSTORE_PASSPHRASE").filter(|p| !p.is_empty()) {
            return Ok(Zeroizing::new(p.to_string_lossy().into_owned()));
        }
        if !self.terminal {
            return Err("the key store is locked and no passphrase can be asked here; run `xrole-tui keys unlock` in a terminal (it holds the key for 15 minutes), or set XROLE_KEYSTORE_PASSPHRASE".into());
        }
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| format!("no passphrase could be asked ({e}); set XROLE_KEYSTORE_PASSPHRASE or run at a terminal"))
        };
        let first = ask(&format!("xrole-tui: passphrase of the key store ({why}): "))?;
        if new {
            let again = ask("xrole-tui: the same passphrase again: ")?;
            if *again != *first {
                return Err("the two passphrases differ; nothing was stored".into());
            }
            if first.chars().count() < 8 {
                return Err("a passphrase of at least 8 characters, please".into());
            }
        }
        Ok(first)
    }
}

/// The file store, opened: what it lists, its keys, and the key and settings that seal it.
struct Opened {
    index: BTreeMap<String, Listed>,
    entries: BTreeMap<String, StoredKeys>,
    key: Zeroizing<[u8; 32]>,
    kdf: Kdf,
}

/// One backend of the store.
pub struct Keystore {
    backend: Backend,
    file: PathBuf,
}

impl Keystore {
    /// The store `backend`, with the file in the state directory.
    pub fn new(backend: Backend) -> Result<Self, KeystoreError> {
        let file = crate::config::state_dir()
            .map(|d| d.join("keys.json"))
            .ok_or_else(|| {
                KeystoreError::Unavailable(
                    "HOME is not set, so the key store file cannot be found".into(),
                )
            })?;
        Ok(Self { backend, file })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the file store is.
    pub fn file(&self) -> &std::path::Path {
        &self.file
    }

    /// The keys of `profile`. A serving process falls back on the keys it kept when it
    /// started its child (see [`keep_for_renewal`]) when the store is locked by then.
    pub async fn get(
        &self,
        profile: &str,
        ask: &mut dyn Passphrase,
    ) -> Result<StoredKeys, KeystoreError> {
        match self.read(profile, ask).await {
            Ok(keys) => {
                kept::refresh(self.backend, profile, &keys);
                Ok(keys)
            }
            Err(KeystoreError::Passphrase(why)) => {
                kept::get(self.backend, profile).ok_or(KeystoreError::Passphrase(why))
            }
            Err(e) => Err(e),
        }
    }

    async fn read(
        &self,
        profile: &str,
        ask: &mut dyn Passphrase,
    ) -> Result<StoredKeys, KeystoreError> {
        let found = match self.backend {
            Backend::File => {
                let o = self.open_file(ask, "to read the keys of a profile").await?;
                o.entries.get(profile).cloned()
            }
            Backend::SecretService => secret_service::get(profile).await?,
            Backend::Keychain => keychain::get(profile)?,
        };
        found.ok_or_else(|| {
            KeystoreError::Missing(format!(
                "the {} key store holds no keys for profile {profile:?}; run `xrole-tui keys import {profile}` (or put them back in ~/.aws/credentials)",
                self.backend
            ))
        })
    }

    /// Stores `keys` for `profile`, replacing what was there.
    pub async fn put(
        &self,
        profile: &str,
        keys: &StoredKeys,
        ask: &mut dyn Passphrase,
    ) -> Result<(), KeystoreError> {
        match self.backend {
            Backend::File => {
                let mut o = self.open_file(ask, "to store keys").await?;
                o.index.insert(
                    profile.to_owned(),
                    Listed {
                        access_key_id: keys.access_key_id.clone(),
                        added: rfc3339(SystemTime::now()),
                    },
                );
                o.entries.insert(profile.to_owned(), keys.clone());
                self.write_file(&o)
            }
            Backend::SecretService => secret_service::put(profile, keys).await,
            Backend::Keychain => keychain::put(profile, keys),
        }
    }

    /// Removes `profile`'s keys; false when there were none.
    pub async fn remove(
        &self,
        profile: &str,
        ask: &mut dyn Passphrase,
    ) -> Result<bool, KeystoreError> {
        match self.backend {
            Backend::File => {
                let mut o = self.open_file(ask, "to remove keys").await?;
                let had = o.entries.remove(profile).is_some();
                o.index.remove(profile);
                if had {
                    self.write_file(&o)?;
                }
                Ok(had)
            }
            Backend::SecretService => secret_service::remove(profile).await,
            Backend::Keychain => keychain::remove(profile),
        }
    }

    /// Asks the file store's passphrase and holds its key (`keys unlock`); gives how many
    /// profiles it holds.
    pub async fn unlock(&self, ask: &mut dyn Passphrase) -> Result<usize, KeystoreError> {
        if self.read_file()?.is_none() {
            return Err(KeystoreError::Missing(format!(
                "there is no key store file ({}); `xrole-tui keys import PROFILE --store file` makes it",
                self.file.display()
            )));
        }
        let o = self.open_file(ask, "to unlock it").await?;
        hold::put(&hold::name(&self.file), &o.key);
        Ok(o.entries.len())
    }

    /// The profiles stored and their access key ids (no secret, no passphrase).
    pub async fn list(&self) -> Result<BTreeMap<String, Listed>, KeystoreError> {
        match self.backend {
            Backend::File => Ok(self.read_file()?.map(|f| f.index).unwrap_or_default()),
            Backend::SecretService => secret_service::list().await,
            Backend::Keychain => Ok(BTreeMap::new()),
        }
    }

    fn read_file(&self) -> Result<Option<SealedFile>, KeystoreError> {
        let shown = self.file.display().to_string();
        let Some(bytes) =
            crate::config::read_private(&self.file, MAX_FILE).map_err(KeystoreError::Corrupt)?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            KeystoreError::Corrupt(format!(
                "the key store file {shown} is not one this tool wrote ({e}); it was left as it is"
            ))
        })
    }

    /// The file's index, keys and derived key (a new store when there is no file yet).
    async fn open_file(
        &self,
        ask: &mut dyn Passphrase,
        why: &str,
    ) -> Result<Opened, KeystoreError> {
        let shown = self.file.display().to_string();
        let Some(file) = self.read_file()? else {
            let salt: [u8; 16] = random()?;
            let kdf = Kdf::new(&salt);
            let pass = ask
                .passphrase(&format!("a new store in {shown}, {why}"), true)
                .map_err(KeystoreError::Passphrase)?;
            let key = derive(&kdf, &pass).await?;
            return Ok(Opened {
                index: BTreeMap::new(),
                entries: BTreeMap::new(),
                key,
                kdf,
            });
        };
        let hold_name = hold::name(&self.file);
        if let Some(key) = hold::get(&hold_name) {
            if let Ok(entries) = file.open(&key) {
                return Ok(Opened {
                    index: file.index,
                    entries,
                    key,
                    kdf: file.kdf,
                });
            }
        }
        let pass = ask
            .passphrase(&format!("{shown}, {why}"), false)
            .map_err(KeystoreError::Passphrase)?;
        let key = derive(&file.kdf, &pass).await?;
        let entries = file.open(&key).map_err(|e| {
            if e == WRONG_PASSPHRASE {
                KeystoreError::Passphrase(format!("the key store {shown}: {e}"))
            } else {
                KeystoreError::Corrupt(format!("the key store {shown}: {e}"))
            }
        })?;
        hold::put(&hold_name, &key);
        Ok(Opened {
            index: file.index,
            entries,
            key,
            kdf: file.kdf,
        })
    }

    /// Seals `o` again with a fresh nonce, under the same key and settings.
    fn write_file(&self, o: &Opened) -> Result<(), KeystoreError> {
        let sealed = SealedFile::seal(
            &o.key,
            o.kdf.clone(),
            o.index.clone(),
            &o.entries,
            &random()?,
        )
        .map_err(KeystoreError::Corrupt)?;
        let bytes = Zeroizing::new(serde_json::to_vec_pretty(&sealed).unwrap_or_default());
        if let Some(dir) = self.file.parent() {
            crate::config::ensure_private_dir(dir)
                .map_err(|e| KeystoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        crate::config::write_private(&self.file, &bytes).map_err(|e| {
            KeystoreError::Unavailable(format!(
                "cannot write the key store {}: {e}",
                self.file.display()
            ))
        })?;
        hold::put(&hold::name(&self.file), &o.key);
        Ok(())
    }
}

/// Argon2id on a blocking thread (it takes a few hundred milliseconds and 64 MiB).
async fn derive(kdf: &Kdf, pass: &str) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let (kdf, pass) = (kdf.clone(), Zeroizing::new(pass.to_owned()));
    tokio::task::spawn_blocking(move || kdf.derive(&pass))
        .await
        .map_err(|e| {
            KeystoreError::Unavailable(format!("the key derivation did not finish ({e})"))
        })?
        .map_err(KeystoreError::Corrupt)
}

fn random<const N: usize>() -> Result<[u8; N], KeystoreError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| KeystoreError::Unavailable(format!("no randomness ({e})")))?;
    Ok(b)
}
