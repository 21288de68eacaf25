//! Downtime: the signing record of every validator of the previous block's set, from
//! CometBFT's `decided_last_commit` (about block `H − 1`; empty at the first block).
//!
//! For each vote about height `h`:
//! 1. a validator jailed or tombstoned is skipped (its misses do not count);
//! 2. a gap since its last counted height starts a new stint: `start_height = h`, the count
//!    and bitmap are cleared (it left the set and came back);
//! 3. the bit at `h % window` is set if it missed `h` (flag `Absent` or `Nil`) and cleared if it
//!    signed, adjusting the count only when the bit flips: a healthy validator's bitmap is
//!    empty and costs no write but its record's `last_height`;
//! 4. once it has been in the set for a full window (`h − start_height + 1 ≥ window`), a miss
//!    that takes the count above `max_missed_blocks` jails it until `time + jail duration`,
//!    slashes `slash_fraction_downtime` of its stake at `h − 2`, takes it out of the set, and
//!    clears its record.
//!
//! Per validator and block: one record write, and one chunk write only when a bit flips.

use std::collections::BTreeMap;

use conclave_core::event::emit;
use conclave_core::{Address, At, BlockInfo, StateWrite};

use crate::error::SlashingError;
use crate::event;
use crate::expected::{Candidates, Standing, ValidatorSets};
use crate::params::Params;
use crate::state::{MISSED, PARAMS, SIGNING};
use crate::types::{Reason, SigningInfo};
use crate::Slashing;

/// Bits per bitmap chunk.
pub const CHUNK_BITS: u64 = 64;

/// The chunk and bit of height `h` in a window of `window` blocks.
pub fn position(h: u64, window: u64) -> (u64, u64) {
    let index = h.checked_rem(window).unwrap_or(0);
    (index / CHUNK_BITS, index % CHUNK_BITS)
}

/// Deletes every chunk of `operator`'s bitmap.
pub(crate) fn clear_bitmap(state: &mut impl StateWrite, operator: &Address) -> Result<(), SlashingError> {
    let chunks = MISSED.iter_prefix(state, operator).map(|r| r.map(|((_, c), _)| c)).collect::<Result<Vec<_>, _>>()?;
    for chunk in chunks {
        MISSED.delete(state, &(*operator, chunk))?;
    }
    Ok(())
}

impl<C: Candidates, V: ValidatorSets> Slashing<C, V> {
    /// Counts the previous block's votes (see the module docs).
    pub(crate) fn track_liveness(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), SlashingError> {
        if block.last_commit.votes.is_empty() {
            return Ok(());
        }
        let h = block.height.saturating_sub(1);
        let params = PARAMS.load(state)?;
        let signers: BTreeMap<_, _> =
            self.sets.signers_at(state, h).map_err(|e| SlashingError::from_sets::<V>(&e))?.into_iter().collect();
        for vote in &block.last_commit.votes {
            let Some(operator) = signers.get(&vote.validator) else {
                return Err(SlashingError::UnknownSigner {
                    address: conclave_core::state::hex(&vote.validator),
                    height: h,
                });
            };
            let standing =
                self.candidates.standing(state, operator).map_err(|e| SlashingError::from_candidates::<C>(&e))?;
            if standing != Standing::Free {
                continue;
            }
            self.count_vote(state, block, &params, operator, h, !vote.flag.signed())?;
        }
        Ok(())
    }

    fn count_vote(
        &self,
        state: &mut impl StateWrite,
        block: &BlockInfo,
        params: &Params,
        operator: &Address,
        h: u64,
        missed: bool,
    ) -> Result<(), SlashingError> {
        let window = params.signed_blocks_window;
        let mut info = SIGNING.get(state, operator)?.unwrap_or_default();
        if info.start_height == 0 || info.last_height.saturating_add(1) != h {
            if info.missed > 0 {
                clear_bitmap(state, operator)?;
            }
            info = SigningInfo { start_height: h, last_height: h, missed: 0, ..info };
        }
        info.last_height = h;
        let (chunk, bit) = position(h, window);
        let bits = MISSED.get(state, &(*operator, chunk))?.unwrap_or(0);
        let was_missed = bits & (1u64 << bit) != 0;
        if missed != was_missed {
            let bits = bits ^ (1u64 << bit);
            if bits == 0 {
                MISSED.delete(state, &(*operator, chunk))?;
            } else {
                MISSED.put(state, &(*operator, chunk), &bits)?;
            }
            info.missed = if missed { info.missed.saturating_add(1) } else { info.missed.saturating_sub(1) };
        }
        let full_window = h.saturating_sub(info.start_height).saturating_add(1) >= window;
        let max_missed = params.max_missed_blocks();
        if missed && full_window && info.missed > max_missed {
            let until = block.time.plus_nanos(params.downtime_jail_duration_nanos);
            emit(state, &event::Jailed { operator: *operator, missed: info.missed, max_missed, until: until.0 })?;
            let at = At::block(block);
            self.punish(state, at, operator, Reason::Downtime, h, params.slash_fraction_downtime_ppb, Some(until))?;
            clear_bitmap(state, operator)?;
            info = SigningInfo { start_height: 0, last_height: h, missed: 0, jailed_until: until, tombstoned: false };
        }
        SIGNING.put(state, operator, &info)?;
        Ok(())
    }
}
