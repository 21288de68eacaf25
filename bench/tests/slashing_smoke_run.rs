//! `conclave-bench slashing` runs end to end with a small set and window: exits 0, jails a
//! third of the set in one block, tombstones the evidence's validators, and ends with
//! `slashing_block_ms=<x.xx>`. No timing assertions.

mod common;

use common::{bench, last_value, stdout_of};

#[test]
fn slashing_benchmark_runs_with_a_small_window() -> Result<(), Box<dyn std::error::Error>> {
    let stdout = stdout_of(bench().args([
        "slashing",
        "--validators",
        "12",
        "--window",
        "40",
        "--evidence",
        "5",
        "--seed",
        "3",
    ]))?;
    assert!(stdout.contains("2. mass jail (4 jailed in one block)"), "{stdout}");
    assert!(stdout.contains("3. mass evidence (5 double signs)"), "{stdout}");
    let value = last_value(&stdout, "slashing_block_ms")?;
    assert!(value.parse::<f64>().is_ok_and(|v| v >= 0.0), "slashing_block_ms={value}");
    Ok(())
}
