//! Staking messages: the validator side (register, edit, rotate the consensus key) and the
//! parameter authority's `UpdateParams`.
//!
//! Wire format: borsh; the first byte is the variant's position (its tag). **Append only.**

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::{event::emit, Address, StateRead, StateWrite, TxContext};
use serde::{Deserialize, Serialize};

use crate::error::{hex32, StakingError};
use crate::event;
use crate::expected::{Bank, ShareHooks};
use crate::ledger::{candidate, params};
use crate::params::*;
use crate::state::{CANDIDATES, CONSENSUS_KEYS};
use crate::types::{At, Candidate, Commission, Description, RatePpb, Status, PPB_ONE};
use crate::Staking;

/// Commission chosen at registration.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionRates {
    /// Initial rate (ppb): `min_commission_ppb ≤ rate ≤ max_rate`.
    pub rate_ppb: RatePpb,
    /// Highest rate ever (ppb), at most 100 %; fixed.
    pub max_rate_ppb: RatePpb,
    /// Largest change per edit (ppb), at most `max_rate`; fixed.
    pub max_change_rate_ppb: RatePpb,
}

/// A staking message, signed by the operator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Registers the signer as a candidate with a self-bond taken from its balance.
    RegisterCandidate {
        /// ed25519 consensus key: not the signer's key, never used before by anyone.
        #[serde(with = "crate::types::hex_key")]
        consensus_key: [u8; 32],
        /// Commission.
        commission: CommissionRates,
        /// Description.
        description: Description,
        /// Self-bond, at least `min_self_bond`.
        #[serde(with = "conclave_core::coin::amount_string")]
        self_bond: u128,
    },
    /// Tag 1. Edits the signer's candidate: a new description and/or commission rate (a rate
    /// change at most once per 24 h of block time, by at most `max_change_rate`).
    EditCandidate {
        /// Replacement description.
        description: Option<Description>,
        /// New commission rate (ppb).
        commission_rate_ppb: Option<RatePpb>,
    },
    /// Tag 2. Rotates the consensus key; the new key is pending until the next epoch.
    RotateConsensusKey {
        /// The new key: not the signer's key, never used before by anyone.
        #[serde(with = "crate::types::hex_key")]
        new_key: [u8; 32],
    },
    /// Tag 3. Replaces the parameters; only the chain's parameter authority may sign it.
    /// `bond_denom` and `power_reduction` cannot change once the chain runs (the pools hold
    /// the denomination, and the power index is kept in units of `power_reduction`).
    UpdateParams {
        /// The new parameters, whole.
        params: Params,
    },
}

/// Checks a description's lengths.
pub fn validate_description(d: &Description) -> Result<(), StakingError> {
    let bad = |field: &str, max: usize| {
        Err(StakingError::InvalidDescription(format!("{field} is longer than {max} bytes; shorten it")))
    };
    if d.moniker.trim().is_empty() {
        return Err(StakingError::InvalidDescription("moniker is empty; give a display name".into()));
    }
    if d.moniker.len() > MAX_MONIKER_LEN {
        return bad("moniker", MAX_MONIKER_LEN);
    }
    if d.identity.len() > MAX_IDENTITY_LEN {
        return bad("identity", MAX_IDENTITY_LEN);
    }
    if d.website.len() > MAX_WEBSITE_LEN {
        return bad("website", MAX_WEBSITE_LEN);
    }
    if d.details.len() > MAX_DETAILS_LEN {
        return bad("details", MAX_DETAILS_LEN);
    }
    Ok(())
}

fn validate_rates(rates: &CommissionRates) -> Result<(), StakingError> {
    let bad = |reason: String| Err(StakingError::CommissionOutOfBounds { reason });
    if rates.max_rate_ppb > PPB_ONE {
        return bad(format!("max rate {} exceeds 100 % ({PPB_ONE} ppb)", rates.max_rate_ppb));
    }
    if rates.rate_ppb > rates.max_rate_ppb {
        return bad(format!("rate {} exceeds max rate {}", rates.rate_ppb, rates.max_rate_ppb));
    }
    if rates.max_change_rate_ppb > rates.max_rate_ppb {
        return bad(format!("max change {} exceeds max rate {}", rates.max_change_rate_ppb, rates.max_rate_ppb));
    }
    Ok(())
}

fn validate_key(key: &[u8; 32]) -> Result<(), StakingError> {
    ed25519_consensus::VerificationKey::try_from(*key)
        .map(drop)
        .map_err(|_| StakingError::InvalidConsensusKey { key: hex32(key) })
}

/// Stateless checks.
pub fn validate(msg: &Msg) -> Result<(), StakingError> {
    match msg {
        Msg::RegisterCandidate { consensus_key, commission, description, self_bond } => {
            validate_key(consensus_key)?;
            validate_rates(commission)?;
            validate_description(description)?;
            if *self_bond == 0 {
                return Err(StakingError::ZeroAmount);
            }
            Ok(())
        }
        Msg::EditCandidate { description, commission_rate_ppb } => {
            if description.is_none() && commission_rate_ppb.is_none() {
                return Err(StakingError::EmptyEdit);
            }
            if let Some(d) = description {
                validate_description(d)?;
            }
            Ok(())
        }
        Msg::RotateConsensusKey { new_key } => validate_key(new_key),
        Msg::UpdateParams { params } => params.validate().map_err(StakingError::InvalidParams),
    }
}

/// Which parameter changes a running chain accepts (besides [`Params::validate`]).
fn check_params_change(old: &Params, new: &Params) -> Result<(), String> {
    if new.bond_denom != old.bond_denom {
        return Err(format!("params.bond_denom cannot change from {:?}: the pools hold it", old.bond_denom));
    }
    if new.power_reduction != old.power_reduction {
        return Err(format!(
            "params.power_reduction cannot change from {}: the power index is kept in its units",
            old.power_reduction
        ));
    }
    new.validate()
}

/// A consensus key must not be the operator's account key: compared with the signer's key when
/// known, and always by address (an operator's address is derived from its account key, so this
/// also covers genesis registrations, where only the address is known).
fn check_fresh_key(
    state: &impl StateRead,
    key: &[u8; 32],
    operator: &Address,
    operator_key: Option<&[u8; 32]>,
) -> Result<(), StakingError> {
    if operator_key == Some(key) || Address::from_public_key(key) == *operator {
        return Err(StakingError::ConsensusKeyIsOperatorKey);
    }
    if CONSENSUS_KEYS.contains(state, key)? {
        return Err(StakingError::ConsensusKeyInUse { key: hex32(key) });
    }
    Ok(())
}

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    pub(crate) fn execute(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        msg: &Msg,
    ) -> Result<(), StakingError> {
        validate(msg)?;
        let at = At::block(ctx.block);
        match msg {
            Msg::RegisterCandidate { consensus_key, commission, description, self_bond } => self.register(
                state,
                at,
                &ctx.signer,
                Some(&ctx.signer_key),
                consensus_key,
                commission,
                description,
                *self_bond,
            ),
            Msg::EditCandidate { description, commission_rate_ppb } => {
                self.edit(state, at, &ctx.signer, description.as_ref(), *commission_rate_ppb)
            }
            Msg::RotateConsensusKey { new_key } => self.rotate_key(state, at, &ctx.signer, &ctx.signer_key, new_key),
            Msg::UpdateParams { params } => {
                conclave_core::authority::update_params(
                    state,
                    "staking",
                    &crate::state::PARAMS,
                    &ctx.signer,
                    params,
                    check_params_change,
                )?;
                Ok(())
            }
        }
    }

    /// Registers `operator` as a candidate and bonds its self-bond. `operator_key` is the
    /// signer's account key (absent at genesis, where only the address is known).
    #[allow(clippy::too_many_arguments)]
    pub fn register(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        operator_key: Option<&[u8; 32]>,
        consensus_key: &[u8; 32],
        commission: &CommissionRates,
        description: &Description,
        self_bond: u128,
    ) -> Result<(), StakingError> {
        validate_key(consensus_key)?;
        validate_rates(commission)?;
        validate_description(description)?;
        let params = params(state)?;
        if CANDIDATES.contains(state, operator)? {
            return Err(StakingError::CandidateExists { operator: *operator });
        }
        check_fresh_key(state, consensus_key, operator, operator_key)?;
        if commission.rate_ppb < params.min_commission_ppb {
            return Err(StakingError::CommissionOutOfBounds {
                reason: format!("rate {} is below the minimum {}", commission.rate_ppb, params.min_commission_ppb),
            });
        }
        if self_bond < params.min_self_bond {
            return Err(StakingError::SelfBondBelowMinimum { amount: self_bond, min: params.min_self_bond });
        }
        let balance = self.bank.balance(state, operator, &params.bond_denom)?;
        if balance < self_bond {
            return Err(StakingError::InsufficientFunds { address: *operator, available: balance, needed: self_bond });
        }
        let c = Candidate {
            operator: *operator,
            consensus_key: *consensus_key,
            pending_consensus_key: None,
            status: Status::Candidate,
            tokens: 0,
            shares: 0,
            commission: Commission {
                rate_ppb: commission.rate_ppb,
                max_rate_ppb: commission.max_rate_ppb,
                max_change_rate_ppb: commission.max_change_rate_ppb,
                last_change: at.time,
            },
            description: description.clone(),
            jailed_until: conclave_core::BlockTime(0),
            registered_height: at.height,
            history_floor: 0,
        };
        self.put_candidate(state, &params, at, None, &c)?;
        CONSENSUS_KEYS.put(state, consensus_key, operator)?;
        emit(
            state,
            &event::CandidateRegistered {
                candidate: *operator,
                consensus_key: hex32(consensus_key),
                commission_rate_ppb: commission.rate_ppb,
                commission_max_rate_ppb: commission.max_rate_ppb,
                commission_max_change_rate_ppb: commission.max_change_rate_ppb,
                moniker: description.moniker.clone(),
            },
        )?;
        self.delegate(state, at, operator, operator, self_bond)?;
        Ok(())
    }

    /// Checks a commission change of `operator`'s candidate at `at` without writing.
    pub fn check_commission_change(
        &self,
        state: &impl StateRead,
        at: At,
        operator: &Address,
        rate: RatePpb,
    ) -> Result<(), StakingError> {
        let params = params(state)?;
        let c = candidate(state, operator)?;
        let cm = &c.commission;
        if rate == cm.rate_ppb {
            return Ok(());
        }
        let earliest = cm.last_change.plus_nanos(COMMISSION_CHANGE_INTERVAL_NANOS);
        if at.time < earliest {
            return Err(StakingError::CommissionChangeTooSoon { earliest: earliest.0 });
        }
        if rate > cm.max_rate_ppb {
            return Err(StakingError::CommissionOutOfBounds {
                reason: format!("rate {rate} exceeds the max rate {}", cm.max_rate_ppb),
            });
        }
        if rate < params.min_commission_ppb {
            return Err(StakingError::CommissionOutOfBounds {
                reason: format!("rate {rate} is below the minimum {}", params.min_commission_ppb),
            });
        }
        if rate.abs_diff(cm.rate_ppb) > cm.max_change_rate_ppb {
            return Err(StakingError::CommissionOutOfBounds {
                reason: format!(
                    "a change from {} to {rate} exceeds the max change {} per edit",
                    cm.rate_ppb, cm.max_change_rate_ppb
                ),
            });
        }
        Ok(())
    }

    /// Edits `operator`'s candidate.
    pub fn edit(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        description: Option<&Description>,
        rate: Option<RatePpb>,
    ) -> Result<(), StakingError> {
        if description.is_none() && rate.is_none() {
            return Err(StakingError::EmptyEdit);
        }
        if let Some(d) = description {
            validate_description(d)?;
        }
        let params = params(state)?;
        let old = candidate(state, operator)?;
        if let Some(rate) = rate {
            self.check_commission_change(state, at, operator, rate)?;
        }
        let mut c = old.clone();
        if let Some(d) = description {
            c.description = d.clone();
        }
        if let Some(rate) = rate {
            if rate != c.commission.rate_ppb {
                c.commission.rate_ppb = rate;
                c.commission.last_change = at.time;
            }
        }
        self.put_candidate(state, &params, at, Some(&old), &c)?;
        emit(
            state,
            &event::CandidateEdited {
                candidate: *operator,
                commission_rate_ppb: c.commission.rate_ppb,
                moniker: c.description.moniker.clone(),
                identity: c.description.identity.clone(),
                website: c.description.website.clone(),
                details: c.description.details.clone(),
            },
        )?;
        Ok(())
    }

    /// Sets a pending consensus key for `operator`'s candidate.
    pub fn rotate_key(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        operator_key: &[u8; 32],
        new_key: &[u8; 32],
    ) -> Result<(), StakingError> {
        validate_key(new_key)?;
        let params = params(state)?;
        let old = candidate(state, operator)?;
        if old.status == Status::Tombstoned {
            return Err(StakingError::InvalidTransition { candidate: *operator, from: old.status, to: old.status });
        }
        if old.pending_consensus_key.is_some() {
            return Err(StakingError::KeyRotationPending { candidate: *operator });
        }
        check_fresh_key(state, new_key, operator, Some(operator_key))?;
        let mut c = old.clone();
        c.pending_consensus_key = Some(*new_key);
        self.put_candidate(state, &params, at, Some(&old), &c)?;
        CONSENSUS_KEYS.put(state, new_key, operator)?;
        emit(
            state,
            &event::ConsensusKeyRotated {
                candidate: *operator,
                old_key: hex32(&old.consensus_key),
                new_key: hex32(new_key),
            },
        )?;
        Ok(())
    }
}
