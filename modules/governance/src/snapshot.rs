//! The stake snapshot, copy on write.
//!
//! When a proposal's voting starts, [`crate::proposal`] records every voting candidate's
//! tokens and shares. Voters' shares are not copied then (that would be O(all voters));
//! instead staking calls [`crate::Hooks`] before any voter's shares of a candidate change,
//! and [`record_before_change`] writes the shares held until then for every proposal in its
//! voting period that snapshotted that candidate and has no record of them yet. A voter's
//! start shares are therefore its record if there is one, its current shares otherwise.
//! Stake bonded mid-vote is recorded as the 0 held before it, so it has no power, and stake
//! moved mid-vote counts where it was at the start, once.
//!
//! Cost per share change: O(proposals in their voting period), one read each and at most one
//! write.

use conclave_core::{Address, StateWrite};

use crate::error::GovernanceError;
use crate::state::{SNAPSHOT_CANDIDATES, SNAPSHOT_SHARES, VOTING_QUEUE};

/// Records `voter`'s `shares` of `candidate` (about to change) for every proposal in its
/// voting period that snapshotted `candidate` and has not recorded them yet.
pub fn record_before_change(
    state: &mut impl StateWrite,
    voter: &Address,
    candidate: &Address,
    shares: u128,
) -> Result<(), GovernanceError> {
    let voting = VOTING_QUEUE.iter(state).map(|e| e.map(|((_, id), ())| id)).collect::<Result<Vec<_>, _>>()?;
    for id in voting {
        if SNAPSHOT_CANDIDATES.contains(state, &(id, *candidate))?
            && !SNAPSHOT_SHARES.contains(state, &(id, *voter, *candidate))?
        {
            SNAPSHOT_SHARES.put(state, &(id, *voter, *candidate), &shares)?;
        }
    }
    Ok(())
}
