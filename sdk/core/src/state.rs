//! Raw state access: the boundary between modules and the runtime.
//!
//! The runtime implements these traits over its layered overlays (committed snapshot → block
//! overlay → transaction overlay), charging gas on every access. Modules never see the layers:
//! they read and write through [`crate::Item`] and [`crate::Map`], and emit events through
//! [`StateWrite::emit`] so that a failed transaction drops its events with its writes.

use std::ops::Bound;

use crate::event::Event;

/// A failure while touching state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The transaction's gas limit was reached. Transaction-level: the tx fails, the block goes on.
    #[error("out of gas: limit {limit}, needed at least {needed}")]
    OutOfGas {
        /// The transaction's gas limit.
        limit: u64,
        /// Gas that the operation would have brought the total to.
        needed: u64,
    },
    /// A stored value or key does not decode as its declared type. Fatal: the node must stop.
    #[error("corrupt state at key {key}: {reason}")]
    Corrupt {
        /// The key, hex-encoded.
        key: String,
        /// What failed to decode.
        reason: String,
    },
    /// The storage layer failed. Fatal: the node must stop rather than diverge.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl StateError {
    /// Whether the node must stop on this error (it is not the transaction's fault).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, StateError::OutOfGas { .. })
    }

    /// A [`StateError::Corrupt`] for `key`.
    pub fn corrupt(key: &[u8], reason: impl std::fmt::Display) -> Self {
        StateError::Corrupt { key: hex(key), reason: reason.to_string() }
    }
}

/// Lowercase hex of `bytes` (for messages and logs).
pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// An owned key/value pair from an ordered scan.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Reads of raw state. Reads take `&self`; metered implementations keep their gas meter in a `Cell`.
pub trait StateRead {
    /// The value at `key`, if any.
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;
    /// The entry with the smallest key within the bounds.
    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError>;
    /// The entry with the largest key within the bounds.
    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError>;
}

/// Writes of raw state, and events recorded with them.
pub trait StateWrite: StateRead {
    /// Sets `key` to `value`.
    fn put_raw(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), StateError>;
    /// Removes `key` (no-op when absent).
    fn delete_raw(&mut self, key: &[u8]) -> Result<(), StateError>;
    /// Records an event; it is kept only if the enclosing transaction succeeds.
    fn emit(&mut self, event: Event) -> Result<(), StateError>;
    /// Whether emitted events are kept. `false` where the caller throws them away (the
    /// mempool's checks: CometBFT ignores CheckTx events), so an emitter may skip formatting
    /// them and emit [`Event::discarded`] instead. Emitting still happens, and costs the same
    /// gas, so nothing but the event text may depend on this.
    fn keeps_events(&self) -> bool {
        true
    }
}

impl<S: StateRead + ?Sized> StateRead for &S {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        (**self).get_raw(key)
    }
    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        (**self).first_raw(lower, upper)
    }
    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        (**self).last_raw(lower, upper)
    }
}

impl<S: StateRead + ?Sized> StateRead for &mut S {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        (**self).get_raw(key)
    }
    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        (**self).first_raw(lower, upper)
    }
    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        (**self).last_raw(lower, upper)
    }
}

impl<S: StateWrite + ?Sized> StateWrite for &mut S {
    fn put_raw(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), StateError> {
        (**self).put_raw(key, value)
    }
    fn delete_raw(&mut self, key: &[u8]) -> Result<(), StateError> {
        (**self).delete_raw(key)
    }
    fn emit(&mut self, event: Event) -> Result<(), StateError> {
        (**self).emit(event)
    }
    fn keeps_events(&self) -> bool {
        (**self).keeps_events()
    }
}

/// The smallest byte string greater than every string starting with `prefix`, or `None`
/// when no such string exists (the prefix is all `0xFF`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Bounds covering exactly the keys that start with `prefix`.
pub fn prefix_bounds(prefix: &[u8]) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let upper = match prefix_end(prefix) {
        Some(end) => Bound::Excluded(end),
        None => Bound::Unbounded,
    };
    (Bound::Included(prefix.to_vec()), upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_cases() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(&[]), None);
    }
}
