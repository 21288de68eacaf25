//! The interface the harness drives; one implementation per engine.

use anyhow::Result;

use super::workload::ChangeSet;

/// A versioned authenticated key-value store under test.
///
/// A block is [`Engine::stage`] (compute the new root in memory) then [`Engine::commit`]
/// (persist it, prune); the harness times both, and [`Engine::prove`] and [`Engine::verify`].
/// Everything an engine needs for one block (key hashing, conversions, pruning) belongs
/// inside those two calls so that both engines pay for the same work.
pub(crate) trait Engine {
    /// The engine's proof type.
    type Proof;

    /// Loads the initial state as one committed version.
    fn preload(&mut self, changes: ChangeSet) -> Result<()>;

    /// Applies one block of changes as the next version, in memory; [`Engine::commit`] follows.
    fn stage(&mut self, changes: ChangeSet) -> Result<()>;

    /// Persists the staged version and makes it the latest.
    fn commit(&mut self) -> Result<()>;

    /// [`Engine::stage`] then [`Engine::commit`].
    #[cfg(test)]
    fn commit_block(&mut self, changes: ChangeSet) -> Result<()> {
        self.stage(changes)?;
        self.commit()
    }

    /// Waits for background work started by the commits (checkpoints) to finish.
    fn settle(&mut self) -> Result<()> {
        Ok(())
    }

    /// Latest version durably checkpointed in the background (0: none, or no checkpoints).
    fn checkpoint_version(&self) -> u64 {
        0
    }

    /// Value and (inclusion or exclusion) proof of `key` at the latest version.
    fn prove(&self, key: &[u8]) -> Result<(Option<Vec<u8>>, Self::Proof)>;

    /// Whether `proof` shows that `key` maps to `value` (`None`: is absent) under the latest root.
    fn verify(&self, proof: &Self::Proof, key: &[u8], value: Option<&[u8]>) -> bool;

    /// Size of the proof's serialised form in bytes.
    fn proof_size(proof: &Self::Proof) -> Result<usize>;

    /// Bytes the engine occupies on disk (0 for an in-memory engine).
    fn disk_bytes(&self) -> Result<u64>;

    /// Whether a commit is durable (survives a crash).
    fn durable(&self) -> bool;

    /// Hex of the latest root hash.
    fn root_hex(&self) -> String;
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}
