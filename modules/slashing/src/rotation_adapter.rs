//! `conclave-rotation` as the [`ValidatorSets`] slashing reads and removes from; the
//! `conclave-rotation` feature (on by default). The set of a height is rotation's history
//! record for it, so evidence against a key rotated away since still finds its operator.

use conclave_core::{consensus_address, Address, ConsensusAddress, StateRead, StateWrite};
use conclave_rotation::expected::CandidateRegistry;
use conclave_rotation::{Rotation, RotationError};

use crate::expected::ValidatorSets;

impl<R: CandidateRegistry> ValidatorSets for Rotation<R> {
    type Error = RotationError;

    fn signers_at(
        &self,
        state: &impl StateRead,
        height: u64,
    ) -> Result<Vec<(ConsensusAddress, Address)>, RotationError> {
        let record = conclave_rotation::epoch::set_at(state, height)?;
        Ok(record
            .map(|r| r.validators.iter().map(|m| (consensus_address(&m.consensus_key), m.operator)).collect())
            .unwrap_or_default())
    }

    fn remove(&self, state: &mut impl StateWrite, operator: &Address) -> Result<(), RotationError> {
        self.schedule_removal(state, operator).map(drop)
    }
}
