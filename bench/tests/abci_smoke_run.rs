//! `conclave-bench abci` runs end to end with tiny counts: exits 0 and ends with the summary
//! line `abci_roundtrip_us=<x.x> stock_us=<y.y>`. No timing assertions.

mod common;

use common::{bench, last_value, stdout_of};

/// `text` is a non-negative decimal with exactly one digit after the point.
fn one_decimal(text: &str) -> bool {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.len() == 1
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[test]
fn abci_benchmark_runs_with_tiny_counts() -> Result<(), Box<dyn std::error::Error>> {
    let stdout =
        stdout_of(bench().args(["abci", "--iterations", "20", "--stock-iterations", "2", "--warmup", "2"]).args([
            "--blocks",
            "2",
            "--warmup-blocks",
            "1",
            "--txs",
            "20",
            "--senders",
            "3",
        ]))?;
    let rest = last_value(&stdout, "abci_roundtrip_us")?;
    let (ours, stock) = rest.split_once(" stock_us=").ok_or_else(|| format!("last line: {rest:?}"))?;
    assert!(one_decimal(ours) && one_decimal(stock), "abci_roundtrip_us={rest}");
    assert!(stdout.contains("app hashes: identical"), "{stdout}");
    Ok(())
}

#[test]
fn abci_benchmark_runs_on_a_disk_store() -> Result<(), Box<dyn std::error::Error>> {
    let stdout =
        stdout_of(bench().args(["abci", "--iterations", "5", "--stock-iterations", "1", "--warmup", "1"]).args([
            "--blocks",
            "1",
            "--warmup-blocks",
            "0",
            "--txs",
            "5",
            "--store",
            "disk",
        ]))?;
    last_value(&stdout, "abci_roundtrip_us")?;
    Ok(())
}
