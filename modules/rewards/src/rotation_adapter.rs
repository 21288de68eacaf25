//! `conclave-rotation` as the [`Signers`] rewards map commits with; the `conclave-rotation`
//! feature (on by default).

use conclave_core::{consensus_address, Address, ConsensusAddress, StateRead};
use conclave_rotation::expected::CandidateRegistry;
use conclave_rotation::{Rotation, RotationError};

use crate::expected::Signers;

impl<R: CandidateRegistry> Signers for Rotation<R> {
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
}
