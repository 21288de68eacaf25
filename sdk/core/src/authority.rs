//! The chain's parameter authority: the one account allowed to change module parameters.
//!
//! Every module with parameters has an `UpdateParams` message that only this account may
//! sign. The runtime writes it from the genesis (`runtime.authority`); a chain without one
//! has frozen parameters. A governance module takes the role by being named the authority
//! (its module account) in genesis: proposals then execute `UpdateParams` messages as that
//! account. The item lives under the runtime's `auth/` prefix; modules only read it, through
//! [`is_authority`].

use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;

use crate::address::Address;
use crate::event::{Event, EventAttribute};
use crate::state::{StateError, StateRead, StateWrite};
use crate::typed::Item;

/// The authority's address. Absent: no account may change parameters.
pub const AUTHORITY: Item<Address> = Item::new("auth/authority");

/// Whether `signer` is the chain's parameter authority.
pub fn is_authority(state: &impl StateRead, signer: &Address) -> Result<bool, StateError> {
    Ok(AUTHORITY.get(state)?.as_ref() == Some(signer))
}

/// The authority, if the chain has one (for error messages and queries).
pub fn authority(state: &impl StateRead) -> Result<Option<Address>, StateError> {
    AUTHORITY.get(state)
}

/// Why an `UpdateParams` message was refused. Each module maps the first two to codes of its
/// own (`NotAuthority`, `InvalidParams`) and `State` to its state variant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpdateParamsError {
    /// The signer is not the parameter authority (or the chain has none).
    #[error("{}", not_authority_message(.signer, .authority))]
    NotAuthority {
        /// Who signed.
        signer: Address,
        /// The authority, if the chain has one.
        authority: Option<Address>,
    },
    /// The new parameters are invalid, or change one that cannot change after genesis.
    #[error("invalid parameters: {0}")]
    Invalid(String),
    /// State access failed.
    #[error(transparent)]
    State(#[from] StateError),
}

fn not_authority_message(signer: &Address, authority: &Option<Address>) -> String {
    match authority {
        Some(authority) => format!("{signer} may not change parameters: only the parameter authority {authority} may"),
        None => "this chain has no parameter authority (runtime.authority in genesis): its parameters are fixed".into(),
    }
}

/// Executes a module's `UpdateParams`: `signer` must be the authority; `check(old, new)`
/// validates the new parameters (including which fields may not change once the chain runs);
/// then they replace the old ones and `<module>.params_updated` is emitted with them as JSON.
/// Nothing is written on error.
pub fn update_params<P>(
    state: &mut impl StateWrite,
    module: &str,
    item: &Item<P>,
    signer: &Address,
    new: &P,
    check: impl FnOnce(&P, &P) -> Result<(), String>,
) -> Result<(), UpdateParamsError>
where
    P: BorshSerialize + BorshDeserialize + Serialize,
{
    let current = authority(state)?;
    if current.as_ref() != Some(signer) {
        return Err(UpdateParamsError::NotAuthority { signer: *signer, authority: current });
    }
    let old = item.load(state)?;
    check(&old, new).map_err(UpdateParamsError::Invalid)?;
    item.put(state, new)?;
    let params = serde_json::to_string(new).map_err(|e| UpdateParamsError::Invalid(e.to_string()))?;
    state.emit(Event {
        kind: format!("{module}.params_updated"),
        attributes: vec![
            EventAttribute { key: "authority".into(), value: signer.to_string(), index: true },
            EventAttribute { key: "params".into(), value: params, index: false },
        ],
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryState;

    const PARAMS: Item<u32> = Item::new("m/params");
    const BOSS: Address = Address([1; 20]);

    fn update(state: &mut MemoryState, signer: Address, new: u32) -> Result<(), UpdateParamsError> {
        update_params(
            state,
            "m",
            &PARAMS,
            &signer,
            &new,
            |old, new| {
                if new < old {
                    Err("may only grow".into())
                } else {
                    Ok(())
                }
            },
        )
    }

    #[test]
    fn only_the_authority_changes_parameters_and_refusals_write_nothing() {
        let mut state = MemoryState::new();
        PARAMS.put(&mut state, &5).unwrap();
        assert_eq!(
            update(&mut state, BOSS, 6),
            Err(UpdateParamsError::NotAuthority { signer: BOSS, authority: None }),
            "no authority: frozen"
        );
        AUTHORITY.put(&mut state, &BOSS).unwrap();
        let before = state.clone();
        let stranger = Address([2; 20]);
        let err = update(&mut state, stranger, 6).unwrap_err();
        assert!(err.to_string().contains("only the parameter authority"), "{err}");
        assert_eq!(update(&mut state, BOSS, 4), Err(UpdateParamsError::Invalid("may only grow".into())));
        assert_eq!(state, before, "refusals write nothing");
        update(&mut state, BOSS, 9).unwrap();
        assert_eq!(PARAMS.load(&state).unwrap(), 9);
        assert_eq!(state.events.last().map(|e| e.kind.as_str()), Some("m.params_updated"));
        assert_eq!(state.events.last().and_then(|e| e.attribute("params")), Some("9"));
    }
}
