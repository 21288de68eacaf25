//! conclave-store on disk: one durable redb commit per block.

use anyhow::{Context, Result};
use conclave_proof::Proof;
use conclave_store::{Hash, StagedVersion, Store, StoreConfig};
use tempfile::TempDir;

use super::engine::{hex, Engine};
use super::workload::ChangeSet;
use crate::sys;

/// A conclave-store opened in a fresh temporary directory (removed on drop).
pub(crate) struct ConclaveEngine {
    // Field order matters: the store is dropped before its directory is removed.
    store: Store,
    staged: Option<StagedVersion>,
    root: Hash,
    dir: TempDir,
}

impl ConclaveEngine {
    /// Opens an empty store in a new temporary directory under `parent`.
    pub(crate) fn open(parent: &std::path::Path, keep_versions: u64, checkpoint_interval: u64) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("conclave-bench-store-")
            .tempdir_in(parent)
            .with_context(|| format!("creating a directory in {}", parent.display()))?;
        let config = StoreConfig { keep_versions, checkpoint_interval };
        let store = Store::open(dir.path(), config).context("opening conclave-store")?;
        let root = store.latest().root_hash();
        Ok(ConclaveEngine { store, staged: None, root, dir })
    }
}

impl Engine for ConclaveEngine {
    type Proof = Proof;

    fn preload(&mut self, changes: ChangeSet) -> Result<()> {
        self.stage(changes)?;
        self.commit()
    }

    fn stage(&mut self, changes: ChangeSet) -> Result<()> {
        let version = self.store.latest_version() + 1;
        self.staged = Some(self.store.latest().stage(version, changes));
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        let staged = self.staged.take().context("commit without a staged version")?;
        self.root = self.store.commit(staged).context("committing to conclave-store")?;
        Ok(())
    }

    fn settle(&mut self) -> Result<()> {
        self.store.wait_for_checkpoint().context("waiting for the checkpoint")
    }

    fn checkpoint_version(&self) -> u64 {
        self.store.checkpoint_version()
    }

    fn prove(&self, key: &[u8]) -> Result<(Option<Vec<u8>>, Proof)> {
        Ok(self.store.latest().prove(key))
    }

    fn verify(&self, proof: &Proof, key: &[u8], value: Option<&[u8]>) -> bool {
        // conclave_proof's standalone verifier: needs nothing but the root.
        proof.verify(&self.root, key, value).is_ok()
    }

    fn proof_size(proof: &Proof) -> Result<usize> {
        Ok(borsh::to_vec(proof)?.len())
    }

    fn disk_bytes(&self) -> Result<u64> {
        sys::dir_size(self.dir.path())
    }

    fn durable(&self) -> bool {
        true
    }

    fn root_hex(&self) -> String {
        hex(&self.root)
    }
}
