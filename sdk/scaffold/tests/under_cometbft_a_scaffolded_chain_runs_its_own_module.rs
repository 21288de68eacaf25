//! The scaffold's acceptance test, under a real CometBFT:
//! 1. `conclave-scaffold mychain DIR` writes a chain outside this repository (a temp dir);
//! 2. the edits of `docs/new-chain.md` (steps 4 and 5) are applied exactly as the page
//!    writes them, adding the example module `tests/fixtures/new-chain/notes.rs` (one
//!    message writing a typed item, one query) and its commands;
//! 3. the chain builds with `cargo build` and its own in-process test passes;
//! 4. `mychaind localnet --validators 1` runs it under CometBFT (the SDK's live harness,
//!    `conclave_testkit::live`, as a chain's own tests would use it);
//! 5. the module's transaction goes through the generated CLI (`tx notes put`), and its
//!    query (`query notes note`) reads it back.
//!
//! The build shares this workspace's target directory, so only the new crate and the
//! Conclave crates it pins are compiled. `CONCLAVE_E2E_KEEP=1` keeps the directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use conclave_testkit::live::{ChainBinary, Network};
use serde_json::Value;

const NAME: &str = "mychain";
const SCAFFOLD: &str = env!("CARGO_BIN_EXE_conclave-scaffold");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// This workspace's target directory (the test binary is `target/debug/deps/<test>`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return repo().join(dir);
    }
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).expect("target/<profile>/deps/<test>").to_path_buf()
}

fn run(what: &str, command: &mut Command) -> Output {
    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// One edit of docs/new-chain.md: a fenced block whose first line is
/// `// FILE: after the line containing `ANCHOR`` (insert the rest after that line) or
/// `// FILE: replace `OLD` with` (the rest replaces OLD); `#` instead of `//` in TOML.
struct Edit {
    file: String,
    anchor: String,
    text: String,
    replace: bool,
}

fn doc_edits(doc: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if !(line.starts_with("```rust") || line.starts_with("```toml")) {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        let Some(head) = block.first() else { continue };
        let head = head.trim_start_matches("// ").trim_start_matches("# ");
        let Some((file, rule)) = head.split_once(": ") else { continue };
        let quoted = |rule: &str, prefix: &str, suffix: &str| {
            rule.strip_prefix(prefix).and_then(|r| r.strip_suffix(suffix)).map(str::to_string)
        };
        let text = block[1..].join("\n");
        if let Some(anchor) = quoted(rule, "after the line containing `", "`") {
            edits.push(Edit { file: file.to_string(), anchor, text, replace: false });
        } else if let Some(old) = quoted(rule, "replace `", "` with") {
            edits.push(Edit { file: file.to_string(), anchor: old, text: text.trim().to_string(), replace: true });
        }
    }
    edits
}

fn apply(dir: &Path, edit: &Edit) {
    let path = dir.join(&edit.file);
    let source = std::fs::read_to_string(&path).unwrap();
    let found = source.matches(edit.anchor.as_str()).count();
    assert_eq!(found, 1, "docs/new-chain.md: `{}` occurs {found} times in the scaffolded {}", edit.anchor, edit.file);
    let edited = if edit.replace {
        source.replacen(edit.anchor.as_str(), &edit.text, 1)
    } else {
        let at = source.find(edit.anchor.as_str()).unwrap();
        let end = source[at..].find('\n').map_or(source.len(), |n| at + n + 1);
        format!("{}{}\n{}", &source[..end], edit.text, &source[end..])
    };
    std::fs::write(&path, edited).unwrap();
}

#[test]
fn a_scaffolded_chain_builds_runs_and_serves_its_own_module_under_cometbft() {
    let work = tempfile::Builder::new().prefix("conclave-scaffold-").tempdir().unwrap();
    let dir = work.path().join(NAME);
    assert!(!dir.starts_with(repo()), "the chain must live outside this repository");

    // 1. Scaffold.
    run("conclave-scaffold", Command::new(SCAFFOLD).arg(NAME).arg(&dir));

    // 2. The guide's edits, as written.
    std::fs::copy(repo().join("tests/fixtures/new-chain/notes.rs"), dir.join("src/notes.rs")).unwrap();
    let edits = doc_edits(&std::fs::read_to_string(repo().join("docs/new-chain.md")).unwrap());
    assert!(edits.len() >= 14, "docs/new-chain.md lost its edits: found {}", edits.len());
    for edit in &edits {
        apply(&dir, edit);
    }

    // 3. Build, and run the chain's own in-process test.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = target_dir();
    let cargo_in_chain = |args: &[&str]| {
        let mut command = Command::new(&cargo);
        command.args(args).current_dir(&dir).env("CARGO_TARGET_DIR", &target);
        command
    };
    run("cargo build", &mut cargo_in_chain(&["build", "--bin", "mychaind"]));
    run("cargo test --test chain", &mut cargo_in_chain(&["test", "--test", "chain"]));
    let binary = ChainBinary::new(target.join("debug/mychaind"));

    // 4. One validator under CometBFT, made by the chain's own `localnet`.
    let mut net = Network::localnet(&binary, 1, "mychain-test");
    net.start_all();
    net.wait_all(2, Duration::from_secs(60));
    let cli = net.cli(0);
    assert_eq!(cli.json(&["query", "notes", "note", "alice"]), Value::Null, "alice has no note yet");

    // 5. The module's transaction through the generated CLI, and its query.
    let result = cli.tx(&["tx", "notes", "put", "hello from mychain", "--from", "alice"]);
    let hash = result["hash"].as_str().unwrap();
    let included = cli.json(&["query", "tx", hash]);
    let kinds: Vec<&str> = included["events"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"notes.note_set"), "the transaction's events: {kinds:?}");
    assert_eq!(cli.json(&["query", "notes", "note", "alice"]), Value::String("hello from mychain".into()));
    assert_eq!(cli.json(&["query", "notes", "note", "bob"]), Value::Null);

    // A note that is too long is refused with the module's own code, and nothing is stored.
    let long = "x".repeat(141);
    let stderr = cli.fails(&["tx", "notes", "put", &long, "--from", "bob"]);
    assert!(stderr.contains("notes") && stderr.contains("140 bytes"), "{stderr}");
    assert_eq!(cli.json(&["query", "notes", "note", "bob"]), Value::Null);
    if std::env::var_os("CONCLAVE_E2E_KEEP").is_some() {
        eprintln!("kept {}", work.keep().display());
    }
}
