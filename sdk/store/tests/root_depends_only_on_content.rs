//! The root is a function of the final set of pairs: different write orders,
//! batchings, detours (keys written then deleted, values changed then
//! restored) and a from-scratch build all give the same root, which is the
//! one `conclave_proof::root_from_leaves` defines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::BTreeMap;

use common::{model_root, Model};
use conclave_store::{ChangeSet, Snapshot, Store, StoreConfig};
use proptest::prelude::*;

fn commit_all(batches: &[ChangeSet]) -> Snapshot {
    let mut store = Store::open_in_memory(StoreConfig { keep_versions: 2, checkpoint_interval: 2 }).unwrap();
    for (i, batch) in batches.iter().enumerate() {
        let staged = store.latest().stage(i as u64 + 1, batch.clone());
        store.commit(staged).unwrap();
    }
    store.latest()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn root_depends_only_on_content(
        target in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 1..4),
            proptest::collection::vec(any::<u8>(), 0..4),
            0..48,
        ),
        noise in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 1..4),
            proptest::collection::vec(any::<u8>(), 0..4),
            0..24,
        ),
        seed in any::<u64>(),
        splits in 1usize..6,
    ) {
        let expected = model_root(&target);

        // History A: everything in one batch on the empty tree (the bulk-build path).
        let one: ChangeSet = target.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
        prop_assert_eq!(commit_all(&[one]).root_hash(), expected);

        // History B: noise first (including overwrites of target keys), then the
        // target in shuffled batches, then deletion of the noise-only keys.
        let mut order: Vec<(&Vec<u8>, &Vec<u8>)> = target.iter().collect();
        let mut state = seed | 1;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut batches = vec![noise.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect::<ChangeSet>()];
        let per_batch = order.len().div_ceil(splits).max(1);
        for chunk in order.chunks(per_batch) {
            batches.push(chunk.iter().map(|(k, v)| ((*k).clone(), Some((*v).clone()))).collect());
        }
        batches.push(
            noise.keys().filter(|k| !target.contains_key(*k)).map(|k| (k.clone(), None)).collect(),
        );
        let snapshot = commit_all(&batches);
        prop_assert_eq!(snapshot.root_hash(), expected);
        let contents: Model = snapshot.range(std::ops::Bound::Unbounded, std::ops::Bound::Unbounded).collect();
        prop_assert_eq!(&contents, &target);

        // History C: key by key, one version each, in reverse order.
        let singles: Vec<ChangeSet> = target
            .iter()
            .rev()
            .map(|(k, v)| BTreeMap::from([(k.clone(), Some(v.clone()))]))
            .collect();
        if !singles.is_empty() {
            prop_assert_eq!(commit_all(&singles).root_hash(), expected);
        }
    }
}
