//! Per-engine results (the child's JSON) and the parent's table.

use serde::{Deserialize, Serialize};

use super::workload::OpCounts;

/// Everything one engine's child process measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct EngineResult {
    /// `conclave` or `jmt`.
    pub(crate) engine: String,
    /// Short description of the engine's setup.
    pub(crate) setup: String,
    /// Whether each block commit is durable (fsync'd).
    pub(crate) durable: bool,
    /// Keys preloaded.
    pub(crate) keys: u64,
    /// Blocks after the preload.
    pub(crate) blocks: u64,
    /// Changes (distinct keys) per block.
    pub(crate) updates_per_block: u64,
    /// Value size in bytes.
    pub(crate) value_size: u64,
    /// Operations across all blocks.
    pub(crate) ops: OpCounts,
    /// Live keys at the end.
    pub(crate) final_keys: u64,
    /// Versions retained.
    pub(crate) keep_versions: u64,
    /// Commits between checkpoints (conclave-store only; 0 for jmt).
    pub(crate) checkpoint_interval: u64,
    /// Wall time of the preload (one version), seconds.
    pub(crate) preload_secs: f64,
    /// Bytes written during the preload.
    pub(crate) preload_write_bytes: u64,
    /// Total changes over the blocks divided by their total stage + commit time.
    pub(crate) committed_updates_per_sec: f64,
    /// Median block time (stage + commit), milliseconds.
    pub(crate) block_p50_ms: f64,
    /// 99th percentile block time (stage + commit), milliseconds.
    pub(crate) block_p99_ms: f64,
    /// Median of the stage part (new root in memory), milliseconds.
    pub(crate) stage_p50_ms: f64,
    /// Median of the commit part (persist, prune), milliseconds.
    pub(crate) commit_p50_ms: f64,
    /// Slowest block commit, milliseconds.
    pub(crate) block_max_ms: f64,
    /// Time to wait, after the last block, for background work (checkpoints), milliseconds.
    pub(crate) settle_ms: f64,
    /// CPU time of all threads over the blocks and the settle, minus the harness's workload
    /// generation, per change, µs (approximate: 10 ms clock ticks).
    pub(crate) cpu_us_per_update: f64,
    /// Latest version checkpointed in the background by the end (conclave-store; 0 for jmt).
    pub(crate) checkpoint_version: u64,
    /// `write_bytes` during the blocks divided by the number of changes.
    pub(crate) write_bytes_per_update: f64,
    /// Size of the database directory after the run (0 in memory).
    pub(crate) db_size_bytes: u64,
    /// Peak resident set size of the process (`VmHWM`).
    pub(crate) peak_rss_bytes: u64,
    /// Resident set size at the end of the run (`VmRSS`).
    pub(crate) final_rss_bytes: u64,
    /// Proofs per kind (present keys, absent keys).
    pub(crate) proof_samples: u64,
    /// Mean proof generation time for present keys, µs.
    pub(crate) prove_present_us: f64,
    /// Mean proof generation time for absent keys, µs.
    pub(crate) prove_absent_us: f64,
    /// Mean verification time for present keys, µs.
    pub(crate) verify_present_us: f64,
    /// Mean verification time for absent keys, µs.
    pub(crate) verify_absent_us: f64,
    /// Mean serialised size of inclusion proofs, bytes.
    pub(crate) proof_bytes_present: f64,
    /// Mean serialised size of exclusion proofs, bytes.
    pub(crate) proof_bytes_absent: f64,
    /// How proofs were serialised for the size figures.
    pub(crate) proof_encoding: String,
    /// Proofs that verified and returned the expected value.
    pub(crate) proofs_verified: u64,
    /// Proofs that failed verification or returned a wrong value.
    pub(crate) proof_failures: u64,
    /// Hex of the final root.
    pub(crate) final_root: String,
}

/// A table row: label and how to render one engine's cell.
type Row = (&'static str, fn(&EngineResult) -> String);

/// Prints the results side by side, one column per engine.
pub(crate) fn print_table(results: &[EngineResult], machine: &str) {
    let Some(first) = results.first() else { return };
    println!(
        "store benchmark: {} keys preloaded, {} blocks x {} changes, {}-byte values, machine: {machine}",
        first.keys, first.blocks, first.updates_per_block, first.value_size
    );
    let ops = first.ops;
    println!("operations over the blocks: {} updates, {} inserts, {} deletes", ops.updates, ops.inserts, ops.deletes);
    let rows: [Row; 26] = [
        ("setup", |r| r.setup.clone()),
        ("durable commits", |r| r.durable.to_string()),
        ("keep versions / checkpoint every", |r| match r.checkpoint_interval {
            0 => format!("{} / -", r.keep_versions),
            c => format!("{} / {c}", r.keep_versions),
        }),
        ("preload (s)", |r| format!("{:.2}", r.preload_secs)),
        ("committed updates/s", |r| format!("{:.0}", r.committed_updates_per_sec)),
        ("block commit p50 (ms)", |r| format!("{:.1}", r.block_p50_ms)),
        ("block commit p99 (ms)", |r| format!("{:.1}", r.block_p99_ms)),
        ("  stage p50 (ms)", |r| format!("{:.1}", r.stage_p50_ms)),
        ("  commit p50 (ms)", |r| format!("{:.1}", r.commit_p50_ms)),
        ("block commit max (ms)", |r| format!("{:.1}", r.block_max_ms)),
        ("settle after last block (ms)", |r| format!("{:.1}", r.settle_ms)),
        ("CPU us / update, all threads", |r| format!("{:.1}", r.cpu_us_per_update)),
        ("last checkpointed version", |r| r.checkpoint_version.to_string()),
        ("bytes written / update", |r| format!("{:.0}", r.write_bytes_per_update)),
        ("preload bytes written (MiB)", |r| mib(r.preload_write_bytes)),
        ("db size after run (MiB)", |r| mib(r.db_size_bytes)),
        ("peak RSS (MiB)", |r| mib(r.peak_rss_bytes)),
        ("final RSS (MiB)", |r| mib(r.final_rss_bytes)),
        ("prove present (us)", |r| format!("{:.2}", r.prove_present_us)),
        ("prove absent (us)", |r| format!("{:.2}", r.prove_absent_us)),
        ("verify present (us)", |r| format!("{:.2}", r.verify_present_us)),
        ("verify absent (us)", |r| format!("{:.2}", r.verify_absent_us)),
        ("proof size present (B)", |r| format!("{:.0}", r.proof_bytes_present)),
        ("proof size absent (B)", |r| format!("{:.0}", r.proof_bytes_absent)),
        ("proofs verified / failed", |r| format!("{} / {}", r.proofs_verified, r.proof_failures)),
        ("final keys", |r| r.final_keys.to_string()),
    ];
    let cells: Vec<Vec<String>> = rows.iter().map(|(_, f)| results.iter().map(f).collect()).collect();
    let label_w = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let col_w: Vec<usize> = (0..results.len())
        .map(|i| {
            let header = results[i].engine.len();
            cells.iter().map(|row| row[i].len()).max().unwrap_or(0).max(header)
        })
        .collect();
    print!("{:label_w$}", "");
    for (r, w) in results.iter().zip(&col_w) {
        print!(" | {:>w$}", r.engine);
    }
    println!();
    for ((label, _), row) in rows.iter().zip(&cells) {
        print!("{label:label_w$}");
        for (cell, w) in row.iter().zip(&col_w) {
            print!(" | {cell:>w$}");
        }
        println!();
    }
    println!(
        "proof sizes: {}",
        results.iter().map(|r| format!("{}: {}", r.engine, r.proof_encoding)).collect::<Vec<_>>().join("; ")
    );
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}
