//! The genesis that `init` and `localnet` write: funded accounts and the node operators as
//! validators, turned into the app's genesis by [`Chain::genesis`]. The app elects its genesis
//! set from that state (InitChain returns it), so `genesis.json`'s `validators` are rewritten
//! to exactly that set: the file says what CometBFT really runs with.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Value};

use conclave_core::{Address, BlockTime};
use conclave_runtime::{App, GenesisState, InitChainRequest, Runtime, RuntimeGenesis, RuntimeParams, ValidatorUpdate};
use conclave_store::{Store, StoreConfig};

use crate::chain::{Chain, NewNetwork, NewValidator};

/// Balance of each funded genesis account, operators included.
pub const GENESIS_BALANCE: u128 = 1_000_000_000_000;

/// Self-bond of each genesis validator: 100 power with staking's default `power_reduction`
/// (10⁶), a 0.01 % slice of its operator's balance, so delegators' votes decide the ranking.
pub const GENESIS_SELF_BOND: u128 = 100_000_000;

/// What a new chain's genesis holds.
#[derive(Clone, Debug)]
pub(crate) struct ChainGenesis {
    /// Accounts funded with [`GENESIS_BALANCE`] (operators are funded too, once).
    pub(crate) accounts: Vec<Address>,
    /// The genesis validators (each bonds [`GENESIS_SELF_BOND`]).
    pub(crate) validators: Vec<NewValidator>,
    /// The parameter authority (`runtime.authority`) unless the chain names one
    /// ([`Chain::parameter_authority`], e.g. its governance module account).
    pub(crate) authority: Address,
}

impl ChainGenesis {
    /// Our `app_state`: default runtime parameters in the chain's denomination, and the
    /// chain's own genesis for these balances and validators.
    pub(crate) fn app_state<C: Chain>(&self, args: &C::GenesisArgs, localnet: bool) -> Result<Value> {
        let denom = C::DESCRIPTION.denom.to_string();
        let params = RuntimeParams { fee_denom: denom.clone(), ..RuntimeParams::default() };
        let mut funded: Vec<Address> = self.accounts.clone();
        for v in &self.validators {
            if !funded.contains(&v.operator) {
                funded.push(v.operator);
            }
        }
        let network = NewNetwork {
            denom,
            balances: funded.iter().map(|address| (*address, GENESIS_BALANCE)).collect(),
            validators: self.validators.clone(),
            localnet,
        };
        let state = GenesisState::<<C::App as App>::Genesis> {
            runtime: RuntimeGenesis {
                params,
                authority: Some(C::parameter_authority().unwrap_or(self.authority)),
                nonces: Vec::new(),
            },
            app: C::genesis(&network, args)?,
        };
        Ok(state.to_json()?)
    }
}

/// Reads `pub_key.value` of a CometBFT `priv_validator_key.json`.
pub(crate) fn consensus_key_of(path: &Path) -> Result<[u8; 32]> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let value = file
        .pointer("/pub_key/value")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{} has no pub_key.value; is it a CometBFT key file?", path.display()))?;
    BASE64
        .decode(value)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| anyhow!("{}: pub_key.value is not a base64 ed25519 key", path.display()))
}

/// Edits a `genesis.json` written by CometBFT: chain id, our `app_state`, the block gas limit
/// equal to the runtime's `max_block_gas`, and the validators' powers set to the ones the app
/// elects. The app state is checked by running InitChain on an in-memory store, so a bad
/// genesis fails here, not at start; so does an elected set that differs from the file's
/// validators.
pub(crate) fn edit_genesis<C: Chain>(path: &Path, chain_id: &str, app_state: Value) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut genesis: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let params: RuntimeParams =
        serde_json::from_value(app_state["runtime"]["params"].clone()).context("app_state.runtime.params")?;
    let Some(object) = genesis.as_object_mut() else { bail!("{}: not a JSON object", path.display()) };
    object.insert("chain_id".into(), json!(chain_id));
    object.insert("app_state".into(), app_state.clone());
    let block = genesis
        .pointer_mut("/consensus_params/block")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("{}: no consensus_params.block; is this a CometBFT 0.38 genesis?", path.display()))?;
    let max_gas = if params.max_block_gas == 0 { "-1".to_string() } else { params.max_block_gas.to_string() };
    block.insert("max_gas".into(), json!(max_gas));
    let elected = elected_set::<C>(chain_id, &app_state)?;
    set_validator_powers(&mut genesis, &elected).with_context(|| format!("{}", path.display()))?;
    let mut bytes = serde_json::to_vec_pretty(&genesis)?;
    bytes.push(b'\n');
    std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(bytes)
}

/// Runs InitChain on an in-memory store; returns the validators the app elects.
fn elected_set<C: Chain>(chain_id: &str, app_state: &Value) -> Result<Vec<ValidatorUpdate>> {
    let store = Store::open_in_memory(StoreConfig::default()).context("in-memory store")?;
    let mut runtime = Runtime::new(C::app(), store);
    let response = runtime
        .init_chain(InitChainRequest::new(chain_id, BlockTime(0), 1, serde_json::to_vec(app_state)?))
        .context("the genesis app_state is invalid")?;
    Ok(response.validators)
}

/// Sets each `validators[i].power` to the elected power of its key; the two sets must hold
/// the same keys.
fn set_validator_powers(genesis: &mut Value, elected: &[ValidatorUpdate]) -> Result<()> {
    let validators = genesis
        .get_mut("validators")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| anyhow!("no validators array; is this a CometBFT 0.38 genesis?"))?;
    if validators.len() != elected.len() {
        bail!("the app elects {} genesis validator(s) but the file lists {}", elected.len(), validators.len());
    }
    for validator in validators {
        let value = validator.pointer("/pub_key/value").and_then(Value::as_str).unwrap_or_default().to_string();
        let power = elected
            .iter()
            .find(|v| BASE64.encode(v.pub_key) == value)
            .map(|v| v.power)
            .ok_or_else(|| anyhow!("validator {value} is not in the set the app elects"))?;
        validator["power"] = json!(power.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_file_validators_get_the_elected_powers() {
        let key = [7u8; 32];
        let mut genesis = json!({ "validators": [{ "pub_key": { "value": BASE64.encode(key) }, "power": "10" }] });
        set_validator_powers(&mut genesis, &[ValidatorUpdate { pub_key: key, power: 100 }]).unwrap();
        assert_eq!(genesis["validators"][0]["power"], "100");
        let other = ValidatorUpdate { pub_key: [8; 32], power: 1 };
        assert!(set_validator_powers(&mut genesis, &[other]).is_err());
        assert!(set_validator_powers(&mut genesis, &[]).is_err());
    }
}
