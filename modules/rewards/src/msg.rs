//! Rewards messages. Wire format: borsh; the first byte is the variant's position (its
//! tag). **Append only.**

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::event::emit;
use conclave_core::{Address, Coin, StateWrite};

use crate::accounting::{add, settle, whole};
use crate::error::RewardsError;
use crate::event;
use crate::expected::{Bank, Signers, Stake};
use crate::params::Params;
use crate::state::{CANDIDATES, PARAMS, TOTALS, VOTES};
use crate::{Rewards, COMMUNITY_POOL, REWARDS_POOL};

/// A rewards message.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Pays the signer its rewards from `candidate`, or from every candidate it has
    /// rewards at (`None`: the candidates of its vote set, and those it left with rewards
    /// unclaimed). Refused with nothing to claim.
    Claim {
        /// One candidate, or all.
        candidate: Option<Address>,
    },
    /// Tag 1. Pays the signer, a candidate's operator, its accrued commission.
    WithdrawCommission,
    /// Tag 2. Replaces the parameters; only the chain's parameter authority may sign it.
    UpdateParams {
        /// The new parameters, whole.
        params: Params,
    },
    /// Tag 3. Pays `amount` of the bond denomination from the community pool to `recipient`;
    /// only the chain's parameter authority may sign it (a governance proposal executes it).
    CommunityPoolSpend {
        /// Who receives the tokens.
        recipient: Address,
        /// How many, in the bond denomination (more than 0).
        #[serde(with = "conclave_core::coin::amount_string")]
        amount: u128,
    },
}

/// Stateless checks.
pub fn validate(msg: &Msg) -> Result<(), RewardsError> {
    match msg {
        Msg::Claim { .. } | Msg::WithdrawCommission => Ok(()),
        Msg::UpdateParams { params } => params.validate().map_err(RewardsError::InvalidParams),
        Msg::CommunityPoolSpend { amount: 0, .. } => {
            Err(RewardsError::InvalidSpend("a community-pool spend pays more than 0 tokens".into()))
        }
        Msg::CommunityPoolSpend { .. } => Ok(()),
    }
}

impl<S: Stake, B: Bank, V: Signers> Rewards<S, B, V> {
    pub(crate) fn execute(&self, state: &mut impl StateWrite, signer: &Address, msg: &Msg) -> Result<(), RewardsError> {
        validate(msg)?;
        match msg {
            Msg::Claim { candidate: Some(candidate) } => {
                let paid = self.claim(state, signer, candidate)?;
                if paid == 0 {
                    return Err(RewardsError::NothingToClaim { delegator: *signer, candidate: Some(*candidate) });
                }
                Ok(())
            }
            Msg::Claim { candidate: None } => {
                let mut paid = 0u128;
                for candidate in self.claimable_candidates(state, signer)? {
                    paid = add(paid, self.claim(state, signer, &candidate)?, "a claim")?;
                }
                if paid == 0 {
                    return Err(RewardsError::NothingToClaim { delegator: *signer, candidate: None });
                }
                Ok(())
            }
            Msg::WithdrawCommission => self.withdraw_commission(state, signer),
            Msg::UpdateParams { params } => {
                let validate = |_: &Params, new: &Params| new.validate();
                conclave_core::authority::update_params(state, "rewards", &PARAMS, signer, params, validate)?;
                Ok(())
            }
            Msg::CommunityPoolSpend { recipient, amount } => {
                self.spend_community_pool(state, signer, recipient, *amount)
            }
        }
    }

    /// Pays `amount` from the community pool to `recipient`, for the parameter authority.
    /// Counted as paid, so conservation (minted + fees = paid + pools) still holds.
    fn spend_community_pool(
        &self,
        state: &mut impl StateWrite,
        signer: &Address,
        recipient: &Address,
        amount: u128,
    ) -> Result<(), RewardsError> {
        let authority = conclave_core::authority::authority(state)?;
        if authority.as_ref() != Some(signer) {
            return Err(RewardsError::NotAuthority(match authority {
                Some(authority) => format!(
                    "{signer} may not spend from the community pool: only the parameter authority {authority} may"
                ),
                None => "this chain has no parameter authority (runtime.authority in genesis): its community pool \
                         cannot be spent"
                    .into(),
            }));
        }
        let denom = self.stake.bond_denom(state).map_err(|e| RewardsError::from_module(&e))?;
        let available = self.bank.module_balance(state, COMMUNITY_POOL, &denom)?;
        if amount > available {
            return Err(RewardsError::InsufficientCommunityPool { requested: amount, available, denom });
        }
        self.bank.send_from_module(state, COMMUNITY_POOL, recipient, &Coin::new(&denom, amount))?;
        let mut totals = TOTALS.load(state)?;
        totals.paid = add(totals.paid, amount, "paid")?;
        TOTALS.put(state, &totals)?;
        emit(state, &event::CommunityPoolSpent { recipient: *recipient, amount, authority: *signer })?;
        Ok(())
    }

    /// The candidates `delegator` may have rewards at: its vote set, and every candidate it
    /// has a record with (left since, rewards unclaimed). Bounded by its votes plus the
    /// records a claim deletes.
    pub fn claimable_candidates(
        &self,
        state: &impl conclave_core::StateRead,
        delegator: &Address,
    ) -> Result<Vec<Address>, RewardsError> {
        let mut candidates =
            self.stake.voted_candidates(state, delegator).map_err(|e| RewardsError::from_module(&e))?;
        for entry in VOTES.iter_prefix(state, delegator) {
            let ((_, candidate), _) = entry?;
            candidates.push(candidate);
        }
        candidates.sort();
        candidates.dedup();
        Ok(candidates)
    }

    /// Settles and pays `delegator`'s whole tokens at `candidate`; returns what was paid. A
    /// record without shares left is closed (its sub-token remainder becomes dust).
    fn claim(
        &self,
        state: &mut impl StateWrite,
        delegator: &Address,
        candidate: &Address,
    ) -> Result<u128, RewardsError> {
        let shares = self.stake.shares(state, delegator, candidate).map_err(|e| RewardsError::from_module(&e))?;
        let mut vote = settle(state, delegator, candidate, shares)?;
        let (pay, rest) = whole(vote.earned_scaled);
        let mut totals = TOTALS.load(state)?;
        let denom = self.stake.bond_denom(state).map_err(|e| RewardsError::from_module(&e))?;
        if shares == 0 {
            VOTES.delete(state, &(*delegator, *candidate))?;
            totals.dust_scaled = add(totals.dust_scaled, rest, "dust")?;
            // Dust stays below one token: a whole token of it goes to the community.
            let (swept, left) = whole(totals.dust_scaled);
            totals.dust_scaled = left;
            self.to_community(state, &denom, swept)?;
        } else {
            vote.earned_scaled = rest;
            VOTES.put(state, &(*delegator, *candidate), &vote)?;
        }
        if pay > 0 {
            self.bank.send_from_module(state, REWARDS_POOL, delegator, &Coin::new(&denom, pay))?;
            totals.paid = add(totals.paid, pay, "paid")?;
            emit(state, &event::Claimed { delegator: *delegator, candidate: *candidate, amount: pay })?;
        }
        TOTALS.put(state, &totals)?;
        Ok(pay)
    }

    fn withdraw_commission(&self, state: &mut impl StateWrite, operator: &Address) -> Result<(), RewardsError> {
        let mut rewards = CANDIDATES.get(state, operator)?.unwrap_or_default();
        if rewards.commission == 0 {
            return Err(RewardsError::NoCommission { operator: *operator });
        }
        let amount = rewards.commission;
        rewards.commission = 0;
        CANDIDATES.put(state, operator, &rewards)?;
        let denom = self.stake.bond_denom(state).map_err(|e| RewardsError::from_module(&e))?;
        self.bank.send_from_module(state, REWARDS_POOL, operator, &Coin::new(&denom, amount))?;
        let mut totals = TOTALS.load(state)?;
        totals.paid = add(totals.paid, amount, "paid")?;
        TOTALS.put(state, &totals)?;
        emit(state, &event::CommissionWithdrawn { operator: *operator, amount })?;
        Ok(())
    }
}
