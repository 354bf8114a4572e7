use super::*;

fn fast() -> Kdf {
    // The format's own settings, made cheap for tests.
    Kdf {
        m_kib: 64,
        t: 1,
        p: 1,
        salt: b64().encode([7u8; 16]),
    }
}

fn entries() -> BTreeMap<String, StoredKeys> {
    let mut m = BTreeMap::new();
    m.insert(
        "hub".to_owned(),
        StoredKeys {
            access_key_id: "AKIAHUB".into(),
            secret_access_key: Zeroizing::new("hub-secret".into()),
        },
    );
    m
}

fn index() -> BTreeMap<String, Listed> {
    let mut i = BTreeMap::new();
    i.insert(
        "hub".to_owned(),
        Listed {
            access_key_id: "AKIAHUB".into(),
            added: "2026-12-03T09:00:00Z".into(),
        },
    );
    i
}

#[test]
fn a_sealed_file_opens_with_its_passphrase_only() {
    let kdf = fast();
    let key = kdf.derive("correct horse").unwrap();
    let file = SealedFile::seal(&key, kdf.clone(), index(), &entries(), &[1; 24]).unwrap();
    let text = serde_json::to_string(&file).unwrap();
    assert!(!text.contains("hub-secret"), "{text}");
    assert!(text.contains("AKIAHUB"), "the index is readable");
    let back: SealedFile = serde_json::from_str(&text).unwrap();
    let opened = back.open(&key).unwrap();
    assert_eq!(opened["hub"].secret_access_key.as_str(), "hub-secret");
    let wrong = kdf.derive("wrong horse").unwrap();
    assert_eq!(back.open(&wrong).unwrap_err(), WRONG_PASSPHRASE);
}

#[test]
fn the_readable_index_cannot_be_changed_unnoticed() {
    let kdf = fast();
    let key = kdf.derive("pw").unwrap();
    let mut file = SealedFile::seal(&key, kdf, index(), &entries(), &[2; 24]).unwrap();
    file.index.get_mut("hub").unwrap().access_key_id = "AKIAOTHER".into();
    assert_eq!(file.open(&key).unwrap_err(), WRONG_PASSPHRASE);
}

#[test]
fn hostile_settings_are_refused_before_any_work() {
    let mut kdf = fast();
    kdf.m_kib = u32::MAX;
    assert!(kdf.derive("pw").unwrap_err().contains("out of bounds"));
    let mut kdf = fast();
    kdf.salt = "!!".into();
    assert!(kdf.derive("pw").is_err());
}

#[test]
fn backends_are_named_and_chosen() {
    for b in [Backend::SecretService, Backend::Keychain, Backend::File] {
        assert_eq!(Backend::parse(b.as_str()), Ok(b));
    }
    assert!(Backend::parse("vault")
        .unwrap_err()
        .contains("secret-service, keychain or file"));
    assert_eq!(Backend::default_for(true, true), Backend::Keychain);
    assert_eq!(Backend::default_for(false, true), Backend::SecretService);
    assert_eq!(Backend::default_for(false, false), Backend::File);
    let k = entries();
    assert!(!format!("{:?}", k["hub"]).contains("hub-secret"));
}
