//! How transactions and block times are shown: the summary `tx` commands print, and the
//! decoded transaction `query tx` prints.

use borsh::BorshDeserialize;
use serde::Serialize;
use serde_json::{json, Value};

use conclave_core::tx::Tx;

use crate::output::Fields;
use crate::rpc::TxResponse;

/// A transaction's result; with `full`, its decoded body (as the app's `M`) and events too.
pub fn tx_summary<M: BorshDeserialize + Serialize>(result: &TxResponse, full: bool) -> Fields {
    let exec = &result.tx_result;
    let mut summary: Fields = vec![
        ("hash", json!(result.hash)),
        ("height", json!(result.height)),
        ("index", json!(result.index)),
        ("code", json!(exec.code)),
        ("codespace", json!(exec.codespace)),
        ("log", json!(exec.log)),
        ("gas_wanted", json!(exec.gas_wanted)),
        ("gas_used", json!(exec.gas_used)),
    ];
    if full {
        let tx = match Tx::<M>::decode(&result.tx) {
            Ok(tx) => decoded_tx(&tx),
            Err(e) => json!({ "undecodable": e.to_string(), "hex": hex::encode(&result.tx) }),
        };
        summary.push(("tx", tx));
        summary.push(("events", serde_json::to_value(&exec.events).unwrap_or_default()));
    }
    summary
}

/// The body of `tx` as JSON; each message as the app's `Msg` serializes it (by convention
/// `{ "<module>": <message> }`).
fn decoded_tx<M: Serialize>(tx: &Tx<M>) -> Value {
    json!({
        "chain_id": tx.body.chain_id,
        "signer": tx.signer_address(),
        "nonce": tx.body.nonce,
        "fee": tx.body.fee.to_string(),
        "gas_limit": tx.body.gas_limit,
        "timeout_height": tx.body.timeout_height,
        "memo": tx.body.memo,
        "messages": tx.body.messages,
    })
}

/// A block time (ns since the Unix epoch) as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn format_time(ns: u64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(ns / 1_000_000_000);
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_times_format_as_utc() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(951_782_400_000_000_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_time(1_700_000_000_999_999_999), "2023-11-14T22:13:20Z");
    }
}
