//! The bodies of Conclave's fuzz targets, one function per input surface.
//!
//! `fuzz/` (cargo-fuzz, libFuzzer; outside the workspace) calls each function from a
//! `fuzz_target!`; `tests/corpora_replay.rs` runs every committed corpus and regression file
//! through the same function under `cargo test`, so CI needs neither a fuzzer nor nightly.
//! A function panics exactly when it finds a bug: a panic reachable from the input, or a
//! property that fails (stated at the top of each module).
//!
//! Where to start: [`TARGETS`]; `scripts/fuzz.sh` runs them, `docs/reliability.md` has the
//! figures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod abci_frame;
pub mod check_tx;
pub mod fixture;
pub mod genesis_json;
pub mod module_messages;
pub mod proof_verify;
pub mod store_model;
pub mod tx_envelope;

/// A target's body: panics on a finding.
pub type Body = fn(&[u8]);

/// Every target: its name (the `fuzz/fuzz_targets/<name>.rs` binary and the
/// `fuzz/corpus/<name>/` directory) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("tx_envelope", tx_envelope::run),
    ("check_tx", check_tx::run),
    ("module_messages", module_messages::run),
    ("abci_frame", abci_frame::run),
    ("genesis_json", genesis_json::run),
    ("proof_verify", proof_verify::run),
    ("store_model", store_model::run),
];
