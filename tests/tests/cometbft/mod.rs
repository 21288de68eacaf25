//! Support for the tests that run the chain under a real CometBFT (`under_cometbft_*.rs`).
//!
//! - [`binaries`]: finding `cometbft` and building `appchaind`;
//! - [`process`]: child processes that are always stopped and reaped;
//! - [`network`]: node homes made by the real CLI, and the running nodes;
//! - [`rpc`]: a small client for CometBFT's JSON RPC;
//! - [`load`]: transfer load, and balances recomputed from the blocks.
//!
//! Every wait is bounded and fails with what it was waiting for and the nodes' log tails.
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
