//! `keys` through its command-line parser, with the passphrase from a file and input from a
//! buffer (never a prompt: `interactive` is false).

use std::path::Path;

use clap::Parser;
use serde_json::Value;

use super::*;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    keys: KeysCommand,
}

struct Run {
    result: Result<ExitCode>,
    output: String,
    messages: String,
}

fn run(args: &[&str], stdin: &str) -> Run {
    let cli = Cli::try_parse_from(std::iter::once("keys").chain(args.iter().copied())).unwrap();
    let mut input = std::io::Cursor::new(stdin.as_bytes().to_vec());
    let (mut output, mut messages) = (Vec::new(), Vec::new());
    let result =
        cli.keys.execute(Io { input: &mut input, interactive: false, output: &mut output, messages: &mut messages });
    Run { result, output: String::from_utf8(output).unwrap(), messages: String::from_utf8(messages).unwrap() }
}

fn ok(args: &[&str], stdin: &str) -> Run {
    let run = run(args, stdin);
    if let Err(e) = &run.result {
        panic!("{args:?} failed: {e:#}");
    }
    run
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args, "").output).unwrap()
}

/// The error of a failing command, checked to be one sentence with no chain of causes.
fn error(args: &[&str], stdin: &str) -> String {
    let err = run(args, stdin).result.err().unwrap_or_else(|| panic!("{args:?} succeeded"));
    assert_eq!(err.chain().count(), 1, "{err:#}");
    let text = err.to_string();
    assert_eq!(text.lines().count(), 1, "{text}");
    text
}

fn passphrase_file(dir: &Path, name: &str, passphrase: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{passphrase}\n")).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn add_shows_the_mnemonic_once_and_recover_gives_the_same_address() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let k = keys.to_str().unwrap();
    let pass = passphrase_file(dir.path(), "pass", "correct horse battery staple");
    let added = ok(&["add", "alice", "--keyring-dir", k, "--keyring-passphrase-file", &pass, "-o", "json"], "");
    assert!(added.messages.contains("Write these 24 words down"), "{}", added.messages);
    let alice: Value = serde_json::from_str(&added.output).unwrap();
    let mnemonic = alice["mnemonic"].as_str().unwrap().to_string();
    assert_eq!(mnemonic.split(' ').count(), 24);
    assert_eq!(alice["backend"], "file");
    // The file keeps no mnemonic and no secret key in clear.
    let file = std::fs::read_to_string(keys.join("alice.json")).unwrap();
    assert!(!file.contains(&mnemonic) && !file.contains("secret_key"), "{file}");
    // Show and list need no passphrase; show never prints the mnemonic.
    let shown = json(&["show", "alice", "--keyring-dir", k, "-o", "json"]);
    assert_eq!((&shown["address"], shown.get("mnemonic")), (&alice["address"], None));
    assert_eq!(json(&["list", "--keyring-dir", k, "-o", "json"])[0]["name"], "alice");

    // Recovered from stdin, in another folder under another passphrase: the same key.
    let other = dir.path().join("other");
    let o = other.to_str().unwrap();
    let pass2 = passphrase_file(dir.path(), "pass2", "another long passphrase");
    let args = ["add", "alice", "--recover", "--keyring-dir", o, "--keyring-passphrase-file", &pass2, "-o", "json"];
    let recovered = ok(&args, &format!("{mnemonic}\n"));
    let recovered: Value = serde_json::from_str(&recovered.output).unwrap();
    assert_eq!((&recovered["address"], &recovered["public_key"]), (&alice["address"], &alice["public_key"]));
    assert!(recovered.get("mnemonic").is_none());
    // A mistyped mnemonic, or none: one line, nothing written.
    let bad = mnemonic.replacen(mnemonic.split(' ').next().unwrap(), "zzzz", 1);
    let args = ["add", "bob", "--recover", "--keyring-dir", o, "--keyring-passphrase-file", &pass2];
    assert!(error(&args, &bad).starts_with("invalid mnemonic"));
    assert!(error(&args, "").starts_with("no mnemonic given"));
    assert!(!other.join("bob.json").exists());
    // A name is taken once.
    let args = ["add", "alice", "--keyring-dir", k, "--keyring-passphrase-file", &pass];
    assert!(error(&args, "").contains("already exists"));
}

#[test]
fn export_import_and_a_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().join("a");
    let k = k.to_str().unwrap();
    let pass = passphrase_file(dir.path(), "pass", "correct horse battery staple");
    let wrong = passphrase_file(dir.path(), "wrong", "not the right passphrase");
    let alice = json(&["add", "alice", "--keyring-dir", k, "--keyring-passphrase-file", &pass, "-o", "json"]);
    let exported = ok(&["export", "alice", "--keyring-dir", k], "").output;
    let export_file = dir.path().join("alice.export.json");
    std::fs::write(&export_file, &exported).unwrap();
    let e = export_file.to_str().unwrap();

    let b = dir.path().join("b");
    let b = b.to_str().unwrap();
    let args = ["import", "carol", e, "--keyring-dir", b, "--keyring-passphrase-file", &wrong];
    assert_eq!(error(&args, ""), "wrong passphrase for key \"carol\"");
    let args = ["import", "carol", e, "--keyring-dir", b, "--keyring-passphrase-file", &pass, "-o", "json"];
    let carol = json(&args);
    assert_eq!((&carol["name"], &carol["address"]), (&"carol".into(), &alice["address"]));
    // From stdin too.
    let args = ["import", "dave", "-", "--keyring-dir", b, "--keyring-passphrase-file", &pass];
    ok(&args, &exported);
    assert_eq!(json(&["show", "dave", "--keyring-dir", b, "-o", "json"])["address"], alice["address"]);
}

#[test]
fn delete_asks_unless_yes() {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().to_str().unwrap();
    ok(&["add", "alice", "--keyring-dir", k, "--keyring-backend", "test"], "");
    ok(&["add", "bob", "--keyring-dir", k], "");
    let refused = run(&["delete", "alice", "--keyring-dir", k], "n\n");
    assert!(refused.messages.is_empty(), "no prompt without a terminal: {}", refused.messages);
    assert!(refused.result.unwrap_err().to_string().contains("was not deleted"));
    assert!(error(&["delete", "alice", "--keyring-dir", k], "").contains("--yes"));
    assert!(dir.path().join("alice.json").exists());
    let deleted = ok(&["delete", "alice", "--keyring-dir", k], "y\n");
    assert!(deleted.output.contains("deleted key \"alice\""));
    ok(&["delete", "bob", "--keyring-dir", k, "--yes"], "");
    assert_eq!(json(&["list", "--keyring-dir", k, "-o", "json"]), serde_json::json!([]));
    assert!(error(&["delete", "bob", "--keyring-dir", k, "--yes"], "").contains("no key named \"bob\""));
}

#[test]
fn the_test_backend_writes_plain_files_and_the_folder_remembers_it() {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().to_str().unwrap();
    let alice = json(&["add", "alice", "--keyring-dir", k, "--keyring-backend", "test", "-o", "json"]);
    assert_eq!(alice["backend"], "test");
    // No flag: the folder's backend, so no passphrase is needed.
    let bob = json(&["add", "bob", "--keyring-dir", k, "-o", "json"]);
    assert_eq!(bob["backend"], "test");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("bob.json")).unwrap()).unwrap();
    assert_eq!(file["secret_key"].as_str().unwrap().len(), 64);
    // --home DIR means DIR/keys.
    let home = dir.path().join("home");
    let h = home.to_str().unwrap();
    let carol = json(&["add", "carol", "--home", h, "--keyring-backend", "test", "-o", "json"]);
    let keys = home.join("keys");
    assert_eq!(
        json(&["show", "carol", "--keyring-dir", keys.to_str().unwrap(), "-o", "json"])["address"],
        carol["address"]
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let parse = |args: &[&str]| Cli::try_parse_from(std::iter::once("keys").chain(args.iter().copied()));
    assert!(parse(&["add", "alice", "--keyring-backend", "os"]).is_err());
    assert!(parse(&["add", "bad/name"]).is_err());
    assert!(parse(&["import", "alice"]).is_err(), "FILE is required");
    assert!(parse(&["delete", "alice", "-y"]).is_ok());
}
