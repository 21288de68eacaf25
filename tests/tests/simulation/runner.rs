//! The runner: one seed's chain from genesis through its blocks (operations, faults, every
//! module's invariants after every block), the export imported into a fresh chain, and the
//! same seed run again to compare app hashes and block outcomes height by height.

use std::collections::{BTreeMap, BTreeSet};

use appchain::{AppChain, DENOM};
use conclave_core::Coin;
use conclave_proof::Hash;
use conclave_runtime::FinalizeBlockResponse;
use conclave_testkit::{TestChain, TxOptions};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::config::Config;
use super::faults::Faults;
use super::genesis::{random_genesis, World};
use super::golden::hex;
use super::operations::{Generator, Hints, OpKind, Planned};
use super::report::Report;
use super::view::Snapshot;

/// Draws of an operation kind before a block slot is left empty (when the state offers no
/// plausible arguments for any kind drawn).
const DRAWS_PER_SLOT: u32 = 8;

/// Empty blocks the imported chain produces, to show it runs on from the export.
pub const BLOCKS_AFTER_IMPORT: u64 = 3;

/// What one run of a seed produced.
pub struct Run {
    /// `(height, app hash)` of every block.
    pub app_hashes: Vec<(u64, Hash)>,
    /// A digest of every block's FinalizeBlock response (results, events, updates).
    pub outcomes: Vec<[u8; 32]>,
    /// InitChain's app hash.
    pub genesis_hash: Hash,
    /// The figures.
    pub report: Report,
    /// The world, in one line.
    pub world: String,
}

impl Run {
    /// The app hash after the last block (the genesis hash with no block).
    pub fn final_hash(&self) -> Hash {
        self.app_hashes.last().map_or(self.genesis_hash, |(_, hash)| *hash)
    }
}

/// Runs `seed` for `blocks` blocks of `ops_per_block` operations; with `import`, also exports
/// the final state and imports it into a fresh chain. Panics on an invariant violation, a
/// fatal runtime error or a failed import.
pub fn run_once(seed: u64, blocks: u64, ops_per_block: u64, import: bool) -> Run {
    // Reading aids for a replay: SIM_TRACE=1 prints each block's notable events;
    // SIM_SHOW=<kind>:<codespace>/<code> (e.g. voting/redelegate:staking/16) prints every
    // transaction of that kind refused with that code, with the chain's message.
    let trace = std::env::var("SIM_TRACE").is_ok_and(|v| v == "1");
    let show = std::env::var("SIM_SHOW").ok();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (genesis, world) = random_genesis(&mut rng);
    let description = world.describe(&genesis.app);
    let mut hints = Hints::default();
    hints.delegators.extend((world.plain_accounts..world.accounts.len()).collect::<Vec<_>>());
    hints.delegators.extend(genesis.app.voting.votes.iter().filter_map(|v| world.index.get(&v.delegator).copied()));
    let mut chain = TestChain::builder(AppChain::default(), genesis)
        .block_interval_nanos(world.block_interval_nanos)
        .check_invariants(true)
        .build();
    let genesis_hash = chain.genesis_app_hash();
    let mut faults = Faults::new();
    let mut report = Report { seeds: 1, ..Report::default() };
    let mut outcomes = Vec::new();

    for _ in 0..blocks {
        faults.before_block(&mut rng, &mut chain, &world);
        let mut planned: Vec<Planned> = Vec::new();
        let mut txs = Vec::new();
        // Nothing is queryable before the first commit: the first block carries no transaction.
        if chain.height() > 0 {
            plan_block(&mut rng, &chain, &world, &hints, ops_per_block, &mut report, &mut planned, &mut txs);
        }
        let mut request = chain.next_block();
        request.txs = txs;
        faults.shape_block(&mut rng, &chain, &world, &mut request);
        let height = request.height;
        let request_summary = trace.then(|| {
            format!(
                "{} txs, {} evidence, {} commit votes not signed",
                request.txs.len(),
                request.misbehavior.len(),
                request.last_commit.votes.iter().filter(|v| v.flag != conclave_core::BlockIdFlag::Commit).count()
            )
        });
        let response = chain
            .try_produce_block_with(request)
            .unwrap_or_else(|error| panic!("fatal runtime error in block {height}: {error:?}"));
        assert_eq!(response.tx_results.len(), planned.len(), "one result per transaction");
        for (op, result) in planned.iter().zip(&response.tx_results) {
            report.record_tx(op.kind, &result.codespace, result.code);
            if show.as_deref().is_some_and(|s| *s == format!("{}:{}/{}", op.kind.name(), result.codespace, result.code))
            {
                println!("block {height}: {:?} -> {}", op.msg, result.log);
            }
            if result.is_ok() {
                hints.record_success(op);
            }
        }
        report.record_block_events(response.events.iter().map(|e| e.kind.as_str()));
        if let Some(summary) = &request_summary {
            print_trace(height, summary, &response);
        }
        outcomes.push(digest(&response));
    }
    report.faults = faults.counts.clone();
    if trace {
        let snapshot = Snapshot::take(&chain);
        let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &snapshot.candidates {
            *statuses.entry(c.candidate.status.name()).or_default() += 1;
        }
        println!("candidates by status after the last block: {statuses:?}");
    }

    // The test chain checked every block; check the final state once more, explicitly.
    if let Err(violation) = chain.runtime().check_invariants() {
        panic!("invariant violated after the last block: {violation}");
    }
    if import {
        if export_and_import(&chain, world.block_interval_nanos) {
            report.imports_with_new_key_in_flight += 1;
        }
        report.exports_imported += 1;
        report.imports_ran_on += 1;
    }
    Run { app_hashes: chain.app_hashes().to_vec(), outcomes, genesis_hash, report, world: description }
}

/// Plans and signs the block's operations (each account's transactions get consecutive
/// nonces from its committed one).
#[allow(clippy::too_many_arguments)]
fn plan_block(
    rng: &mut ChaCha8Rng,
    chain: &TestChain<AppChain>,
    world: &World,
    hints: &Hints,
    ops: u64,
    report: &mut Report,
    planned: &mut Vec<Planned>,
    txs: &mut Vec<Vec<u8>>,
) {
    let snapshot = Snapshot::take(chain);
    let mut nonces: BTreeMap<usize, u64> = BTreeMap::new();
    let mut generator = Generator { rng, chain, world, snapshot: &snapshot, hints, once: BTreeSet::new() };
    for _ in 0..ops {
        let Some(op) = draw(&mut generator, report) else { continue };
        let account = &world.accounts[op.signer];
        let nonce = nonces.entry(op.signer).or_insert_with(|| chain.nonce(account));
        // The minimum fee at the default gas price (1/1000).
        let options = TxOptions {
            gas_limit: op.gas,
            fee: Coin::new(DENOM, u128::from(op.gas.div_ceil(1_000))),
            ..TxOptions::default()
        };
        txs.push(account.sign(chain.chain_id(), *nonce, vec![op.msg.clone()], &options));
        *nonce += 1;
        planned.push(op);
    }
}

/// Block events `SIM_TRACE=1` prints (the rest are routine: transfers, mints, rewards).
const TRACED: [&str; 5] =
    ["slashing.", "rotation.", "staking.status_changed", "staking.consensus_key", "rewards.inflation"];

/// One block's notable events, for `SIM_TRACE=1` (to read what led to a failure).
fn print_trace(height: u64, request: &str, response: &FinalizeBlockResponse) {
    let (ok, refused) =
        response.tx_results.iter().fold((0, 0), |(o, r), t| if t.is_ok() { (o + 1, r) } else { (o, r + 1) });
    println!(
        "block {height}: {request}; {ok} ok, {refused} refused; {} validator updates",
        response.validator_updates.len()
    );
    for event in response.events.iter().filter(|e| TRACED.iter().any(|p| e.kind.starts_with(p))) {
        let attributes: Vec<String> = event.attributes.iter().map(|a| format!("{}={}", a.key, a.value)).collect();
        println!("  {} {}", event.kind, attributes.join(" "));
    }
}

/// Draws kinds until one has plausible arguments (at most [`DRAWS_PER_SLOT`] draws).
fn draw(generator: &mut Generator<'_>, report: &mut Report) -> Option<Planned> {
    for _ in 0..DRAWS_PER_SLOT {
        let kind = OpKind::pick(generator.rng);
        match generator.plan(kind) {
            Some(op) => return Some(op),
            None => report.record_not_plausible(kind),
        }
    }
    None
}

/// A digest of everything FinalizeBlock returned (every result with its code, log, gas and
/// events; the block events; the validator updates; the app hash).
fn digest(response: &FinalizeBlockResponse) -> [u8; 32] {
    *blake3::hash(format!("{response:?}").as_bytes()).as_bytes()
}

/// Exports the state, starts a fresh chain from it at the next height and time (as a restart
/// from an exported genesis would), asserts its genesis app hash is the exporting chain's app
/// hash, and runs it [`BLOCKS_AFTER_IMPORT`] blocks with the invariants checked after each.
/// Returns whether the last exported block had brought a new key into the set (its updates
/// sign from the height after next, so the imported chain's first block rebases rotation's
/// history: docs/modules/rotation.md, "Import").
fn export_and_import(chain: &TestChain<AppChain>, block_interval_nanos: u64) -> bool {
    let exported = chain.export_genesis();
    let app_state = serde_json::to_vec(&exported).expect("the export serializes");
    let height = chain.height();
    let mut imported = TestChain::builder(AppChain::default(), Default::default())
        .chain_id(chain.chain_id())
        .initial_height(height + 1)
        .genesis_time(chain.time())
        .block_interval_nanos(block_interval_nanos)
        .check_invariants(true)
        .build_with_app_state(app_state)
        .unwrap_or_else(|error| panic!("the export of height {height} does not import: {error}"));
    assert_eq!(
        hex(&imported.genesis_app_hash()),
        hex(&chain.app_hash()),
        "the chain imported from the export of height {height} has another root"
    );
    let consensus = chain.consensus();
    let (signing, next) = (consensus.set_at(height + 1), consensus.set_at(height + 2));
    let new_key_in_flight = next.keys().any(|key| !signing.contains_key(key));
    for _ in 0..BLOCKS_AFTER_IMPORT {
        let request = imported.next_block();
        let at = request.height;
        imported
            .try_produce_block_with(request)
            .unwrap_or_else(|error| panic!("the chain imported at height {} stops at {at}: {error}", height + 1));
    }
    new_key_in_flight
}

/// Runs `seed` `config.runs` times and compares every run with the first, height by height
/// (app hash and FinalizeBlock outcome). Returns the first run and the heights compared.
pub fn run_seed(seed: u64, config: &Config) -> Run {
    let mut first = run_once(seed, config.blocks, config.ops_per_block, true);
    for run in 2..=config.runs {
        let again = run_once(seed, config.blocks, config.ops_per_block, false);
        assert_eq!(
            hex(&again.genesis_hash),
            hex(&first.genesis_hash),
            "seed {seed}: run {run} has another genesis app hash"
        );
        if let Some(message) = divergence(seed, run, &first, &again) {
            panic!("{message}");
        }
        first.report.heights_compared += u64::try_from(again.app_hashes.len()).unwrap_or(u64::MAX);
    }
    first
}

/// Where `again` first differs from `first` (height by height: app hash, then the whole
/// FinalizeBlock response), as a message; `None` when the runs agree everywhere.
pub fn divergence(seed: u64, run: u32, first: &Run, again: &Run) -> Option<String> {
    if first.app_hashes.len() != again.app_hashes.len() {
        return Some(format!("seed {seed}: run {run} produced another number of blocks"));
    }
    let blocks = first.app_hashes.iter().zip(&again.app_hashes).zip(first.outcomes.iter().zip(&again.outcomes));
    for (((height, hash), (_, other)), (outcome, other_outcome)) in blocks {
        if hash != other {
            return Some(format!(
                "seed {seed}: run {run} diverges at height {height}: app hash {} then {}",
                hex(hash),
                hex(other)
            ));
        }
        if outcome != other_outcome {
            return Some(format!(
                "seed {seed}: run {run} has the same app hash at height {height} but another FinalizeBlock \
                 response (results, events or validator updates)"
            ));
        }
    }
    None
}
