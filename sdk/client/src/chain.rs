//! What the generic commands need to know about the chain they serve: its binary name, home
//! variable, default home folder and denomination.
//!
//! A CLI process serves exactly one chain, so the description is set once, at start-up
//! ([`set_description`], called by `conclave_node::run`), and read wherever a message names
//! the binary ("create one with `NAMEd init`") or a default needs the denomination.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{bail, Result};

/// The names a chain gives the generic node and client commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainDescription {
    /// The binary, e.g. `appchaind`: used in help, hints and the node's log file name.
    pub binary: &'static str,
    /// The variable that overrides the default home, e.g. `APPCHAIN_HOME`.
    pub home_env: &'static str,
    /// The default home folder under `$HOME`, e.g. `.appchain`.
    pub default_home: &'static str,
    /// The fee and bond denomination of new genesis files and of default fees, e.g. `stake`.
    pub denom: &'static str,
    /// The bech32 human-readable prefix of the chain's addresses, e.g. `appchain` for
    /// `appchain1…` (`a-z`, `0-9`; see `conclave_core::address`).
    pub address_prefix: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
}

impl ChainDescription {
    /// What library code sees before a chain's `main` calls [`set_description`] (module
    /// command tests, for instance): neutral names, never a real chain's.
    pub const UNSET: ChainDescription = ChainDescription {
        binary: "chaind",
        home_env: "CHAIN_HOME",
        default_home: ".chain",
        denom: "stake",
        address_prefix: conclave_core::address::DEFAULT_ADDRESS_PREFIX,
        about: "A Conclave chain under CometBFT 0.38",
    };

    /// Checks the names: the binary and home folder are file names, the variable is an
    /// environment variable name, the denomination is a valid coin denomination.
    pub fn validate(&self) -> Result<(), String> {
        let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !word(self.binary) {
            return Err(format!("binary {:?}: use a-z, 0-9, '-', '_'", self.binary));
        }
        if !word(self.home_env.trim_start_matches('_')) || self.home_env.bytes().any(|b| b == b'-') {
            return Err(format!("home_env {:?}: use A-Z, 0-9, '_'", self.home_env));
        }
        if !word(self.default_home.trim_start_matches('.')) {
            return Err(format!("default_home {:?}: use a folder name such as .mychain", self.default_home));
        }
        conclave_core::coin::validate_denom(self.denom).map_err(|e| format!("denom {:?}: {e}", self.denom))?;
        conclave_core::address::validate_address_prefix(self.address_prefix).map_err(|e| e.to_string())?;
        Ok(())
    }
}

static DESCRIPTION: OnceLock<ChainDescription> = OnceLock::new();

/// Sets the process's chain description, and with it the process's address prefix; the
/// first call wins. Refused if the prefix is invalid or the process already writes
/// addresses with another.
pub fn set_description(description: ChainDescription) -> Result<(), String> {
    conclave_core::address::set_address_prefix(description.address_prefix).map_err(|e| e.to_string())?;
    let _ = DESCRIPTION.set(description);
    Ok(())
}

/// The process's chain description ([`ChainDescription::UNSET`] if none was set).
pub fn description() -> &'static ChainDescription {
    DESCRIPTION.get().unwrap_or(&ChainDescription::UNSET)
}

/// The default home: `$<HOME_ENV>` if set, else `~/<default_home>`.
pub fn default_home() -> Result<PathBuf> {
    let chain = description();
    if let Some(home) = std::env::var_os(chain.home_env).filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join(chain.default_home)),
        _ => bail!("HOME is not set; pass --home DIR (or set {})", chain.home_env),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unset_description_is_valid_and_bad_names_are_refused() {
        ChainDescription::UNSET.validate().unwrap();
        let bad = ChainDescription { binary: "my chain", ..ChainDescription::UNSET };
        assert!(bad.validate().unwrap_err().contains("binary"));
        let bad = ChainDescription { denom: "", ..ChainDescription::UNSET };
        assert!(bad.validate().unwrap_err().contains("denom"));
        let bad = ChainDescription { address_prefix: "My-Chain", ..ChainDescription::UNSET };
        assert!(bad.validate().unwrap_err().contains("address prefix"));
    }
}
