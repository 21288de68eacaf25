//! Live networks of a real chain binary under real CometBFT 0.38 (feature `live`): what this
//! repository's `tests/tests/under_cometbft_*.rs` use, and what a chain scaffolded outside it
//! uses to test its own binary the same way.
//!
//! Every chain built with `conclave-node` has the same command line (`init`, `localnet
//! --no-start`, `start`, `keys`, `tx`, `query`) and home layout, so the harness is
//! parameterised by the binary's path alone ([`ChainBinary`]):
//! - [`Network::single`], [`Network::localnet`], [`Network::localnet_with_full_nodes`]: homes
//!   made by the chain's own CLI in a temporary directory, on free loopback ports, with fast
//!   consensus timeouts; the funded accounts as [`TestAccount`](crate::TestAccount)s;
//! - [`Node`]: start, stop or `kill -9` the chain process or CometBFT alone, at a chosen
//!   moment of CometBFT's log; its typed RPC client ([`conclave_cometbft::Rpc`]);
//! - waits that fail on a stall or a dead process with both logs' tails
//!   ([`Network::wait_for_height`], [`wait_for`]); app-hash comparison across nodes
//!   ([`Network::assert_same_app_hashes`]); validator sets ([`Network::validator_set_everywhere`]);
//! - [`Cli`]: the chain's own `tx`/`query`/`keys` against a node, JSON output parsed.
//!
//! Dropping a [`Network`] stops every process and deletes its homes; `CONCLAVE_E2E_KEEP=1`
//! keeps a failed test's homes (the path is printed).
//!
//! A chain crate outside this repository adds `conclave-testkit = { .., features = ["live"] }`
//! to its dev-dependencies and, in its `tests/`:
//!
//! ```no_run
//! use std::path::Path;
//! use std::time::Duration;
//!
//! use conclave_testkit::live::{ChainBinary, Network};
//!
//! // In the package that defines the binary: ChainBinary::new(env!("CARGO_BIN_EXE_mychaind")).
//! // From another package of the workspace, build it:
//! let binary = ChainBinary::cargo_build(Path::new(env!("CARGO_MANIFEST_DIR")), "mychain", "mychaind");
//! let mut net = Network::localnet(&binary, 4, "my-test-chain");
//! net.start_all();
//! net.wait_all(5, Duration::from_secs(30));
//! net.assert_same_app_hashes(1, net.common_app_hash_height());
//! let balance = net.cli(0).json(&["query", "bank", "balance", "alice"]);
//! ```
//!
//! Why here and not in `conclave-cometbft`: the harness panics with log tails on failure (a
//! test harness should), and signs with [`TestAccount`](crate::TestAccount)s; the toolkit it
//! builds on is linked into node binaries and must do neither. The feature keeps `ureq`,
//! `toml_edit` and the toolkit out of in-process tests that do not need them.

mod binary;
mod cli;
mod files;
mod network;
mod node;

use std::time::{Duration, Instant};

pub use binary::{cometbft, ChainBinary};
pub use cli::Cli;
pub use files::{edit_toml, genesis, read_json, read_key, ConsensusKey};
pub use network::{Network, ValidatorInfo, TIMEOUT_COMMIT, TIMEOUT_PROPOSE};
pub use node::Node;

/// Polls `probe` every 100 ms until it returns `Ok`, for at most `timeout`; then fails with
/// `what` and the last state the probe gave as `Err`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match probe() {
            Ok(value) => return value,
            Err(state) => state,
        };
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}; last state: {last}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
