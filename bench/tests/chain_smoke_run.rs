//! `conclave-bench chain` runs end to end on a tiny network: one validator of the app-template
//! chain (this workspace's `appchaind`, built in this profile) and CometBFT's socket kvstore,
//! a few seconds each. Exits 0, the chain commits transfers with none failing, and the last
//! line is the ratio. No timing assertions. This is what caught the benchmark writing genesis
//! addresses with another chain's prefix.

mod common;

use std::path::Path;

use common::{bench, last_value, stdout_of};
use conclave_testkit::live::ChainBinary;

#[test]
fn chain_benchmark_runs_on_one_validator() -> Result<(), Box<dyn std::error::Error>> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().ok_or("bench/ is inside the workspace")?;
    let appchaind = ChainBinary::from_env_or_cargo("CONCLAVE_APPCHAIND", workspace, "appchain", "appchaind");
    let stdout = stdout_of(
        bench()
            .args(["chain", "--validators", "1", "--apps", "chain,socket-kvstore", "--warmup", "2", "--duration", "5"])
            .arg("--appchaind")
            .arg(&appchaind.path),
    )?;
    let ratio: f64 = last_value(&stdout, "chain_vs_socket_kvstore")?.parse()?;
    assert!(ratio > 0.0, "{stdout}");
    let chain = stdout.split("== appchain x1").nth(1).ok_or_else(|| format!("no chain report: {stdout}"))?;
    let committed = chain.lines().find(|line| line.starts_with("committed:")).ok_or("no committed line")?;
    assert!(committed.contains(" 0 failed in block"), "{committed}");
    Ok(())
}
