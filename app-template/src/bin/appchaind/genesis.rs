//! The genesis that `init` and `localnet` write: funded accounts, the node operators
//! registered as staking candidates with their CometBFT consensus keys, and rotation
//! parameters that fit the number of validators. The app elects its genesis set from that
//! staking state (InitChain returns it), so `genesis.json`'s `validators` are rewritten to
//! exactly that set: the file says what CometBFT really runs with.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use appchain::{AppChain, Genesis, GenesisValidator};
use conclave_bank::GenesisBalance;
use conclave_core::{Address, BlockTime, Coin};
use conclave_runtime::{GenesisState, InitChainRequest, Runtime, RuntimeGenesis, RuntimeParams, ValidatorUpdate};
use conclave_store::{Store, StoreConfig};

use crate::encoding::{base64, unbase64};

/// Balance of each funded genesis account, operators included.
pub(crate) const GENESIS_BALANCE: u128 = 1_000_000_000_000;

/// Self-bond of each genesis validator: 100 power with staking's default `power_reduction`
/// (10⁶), a 0.01 % slice of its operator's balance, so delegators' votes decide the ranking.
pub(crate) const GENESIS_SELF_BOND: u128 = 100_000_000;

/// What a new chain's genesis holds.
#[derive(Clone, Debug)]
pub(crate) struct ChainGenesis {
    /// Accounts funded with [`GENESIS_BALANCE`] (operators are funded too, once).
    pub(crate) accounts: Vec<Address>,
    /// The genesis validators (each bonds [`GENESIS_SELF_BOND`]).
    pub(crate) validators: Vec<GenesisValidator>,
    /// Rotation's `epoch_length`.
    pub(crate) epoch_length: u64,
}

impl ChainGenesis {
    /// Our `app_state`: default runtime parameters, the balances, the registrations and the
    /// rotation parameters.
    pub(crate) fn app_state(&self) -> Result<Value> {
        let params = RuntimeParams::default();
        let mut funded: Vec<Address> = self.accounts.clone();
        for v in &self.validators {
            if !funded.contains(&v.operator) {
                funded.push(v.operator);
            }
        }
        let balances = funded
            .iter()
            .map(|address| GenesisBalance {
                address: *address,
                coins: vec![Coin::new(params.fee_denom.clone(), GENESIS_BALANCE)],
            })
            .collect();
        let state = GenesisState::<Genesis> {
            runtime: RuntimeGenesis { params, nonces: Vec::new() },
            app: Genesis { bank: conclave_bank::Genesis { balances, supply: None }, ..Genesis::default() }
                .with_validators(&self.validators, self.epoch_length),
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
    unbase64(value)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| anyhow!("{}: pub_key.value is not a base64 ed25519 key", path.display()))
}

/// Edits a `genesis.json` written by CometBFT: chain id, our `app_state`, the block gas limit
/// equal to the runtime's `max_block_gas`, and the validators' powers set to the ones the app
/// elects. The app state is checked by running InitChain on an in-memory store, so a bad
/// genesis fails here, not at start; so does an elected set that differs from the file's
/// validators.
pub(crate) fn edit_genesis(path: &Path, chain_id: &str, app_state: Value) -> Result<Vec<u8>> {
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
    let elected = elected_set(chain_id, &app_state)?;
    set_validator_powers(&mut genesis, &elected).with_context(|| format!("{}", path.display()))?;
    let mut bytes = serde_json::to_vec_pretty(&genesis)?;
    bytes.push(b'\n');
    std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(bytes)
}

/// Runs InitChain on an in-memory store; returns the validators the app elects.
fn elected_set(chain_id: &str, app_state: &Value) -> Result<Vec<ValidatorUpdate>> {
    let store = Store::open_in_memory(StoreConfig::default()).context("in-memory store")?;
    let mut runtime = Runtime::new(AppChain::default(), store);
    let response = runtime
        .init_chain(InitChainRequest {
            chain_id: chain_id.to_string(),
            time: BlockTime(0),
            initial_height: 1,
            app_state: serde_json::to_vec(app_state)?,
        })
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
            .find(|v| base64(&v.pub_key) == value)
            .map(|v| v.power)
            .ok_or_else(|| anyhow!("validator {value} is not in the set the app elects"))?;
        validator["power"] = json!(power.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(seed: u8) -> GenesisValidator {
        let consensus = ed25519_consensus::SigningKey::from([seed.wrapping_add(100); 32]);
        GenesisValidator {
            operator: Address::from_public_key(&[seed; 32]),
            consensus_key: consensus.verification_key().to_bytes(),
            moniker: format!("node{seed}"),
            self_bond: GENESIS_SELF_BOND,
        }
    }

    #[test]
    fn registered_validators_are_the_elected_genesis_set() {
        for n in 1..=6u8 {
            let validators: Vec<_> = (0..n).map(validator).collect();
            let chain = ChainGenesis { accounts: vec![validators[0].operator], validators, epoch_length: 10 };
            let state = chain.app_state().unwrap();
            let elected = elected_set("test-1", &state).unwrap();
            assert_eq!(elected.len(), usize::from(n), "{n} validators");
            let power = i64::try_from(GENESIS_SELF_BOND / 1_000_000).unwrap();
            assert!(elected.iter().all(|v| v.power == power), "{elected:?}");
            // Operators are funded once even when also listed as accounts.
            assert_eq!(state["app"]["bank"]["balances"].as_array().unwrap().len(), usize::from(n));
        }
    }

    #[test]
    fn small_networks_lower_min_validators_and_raise_the_share() {
        use appchain::rotation_params;
        let one = rotation_params(1, 5);
        assert_eq!((one.min_validators, one.max_power_share_ppb, one.epoch_length), (1, 1_000_000_000, 5));
        assert_eq!(rotation_params(3, 5).max_power_share_ppb, 333_333_334);
        let four = rotation_params(4, 5);
        assert_eq!((four.min_validators, four.max_power_share_ppb), (4, 250_000_000));
        assert_eq!(rotation_params(16, 5), conclave_rotation::Params { epoch_length: 5, ..Default::default() });
        for n in 1..=16 {
            rotation_params(n, 1).validate().unwrap();
        }
    }

    #[test]
    fn genesis_file_validators_get_the_elected_powers() {
        let key = [7u8; 32];
        let mut genesis = json!({ "validators": [{ "pub_key": { "value": base64(&key) }, "power": "10" }] });
        set_validator_powers(&mut genesis, &[ValidatorUpdate { pub_key: key, power: 100 }]).unwrap();
        assert_eq!(genesis["validators"][0]["power"], "100");
        let other = ValidatorUpdate { pub_key: [8; 32], power: 1 };
        assert!(set_validator_powers(&mut genesis, &[other]).is_err());
        assert!(set_validator_powers(&mut genesis, &[]).is_err());
    }
}
