//! The in-memory binary trie.
//!
//! Nodes are immutable and reference-counted (in pools, see [`pool`]); a new version copies only the
//! paths it changes and shares everything else with its parent, so keeping
//! many versions costs memory proportional to what changed.
//!
//! Shape (see `conclave_proof::root_from_leaves`, the definition this code
//! must agree with): a subtree with no leaf is [`Node::Empty`], one with a
//! single leaf is that [`Node::Leaf`], and only a subtree with two or more
//! leaves is a [`Node::Internal`]. Every function here returns subtrees in
//! that canonical form, which is what makes the root depend on the content
//! alone.

mod build;
mod node;
mod pool;
mod read;
mod update;

pub(crate) use build::build;
pub(crate) use node::{Node, View};
pub(crate) use read::{get, prove};
pub(crate) use update::{apply, KeySetEdits, NewValue, Update};
