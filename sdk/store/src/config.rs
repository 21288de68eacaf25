//! Store configuration.

use crate::error::StoreError;

/// How many versions the store keeps and how often it checkpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    /// Number of most recent versions kept readable (`>= 1`). Versions below
    /// `latest - keep_versions + 1` are pruned from memory and from the log.
    pub keep_versions: u64,
    /// Commits between two background checkpoints of the flat table (`>= 1`).
    /// Larger values write fewer bytes per update but make restart replay longer.
    pub checkpoint_interval: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { keep_versions: 100, checkpoint_interval: 100 }
    }
}

impl StoreConfig {
    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        if self.keep_versions == 0 {
            return Err(StoreError::Config("keep_versions must be at least 1".into()));
        }
        if self.checkpoint_interval == 0 {
            return Err(StoreError::Config("checkpoint_interval must be at least 1".into()));
        }
        Ok(())
    }
}
