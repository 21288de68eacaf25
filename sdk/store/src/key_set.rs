//! The ordered key set of a version, for range iteration.
//!
//! Persistent (`imbl::OrdSet`): a new version shares every untouched B-tree
//! node with its parent, and a batch that only updates values leaves it
//! untouched (values live in the trie). A batch that inserts or deletes keys
//! copies the B-tree nodes on their paths, once per node per version.
//!
//! Copying a node clones its up to 64 keys. With reference-counted keys that
//! is 64 atomic increments on 64 unrelated cache lines per copied node (and as
//! many decrements when the version is pruned); keys of up to
//! [`INLINE_KEY_BYTES`] bytes, which covers the keys modules write, are
//! therefore stored inline and copied as plain bytes.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::ops::Deref;
use std::sync::Arc;

use imbl::OrdSet;

use crate::snapshot::Bytes;

/// The keys of one version in ascending byte order.
pub(crate) type KeySet = OrdSet<SetKey>;

/// Longest key stored inline; the enum is then 48 bytes, three pointers' worth
/// more than an `Arc<[u8]>`, and saves the key's own allocation.
pub(crate) const INLINE_KEY_BYTES: usize = 46;

/// One key of a [`KeySet`]. Ordered, compared and borrowed as its bytes.
#[derive(Clone)]
pub(crate) enum SetKey {
    Inline { len: u8, bytes: [u8; INLINE_KEY_BYTES] },
    Shared(Bytes),
}

impl SetKey {
    pub(crate) fn new(key: &Bytes) -> Self {
        match u8::try_from(key.len()) {
            Ok(len) if key.len() <= INLINE_KEY_BYTES => {
                let mut bytes = [0; INLINE_KEY_BYTES];
                bytes[..key.len()].copy_from_slice(key);
                SetKey::Inline { len, bytes }
            }
            _ => SetKey::Shared(Arc::clone(key)),
        }
    }
}

impl Deref for SetKey {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            SetKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            SetKey::Shared(bytes) => bytes,
        }
    }
}

impl Borrow<[u8]> for SetKey {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl PartialEq for SetKey {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for SetKey {}

impl PartialOrd for SetKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SetKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_their_bytes_whether_inline_or_shared() {
        let lengths = [0, 1, INLINE_KEY_BYTES - 1, INLINE_KEY_BYTES, INLINE_KEY_BYTES + 1, 300];
        let mut raw: Vec<Vec<u8>> = Vec::new();
        for length in lengths {
            for fill in [0u8, 7, 255] {
                raw.push(vec![fill; length]);
                let mut last_differs = vec![fill; length];
                if let Some(last) = last_differs.last_mut() {
                    *last = last.wrapping_add(1);
                }
                raw.push(last_differs);
            }
        }
        let keys: Vec<SetKey> = raw.iter().map(|key| SetKey::new(&Bytes::from(key.as_slice()))).collect();
        for (key, bytes) in keys.iter().zip(&raw) {
            assert_eq!(&**key, bytes.as_slice());
            assert_eq!(matches!(key, SetKey::Inline { .. }), bytes.len() <= INLINE_KEY_BYTES);
        }
        for (a, a_bytes) in keys.iter().zip(&raw) {
            for (b, b_bytes) in keys.iter().zip(&raw) {
                assert_eq!(a.cmp(b), a_bytes.cmp(b_bytes));
            }
        }
        assert_eq!(std::mem::size_of::<SetKey>(), 48);
    }
}
