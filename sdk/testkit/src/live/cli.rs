//! The chain's own command line against a running node: `<chain> ARGS --node URL` with keys
//! from a home (`--home H`, meaning `H/keys`) or a keyring directory (`--keyring-dir D`), and
//! its `--output json` parsed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use super::binary::ChainBinary;

/// Where the CLI takes its keys from.
#[derive(Clone, Debug)]
enum Keys {
    Home(PathBuf),
    KeyringDir(PathBuf),
}

/// Runs the chain's CLI against one node.
#[derive(Clone, Debug)]
pub struct Cli {
    binary: PathBuf,
    node: String,
    keys: Keys,
}

impl Cli {
    /// Commands get `--node node --home home`.
    pub fn with_home(binary: &ChainBinary, node: &str, home: &Path) -> Cli {
        Cli { binary: binary.path.clone(), node: node.to_string(), keys: Keys::Home(home.to_path_buf()) }
    }

    /// Commands get `--node node --keyring-dir dir`.
    pub fn with_keyring_dir(binary: &ChainBinary, node: &str, dir: &Path) -> Cli {
        Cli { binary: binary.path.clone(), node: node.to_string(), keys: Keys::KeyringDir(dir.to_path_buf()) }
    }

    /// The node's RPC endpoint.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// `<chain> ARGS [--node URL] --home H | --keyring-dir D` (`keys` commands take no
    /// `--node`).
    pub fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(&self.binary);
        command.args(args);
        if args.first() != Some(&"keys") {
            command.args(["--node", &self.node]);
        }
        match &self.keys {
            Keys::Home(home) => command.arg("--home").arg(home),
            Keys::KeyringDir(dir) => command.arg("--keyring-dir").arg(dir),
        };
        command.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", self.binary.display()))
    }

    /// Runs a command that must succeed and print JSON (`--output json` is added).
    pub fn json(&self, args: &[&str]) -> Value {
        let output = self.run(&[args, &["--output", "json"]].concat());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?} failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?} printed non-JSON ({e}): {stdout}"))
    }

    /// Runs a `tx` command that must be included with code 0; returns its JSON result.
    pub fn tx(&self, args: &[&str]) -> Value {
        let result = self.json(args);
        assert_eq!(result["code"], 0, "{args:?}: {result}");
        result
    }

    /// Like [`Cli::tx`]; returns the height that included it.
    pub fn tx_height(&self, args: &[&str]) -> u64 {
        let result = self.tx(args);
        result["height"].as_u64().unwrap_or_else(|| panic!("{args:?}: a tx result without height: {result}"))
    }

    /// Runs a command that must fail with status 1 (an error, not a usage error); returns
    /// its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(output.status.code(), Some(1), "{args:?} should fail with status 1: {stderr}");
        stderr
    }

    /// `keys add NAME`; returns the new account's address.
    pub fn add_key(&self, name: &str) -> String {
        let key = self.json(&["keys", "add", name]);
        key["address"].as_str().unwrap_or_else(|| panic!("keys add {name} printed {key}")).to_string()
    }
}
