//! Ante checks: everything a transaction must pass before its messages run, in this order
//! (cheapest and stateless first): size, canonical decoding, shape, chain id, gas limit,
//! fee denomination and amount, timeout height, stateless message checks, signature, base gas,
//! then, against state, nonce and fee payment. Passing the stateful part bumps the nonce and
//! takes the fee; nothing before it changes state.

use conclave_core::tx::{verify_signature, DecodeError, Tx};
use conclave_core::{Address, GasMeter, StateWrite, TxCode};

use crate::app::{App, AppError, ErrorKind, FeeError};
use crate::params::{RuntimeParams, NONCES};
use crate::signatures::VerifiedSignatures;

/// A transaction that passed the stateless checks.
pub struct Checked<M> {
    /// The decoded transaction.
    pub tx: Tx<M>,
    /// The signer's address.
    pub signer: Address,
    /// Gas charged before any message runs (size and signature).
    pub base_gas: u64,
}

/// How [`check_stateless`] treats the signature and the minimum fee.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    /// CheckTx, proposals and blocks: every check; a verified signature is recorded in (and
    /// a recorded one skipped through) the node's cache.
    Full(&'a VerifiedSignatures),
    /// A simulation (`tx/simulate`): the signature is not checked (the client has not signed
    /// yet), and with `min_fee: false` nor is the minimum fee (the client is still estimating
    /// the gas the fee depends on). The gas a signature check costs is still charged, so
    /// the estimate holds for the signed transaction.
    Simulate {
        /// Whether the fee must still cover gas × `min_gas_price`.
        min_fee: bool,
    },
}

/// Stateless checks. `height` is the height the transaction would be included at.
pub fn check_stateless<A: App>(
    app: &A,
    params: &RuntimeParams,
    chain_id: &str,
    height: u64,
    bytes: &[u8],
    mode: Mode<'_>,
) -> Result<Checked<A::Msg>, AppError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > params.max_tx_bytes {
        return Err(AppError::tx(
            TxCode::TooLarge,
            format!("transaction is {size} bytes; the limit is {}", params.max_tx_bytes),
        ));
    }
    let tx = Tx::<A::Msg>::decode(bytes).map_err(|e| match e {
        DecodeError::UnknownMessage(tag) => {
            AppError::tx(TxCode::UnknownMessage, format!("unknown message type tag {tag}"))
        }
        DecodeError::Malformed(reason) => AppError::tx(TxCode::Malformed, format!("malformed transaction: {reason}")),
    })?;
    let body = &tx.body;
    if body.messages.is_empty() {
        return Err(AppError::tx(TxCode::NoMessages, "transaction has no messages"));
    }
    if body.messages.len() > params.max_messages as usize {
        return Err(AppError::tx(
            TxCode::TooBig,
            format!("{} messages; the limit is {}", body.messages.len(), params.max_messages),
        ));
    }
    if body.memo.len() > params.max_memo_bytes as usize {
        return Err(AppError::tx(
            TxCode::TooBig,
            format!("memo is {} bytes; the limit is {}", body.memo.len(), params.max_memo_bytes),
        ));
    }
    if body.chain_id != chain_id {
        return Err(AppError::tx(
            TxCode::WrongChainId,
            format!("transaction is for chain {:?}, this is {chain_id:?}", body.chain_id),
        ));
    }
    if body.gas_limit > params.max_tx_gas {
        return Err(AppError::tx(
            TxCode::GasLimitTooHigh,
            format!("gas limit {} exceeds the maximum {}", body.gas_limit, params.max_tx_gas),
        ));
    }
    if body.fee.denom != params.fee_denom {
        return Err(AppError::tx(
            TxCode::WrongFeeDenom,
            format!("fee must be paid in {}, not {}", params.fee_denom, body.fee.denom),
        ));
    }
    let required = params
        .min_gas_price
        .mul_ceil(u128::from(body.gas_limit))
        .map_err(|_| AppError::tx(TxCode::FeeTooLow, "minimum fee overflows"))?;
    if body.fee.amount < required && !matches!(mode, Mode::Simulate { min_fee: false }) {
        return Err(AppError::tx(
            TxCode::FeeTooLow,
            format!(
                "fee {} is below the minimum {required}{} for gas limit {}",
                body.fee, params.fee_denom, body.gas_limit
            ),
        ));
    }
    if let Some(timeout) = body.timeout_height {
        if height > timeout {
            return Err(AppError::tx(
                TxCode::Expired,
                format!("transaction expired at height {timeout}; the block is at {height}"),
            ));
        }
    }
    for msg in &body.messages {
        app.validate(msg)?;
    }
    if let Mode::Full(verified) = mode {
        if !verified.contains(bytes) {
            if !verify_signature(bytes, &body.signer, &tx.signature) {
                return Err(AppError::tx(TxCode::BadSignature, "signature does not verify for the signer key"));
            }
            verified.insert(bytes);
        }
    }
    let base_gas =
        GasMeter::cost(params.gas.tx_base, params.gas.tx_byte, bytes.len()).saturating_add(params.gas.signature);
    if base_gas > body.gas_limit {
        return Err(AppError::tx(
            TxCode::OutOfGas,
            format!("gas limit {} is below the {base_gas} the transaction needs before its messages", body.gas_limit),
        ));
    }
    let signer = tx.signer_address();
    Ok(Checked { tx, signer, base_gas })
}

/// Stateful checks and effects: the nonce must be the account's next one; the fee is paid
/// and the nonce bumped. On error nothing is written (the caller's layer is discarded).
pub fn check_and_pay<A: App>(app: &A, state: &mut impl StateWrite, checked: &Checked<A::Msg>) -> Result<(), AppError> {
    let body = &checked.tx.body;
    let expected = NONCES.get(state, &checked.signer).map_err(|e| AppError::from_state(&e))?.unwrap_or(0);
    if body.nonce < expected {
        return Err(AppError::tx(
            TxCode::NonceTooLow,
            format!("nonce {} was already used; the account's next nonce is {expected}", body.nonce),
        ));
    }
    if body.nonce > expected {
        return Err(AppError::tx(
            TxCode::NonceTooHigh,
            format!("nonce {} is ahead; the account's next nonce is {expected}", body.nonce),
        ));
    }
    app.collect_fee(state, &checked.signer, &body.fee).map_err(|e| match e {
        FeeError::InsufficientFunds(reason) => {
            AppError::tx(TxCode::InsufficientFee, format!("cannot pay fee {}: {reason}", body.fee))
        }
        FeeError::Other(error) => error,
    })?;
    let next =
        expected.checked_add(1).ok_or_else(|| AppError::tx(TxCode::NonceTooLow, "account nonce is exhausted"))?;
    NONCES.put(state, &checked.signer, &next).map_err(|e| AppError::from_state(&e))?;
    Ok(())
}

/// Whether an ante error must stop the node.
pub fn is_fatal(error: &AppError) -> bool {
    error.kind == ErrorKind::Fatal
}
