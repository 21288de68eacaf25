//! Each block's rewards, in begin-block (before slashing, so rewards are settled on the
//! stake that earned them):
//! 1. the fees collected since the last block (in the bond denomination) and this block's
//!    issuance go to the rewards pool;
//! 2. the community pool takes `community_tax` of them (rounded up: payouts round down);
//! 3. the proposer of this block, which included the previous block's commit, takes
//!    `base + bonus × signed power / total power` of the rest (rounded down);
//! 4. the rest goes to the validators that signed the previous block (`Commit` in
//!    `decided_last_commit`), by power (each rounded down); a validator that did not sign
//!    gets nothing;
//! 5. each validator's part: its commission rate to its operator (rounded down), the rest to
//!    its shares ([`crate::accounting`]);
//! 6. every remainder (of 4, and the sub-token dust of 5 once it makes a whole token) goes to
//!    the community pool.
//!
//! The first block carries no commit: its fees and issuance go to the community pool.
//! Fees in another denomination than the bond denomination stay in the fee collector.

use std::collections::BTreeMap;

use conclave_core::event::emit;
use conclave_core::{Address, BlockIdFlag, BlockInfo, Coin, StateWrite};

use crate::accounting::{add, mul, mul_div, sub};
use crate::error::RewardsError;
use crate::event;
use crate::expected::{Bank, Signers, Stake};
use crate::params::PPB_ONE;
use crate::state::{CANDIDATES, MINTER, PARAMS, TOTALS};
use crate::types::SCALE;
use crate::{Rewards, COMMUNITY_POOL, REWARDS_POOL};

impl<S: Stake, B: Bank, V: Signers> Rewards<S, B, V> {
    /// Mints, collects and distributes this block's rewards (see the module docs).
    pub(crate) fn distribute(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), RewardsError> {
        let params = PARAMS.load(state)?;
        let denom = self.stake.bond_denom(state).map_err(|e| RewardsError::from_module(&e))?;
        let mut minter = MINTER.load(state)?;
        let supply = self.bank.supply(state, &denom)?;
        let bonded = self.stake.bonded_tokens(state).map_err(|e| RewardsError::from_module(&e))?;
        if let Some(ratio) = crate::mint::update_inflation(&mut minter, &params, block, bonded, supply)? {
            emit(
                state,
                &event::InflationUpdated {
                    inflation_ppb: minter.inflation_ppb,
                    bonded_ratio_ppb: ratio,
                    annual_provisions: minter.annual_provisions,
                },
            )?;
        }
        let minted = crate::mint::provision(&mut minter, block)?;
        MINTER.put(state, &minter)?;
        if minted > 0 {
            self.bank.mint(state, REWARDS_POOL, &Coin::new(&denom, minted))?;
        }
        let fees = self.bank.collect_fees(state, REWARDS_POOL, &denom)?;
        let mut totals = TOTALS.load(state)?;
        totals.minted = add(totals.minted, minted, "minted")?;
        totals.fees = add(totals.fees, fees, "fees")?;
        let collected = add(fees, minted, "the block's rewards")?;

        let votes = &block.last_commit.votes;
        let total_power: u128 = votes.iter().map(|v| u128::from(v.power)).sum();
        let signed_power: u128 =
            votes.iter().filter(|v| v.flag == BlockIdFlag::Commit).map(|v| u128::from(v.power)).sum();
        if votes.is_empty() || signed_power == 0 {
            TOTALS.put(state, &totals)?;
            self.to_community(state, &denom, collected)?;
            emit(state, &event::Distributed { fees, minted, community: collected, proposer_bonus: 0, validators: 0 })?;
            return Ok(());
        }

        let after_tax = mul_div(
            collected,
            u128::from(PPB_ONE.saturating_sub(params.community_tax_ppb)),
            u128::from(PPB_ONE),
            "the tax",
        )?;
        let mut community = sub(collected, after_tax, "the tax")?;
        let bonus_ppb = mul_div(u128::from(params.bonus_proposer_reward_ppb), signed_power, total_power, "the bonus")?;
        let proposer_ppb = add(u128::from(params.base_proposer_reward_ppb), bonus_ppb, "the bonus")?;
        let proposer_bonus = mul_div(after_tax, proposer_ppb, u128::from(PPB_ONE), "the bonus")?;
        let for_signers = sub(after_tax, proposer_bonus, "the bonus")?;

        // Who is who: the set that signed the previous block, and the proposer's set.
        let previous = block.height.saturating_sub(1);
        let signers: BTreeMap<_, _> =
            self.sets.signers_at(state, previous).map_err(|e| RewardsError::from_module(&e))?.into_iter().collect();
        let mut parts: BTreeMap<Address, (u128, u128)> = BTreeMap::new(); // candidate → (amount, bonus)
        let mut given = 0u128;
        for vote in votes.iter().filter(|v| v.flag == BlockIdFlag::Commit) {
            let Some(candidate) = signers.get(&vote.validator) else { continue };
            let amount = mul_div(for_signers, u128::from(vote.power), signed_power, "a signer's part")?;
            let part = parts.entry(*candidate).or_insert((0, 0));
            part.0 = add(part.0, amount, "a signer's part")?;
            given = add(given, amount, "the signers' parts")?;
        }
        community = add(community, sub(for_signers, given, "the signers' parts")?, "the community's part")?;
        let current: BTreeMap<_, _> =
            self.sets.signers_at(state, block.height).map_err(|e| RewardsError::from_module(&e))?.into_iter().collect();
        match current.get(&block.proposer) {
            Some(proposer) => {
                let part = parts.entry(*proposer).or_insert((0, 0));
                part.0 = add(part.0, proposer_bonus, "the proposer's part")?;
                part.1 = proposer_bonus;
            }
            None => community = add(community, proposer_bonus, "the community's part")?,
        }

        let mut dust = 0u128;
        for (candidate, (amount, bonus)) in parts {
            dust = add(dust, self.reward_candidate(state, &candidate, amount, bonus)?, "dust")?;
        }
        totals.dust_scaled = add(totals.dust_scaled, dust, "dust")?;
        let whole_dust = totals.dust_scaled / SCALE;
        totals.dust_scaled %= SCALE;
        community = add(community, whole_dust, "the community's part")?;
        TOTALS.put(state, &totals)?;
        self.to_community(state, &denom, community)?;
        emit(state, &event::Distributed { fees, minted, community, proposer_bonus, validators: given })?;
        Ok(())
    }

    /// Gives `amount` to `candidate`: commission to its operator, the rest to its shares.
    /// Returns the scaled dust left over. A candidate gone, or without shares, gives it all
    /// to the community (as dust).
    fn reward_candidate(
        &self,
        state: &mut impl StateWrite,
        candidate: &Address,
        amount: u128,
        proposer_bonus: u128,
    ) -> Result<u128, RewardsError> {
        let terms = self.stake.terms(state, candidate).map_err(|e| RewardsError::from_module(&e))?;
        let Some(terms) = terms.filter(|t| t.shares > 0) else {
            return mul(amount, SCALE, "dust");
        };
        let commission = mul_div(amount, u128::from(terms.commission_rate_ppb), u128::from(PPB_ONE), "commission")?;
        let delegators = sub(amount, commission, "commission")?;
        let mut rewards = CANDIDATES.get(state, candidate)?.unwrap_or_default();
        let scaled = mul(delegators, SCALE, "a candidate's rewards")?;
        let increment = scaled.checked_div(terms.shares).unwrap_or(0); // shares > 0 (filtered above)
        let assigned = mul(increment, terms.shares, "a candidate's rewards")?;
        rewards.reward_per_share = add(rewards.reward_per_share, increment, "reward per share")?;
        rewards.outstanding_scaled = add(rewards.outstanding_scaled, assigned, "outstanding rewards")?;
        rewards.commission = add(rewards.commission, commission, "commission")?;
        CANDIDATES.put(state, candidate, &rewards)?;
        emit(
            state,
            &event::ValidatorRewarded { candidate: *candidate, amount, proposer_bonus, commission, delegators },
        )?;
        sub(scaled, assigned, "a candidate's rewards")
    }

    pub(crate) fn to_community(
        &self,
        state: &mut impl StateWrite,
        denom: &str,
        amount: u128,
    ) -> Result<(), RewardsError> {
        if amount > 0 {
            self.bank.move_between_modules(state, REWARDS_POOL, COMMUNITY_POOL, &Coin::new(denom, amount))?;
        }
        Ok(())
    }
}
