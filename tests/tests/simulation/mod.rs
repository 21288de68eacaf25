//! The whole-chain simulation, in the spirit of the Cosmos SDK simulator: a random genesis
//! from a seed, weighted random signed operations from every module, faults (validators
//! offline, double signs) through the test chain, every module's invariants after every block,
//! export and import at the end, and each seed run several times to compare app hashes at
//! every height. Everything is derived from the seed (ChaCha8): no wall clock, no thread RNG,
//! no hash-map order.
//!
//! Files, each owning one part:
//! - `config.rs`: the tiers (CI default; `SIM_*` environment variables) and the replay command;
//! - `genesis.rs`: the random genesis and the world around it (accounts, timing, fault rates);
//! - `view.rs`: what the generator reads from the chain (queries of committed state);
//! - `operations/`: the weighted operations and their plausible arguments, one file per module;
//! - `faults.rs`: offline validators, double signs, proposers, late blocks;
//! - `runner.rs`: one run of a seed, export/import, the repeated runs compared;
//! - `report.rs`: the figures and the printed summary;
//! - `golden.rs`: the committed final app hashes.

pub mod config;
pub mod faults;
pub mod genesis;
pub mod golden;
pub mod operations;
pub mod report;
pub mod runner;
pub mod view;
