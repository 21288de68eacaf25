//! Support for the tests that run the chain under a real CometBFT (`under_cometbft_*.rs`).
//!
//! - [`binaries`]: finding `cometbft` and building `appchaind`;
//! - [`process`]: child processes that are always stopped and reaped;
//! - [`network`]: node homes made by the real CLI, and the running nodes;
//! - [`rpc`]: a small client for CometBFT's JSON RPC;
//! - [`load`]: transfer load, and balances recomputed from the blocks.
//!
//! Every wait is bounded and fails with what it was waiting for and the nodes' log tails.
//!
//! Validators plus full nodes (for validator-set changes):
//! - [`network::Network::localnet_with_full_nodes`]`(n, m, chain_id)`: `n` genesis
//!   validators and `m` full nodes, all from one `appchaind localnet --validators n+m
//!   --no-start` (each node has its own home, free loopback ports, node key and consensus
//!   key, and all nodes are persistent peers of each other); the full nodes' keys are then
//!   taken out of the genesis validator set, identically in every home. Full nodes are the
//!   last `m` nodes (`genesis_validator == false`; [`network::Network::full_node_indices`],
//!   [`network::Network::validator_indices`]). Started, stopped and removed like any network.
//! - [`network::Node::consensus_key`] / [`network::Node::consensus_key_file`]: a node's
//!   `priv_validator_key.json` (address and ed25519 key; the file `tx staking register
//!   --consensus-key-file` takes). [`network::Network::genesis_validators`]: genesis's set.
//! - [`rpc::Rpc::validator_set`]`(h)`: every page of `/validators?height=h` as
//!   `(address, pub_key, voting_power)`, sorted; [`network::Network::validator_set_everywhere`]
//!   asks every node and fails if they disagree. [`rpc::Rpc::validator_updates`]`(h)`: the
//!   updates block `h` returned (`/block_results`), which are in the set of height `h + 2`.
//! - App hashes: [`rpc::Rpc::app_hash_at`]`(h)` is the app hash after block `h` (header
//!   `h + 1`); [`network::Network::common_app_hash_height`] is the highest height every node
//!   has one for; [`network::Network::assert_same_app_hashes`]`(from, to)` compares every
//!   node's app hashes (and block hashes) for every height in the range.
//! - [`network::Network::wait_all`]`(h, stall)`: every node at height `h` or more.
#![allow(dead_code, unreachable_pub)]

pub mod binaries;
pub mod load;
pub mod network;
pub mod process;
pub mod rpc;

use std::time::{Duration, Instant};

/// Polls `probe` every 100 ms until it returns `Some`, for at most `timeout`; then fails
/// with `what` and the last state `describe` gives.
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
