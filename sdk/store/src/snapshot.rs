//! Read views of a version and the pure staging of the next one.

use std::fmt;
use std::ops::Bound;
use std::sync::Arc;

use conclave_proof::{key_hash, value_hash, Hash, Proof};

use crate::key_set::{KeySet, SetKey};
use crate::trie::{self, KeySetEdits, NewValue, Node, Update};
use crate::ChangeSet;

/// Shared immutable bytes: keys and values are stored once and shared by every
/// version (and change list) that contains them.
pub(crate) type Bytes = Arc<[u8]>;

/// Batches at least this large hash their keys and values on two threads.
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
    /// Holds every pair of this version (values included).
    root: Node,
    /// Invariant: exactly the keys of the leaves under `root`.
    keys: KeySet,
}

impl Snapshot {
    /// The empty state, before any commit.
    pub(crate) fn empty(version: u64) -> Snapshot {
        Snapshot::from_parts(version, Node::EMPTY, KeySet::new())
    }

    /// Caller guarantees that `keys` are exactly the keys in `root`.
    pub(crate) fn from_parts(version: u64, root: Node, keys: KeySet) -> Snapshot {
        Snapshot { state: Arc::new(State { version, root, keys }) }
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
        self.get_shared(key).map(|value| value.to_vec())
    }

    /// The value of `key`, if present, without copying it.
    pub fn get_shared(&self, key: &[u8]) -> Option<Arc<[u8]>> {
        trie::get(&self.state.root, &key_hash(key)).map(|leaf| Arc::clone(&leaf.value))
    }

    /// Entries with keys within the bounds, in ascending key order. An empty or
    /// inverted range yields nothing.
    pub fn range(
        &self,
        lower: Bound<&[u8]>,
        upper: Bound<&[u8]>,
    ) -> impl DoubleEndedIterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
        // The ordered set seeks both ends when the iterator is created, so the
        // iterator borrows only the snapshot, not the bounds.
        let keys = is_nonempty_range(lower, upper).then(|| self.state.keys.range::<_, [u8]>((lower, upper)));
        // The key set and the trie hold the same keys, so every lookup succeeds.
        keys.into_iter().flatten().filter_map(|key| {
            let leaf = trie::get(&self.state.root, &key_hash(key))?;
            Some((key.to_vec(), leaf.value.to_vec()))
        })
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
        self.state.keys.len() as u64
    }

    /// Whether this version holds no key.
    pub fn is_empty(&self) -> bool {
        self.state.keys.is_empty()
    }

    /// The value of `key` and a proof of it (inclusion) or of its absence
    /// (exclusion) against [`Snapshot::root_hash`].
    pub fn prove(&self, key: &[u8]) -> (Option<Vec<u8>>, Proof) {
        let (leaf, proof) = trie::prove(&self.state.root, &key_hash(key));
        (leaf.map(|leaf| leaf.value.to_vec()), proof)
    }

    /// Applies `changes` on top of this snapshot and computes the new root.
    ///
    /// Pure: touches no disk and changes neither this snapshot nor the store.
    /// `version` must be greater than [`Snapshot::version`]; the store checks
    /// that at commit.
    pub fn stage(&self, version: u64, changes: ChangeSet) -> StagedVersion {
        self.stage_changes(version, into_change_list(changes))
    }

    /// `changes` must be in strictly ascending key order.
    pub(crate) fn stage_changes(&self, version: u64, changes: Vec<Change>) -> StagedVersion {
        let parent = &self.state;
        let updates = sorted_updates(&changes);
        let (root, edits) = trie::apply(&parent.root, &updates);
        let keys = edit_key_set(&parent.keys, &changes, edits);
        StagedVersion {
            snapshot: Snapshot::from_parts(version, root, keys),
            parent_version: parent.version,
            parent_root: parent.root.hash(),
            changes,
        }
    }

    /// The ordered key set of this version.
    pub(crate) fn keys(&self) -> &KeySet {
        &self.state.keys
    }

    /// The trie of this version.
    pub(crate) fn trie(&self) -> &Node {
        &self.state.root
    }

    #[cfg(test)]
    pub(crate) fn state_root(&self) -> Node {
        self.state.root.clone()
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

/// The parent's key set with the keys the trie update added or removed.
fn edit_key_set(parent: &KeySet, changes: &[Change], edits: KeySetEdits) -> KeySet {
    let KeySetEdits { mut inserted, removed } = edits;
    if inserted.is_empty() && removed.is_empty() {
        return parent.clone();
    }
    let mut keys = parent.clone();
    // Change indices follow key order: inserting in ascending order keeps the
    // B-tree walk cache-friendly (a bulk load appends at the right edge).
    inserted.sort_unstable();
    for index in inserted {
        if let Some(change) = changes.get(index as usize) {
            keys.insert(SetKey::new(&change.key));
        }
    }
    for index in removed {
        if let Some(change) = changes.get(index as usize) {
            keys.remove(&change.key[..]);
        }
    }
    keys
}

/// The change list of `changes`, in key order. Copying keys and values into
/// shared buffers is a measurable part of staging, so large batches copy on
/// two threads.
fn into_change_list(changes: ChangeSet) -> Vec<Change> {
    let to_change = |(key, value): (Vec<u8>, Option<Vec<u8>>)| Change { key: key.into(), value: value.map(Into::into) };
    if changes.len() < PARALLEL_MIN_CHANGES {
        return changes.into_iter().map(to_change).collect();
    }
    let mut first: Vec<(Vec<u8>, Option<Vec<u8>>)> = changes.into_iter().collect();
    let second = first.split_off(first.len() / 2);
    std::thread::scope(|scope| {
        let second_side = scope.spawn(|| second.into_iter().map(to_change).collect::<Vec<_>>());
        let mut list: Vec<Change> = first.into_iter().map(to_change).collect();
        match second_side.join() {
            Ok(second) => list.extend(second),
            Err(payload) => std::panic::resume_unwind(payload),
        }
        list
    })
}

/// The trie updates for `changes`, sorted by key hash. Hashing is the bulk of
/// the work, so large batches hash on two threads.
pub(crate) fn sorted_updates(changes: &[Change]) -> Vec<Update> {
    let to_update = |(index, change): (usize, &Change)| Update {
        key_hash: key_hash(&change.key),
        value: change.value.as_ref().map(|bytes| NewValue { hash: value_hash(bytes), bytes: Arc::clone(bytes) }),
        // `write_version` rejects batches of more than u32::MAX changes.
        index: u32::try_from(index).unwrap_or(u32::MAX),
    };
    let mut updates: Vec<Update> = if changes.len() >= PARALLEL_MIN_CHANGES {
        let (first, second) = changes.split_at(changes.len() / 2);
        std::thread::scope(|scope| {
            let second_side = scope.spawn(|| {
                second
                    .iter()
                    .enumerate()
                    .map(|(index, change)| (index + first.len(), change))
                    .map(to_update)
                    .collect::<Vec<_>>()
            });
            let mut updates: Vec<Update> = first.iter().enumerate().map(to_update).collect();
            match second_side.join() {
                Ok(second) => updates.extend(second),
                Err(payload) => std::panic::resume_unwind(payload),
            }
            updates
        })
    } else {
        changes.iter().enumerate().map(to_update).collect()
    };
    updates.sort_unstable_by_key(|update| update.key_hash);
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
        f.write_str(&hex::encode(self.0))
    }
}
