//! `conclave-bench abci` runs end to end with tiny counts: exits 0 and ends with the summary
//! line `abci_roundtrip_us=<x.x> stock_us=<y.y>`. No timing assertions.

use std::process::Command;

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
    let output = Command::new(env!("CARGO_BIN_EXE_conclave-bench"))
        .args(["abci", "--iterations", "20", "--stock-iterations", "2", "--warmup", "2"])
        .args(["--blocks", "2", "--warmup-blocks", "1", "--txs", "20", "--senders", "3"])
        .output()?;
    let stdout = String::from_utf8(output.stdout)?;
    assert!(
        output.status.success(),
        "exit {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().ok_or("no output")?;
    let rest = last.strip_prefix("abci_roundtrip_us=").ok_or_else(|| format!("last line: {last:?}"))?;
    let (ours, stock) = rest.split_once(" stock_us=").ok_or_else(|| format!("last line: {last:?}"))?;
    assert!(one_decimal(ours) && one_decimal(stock), "last line: {last:?}");
    assert!(stdout.contains("app hashes: identical"), "{stdout}");
    Ok(())
}

#[test]
fn abci_benchmark_runs_on_a_disk_store() -> Result<(), Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_conclave-bench"))
        .args(["abci", "--iterations", "5", "--stock-iterations", "1", "--warmup", "1"])
        .args(["--blocks", "1", "--warmup-blocks", "0", "--txs", "5", "--store", "disk"])
        .output()?;
    assert!(output.status.success(), "exit {}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout)?;
    assert!(stdout.lines().last().is_some_and(|l| l.starts_with("abci_roundtrip_us=")), "{stdout}");
    Ok(())
}
