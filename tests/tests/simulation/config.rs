//! The tiers: which seeds, how many blocks and operations, how many identical runs. The CI
//! tier is the default; environment variables select a longer one (docs/simulation.md).

use std::fmt;

/// Seeds of the CI tier.
pub const CI_SEEDS: [u64; 3] = [1, 2, 3];
/// Blocks per run in the CI tier.
pub const CI_BLOCKS: u64 = 100;
/// Operations (signed transactions) per block in the CI tier.
pub const CI_OPS_PER_BLOCK: u64 = 200;
/// Runs of each seed compared height by height in the CI tier.
pub const CI_RUNS: u32 = 3;

/// What one invocation of the test simulates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The seeds, each a whole independent chain.
    pub seeds: Vec<u64>,
    /// Blocks per run.
    pub blocks: u64,
    /// Signed transactions attempted per block.
    pub ops_per_block: u64,
    /// Runs of each seed; every run after the first must give the first's app hash at every
    /// height (at least 1).
    pub runs: u32,
    /// Whether `SIM_BLESS=1` asks to rewrite the golden hashes of the seeds run.
    pub bless: bool,
}

impl Config {
    /// The CI tier: [`CI_SEEDS`] × [`CI_BLOCKS`] blocks × [`CI_OPS_PER_BLOCK`] operations a
    /// block, each seed run [`CI_RUNS`] times.
    pub fn ci() -> Self {
        Self {
            seeds: CI_SEEDS.to_vec(),
            blocks: CI_BLOCKS,
            ops_per_block: CI_OPS_PER_BLOCK,
            runs: CI_RUNS,
            bless: false,
        }
    }

    /// The CI tier changed by the environment: `SIM_SEED=n` (one seed, to replay it),
    /// `SIM_SEEDS=k` (seeds 1..=k), `SIM_FIRST_SEED=f` (with `SIM_SEEDS`: seeds f..f+k),
    /// `SIM_BLOCKS`, `SIM_OPS` (per block), `SIM_RUNS`, `SIM_BLESS=1`.
    pub fn from_env() -> Self {
        let mut config = Self::ci();
        let number = |name: &str| -> Option<u64> {
            let text = std::env::var(name).ok()?;
            Some(text.trim().parse().unwrap_or_else(|_| panic!("{name}={text:?} is not a non-negative integer")))
        };
        if let Some(count) = number("SIM_SEEDS") {
            assert!(count > 0, "SIM_SEEDS must be at least 1");
            let first = number("SIM_FIRST_SEED").unwrap_or(1);
            config.seeds = (first..first.saturating_add(count)).collect();
        }
        if let Some(seed) = number("SIM_SEED") {
            config.seeds = vec![seed];
        }
        if let Some(blocks) = number("SIM_BLOCKS") {
            assert!(blocks > 0, "SIM_BLOCKS must be at least 1");
            config.blocks = blocks;
        }
        if let Some(ops) = number("SIM_OPS") {
            config.ops_per_block = ops;
        }
        if let Some(runs) = number("SIM_RUNS") {
            config.runs = u32::try_from(runs.max(1)).unwrap_or(u32::MAX);
        }
        config.bless = std::env::var("SIM_BLESS").is_ok_and(|v| v == "1");
        config
    }

    /// Whether this is exactly the CI tier (its seeds must all have golden hashes).
    pub fn is_ci(&self) -> bool {
        Self { bless: false, ..self.clone() } == Self::ci()
    }

    /// The environment that reproduces `seed` under this configuration.
    pub fn replay_env(&self, seed: u64) -> String {
        let mut env = format!("SIM_SEED={seed}");
        if self.blocks != CI_BLOCKS {
            env.push_str(&format!(" SIM_BLOCKS={}", self.blocks));
        }
        if self.ops_per_block != CI_OPS_PER_BLOCK {
            env.push_str(&format!(" SIM_OPS={}", self.ops_per_block));
        }
        if self.runs != CI_RUNS {
            env.push_str(&format!(" SIM_RUNS={}", self.runs));
        }
        env
    }

    /// The command that replays `seed` under this configuration.
    pub fn replay_command(&self, seed: u64) -> String {
        format!("{} cargo test -p conclave-tests --test whole_chain_simulation -- --nocapture", self.replay_env(seed))
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seeds = match self.seeds.as_slice() {
            [one] => format!("seed {one}"),
            [first, .., last] if last - first + 1 == self.seeds.len() as u64 => {
                format!("{} seeds ({first}..={last})", self.seeds.len())
            }
            many => format!("seeds {many:?}"),
        };
        write!(
            f,
            "{seeds} × {} blocks × {} operations a block, each seed run {} time(s)",
            self.blocks, self.ops_per_block, self.runs
        )
    }
}
