//! `conclave-bench slashing` runs end to end with a small set and window: exits 0, jails a
//! third of the set in one block, tombstones the evidence's validators, and ends with
//! `slashing_block_ms=<x.xx>`. No timing assertions.

use std::process::Command;

#[test]
fn slashing_benchmark_runs_with_a_small_window() -> Result<(), Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_conclave-bench"))
        .args(["slashing", "--validators", "12", "--window", "40", "--evidence", "5", "--seed", "3"])
        .output()?;
    let stdout = String::from_utf8(output.stdout)?;
    assert!(
        output.status.success(),
        "exit {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("2. mass jail (4 jailed in one block)"), "{stdout}");
    assert!(stdout.contains("3. mass evidence (5 double signs)"), "{stdout}");
    let last = stdout.lines().last().ok_or("no output")?;
    let value = last.strip_prefix("slashing_block_ms=").ok_or_else(|| format!("last line: {last:?}"))?;
    assert!(value.parse::<f64>().is_ok_and(|v| v >= 0.0), "last line: {last:?}");
    Ok(())
}
