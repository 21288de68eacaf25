//! `localnet`: N validators on 127.0.0.1, each a `<binary> start --with-cometbft`
//! child of this process, with funded accounts; Ctrl-C stops them all.
//!
//! Layout of `--dir DIR`:
//! ```text
//! DIR/localnet.json       the manifest: chain id, nodes (home, ports, node id), accounts
//! DIR/keys/               alice, bob, carol, dave (funded in genesis), and validator<i>, the
//!                         operator of node<i> (funded, registered as a staking candidate with
//!                         node<i>'s consensus key and a self-bond)
//! DIR/node<i>/            a node home (see `home.rs`), plus <binary>.log and cometbft.log
//! ```
//! Ports: node i listens on P+10i (P2P) and P+10i+1 (RPC), P = --base-port (26656);
//! ABCI is a Unix socket in each home; pprof and Prometheus are off.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;

use conclave_cometbft::{Process, Rpc, StopSignal};
use conclave_core::Address;

use conclave_client::keys::Keyring;
use conclave_client::{out, say, OutputFormat};

use crate::chain::{Chain, NewValidator};
use crate::cli::LocalnetArgs;
use crate::cometbft::{self, path_str, ConfigToml};
use crate::genesis::{consensus_key_of, edit_genesis, ChainGenesis, GENESIS_BALANCE, GENESIS_SELF_BOND};
use crate::home::{absolute, AppConfig, Home};

/// Funded accounts of every local network.
pub(crate) const ACCOUNTS: [&str; 4] = ["alice", "bob", "carol", "dave"];
const MANIFEST: &str = "localnet.json";
const DEFAULT_VALIDATORS: u16 = 4;
/// `[state-sync] snapshot-interval` of a local network's nodes (off by default elsewhere).
const LOCALNET_SNAPSHOT_INTERVAL: u64 = 100;

/// `DIR/localnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    /// The chain id.
    pub(crate) chain_id: String,
    /// The validators, node0 first.
    pub(crate) nodes: Vec<NodeEntry>,
    /// Where the account keys are.
    pub(crate) keys: PathBuf,
    /// The funded accounts.
    pub(crate) accounts: Vec<AccountEntry>,
}

/// One validator of the manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NodeEntry {
    /// `node<i>`.
    pub(crate) name: String,
    /// Its home.
    pub(crate) home: PathBuf,
    /// CometBFT node id.
    pub(crate) node_id: String,
    /// P2P port on 127.0.0.1.
    pub(crate) p2p_port: u16,
    /// RPC port on 127.0.0.1.
    pub(crate) rpc_port: u16,
    /// RPC endpoint.
    pub(crate) rpc: String,
    /// The operator's key name (`validator<i>`); absent in networks made before operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) operator: Option<AccountEntry>,
}

/// A funded account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountEntry {
    /// Key name.
    pub(crate) name: String,
    /// Address.
    pub(crate) address: Address,
}

/// Runs `localnet`.
pub(crate) fn run<C: Chain>(args: LocalnetArgs<C::GenesisArgs>) -> Result<ExitCode> {
    let dir = absolute(&args.dir)?;
    let manifest_path = dir.join(MANIFEST);
    let cometbft = cometbft::locate(args.cometbft.cometbft.as_deref())?;
    let manifest = if manifest_path.is_file() && !args.overwrite {
        if args.no_start {
            bail!("{} already holds a local network; pass --overwrite to create a new one", dir.display());
        }
        let manifest: Manifest = serde_json::from_slice(&std::fs::read(&manifest_path)?).with_context(|| {
            format!("{} is damaged; pass --overwrite to create a new network", manifest_path.display())
        })?;
        if let Some(n) = args.validators {
            if usize::from(n) != manifest.nodes.len() {
                bail!(
                    "{} holds a network of {} validators, not {n}; pass --overwrite to create a new one",
                    dir.display(),
                    manifest.nodes.len()
                );
            }
        }
        say!("resuming the local network in {} (pass --overwrite to create a new one)", dir.display());
        manifest
    } else {
        if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
            if !manifest_path.is_file() {
                bail!("{} exists and is not a local network; choose another --dir or delete it", dir.display());
            }
            if let Ok(old) = serde_json::from_slice::<Manifest>(&std::fs::read(&manifest_path)?) {
                if let Some(node) =
                    old.nodes.iter().find(|n| std::net::TcpListener::bind(("127.0.0.1", n.rpc_port)).is_err())
                {
                    bail!(
                        "the network in {} seems to be running ({} RPC port {} is in use); stop it before --overwrite",
                        dir.display(),
                        node.name,
                        node.rpc_port
                    );
                }
            }
            std::fs::remove_dir_all(&dir).with_context(|| format!("cannot delete {}", dir.display()))?;
        }
        create::<C>(&args, &dir, &cometbft)?
    };
    if args.no_start {
        print_summary::<C>(&manifest, &dir, args.output.output, false);
        return Ok(ExitCode::SUCCESS);
    }
    start::<C>(&manifest, &dir, &cometbft, args.start_timeout, args.output.output)
}

fn create<C: Chain>(args: &LocalnetArgs<C::GenesisArgs>, dir: &Path, cometbft: &Path) -> Result<Manifest> {
    let n = args.validators.unwrap_or(DEFAULT_VALIDATORS);
    let port = |i: u16, offset: u16| -> Result<u16> {
        args.base_port.checked_add(i * 10 + offset).with_context(|| {
            format!("--base-port {} leaves no room for {n} nodes (10 ports each); use a lower one", args.base_port)
        })
    };
    port(n - 1, 1)?;
    say!("creating {n} validator homes in {}", dir.display());
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let n_text = n.to_string();
    cometbft::run(
        cometbft,
        &[
            "testnet",
            "--v",
            &n_text,
            "--o",
            path_str(dir)?,
            "--starting-ip-address",
            "127.0.0.1",
            "--node-dir-prefix",
            "node",
        ],
    )?;

    // A local network's keys are unencrypted (the `test` backend): no passphrase to type.
    let keyring = Keyring::test(dir.join("keys"));
    let mut nodes = Vec::new();
    let mut validators = Vec::new();
    for i in 0..n {
        let home = Home::new(&dir.join(format!("node{i}")))?;
        home.socket_address()?;
        let node_id = cometbft::node_id(cometbft, home.root())?;
        let (p2p_port, rpc_port) = (port(i, 0)?, port(i, 1)?);
        let operator = keyring.add(&format!("validator{i}"))?.info;
        validators.push(NewValidator {
            operator: operator.address,
            consensus_key: consensus_key_of(&home.config_dir().join("priv_validator_key.json"))?,
            moniker: format!("node{i}"),
            self_bond: GENESIS_SELF_BOND,
        });
        nodes.push(NodeEntry {
            operator: Some(AccountEntry { name: format!("validator{i}"), address: operator.address }),
            name: format!("node{i}"),
            home: home.root().to_path_buf(),
            node_id,
            p2p_port,
            rpc_port,
            rpc: format!("http://127.0.0.1:{rpc_port}"),
        });
    }

    let mut accounts = Vec::new();
    for name in ACCOUNTS {
        let info = keyring.add(name)?.info;
        accounts.push(AccountEntry { name: name.to_string(), address: info.address });
    }
    let addresses: Vec<Address> = accounts.iter().map(|a| a.address).collect();
    let first = Home::new(&nodes[0].home)?;
    // The first account (alice) is the parameter authority of a local network.
    let authority = addresses.first().copied().ok_or_else(|| anyhow::anyhow!("no localnet accounts"))?;
    let chain = ChainGenesis { accounts: addresses, validators, authority };
    let genesis = edit_genesis::<C>(&first.genesis(), &args.chain_id, chain.app_state::<C>(&args.genesis, true)?)?;

    for node in &nodes {
        let home = Home::new(&node.home)?;
        std::fs::write(home.genesis(), &genesis)
            .with_context(|| format!("cannot write {}", home.genesis().display()))?;
        let peers: Vec<String> = nodes
            .iter()
            .filter(|other| other.name != node.name)
            .map(|other| format!("{}@127.0.0.1:{}", other.node_id, other.p2p_port))
            .collect();
        let socket = home.socket_address()?;
        let mut config = ConfigToml::load(&home.config_toml())?;
        config
            .set("", "moniker", node.name.as_str())?
            .set("", "proxy_app", socket.as_str())?
            .set("", "abci", "socket")?
            .set("rpc", "laddr", format!("tcp://127.0.0.1:{}", node.rpc_port))?
            .set("rpc", "pprof_laddr", "")?
            .set("p2p", "laddr", format!("tcp://127.0.0.1:{}", node.p2p_port))?
            .set("p2p", "persistent_peers", peers.join(","))?
            .set("p2p", "allow_duplicate_ip", true)?
            .set("p2p", "addr_book_strict", false)?
            .set("consensus", "timeout_commit", args.timeout_commit.as_str())?
            .set("consensus", "timeout_propose", args.timeout_propose.as_str())?
            .set("instrumentation", "prometheus", false)?;
        config.save()?;
        let mut app_config = AppConfig::new(socket);
        // A local network serves state sync, so a node added to it can start from a snapshot.
        app_config.state_sync.snapshot_interval = LOCALNET_SNAPSHOT_INTERVAL;
        app_config.write(&home)?;
    }

    let manifest = Manifest { chain_id: args.chain_id.clone(), nodes, keys: keyring.dir().to_path_buf(), accounts };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    std::fs::write(dir.join(MANIFEST), text)
        .with_context(|| format!("cannot write {}", dir.join(MANIFEST).display()))?;
    Ok(manifest)
}

/// The running children (`None` once exited); dropping this stops them.
struct Nodes {
    children: Vec<Option<Process>>,
}

impl Nodes {
    fn stop_all(&mut self) {
        let mut alive: Vec<Process> = self.children.iter_mut().filter_map(Option::take).collect();
        if alive.is_empty() {
            return;
        }
        say!("stopping {} node(s)...", alive.len());
        for process in &mut alive {
            process.terminate();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        for process in &mut alive {
            if process.wait_exit(deadline.saturating_duration_since(Instant::now())).is_none() {
                let _ = process.kill9();
                say!("a node did not stop within 20s and was killed");
            }
        }
        say!("stopped");
    }

    /// The first child that exited since the last call: (name, log, status).
    fn exited(&mut self) -> Option<(String, PathBuf, String)> {
        for slot in &mut self.children {
            let Some(process) = slot.as_mut() else { continue };
            if let Some(status) = process.exit_status() {
                let found = (process.name().to_string(), process.log().to_path_buf(), status.to_string());
                *slot = None;
                return Some(found);
            }
        }
        None
    }

    fn running(&self) -> usize {
        self.children.iter().filter(|c| c.is_some()).count()
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        self.stop_all();
    }
}

fn start<C: Chain>(
    manifest: &Manifest,
    dir: &Path,
    cometbft: &Path,
    timeout: Duration,
    output: OutputFormat,
) -> Result<ExitCode> {
    for node in &manifest.nodes {
        for (port, what) in [(node.p2p_port, "P2P"), (node.rpc_port, "RPC")] {
            if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                bail!(
                    "port {port} ({} {what}) on 127.0.0.1 is in use; stop whatever uses it (another localnet?) or create the network with another --base-port",
                    node.name
                );
            }
        }
    }
    let stop = StopSignal::install().context("cannot handle SIGINT and SIGTERM")?;
    let exe = std::env::current_exe().context("cannot find this program's executable")?;
    let mut nodes = Nodes { children: Vec::new() };
    for node in &manifest.nodes {
        let home = Home::new(&node.home)?;
        let mut command = Command::new(&exe);
        command
            .arg("start")
            .arg("--home")
            .arg(home.root())
            .arg("--with-cometbft")
            .arg("--cometbft")
            .arg(cometbft)
            .arg("--exit-with-parent")
            // Not in our process group: Ctrl-C reaches only us, and we stop the nodes in order.
            .process_group(0);
        let process = Process::spawn(&node.name, command, &home.node_log())
            .with_context(|| format!("cannot start {}", exe.display()))?;
        nodes.children.push(Some(process));
    }
    say!(
        "started {} node(s); logs in {}/node<i>/{}.log and cometbft.log",
        manifest.nodes.len(),
        dir.display(),
        conclave_client::chain::description().binary
    );

    let deadline = Instant::now() + timeout;
    let total = manifest.nodes.len();
    for (i, node) in manifest.nodes.iter().enumerate() {
        let _ = write!(std::io::stderr(), "waiting for node {}/{total} to produce height 1... ", i + 1);
        let _ = std::io::stderr().flush();
        let rpc = Rpc::new(&node.rpc)?;
        loop {
            if let Some(signal) = stop.received() {
                say!("interrupted");
                say!("received {signal}");
                nodes.stop_all();
                return Ok(ExitCode::SUCCESS);
            }
            if let Some((name, log, status)) = nodes.exited() {
                say!("failed");
                bail!("{name} exited during start-up ({status}); see {} and the cometbft.log beside it", log.display());
            }
            if let Ok(height) = rpc.height() {
                if height >= 1 {
                    say!("ok (height {height})");
                    break;
                }
            }
            if Instant::now() >= deadline {
                say!("timed out");
                bail!(
                    "{} did not produce height 1 within {}s; see {}/{}/{}.log and cometbft.log",
                    node.name,
                    timeout.as_secs(),
                    dir.display(),
                    node.name,
                    C::DESCRIPTION.binary
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    print_summary::<C>(manifest, dir, output, true);
    say!("press Ctrl-C to stop the network");
    loop {
        if let Some(signal) = stop.received() {
            say!("received {signal}");
            break;
        }
        if let Some((name, log, status)) = nodes.exited() {
            say!("warning: {name} exited ({status}); see {}. The other nodes keep running.", log.display());
            if nodes.running() == 0 {
                bail!("every node has exited; see the logs in {}", dir.display());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    nodes.stop_all();
    Ok(ExitCode::SUCCESS)
}

fn print_summary<C: Chain>(manifest: &Manifest, dir: &Path, output: OutputFormat, running: bool) {
    if output == OutputFormat::Json {
        let mut value = serde_json::to_value(manifest).unwrap_or_default();
        value["dir"] = json!(dir);
        value["running"] = json!(running);
        out!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        return;
    }
    let state = if running { "is running" } else { "is ready (not started)" };
    out!("local network {:?} {state}: {} validator(s) in {}", manifest.chain_id, manifest.nodes.len(), dir.display());
    out!("");
    out!("nodes:");
    for node in &manifest.nodes {
        out!("  {:<7} rpc {}  p2p 127.0.0.1:{}  home {}", node.name, node.rpc, node.p2p_port, node.home.display());
    }
    out!("");
    let (bin, denom) = (C::DESCRIPTION.binary, C::DESCRIPTION.denom);
    out!("accounts ({GENESIS_BALANCE}{denom} each; keys in {}):", manifest.keys.display());
    for account in &manifest.accounts {
        out!("  {:<11} {}", account.name, account.address);
    }
    match (C::parameter_authority(), manifest.accounts.first()) {
        (Some(authority), _) => {
            out!("parameter authority: {authority} (the chain's governance: parameters change through proposals)")
        }
        (None, Some(first)) => out!("parameter authority (may send each module's update-params): {}", first.name),
        (None, None) => {}
    }
    let operators: Vec<&AccountEntry> = manifest.nodes.iter().filter_map(|n| n.operator.as_ref()).collect();
    if !operators.is_empty() {
        out!("validator operators (each bonded {GENESIS_SELF_BOND}{denom} to its node at genesis):");
        for (node, operator) in manifest.nodes.iter().zip(operators) {
            out!("  {:<11} {}  runs {}", operator.name, operator.address, node.name);
        }
    }
    let node0 = manifest.nodes.first().map(|n| n.rpc.as_str()).unwrap_or(conclave_client::args::DEFAULT_NODE);
    let home = dir.display();
    out!("");
    out!("try:");
    for example in C::localnet_examples() {
        let example = example
            .replace("{bin}", bin)
            .replace("{denom}", denom)
            .replace("{home}", &home.to_string())
            .replace("{node}", node0);
        out!("  {example}");
    }
    if !running {
        out!("start it with:");
        out!("  {bin} localnet --dir {home}");
    }
}
