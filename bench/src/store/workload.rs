//! The deterministic workload both engines run.
//!
//! Everything follows from the seed: key choice and the operation mix come from one
//! ChaCha8 stream, values from a ChaCha8 stream seeded by `(seed, key, block)`. Replaying
//! the workload in another process therefore yields the identical change sets.
//!
//! Keys are 25 bytes, `acct/` followed by 20 pseudo-random bytes whose first 8 are a bijection
//! of the key's index (so keys never collide). Each block touches exactly `updates_per_block`
//! distinct keys; the harness keeps only the key index and the block of its last write, so
//! the expected value of any key can be regenerated for proof checks without holding all
//! values in memory.

use std::collections::{BTreeMap, HashSet};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Key → new value, `None` deletes; the same shape as `conclave_store::ChangeSet`.
pub(crate) type ChangeSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Share of each operation in a block, in percent (they sum to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mix {
    /// Overwrite an existing key.
    pub(crate) update: u8,
    /// Insert a key never written before.
    pub(crate) insert: u8,
    /// Delete an existing key.
    pub(crate) delete: u8,
}

impl std::str::FromStr for Mix {
    type Err = String;

    /// Parses `UPDATE/INSERT/DELETE` percentages, e.g. `90/9/1`.
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<u8> = s
            .split('/')
            .map(|p| p.trim().parse::<u8>().map_err(|e| format!("{p:?}: {e}")))
            .collect::<Result<_, _>>()?;
        let [update, insert, delete] = parts[..] else {
            return Err("expected UPDATE/INSERT/DELETE percentages, e.g. 90/9/1".into());
        };
        if u16::from(update) + u16::from(insert) + u16::from(delete) != 100 {
            return Err(format!("percentages must sum to 100, got {s}"));
        }
        Ok(Mix { update, insert, delete })
    }
}

impl std::fmt::Display for Mix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.update, self.insert, self.delete)
    }
}

/// Parameters of a workload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WorkloadConfig {
    pub(crate) seed: u64,
    pub(crate) keys: u32,
    pub(crate) updates_per_block: u32,
    pub(crate) value_size: usize,
    pub(crate) mix: Mix,
}

/// Counts of the operations generated so far (preload excluded).
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct OpCounts {
    pub(crate) updates: u64,
    pub(crate) inserts: u64,
    pub(crate) deletes: u64,
}

/// Keys to prove at the end of a run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ProofSamples {
    /// Live keys with their expected values.
    pub(crate) present: Vec<(Vec<u8>, Vec<u8>)>,
    /// Keys never written.
    pub(crate) absent: Vec<Vec<u8>>,
}

/// Generator of the preload, the blocks and the proof samples, plus a compact model of the
/// current state (which keys are live and in which block each was last written).
pub(crate) struct Workload {
    cfg: WorkloadConfig,
    rng: ChaCha8Rng,
    /// Indices of the live keys, in no particular order.
    live: Vec<u32>,
    /// Per key index: the block that last wrote it (0 = preload), `DEAD` if absent.
    written_at: Vec<u32>,
    /// Index of the next key never written.
    next_fresh: u32,
    ops: OpCounts,
}

const DEAD: u32 = u32::MAX;
const KEY_PREFIX: &[u8] = b"acct/";

impl Workload {
    /// A workload at its start: nothing generated yet.
    pub(crate) fn new(cfg: WorkloadConfig) -> Self {
        Workload {
            cfg,
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            live: Vec::new(),
            written_at: Vec::new(),
            next_fresh: 0,
            ops: OpCounts::default(),
        }
    }

    /// The preload: `keys` fresh keys, written as block 0.
    pub(crate) fn preload(&mut self) -> ChangeSet {
        (0..self.cfg.keys)
            .map(|_| {
                let idx = self.fresh(0);
                (self.key(idx), Some(self.value(idx, 0)))
            })
            .collect()
    }

    /// Block `block` (1-based): exactly `updates_per_block` distinct keys, following the mix.
    pub(crate) fn block(&mut self, block: u32) -> ChangeSet {
        let mut touched = HashSet::new();
        let mut changes = ChangeSet::new();
        let mix = self.cfg.mix;
        while changes.len() < self.cfg.updates_per_block as usize {
            let roll = self.rng.random_range(0..100u8);
            // Too few untouched live keys left for an update or delete: insert instead.
            let can_touch_live = self.live.len() > touched.len();
            if roll < mix.update + mix.insert || !can_touch_live {
                if roll < mix.update && can_touch_live {
                    let pos = self.rng.random_range(0..self.live.len());
                    let idx = self.live[pos];
                    if touched.insert(idx) {
                        self.written_at[idx as usize] = block;
                        changes.insert(self.key(idx), Some(self.value(idx, block)));
                        self.ops.updates += 1;
                    }
                } else {
                    let idx = self.fresh(block);
                    touched.insert(idx);
                    changes.insert(self.key(idx), Some(self.value(idx, block)));
                    self.ops.inserts += 1;
                }
            } else {
                let pos = self.rng.random_range(0..self.live.len());
                let idx = self.live[pos];
                if touched.insert(idx) {
                    self.live.swap_remove(pos);
                    self.written_at[idx as usize] = DEAD;
                    changes.insert(self.key(idx), None);
                    self.ops.deletes += 1;
                }
            }
        }
        changes
    }

    /// `n` live keys (with their expected values) and `n` keys never written, chosen at random.
    pub(crate) fn proof_samples(&mut self, n: u32) -> ProofSamples {
        let mut present = Vec::new();
        if !self.live.is_empty() {
            for _ in 0..n {
                let idx = self.live[self.rng.random_range(0..self.live.len())];
                let block = self.written_at[idx as usize];
                present.push((self.key(idx), self.value(idx, block)));
            }
        }
        let absent = (0..n)
            .map(|_| {
                let offset = self.rng.random_range(0..u32::MAX / 2);
                self.key(self.next_fresh.wrapping_add(offset))
            })
            .collect();
        ProofSamples { present, absent }
    }

    /// Operations generated so far by [`Workload::block`].
    pub(crate) fn ops(&self) -> OpCounts {
        self.ops
    }

    /// Number of live keys in the model.
    pub(crate) fn live_keys(&self) -> u64 {
        self.live.len() as u64
    }

    fn fresh(&mut self, block: u32) -> u32 {
        let idx = self.next_fresh;
        self.next_fresh += 1;
        self.live.push(idx);
        self.written_at.push(block);
        idx
    }

    /// The key with index `idx`.
    fn key(&self, idx: u32) -> Vec<u8> {
        let a = mix64(u64::from(idx) ^ self.cfg.seed.rotate_left(32));
        let b = mix64(a ^ 0x9e37_79b9_7f4a_7c15);
        let c = mix64(b ^ 0x6a09_e667_f3bc_c908);
        let mut key = Vec::with_capacity(KEY_PREFIX.len() + 20);
        key.extend_from_slice(KEY_PREFIX);
        key.extend_from_slice(&a.to_be_bytes());
        key.extend_from_slice(&b.to_be_bytes());
        key.extend_from_slice(&c.to_be_bytes()[..4]);
        key
    }

    /// The value written to key `idx` in block `block`.
    fn value(&self, idx: u32, block: u32) -> Vec<u8> {
        let stream = mix64(self.cfg.seed ^ (u64::from(idx) << 32 | u64::from(block)));
        let mut value = vec![0; self.cfg.value_size];
        ChaCha8Rng::seed_from_u64(stream).fill_bytes(&mut value);
        value
    }
}

/// SplitMix64's finaliser: a bijection on `u64` with good avalanche.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> WorkloadConfig {
        WorkloadConfig {
            seed: 7,
            keys: 500,
            updates_per_block: 100,
            value_size: 16,
            mix: Mix { update: 80, insert: 15, delete: 5 },
        }
    }

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Workload::new(cfg()), Workload::new(cfg()));
        assert_eq!(a.preload(), b.preload());
        for block in 1..=5 {
            assert_eq!(a.block(block), b.block(block));
        }
        assert_eq!(a.proof_samples(10), b.proof_samples(10));
    }

    #[test]
    fn blocks_follow_the_model() {
        let mut w = Workload::new(cfg());
        let mut state: BTreeMap<Vec<u8>, Vec<u8>> =
            w.preload().into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
        assert_eq!(state.len(), 500);
        for block in 1..=20 {
            let changes = w.block(block);
            assert_eq!(changes.len(), 100);
            for (k, v) in changes {
                match v {
                    Some(v) => state.insert(k, v),
                    None => state.remove(&k),
                };
            }
        }
        let ops = w.ops();
        assert_eq!(ops.updates + ops.inserts + ops.deletes, 2000);
        assert!(ops.inserts > 0 && ops.deletes > 0);
        assert_eq!(w.live_keys(), state.len() as u64);
        let samples = w.proof_samples(50);
        for (k, v) in samples.present {
            assert_eq!(state.get(&k), Some(&v));
        }
        for k in samples.absent {
            assert!(!state.contains_key(&k));
        }
    }

    #[test]
    fn parses_mix() {
        assert_eq!("90/9/1".parse(), Ok(Mix { update: 90, insert: 9, delete: 1 }));
        assert!("90/9".parse::<Mix>().is_err());
        assert!("90/9/2".parse::<Mix>().is_err());
    }
}
