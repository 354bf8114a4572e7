//! The macOS keychain, through the `keyring` crate (one generic-password item per profile,
//! service `xrole-tui`): built on macOS only; elsewhere each call says to choose another store.

use super::KeystoreError;
use crate::domain::keystore::StoredKeys;
#[cfg(target_os = "macos")]
use zeroize::Zeroizing;

#[cfg(target_os = "macos")]
fn entry(profile: &str) -> Result<keyring::Entry, KeystoreError> {
    keyring::Entry::new("xrole-tui", profile)
        .map_err(|e| KeystoreError::Unavailable(format!("the macOS keychain: {e}")))
}

#[cfg(target_os = "macos")]
pub(super) fn get(profile: &str) -> Result<Option<StoredKeys>, KeystoreError> {
    match entry(profile)?.get_password() {
        Ok(json) => serde_json::from_str(&json).map(Some).map_err(|_| {
            KeystoreError::Corrupt(format!(
                "the keychain item of {profile:?} is not one this tool wrote"
            ))
        }),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeystoreError::Unavailable(format!(
            "the macOS keychain: {e}"
        ))),
    }
}

#[cfg(target_os = "macos")]
pub(super) fn put(profile: &str, keys: &StoredKeys) -> Result<(), KeystoreError> {
    let json = Zeroizing::new(serde_json::to_string(keys).unwrap_or_default());
    entry(profile)?
        .set_password(&json)
        .map_err(|e| KeystoreError::Unavailable(format!("the macOS keychain: {e}")))
}

#[cfg(target_os = "macos")]
pub(super) fn remove(profile: &str) -> Result<bool, KeystoreError> {
    match entry(profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(KeystoreError::Unavailable(format!(
            "the macOS keychain: {e}"
        ))),
    }
}

#[cfg(not(target_os = "macos"))]
pub(super) fn get(_: &str) -> Result<Option<StoredKeys>, KeystoreError> {
    Err(no_keychain())
}

#[cfg(not(target_os = "macos"))]
pub(super) fn put(_: &str, _: &StoredKeys) -> Result<(), KeystoreError> {
    Err(no_keychain())
}

#[cfg(not(target_os = "macos"))]
pub(super) fn remove(_: &str) -> Result<bool, KeystoreError> {
    Err(no_keychain())
}

#[cfg(not(target_os = "macos"))]
fn no_keychain() -> KeystoreError {
    KeystoreError::Unavailable(
        "the keychain key store exists only on macOS; use secret-service or file (XROLE_KEYSTORE)"
            .into(),
    )
}
