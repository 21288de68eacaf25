//! `conclave-bench staking` runs end to end with tiny counts: exits 0, completes every
//! unbonding in one block under the default cap (5,000, above the 250 due), and ends with
//! `endblock_ms=<x.x>`. No timing assertions.

mod common;

use common::{bench, last_value, stdout_of};

#[test]
fn staking_benchmark_runs_with_tiny_counts() -> Result<(), Box<dyn std::error::Error>> {
    let stdout = stdout_of(
        bench()
            .args(["staking", "--candidates", "20", "--delegators", "300", "--unbondings", "250"])
            .args(["--blocks", "2", "--active", "5", "--seed", "7", "--json"]),
    )?;
    let lines: Vec<&str> = stdout.lines().collect();
    let value = last_value(&stdout, "endblock_ms")?;
    assert!(value.parse::<f64>().is_ok_and(|v| v >= 0.0), "endblock_ms={value}");
    // 250 unbondings under the default cap of 5,000: one block.
    assert!(stdout.contains("A: 250 unbondings due in one block drained in 1 blocks"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(lines[lines.len() - 2])?;
    assert_eq!(json["one_block"]["completions"], serde_json::json!([250, 250]));
    assert_eq!(json["default_cap_drain"]["completions"], serde_json::json!([250]));
    assert_eq!(json["one_block"]["max_completions_per_block"], serde_json::json!(5000));
    assert!(json["keys_after_setup"].as_u64().is_some_and(|k| k > 0));
    Ok(())
}
