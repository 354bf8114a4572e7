//! The stored keys a serving process keeps for its child. A served shell lives for hours, and
//! its role is renewed every hour or so from the root's keys; past the passphrase hold (15
//! minutes) the file store is locked, and the serving process cannot ask: it has no terminal
//! of its own while the child has it. So when a child is served, the process reads its root's
//! keys once more (without asking) and keeps them in its memory, as a credential server holds
//! its master keys, for as long as it serves. They are never written anywhere, never reach the
//! child, and are used only when the store can no longer be opened without asking.

use std::sync::Mutex;

use super::{AskPassphrase, Keystore};
use crate::domain::keystore::{Backend, StoredKeys};

/// Keys kept, by backend and profile. Only serving processes fill it.
static KEPT: Mutex<Vec<(Backend, String, StoredKeys)>> = Mutex::new(Vec::new());

/// Keeps `profile`'s keys from the `backend` store for this process's later renewals. It never
/// asks: the store was opened a moment before, with a held key, the environment's passphrase
/// or an unlocked desktop store. Says why not when it cannot.
pub async fn keep_for_renewal(profile: &str, backend: Backend) -> Result<(), String> {
    let store = Keystore::new(backend).map_err(|e| e.to_string())?;
    let keys = store
        .read(profile, &mut AskPassphrase::without_prompt())
        .await
        .map_err(|e| e.to_string())?;
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.retain(|(b, p, _)| !(*b == backend && p == profile));
    kept.push((backend, profile.to_owned(), keys));
    Ok(())
}

/// The keys kept for `profile`, if this process keeps them.
pub(super) fn get(backend: Backend, profile: &str) -> Option<StoredKeys> {
    let kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.iter()
        .find(|(b, p, _)| *b == backend && p == profile)
        .map(|(_, _, keys)| keys.clone())
}

/// Replaces kept keys by what the store holds now (a rotation in another process).
pub(super) fn refresh(backend: Backend, profile: &str, keys: &StoredKeys) {
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(slot) = kept
        .iter_mut()
        .find(|(b, p, _)| *b == backend && p == profile)
    {
        slot.2 = keys.clone();
    }
}
