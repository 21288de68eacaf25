//! Conclave test kit: drive an app through exactly the entry points CometBFT calls
//! (InitChain, CheckTx, FinalizeBlock, Commit, Info, Query), in process, with deterministic
//! keys, block heights and block times.
//!
//! Start at [`TestChain`]: build it from an app and its genesis, sign transactions for
//! [`TestAccount`]s, produce blocks, query, and reopen from disk to test recovery. Every
//! committed block runs the app's invariant checks unless disabled. Like CometBFT, the chain
//! keeps the validator set by height ([`ConsensusView`]): its blocks carry the previous
//! block's commit (every member signing unless a test marks it absent), and tests make
//! double-sign evidence against real members.
//!
//! With the `live` feature, [`live`] runs a chain's real binary under real CometBFT: single
//! nodes and local networks, process control, waits, app-hash and validator-set checks, and
//! the chain's CLI.
//!
//! This crate panics on failures: it is a test harness, never linked into a node.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account;
mod chain;
mod consensus;
#[cfg(feature = "live")]
pub mod live;

pub use account::{TestAccount, TxOptions};
pub use chain::{TestChain, TestChainBuilder};
pub use consensus::{ConsensusView, ValidatorSet};
