//! Conclave test kit: drive an app through exactly the entry points CometBFT calls
//! (InitChain, CheckTx, FinalizeBlock, Commit, Info, Query), in process, with deterministic
//! keys, block heights and block times.
//!
//! Start at [`TestChain`]: build it from an app and its genesis, sign transactions for
//! [`TestAccount`]s, produce blocks, query, and reopen from disk to test recovery. Every
//! committed block runs the app's invariant checks unless disabled.
//!
//! This crate panics on failures: it is a test harness, never linked into a node.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account;
mod chain;

pub use account::{TestAccount, TxOptions};
pub use chain::{TestChain, TestChainBuilder};
