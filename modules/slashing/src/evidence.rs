//! Double signs, and the punishment both faults share.
//!
//! For each `misbehavior` of the block (a duplicate vote or a light-client attack, one entry
//! per faulty validator), in CometBFT's order:
//! 1. evidence older than **both** of CometBFT's limits (`max_age_num_blocks` and
//!    `max_age_duration`, recorded at InitChain) is ignored; older than only one, it counts;
//! 2. its consensus address is looked up in the set that signed its height (keys rotate, so
//!    the set of that height, not today's key);
//! 3. a validator already tombstoned is ignored (so the same fault, reported twice, is
//!    punished once);
//! 4. otherwise `slash_fraction_double_sign` of its stake at `height − 2` is slashed, and it is
//!    tombstoned and taken out of the set at the end of this block.

use std::collections::BTreeMap;

use conclave_core::consensus::evidence_params;
use conclave_core::event::emit;
use conclave_core::{Address, At, BlockInfo, BlockTime, Ratio, StateWrite};

use crate::error::SlashingError;
use crate::event;
use crate::expected::{Candidates, Standing, ValidatorSets};
use crate::params::PPB_ONE;
use crate::state::{HISTORY, PARAMS, SIGNING};
use crate::types::{Reason, SlashRecord};
use crate::Slashing;

impl<C: Candidates, V: ValidatorSets> Slashing<C, V> {
    /// Handles the block's evidence (see the module docs).
    pub(crate) fn handle_evidence(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), SlashingError> {
        if block.misbehavior.is_empty() {
            return Ok(());
        }
        let params = PARAMS.load(state)?;
        let limits = evidence_params(state)?;
        let at = At::block(block);
        for evidence in &block.misbehavior {
            let validator = conclave_core::state::hex(&evidence.validator);
            if limits.expired(evidence.height, evidence.time, block.height, block.time) {
                let ignored = event::EvidenceIgnored { validator, fault_height: evidence.height, reason: "expired" };
                emit(state, &ignored)?;
                continue;
            }
            let signers: BTreeMap<_, _> = self
                .sets
                .signers_at(state, evidence.height)
                .map_err(|e| SlashingError::from_sets::<V>(&e))?
                .into_iter()
                .collect();
            let Some(operator) = signers.get(&evidence.validator).copied() else {
                return Err(SlashingError::UnknownSigner { address: validator, height: evidence.height });
            };
            let standing =
                self.candidates.standing(state, &operator).map_err(|e| SlashingError::from_candidates::<C>(&e))?;
            if standing == Standing::Tombstoned {
                let ignored = event::EvidenceIgnored { validator, fault_height: evidence.height, reason: "tombstoned" };
                emit(state, &ignored)?;
                continue;
            }
            let fraction = params.slash_fraction_double_sign_ppb;
            self.punish(state, at, &operator, Reason::DoubleSign, evidence.height, fraction, None)?;
            let mut info = SIGNING.get(state, &operator)?.unwrap_or_default();
            info.tombstoned = true;
            SIGNING.put(state, &operator, &info)?;
            emit(state, &event::Tombstoned { operator, fault_height: evidence.height })?;
        }
        Ok(())
    }

    /// Slashes `fraction_ppb` of `operator`'s stake at `fault_height − 2` (at least 1), then
    /// jails it until `jail_until` (`None`: tombstones it), takes it out of the set at the end
    /// of the block, and records the punishment. A slash the candidates' module refuses (for
    /// a reason other than state) is recorded as refused; the jail still happens, since a
    /// faulty validator must stop signing whatever its stake.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn punish(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        reason: Reason,
        fault_height: u64,
        fraction_ppb: u64,
        jail_until: Option<BlockTime>,
    ) -> Result<(), SlashingError> {
        let infraction_height = fault_height.saturating_sub(2).max(1);
        let fraction = Ratio { numerator: u128::from(fraction_ppb), denominator: u128::from(PPB_ONE) };
        let candidates_error = |e: C::Error| SlashingError::from_candidates::<C>(&e);
        let (slashed, slash_refused) =
            match self.candidates.slash(state, at, operator, infraction_height, fraction).map_err(candidates_error) {
                Ok(slashed) => (slashed, None),
                Err(SlashingError::Other(refusal)) => {
                    let reason = format!("{} ({} code {})", refusal.message, refusal.codespace, refusal.code);
                    emit(state, &event::SlashRefused { operator: *operator, reason: reason.clone() })?;
                    (Default::default(), Some(reason))
                }
                Err(other) => return Err(other),
            };
        match jail_until {
            Some(until) => self.candidates.jail(state, at, operator, until).map_err(candidates_error)?,
            None => self.candidates.tombstone(state, at, operator).map_err(candidates_error)?,
        }
        self.sets.remove(state, operator).map_err(|e| SlashingError::from_sets::<V>(&e))?;
        let burned =
            slashed.from_candidate.saturating_add(slashed.from_unbondings).saturating_add(slashed.from_redelegations);
        if slash_refused.is_none() {
            emit(
                state,
                &event::Slashed {
                    operator: *operator,
                    reason: reason.name(),
                    fault_height,
                    infraction_height,
                    fraction_ppb,
                    base_tokens: slashed.base_tokens,
                    burned,
                    from_candidate: slashed.from_candidate,
                    from_unbondings: slashed.from_unbondings,
                    from_redelegations: slashed.from_redelegations,
                },
            )?;
        }
        let record = SlashRecord {
            reason,
            height: at.height,
            fault_height,
            infraction_height,
            fraction_ppb,
            base_tokens: slashed.base_tokens,
            from_candidate: slashed.from_candidate,
            from_unbondings: slashed.from_unbondings,
            from_redelegations: slashed.from_redelegations,
            jailed_until: jail_until,
            slash_refused,
        };
        HISTORY.put(state, &(*operator, at.height, reason.code()), &record)?;
        Ok(())
    }
}
