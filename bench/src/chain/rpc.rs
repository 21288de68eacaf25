//! A small blocking client for CometBFT's JSON-RPC over HTTP GET (ureq, one keep-alive
//! connection per client), with the decoders its answers need: base64 transactions and
//! RFC 3339 block times.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// What `broadcast_tx_sync` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Broadcast {
    /// CheckTx accepted the transaction into the mempool.
    Accepted,
    /// CheckTx refused it (code, codespace, log).
    Refused(u32, String, String),
    /// A JSON-RPC error (mempool full, tx already in the cache, …).
    RpcError(String),
}

/// The parts of a committed block the benchmark reads.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// Header time, nanoseconds since the Unix epoch (BFT time).
    pub(crate) time_ns: i128,
    /// The raw transactions.
    pub(crate) txs: Vec<Vec<u8>>,
}

/// One node's RPC endpoint.
pub(crate) struct Rpc {
    base: String,
    agent: ureq::Agent,
}

impl Rpc {
    /// A client for `url` (`http://host:port`).
    pub(crate) fn new(url: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self { base: url.trim_end_matches('/').to_string(), agent }
    }

    /// `GET /<method>?<query>` → the body.
    fn get(&self, method: &str, query: &str) -> Result<String> {
        let url = if query.is_empty() {
            format!("{}/{method}", self.base)
        } else {
            format!("{}/{method}?{query}", self.base)
        };
        let mut response = self.agent.get(&url).call().with_context(|| format!("GET {}/{method}", self.base))?;
        response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .with_context(|| format!("reading the answer of {}/{method}", self.base))
    }

    /// `GET /<method>?<query>` → the JSON-RPC `result`, or the JSON-RPC error as `Ok(Err(text))`.
    fn call(&self, method: &str, query: &str) -> Result<std::result::Result<Value, String>> {
        let body = self.get(method, query)?;
        let json: Value = serde_json::from_str(&body).with_context(|| {
            format!("{}/{method}: not JSON: {}", self.base, body.chars().take(200).collect::<String>())
        })?;
        if let Some(error) = json.get("error").filter(|e| !e.is_null()) {
            let text = format!(
                "{} {}",
                error["message"].as_str().unwrap_or(""),
                error["data"].as_str().map_or_else(|| error["data"].to_string(), str::to_string)
            );
            return Ok(Err(text));
        }
        json.get("result").cloned().map(Ok).ok_or_else(|| anyhow!("{}/{method}: no result", self.base))
    }

    fn result(&self, method: &str, query: &str) -> Result<Value> {
        self.call(method, query)?.map_err(|e| anyhow!("{}/{method}: {e}", self.base))
    }

    /// The latest committed height (`/status`).
    pub(crate) fn height(&self) -> Result<u64> {
        let status = self.result("status", "")?;
        number(&status["sync_info"]["latest_block_height"]).context("status: latest_block_height")
    }

    /// `broadcast_tx_sync` of `tx`.
    pub(crate) fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<Broadcast> {
        let mut query = String::with_capacity(5 + 2 * tx.len());
        query.push_str("tx=0x");
        for byte in tx {
            query.push(char::from(HEX[usize::from(byte >> 4)]));
            query.push(char::from(HEX[usize::from(byte & 15)]));
        }
        match self.call("broadcast_tx_sync", &query)? {
            Err(error) => Ok(Broadcast::RpcError(error)),
            Ok(result) => {
                let code = number(&result["code"]).unwrap_or(0);
                if code == 0 {
                    Ok(Broadcast::Accepted)
                } else {
                    Ok(Broadcast::Refused(
                        u32::try_from(code).unwrap_or(u32::MAX),
                        result["codespace"].as_str().unwrap_or("").to_string(),
                        result["log"].as_str().unwrap_or("").to_string(),
                    ))
                }
            }
        }
    }

    /// Block `height`: header time and transactions.
    pub(crate) fn block(&self, height: u64) -> Result<Block> {
        let body = self.get("block", &format!("height={height}"))?;
        // Typed and borrowing: blocks with thousands of transactions are parsed often, on the
        // machine under test.
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            #[serde(borrow)]
            result: Option<BlockResult<'a>>,
            error: Option<serde::de::IgnoredAny>,
        }
        #[derive(serde::Deserialize)]
        struct BlockResult<'a> {
            #[serde(borrow)]
            block: BlockJson<'a>,
        }
        #[derive(serde::Deserialize)]
        struct BlockJson<'a> {
            #[serde(borrow)]
            header: Header<'a>,
            #[serde(borrow)]
            data: Data<'a>,
        }
        #[derive(serde::Deserialize)]
        struct Header<'a> {
            time: &'a str,
        }
        #[derive(serde::Deserialize)]
        struct Data<'a> {
            #[serde(borrow, default)]
            txs: Option<Vec<&'a str>>,
        }
        let answer: Answer<'_> =
            serde_json::from_str(&body).with_context(|| format!("{}/block: bad JSON", self.base))?;
        let Some(result) = answer.result.filter(|_| answer.error.is_none()) else {
            bail!("{}/block?height={height}: {}", self.base, body.chars().take(200).collect::<String>());
        };
        let txs = result.block.data.txs.unwrap_or_default().into_iter().map(base64).collect::<Result<Vec<_>>>()?;
        Ok(Block { time_ns: rfc3339_ns(result.block.header.time)?, txs })
    }

    /// The result code of each transaction of block `height` (`/block_results`); `None` while
    /// the block is stored but not yet executed.
    pub(crate) fn result_codes(&self, height: u64) -> Result<Option<Vec<u32>>> {
        let body = self.get("block_results", &format!("height={height}"))?;
        // Typed: the events of every result are skipped, not built.
        #[derive(serde::Deserialize)]
        struct Answer {
            result: Option<Results>,
            error: Option<Value>,
        }
        #[derive(serde::Deserialize)]
        struct Results {
            #[serde(default)]
            txs_results: Option<Vec<TxResult>>,
        }
        #[derive(serde::Deserialize)]
        struct TxResult {
            #[serde(default)]
            code: u32,
        }
        let answer: Answer =
            serde_json::from_str(&body).with_context(|| format!("{}/block_results: bad JSON", self.base))?;
        if let Some(error) = answer.error {
            if error.to_string().contains("could not find results") {
                return Ok(None);
            }
            bail!("{}/block_results?height={height}: {error}", self.base);
        }
        let results = answer.result.with_context(|| format!("{}/block_results: no result", self.base))?;
        Ok(Some(results.txs_results.unwrap_or_default().into_iter().map(|r| r.code).collect()))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A JSON number or a decimal string (CometBFT writes 64-bit integers as strings).
fn number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// Standard base64 with padding, as CometBFT encodes byte fields.
pub(crate) fn base64(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => bail!("invalid base64 character {:?}", char::from(c)),
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// `2025-01-02T03:04:05.123456789Z` (UTC, as CometBFT writes block times) → ns since the epoch.
pub(crate) fn rfc3339_ns(text: &str) -> Result<i128> {
    let bad = || anyhow!("unexpected time format {text:?}");
    let text = text.strip_suffix('Z').ok_or_else(bad)?;
    let (date, time) = text.split_once('T').ok_or_else(bad)?;
    let mut date_parts = date.split('-').map(str::parse::<i64>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) = (date_parts.next(), date_parts.next(), date_parts.next())
    else {
        return Err(bad());
    };
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut hms_parts = hms.split(':').map(str::parse::<i64>);
    let (Some(Ok(h)), Some(Ok(m)), Some(Ok(s))) = (hms_parts.next(), hms_parts.next(), hms_parts.next()) else {
        return Err(bad());
    };
    let mut nanos: i128 = 0;
    for (i, c) in fraction.bytes().take(9).enumerate() {
        if !c.is_ascii_digit() {
            return Err(bad());
        }
        nanos += i128::from(c - b'0') * 10i128.pow(8 - i as u32);
    }
    let days = days_from_civil(year, month, day);
    let seconds = i128::from(days) * 86_400 + i128::from(h * 3600 + m * 60 + s);
    Ok(seconds * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders() {
        assert_eq!(base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64("").unwrap(), b"");
        assert!(base64("a*b").is_err());
        assert_eq!(rfc3339_ns("1970-01-01T00:00:01.5Z").unwrap(), 1_500_000_000);
        assert_eq!(rfc3339_ns("2024-03-01T00:00:00Z").unwrap(), 1_709_251_200 * 1_000_000_000);
        assert_eq!(rfc3339_ns("2024-03-01T00:00:00.000000001Z").unwrap(), 1_709_251_200 * 1_000_000_000 + 1);
        assert!(rfc3339_ns("2024-03-01 00:00:00").is_err());
    }
}
