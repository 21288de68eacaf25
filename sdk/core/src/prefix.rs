//! The rule that keeps modules' state apart: every state prefix starts with its module's
//! name and a `/`, and no prefix equals or starts with another. An app's test calls
//! [`check_prefixes`] with every prefix of every module it composes.

use std::fmt;

/// Two prefixes that would share keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixConflict {
    /// The shorter (or equal) prefix.
    pub prefix: &'static str,
    /// The prefix that starts with it.
    pub other: &'static str,
}

impl fmt::Display for PrefixConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "state prefix {:?} is a prefix of {:?}: their keys would collide", self.prefix, self.other)
    }
}

/// Fails if any prefix equals another or is a byte prefix of another, or is empty.
pub fn check_prefixes(prefixes: &[&'static str]) -> Result<(), PrefixConflict> {
    let mut sorted: Vec<&'static str> = prefixes.to_vec();
    sorted.sort_unstable();
    for (i, &p) in sorted.iter().enumerate() {
        if p.is_empty() {
            return Err(PrefixConflict { prefix: p, other: p });
        }
        // In sorted order, any string starting with `p` comes right after it.
        if let Some(&next) = sorted.get(i + 1) {
            if next.starts_with(p) {
                return Err(PrefixConflict { prefix: p, other: next });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_collisions_and_prefixes() {
        assert!(check_prefixes(&["bank/balance", "bank/supply"]).is_ok());
        assert!(check_prefixes(&["bank/balance", "bank/balance"]).is_err());
        let err = check_prefixes(&["bank/bal", "auth/x", "bank/balance"]).unwrap_err();
        assert_eq!((err.prefix, err.other), ("bank/bal", "bank/balance"));
        assert!(check_prefixes(&[""]).is_err());
    }
}
