//! Amounts of a denomination. Amounts are `u128` in the smallest unit; there are no decimals
//! on chain. In JSON an amount is a decimal string, because JSON numbers lose precision above 2^53.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Longest accepted denomination, in bytes.
pub const MAX_DENOM_LEN: usize = 64;

/// An amount of one denomination.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct Coin {
    /// Denomination, validated by [`validate_denom`].
    pub denom: String,
    /// Amount in the smallest unit.
    #[serde(with = "amount_string")]
    pub amount: u128,
}

impl Coin {
    /// A coin of `amount` units of `denom`.
    pub fn new(denom: impl Into<String>, amount: u128) -> Self {
        Self { denom: denom.into(), amount }
    }
}

impl fmt::Display for Coin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

/// Why a denomination is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid denomination {0:?}: use 2 to 64 characters of a-z, 0-9 and '/', starting with a letter")]
pub struct InvalidDenom(pub String);

/// Checks a denomination: 2 to [`MAX_DENOM_LEN`] bytes of `[a-z0-9/]`, starting with `[a-z]`.
pub fn validate_denom(denom: &str) -> Result<(), InvalidDenom> {
    let bytes = denom.as_bytes();
    let ok = (2..=MAX_DENOM_LEN).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'/');
    if ok {
        Ok(())
    } else {
        Err(InvalidDenom(denom.chars().take(MAX_DENOM_LEN + 8).collect()))
    }
}

/// Parses `"100stake"` into a coin.
impl std::str::FromStr for Coin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, denom) = s.split_at(split);
        let amount: u128 = digits.parse().map_err(|_| {
            format!("invalid amount in {s:?}: expected digits followed by a denomination, e.g. 100stake")
        })?;
        validate_denom(denom).map_err(|e| e.to_string())?;
        Ok(Coin::new(denom, amount))
    }
}

/// Serde helper: a `u128` as a decimal string in JSON.
pub mod amount_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the amount as a decimal string.
    pub fn serialize<S: Serializer>(amount: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(amount)
    }

    /// Reads a decimal string (a plain JSON number is accepted too when it fits in u64).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Number(u64),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Text(text) => text
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("invalid amount {text:?}: expected a decimal integer"))),
            Repr::Number(n) => Ok(u128::from(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denoms() {
        assert!(validate_denom("stake").is_ok());
        assert!(validate_denom("ibc/abc123").is_ok());
        assert!(validate_denom("a").is_err());
        assert!(validate_denom("Stake").is_err());
        assert!(validate_denom("1stake").is_err());
        assert!(validate_denom(&"a".repeat(65)).is_err());
    }

    #[test]
    fn parse_coin() {
        assert_eq!("100stake".parse::<Coin>(), Ok(Coin::new("stake", 100)));
        assert!("stake".parse::<Coin>().is_err());
        assert!("100".parse::<Coin>().is_err());
    }

    #[test]
    fn json_amount_is_a_string() {
        let coin = Coin::new("stake", u128::MAX);
        let json = serde_json::to_string(&coin).unwrap();
        assert_eq!(json, format!("{{\"denom\":\"stake\",\"amount\":\"{}\"}}", u128::MAX));
        assert_eq!(serde_json::from_str::<Coin>(&json).unwrap(), coin);
    }
}
