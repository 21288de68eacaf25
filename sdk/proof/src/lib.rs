//! Hash scheme, proof format and standalone verifier of the Conclave state tree.
//!
//! This crate owns everything a light client needs to check a state proof, and
//! nothing else: no storage, no I/O, only `blake3` and `borsh`.
//!
//! The tree is a binary sparse Merkle trie over `blake3(key)`, compacted: a
//! subtree holding one leaf is that leaf, placed at the shallowest depth where
//! its key hash is unique; internal nodes exist only above two or more leaves.
//! The root is therefore a function of the set of `(key, value)` pairs alone,
//! whatever order they were written in.
//!
//! Invariants:
//! - every node hash is one blake3 compression over 64 bytes ([`hash`]);
//! - leaf, internal and empty hashes are distinguishable by their first bit
//!   (leaf/empty: MSB 0, internal: MSB 1), so a proof cannot pass off one kind
//!   of node as another;
//! - a valid proof is unique per (root, key) ([`verify`]).
//!
//! Start with [`Proof::verify`]; the byte layout of a proof is in [`proof`],
//! the definition of the root in [`root_from_leaves`].

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod hash;
pub mod proof;
mod spec;
pub mod verify;

pub use hash::{
    internal_hash, is_internal_hash, key_hash, leaf_hash, path_bit, value_hash, Hash, EMPTY_ROOT, MAX_DEPTH,
};
pub use proof::{Proof, Terminal};
pub use spec::{root_from_leaves, subtree_root};
pub use verify::ProofError;
