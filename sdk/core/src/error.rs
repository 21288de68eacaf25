//! Stable error codes.
//!
//! Every module has one error enum; each variant has an explicit code that is never reused
//! or renumbered, reported to clients as `(codespace = module name, code, log)`. Code 0 means
//! success and is never an error code. [`TxCode`] holds the runtime's own codes (codespace `tx`).

use crate::state::StateError;

/// A module error with a stable `(codespace, code)`.
pub trait ModuleError: std::error::Error {
    /// The module name, e.g. `bank`.
    fn codespace(&self) -> &'static str;
    /// The stable, non-zero code of this variant.
    fn code(&self) -> u32;
    /// The underlying state error, if this error wraps one: out-of-gas is reported with the
    /// runtime's gas code, and fatal storage errors stop the node.
    fn state_error(&self) -> Option<&StateError>;
}

/// The codespace of [`TxCode`].
pub const TX_CODESPACE: &str = "tx";

/// Codes the runtime returns for transactions rejected before or around message execution
/// (codespace `tx`). See `docs/errors.md`. Never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum TxCode {
    /// The encoded transaction exceeds `max_tx_bytes`; refused before decoding.
    TooLarge = 1,
    /// The bytes are not a canonical encoding of a transaction (includes trailing bytes).
    Malformed = 2,
    /// A message has a type tag the chain does not know.
    UnknownMessage = 3,
    /// The transaction is for another chain.
    WrongChainId = 4,
    /// The signature does not verify for the signer key and sign bytes.
    BadSignature = 5,
    /// The nonce was already used (replay).
    NonceTooLow = 6,
    /// The nonce is ahead of the account's next nonce.
    NonceTooHigh = 7,
    /// The block height is past the transaction's timeout height.
    Expired = 8,
    /// The fee is below `gas_limit × min_gas_price`.
    FeeTooLow = 9,
    /// The fee is not in the fee denomination.
    WrongFeeDenom = 10,
    /// The signer cannot pay the fee.
    InsufficientFee = 11,
    /// The transaction ran out of gas.
    OutOfGas = 12,
    /// The gas limit exceeds the per-transaction maximum.
    GasLimitTooHigh = 13,
    /// The transaction has no messages.
    NoMessages = 14,
    /// Too many messages, or the memo is too long.
    TooBig = 15,
    /// The transaction would not fit in the remaining block gas.
    BlockGasExceeded = 16,
    /// A message failed stateless validation in a way its module does not classify.
    InvalidMessage = 17,
}

impl TxCode {
    /// The numeric code.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Every code, for documentation and uniqueness tests.
    pub const ALL: [TxCode; 17] = [
        TxCode::TooLarge,
        TxCode::Malformed,
        TxCode::UnknownMessage,
        TxCode::WrongChainId,
        TxCode::BadSignature,
        TxCode::NonceTooLow,
        TxCode::NonceTooHigh,
        TxCode::Expired,
        TxCode::FeeTooLow,
        TxCode::WrongFeeDenom,
        TxCode::InsufficientFee,
        TxCode::OutOfGas,
        TxCode::GasLimitTooHigh,
        TxCode::NoMessages,
        TxCode::TooBig,
        TxCode::BlockGasExceeded,
        TxCode::InvalidMessage,
    ];
}

/// A refusal by another module, reached through a trait the calling module owns (staking's
/// bank, voting's stake ledger, rotation's candidates). It keeps that module's codespace and
/// code, so one rule has one code wherever it is hit, and the earliest time a time rule
/// stops refusing, for pre-flight answers.
///
/// State errors never travel in a `Refusal`: [`Refusal::split`] hands them back so the
/// caller converts them into its own `State` variant, and out-of-gas and fatal storage
/// errors keep their meaning.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The refusing module's codespace.
    pub codespace: &'static str,
    /// Its stable code there.
    pub code: u32,
    /// Its message.
    pub message: String,
    /// The earliest block time (ns) at which the refusal lifts, for time rules.
    pub earliest_time: Option<u64>,
}

impl Refusal {
    /// Splits another module's error into its state error (out of gas or fatal), if it wraps
    /// one, or a refusal with its codespace, code and message.
    pub fn split<E: ModuleError>(error: &E, earliest_time: Option<u64>) -> Result<Refusal, StateError> {
        match error.state_error() {
            Some(state) => Err(state.clone()),
            None => Ok(Refusal {
                codespace: error.codespace(),
                code: error.code(),
                message: error.to_string(),
                earliest_time,
            }),
        }
    }
}

/// `Infallible` as a module error, for a trait implementation that cannot fail.
impl ModuleError for std::convert::Infallible {
    fn codespace(&self) -> &'static str {
        match *self {}
    }
    fn code(&self) -> u32 {
        match *self {}
    }
    fn state_error(&self) -> Option<&StateError> {
        match *self {}
    }
}

/// Checks that `codes` are non-zero and pairwise distinct; for each module's unit test.
pub fn assert_codes_unique(codes: &[u32]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for &code in codes {
        if code == 0 {
            return Err("code 0 means success and cannot be an error code".into());
        }
        if !seen.insert(code) {
            return Err(format!("error code {code} is used twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tx_codes_are_unique_and_dense() {
        let codes: Vec<u32> = TxCode::ALL.iter().map(|c| c.code()).collect();
        assert_codes_unique(&codes).unwrap();
        assert_eq!(codes, (1..=17).collect::<Vec<_>>());
    }
}
