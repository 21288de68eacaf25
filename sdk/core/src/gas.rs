//! Deterministic gas: every cost is a pure function of sizes and counts, never of time.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::state::StateError;

/// Gas prices of primitive operations. Stored in state as part of the runtime params.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GasSchedule {
    /// Flat cost of any transaction.
    pub tx_base: u64,
    /// Per byte of the encoded transaction.
    pub tx_byte: u64,
    /// Per signature verified.
    pub signature: u64,
    /// Per state read (point read or one step of a scan).
    pub read: u64,
    /// Per byte read (key plus value).
    pub read_byte: u64,
    /// Per state write or delete.
    pub write: u64,
    /// Per byte written (key plus value).
    pub write_byte: u64,
    /// Per event emitted.
    pub event: u64,
}

impl Default for GasSchedule {
    /// Costs in the spirit of Cosmos SDK's KV gas config (reads 1000 + 3/byte, writes
    /// 2000 + 30/byte), so a transfer costs a few tens of thousands of gas.
    fn default() -> Self {
        Self {
            tx_base: 10_000,
            tx_byte: 10,
            signature: 1_000,
            read: 1_000,
            read_byte: 3,
            write: 2_000,
            write_byte: 30,
            event: 100,
        }
    }
}

/// Counts gas used against a limit. Saturating: a meter never wraps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasMeter {
    limit: u64,
    used: u64,
}

impl GasMeter {
    /// A meter with `limit`.
    pub fn new(limit: u64) -> Self {
        Self { limit, used: 0 }
    }

    /// A meter that never runs out (genesis and block hooks).
    pub fn unlimited() -> Self {
        Self::new(u64::MAX)
    }

    /// Gas used so far (never above the limit).
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Adds `amount`; on exceeding the limit, fails and pins `used` to the limit.
    pub fn consume(&mut self, amount: u64) -> Result<(), StateError> {
        let needed = self.used.saturating_add(amount);
        if needed > self.limit {
            self.used = self.limit;
            return Err(StateError::OutOfGas { limit: self.limit, needed });
        }
        self.used = needed;
        Ok(())
    }

    /// `base + per_byte × bytes`, saturating.
    pub fn cost(base: u64, per_byte: u64, bytes: usize) -> u64 {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        base.saturating_add(per_byte.saturating_mul(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_gas_pins_to_limit() {
        let mut meter = GasMeter::new(100);
        meter.consume(60).unwrap();
        assert!(matches!(meter.consume(50), Err(StateError::OutOfGas { limit: 100, needed: 110 })));
        assert_eq!(meter.used(), 100);
        let mut unlimited = GasMeter::unlimited();
        unlimited.consume(u64::MAX).unwrap();
        unlimited.consume(1).unwrap();
        assert_eq!(unlimited.used(), u64::MAX);
    }
}
