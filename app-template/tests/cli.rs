//! Command-line tests of `appchaind`: parsing, `init`, `keys`, `localnet --no-start`.
//! No network and no running chain: only `cometbft init`/`testnet`/`show-node-id`, which
//! write files. Every test works in its own temporary directory and has a time bound.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use appchain::DENOM;

const BIN: &str = env!("CARGO_BIN_EXE_appchaind");
const INSTALL: &str = "go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25";

/// The installed cometbft (the SDK's search and version check); tests that need it fail with
/// the install command when it is missing.
fn cometbft() -> PathBuf {
    match conclave_cometbft::locate_cometbft(None) {
        Ok(binary) => binary.path,
        Err(e) => panic!("these tests need CometBFT 0.38: {e}"),
    }
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("APPCHAIN_HOME").env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// Runs with a 60 s bound.
fn run_command(mut command: Command) -> Output {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("appchaind {command:?} did not finish within 60s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_command(command(args))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and expects success; returns stdout.
fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(output.status.success(), "appchaind {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

/// Runs and expects failure with `code` and exactly one line on stderr containing `needle`.
fn fails(args: &[&str], code: i32, needle: &str) -> String {
    let output = run(args);
    check_failure(&output, args, code, needle)
}

fn check_failure(output: &Output, args: &[&str], code: i32, needle: &str) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "appchaind {args:?}: stderr {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "appchaind {args:?}: not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "appchaind {args:?}: {err:?} lacks {needle:?}");
    err
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn help_works_for_every_command() {
    let commands: &[&[&str]] = &[
        &[],
        &["init"],
        &["start"],
        &["localnet"],
        &["keys"],
        &["keys", "add"],
        &["keys", "list"],
        &["keys", "show"],
        &["keys", "export"],
        &["keys", "import"],
        &["keys", "delete"],
        &["tx"],
        &["tx", "bank"],
        &["tx", "bank", "send"],
        &["tx", "staking"],
        &["tx", "staking", "register"],
        &["tx", "staking", "edit"],
        &["tx", "staking", "rotate-key"],
        &["tx", "voting"],
        &["tx", "voting", "vote"],
        &["tx", "voting", "unvote"],
        &["tx", "voting", "set-votes"],
        &["tx", "voting", "redelegate"],
        &["tx", "voting", "undelegate"],
        &["tx", "voting", "cancel-unbonding"],
        &["query"],
        &["query", "bank"],
        &["query", "bank", "balance"],
        &["query", "staking"],
        &["query", "staking", "candidate"],
        &["query", "staking", "candidates"],
        &["query", "staking", "params"],
        &["query", "staking", "pools"],
        &["query", "staking", "key-owner"],
        &["query", "staking", "can-edit"],
        &["query", "voting"],
        &["query", "voting", "params"],
        &["query", "voting", "votes"],
        &["query", "voting", "delegations"],
        &["query", "voting", "unbondings"],
        &["query", "voting", "redelegations"],
        &["query", "voting", "can-vote"],
        &["query", "voting", "can-undelegate"],
        &["query", "voting", "can-redelegate"],
        &["query", "voting", "can-cancel"],
        &["query", "rotation"],
        &["query", "rotation", "validators"],
        &["query", "rotation", "validators-at"],
        &["query", "rotation", "preview"],
        &["query", "rotation", "epoch"],
        &["query", "rotation", "params"],
        &["query", "account"],
        &["query", "tx"],
    ];
    for path in commands {
        let mut args = path.to_vec();
        args.push("--help");
        let out = ok(&args);
        assert!(out.contains("Usage: appchaind"), "{args:?}: {out}");
    }
    assert!(ok(&["--version"]).starts_with("appchaind "));
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net");
    fails(&["localnet", "--validators", "0", "--no-start", "--dir", s(&net)], 2, "1..=16");
    fails(&["localnet", "--validators", "17", "--no-start", "--dir", s(&net)], 2, "1..=16");
    fails(&["localnet", "--timeout-commit", "fast", "--no-start", "--dir", s(&net)], 2, "invalid duration");
    assert!(!net.exists());
    let keys = s(dir.path());
    let coin = |amount: u128| format!("{amount}{DENOM}");
    fails(
        &["tx", "bank", "send", "bob", "100", "--from", "alice", "--keyring-dir", keys],
        2,
        &format!("write it like {}", coin(100)),
    );
    fails(&["tx", "bank", "send", "bob", "lots", "--from", "alice", "--keyring-dir", keys], 2, "invalid amount");
    fails(&["tx", "bank", "send", "bob", &coin(0), "--from", "alice", "--keyring-dir", keys], 2, "must be positive");
    fails(
        &["tx", "bank", "send", "bob", &coin(5), "--from", "alice", "--keyring-dir", keys],
        1,
        "no key named \"alice\"",
    );
    fails(&["tx", "bank", "send", "bob", &coin(5), "--keyring-dir", keys], 2, "--from");
    let key = "ab".repeat(32);
    let bond = coin(1_000_000);
    let register = ["tx", "staking", "register", &bond, "--moniker", "m", "--from", "alice"];
    fails(&[&register[..], &["--consensus-key", &key, "--commission-rate", "7,5"]].concat(), 2, "e.g. 10 or 7.5");
    fails(&[&register[..], &["--consensus-key", "abc"]].concat(), 2, "--consensus-key-file");
    fails(&register, 2, "--consensus-key");
    fails(&["tx", "voting", "set-votes", "alice:5", "--from", "bob"], 2, "CANDIDATE=AMOUNT");
    fails(&["tx", "voting", "undelegate", "alice", "5", "--from", "bob"], 2, &format!("write it like {}", coin(5)));
    fails(&["init", "--home", keys, "--chain-id", "bad chain", "--moniker", "m"], 2, "--chain-id");
    fails(&["init", "--home", keys], 2, "--chain-id");
    fails(&["nonsense"], 2, "unrecognized subcommand");
    fails(&["keys", "add", "bad/name", "--keyring-dir", keys], 2, "a-z");
    fails(&["query", "tx", "1234"], 1, "64 hex characters");
    // Bad home.
    let missing = dir.path().join("missing");
    fails(&["start", "--home", s(&missing)], 1, "is not a node home");
    // Unreachable node (port 9 on loopback: nothing listens).
    let zero = conclave_core::Address([0; 20]);
    let address = zero.to_bech32(appchain::ADDRESS_PREFIX).unwrap();
    let unreachable = "http://127.0.0.1:9";
    fails(&["query", "bank", "balance", &address, "--node", unreachable], 1, "cannot reach the node's CometBFT RPC");
    // Addresses are checked before anything is sent: a typo by bech32's checksum, another
    // chain's address by its prefix.
    let typo = format!("{}{}", &address[..address.len() - 1], if address.ends_with('q') { 'p' } else { 'q' });
    fails(&["query", "bank", "balance", &typo, "--node", unreachable], 1, "checksum does not match");
    let other = if appchain::ADDRESS_PREFIX == "cosmos" { "osmo" } else { "cosmos" };
    let cosmos = zero.to_bech32(other).unwrap();
    let expected = format!("start with {}1", appchain::ADDRESS_PREFIX);
    fails(&["query", "bank", "balance", &cosmos, "--node", unreachable], 1, &expected);
    // Hex is still read, with a note that gives the bech32 form.
    let hex = "00".repeat(20);
    let output = run(&["query", "bank", "balance", &hex, "--node", unreachable]);
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!("note: {hex} is a hex address (no checksum); this chain writes it as {address}\n")),
        "{err}"
    );
    assert!(err.contains("cannot reach the node's CometBFT RPC"), "{err}");
    fails(&["query", "account", "nobody", "--keyring-dir", keys], 1, "neither an address");
}

#[test]
fn missing_cometbft_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let mut cmd = command(&["init", "--home", s(&home), "--chain-id", "c", "--moniker", "m"]);
    cmd.env("PATH", "")
        .env("HOME", dir.path())
        .env_remove("GOPATH")
        .env_remove("COMETBFT")
        .env_remove("CONCLAVE_COMETBFT");
    let output = run_command(cmd);
    check_failure(&output, &["init"], 1, INSTALL);
    let missing = dir.path().join("nope");
    let args = ["init", "--home", s(&home), "--chain-id", "c", "--moniker", "m", "--cometbft", s(&missing)];
    fails(&args, 1, INSTALL);
    assert!(!home.join("config").exists());
}

#[test]
fn init_writes_a_home_with_our_genesis_and_socket() {
    let cometbft = cometbft();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    let args = [
        "init",
        "--home",
        s(&home),
        "--chain-id",
        "test-chain",
        "--moniker",
        "alpha",
        "-o",
        "json",
        "--cometbft",
        s(&cometbft),
        "--keyring-backend",
        "test",
    ];
    let summary = json(&ok(&args));
    assert_eq!(summary["mnemonic"].as_str().unwrap().split(' ').count(), 24);
    let address = summary["address"].as_str().unwrap().to_string();
    assert_eq!(summary["chain_id"], "test-chain");

    let genesis = json(&std::fs::read_to_string(home.join("config/genesis.json")).unwrap());
    assert_eq!(genesis["chain_id"], "test-chain");
    assert_eq!(genesis["consensus_params"]["block"]["max_gas"], "100000000");
    assert_eq!(genesis["validators"].as_array().unwrap().len(), 1);
    let balances = &genesis["app_state"]["app"]["bank"]["balances"];
    assert_eq!(balances[0]["address"], address.as_str());
    assert_eq!(balances[0]["coins"][0], serde_json::json!({"denom": DENOM, "amount": "1000000000000"}));
    assert_eq!(genesis["app_state"]["runtime"]["params"]["max_block_gas"], 100_000_000);
    // Staking registers this node's validator, operated by the funded key, with its
    // consensus key and a self-bond; genesis.json's validator has the power the app elects.
    let app_state = &genesis["app_state"]["app"];
    assert_eq!(app_state["staking"]["params"]["bond_denom"], DENOM);
    let registrations = app_state["staking"]["registrations"].as_array().unwrap();
    assert_eq!(registrations.len(), 1);
    assert_eq!(registrations[0]["operator"], address.as_str());
    assert_eq!(registrations[0]["self_bond"], "100000000");
    assert_eq!(registrations[0]["description"]["moniker"], "alpha");
    let key_file = json(&std::fs::read_to_string(home.join("config/priv_validator_key.json")).unwrap());
    assert_eq!(genesis["validators"][0]["pub_key"]["value"], key_file["pub_key"]["value"]);
    assert_eq!(genesis["validators"][0]["power"], "100");
    assert_eq!(summary["self_bond"], format!("100000000{DENOM}"));
    assert_eq!(summary["balance"], format!("999900000000{DENOM}"));
    // A one-validator chain: rotation may elect a set of 1, which must then hold all power.
    let rotation = &app_state["rotation"]["params"];
    assert_eq!(
        (rotation["min_validators"].as_u64(), rotation["max_power_share_ppb"].as_u64()),
        (Some(1), Some(1_000_000_000))
    );
    assert_eq!(rotation["epoch_length"], 2880);
    assert_eq!(app_state["voting"]["params"]["max_votes"], 16);

    let socket = format!("unix://{}", home.join("data/abci.sock").display());
    let config: toml_edit::DocumentMut =
        std::fs::read_to_string(home.join("config/config.toml")).unwrap().parse().unwrap();
    assert_eq!(config["proxy_app"].as_str(), Some(socket.as_str()));
    assert_eq!(config["moniker"].as_str(), Some("alpha"));
    let app: toml_edit::DocumentMut = std::fs::read_to_string(home.join("config/app.toml")).unwrap().parse().unwrap();
    assert_eq!(app["abci"]["address"].as_str(), Some(socket.as_str()));
    assert_eq!(app["store"]["keep_versions"].as_integer(), Some(100));
    // State sync and pruning: off by default, each key explained where it is written.
    assert_eq!(app["min-retain-blocks"].as_integer(), Some(0));
    assert_eq!(app["state-sync"]["snapshot-interval"].as_integer(), Some(0));
    assert_eq!(app["state-sync"]["snapshot-keep-recent"].as_integer(), Some(2));
    let app_text = std::fs::read_to_string(home.join("config/app.toml")).unwrap();
    for key in ["min-retain-blocks = ", "snapshot-interval = ", "snapshot-keep-recent = "] {
        let line = app_text.lines().position(|l| l.starts_with(key)).unwrap_or_else(|| panic!("no {key}in app.toml"));
        assert!(app_text.lines().nth(line - 1).is_some_and(|l| l.starts_with('#')), "{key}has no comment above it");
    }

    assert_eq!(mode(&home.join("keys")), 0o700);
    assert_eq!(mode(&home.join("keys/validator.json")), 0o600);
    let shown = json(&ok(&["keys", "show", "validator", "--home", s(&home), "-o", "json"]));
    assert_eq!(shown["address"], address.as_str());

    // A second init refuses; --overwrite replaces the home (a new key).
    fails(&args, 1, "--overwrite");
    let mut again = args.to_vec();
    again.push("--overwrite");
    let replaced = json(&ok(&again));
    assert_ne!(replaced["address"], address.as_str());
}

#[test]
fn keys_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let k = s(&keys);
    // The test backend: the folder remembers it, so later commands need no flag.
    let alice = json(&ok(&["keys", "add", "alice", "--keyring-dir", k, "-o", "json", "--keyring-backend", "test"]));
    let bob = json(&ok(&["keys", "add", "bob", "--keyring-dir", k, "--output", "json"]));
    let address = alice["address"].as_str().unwrap();
    let prefix = format!("{}1", appchain::ADDRESS_PREFIX);
    assert!(address.starts_with(&prefix) && address.len() == prefix.len() + 38, "{address}");
    assert_eq!(alice["public_key"].as_str().unwrap().len(), 64);
    assert_ne!(alice["address"], bob["address"]);
    fails(&["keys", "add", "alice", "--keyring-dir", k], 1, "already exists");

    let list = json(&ok(&["keys", "list", "--keyring-dir", k, "-o", "json"]));
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"]);
    let text = ok(&["keys", "list", "--keyring-dir", k]);
    assert!(text.contains(alice["address"].as_str().unwrap()), "{text}");

    let shown = json(&ok(&["keys", "show", "alice", "--keyring-dir", k, "-o", "json"]));
    assert_eq!(shown["address"], alice["address"]);
    assert_eq!(shown["public_key"], alice["public_key"]);
    assert!(shown.get("secret_key").is_none());
    assert_eq!(ok(&["keys", "show", "bob", "--address", "--keyring-dir", k]).trim(), bob["address"].as_str().unwrap());
    fails(&["keys", "show", "carol", "--keyring-dir", k], 1, "known keys: alice, bob");

    // --home DIR means DIR/keys.
    let via_home = json(&ok(&["keys", "show", "alice", "--home", s(dir.path()), "-o", "json"]));
    assert_eq!(via_home["address"], alice["address"]);

    assert_eq!(mode(&keys), 0o700);
    for name in ["alice", "bob"] {
        let path = keys.join(format!("{name}.json"));
        assert_eq!(mode(&path), 0o600);
        let file = json(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(file["secret_key"].as_str().unwrap().len(), 64);
    }
}

/// Runs with `env` set and `stdin` piped in.
fn run_with(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut cmd = command(args);
    cmd.env_remove("CONCLAVE_KEYRING_PASSPHRASE").envs(env.iter().copied()).stdin(Stdio::piped());
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn keys_are_encrypted_by_default_and_scripts_pass_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let k = s(dir.path());
    let pass = [("CONCLAVE_KEYRING_PASSPHRASE", "correct horse battery staple")];
    // No passphrase and no terminal: one line naming the ways to give one; nothing written.
    let output = run_with(&["keys", "add", "alice", "--keyring-dir", k], &[], "");
    check_failure(&output, &["keys", "add"], 1, "CONCLAVE_KEYRING_PASSPHRASE");
    assert!(!dir.path().join("alice.json").exists());

    let output = run_with(&["keys", "add", "alice", "--keyring-dir", k, "-o", "json"], &pass, "");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("Write these 24 words down"), "{}", stderr(&output));
    let alice = json(&stdout(&output));
    let mnemonic = alice["mnemonic"].as_str().unwrap();
    let file = std::fs::read_to_string(dir.path().join("alice.json")).unwrap();
    assert!(!file.contains("secret_key") && !file.contains(mnemonic), "{file}");
    assert_eq!(mode(&dir.path().join("alice.json")), 0o600);
    // Showing needs no passphrase.
    assert_eq!(ok(&["keys", "show", "alice", "--address", "--keyring-dir", k]).trim(), alice["address"]);

    // Signing with a wrong passphrase: one line, status 1, before any node is contacted.
    let wrong = [("CONCLAVE_KEYRING_PASSPHRASE", "not the passphrase")];
    let five = format!("5{DENOM}");
    let send =
        ["tx", "bank", "send", "bob", &five, "--from", "alice", "--keyring-dir", k, "--node", "http://127.0.0.1:9"];
    check_failure(&run_with(&send, &wrong, ""), &send, 1, "wrong passphrase for key \"alice\"");

    // The mnemonic on stdin restores the same address; the passphrase from a file.
    let pass_file = dir.path().join("pass");
    std::fs::write(&pass_file, "another passphrase\n").unwrap();
    std::fs::set_permissions(&pass_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let other = dir.path().join("other");
    let (o, p) = (s(&other), s(&pass_file));
    let recover =
        ["keys", "add", "alice", "--recover", "--keyring-dir", o, "--keyring-passphrase-file", p, "-o", "json"];
    let output = run_with(&recover, &[], mnemonic);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&stdout(&output))["address"], alice["address"]);

    // Delete asks; without an answer nothing is deleted.
    let delete = ["keys", "delete", "alice", "--keyring-dir", k];
    check_failure(&run_with(&delete, &[], ""), &delete, 1, "--yes");
    assert!(ok(&["keys", "delete", "alice", "--yes", "--keyring-dir", k]).contains("deleted"));

    // The test backend warns on stderr.
    let output = run_with(&["keys", "add", "dev", "--keyring-backend", "test", "--keyring-dir", o], &[], "");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning: keyring backend \"test\""), "{}", stderr(&output));
}

#[test]
fn localnet_no_start_writes_consistent_homes() {
    let cometbft = cometbft();
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net");
    let args = [
        "localnet",
        "--validators",
        "4",
        "--dir",
        s(&net),
        "--no-start",
        "--base-port",
        "36656",
        "--timeout-commit",
        "250ms",
        "--cometbft",
        s(&cometbft),
        "-o",
        "json",
    ];
    let manifest = json(&ok(&args));
    assert_eq!(manifest["running"], false);
    let nodes = manifest["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 4);

    let mut ports = BTreeSet::new();
    let mut sockets = BTreeSet::new();
    let mut peers_of = Vec::new();
    let genesis0 = std::fs::read(net.join("node0/config/genesis.json")).unwrap();
    for (i, node) in nodes.iter().enumerate() {
        let home = net.join(format!("node{i}"));
        assert_eq!(node["home"], s(&home));
        let config: toml_edit::DocumentMut =
            std::fs::read_to_string(home.join("config/config.toml")).unwrap().parse().unwrap();
        let p2p = config["p2p"]["laddr"].as_str().unwrap().to_string();
        let rpc = config["rpc"]["laddr"].as_str().unwrap().to_string();
        assert_eq!(p2p, format!("tcp://127.0.0.1:{}", node["p2p_port"]));
        assert_eq!(rpc, format!("tcp://127.0.0.1:{}", node["rpc_port"]));
        assert_eq!(node["rpc"], format!("http://127.0.0.1:{}", node["rpc_port"]).as_str());
        assert!(ports.insert(p2p) && ports.insert(rpc), "ports repeat");
        let proxy = config["proxy_app"].as_str().unwrap().to_string();
        assert_eq!(proxy, format!("unix://{}/data/abci.sock", home.display()));
        assert!(sockets.insert(proxy));
        assert_eq!(config["consensus"]["timeout_commit"].as_str(), Some("250ms"));
        assert_eq!(config["instrumentation"]["prometheus"].as_bool(), Some(false));
        assert_eq!(config["rpc"]["pprof_laddr"].as_str(), Some(""));
        assert_eq!(config["p2p"]["allow_duplicate_ip"].as_bool(), Some(true));
        let peers: BTreeSet<String> =
            config["p2p"]["persistent_peers"].as_str().unwrap().split(',').map(str::to_string).collect();
        peers_of.push(peers);
        // Every node has the same genesis, with our app_state.
        assert_eq!(std::fs::read(home.join("config/genesis.json")).unwrap(), genesis0, "node{i} genesis differs");
        let app: toml_edit::DocumentMut =
            std::fs::read_to_string(home.join("config/app.toml")).unwrap().parse().unwrap();
        assert_eq!(app["abci"]["address"].as_str(), config["proxy_app"].as_str());
        // A local network serves state-sync snapshots; pruning stays off.
        assert_eq!(app["state-sync"]["snapshot-interval"].as_integer(), Some(100));
        assert_eq!(app["min-retain-blocks"].as_integer(), Some(0));
        // The node id in the manifest is the node's.
        let id = Command::new(&cometbft).args(["show-node-id", "--home", s(&home)]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&id.stdout).trim(), node["node_id"].as_str().unwrap());
    }
    assert_eq!(ports.iter().filter(|p| p.ends_with(":36656")).count(), 1);
    // Each node peers with exactly the three others, at their P2P addresses.
    for (i, peers) in peers_of.iter().enumerate() {
        let expected: BTreeSet<String> = nodes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, n)| format!("{}@127.0.0.1:{}", n["node_id"].as_str().unwrap(), n["p2p_port"]))
            .collect();
        assert_eq!(peers, &expected, "node{i} peers");
    }

    let genesis = json(&String::from_utf8(genesis0).unwrap());
    assert_eq!(genesis["chain_id"], "localnet");
    // Node i is a staking candidate operated by key validator<i>, registered in genesis with its
    // consensus key; genesis.json's validators carry the powers the app elects.
    let validators = genesis["validators"].as_array().unwrap();
    assert_eq!(validators.len(), 4);
    let registrations = genesis["app_state"]["app"]["staking"]["registrations"].as_array().unwrap();
    assert_eq!(registrations.len(), 4);
    for (i, node) in nodes.iter().enumerate() {
        let key_file =
            json(&std::fs::read_to_string(net.join(format!("node{i}/config/priv_validator_key.json"))).unwrap());
        let key = key_file["pub_key"]["value"].as_str().unwrap();
        let validator = validators.iter().find(|v| v["pub_key"]["value"] == key).unwrap();
        assert_eq!(validator["power"], "100", "node{i}");
        let operator = &node["operator"];
        assert_eq!(operator["name"], format!("validator{i}").as_str());
        let registration = registrations.iter().find(|r| r["operator"] == operator["address"]).unwrap();
        let hex_key: String = registration["consensus_key"].as_str().unwrap().to_string();
        assert_eq!(hex_key.len(), 64);
        assert_eq!(registration["description"]["moniker"], format!("node{i}").as_str());
        let shown = ok(&["keys", "show", &format!("validator{i}"), "--address", "--home", s(&net)]);
        assert_eq!(shown.trim(), operator["address"].as_str().unwrap());
    }
    let rotation = &genesis["app_state"]["app"]["rotation"]["params"];
    assert_eq!(rotation["epoch_length"], 100);
    assert_eq!(
        (rotation["min_validators"].as_u64(), rotation["max_power_share_ppb"].as_u64()),
        (Some(4), Some(250_000_000))
    );
    let funded: BTreeSet<&str> = genesis["app_state"]["app"]["bank"]["balances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["address"].as_str().unwrap())
        .collect();
    let accounts = manifest["accounts"].as_array().unwrap();
    assert_eq!(
        accounts.iter().map(|a| a["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["alice", "bob", "carol", "dave"]
    );
    for account in accounts {
        assert!(funded.contains(account["address"].as_str().unwrap()));
        let key = net.join(format!("keys/{}.json", account["name"].as_str().unwrap()));
        assert_eq!(mode(&key), 0o600);
    }
    // The keys are usable with --home DIR.
    let bob = ok(&["keys", "show", "bob", "--address", "--home", s(&net)]);
    assert_eq!(bob.trim(), accounts[1]["address"].as_str().unwrap());

    // Writing again refuses; --overwrite recreates; a directory that is not a network is refused.
    fails(&args, 1, "--overwrite");
    let mut again = args.to_vec();
    again.push("--overwrite");
    let recreated = json(&ok(&again));
    assert_ne!(recreated["accounts"][0]["address"], accounts[0]["address"]);
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join("stuff")).unwrap();
    fails(&["localnet", "--dir", s(&other), "--no-start", "--overwrite"], 1, "is not a local network");
    assert!(other.join("stuff").exists());
}

#[test]
fn localnet_of_one_has_no_peers() {
    let cometbft = cometbft();
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("one");
    ok(&["localnet", "--validators", "1", "--dir", s(&net), "--no-start", "--cometbft", s(&cometbft)]);
    let config: toml_edit::DocumentMut =
        std::fs::read_to_string(net.join("node0/config/config.toml")).unwrap().parse().unwrap();
    assert_eq!(config["p2p"]["persistent_peers"].as_str(), Some(""));
    assert!(!net.join("node1").exists());
}
