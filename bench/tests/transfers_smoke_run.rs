//! `conclave-bench transfers` runs end to end with small blocks: exits 0, every transfer
//! succeeds (the benchmark checks each block's results), and the last line is
//! `inprocess_tx_per_s=<n>`. No timing assertions.

use std::process::Command;

#[test]
fn transfers_benchmark_runs_with_small_blocks() -> Result<(), Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_conclave-bench"))
        .args(["transfers", "--blocks", "2", "--txs", "120", "--senders", "40", "--store", "memory"])
        .output()?;
    let stdout = String::from_utf8(output.stdout)?;
    assert!(
        output.status.success(),
        "exit {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("batched"), "{stdout}");
    let last = stdout.lines().last().ok_or("no output")?;
    let value = last.strip_prefix("inprocess_tx_per_s=").ok_or_else(|| format!("last line: {last:?}"))?;
    assert!(value.parse::<u64>().is_ok_and(|v| v > 0), "last line: {last:?}");
    Ok(())
}
