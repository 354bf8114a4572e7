//! The file store's derived key, held in the kernel's user keyring (keyutils) for a bounded time,
//! so that one passphrase serves every process of the user for a while. The kernel drops it at
//! the timeout; nothing is written to disk. Elsewhere than Linux nothing is held.

use std::path::Path;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// How long the key is held: `XROLE_KEYSTORE_HOLD` seconds (0: not at all), default 15 minutes.
fn hold_secs() -> u64 {
    std::env::var("XROLE_KEYSTORE_HOLD")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(15 * 60)
        .min(24 * 3600)
}

/// The description of the held key of the store at `file`.
pub fn name(file: &Path) -> String {
    let digest = Sha256::digest(file.to_string_lossy().as_bytes());
    format!(
        "xrole-tui:keystore:{}",
        crate::domain::text::hex(&digest[..8])
    )
}

#[cfg(target_os = "linux")]
pub fn get(name: &str) -> Option<Zeroizing<[u8; 32]>> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    if hold_secs() == 0 {
        return None;
    }
    let ring = KeyRing::from_special_id(KeyRingIdentifier::User, false).ok()?;
    let key = ring.search(name).ok()?;
    let mut out = Zeroizing::new([0u8; 32]);
    match key.read(&mut *out) {
        Ok(32) => Some(out),
        _ => None,
    }
}

#[cfg(target_os = "linux")]
pub fn put(name: &str, key: &[u8; 32]) {
    use linux_keyutils::{KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};
    let secs = hold_secs();
    if secs == 0 {
        return;
    }
    let Ok(ring) = KeyRing::from_special_id(KeyRingIdentifier::User, false) else {
        return;
    };
    if let Ok(k) = ring.add_key(name, key) {
        // This user's processes may read it; nobody else's.
        let perms = KeyPermissionsBuilder::builder()
            .posessor(Permission::ALL)
            .user(Permission::ALL)
            .build();
        let _ = k.set_perms(perms);
        let _ = k.set_timeout(usize::try_from(secs).unwrap_or(900));
    }
}

#[cfg(not(target_os = "linux"))]
pub fn get(_: &str) -> Option<Zeroizing<[u8; 32]>> {
    let _ = hold_secs;
    None
}

#[cfg(not(target_os = "linux"))]
pub fn put(_: &str, _: &[u8; 32]) {}
