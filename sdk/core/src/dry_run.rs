//! [`DryRun`]: a throwaway write overlay over a read-only state.
//!
//! Two uses: a pre-flight query runs the real operation on it and reports exactly the error
//! (and earliest time) a transaction would get; and an operation of several steps runs on it
//! and applies its [`Changes`] only if every step succeeded, so it is all-or-nothing even
//! outside a transaction's overlay (at genesis, or when another module calls it).

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::event::Event;
use crate::memory::is_empty_range;
use crate::state::{Entry, StateError, StateRead, StateWrite};

/// Writes buffered over `base`; dropped when done.
pub struct DryRun<'a, S: StateRead> {
    base: &'a S,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    events: Vec<Event>,
}

/// The writes and events of a [`DryRun`], detached from its base so they can be applied.
pub struct Changes {
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    events: Vec<Event>,
}

impl Changes {
    /// Applies the writes (in key order) and then the events to `state`.
    pub fn apply(self, state: &mut impl StateWrite) -> Result<(), StateError> {
        for (key, value) in self.writes {
            match value {
                Some(v) => state.put_raw(&key, v)?,
                None => state.delete_raw(&key)?,
            }
        }
        for event in self.events {
            state.emit(event)?;
        }
        Ok(())
    }
}

impl<'a, S: StateRead> DryRun<'a, S> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a S) -> Self {
        Self { base, writes: BTreeMap::new(), events: Vec::new() }
    }

    /// The buffered writes and events, to apply to the real state when the operation succeeded:
    /// this makes a multi-step operation all-or-nothing even outside a transaction overlay.
    pub fn into_changes(self) -> Changes {
        Changes { writes: self.writes, events: self.events }
    }
}

fn as_ref(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl<S: StateRead> DryRun<'_, S> {
    fn scan(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>, forward: bool) -> Result<Option<Entry>, StateError> {
        let mut lo: Bound<Vec<u8>> = lower.map(<[u8]>::to_vec);
        let mut hi: Bound<Vec<u8>> = upper.map(<[u8]>::to_vec);
        loop {
            if is_empty_range(as_ref(&lo), as_ref(&hi)) {
                return Ok(None);
            }
            let base = if forward {
                self.base.first_raw(as_ref(&lo), as_ref(&hi))?
            } else {
                self.base.last_raw(as_ref(&lo), as_ref(&hi))?
            };
            let mut range = self.writes.range::<Vec<u8>, _>((lo.clone(), hi.clone()));
            let own = if forward { range.next() } else { range.next_back() };
            let pick_own = match (&base, own) {
                (None, None) => return Ok(None),
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some((bk, _)), Some((ok, _))) => {
                    if forward {
                        ok <= bk
                    } else {
                        ok >= bk
                    }
                }
            };
            if !pick_own {
                return Ok(base);
            }
            let Some((key, value)) = own else { return Ok(None) };
            match value {
                Some(v) => return Ok(Some((key.clone(), v.clone()))),
                None => {
                    // Deleted here: continue past it.
                    if forward {
                        lo = Bound::Excluded(key.clone());
                    } else {
                        hi = Bound::Excluded(key.clone());
                    }
                }
            }
        }
    }
}

impl<S: StateRead> StateRead for DryRun<'_, S> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get_raw(key),
        }
    }
    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        self.scan(lower, upper, true)
    }
    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        self.scan(lower, upper, false)
    }
}

impl<S: StateRead> StateWrite for DryRun<'_, S> {
    fn put_raw(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), StateError> {
        self.writes.insert(key.to_vec(), Some(value));
        Ok(())
    }
    fn delete_raw(&mut self, key: &[u8]) -> Result<(), StateError> {
        self.writes.insert(key.to_vec(), None);
        Ok(())
    }
    fn emit(&mut self, event: Event) -> Result<(), StateError> {
        self.events.push(event);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::MemoryState;

    #[test]
    fn overlay_scans_merge_with_base() {
        let mut base = MemoryState::new();
        for k in [b"a", b"c", b"e"] {
            base.put_raw(k, k.to_vec()).unwrap();
        }
        let mut dry = DryRun::new(&base);
        dry.delete_raw(b"c").unwrap();
        dry.put_raw(b"d", b"D".to_vec()).unwrap();
        dry.put_raw(b"a", b"A".to_vec()).unwrap();
        let mut keys = Vec::new();
        let mut lo = Bound::Unbounded;
        while let Some((k, v)) = dry.first_raw(as_ref(&lo), Bound::Unbounded).unwrap() {
            keys.push((k.clone(), v));
            lo = Bound::Excluded(k);
        }
        assert_eq!(
            keys,
            vec![(b"a".to_vec(), b"A".to_vec()), (b"d".to_vec(), b"D".to_vec()), (b"e".to_vec(), b"e".to_vec())]
        );
        let last = dry.last_raw(Bound::Unbounded, Bound::Excluded(b"e")).unwrap().unwrap();
        assert_eq!(last.0, b"d".to_vec());
        let before_d = dry.last_raw(Bound::Unbounded, Bound::Excluded(b"d")).unwrap().unwrap();
        assert_eq!(before_d.0, b"a".to_vec());
        assert_eq!(base.get_raw(b"a").unwrap(), Some(b"a".to_vec()));
    }
}
