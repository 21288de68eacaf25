//! Typed state: `const` [`Item`]s and [`Map`]s with a prefix `"module/noun"`, keys in the
//! order-preserving [`Key`] encoding and borsh values.
//!
//! A full key is `prefix bytes ‖ key encoding`. A value that does not decode is a corrupt
//! state entry ([`StateError::Corrupt`], fatal), never a transaction error.

use std::marker::PhantomData;
use std::ops::Bound;

use borsh::{BorshDeserialize, BorshSerialize};

use crate::key::{HasPrefix, Key};
use crate::state::{prefix_end, StateError, StateRead, StateWrite};

fn decode_value<V: BorshDeserialize>(key: &[u8], bytes: &[u8]) -> Result<V, StateError> {
    borsh::from_slice(bytes).map_err(|e| StateError::corrupt(key, e))
}

fn encode_value<V: BorshSerialize>(key: &[u8], value: &V) -> Result<Vec<u8>, StateError> {
    borsh::to_vec(value).map_err(|e| StateError::corrupt(key, e))
}

/// A single value stored under a fixed key.
pub struct Item<V> {
    prefix: &'static str,
    _value: PhantomData<fn() -> V>,
}

impl<V> Item<V> {
    /// An item stored at `prefix`.
    pub const fn new(prefix: &'static str) -> Self {
        Self { prefix, _value: PhantomData }
    }

    /// Its prefix (which is its whole key).
    pub const fn prefix(&self) -> &'static str {
        self.prefix
    }
}

impl<V: BorshSerialize + BorshDeserialize> Item<V> {
    /// The stored value, if any.
    pub fn get(&self, state: &impl StateRead) -> Result<Option<V>, StateError> {
        let key = self.prefix.as_bytes();
        state.get_raw(key)?.map(|bytes| decode_value(key, &bytes)).transpose()
    }

    /// The stored value; a missing value is corrupt state (for items genesis always writes).
    pub fn load(&self, state: &impl StateRead) -> Result<V, StateError> {
        self.get(state)?.ok_or_else(|| StateError::corrupt(self.prefix.as_bytes(), "required item is missing"))
    }

    /// Stores `value`.
    pub fn put(&self, state: &mut impl StateWrite, value: &V) -> Result<(), StateError> {
        let key = self.prefix.as_bytes();
        state.put_raw(key, encode_value(key, value)?)
    }

    /// Removes the value.
    pub fn delete(&self, state: &mut impl StateWrite) -> Result<(), StateError> {
        state.delete_raw(self.prefix.as_bytes())
    }
}

impl<V: BorshSerialize + BorshDeserialize + Default> Item<V> {
    /// The stored value, or the default when absent.
    pub fn get_or_default(&self, state: &impl StateRead) -> Result<V, StateError> {
        Ok(self.get(state)?.unwrap_or_default())
    }
}

/// A map from typed keys to typed values under one prefix.
pub struct Map<K, V> {
    prefix: &'static str,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Map<K, V> {
    /// A map stored under `prefix`.
    pub const fn new(prefix: &'static str) -> Self {
        Self { prefix, _types: PhantomData }
    }

    /// Its prefix.
    pub const fn prefix(&self) -> &'static str {
        self.prefix
    }
}

impl<K: Key, V: BorshSerialize + BorshDeserialize> Map<K, V> {
    /// The full state key of `key`.
    pub fn storage_key(&self, key: &K) -> Vec<u8> {
        let mut out = self.prefix.as_bytes().to_vec();
        key.encode_key(&mut out);
        out
    }

    /// The value at `key`, if any.
    pub fn get(&self, state: &impl StateRead, key: &K) -> Result<Option<V>, StateError> {
        let raw_key = self.storage_key(key);
        state.get_raw(&raw_key)?.map(|bytes| decode_value(&raw_key, &bytes)).transpose()
    }

    /// Whether `key` is present.
    pub fn contains(&self, state: &impl StateRead, key: &K) -> Result<bool, StateError> {
        Ok(state.get_raw(&self.storage_key(key))?.is_some())
    }

    /// Stores `value` at `key`.
    pub fn put(&self, state: &mut impl StateWrite, key: &K, value: &V) -> Result<(), StateError> {
        let raw_key = self.storage_key(key);
        let bytes = encode_value(&raw_key, value)?;
        state.put_raw(&raw_key, bytes)
    }

    /// Removes `key`.
    pub fn delete(&self, state: &mut impl StateWrite, key: &K) -> Result<(), StateError> {
        state.delete_raw(&self.storage_key(key))
    }

    /// All entries in ascending key order.
    pub fn iter<'s, S: StateRead>(&self, state: &'s S) -> MapIter<'s, S, K, V> {
        self.scan(state, self.prefix.as_bytes().to_vec(), Order::Ascending)
    }

    /// All entries in descending key order.
    pub fn iter_rev<'s, S: StateRead>(&self, state: &'s S) -> MapIter<'s, S, K, V> {
        self.scan(state, self.prefix.as_bytes().to_vec(), Order::Descending)
    }

    /// Entries whose key starts with `prefix` (its leading components), ascending.
    pub fn iter_prefix<'s, S: StateRead, P: Key>(&self, state: &'s S, prefix: &P) -> MapIter<'s, S, K, V>
    where
        K: HasPrefix<P>,
    {
        let mut scan_prefix = self.prefix.as_bytes().to_vec();
        prefix.encode_key(&mut scan_prefix);
        self.scan(state, scan_prefix, Order::Ascending)
    }

    /// Entries with key `>= start`, ascending (for pagination and queues).
    pub fn iter_from<'s, S: StateRead>(&self, state: &'s S, start: &K) -> MapIter<'s, S, K, V> {
        let mut iter = self.iter(state);
        iter.lower = Bound::Included(self.storage_key(start));
        iter
    }

    fn scan<'s, S: StateRead>(&self, state: &'s S, scan_prefix: Vec<u8>, order: Order) -> MapIter<'s, S, K, V> {
        let upper = match prefix_end(&scan_prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        MapIter {
            state,
            map_prefix_len: self.prefix.len(),
            lower: Bound::Included(scan_prefix),
            upper,
            order,
            done: false,
            _types: PhantomData,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Order {
    Ascending,
    Descending,
}

/// A cursor over a map's entries. Each step is one ordered lookup in the state, so an
/// iterator is cheap to create and to abandon; writes made between steps are seen.
pub struct MapIter<'s, S, K, V> {
    state: &'s S,
    map_prefix_len: usize,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
    order: Order,
    done: bool,
    _types: PhantomData<fn() -> (K, V)>,
}

fn as_ref_bound(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl<S: StateRead, K: Key, V: BorshDeserialize> Iterator for MapIter<'_, S, K, V> {
    type Item = Result<(K, V), StateError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let lower = as_ref_bound(&self.lower);
        let upper = as_ref_bound(&self.upper);
        let found = match self.order {
            Order::Ascending => self.state.first_raw(lower, upper),
            Order::Descending => self.state.last_raw(lower, upper),
        };
        let (raw_key, raw_value) = match found {
            Ok(Some(entry)) => entry,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let decoded = raw_key
            .get(self.map_prefix_len..)
            .ok_or_else(|| StateError::corrupt(&raw_key, "key shorter than its map prefix"))
            .and_then(|suffix| K::from_key_bytes(suffix).map_err(|e| StateError::corrupt(&raw_key, e)))
            .and_then(|key| Ok((key, decode_value::<V>(&raw_key, &raw_value)?)));
        match self.order {
            Order::Ascending => self.lower = Bound::Excluded(raw_key),
            Order::Descending => self.upper = Bound::Excluded(raw_key),
        }
        if decoded.is_err() {
            self.done = true;
        }
        Some(decoded)
    }
}
