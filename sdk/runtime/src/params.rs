//! The runtime's own state (prefix `auth/`): chain id, parameters and account nonces,
//! and the genesis section that sets them.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::coin::validate_denom;
use conclave_core::{Address, GasSchedule, Item, Map, Ratio};

/// The chain id, written at InitChain.
pub const CHAIN_ID: Item<String> = Item::new("auth/chain_id");
/// The runtime parameters.
pub const PARAMS: Item<RuntimeParams> = Item::new("auth/params");
/// Each account's next nonce. Absent means 0.
pub const NONCES: Map<Address, u64> = Map::new("auth/nonce");

/// Every prefix the runtime owns (the parameter authority's item is defined in core, so
/// modules can read it, but written only here, from the genesis).
pub const RUNTIME_PREFIXES: [&str; 5] = [
    CHAIN_ID.prefix(),
    PARAMS.prefix(),
    NONCES.prefix(),
    conclave_core::authority::AUTHORITY.prefix(),
    conclave_core::consensus::EVIDENCE_PARAMS.prefix(),
];

/// Parameters of the ante checks and gas.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeParams {
    /// Largest encoded transaction accepted; checked before decoding.
    pub max_tx_bytes: u64,
    /// Most messages in one transaction.
    pub max_messages: u32,
    /// Longest memo in bytes.
    pub max_memo_bytes: u32,
    /// Largest gas limit of one transaction.
    pub max_tx_gas: u64,
    /// Sum of the gas limits of a block's transactions; 0 means no limit.
    pub max_block_gas: u64,
    /// The only denomination fees may be paid in.
    pub fee_denom: String,
    /// Minimum price of one unit of gas; the fee must be at least `ceil(gas_limit × price)`.
    pub min_gas_price: Ratio,
    /// Gas costs of primitive operations.
    pub gas: GasSchedule,
}

impl Default for RuntimeParams {
    fn default() -> Self {
        Self {
            max_tx_bytes: 64 * 1024,
            max_messages: 32,
            max_memo_bytes: 256,
            max_tx_gas: 10_000_000,
            max_block_gas: 100_000_000,
            fee_denom: "stake".into(),
            min_gas_price: Ratio { numerator: 1, denominator: 1_000 },
            gas: GasSchedule::default(),
        }
    }
}

impl RuntimeParams {
    /// Checks the parameters; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        validate_denom(&self.fee_denom).map_err(|e| format!("runtime.params.fee_denom: {e}"))?;
        if self.max_tx_bytes < 128 {
            return Err("runtime.params.max_tx_bytes must be at least 128".into());
        }
        if self.max_messages == 0 {
            return Err("runtime.params.max_messages must be at least 1".into());
        }
        if self.min_gas_price.denominator == 0 {
            return Err("runtime.params.min_gas_price.denominator must not be 0".into());
        }
        if self.max_block_gas != 0 && self.max_block_gas < self.max_tx_gas {
            return Err("runtime.params.max_block_gas must be 0 (no limit) or at least max_tx_gas".into());
        }
        Ok(())
    }
}

/// An account's nonce in genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountNonce {
    /// The account.
    pub address: Address,
    /// Its next nonce.
    pub nonce: u64,
}

/// The runtime's genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeGenesis {
    /// Parameters.
    #[serde(default)]
    pub params: RuntimeParams,
    /// The account allowed to change module parameters (each module's `UpdateParams`
    /// message); a governance module's account once the chain has one. Absent: parameters
    /// are frozen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<Address>,
    /// Non-zero nonces (from an export); accounts not listed start at 0.
    #[serde(default)]
    pub nonces: Vec<AccountNonce>,
}
