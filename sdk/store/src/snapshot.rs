//! Read views of a version and the pure staging of the next one.

use std::fmt;
use std::ops::Bound;
use std::sync::Arc;

use conclave_proof::{key_hash, value_hash, Hash, Proof};
use imbl::OrdMap;

use crate::trie::{self, Node, Update};
use crate::ChangeSet;

/// Shared immutable bytes: keys and values are stored once and shared by every
/// version (and change list) that contains them.
pub(crate) type Bytes = Arc<[u8]>;

/// Key-ordered contents of one version. Persistent: a new version shares all
/// untouched B-tree nodes with its parent.
pub(crate) type Map = OrdMap<Bytes, Bytes>;

/// Batches at least this large hash and update the trie on one thread while
/// another updates the ordered map.
const PARALLEL_MIN_CHANGES: usize = 1024;

/// One entry of a version's change list, which is kept in key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) key: Bytes,
    /// `None` deletes the key.
    pub(crate) value: Option<Bytes>,
}

/// A read-only view of one version: values, ordered iteration and proofs.
///
/// Cloning is cheap (one reference count) and a snapshot stays valid after the
/// store prunes its version. Reads never touch disk.
#[derive(Clone)]
pub struct Snapshot {
    state: Arc<State>,
}

struct State {
    version: u64,
    /// Invariant: `root` commits to exactly the pairs in `map`.
    root: Node,
    map: Map,
}

impl Snapshot {
    /// The empty state, before any commit.
    pub(crate) fn empty(version: u64) -> Snapshot {
        Snapshot::from_parts(version, Node::Empty, Map::new())
    }

    /// Caller guarantees that `root` is the trie of `map`.
    pub(crate) fn from_parts(version: u64, root: Node, map: Map) -> Snapshot {
        Snapshot {
            state: Arc::new(State { version, root, map }),
        }
    }

    /// The version (block height) this snapshot shows.
    pub fn version(&self) -> u64 {
        self.state.version
    }

    /// The state root of this version.
    pub fn root_hash(&self) -> Hash {
        self.state.root.hash()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.map.get(key).map(|value| value.to_vec())
    }

    /// The value of `key`, if present, without copying it.
    pub fn get_shared(&self, key: &[u8]) -> Option<Arc<[u8]>> {
        self.state.map.get(key).cloned()
    }

    /// Entries with keys within the bounds, in ascending key order. An empty or
    /// inverted range yields nothing.
    pub fn range<'a>(
        &'a self,
        lower: Bound<&'a [u8]>,
        upper: Bound<&'a [u8]>,
    ) -> impl DoubleEndedIterator<Item = (Vec<u8>, Vec<u8>)> + 'a {
        let inner = is_nonempty_range(lower, upper).then(|| self.state.map.range::<_, [u8]>((lower, upper)));
        inner
            .into_iter()
            .flatten()
            .map(|(key, value)| (key.to_vec(), value.to_vec()))
    }

    /// The entry with the smallest key within the bounds.
    pub fn next_entry(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Option<(Vec<u8>, Vec<u8>)> {
        self.range(lower, upper).next()
    }

    /// The entry with the largest key within the bounds.
    pub fn prev_entry(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Option<(Vec<u8>, Vec<u8>)> {
        self.range(lower, upper).next_back()
    }

    /// Number of keys in this version.
    pub fn len(&self) -> u64 {
        self.state.map.len() as u64
    }

    /// Whether this version holds no key.
    pub fn is_empty(&self) -> bool {
        self.state.map.is_empty()
    }

    /// The value of `key` and a proof of it (inclusion) or of its absence
    /// (exclusion) against [`Snapshot::root_hash`].
    pub fn prove(&self, key: &[u8]) -> (Option<Vec<u8>>, Proof) {
        (self.get(key), trie::prove(&self.state.root, &key_hash(key)))
    }

    /// Applies `changes` on top of this snapshot and computes the new root.
    ///
    /// Pure: touches no disk and changes neither this snapshot nor the store.
    /// `version` must be greater than [`Snapshot::version`]; the store checks
    /// that at commit.
    pub fn stage(&self, version: u64, changes: ChangeSet) -> StagedVersion {
        let changes = changes
            .into_iter()
            .map(|(key, value)| Change {
                key: key.into(),
                value: value.map(Into::into),
            })
            .collect();
        self.stage_changes(version, changes)
    }

    /// `changes` must be in strictly ascending key order.
    pub(crate) fn stage_changes(&self, version: u64, changes: Vec<Change>) -> StagedVersion {
        let parent = &self.state;
        if std::env::var_os("STORE_TIMING").is_some() {
            fn cpu() -> u64 { std::fs::read_to_string("/proc/thread-self/schedstat").ok().and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok())).unwrap_or(0) }
            let t0 = cpu();
            let updates = sorted_updates(&changes);
            let t1 = cpu();
            let root = trie::apply_serial(&parent.root, &updates);
            let t2 = cpu();
            let map = apply_to_map(&parent.map, &changes);
            let t3 = cpu();
            drop(root); let t4 = cpu(); drop(map); let t5 = cpu();
            eprintln!("cpu ms: hash+sort {:.1} trie {:.1} map {:.1} droptrie {:.1} dropmap {:.1}", (t1-t0) as f64/1e6, (t2-t1) as f64/1e6, (t3-t2) as f64/1e6, (t4-t3) as f64/1e6, (t5-t4) as f64/1e6);
        }
        let (root, map) = if changes.len() >= PARALLEL_MIN_CHANGES {
            std::thread::scope(|scope| {
                let map_side = scope.spawn(|| apply_to_map(&parent.map, &changes));
                let root = trie::apply(&parent.root, &sorted_updates(&changes));
                match map_side.join() {
                    Ok(map) => (root, map),
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            })
        } else {
            let root = trie::apply(&parent.root, &sorted_updates(&changes));
            (root, apply_to_map(&parent.map, &changes))
        };
        StagedVersion {
            snapshot: Snapshot::from_parts(version, root, map),
            parent_version: parent.version,
            parent_root: parent.root.hash(),
            changes,
        }
    }

    #[cfg(test)]
    pub(crate) fn map(&self) -> &Map {
        &self.state.map
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version())
            .field("root", &Hex(&self.root_hash()))
            .field("len", &self.len())
            .finish()
    }
}

/// A computed but not yet committed version: the result of [`Snapshot::stage`].
pub struct StagedVersion {
    snapshot: Snapshot,
    parent_version: u64,
    parent_root: Hash,
    /// In ascending key order; persisted as the version's log entries.
    changes: Vec<Change>,
}

impl StagedVersion {
    /// The version this state will be committed as.
    pub fn version(&self) -> u64 {
        self.snapshot.version()
    }

    /// The version it was staged on.
    pub fn parent_version(&self) -> u64 {
        self.parent_version
    }

    /// The new state root.
    pub fn root_hash(&self) -> Hash {
        self.snapshot.root_hash()
    }

    /// A read view of the staged state.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot.clone()
    }

    /// Number of changes in the batch (including no-op ones).
    pub fn change_count(&self) -> usize {
        self.changes.len()
    }

    pub(crate) fn parent_root(&self) -> Hash {
        self.parent_root
    }

    pub(crate) fn changes(&self) -> &[Change] {
        &self.changes
    }

    pub(crate) fn into_snapshot(self) -> Snapshot {
        self.snapshot
    }
}

impl fmt::Debug for StagedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StagedVersion")
            .field("version", &self.version())
            .field("parent_version", &self.parent_version)
            .field("root", &Hex(&self.root_hash()))
            .field("changes", &self.changes.len())
            .finish()
    }
}

fn apply_to_map(parent: &Map, changes: &[Change]) -> Map {
    let mut map = parent.clone();
    for change in changes {
        match &change.value {
            Some(value) => {
                map.insert(Arc::clone(&change.key), Arc::clone(value));
            }
            None => {
                map.remove(&change.key[..]);
            }
        }
    }
    map
}

fn sorted_updates(changes: &[Change]) -> Vec<Update> {
    let mut updates: Vec<Update> = changes
        .iter()
        .map(|change| Update {
            key_hash: key_hash(&change.key),
            value_hash: change.value.as_deref().map(value_hash),
        })
        .collect();
    updates.sort_unstable_by(|a, b| a.key_hash.cmp(&b.key_hash));
    // Keys are distinct, so equal key hashes would be a blake3 collision; drop
    // all but one so the trie code can rely on distinct hashes.
    updates.dedup_by(|later, earlier| later.key_hash == earlier.key_hash);
    updates
}

/// Whether `(lower, upper)` can contain a key; ordered-map range iteration
/// requires `lower <= upper`.
fn is_nonempty_range(lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> bool {
    match (lower, upper) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Included(low), Bound::Included(high)) => low <= high,
        (Bound::Included(low), Bound::Excluded(high))
        | (Bound::Excluded(low), Bound::Included(high))
        | (Bound::Excluded(low), Bound::Excluded(high)) => low < high,
    }
}

struct Hex<'a>(&'a Hash);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}
