//! `conclave-bench store` runs end to end on a tiny workload: exits 0, prints one JSON
//! object per engine with sane figures, and ends with the ratio line. No timing assertions.

mod common;

use common::{bench, stdout_of};
use serde_json::Value;

#[test]
fn store_benchmark_runs_on_a_tiny_workload() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let stdout = stdout_of(
        bench()
            .args(["store", "--keys", "2000", "--blocks", "3", "--updates-per-block", "200"])
            .args(["--proof-samples", "100", "--checkpoint-interval", "2", "--keep-versions", "2"])
            .args(["--json", "--dir"])
            .arg(dir.path()),
    )?;

    let lines: Vec<&str> = stdout.lines().collect();
    let (last, results) = lines.split_last().ok_or("no output")?;
    let ratio = last.strip_prefix("ratio_vs_jmt=").ok_or("last line is not the ratio")?;
    assert!(ratio.parse::<f64>()? > 0.0, "ratio {ratio}");
    assert_eq!(ratio.split_once('.').map(|(_, d)| d.len()), Some(2), "two decimals: {ratio}");

    let results: Vec<Value> = results.iter().map(|l| serde_json::from_str(l)).collect::<Result<_, _>>()?;
    let engines: Vec<&str> = results.iter().filter_map(|r| r["engine"].as_str()).collect();
    assert_eq!(engines, ["conclave", "jmt"]);
    for r in &results {
        let engine = &r["engine"];
        for field in ["committed_updates_per_sec", "preload_secs", "block_p50_ms", "block_p99_ms", "peak_rss_bytes"] {
            assert!(r[field].as_f64().is_some_and(|x| x > 0.0), "{engine}: {field} = {}", r[field]);
        }
        for field in ["prove_present_us", "verify_present_us", "proof_bytes_present", "proof_bytes_absent"] {
            assert!(r[field].as_f64().is_some_and(|x| x > 0.0), "{engine}: {field} = {}", r[field]);
        }
        assert_eq!(r["proofs_verified"].as_u64(), Some(200), "{engine}");
        assert_eq!(r["proof_failures"].as_u64(), Some(0), "{engine}");
        let ops = &r["ops"];
        let total: u64 = ["updates", "inserts", "deletes"].iter().filter_map(|k| ops[k].as_u64()).sum();
        assert_eq!(total, 600, "{engine}: ops {ops}");
    }
    let conclave = &results[0];
    assert_eq!(conclave["durable"].as_bool(), Some(true));
    assert!(conclave["db_size_bytes"].as_u64().is_some_and(|b| b > 0));
    assert!(conclave["write_bytes_per_update"].as_f64().is_some_and(|b| b > 0.0));
    assert_eq!(results[1]["final_keys"], conclave["final_keys"], "both engines saw the same workload");
    assert_eq!(results[1]["ops"], conclave["ops"], "both engines saw the same workload");
    Ok(())
}
