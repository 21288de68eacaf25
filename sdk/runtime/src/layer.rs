//! Write layers: a `BTreeMap` of pending writes (a `None` value is a delete) and the events
//! recorded with them, over a read-only base. The block overlay is a layer over the committed
//! snapshot; each transaction runs in a layer over the block overlay, which it is merged into
//! only on success. Gas, when metered, is charged on every access of the layer.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ops::Bound;

use conclave_core::memory::is_empty_range;
use conclave_core::state::Entry;
use conclave_core::{Event, GasMeter, GasSchedule, StateError, StateRead, StateWrite};
use conclave_store::Snapshot;

/// Pending writes: `None` deletes the key.
pub type Writes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A committed (or staged) store snapshot as a [`StateRead`].
#[derive(Clone)]
pub struct Committed(pub Snapshot);

impl StateRead for Committed {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.0.get(key))
    }
    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        if is_empty_range(lower, upper) {
            return Ok(None);
        }
        Ok(self.0.next_entry(lower, upper))
    }
    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        if is_empty_range(lower, upper) {
            return Ok(None);
        }
        Ok(self.0.prev_entry(lower, upper))
    }
}

/// Gas accounting for a metered layer. `Cell` because reads take `&self`.
struct Metering {
    used: Cell<u64>,
    limit: u64,
    schedule: GasSchedule,
}

impl Metering {
    fn charge(&self, amount: u64) -> Result<(), StateError> {
        let needed = self.used.get().saturating_add(amount);
        if needed > self.limit {
            self.used.set(self.limit);
            return Err(StateError::OutOfGas { limit: self.limit, needed });
        }
        self.used.set(needed);
        Ok(())
    }
}

/// Pending writes and events over a base state.
pub struct Layer<B> {
    base: B,
    writes: Writes,
    events: Vec<Event>,
    metering: Option<Metering>,
    /// `false`: emitted events are dropped (and emitters may skip formatting them).
    keep_events: bool,
}

impl<B: StateRead> Layer<B> {
    /// An unmetered layer (genesis, block hooks, the block overlay itself).
    pub fn new(base: B) -> Self {
        Self { base, writes: Writes::new(), events: Vec::new(), metering: None, keep_events: true }
    }

    /// An unmetered layer that drops the events emitted into it, for checks whose events
    /// nobody reads (the mempool's). Unmetered, so gas cannot depend on it either way.
    pub fn discarding_events(base: B) -> Self {
        Self { keep_events: false, ..Self::new(base) }
    }

    /// A layer charging `schedule` costs against `meter` (which carries gas already used).
    pub fn metered(base: B, meter: &GasMeter, schedule: GasSchedule) -> Self {
        let metering = Metering { used: Cell::new(meter.used()), limit: meter.limit(), schedule };
        Self { base, writes: Writes::new(), events: Vec::new(), metering: Some(metering), keep_events: true }
    }

    /// Gas used so far (0 when unmetered).
    pub fn gas_used(&self) -> u64 {
        self.metering.as_ref().map_or(0, |m| m.used.get())
    }

    /// Charges `amount` gas directly (e.g. for signature checks).
    pub fn charge(&self, amount: u64) -> Result<(), StateError> {
        match &self.metering {
            Some(m) => m.charge(amount),
            None => Ok(()),
        }
    }

    fn charge_read(&self, bytes: usize) -> Result<(), StateError> {
        match &self.metering {
            Some(m) => m.charge(GasMeter::cost(m.schedule.read, m.schedule.read_byte, bytes)),
            None => Ok(()),
        }
    }

    fn charge_write(&self, bytes: usize) -> Result<(), StateError> {
        match &self.metering {
            Some(m) => m.charge(GasMeter::cost(m.schedule.write, m.schedule.write_byte, bytes)),
            None => Ok(()),
        }
    }

    /// Splits into the pending writes and events.
    pub fn into_parts(self) -> (Writes, Vec<Event>) {
        (self.writes, self.events)
    }

    /// Moves another layer's writes and events on top of this one's.
    pub fn absorb(&mut self, writes: Writes, events: Vec<Event>) {
        self.writes.extend(writes);
        self.events.extend(events);
    }

    /// Takes the events recorded so far, leaving the writes.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The pending writes.
    pub fn writes(&self) -> &Writes {
        &self.writes
    }

    /// The base state.
    pub fn base(&self) -> &B {
        &self.base
    }

    /// First live entry in bounds, merging the layer's writes over the base.
    fn first_unmetered(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        if is_empty_range(lower, upper) {
            return Ok(None);
        }
        let own =
            self.writes.range::<[u8], _>((lower, upper)).find_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())));
        // Skip base entries that this layer deletes or overwrites; an overwrite is found in `own`.
        let mut cursor: Bound<Vec<u8>> = lower.map(<[u8]>::to_vec);
        let base = loop {
            let Some((key, value)) = self.base.first_raw(as_ref(&cursor), upper)? else {
                break None;
            };
            match self.writes.get(&key) {
                None => break Some((key, value)),
                Some(_) => cursor = Bound::Excluded(key),
            }
        };
        Ok(pick(own, base, |a, b| a < b))
    }

    /// Last live entry in bounds, merging the layer's writes over the base.
    fn last_unmetered(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        if is_empty_range(lower, upper) {
            return Ok(None);
        }
        let own = self
            .writes
            .range::<[u8], _>((lower, upper))
            .rev()
            .find_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())));
        let mut cursor: Bound<Vec<u8>> = upper.map(<[u8]>::to_vec);
        let base = loop {
            let Some((key, value)) = self.base.last_raw(lower, as_ref(&cursor))? else {
                break None;
            };
            match self.writes.get(&key) {
                None => break Some((key, value)),
                Some(_) => cursor = Bound::Excluded(key),
            }
        };
        Ok(pick(own, base, |a, b| a > b))
    }
}

fn as_ref(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The entry whose key wins by `better`; the layer's own entry wins ties (cannot happen:
/// base entries with a key in `writes` are skipped).
fn pick(own: Option<Entry>, base: Option<Entry>, better: impl Fn(&[u8], &[u8]) -> bool) -> Option<Entry> {
    match (own, base) {
        (Some(o), Some(b)) => Some(if better(&b.0, &o.0) { b } else { o }),
        (o, b) => o.or(b),
    }
}

fn entry_len(entry: &Option<Entry>) -> usize {
    entry.as_ref().map_or(0, |(k, v)| k.len() + v.len())
}

impl<B: StateRead> StateRead for Layer<B> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        let value = match self.writes.get(key) {
            Some(v) => v.clone(),
            None => self.base.get_raw(key)?,
        };
        self.charge_read(key.len() + value.as_ref().map_or(0, Vec::len))?;
        Ok(value)
    }

    fn first_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        let entry = self.first_unmetered(lower, upper)?;
        self.charge_read(entry_len(&entry))?;
        Ok(entry)
    }

    fn last_raw(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Option<Entry>, StateError> {
        let entry = self.last_unmetered(lower, upper)?;
        self.charge_read(entry_len(&entry))?;
        Ok(entry)
    }
}

impl<B: StateRead> StateWrite for Layer<B> {
    fn put_raw(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), StateError> {
        self.charge_write(key.len() + value.len())?;
        self.writes.insert(key.to_vec(), Some(value));
        Ok(())
    }

    fn delete_raw(&mut self, key: &[u8]) -> Result<(), StateError> {
        self.charge_write(key.len())?;
        self.writes.insert(key.to_vec(), None);
        Ok(())
    }

    fn emit(&mut self, event: Event) -> Result<(), StateError> {
        if let Some(m) = &self.metering {
            m.charge(m.schedule.event)?;
        }
        if self.keep_events {
            self.events.push(event);
        }
        Ok(())
    }

    fn keeps_events(&self) -> bool {
        self.keep_events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use conclave_core::MemoryState;
    use proptest::prelude::*;

    fn bound(kind: u8, key: u8) -> Bound<Vec<u8>> {
        match kind % 3 {
            0 => Bound::Included(vec![key]),
            1 => Bound::Excluded(vec![key]),
            _ => Bound::Unbounded,
        }
    }

    proptest! {
        /// A layer over a base reads exactly like the base with the writes applied.
        #[test]
        fn layer_matches_flattened_model(
            base in proptest::collection::btree_map(0u8..32, any::<u8>(), 0..20),
            writes in proptest::collection::btree_map(0u8..32, proptest::option::of(any::<u8>()), 0..20),
            bounds in proptest::collection::vec((any::<u8>(), 0u8..34, any::<u8>(), 0u8..34), 1..10),
        ) {
            let mut base_state = MemoryState::new();
            let mut model = BTreeMap::new();
            for (k, v) in &base {
                base_state.put_raw(&[*k], vec![*v]).unwrap();
                model.insert(vec![*k], vec![*v]);
            }
            let mut layer = Layer::new(&base_state);
            for (k, v) in &writes {
                match v {
                    Some(v) => { layer.put_raw(&[*k], vec![*v]).unwrap(); model.insert(vec![*k], vec![*v]); }
                    None => { layer.delete_raw(&[*k]).unwrap(); model.remove(&vec![*k]); }
                }
            }
            let mut flat = MemoryState::new();
            flat.entries = model;
            for k in 0u8..34 {
                prop_assert_eq!(layer.get_raw(&[k]).unwrap(), flat.get_raw(&[k]).unwrap());
            }
            for (lk, l, uk, u) in bounds {
                let (lo, hi) = (bound(lk, l), bound(uk, u));
                prop_assert_eq!(layer.first_raw(as_ref(&lo), as_ref(&hi)).unwrap(), flat.first_raw(as_ref(&lo), as_ref(&hi)).unwrap());
                prop_assert_eq!(layer.last_raw(as_ref(&lo), as_ref(&hi)).unwrap(), flat.last_raw(as_ref(&lo), as_ref(&hi)).unwrap());
            }
        }
    }

    #[test]
    fn a_layer_discarding_events_keeps_its_writes_and_drops_its_events() {
        let base = MemoryState::new();
        let mut layer = Layer::discarding_events(&base);
        assert!(!layer.keeps_events());
        layer.put_raw(b"k", b"v".to_vec()).unwrap();
        conclave_core::StateWrite::emit(&mut layer, Event::discarded()).unwrap();
        let (writes, events) = layer.into_parts();
        assert_eq!(writes.get(b"k".as_slice()), Some(&Some(b"v".to_vec())));
        assert!(events.is_empty());
        assert!(Layer::new(&base).keeps_events());
    }

    #[test]
    fn metering_charges_and_stops() {
        let base = MemoryState::new();
        let schedule = GasSchedule::default();
        let mut layer = Layer::metered(&base, &GasMeter::new(2_500), schedule);
        layer.put_raw(b"k", vec![1]).unwrap(); // 2000 + 2*30 = 2060
        assert_eq!(layer.gas_used(), 2_060);
        assert!(matches!(layer.put_raw(b"k", vec![2]), Err(StateError::OutOfGas { .. })));
        assert_eq!(layer.gas_used(), 2_500);
    }
}
