//! The measurement loop run inside one child process for one engine.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};

use super::engine::Engine;
use super::report::EngineResult;
use super::workload::{Workload, WorkloadConfig};
use crate::sys;

/// What the loop needs besides the engine and the workload.
pub(crate) struct RunParams {
    pub(crate) blocks: u32,
    pub(crate) proof_samples: u32,
    pub(crate) keep_versions: u64,
    pub(crate) checkpoint_interval: u64,
}

/// Preloads, runs the blocks, samples proofs, and measures it all.
pub(crate) fn measure<E: Engine>(
    engine: &mut E,
    name: &str,
    setup: &str,
    proof_encoding: &str,
    cfg: WorkloadConfig,
    params: &RunParams,
) -> Result<EngineResult> {
    let mut workload = Workload::new(cfg);

    let preload = workload.preload();
    eprintln!("[{name}] preloading {} keys", cfg.keys);
    let io_before = sys::write_bytes()?;
    let started = Instant::now();
    engine.preload(preload)?;
    let preload_secs = started.elapsed().as_secs_f64();
    let preload_write_bytes = sys::write_bytes()?.saturating_sub(io_before);
    eprintln!("[{name}] preload done in {preload_secs:.2} s");

    let io_before = sys::write_bytes()?;
    let cpu_before = sys::cpu_secs()?;
    let mut generation = Duration::ZERO;
    let mut block_times = Vec::with_capacity(params.blocks as usize);
    let mut stage_times = Vec::with_capacity(params.blocks as usize);
    let mut commit_times = Vec::with_capacity(params.blocks as usize);
    let mut changes_total = 0u64;
    for block in 1..=params.blocks {
        let started = Instant::now();
        let changes = workload.block(block);
        generation += started.elapsed();
        changes_total += changes.len() as u64;
        let started = Instant::now();
        engine.stage(changes)?;
        let staged = Instant::now();
        engine.commit()?;
        let committed = Instant::now();
        stage_times.push(staged - started);
        commit_times.push(committed - staged);
        block_times.push(committed - started);
        if block % 10 == 0 || block == params.blocks {
            let recent = &block_times[block_times.len().saturating_sub(10)..];
            let mean_ms = recent.iter().sum::<Duration>().as_secs_f64() * 1e3 / recent.len() as f64;
            eprintln!("[{name}] block {block}/{}: mean {mean_ms:.1} ms over the last {}", params.blocks, recent.len());
        }
    }
    let started = Instant::now();
    engine.settle()?;
    let settle = started.elapsed();
    let engine_cpu_secs = (sys::cpu_secs()? - cpu_before - generation.as_secs_f64()).max(0.0);
    let block_write_bytes = sys::write_bytes()?.saturating_sub(io_before);
    let total_block_secs = block_times.iter().sum::<Duration>().as_secs_f64();
    // Memory of the preload and the blocks; the proof phase below holds the sampled proofs.
    let peak_rss_bytes = sys::peak_rss_bytes()?;
    let final_rss_bytes = sys::current_rss_bytes()?;

    eprintln!("[{name}] proving {} present + {} absent keys", params.proof_samples, params.proof_samples);
    let samples = workload.proof_samples(params.proof_samples);
    let present = samples.present.iter().map(|(k, v)| (k.as_slice(), Some(v.as_slice())));
    let present = sample_proofs(engine, present)?;
    let absent = sample_proofs(engine, samples.absent.iter().map(|k| (k.as_slice(), None)))?;

    block_times.sort();
    stage_times.sort();
    commit_times.sort();
    let ops = workload.ops();
    let result = EngineResult {
        engine: name.to_owned(),
        setup: setup.to_owned(),
        durable: engine.durable(),
        keys: u64::from(cfg.keys),
        blocks: u64::from(params.blocks),
        updates_per_block: u64::from(cfg.updates_per_block),
        value_size: cfg.value_size as u64,
        ops,
        final_keys: workload.live_keys(),
        keep_versions: params.keep_versions,
        checkpoint_interval: params.checkpoint_interval,
        preload_secs,
        preload_write_bytes,
        committed_updates_per_sec: per_sec(changes_total, total_block_secs),
        block_p50_ms: percentile_ms(&block_times, 50),
        block_p99_ms: percentile_ms(&block_times, 99),
        stage_p50_ms: percentile_ms(&stage_times, 50),
        commit_p50_ms: percentile_ms(&commit_times, 50),
        block_max_ms: block_times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        settle_ms: settle.as_secs_f64() * 1e3,
        cpu_us_per_update: engine_cpu_secs * 1e6 / changes_total.max(1) as f64,
        checkpoint_version: engine.checkpoint_version(),
        write_bytes_per_update: ratio(block_write_bytes, changes_total),
        db_size_bytes: engine.disk_bytes()?,
        peak_rss_bytes,
        final_rss_bytes,
        proof_samples: u64::from(params.proof_samples),
        prove_present_us: present.mean_prove_us(),
        prove_absent_us: absent.mean_prove_us(),
        verify_present_us: present.mean_verify_us(),
        verify_absent_us: absent.mean_verify_us(),
        proof_bytes_present: present.mean_bytes(),
        proof_bytes_absent: absent.mean_bytes(),
        proof_encoding: proof_encoding.to_owned(),
        proofs_verified: present.verified + absent.verified,
        proof_failures: present.failures + absent.failures,
        final_root: engine.root_hex(),
    };
    ensure!(changes_total > 0 || params.blocks == 0, "the workload produced no changes");
    Ok(result)
}

/// Totals over a set of proof samples.
#[derive(Default)]
struct ProofStats {
    count: u64,
    prove: Duration,
    verify: Duration,
    bytes: u64,
    verified: u64,
    failures: u64,
}

impl ProofStats {
    fn mean_prove_us(&self) -> f64 {
        self.prove.as_secs_f64() * 1e6 / self.count.max(1) as f64
    }

    fn mean_verify_us(&self) -> f64 {
        self.verify.as_secs_f64() * 1e6 / self.count.max(1) as f64
    }

    fn mean_bytes(&self) -> f64 {
        ratio(self.bytes, self.count)
    }
}

/// Proves every `(key, expected value)`, then verifies every proof, each phase timed as a
/// whole (no per-sample clock reads in the means). A proof counts as verified only if the
/// engine returned the expected value and the proof checks against the latest root.
fn sample_proofs<'a, E: Engine>(
    engine: &E,
    samples: impl ExactSizeIterator<Item = (&'a [u8], Option<&'a [u8]>)> + Clone,
) -> Result<ProofStats> {
    let mut stats = ProofStats { count: samples.len() as u64, ..ProofStats::default() };

    let started = Instant::now();
    let proofs = samples.clone().map(|(key, _)| engine.prove(key)).collect::<Result<Vec<_>>>()?;
    stats.prove = started.elapsed();

    let started = Instant::now();
    let checks: Vec<bool> =
        samples.clone().zip(&proofs).map(|((key, expected), (_, proof))| engine.verify(proof, key, expected)).collect();
    stats.verify = started.elapsed();

    for (((_, expected), (value, proof)), ok) in samples.zip(&proofs).zip(checks) {
        stats.bytes += E::proof_size(proof)? as u64;
        if ok && value.as_deref() == expected {
            stats.verified += 1;
        } else {
            stats.failures += 1;
        }
    }
    Ok(stats)
}

fn percentile_ms(sorted: &[Duration], pct: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank.
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn per_sec(count: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        count as f64 / secs
    } else {
        0.0
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den > 0 {
        num as f64 / den as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&ms, 50), 50.0);
        assert_eq!(percentile_ms(&ms, 99), 99.0);
        assert_eq!(percentile_ms(&ms[..3], 99), 3.0);
        assert_eq!(percentile_ms(&[], 50), 0.0);
    }
}
