//! What the benchmarks send: signed bank transfers of the app-template chain from a few
//! deterministic, genesis-funded accounts (shared by the `abci` and `chain` benchmarks).

use appchain::Msg;
use conclave_core::{Address, Coin};
use conclave_runtime::params::RuntimeParams;
use conclave_testkit::{TestAccount, TxOptions};
use serde_json::{json, Value};

/// Balance of each sender in genesis (fee denomination).
pub(crate) const SENDER_BALANCE: u128 = 1_000_000_000_000;

/// Gas limit of every benchmark transfer. A transfer uses about 23,000 gas; the CLI's default
/// limit (200,000) would cap a block at `max_block_gas / 200,000` = 500 transfers, since the
/// block gas limit counts gas *limits*. 30,000 lets a block hold 3,333.
pub(crate) const GAS_LIMIT: u64 = 30_000;

/// The benchmark senders `bench-0` … `bench-<n-1>` (keys derived from the names).
pub(crate) fn senders(n: usize) -> Vec<TestAccount> {
    (0..n).map(|i| TestAccount::named(&format!("bench-{i}"))).collect()
}

/// Genesis bank balances for `accounts`, in the `app_state.app.bank.balances` format.
pub(crate) fn balances(accounts: &[TestAccount]) -> Vec<Value> {
    accounts
        .iter()
        .map(|a| json!({ "address": a.address, "coins": [{ "denom": fee_denom(), "amount": SENDER_BALANCE.to_string() }] }))
        .collect()
}

/// A whole `app_state` (default runtime parameters) funding `accounts`, the first of which is
/// also the only validator (the app requires one; it bonds staking's minimum self-bond out of
/// its balance, with a consensus key derived from a fixed seed).
pub(crate) fn app_state(accounts: &[TestAccount]) -> anyhow::Result<Value> {
    let first = accounts.first().ok_or_else(|| anyhow::anyhow!("the benchmark needs at least one sender"))?;
    let validator = appchain::GenesisValidator {
        operator: first.address,
        consensus_key: ed25519_consensus::SigningKey::from([7u8; 32]).verification_key().to_bytes(),
        moniker: "bench".into(),
        self_bond: conclave_staking::Params::default().min_self_bond,
    };
    let genesis: appchain::Genesis = serde_json::from_value(json!({ "bank": { "balances": balances(accounts) } }))?;
    Ok(json!({ "app": genesis.with_validators(&[validator], conclave_rotation::Params::default().epoch_length) }))
}

/// The fee denomination of the default runtime parameters.
pub(crate) fn fee_denom() -> String {
    RuntimeParams::default().fee_denom
}

/// Transaction options: [`GAS_LIMIT`] and the smallest fee the default minimum gas price allows.
pub(crate) fn tx_options() -> TxOptions {
    let params = RuntimeParams::default();
    let price = params.min_gas_price;
    let fee = u128::from(GAS_LIMIT).saturating_mul(price.numerator).div_ceil(price.denominator.max(1));
    TxOptions { fee: Coin::new(params.fee_denom, fee), gas_limit: GAS_LIMIT, ..TxOptions::default() }
}

/// A signed bank `Send` of `amount` from `from` (with `nonce`) to `to`.
pub(crate) fn transfer(
    chain_id: &str,
    from: &TestAccount,
    nonce: u64,
    to: Address,
    amount: u128,
    options: &TxOptions,
) -> Vec<u8> {
    let msg = Msg::Bank(conclave_bank::Msg::Send { to, amount: Coin::new(options.fee.denom.clone(), amount) });
    from.sign(chain_id, nonce, vec![msg], options)
}

/// `count` transfers in block order: senders take turns, each with consecutive nonces from
/// `nonces` (advanced in place); each pays 1 unit to the next sender.
pub(crate) fn block_of_transfers(
    chain_id: &str,
    senders: &[TestAccount],
    nonces: &mut [u64],
    count: usize,
    options: &TxOptions,
) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let s = i % senders.len();
            let to = senders[(s + 1) % senders.len()].address;
            let tx = transfer(chain_id, &senders[s], nonces[s], to, 1, options);
            nonces[s] += 1;
            tx
        })
        .collect()
}
