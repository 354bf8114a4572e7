//! Long-term keys kept off the AWS files: which store holds them, and the `file` store's format.
//!
//! The file is for headless boxes, WSL and CI, where no OS keystore runs. Its keys are sealed
//! with XChaCha20-Poly1305 under a key derived from a passphrase by Argon2id (64 MiB, 3 passes):
//! a stolen file costs an attacker that much memory and time per guess. What is not secret (each
//! profile's access key id and when it was added) stays readable beside the sealed part, so
//! `keys list` needs no passphrase, and is bound to it as associated data, so it cannot be
//! changed without the seal failing.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Where long-term keys are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The desktop's Secret Service over D-Bus (GNOME Keyring, KWallet).
    SecretService,
    /// The macOS keychain.
    Keychain,
    /// An encrypted file in the state directory.
    File,
}

impl Backend {
    /// The name used in `XROLE_KEYSTORE` and `xrole_keystore`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::Keychain => "keychain",
            Backend::File => "file",
        }
    }

    /// Reads a backend's name.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name.trim() {
            "secret-service" => Ok(Backend::SecretService),
            "keychain" => Ok(Backend::Keychain),
            "file" => Ok(Backend::File),
            other => Err(format!(
                "{other:?} is not a key store; use secret-service, keychain or file"
            )),
        }
    }

    /// The store a new import goes to when none is named: the keychain on macOS, the Secret
    /// Service where a session bus is, else the file.
    pub fn default_for(macos: bool, session_bus: bool) -> Self {
        if macos {
            Backend::Keychain
        } else if session_bus {
            Backend::SecretService
        } else {
            Backend::File
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A profile's long-term keys.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredKeys {
    /// `aws_access_key_id`.
    #[serde(rename = "AccessKeyId")]
    pub access_key_id: String,
    /// `aws_secret_access_key` (wiped when dropped, never in `Debug`).
    #[serde(rename = "SecretAccessKey")]
    pub secret_access_key: Zeroizing<String>,
}

impl fmt::Debug for StoredKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .finish()
    }
}

/// The Argon2id settings and salt of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kdf {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
    /// 16 random bytes, base64.
    pub salt: String,
}

impl Kdf {
    /// The settings of a new file, with `salt`.
    pub fn new(salt: &[u8; 16]) -> Self {
        Self {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
            salt: b64().encode(salt),
        }
    }

    /// The 32-byte key of `passphrase`.
    pub fn derive(&self, passphrase: &str) -> Result<Zeroizing<[u8; 32]>, String> {
        let salt = b64()
            .decode(&self.salt)
            .map_err(|_| "its salt is not base64".to_owned())?;
        // A file asking for more than 1 GiB or 10 passes is refused: no hang, no memory blow-up.
        if self.m_kib > 1024 * 1024 || self.t > 10 || self.p > 8 {
            return Err("its key derivation settings are out of bounds".into());
        }
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| format!("its key derivation settings are invalid ({e})"))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut())
            .map_err(|e| format!("the key cannot be derived ({e})"))?;
        Ok(key)
    }
}

/// What `keys list` shows of a stored profile, readable without the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    /// The access key id.
    pub access_key_id: String,
    /// When it was stored (RFC 3339).
    pub added: String,
}

/// The file: its readable part and the sealed keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedFile {
    /// Format version (1).
    pub version: u32,
    /// How the key is derived.
    pub kdf: Kdf,
    /// Each profile's access key id and date, bound to the seal.
    pub index: BTreeMap<String, Listed>,
    /// 24 random bytes, base64.
    pub nonce: String,
    /// The sealed map of profile to keys, base64.
    pub sealed: String,
}

/// A seal that does not open: the passphrase is wrong, or the file was changed.
pub const WRONG_PASSPHRASE: &str =
    "the passphrase is wrong (or the file was changed since it was written)";

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// What is bound to the seal: the version, the settings and the readable index.
fn aad(version: u32, kdf: &Kdf, index: &BTreeMap<String, Listed>) -> Vec<u8> {
    serde_json::to_vec(&(version, kdf, index)).unwrap_or_default()
}

impl SealedFile {
    /// Seals `entries` under `key`, with the readable `index`.
    pub fn seal(
        key: &[u8; 32],
        kdf: Kdf,
        index: BTreeMap<String, Listed>,
        entries: &BTreeMap<String, StoredKeys>,
        nonce: &[u8; 24],
    ) -> Result<Self, String> {
        let plain = Zeroizing::new(serde_json::to_vec(entries).map_err(|e| e.to_string())?);
        let cipher = XChaCha20Poly1305::new(key.into());
        let aad = aad(1, &kdf, &index);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| "the keys could not be sealed".to_owned())?;
        Ok(Self {
            version: 1,
            kdf,
            index,
            nonce: b64().encode(nonce),
            sealed: b64().encode(sealed),
        })
    }

    /// The keys, with `key`; [`WRONG_PASSPHRASE`] when the seal does not open.
    pub fn open(&self, key: &[u8; 32]) -> Result<BTreeMap<String, StoredKeys>, String> {
        if self.version != 1 {
            return Err(format!("its format version {} is not known", self.version));
        }
        let nonce = b64()
            .decode(&self.nonce)
            .ok()
            .filter(|n| n.len() == 24)
            .ok_or("its nonce is not 24 bytes of base64")?;
        let sealed = b64()
            .decode(&self.sealed)
            .map_err(|_| "its sealed part is not base64".to_owned())?;
        let cipher = XChaCha20Poly1305::new(key.into());
        let aad = aad(self.version, &self.kdf, &self.index);
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| WRONG_PASSPHRASE.to_owned())?,
        );
        serde_json::from_slice(&plain).map_err(|_| "its sealed part is not a key map".into())
    }
}

#[cfg(test)]
mod tests;
