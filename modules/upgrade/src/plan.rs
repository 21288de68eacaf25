//! [`Plan`]: a software upgrade scheduled at a height, and the stateless rules of its fields.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// The longest upgrade name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// The longest `info`, in bytes.
pub const MAX_INFO_BYTES: usize = 2048;

/// A software upgrade: at the start of block `height`, nodes whose binary does not implement
/// `name` stop; nodes whose binary does apply it and go on.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The upgrade's name: what the new binary registers a handler for, and what
    /// `--allow-upgrade` names. 1 to 64 bytes of ASCII letters, digits, `.`, `-` and `_`.
    pub name: String,
    /// The height of the first block the new binary executes.
    pub height: u64,
    /// Free text for operators (where to get the binary, a checksum, a link), up to 2 KiB;
    /// printed in the halt message.
    #[serde(default)]
    pub info: String,
}

impl Plan {
    /// Stateless checks: the name's charset and length, the info's length, a height above 0.
    pub fn validate(&self) -> Result<(), String> {
        validate_name(&self.name)?;
        if self.info.len() > MAX_INFO_BYTES {
            return Err(format!(
                "an upgrade's info is at most {MAX_INFO_BYTES} bytes; this one is {}",
                self.info.len()
            ));
        }
        if self.height == 0 {
            return Err("an upgrade's height must be a block height (1 or more)".into());
        }
        Ok(())
    }
}

/// Checks an upgrade name: 1 to [`MAX_NAME_BYTES`] bytes of ASCII letters, digits, `.`, `-`
/// and `_` (it is typed on command lines and printed in logs).
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(format!("an upgrade name is 1 to {MAX_NAME_BYTES} bytes; this one is {}", name.len()));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))) {
        return Err(format!("an upgrade name uses only ASCII letters, digits, '.', '-' and '_'; {name:?} has {bad:?}"));
    }
    Ok(())
}
