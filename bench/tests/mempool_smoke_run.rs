//! `conclave-bench mempool` runs end to end with tiny counts, against our server and
//! `abci-cli kvstore` (installed by `scripts/install-abci-cli.sh`, as CI does): exits 0, every
//! CheckTx and Recheck answered with code 0 (the benchmark fails otherwise), and the last line
//! gives the four medians. No timing assertions.

mod common;

use common::{bench, last_value, stdout_of};

#[test]
fn mempool_benchmark_runs_with_tiny_counts() -> Result<(), Box<dyn std::error::Error>> {
    let stdout = stdout_of(bench().args(["mempool", "--txs", "40", "--senders", "4", "--runs", "1"]))?;
    let rest = last_value(&stdout, "mempool_check_tx_us")?;
    for key in ["kvstore_check_tx_us=", "mempool_recheck_us=", "kvstore_recheck_us="] {
        assert!(rest.contains(key), "last line lacks {key}: {rest}");
    }
    let figures: Vec<f64> =
        rest.split(' ').map(|part| part.rsplit('=').next().unwrap_or("").parse::<f64>()).collect::<Result<_, _>>()?;
    assert_eq!(figures.len(), 4, "{rest}");
    assert!(figures.iter().all(|us| *us > 0.0), "{rest}");
    Ok(())
}
