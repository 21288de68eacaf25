//! The keyring against real files in a temporary folder.

use super::*;

/// Cheap Argon2id costs: these tests check the keyring, not the KDF's strength.
const FAST: KdfParams = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };
const PASSPHRASE: &str = "correct horse battery staple";

fn encrypted(dir: &Path, passphrase: &str) -> Keyring {
    Keyring::open(dir.to_path_buf(), None, Passphrase::Given(Zeroizing::new(passphrase.into()))).unwrap().with_kdf(FAST)
}

/// Every string value of a JSON document, recursively.
fn string_values(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| string_values(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| string_values(v, out)),
        _ => {}
    }
}

#[test]
fn test_backend_add_get_list_and_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Keyring::test(dir.path().join("keys"));
    let alice = keyring.write_seed("alice", &[1; 32]).unwrap();
    keyring.add("bob").unwrap();
    assert_eq!(keyring.names().unwrap(), vec!["alice", "bob"]);
    assert_eq!(keyring.get("alice").unwrap().0, alice);
    assert_eq!(keyring.get("alice").unwrap().1.as_bytes(), &[1; 32]);
    let mode = std::fs::metadata(dir.path().join("keys/alice.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let mode = std::fs::metadata(dir.path().join("keys")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(keyring.add("alice").err().unwrap().to_string().contains("already exists"));
    let err = keyring.get("carol").unwrap_err().to_string();
    assert!(err.contains("alice, bob"), "{err}");
    assert_eq!(keyring.resolve_address("alice").unwrap(), alice.address);
    assert_eq!(keyring.resolve_address(&alice.address.to_string()).unwrap(), alice.address);
    assert!(keyring.resolve_address("../x").is_err());
    // Hex is still read; a bech32 typo is reported as one, not as an unknown key name.
    assert_eq!(keyring.resolve_address(&alice.address.to_hex()).unwrap(), alice.address);
    let text = alice.address.to_string();
    let mut typo = text.clone().into_bytes();
    let last = typo.len() - 1;
    typo[last] = if typo[last] == b'q' { b'p' } else { b'q' };
    let err = keyring.resolve_address(std::str::from_utf8(&typo).unwrap()).unwrap_err().to_string();
    assert!(err.contains("checksum does not match"), "{err}");
    // A process that names its prefix (as every chain binary does) refuses another chain's.
    conclave_core::address::set_address_prefix(conclave_core::address::DEFAULT_ADDRESS_PREFIX).unwrap();
    let other_chain = alice.address.to_bech32("otherchain").unwrap();
    let err = keyring.resolve_address(&other_chain).unwrap_err().to_string();
    assert!(err.contains("prefix \"otherchain\""), "{err}");
    // Today's unencrypted format, unchanged: what localnets and the testkit read.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("keys/alice.json")).unwrap()).unwrap();
    assert_eq!(file["secret_key"], hex::encode([1u8; 32]));
    assert_eq!(file.as_object().unwrap().len(), 5);
    // The folder remembers its backend: opened without one, it is still `test`.
    let reopened = Keyring::open(dir.path().join("keys"), None, Passphrase::Ask).unwrap();
    assert_eq!(reopened.backend(), Backend::Test);
    assert!(!reopened.names().unwrap().contains(&"keyring".to_string()));
    let warning = test_backend_warning(&dir.path().join("keys"));
    assert!(warning.starts_with("warning: keyring backend \"test\"") && warning.contains("unencrypted"), "{warning}");
}

#[test]
fn a_new_folder_defaults_to_encrypted_files() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    assert_eq!(Keyring::open(keys.clone(), None, Passphrase::Ask).unwrap().backend(), Backend::File);
    encrypted(&keys, PASSPHRASE).add("alice").unwrap();
    assert_eq!(Keyring::open(keys.clone(), None, Passphrase::Ask).unwrap().backend(), Backend::File);
    // A flag overrides the folder's backend.
    assert_eq!(Keyring::open(keys, Some(Backend::Test), Passphrase::Ask).unwrap().backend(), Backend::Test);
}

#[test]
fn encrypted_keys_round_trip_and_need_their_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = encrypted(dir.path(), PASSPHRASE);
    let new = keyring.add("alice").unwrap();
    let (info, key) = keyring.get("alice").unwrap();
    assert_eq!(info, new.info);
    assert_eq!(hex::encode(key.verification_key().to_bytes()), info.public_key);
    // Listing, showing and resolving read only the clear fields.
    let locked = encrypted(dir.path(), "not the passphrase");
    assert_eq!(locked.list().unwrap(), vec![new.info.clone()]);
    assert_eq!(locked.info("alice").unwrap(), new.info);
    assert_eq!(locked.resolve_address("alice").unwrap(), new.info.address);
    // Signing needs the passphrase: a wrong one is one plain sentence.
    let err = locked.get("alice").unwrap_err();
    assert_eq!(format!("{err:#}"), "wrong passphrase for key \"alice\"");
    assert_eq!(err.chain().count(), 1);
}

#[test]
fn the_file_on_disk_holds_no_secret_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = encrypted(dir.path(), PASSPHRASE);
    let new = keyring.add("alice").unwrap();
    let (_, key) = keyring.get("alice").unwrap();
    let bytes = std::fs::read(dir.path().join("alice.json")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // The seed, in hex (either case) or raw.
    let seed = key.as_bytes();
    assert!(!text.to_lowercase().contains(&hex::encode(seed)));
    assert!(!bytes.windows(seed.len()).any(|w| w == seed));
    // The mnemonic, whole or any of its words as a value's token; nor the passphrase.
    assert!(!text.contains(new.mnemonic.as_str()));
    assert!(!text.contains(PASSPHRASE));
    let mut values = Vec::new();
    string_values(&serde_json::from_str(&text).unwrap(), &mut values);
    let tokens: Vec<&str> = values.iter().flat_map(|v| v.split(|c: char| !c.is_ascii_alphanumeric())).collect();
    for word in new.mnemonic.split(' ') {
        assert!(!tokens.contains(&word), "the word {word:?} is in the file");
    }
    // What is in clear: the public part and the KDF's parameters.
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["version"], 1);
    assert_eq!(file["address"], new.info.address.to_string());
    assert_eq!(file["public_key"], new.info.public_key);
    assert_eq!(file["kdf"]["algorithm"], "argon2id");
    assert_eq!(file["cipher"]["algorithm"], "xchacha20poly1305");
    assert!(file.get("secret_key").is_none());
}

#[test]
fn a_tampered_file_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = encrypted(dir.path(), PASSPHRASE);
    keyring.add("alice").unwrap();
    let path = dir.path().join("alice.json");
    let original = std::fs::read_to_string(&path).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&original).unwrap();
    let ciphertext = file["cipher"]["ciphertext"].as_str().unwrap().to_string();
    let flipped = format!("{}{}", if ciphertext.starts_with('0') { "1" } else { "0" }, &ciphertext[1..]);
    file["cipher"]["ciphertext"] = flipped.into();
    std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
    assert_eq!(keyring.get("alice").unwrap_err().to_string(), "wrong passphrase for key \"alice\"");
    // Another key's public part in clear: refused, not silently shown as this key's.
    let other = info_of("x", &SigningKey::from([9; 32]));
    let mut file: serde_json::Value = serde_json::from_str(&original).unwrap();
    file["address"] = other.address.to_string().into();
    file["public_key"] = other.public_key.into();
    std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
    assert!(keyring.get("alice").is_err());
    std::fs::write(&path, &original).unwrap();
    assert!(keyring.get("alice").is_ok());
}

#[test]
fn the_mnemonic_recovers_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = encrypted(&dir.path().join("a"), PASSPHRASE);
    let new = keyring.add("alice").unwrap();
    assert_eq!(new.mnemonic.split(' ').count(), 24);
    let (_, key) = keyring.get("alice").unwrap();
    // In another folder, under another passphrase, and in the test backend.
    let other = encrypted(&dir.path().join("b"), "another passphrase");
    let recovered = other.recover("alice2", &new.mnemonic).unwrap();
    assert_eq!((recovered.address, &recovered.public_key), (new.info.address, &new.info.public_key));
    assert_eq!(other.get("alice2").unwrap().1.as_bytes(), key.as_bytes());
    let test = Keyring::test(dir.path().join("c"));
    assert_eq!(test.recover("alice", &new.mnemonic.to_uppercase()).unwrap().address, new.info.address);
    // A damaged mnemonic is refused and nothing is written.
    let mut words: Vec<&str> = new.mnemonic.split(' ').collect();
    words.swap(0, 1);
    if words[0] != words[1] {
        assert!(other.recover("bad", &words.join(" ")).is_err());
    }
    assert!(other.recover("bad", "abandon abandon").is_err());
    assert!(!dir.path().join("b/bad.json").exists());
}

#[test]
fn export_then_import_keeps_the_key_and_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = encrypted(&dir.path().join("a"), PASSPHRASE);
    let new = keyring.add("alice").unwrap();
    let exported = keyring.export("alice").unwrap();
    assert!(!exported.contains(new.mnemonic.as_str()));
    // Importing checks the file's passphrase.
    let wrong = encrypted(&dir.path().join("b"), "not the passphrase");
    assert_eq!(wrong.import("carol", &exported).unwrap_err().to_string(), "wrong passphrase for key \"carol\"");
    let other = encrypted(&dir.path().join("b"), PASSPHRASE);
    let imported = other.import("carol", &exported).unwrap();
    assert_eq!(imported.address, new.info.address);
    assert_eq!(imported.name, "carol");
    assert_eq!(other.get("carol").unwrap().1.as_bytes(), keyring.get("alice").unwrap().1.as_bytes());
    assert!(other.import("carol", &exported).unwrap_err().to_string().contains("already exists"));
    assert!(other.import("dave", "{\"not\": \"a key\"}").unwrap_err().to_string().contains("not a key file"));
    // An unencrypted key is encrypted on import into a `file` keyring.
    let test = Keyring::test(dir.path().join("t"));
    let plain = test.add("dev").unwrap();
    let imported = other.import("dev", &test.export("dev").unwrap()).unwrap();
    assert_eq!(imported.address, plain.info.address);
    let text = std::fs::read_to_string(dir.path().join("b/dev.json")).unwrap();
    assert!(text.contains("xchacha20poly1305") && !text.contains("secret_key"), "{text}");
    // Delete.
    assert_eq!(other.delete("dev").unwrap().address, plain.info.address);
    assert_eq!(other.names().unwrap(), vec!["carol"]);
    assert!(other.delete("dev").is_err());
}

#[test]
fn a_folder_without_config_reads_old_unencrypted_keys() {
    // A home made before encryption: plain files, no keyring.config.json.
    let dir = tempfile::tempdir().unwrap();
    let old = Keyring::test(dir.path().to_path_buf());
    let alice = old.write_seed("alice", &[3; 32]).unwrap();
    std::fs::remove_file(dir.path().join(CONFIG_FILE)).unwrap();
    let keyring = Keyring::open(dir.path().to_path_buf(), None, Passphrase::Ask).unwrap();
    assert_eq!(keyring.backend(), Backend::File);
    assert_eq!(keyring.get("alice").unwrap().0, alice);
}

#[test]
fn default_kdf_parameters_are_recorded_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = encrypted(dir.path(), PASSPHRASE).with_kdf(KdfParams::DEFAULT);
    keyring.write_seed("alice", &[5; 32]).unwrap();
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("alice.json")).unwrap()).unwrap();
    assert_eq!(
        (&file["kdf"]["memory_kib"], &file["kdf"]["iterations"], &file["kdf"]["parallelism"]),
        (&65536.into(), &3.into(), &1.into())
    );
    assert_eq!(keyring.get("alice").unwrap().1.as_bytes(), &[5; 32]);
}
