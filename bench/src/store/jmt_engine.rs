//! The `jmt` crate (0.12) over an in-memory `HashMap` node store, hashing with blake3.
//!
//! A block's "commit" is `put_value_set` + `write_node_batch` + pruning of the nodes and
//! values that fell out of the retention window (the same `keep_versions` as conclave-store).
//! Nothing is written to disk, so jmt is favoured: it pays no serialisation, no I/O, no fsync.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use anyhow::{bail, Result};
use jmt::proof::SparseMerkleProof;
use jmt::storage::{LeafNode, Node, NodeBatch, NodeKey, TreeReader, TreeUpdateBatch, TreeWriter};
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, RootHash, SimpleHasher, Version};

use super::engine::{hex, Engine};
use super::workload::ChangeSet;

/// blake3 as jmt's hasher (jmt hashes with domain prefixes, so node inputs are 77–80 bytes).
pub(crate) struct Blake3(blake3::Hasher);

impl SimpleHasher for Blake3 {
    fn new() -> Self {
        Blake3(blake3::Hasher::new())
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// Per key hash: `(version, value)` in increasing version order (`None`: deleted).
type ValueHistory = HashMap<KeyHash, Vec<(Version, Option<OwnedValue>)>>;

/// The nodes a version made stale.
type StaleBatch = (Version, Vec<NodeKey>);

/// Nodes and value history in `HashMap`s, plus the stale-node index, behind `RefCell`s
/// (jmt's `TreeWriter` takes `&self`).
#[derive(Default)]
struct MemTreeStore {
    nodes: RefCell<HashMap<NodeKey, Node>>,
    values: RefCell<ValueHistory>,
    /// Nodes made stale by each version, oldest version first.
    stale: RefCell<VecDeque<StaleBatch>>,
    /// Oldest version that must stay readable.
    oldest_retained: RefCell<Version>,
}

impl TreeReader for MemTreeStore {
    fn get_node_option(&self, node_key: &NodeKey) -> Result<Option<Node>> {
        Ok(self.nodes.borrow().get(node_key).cloned())
    }

    fn get_value_option(&self, max_version: Version, key_hash: KeyHash) -> Result<Option<OwnedValue>> {
        let values = self.values.borrow();
        let newest = values.get(&key_hash).and_then(|history| history.iter().rev().find(|(v, _)| *v <= max_version));
        Ok(newest.and_then(|(_, value)| value.clone()))
    }

    fn get_rightmost_leaf(&self) -> Result<Option<(NodeKey, LeafNode)>> {
        bail!("get_rightmost_leaf is only used by jmt's restore, which the benchmark does not run")
    }
}

impl TreeWriter for MemTreeStore {
    fn write_node_batch(&self, batch: &NodeBatch) -> Result<()> {
        let mut nodes = self.nodes.borrow_mut();
        nodes.extend(batch.nodes().iter().map(|(k, n)| (k.clone(), n.clone())));
        let oldest = *self.oldest_retained.borrow();
        let mut values = self.values.borrow_mut();
        for ((version, key_hash), value) in batch.values() {
            let history = values.entry(*key_hash).or_default();
            history.push((*version, value.clone()));
            // Keep the newest entry at or before the retention horizon and everything after it.
            let superseded = history.iter().skip(1).take_while(|(v, _)| *v <= oldest).count();
            history.drain(..superseded);
        }
        Ok(())
    }
}

impl MemTreeStore {
    /// Writes a tree update and prunes what versions before `oldest_retained` no longer need.
    fn apply(&self, update: TreeUpdateBatch, oldest_retained: Version) -> Result<()> {
        *self.oldest_retained.borrow_mut() = oldest_retained;
        self.write_node_batch(&update.node_batch)?;
        let mut stale = self.stale.borrow_mut();
        for index in update.stale_node_index_batch {
            match stale.back_mut() {
                Some((version, keys)) if *version == index.stale_since_version => keys.push(index.node_key),
                _ => stale.push_back((index.stale_since_version, vec![index.node_key])),
            }
        }
        let mut nodes = self.nodes.borrow_mut();
        // A node stale since version v is read only by versions < v.
        while stale.front().is_some_and(|(version, _)| *version <= oldest_retained) {
            for key in stale.pop_front().into_iter().flat_map(|(_, keys)| keys) {
                nodes.remove(&key);
            }
        }
        Ok(())
    }
}

/// jmt with blake3 over [`MemTreeStore`], retaining the last `keep_versions` versions.
pub(crate) struct JmtEngine {
    store: MemTreeStore,
    keep_versions: u64,
    /// Latest committed version and root (`None` before the preload).
    latest: Option<(Version, RootHash)>,
    /// Computed by [`Engine::stage`], written by [`Engine::commit`].
    staged: Option<(Version, RootHash, TreeUpdateBatch)>,
}

impl JmtEngine {
    /// An empty tree.
    pub(crate) fn new(keep_versions: u64) -> Self {
        JmtEngine { store: MemTreeStore::default(), keep_versions, latest: None, staged: None }
    }

    fn tree(&self) -> JellyfishMerkleTree<'_, MemTreeStore, Blake3> {
        JellyfishMerkleTree::new(&self.store)
    }

    fn write(&mut self, version: Version, root: RootHash, update: TreeUpdateBatch) -> Result<()> {
        let oldest = (version + 1).saturating_sub(self.keep_versions);
        self.store.apply(update, oldest)?;
        self.latest = Some((version, root));
        Ok(())
    }

    fn latest(&self) -> Result<(Version, RootHash)> {
        match self.latest {
            Some(latest) => Ok(latest),
            None => bail!("jmt: nothing committed yet"),
        }
    }
}

impl Engine for JmtEngine {
    type Proof = SparseMerkleProof<Blake3>;

    /// Bulk load with `batch_put_value_sets` (jmt's insert-only batch path, faster than
    /// `put_value_set`) at version 0.
    fn preload(&mut self, changes: ChangeSet) -> Result<()> {
        let values =
            changes.into_iter().filter_map(|(key, value)| Some((KeyHash::with::<Blake3>(&key), value?))).collect();
        let (roots, update) = self.tree().batch_put_value_sets(vec![values], None, 0)?;
        let Some(root) = roots.first().copied() else { bail!("jmt returned no root") };
        self.write(0, root, update)
    }

    fn stage(&mut self, changes: ChangeSet) -> Result<()> {
        let (latest, _) = self.latest()?;
        let version = latest + 1;
        let value_set = changes.into_iter().map(|(key, value)| (KeyHash::with::<Blake3>(&key), value));
        let (root, update) = self.tree().put_value_set(value_set, version)?;
        self.staged = Some((version, root, update));
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        let Some((version, root, update)) = self.staged.take() else { bail!("jmt: commit without a staged version") };
        self.write(version, root, update)
    }

    fn prove(&self, key: &[u8]) -> Result<(Option<Vec<u8>>, Self::Proof)> {
        let (version, _) = self.latest()?;
        self.tree().get_with_proof(KeyHash::with::<Blake3>(key), version)
    }

    fn verify(&self, proof: &Self::Proof, key: &[u8], value: Option<&[u8]>) -> bool {
        let Some((_, root)) = self.latest else {
            return false;
        };
        proof.verify(root, KeyHash::with::<Blake3>(key), value).is_ok()
    }

    fn proof_size(proof: &Self::Proof) -> Result<usize> {
        Ok(borsh::to_vec(proof)?.len())
    }

    fn disk_bytes(&self) -> Result<u64> {
        Ok(0)
    }

    fn durable(&self) -> bool {
        false
    }

    fn root_hex(&self) -> String {
        self.latest.map_or_else(String::new, |(_, root)| hex(&root.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::workload::{Mix, Workload, WorkloadConfig};

    fn workload() -> Workload {
        Workload::new(WorkloadConfig {
            seed: 3,
            keys: 300,
            updates_per_block: 50,
            value_size: 8,
            mix: Mix { update: 80, insert: 10, delete: 10 },
        })
    }

    #[test]
    fn batch_preload_gives_the_same_root_as_put_value_set() -> Result<()> {
        let mut batched = JmtEngine::new(1);
        batched.preload(workload().preload())?;
        let plain = JmtEngine::new(1);
        let values = workload().preload().into_iter().map(|(k, v)| (KeyHash::with::<Blake3>(&k), v));
        let (root, _) = plain.tree().put_value_set(values, 0)?;
        assert_eq!(batched.latest()?.1, root);
        Ok(())
    }

    #[test]
    fn pruning_keeps_the_latest_version_provable() -> Result<()> {
        let mut w = workload();
        let mut engine = JmtEngine::new(2);
        engine.preload(w.preload())?;
        let nodes_after_preload = engine.store.nodes.borrow().len();
        for block in 1..=30 {
            engine.commit_block(w.block(block))?;
        }
        // 30 blocks of 50 changes create thousands of nodes; retention keeps only ~2 versions.
        assert!(engine.store.nodes.borrow().len() < nodes_after_preload * 2);
        let samples = w.proof_samples(100);
        for (key, value) in &samples.present {
            let (got, proof) = engine.prove(key)?;
            assert_eq!(got.as_ref(), Some(value));
            assert!(engine.verify(&proof, key, Some(value)));
        }
        for key in &samples.absent {
            let (got, proof) = engine.prove(key)?;
            assert_eq!(got, None);
            assert!(engine.verify(&proof, key, None));
        }
        Ok(())
    }
}
