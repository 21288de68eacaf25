//! Times the store on the benchmark workload: preload N keys, then blocks of
//! random updates with 64-byte values, one durable commit per block; then
//! proof generation/verification and a reopen.
//!
//! Run: `cargo run --release -p conclave-store --example store_throughput -- [keys] [blocks] [block_size] [keep_versions] [checkpoint_interval]`
//! (defaults 1000000 20 10000 100 100). The store lives in a temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic, missing_docs)]

use std::time::{Duration, Instant};

use conclave_store::{ChangeSet, Store, StoreConfig};

/// splitmix64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn key(i: u64) -> Vec<u8> {
    let mut key = b"bank/balance/".to_vec();
    key.extend_from_slice(blake3::hash(&i.to_be_bytes()).as_bytes());
    key
}

/// Resident memory (VmRSS) in MiB, from /proc (Linux only; 0 elsewhere).
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    let keys = args.first().copied().unwrap_or(1_000_000);
    let blocks = args.get(1).copied().unwrap_or(20);
    let block_size = args.get(2).copied().unwrap_or(10_000);
    let defaults = StoreConfig::default();
    let config = StoreConfig {
        keep_versions: args.get(3).copied().unwrap_or(defaults.keep_versions),
        checkpoint_interval: args.get(4).copied().unwrap_or(defaults.checkpoint_interval),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), config.clone()).unwrap();
    let mut rng = Rng(42);

    let started = Instant::now();
    let preload: ChangeSet = (0..keys).map(|i| (key(i), Some(rng.bytes(64)))).collect();
    let generated = started.elapsed();
    let staged = store.latest().stage(1, preload);
    let stage_time = started.elapsed() - generated;
    store.commit(staged).unwrap();
    let total = started.elapsed() - generated;
    println!(
        "preload {keys} keys: stage {:.0} ms, stage+commit {:.0} ms, RSS {} MiB",
        ms(stage_time),
        ms(total),
        rss_mib()
    );

    let mut stage_total = Duration::ZERO;
    let mut commit_total = Duration::ZERO;
    let mut block_times = Vec::new();
    for block in 0..blocks {
        let changes: ChangeSet = (0..block_size).map(|_| (key(rng.next() % keys), Some(rng.bytes(64)))).collect();
        let n = changes.len();
        let t0 = Instant::now();
        let staged = store.latest().stage(block + 2, changes);
        let t1 = Instant::now();
        store.commit(staged).unwrap();
        let t2 = Instant::now();
        stage_total += t1 - t0;
        commit_total += t2 - t1;
        block_times.push(t2 - t0);
        println!(
            "block {:>3}: {n} updates, stage {:6.2} ms, commit {:6.2} ms, {:>8.0} upd/s",
            block + 2,
            ms(t1 - t0),
            ms(t2 - t1),
            n as f64 / (t2 - t0).as_secs_f64()
        );
    }
    println!(
        "RSS after {blocks} blocks ({} versions retained): {} MiB",
        store.latest_version() + 1 - store.oldest_retained_version(),
        rss_mib()
    );
    block_times.sort();
    if let (Some(min), Some(median)) = (block_times.first(), block_times.get(block_times.len() / 2)) {
        println!("stage+commit per block: min {:.2} ms, median {:.2} ms", ms(*min), ms(*median));
    }
    let updates = (blocks * block_size) as f64;
    println!(
        "blocks: mean stage {:.2} ms, mean commit {:.2} ms, {:.0} committed upd/s",
        ms(stage_total) / blocks as f64,
        ms(commit_total) / blocks as f64,
        updates / (stage_total + commit_total).as_secs_f64()
    );

    if std::env::var_os("SKIP_REOPEN").is_some() {
        // Profiling the block phase: skip the proof, close and reopen phases.
        std::process::exit(0);
    }
    let snapshot = store.latest();
    let root = snapshot.root_hash();
    let probes: Vec<Vec<u8>> =
        (0..10_000u64).map(|i| if i % 2 == 0 { key(rng.next() % keys) } else { rng.bytes(45) }).collect();
    let t0 = Instant::now();
    let proofs: Vec<_> = probes.iter().map(|k| snapshot.prove(k)).collect();
    let t1 = Instant::now();
    for (k, (value, proof)) in probes.iter().zip(&proofs) {
        proof.verify(&root, k, value.as_deref()).unwrap();
    }
    let t2 = Instant::now();
    let size: usize = proofs.iter().map(|(_, p)| p.encoded_len()).sum();
    println!(
        "proofs (half present, half absent): generate {:.2} us, verify {:.2} us, mean size {} B",
        (t1 - t0).as_secs_f64() * 1e6 / probes.len() as f64,
        (t2 - t1).as_secs_f64() * 1e6 / probes.len() as f64,
        size / proofs.len()
    );

    let latest = store.latest_version();
    drop(snapshot);
    let t0 = Instant::now();
    store.wait_for_checkpoint().unwrap();
    let checkpoint = store.checkpoint_version();
    println!("checkpoint wait {:.0} ms (flat.redb at version {checkpoint})", ms(t0.elapsed()));
    let t0 = Instant::now();
    drop(store);
    let t1 = Instant::now();
    let store = Store::open(dir.path(), config).unwrap();
    println!(
        "close {:.0} ms; reopen (load flat.redb, replay the log after it) {:.0} ms; latest {} root ok {}",
        ms(t1 - t0),
        ms(t1.elapsed()),
        store.latest_version(),
        store.latest_version() == latest && store.latest().root_hash() == root
    );
}
