//! The Secret Service (GNOME Keyring, KWallet) over D-Bus: one item per profile, labelled
//! "xrole-tui: AWS keys of PROFILE", found by the attributes `application = xrole-tui` and
//! `profile = PROFILE`; its secret is the keys as JSON. Each call is bounded by [`super::WAIT`].

use std::collections::{BTreeMap, HashMap};

use secret_service::{EncryptionType, SecretService};
use zeroize::Zeroizing;

use super::KeystoreError;
use crate::domain::keystore::{Listed, StoredKeys};

fn unavailable(e: impl std::fmt::Display) -> KeystoreError {
    KeystoreError::Unavailable(format!(
        "the Secret Service key store cannot be used ({e}); is a keyring (GNOME Keyring, KWallet) running and unlocked in this session? Or set XROLE_KEYSTORE=file"
    ))
}

async fn bounded<T>(
    work: impl std::future::Future<Output = Result<T, KeystoreError>>,
) -> Result<T, KeystoreError> {
    tokio::time::timeout(super::WAIT, work)
        .await
        .map_err(|_| unavailable("it did not answer within 10 s"))?
}

fn attributes(profile: &str) -> HashMap<&str, &str> {
    HashMap::from([("application", "xrole-tui"), ("profile", profile)])
}

pub async fn get(profile: &str) -> Result<Option<StoredKeys>, KeystoreError> {
    bounded(async {
        let ss = SecretService::connect(EncryptionType::Dh)
            .await
            .map_err(unavailable)?;
        let found = ss
            .search_items(attributes(profile))
            .await
            .map_err(unavailable)?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(i), _) => i,
            (None, Some(i)) => {
                i.unlock().await.map_err(unavailable)?;
                i
            }
            (None, None) => return Ok(None),
        };
        let secret = Zeroizing::new(item.get_secret().await.map_err(unavailable)?);
        serde_json::from_slice(&secret).map(Some).map_err(|_| {
            KeystoreError::Corrupt(format!(
                "the Secret Service item of profile {profile:?} is not one this tool wrote"
            ))
        })
    })
    .await
}

pub async fn put(profile: &str, keys: &StoredKeys) -> Result<(), KeystoreError> {
    bounded(async {
        let ss = SecretService::connect(EncryptionType::Dh)
            .await
            .map_err(unavailable)?;
        let collection = ss.get_default_collection().await.map_err(unavailable)?;
        if collection.is_locked().await.map_err(unavailable)? {
            collection.unlock().await.map_err(unavailable)?;
        }
        let json = Zeroizing::new(serde_json::to_vec(keys).unwrap_or_default());
        collection
            .create_item(
                &format!("xrole-tui: AWS keys of {profile}"),
                attributes(profile),
                &json,
                true,
                "application/json",
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    })
    .await
}

pub async fn remove(profile: &str) -> Result<bool, KeystoreError> {
    bounded(async {
        let ss = SecretService::connect(EncryptionType::Dh)
            .await
            .map_err(unavailable)?;
        let found = ss
            .search_items(attributes(profile))
            .await
            .map_err(unavailable)?;
        let mut any = false;
        for item in found.unlocked.iter().chain(found.locked.iter()) {
            item.delete().await.map_err(unavailable)?;
            any = true;
        }
        Ok(any)
    })
    .await
}

pub async fn list() -> Result<BTreeMap<String, Listed>, KeystoreError> {
    bounded(async {
        let ss = SecretService::connect(EncryptionType::Dh)
            .await
            .map_err(unavailable)?;
        let found = ss
            .search_items(HashMap::from([("application", "xrole-tui")]))
            .await
            .map_err(unavailable)?;
        let mut out = BTreeMap::new();
        for item in &found.unlocked {
            let attrs = item.get_attributes().await.map_err(unavailable)?;
            let Some(profile) = attrs.get("profile").cloned() else {
                continue;
            };
            let secret = Zeroizing::new(item.get_secret().await.map_err(unavailable)?);
            let id = serde_json::from_slice::<StoredKeys>(&secret)
                .map(|k| k.access_key_id)
                .unwrap_or_default();
            let added = item
                .get_created()
                .await
                .ok()
                .map(|secs| {
                    crate::domain::session::rfc3339(
                        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
                    )
                })
                .unwrap_or_default();
            out.insert(
                profile,
                Listed {
                    access_key_id: id,
                    added,
                },
            );
        }
        Ok(out)
    })
    .await
}
