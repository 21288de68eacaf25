//! The flags every chain's `keys`, `tx` and `query` commands share, and the value parsers
//! module commands reuse (coins, percentages, durations, key names).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use conclave_core::Coin;

/// Default CometBFT RPC endpoint (node0 of a local network, or a single node).
pub const DEFAULT_NODE: &str = "http://127.0.0.1:26657";

/// How data is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// `--output`.
#[derive(Clone, Copy, Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Where keys are: `--keyring-dir DIR`, or `HOME/keys`; how they are protected.
#[derive(Clone, Debug, Args)]
pub struct KeyringArgs {
    /// The home directory whose keys/ folder holds the keys (a node home, or a localnet --dir)
    /// [default: $<CHAIN>_HOME, then ~/.<chain>; `--help` of the chain's binary names them].
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// The key folder itself (overrides --home).
    #[arg(long, value_name = "DIR")]
    pub keyring_dir: Option<PathBuf>,
    /// `keyring-backend` flags.
    #[command(flatten)]
    pub protection: KeyProtectionArgs,
}

/// How keys are protected: the backend new keys are written with, and where the passphrase
/// comes from.
#[derive(Clone, Debug, Default, Args)]
pub struct KeyProtectionArgs {
    /// How new keys are stored: `file` (encrypted under a passphrase) or `test` (unencrypted,
    /// for local networks and tests only) [default: the backend the key folder's first key
    /// was written with, else file].
    #[arg(long, value_enum, value_name = "BACKEND")]
    pub keyring_backend: Option<crate::keys::Backend>,
    /// Read the passphrase from the first line of FILE [default: $CONCLAVE_KEYRING_PASSPHRASE,
    /// else a prompt on the terminal].
    #[arg(long, value_name = "FILE")]
    pub keyring_passphrase_file: Option<PathBuf>,
}

/// Flags of every command that talks to a node.
#[derive(Clone, Debug, Args)]
pub struct NodeArgs {
    /// CometBFT RPC endpoint of a node.
    #[arg(long, default_value = DEFAULT_NODE, value_name = "URL")]
    pub node: String,
}

/// Flags shared by every `tx` command: who signs, what it pays, where it goes, how to wait.
#[derive(Clone, Debug, Args)]
pub struct TxArgs {
    /// Name of the signing key (see `keys list`).
    #[arg(long, value_name = "KEY", value_parser = parse_key_name)]
    pub from: String,
    /// Fee paid in full, at least gas × min_gas_price [default: gas / 1000 of the chain's
    /// denomination, rounded up, which is what the default min_gas_price of 1/1000 asks].
    #[arg(long, value_parser = parse_coin, value_name = "COIN")]
    pub fee: Option<Coin>,
    /// Gas limit, or `auto`: simulate the transaction on the node and use the gas it needs
    /// times --gas-adjustment [default: the command's own, e.g. 200000 for bank, 400000 for
    /// staking and voting, 200000 + 50000 per target for set-votes].
    #[arg(long, value_name = "GAS|auto", value_parser = parse_gas)]
    pub gas: Option<Gas>,
    /// With `--gas auto`: the factor applied to the simulated gas (at least 1; up to 3
    /// decimals), a margin for state that changes before the block runs the transaction.
    #[arg(long, value_name = "FACTOR", value_parser = parse_gas_adjustment, default_value = "1.3")]
    pub gas_adjustment: GasAdjustment,
    /// Sign and send even if the simulation says the transaction would fail (it then pays
    /// its fee and fails in its block). By default such a transaction is refused before it is
    /// signed.
    #[arg(long)]
    pub force: bool,
    /// Simulate only: print the code and gas the transaction would get, sign and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Free text attached to the transaction.
    #[arg(long, default_value = "")]
    pub memo: String,
    /// Chain id [default: the node's, from /status].
    #[arg(long)]
    pub chain_id: Option<String>,
    /// Nonce [default: the account's next nonce, from the node].
    #[arg(long)]
    pub nonce: Option<u64>,
    /// How long to wait for the transaction to be included in a block.
    #[arg(long, value_parser = parse_duration, default_value = "30s", value_name = "DURATION")]
    pub timeout: Duration,
    /// Return once CheckTx accepts the transaction, without waiting for a block.
    #[arg(long)]
    pub no_wait: bool,
    /// `node` flags.
    #[command(flatten)]
    pub node: NodeArgs,
    /// `keyring` flags.
    #[command(flatten)]
    pub keyring: KeyringArgs,
    /// `output` flags.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--gas`: a limit, or `auto` (estimate by simulation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gas {
    /// Simulate and use the gas used × `--gas-adjustment`.
    Auto,
    /// This limit.
    Limit(u64),
}

/// Parses `--gas`: a positive whole number, or `auto`.
pub fn parse_gas(text: &str) -> Result<Gas, String> {
    if text == "auto" {
        return Ok(Gas::Auto);
    }
    match text.parse::<u64>() {
        Ok(limit) if limit > 0 => Ok(Gas::Limit(limit)),
        _ => Err(format!("invalid gas {text:?}: write a positive whole number, e.g. 200000, or auto")),
    }
}

/// `--gas-adjustment`, in thousandths (1.3 = 1300): applied to a simulated gas with integer
/// arithmetic, rounding up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasAdjustment(pub u64);

impl GasAdjustment {
    /// `gas` × the factor, rounded up (saturating).
    pub fn apply(self, gas: u64) -> u64 {
        let scaled = u128::from(gas) * u128::from(self.0);
        u64::try_from(scaled.div_ceil(1000)).unwrap_or(u64::MAX)
    }
}

/// Parses a factor such as `1`, `1.3` or `1.125` exactly (no floats): at least 1, at most 3
/// decimals, at most 100.
pub fn parse_gas_adjustment(text: &str) -> Result<GasAdjustment, String> {
    let err = || {
        format!("invalid gas adjustment {text:?}: write a factor between 1 and 100 with at most 3 decimals, e.g. 1.3")
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() && !text.ends_with('.') || digits(fraction)) {
        return Err(err());
    }
    let whole: u64 = whole.parse().map_err(|_| err())?;
    let fraction: u64 = format!("{fraction:0<3}").parse().map_err(|_| err())?;
    let thousandths = whole * 1000 + fraction;
    if !(1000..=100_000).contains(&thousandths) {
        return Err(err());
    }
    Ok(GasAdjustment(thousandths))
}

/// `tx <module> update-params`: a module's whole new parameters. Only the chain's parameter
/// authority (`runtime.authority` in genesis) may send it; anyone else gets the module's
/// `NotAuthority` code.
#[derive(Clone, Debug, Args)]
pub struct UpdateParamsArgs {
    /// The new parameters as JSON, whole (as `query <module> params -o json` prints them), or
    /// @FILE to read that JSON from a file.
    #[arg(value_name = "JSON|@FILE")]
    pub params: String,
    /// `tx` flags.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// Default gas of an `update-params` transaction (one read of the authority, one of the old
/// parameters, one write and an event: far below this).
pub const UPDATE_PARAMS_GAS: u64 = 200_000;

impl UpdateParamsArgs {
    /// The parameters, parsed as the module's type (unknown fields are refused by the
    /// modules' `deny_unknown_fields`).
    pub fn parse<P: serde::de::DeserializeOwned>(&self) -> anyhow::Result<P> {
        use anyhow::Context as _;
        let text = match self.params.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?,
            None => self.params.clone(),
        };
        serde_json::from_str(&text).context("the parameters are not valid JSON for this module (print the current ones with `query <module> params -o json`)")
    }
}

/// `--skip-preflight`.
#[derive(Clone, Copy, Debug, Args)]
pub struct PreflightArgs {
    /// Send without asking the node first whether the operation would pass: neither the
    /// module's pre-flight query nor the simulation (by default a refusal is reported before
    /// any fee is spent). Implies --force.
    #[arg(long)]
    pub skip_preflight: bool,
}

impl PreflightArgs {
    /// `tx` with `--force` set when the pre-flight is skipped (the simulation is a pre-flight too).
    pub fn applied_to(self, mut tx: TxArgs) -> TxArgs {
        tx.force |= self.skip_preflight;
        tx
    }
}

/// Flags of every `query` command that reads state.
#[derive(Clone, Debug, Args)]
pub struct QueryArgs {
    /// `node` flags.
    #[command(flatten)]
    pub node: NodeArgs,
    /// `keyring` flags.
    #[command(flatten)]
    pub keyring: KeyringArgs,
    /// Height to read at [default: latest].
    #[arg(long, default_value_t = 0)]
    pub height: u64,
    /// `output` flags.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--start-after` and `--limit` of paginated listings.
#[derive(Clone, Debug, Args)]
pub struct PageArgs {
    /// Start after this item (the `next` cursor the previous page printed).
    #[arg(long, value_name = "CURSOR")]
    pub start_after: Option<String>,
    /// Items per page, 1 to 200 [default: 50].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub limit: Option<u32>,
}

/// Parses a decimal percentage exactly into parts per billion (1 % = 10 000 000 ppb): `10`,
/// `7.5`, `0.0000001`, `12.5%`. No floats: the digits are scaled as integers; more than 7
/// decimals (finer than 1 ppb) is refused, never rounded.
pub fn parse_percent(text: &str) -> Result<u64, String> {
    const DECIMALS: usize = 7;
    let err =
        |why: &str| format!("invalid percentage {text:?}: {why}; write a decimal between 0 and 100, e.g. 10 or 7.5");
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("only digits and one '.' are allowed"));
    }
    if number.ends_with('.') {
        return Err(err("a '.' must be followed by digits"));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > DECIMALS {
        return Err(err("at most 7 decimals (1 part per billion)"));
    }
    let whole: u64 = whole.trim_start_matches('0').parse().or_else(|_| {
        if whole.bytes().all(|b| b == b'0') {
            Ok(0)
        } else {
            Err(err("too large"))
        }
    })?;
    let padded = format!("{fraction:0<DECIMALS$}");
    let fraction: u64 = padded.parse().map_err(|_| err("bad decimals"))?;
    let ppb = whole.checked_mul(10_000_000).and_then(|w| w.checked_add(fraction)).ok_or_else(|| err("too large"))?;
    if ppb > 1_000_000_000 {
        return Err(err("more than 100"));
    }
    Ok(ppb)
}

/// Key names: `[A-Za-z0-9_-]{1,64}` (they become file names).
pub fn parse_key_name(text: &str) -> Result<String, String> {
    let ok =
        (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(text.to_string())
    } else {
        Err("use 1 to 64 characters of a-z, A-Z, 0-9, '-', '_'".into())
    }
}

/// Parses a coin such as `100stake`; a bare number is refused with a hint.
pub fn parse_coin(text: &str) -> Result<Coin, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} has no denomination: write it like {text}{}", crate::chain::description().denom));
    }
    text.parse::<Coin>()
}

/// [`parse_coin`], refusing zero.
pub fn parse_positive_coin(text: &str) -> Result<Coin, String> {
    let coin = parse_coin(text)?;
    if coin.amount == 0 {
        return Err(format!("the amount must be positive, e.g. 100{}", crate::chain::description().denom));
    }
    Ok(coin)
}

/// Parses `300ms`, `1s`, `2m` (what CometBFT's config accepts, restricted to integers).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let err = || format!("invalid duration {text:?}: use a whole number with ms, s or m, e.g. 300ms or 1s");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().map_err(|_| err())?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" => Ok(Duration::from_secs(value)),
        "m" => value.checked_mul(60).map(Duration::from_secs).ok_or_else(err),
        _ => Err(err()),
    }
}

/// [`parse_duration`], keeping the text (for CometBFT's config).
pub fn parse_duration_text(text: &str) -> Result<String, String> {
    parse_duration(text).map(|_| text.to_string())
}

/// Chain ids: 1 to 50 of a-z, A-Z, 0-9, '-', '_', '.'.
pub fn parse_chain_id(text: &str) -> Result<String, String> {
    let ok = (1..=50).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(text.to_string())
    } else {
        Err("use 1 to 50 characters of a-z, A-Z, 0-9, '-', '_', '.'".into())
    }
}

/// Monikers: 1 to 64 printable characters without quotes.
pub fn parse_moniker(text: &str) -> Result<String, String> {
    let ok = (1..=64).contains(&text.len()) && !text.chars().any(|c| c.is_control() || c == '"');
    if ok {
        Ok(text.to_string())
    } else {
        Err("use 1 to 64 printable characters without quotes".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_is_a_limit_or_auto_and_adjustments_are_exact() {
        assert_eq!(parse_gas("auto"), Ok(Gas::Auto));
        assert_eq!(parse_gas("250000"), Ok(Gas::Limit(250_000)));
        for bad in ["0", "-1", "1.5", "Auto", ""] {
            assert!(parse_gas(bad).unwrap_err().contains("or auto"), "{bad}");
        }
        assert_eq!(parse_gas_adjustment("1.3"), Ok(GasAdjustment(1300)));
        assert_eq!(parse_gas_adjustment("1"), Ok(GasAdjustment(1000)));
        assert_eq!(parse_gas_adjustment("2.125"), Ok(GasAdjustment(2125)));
        for bad in ["0.9", "1.", ".5", "1.0001", "101", "x", ""] {
            assert!(parse_gas_adjustment(bad).unwrap_err().contains("e.g. 1.3"), "{bad}");
        }
        assert_eq!(GasAdjustment(1300).apply(100_001), 130_002, "rounded up");
        assert_eq!(GasAdjustment(1000).apply(77), 77);
        assert_eq!(GasAdjustment(100_000).apply(u64::MAX), u64::MAX, "saturates");
    }

    #[test]
    fn percentages_are_exact() {
        assert_eq!(parse_percent("10"), Ok(100_000_000));
        assert_eq!(parse_percent("7.5"), Ok(75_000_000));
        assert_eq!(parse_percent("12.5%"), Ok(125_000_000));
        assert_eq!(parse_percent("0.0000001"), Ok(1));
        assert_eq!(parse_percent("0.10000000"), Ok(1_000_000));
        assert_eq!(parse_percent("100"), Ok(1_000_000_000));
        assert_eq!(parse_percent("0"), Ok(0));
        assert_eq!(parse_percent("000.5"), Ok(5_000_000));
        for bad in
            ["100.0000001", "101", "0.00000001", "", ".5", "5.", "1e2", "-1", "1.2.3", "ten", "99999999999999999999"]
        {
            let err = parse_percent(bad).unwrap_err();
            assert!(err.contains("e.g. 10 or 7.5"), "{bad}: {err}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("10").is_err());
    }

    #[test]
    fn coins_need_a_denomination_and_a_positive_amount() {
        assert!(parse_coin("100").unwrap_err().contains("no denomination"));
        assert!(parse_positive_coin("0stake").unwrap_err().contains("positive"));
        assert_eq!(parse_positive_coin("5stake").unwrap(), Coin::new("stake", 5));
    }
}
