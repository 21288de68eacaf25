//! `conclave-bench transfers` runs end to end with small blocks: exits 0, every transfer
//! succeeds (the benchmark checks each block's results), and the last line is
//! `inprocess_tx_per_s=<n>`. No timing assertions.

mod common;

use common::{bench, last_value, stdout_of};

#[test]
fn transfers_benchmark_runs_with_small_blocks() -> Result<(), Box<dyn std::error::Error>> {
    let stdout = stdout_of(bench().args([
        "transfers",
        "--blocks",
        "2",
        "--txs",
        "120",
        "--senders",
        "40",
        "--store",
        "memory",
    ]))?;
    assert!(stdout.contains("batched"), "{stdout}");
    let value = last_value(&stdout, "inprocess_tx_per_s")?;
    assert!(value.parse::<u64>().is_ok_and(|v| v > 0), "inprocess_tx_per_s={value}");
    Ok(())
}
