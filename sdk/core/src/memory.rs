//! [`MemoryState`]: a plain `BTreeMap` state for module unit tests and reference models.
//! No gas, no layers; events are collected in a vector.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::event::Event;
use crate::state::{Entry, StateError, StateRead, StateWrite};

/// An in-memory state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryState {
    /// The entries.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Events emitted so far.
    pub events: Vec<Event>,
}

impl MemoryState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }
}

fn owned(bound: Bound<&[u8]>) -> Bound<Vec<u8>> {
    bound.map(<[u8]>::to_vec)
}

impl StateRead for MemoryState {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.entries.get(key).cloned())
    }
    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        if is_empty_range(lower, upper) {
            return Ok(None);
        }
        let range = (owned(lower), owned(upper));
        Ok(self.entries.range(range).next().map(|(k, v)| (k.clone(), v.clone())))
    }
    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        if is_empty_range(lower, upper) {
            return Ok(None);
        }
        let range = (owned(lower), owned(upper));
        Ok(self.entries.range(range).next_back().map(|(k, v)| (k.clone(), v.clone())))
    }
}

impl StateWrite for MemoryState {
    fn put_raw(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), StateError> {
        self.entries.insert(key.to_vec(), value);
        Ok(())
    }
    fn delete_raw(&mut self, key: &[u8]) -> Result<(), StateError> {
        self.entries.remove(key);
        Ok(())
    }
    fn emit(&mut self, event: Event) -> Result<(), StateError> {
        self.events.push(event);
        Ok(())
    }
}

/// Whether the bounds describe an empty range. `BTreeMap::range` panics on inverted bounds
/// (start > end, or start == end with both excluded), so every ordered scan checks first.
pub fn is_empty_range(lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> bool {
    match (lower, upper) {
        (Bound::Included(l), Bound::Included(u)) => l > u,
        (Bound::Included(l), Bound::Excluded(u))
        | (Bound::Excluded(l), Bound::Included(u))
        | (Bound::Excluded(l), Bound::Excluded(u)) => l >= u,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typed::{Item, Map};

    const COUNT: Item<u64> = Item::new("test/count");
    const BALANCES: Map<(crate::Address, String), u128> = Map::new("test/balance");

    #[test]
    fn typed_access_and_prefix_iteration() {
        let mut s = MemoryState::new();
        assert_eq!(COUNT.get(&s).unwrap(), None);
        COUNT.put(&mut s, &7).unwrap();
        assert_eq!(COUNT.load(&s).unwrap(), 7);
        let a = crate::Address([1; 20]);
        let b = crate::Address([2; 20]);
        for (addr, denom, amount) in [(a, "zz", 1), (a, "aa", 2), (b, "aa", 3)] {
            BALANCES.put(&mut s, &(addr, denom.to_string()), &amount).unwrap();
        }
        let of_a: Vec<_> = BALANCES.iter_prefix(&s, &a).map(Result::unwrap).collect();
        assert_eq!(of_a, vec![((a, "aa".into()), 2), ((a, "zz".into()), 1)]);
        let all_rev: Vec<u128> = BALANCES.iter_rev(&s).map(|r| r.unwrap().1).collect();
        assert_eq!(all_rev, vec![3, 1, 2]);
        BALANCES.delete(&mut s, &(a, "aa".into())).unwrap();
        assert_eq!(BALANCES.iter(&s).count(), 2);
        // A corrupt value is reported, not panicked on.
        s.put_raw(&BALANCES.storage_key(&(b, "bb".into())), vec![1]).unwrap();
        assert!(BALANCES.iter_prefix(&s, &b).any(|r| matches!(r, Err(StateError::Corrupt { .. }))));
    }

    #[test]
    fn inverted_ranges_are_empty() {
        let s = MemoryState::new();
        assert_eq!(s.first_raw(Bound::Included(b"b"), Bound::Excluded(b"a")).unwrap(), None);
        assert_eq!(s.last_raw(Bound::Excluded(b"a"), Bound::Excluded(b"a")).unwrap(), None);
    }
}
